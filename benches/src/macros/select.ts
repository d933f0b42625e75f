/**
 * Macros workload: `select` between a ready receive and a pending 60 s sleep, n rounds.
 *
 * Source: the issue's select benchmark (1,000,000 rounds; target ≥ 5× `Promise.race` with
 * `timers/promises.setTimeout` + `AbortController`, the correct plain-Node way, with flat
 * memory). It is the loop every actor with an idle timeout runs: wait for the next message or
 * the timeout, whichever comes first — and the message nearly always comes first, so the
 * timeout is armed and disarmed once per message. One mitata iteration is 100,000 rounds; the
 * full 1,000,000 rounds, with heap samples, run in ../macros-memory-run.ts.
 *
 * Every row has a producer (a spawned task, an async function call, a forked fiber) send
 * 0, 1, …, n − 1 into a queue of capacity 1024, so the receive is ready in nearly every round
 * (pending only when the consumer has drained the queue before the producer's next turn). The
 * consumer checks each round that the message won and is the next number, and returns how
 * many it received:
 * - tokio-ts rows: `select({ msg: rx.recv(), timeout: sleep(60_000) })` over
 *   `mpsc.channel(1024)`; the sleep is dropped each round (it leaves the wheel), the receive
 *   is cancel safe. Branch order random per poll (the default), or `{ biased: true }` (msg
 *   first: a ready receive wins before the sleep is ever polled, so the timer is never armed).
 * - node, correct: `Promise.race([q.recv(), setTimeout(60_000, TIMED_OUT, { signal })])` from
 *   `node:timers/promises`, then `controller.abort()` — which clears the timer and rejects its
 *   promise (handled by the race). `q` is the hand-written queue of ../sync/promise-queue.ts.
 * - node, naive: `Promise.race([q.recv(), never])` against one never-settling promise: each
 *   race adds a reaction to `never` that is never released (nodejs/node#17469). Shown at a
 *   smaller n (20,000 an iteration, 200,000 in the memory run), to show the leak; not a peer (it is wrong).
 * - effect: `Effect.race(Queue.take(q), Effect.sleep(60_000))` over `Queue.bounded(1024)`;
 *   the loser fiber is interrupted (its timer cleared).
 *
 * The check also asserts that no timer is left after a run: the time driver's `timerCount`
 * for tokio-ts, `process.getActiveResourcesInfo()`'s "Timeout" entries for the others.
 */
import { setTimeout as setTimeoutPromise } from "node:timers/promises";
import { select, type SelectOptions } from "@tokio-ts/macros";
import { spawn } from "@tokio-ts/runtime";
import { mpsc } from "@tokio-ts/sync";
import { sleep } from "@tokio-ts/time";
import { TIME } from "@tokio-ts/time/driver";
import { Effect, Fiber, Queue } from "effect";
import { tokioTimeRuntime } from "../impl.js";
import { PromiseQueue } from "../sync/promise-queue.js";
import { expectCount, expectEqual } from "../sync/case.js";
import { midAndEnd, nodeTimers, TOKIO_ASYNC, TOKIO_GEN, type MacroWorkload } from "./case.js";

const CAPACITY = 1024;
/** The losing sleep: long enough never to fire during a run. */
const TIMEOUT_MS = 60_000;
/** What the plain-Node timer resolves to, should it ever win. */
const TIMED_OUT = Symbol("timed out");
const BIASED: SelectOptions = { biased: true };

function tokioTimers(): number {
  return tokioTimeRuntime().handle().driver(TIME).timerCount;
}

function tokioGen(n: number, probe: (() => void) | undefined, options: SelectOptions | undefined): Promise<number> {
  const tick = midAndEnd(n, probe);
  return tokioTimeRuntime().blockOn(function* () {
    const [tx, rx] = mpsc.channel<number>(CAPACITY);
    const producer = spawn(function* () {
      for (let i = 0; i < n; i++) yield* tx.send(i);
      tx.close();
    });
    let received = 0;
    for (let i = 0; i < n; i++) {
      const r = yield* select({ msg: rx.recv(), timeout: sleep(TIMEOUT_MS) }, options);
      if (r.key !== "msg") throw new Error(`round ${i}: the ${r.key} branch won`);
      expectEqual(`round ${i}`, r.value, i);
      received++;
      tick(received);
    }
    yield* producer;
    return received;
  });
}

function tokioAsync(n: number, probe?: () => void): Promise<number> {
  const tick = midAndEnd(n, probe);
  return tokioTimeRuntime().blockOn(async () => {
    const [tx, rx] = mpsc.channel<number>(CAPACITY);
    const producer = spawn(async () => {
      for (let i = 0; i < n; i++) await tx.send(i);
      tx.close();
    });
    let received = 0;
    for (let i = 0; i < n; i++) {
      const r = await select({ msg: rx.recv(), timeout: sleep(TIMEOUT_MS) });
      if (r.key !== "msg") throw new Error(`round ${i}: the ${r.key} branch won`);
      expectEqual(`round ${i}`, r.value, i);
      received++;
      tick(received);
    }
    await producer;
    return received;
  });
}

function produce(q: PromiseQueue<number>, n: number): Promise<void> {
  return (async () => {
    for (let i = 0; i < n; i++) await q.send(i);
    q.close();
  })();
}

async function nodeAbort(n: number, probe?: () => void): Promise<number> {
  const tick = midAndEnd(n, probe);
  const q = new PromiseQueue<number>(CAPACITY);
  const producing = produce(q, n);
  let received = 0;
  for (let i = 0; i < n; i++) {
    const controller = new AbortController();
    const timer = setTimeoutPromise(TIMEOUT_MS, TIMED_OUT, { signal: controller.signal });
    const v = await Promise.race([q.recv(), timer]);
    controller.abort(); // clears the timer; its rejection goes to the race, already settled
    expectEqual(`round ${i}`, v, i);
    received++;
    tick(received);
  }
  await producing;
  return received;
}

async function nodeNaive(n: number, probe?: () => void): Promise<number> {
  const tick = midAndEnd(n, probe);
  const q = new PromiseQueue<number>(CAPACITY);
  const producing = produce(q, n);
  const never = new Promise<never>(() => {});
  let received = 0;
  for (let i = 0; i < n; i++) {
    const v = await Promise.race([q.recv(), never]);
    expectEqual(`round ${i}`, v, i);
    received++;
    tick(received);
  }
  await producing;
  return received;
}

function effectRace(n: number, probe?: () => void): Promise<number> {
  const tick = midAndEnd(n, probe);
  return Effect.runPromise(
    Effect.gen(function* () {
      const q = yield* Queue.bounded<number>(CAPACITY);
      const producer = yield* Effect.forkChild(
        Effect.gen(function* () {
          for (let i = 0; i < n; i++) yield* Queue.offer(q, i);
        }),
      );
      const timeout = Effect.as(Effect.sleep(TIMEOUT_MS), TIMED_OUT);
      let received = 0;
      for (let i = 0; i < n; i++) {
        const v = yield* Effect.race(Queue.take(q), timeout);
        expectEqual(`round ${i}`, v, i);
        received++;
        tick(received);
      }
      yield* Fiber.join(producer);
      return received;
    }),
  );
}

export const selectRecvSleep: MacroWorkload = {
  id: "select-recv-sleep",
  title: "select: ready recv vs pending 60 s sleep",
  source:
    "issue target (≥ 5× `Promise.race` + `timers/promises.setTimeout` + `AbortController`, flat memory over 1,000,000 rounds); Tokio's `select!` with a `sleep` arm, the idle-timeout loop",
  notes: [
    `**${TOKIO_GEN}**: a producer task \`yield* tx.send(i)\` into \`mpsc.channel(1024)\`; the \`blockOn\` body \`yield* select({ msg: rx.recv(), timeout: sleep(60_000) })\` per round (random branch order), the sleep dropped each round`,
    `**${TOKIO_GEN}, biased**: the same with \`{ biased: true }\`: a ready \`msg\` wins before the sleep is polled, so its timer is never armed`,
    `**${TOKIO_ASYNC}**: the same in \`rt.blockOn(async () => …)\` with \`await\` (an async body needs the runtime for \`sleep\`'s clock; measured in a process of its own, see below)`,
    "**node Promise.race + AbortController**: `Promise.race([q.recv(), setTimeout(60_000, x, { signal })])` from `node:timers/promises`, then `controller.abort()`; `q` is src/sync/promise-queue.ts (capacity 1024) fed by an async producer; at n = 10,000 (~16 µs per round: 100,000 rounds take 1.6 s an iteration)",
    "**effect Effect.race**: `Effect.race(Queue.take(q), Effect.sleep(60_000))` over `Queue.bounded(1024)` fed by a forked fiber",
    "**node Promise.race · never-settling loser** (context: wrong, it leaks): `Promise.race([q.recv(), never])` against one never-settling promise, nodejs/node#17469; at a smaller n",
  ],
  n: 100_000,
  fullN: 1_000_000,
  unit: "round",
  rows: [
    { label: TOKIO_GEN, role: "tokio-ts", liveTimers: tokioTimers, runner: (n, probe) => tokioGen(n, probe, undefined) },
    { label: `${TOKIO_GEN}, biased`, role: "tokio-ts", liveTimers: tokioTimers, runner: (n, probe) => tokioGen(n, probe, BIASED) },
    { label: TOKIO_ASYNC, role: "tokio-ts", asyncBody: true, liveTimers: tokioTimers, runner: tokioAsync },
    { label: "node Promise.race + AbortController", role: "peer", n: 10_000, liveTimers: nodeTimers, runner: nodeAbort },
    { label: "effect Effect.race", role: "peer", liveTimers: nodeTimers, runner: effectRace },
    { label: "node Promise.race · never-settling loser", role: "context", n: 20_000, memoryN: 200_000, runner: nodeNaive },
  ],
  check: expectCount("select recv vs sleep"),
};
