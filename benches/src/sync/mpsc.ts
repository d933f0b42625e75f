/**
 * Sync workloads: mpsc channels, bounded(1024) with one and with four producers, and
 * unbounded with one producer, each into one consumer.
 *
 * Source: the issue's mpsc benchmark (5,000,000 messages; targets ≥ 1.5× the plain promise
 * queue and ≥ 4× Effect 4's queue), shaped like Tokio's benches/sync_mpsc.rs
 * (`contention_bounded`, `uncontented_unbounded`). One mitata iteration moves `n` messages;
 * the issue's full 5,000,000 run, with peak memory, is ../sync-memory-run.ts.
 *
 * Every row sends the same numbers: producer p of P sends `i * P + p` for i in [0, n / P), and
 * the consumer checks, message by message, that each producer's numbers arrive in order
 * ({@link OrderCheck}), and returns how many it received. Producers are separate concurrent
 * tasks (async function calls; spawned tokio-ts tasks; forked Effect fibers); the consumer is
 * the body that waits for the end:
 * - tokio-ts rows: `await tx.send(v)` / `yield* tx.send(v)` (bounded), `tx.send(v)` (unbounded,
 *   synchronous); each producer closes its sender when done, and `rx.recv()` resolving
 *   `undefined` (closed and drained) ends the consumer.
 * - promise queue: ./promise-queue.ts, `await q.send(v)` / `q.push(v)`, `close()`.
 * - effect: `Queue.bounded(1024)` / `Queue.unbounded()`, `Queue.offer`, and the consumer takes
 *   exactly n (`Queue.take` of an ended queue fails with `Done`, which would cost an
 *   `Effect.exit` per message to catch).
 * - EventEmitter (unbounded only): as a stream consumed by `for await` over `events.on()`,
 *   the way async code reads an emitter (a peer), and with a synchronous listener (context:
 *   no queue and no task switch, so not the same operation).
 */
import { EventEmitter, on } from "node:events";
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import { mpsc } from "@tokio-ts/sync";
import { Effect, Fiber, Queue } from "effect";
import { tokioRuntime } from "../impl.js";
import { expectCount, TOKIO_ASYNC, TOKIO_GEN, type SyncWorkload } from "./case.js";
import { PromiseQueue } from "./promise-queue.js";

const CAPACITY = 1024;

/** Checks that each producer's numbers arrive in order, and counts them. */
export class OrderCheck {
  readonly #next: Int32Array;
  readonly #producers: number;
  readonly #probe: (() => void) | undefined;
  count = 0;

  /** `probe` is called every 65,536 messages (see SyncRow.runner). */
  constructor(producers: number, probe: (() => void) | undefined) {
    this.#producers = producers;
    this.#next = new Int32Array(producers);
    this.#probe = probe;
  }

  see(value: number): void {
    const p = value % this.#producers;
    const i = (value - p) / this.#producers;
    if (i !== this.#next[p]) throw new Error(`producer ${p}: got message ${i}, expected ${this.#next[p]}`);
    this.#next[p] = i + 1;
    if ((++this.count & 0xffff) === 0) this.#probe?.();
  }
}

// ---------------------------------------------------------------- bounded, P producers

async function tokioAsyncBounded(n: number, producers: number, probe?: () => void): Promise<number> {
  const [tx, rx] = mpsc.channel<number>(CAPACITY);
  const per = n / producers;
  const sending: Promise<void>[] = [];
  for (let p = 0; p < producers; p++) {
    const txp = p === producers - 1 ? tx : tx.clone();
    sending.push(
      (async () => {
        for (let i = 0; i < per; i++) await txp.send(i * producers + p);
        txp.close();
      })(),
    );
  }
  const check = new OrderCheck(producers, probe);
  for (let v; (v = await rx.recv()) !== undefined; ) check.see(v);
  await Promise.all(sending);
  return check.count;
}

function tokioGenBounded(n: number, producers: number, probe?: () => void): Promise<number> {
  return tokioRuntime().blockOn(function* () {
    const [tx, rx] = mpsc.channel<number>(CAPACITY);
    const per = n / producers;
    const handles: JoinHandle<void>[] = [];
    for (let p = 0; p < producers; p++) {
      const txp = p === producers - 1 ? tx : tx.clone();
      handles.push(
        spawn(function* () {
          for (let i = 0; i < per; i++) yield* txp.send(i * producers + p);
          txp.close();
        }),
      );
    }
    const check = new OrderCheck(producers, probe);
    for (let v; (v = yield* rx.recv()) !== undefined; ) check.see(v);
    for (const h of handles) yield* h;
    return check.count;
  });
}

async function promiseQueueBounded(n: number, producers: number, probe?: () => void): Promise<number> {
  const q = new PromiseQueue<number>(CAPACITY);
  const per = n / producers;
  let open = producers;
  const sending: Promise<void>[] = [];
  for (let p = 0; p < producers; p++) {
    sending.push(
      (async () => {
        for (let i = 0; i < per; i++) await q.send(i * producers + p);
        if (--open === 0) q.close();
      })(),
    );
  }
  const check = new OrderCheck(producers, probe);
  for (let v; (v = await q.recv()) !== undefined; ) check.see(v);
  await Promise.all(sending);
  return check.count;
}

function effectQueue(n: number, producers: number, bounded: boolean, probe?: () => void): Promise<number> {
  return Effect.runPromise(
    Effect.gen(function* () {
      const q = bounded ? yield* Queue.bounded<number>(CAPACITY) : yield* Queue.unbounded<number>();
      const per = n / producers;
      const fibers: Fiber.Fiber<void>[] = [];
      for (let p = 0; p < producers; p++) {
        fibers.push(
          yield* Effect.forkChild(
            Effect.gen(function* () {
              for (let i = 0; i < per; i++) yield* Queue.offer(q, i * producers + p);
            }),
          ),
        );
      }
      const check = new OrderCheck(producers, probe);
      for (let k = 0; k < n; k++) check.see(yield* Queue.take(q));
      yield* Fiber.joinAll(fibers);
      return check.count;
    }),
  );
}

function boundedWorkload(producers: number): SyncWorkload {
  const arrow = `${producers}→1`;
  return {
    id: `mpsc-bounded-${producers}to1`,
    title: `mpsc bounded(1024), ${arrow}`,
    source: `issue target (≥ 1.5× a plain promise queue, ≥ 4× Effect 4's Queue.bounded); Tokio benches/sync_mpsc.rs \`contention_bounded\``,
    notes: [
      `**${TOKIO_GEN}**: ${producers === 1 ? "a producer task" : `${producers} producer tasks`} (spawned generators on a current-thread runtime) \`yield* tx.send(v)\`, each closing its sender at the end; the \`blockOn\` body \`yield* rx.recv()\` until \`undefined\``,
      `**${TOKIO_ASYNC}**: the same with async function calls, \`await tx.send(v)\`, \`await rx.recv()\`; no runtime`,
      "**promise queue**: the hand-written queue of src/sync/promise-queue.ts (array + pending resolvers, `async send`/`recv`), capacity 1024",
      "**effect Queue.bounded**: `Queue.bounded(1024)`, producers in forked fibers doing `Queue.offer`, the consumer `Queue.take` × n",
    ],
    n: 500_000,
    issueN: 5_000_000,
    unit: "message",
    rows: [
      { label: TOKIO_GEN, role: "tokio-ts", runner: (n, probe) => tokioGenBounded(n, producers, probe) },
      { label: TOKIO_ASYNC, role: "tokio-ts", runner: (n, probe) => tokioAsyncBounded(n, producers, probe) },
      { label: "promise queue", role: "peer", runner: (n, probe) => promiseQueueBounded(n, producers, probe) },
      { label: "effect Queue.bounded", role: "peer", runner: (n, probe) => effectQueue(n, producers, true, probe) },
    ],
    check: expectCount(`mpsc bounded ${arrow}`),
  };
}

export const mpscBounded1to1 = boundedWorkload(1);
export const mpscBounded4to1 = boundedWorkload(4);

// ---------------------------------------------------------------- unbounded, 1 producer

async function tokioAsyncUnbounded(n: number, probe?: () => void): Promise<number> {
  const [tx, rx] = mpsc.unboundedChannel<number>();
  const sending = (async () => {
    for (let i = 0; i < n; i++) tx.send(i);
    tx.close();
  })();
  const check = new OrderCheck(1, probe);
  for (let v; (v = await rx.recv()) !== undefined; ) check.see(v);
  await sending;
  return check.count;
}

function tokioGenUnbounded(n: number, probe?: () => void): Promise<number> {
  return tokioRuntime().blockOn(function* () {
    const [tx, rx] = mpsc.unboundedChannel<number>();
    const handle = spawn(function* () {
      for (let i = 0; i < n; i++) tx.send(i);
      tx.close();
    });
    const check = new OrderCheck(1, probe);
    for (let v; (v = yield* rx.recv()) !== undefined; ) check.see(v);
    yield* handle;
    return check.count;
  });
}

async function promiseQueueUnbounded(n: number, probe?: () => void): Promise<number> {
  const q = new PromiseQueue<number>();
  const sending = (async () => {
    for (let i = 0; i < n; i++) q.push(i);
    q.close();
  })();
  const check = new OrderCheck(1, probe);
  for (let v; (v = await q.recv()) !== undefined; ) check.see(v);
  await sending;
  return check.count;
}

async function emitterStream(n: number, probe?: () => void): Promise<number> {
  const ee = new EventEmitter();
  const check = new OrderCheck(1, probe);
  const stream = on(ee, "data");
  const sending = (async () => {
    for (let i = 0; i < n; i++) ee.emit("data", i);
  })();
  for await (const [v] of stream) {
    check.see(v as number);
    if (check.count === n) break;
  }
  await sending;
  return check.count;
}

async function emitterListener(n: number, probe?: () => void): Promise<number> {
  const ee = new EventEmitter();
  const check = new OrderCheck(1, probe);
  const done = new Promise<void>((resolve) => ee.once("end", resolve));
  ee.on("data", (v: number) => check.see(v));
  void (async () => {
    for (let i = 0; i < n; i++) ee.emit("data", i);
    ee.emit("end");
  })();
  await done;
  return check.count;
}

export const mpscUnbounded1to1: SyncWorkload = {
  id: "mpsc-unbounded-1to1",
  title: "mpsc unbounded, 1→1",
  source: "issue target (≥ 1.5× a plain promise queue, ≥ 4× Effect 4's Queue.unbounded); Tokio benches/sync_mpsc.rs `uncontented_unbounded`",
  notes: [
    `**${TOKIO_GEN}**: a producer task (spawned generator) \`tx.send(v)\` (synchronous) n times, then \`close()\`; the \`blockOn\` body \`yield* rx.recv()\` until \`undefined\``,
    `**${TOKIO_ASYNC}**: the same with async function calls, \`await rx.recv()\`; no runtime`,
    "**promise queue**: src/sync/promise-queue.ts unbounded, `q.push(v)` / `await q.recv()`",
    "**effect Queue.unbounded**: producer in a forked fiber doing `Queue.offer`, the consumer `Queue.take` × n",
    "**EventEmitter · events.on()**: `ee.emit(\"data\", v)` read by `for await (const [v] of on(ee, \"data\"))`",
    "**EventEmitter · sync listener** (context): `ee.on(\"data\", listener)`: each emit calls the consumer synchronously, no queue and no task switch",
  ],
  n: 500_000,
  issueN: 5_000_000,
  memoryNotes: [
    "The tokio-ts rows, the promise queue and `events.on()` queue every message before the",
    "consumer reads the first (the producer never waits), so their peak is the queue's size;",
    "Effect's stays small because its fiber scheduler preempts the producer fiber every so many",
    "operations, so the consumer keeps up.",
  ],
  unit: "message",
  rows: [
    { label: TOKIO_GEN, role: "tokio-ts", runner: tokioGenUnbounded },
    { label: TOKIO_ASYNC, role: "tokio-ts", runner: tokioAsyncUnbounded },
    { label: "promise queue", role: "peer", runner: promiseQueueUnbounded },
    { label: "effect Queue.unbounded", role: "peer", runner: (n, probe) => effectQueue(n, 1, false, probe) },
    { label: "EventEmitter · events.on()", role: "peer", runner: emitterStream },
    { label: "EventEmitter · sync listener", role: "context", runner: emitterListener },
  ],
  check: expectCount("mpsc unbounded 1→1"),
};
