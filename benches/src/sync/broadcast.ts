/**
 * Sync workload: one producer broadcasting to 16 consumers, every consumer reading every
 * value.
 *
 * Source: the issue's broadcast benchmark (1→16, 200,000 messages; target ≥ 2× a plain async
 * ring); Tokio benches/sync_broadcast.rs (`contention`). One mitata iteration sends n values
 * (so 16·n deliveries); ratios are per value sent.
 *
 * A broadcast sender never waits (a slow receiver lags and loses values instead), so to read
 * every value the producer paces itself the same way in every row: it sends a batch of 512
 * values into a 1,024-slot ring, then waits until the last of the 16 consumers has read the
 * batch's last value (a one-shot per batch: a tokio-ts `oneshot` in the tokio-ts rows, a
 * promise elsewhere — 1 per 512 values). Each consumer checks that it reads 0, 1, 2, … in
 * order; the check is that 16·n values were read.
 * - tokio-ts rows: `broadcast.channel(1024)`, `tx.subscribe()` × 16, `tx.send(v)`
 *   (synchronous), `await rx.recv()` / `yield* rx.recv()`.
 * - plain async ring: ./async-ring.ts (shared array, a cursor per consumer, resolvers).
 * - EventEmitter · events.on(): 16 `for await` loops over `on(ee, "data")`.
 * - EventEmitter · sync listeners (context): 16 listeners called synchronously by each emit; no
 *   queue, no pacing needed.
 */
import { EventEmitter, on } from "node:events";
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import { broadcast, oneshot } from "@tokio-ts/sync";
import { tokioRuntime } from "../impl.js";
import { expectEqual, TOKIO_ASYNC, TOKIO_GEN, type SyncWorkload } from "./case.js";
import { AsyncRing } from "./async-ring.js";

const CONSUMERS = 16;
const CAPACITY = 1024;
const BATCH = 512;
/** How often the producer calls the memory run's `probe`: every 128 batches of 512 values. */
const PROBE_EVERY = 65_536;

/** Whether `v` is the last value of its batch (of n values in all). */
function lastOfBatch(v: number, n: number): boolean {
  return (v + 1) % BATCH === 0 || v === n - 1;
}

/** The pacing of the promise-based rows: the last consumer through a batch resolves it. */
class PromiseBatch {
  #remaining = 0;
  #resolve: () => void = () => {};

  /** Arm for the next batch; resolves when all consumers have read its last value. */
  start(): Promise<void> {
    this.#remaining = CONSUMERS;
    return new Promise<void>((resolve) => (this.#resolve = resolve));
  }

  read(): void {
    if (--this.#remaining === 0) this.#resolve();
  }
}

/** The pacing of the tokio-ts rows, with a tokio-ts oneshot per batch. */
class TokioBatch {
  #remaining = 0;
  #tx: oneshot.Sender<true> | undefined = undefined;

  start(): oneshot.Receiver<true> {
    this.#remaining = CONSUMERS;
    const [tx, rx] = oneshot.channel<true>();
    this.#tx = tx;
    return rx;
  }

  read(): void {
    if (--this.#remaining === 0) this.#tx!.send(true);
  }
}

async function tokioAsync(n: number, probe?: () => void): Promise<number> {
  const [tx, first] = broadcast.channel<number>(CAPACITY);
  const batch = new TokioBatch();
  let read = 0;
  const consumers: Promise<void>[] = [];
  for (let c = 0; c < CONSUMERS; c++) {
    const rx = c === 0 ? first : tx.subscribe();
    consumers.push(
      (async () => {
        for (let k = 0; k < n; k++) {
          const v = await rx.recv();
          expectEqual("broadcast order", v, k);
          read++;
          if (lastOfBatch(v, n)) batch.read();
        }
      })(),
    );
  }
  for (let start = 0; start < n; start += BATCH) {
    if (start % PROBE_EVERY === 0) probe?.();
    const done = batch.start();
    const end = Math.min(n, start + BATCH);
    for (let v = start; v < end; v++) tx.send(v);
    await done;
  }
  await Promise.all(consumers);
  return read;
}

function tokioGen(n: number, probe?: () => void): Promise<number> {
  return tokioRuntime().blockOn(function* () {
    const [tx, first] = broadcast.channel<number>(CAPACITY);
    const batch = new TokioBatch();
    let read = 0;
    const handles: JoinHandle<void>[] = [];
    for (let c = 0; c < CONSUMERS; c++) {
      const rx = c === 0 ? first : tx.subscribe();
      handles.push(
        spawn(function* () {
          for (let k = 0; k < n; k++) {
            const v = yield* rx.recv();
            expectEqual("broadcast order", v, k);
            read++;
            if (lastOfBatch(v, n)) batch.read();
          }
        }),
      );
    }
    for (let start = 0; start < n; start += BATCH) {
      if (start % PROBE_EVERY === 0) probe?.();
      const done = batch.start();
      const end = Math.min(n, start + BATCH);
      for (let v = start; v < end; v++) tx.send(v);
      yield* done;
    }
    for (const h of handles) yield* h;
    return read;
  });
}

async function asyncRing(n: number, probe?: () => void): Promise<number> {
  const ring = new AsyncRing<number>(CAPACITY);
  const batch = new PromiseBatch();
  let read = 0;
  const consumers: Promise<void>[] = [];
  for (let c = 0; c < CONSUMERS; c++) {
    const cursor = ring.subscribe();
    consumers.push(
      (async () => {
        for (let k = 0; k < n; k++) {
          const v = await ring.recv(cursor);
          expectEqual("broadcast order", v, k);
          read++;
          if (lastOfBatch(v, n)) batch.read();
        }
      })(),
    );
  }
  for (let start = 0; start < n; start += BATCH) {
    if (start % PROBE_EVERY === 0) probe?.();
    const done = batch.start();
    const end = Math.min(n, start + BATCH);
    for (let v = start; v < end; v++) ring.send(v);
    await done;
  }
  await Promise.all(consumers);
  return read;
}

async function emitterStreams(n: number, probe?: () => void): Promise<number> {
  const ee = new EventEmitter();
  ee.setMaxListeners(CONSUMERS + 1);
  const batch = new PromiseBatch();
  let read = 0;
  const consumers: Promise<void>[] = [];
  for (let c = 0; c < CONSUMERS; c++) {
    const stream = on(ee, "data");
    consumers.push(
      (async () => {
        let k = 0;
        for await (const [v] of stream) {
          expectEqual("broadcast order", v, k);
          read++;
          if (lastOfBatch(v as number, n)) batch.read();
          if (++k === n) break;
        }
      })(),
    );
  }
  for (let start = 0; start < n; start += BATCH) {
    if (start % PROBE_EVERY === 0) probe?.();
    const done = batch.start();
    const end = Math.min(n, start + BATCH);
    for (let v = start; v < end; v++) ee.emit("data", v);
    await done;
  }
  await Promise.all(consumers);
  return read;
}

async function emitterListeners(n: number, probe?: () => void): Promise<number> {
  const ee = new EventEmitter();
  ee.setMaxListeners(CONSUMERS + 1);
  let read = 0;
  for (let c = 0; c < CONSUMERS; c++) {
    let k = 0;
    ee.on("data", (v: number) => {
      expectEqual("broadcast order", v, k++);
      read++;
    });
  }
  await null;
  for (let v = 0; v < n; v++) {
    if (v % PROBE_EVERY === 0) probe?.();
    ee.emit("data", v);
  }
  return read;
}

export const broadcastFanOut: SyncWorkload = {
  id: "broadcast-1to16",
  title: "broadcast, 1→16",
  source: "issue target (≥ 2× a plain async ring); Tokio benches/sync_broadcast.rs `contention`",
  notes: [
    `**${TOKIO_GEN}**: 16 spawned generator tasks \`yield* rx.recv()\`; the producer (the \`blockOn\` body) \`tx.send(v)\` in batches of 512 (capacity 1,024), waiting on a \`oneshot\` for each batch to be read`,
    `**${TOKIO_ASYNC}**: the same with async function calls, \`await rx.recv()\`; no runtime`,
    "**plain async ring**: src/sync/async-ring.ts (one shared array, a cursor per consumer, resolvers), same batches, a promise per batch",
    "**EventEmitter · events.on()**: 16 `for await` loops over `on(ee, \"data\")`, same batches",
    "**EventEmitter · sync listeners** (context): 16 listeners called synchronously by each `emit`; no queue, no task switch, no pacing",
  ],
  n: 100_000,
  issueN: 200_000,
  unit: "message",
  rows: [
    { label: TOKIO_GEN, role: "tokio-ts", runner: tokioGen },
    { label: TOKIO_ASYNC, role: "tokio-ts", runner: tokioAsync },
    { label: "plain async ring", role: "peer", runner: asyncRing },
    { label: "EventEmitter · events.on()", role: "peer", runner: emitterStreams },
    { label: "EventEmitter · sync listeners", role: "context", runner: emitterListeners },
  ],
  check: (out, n) => expectEqual("broadcast values read (16 per value sent)", out, CONSUMERS * n),
};
