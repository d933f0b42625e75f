/**
 * Child process: N sleeps of random 0–100 ms, all awaited at once in real time, for one
 * implementation; reports the wall time and the lateness of each sleep.
 *
 * Usage: `node --expose-gc dist/src/sleeps-run.js <impl> <n>`; prints one JSON line.
 *
 * Source: the "100,000 sleeps of random 0–100 ms all awaited" (target: total ≤ Node's,
 * p99 lateness ≤ Node's). Not a mitata loop: each run takes ~100 ms of real waiting, and what
 * matters is the spread of completions, so main.ts runs every implementation 3 times, each in
 * a fresh process, alternating, and reports medians.
 *
 * Shape, the same for every implementation: one concurrent unit per sleep (a spawned task, an
 * async function call) reads `performance.now()`, sleeps d ms (the same seeded d for every
 * implementation; integers in [0, 100]) and, once resumed, records its lateness = now − (start
 * + d). A unit resumes only when its runtime gets to it, so lateness includes the time to wake
 * and schedule it, not only the timer's accuracy.
 *
 * - tokio-ts sleep: N tasks `spawn`ed on a runtime with `enableTime()`, each `yield* sleep(d)`;
 *   the root task joins them in order.
 * - node setTimeout promise: N async calls of `await new Promise((r) => setTimeout(r, d))`,
 *   joined with `Promise.all`. Node runs `setTimeout(…, 0)` after 1 ms, and starts a timer from
 *   the event loop's cached time, so it can complete before start + d (counted as "early").
 * - node timers/promises: the same with `await setTimeout(d)` from `node:timers/promises`.
 *
 * Each process first does a warm-up run of 10,000 sleeps of 0–10 ms, then a full GC.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as setTimeoutPromise } from "node:timers/promises";
import { fromGenerator } from "@tokio-ts/core";
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { shutdownTokioRuntime, tokioTimeRuntime } from "./impl.js";
import { uniformInts } from "./prng.js";
import { SLEEP_IMPLS, type SleepImpl, type SleepResult } from "./results.js";

/** One run: sleeps of `delays[i]` ms, lateness of each into `late`; returns the wall time. */
type SleepRunner = (delays: Int32Array, late: Float64Array) => Promise<number>;

function* tokioSleeper(ms: number, late: Float64Array, i: number): Generator<unknown, void> {
  const deadline = performance.now() + ms;
  yield* sleep(ms);
  late[i] = performance.now() - deadline;
}

async function nodeSleeper(ms: number, late: Float64Array, i: number): Promise<void> {
  const deadline = performance.now() + ms;
  await new Promise<void>((resolve) => setTimeout(resolve, ms));
  late[i] = performance.now() - deadline;
}

async function timersPromisesSleeper(ms: number, late: Float64Array, i: number): Promise<void> {
  const deadline = performance.now() + ms;
  await setTimeoutPromise(ms);
  late[i] = performance.now() - deadline;
}

const RUNNERS: Record<SleepImpl, SleepRunner> = {
  "tokio-ts sleep": async (delays, late) => {
    const n = delays.length;
    const start = performance.now();
    await tokioTimeRuntime().blockOn(function* () {
      const handles: JoinHandle<void>[] = new Array(n);
      for (let i = 0; i < n; i++) handles[i] = spawn(fromGenerator(tokioSleeper(delays[i]!, late, i)));
      for (let i = 0; i < n; i++) yield* handles[i]!;
    });
    return performance.now() - start;
  },
  "node setTimeout promise": async (delays, late) => {
    const n = delays.length;
    const start = performance.now();
    const all: Promise<void>[] = new Array(n);
    for (let i = 0; i < n; i++) all[i] = nodeSleeper(delays[i]!, late, i);
    await Promise.all(all);
    return performance.now() - start;
  },
  "node timers/promises": async (delays, late) => {
    const n = delays.length;
    const start = performance.now();
    const all: Promise<void>[] = new Array(n);
    for (let i = 0; i < n; i++) all[i] = timersPromisesSleeper(delays[i]!, late, i);
    await Promise.all(all);
    return performance.now() - start;
  },
};

/** The value at quantile `q` of sorted `xs` (nearest rank). */
function quantile(xs: Float64Array, q: number): number {
  return xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))]!;
}

async function main(): Promise<void> {
  const [name, size] = process.argv.slice(2);
  if (!(SLEEP_IMPLS as readonly string[]).includes(name ?? "")) {
    throw new RangeError(`implementation must be one of ${SLEEP_IMPLS.join(", ")}`);
  }
  const impl = name as SleepImpl;
  const n = Number(size ?? 100_000);
  const run = RUNNERS[impl];
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc");

  await run(uniformInts({ n: 10_000, min: 0, max: 10, seed: 1 }), new Float64Array(10_000));
  gc();
  gc();

  const late = new Float64Array(n).fill(NaN);
  const totalMs = await run(uniformInts({ n, min: 0, max: 100 }), late);
  if (late.some(Number.isNaN)) throw new Error(`${impl}: some sleeps never completed`);
  let sum = 0;
  let early = 0;
  for (const x of late) {
    sum += x;
    if (x < 0) early++;
  }
  late.sort();
  const result: SleepResult = {
    impl,
    n,
    totalMs,
    p50: quantile(late, 0.5),
    p99: quantile(late, 0.99),
    max: late[n - 1]!,
    min: late[0]!,
    mean: sum / n,
    early,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  shutdownTokioRuntime();
}

await main();
