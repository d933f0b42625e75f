/**
 * Sync workload: a semaphore of 4 permits shared by 64 concurrent tasks, each looping
 * acquire → count → release.
 *
 * Source: the issue's Semaphore benchmark (Semaphore(4), 64 tasks, 1,000,000 acquire/release
 * in total; target ≥ 2× async-sema); Tokio benches/sync_semaphore.rs
 * `contended_concurrent_multi`. One mitata iteration is n acquire/release pairs, n / 64 per
 * task. The permit is held across the scheduling point that resumes the acquirer, so the 64
 * tasks really queue for the 4 permits. The check: the count equals n, and (tokio-ts) all 4
 * permits are back at the end.
 * - tokio-ts rows: `Semaphore(4)`, `permit = await sem.acquire()` / `yield* sem.acquire()`,
 *   `permit.release()`.
 * - async-sema: `new Sema(4)`, `await sema.acquire()`, `sema.release()`.
 * - p-limit: `pLimit(4)`; its model is one call per job rather than long-lived tasks, so n
 *   jobs are submitted in chunks of 10,000, each chunk awaited with `Promise.all`.
 * - `probe` (the memory run's) is called every 65,536 acquire/release pairs.
 * - effect: `Semaphore.make(4)`, `sem.withPermit(Effect.sync(…))` in 64 forked fibers.
 */
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import { Semaphore } from "@tokio-ts/sync";
import { Sema } from "async-sema";
import { Effect, Fiber, Semaphore as EffectSemaphore } from "effect";
import pLimit from "p-limit";
import { tokioRuntime } from "../impl.js";
import { expectCount, expectEqual, TOKIO_ASYNC, TOKIO_GEN, type SyncWorkload } from "./case.js";

const PERMITS = 4;
const TASKS = 64;
const P_LIMIT_CHUNK = 10_000;

async function tokioAsync(n: number, probe?: () => void): Promise<number> {
  const sem = new Semaphore(PERMITS);
  const per = n / TASKS;
  let count = 0;
  const tasks: Promise<void>[] = [];
  for (let t = 0; t < TASKS; t++) {
    tasks.push(
      (async () => {
        for (let i = 0; i < per; i++) {
          const permit = await sem.acquire();
          if ((++count & 0xffff) === 0) probe?.();
          permit.release();
        }
      })(),
    );
  }
  await Promise.all(tasks);
  expectEqual("semaphore permits at the end", sem.availablePermits(), PERMITS);
  return count;
}

function tokioGen(n: number, probe?: () => void): Promise<number> {
  return tokioRuntime().blockOn(function* () {
    const sem = new Semaphore(PERMITS);
    const per = n / TASKS;
    let count = 0;
    const handles: JoinHandle<void>[] = [];
    for (let t = 0; t < TASKS; t++) {
      handles.push(
        spawn(function* () {
          for (let i = 0; i < per; i++) {
            const permit = yield* sem.acquire();
            if ((++count & 0xffff) === 0) probe?.();
            permit.release();
          }
        }),
      );
    }
    for (const h of handles) yield* h;
    expectEqual("semaphore permits at the end", sem.availablePermits(), PERMITS);
    return count;
  });
}

async function asyncSema(n: number, probe?: () => void): Promise<number> {
  const sema = new Sema(PERMITS);
  const per = n / TASKS;
  let count = 0;
  const tasks: Promise<void>[] = [];
  for (let t = 0; t < TASKS; t++) {
    tasks.push(
      (async () => {
        for (let i = 0; i < per; i++) {
          await sema.acquire();
          if ((++count & 0xffff) === 0) probe?.();
          sema.release();
        }
      })(),
    );
  }
  await Promise.all(tasks);
  return count;
}

async function pLimitChunks(n: number, probe?: () => void): Promise<number> {
  const limit = pLimit(PERMITS);
  let count = 0;
  const job = (): void => {
    if ((++count & 0xffff) === 0) probe?.();
  };
  for (let start = 0; start < n; start += P_LIMIT_CHUNK) {
    const size = Math.min(P_LIMIT_CHUNK, n - start);
    const jobs: Promise<void>[] = new Array(size);
    for (let j = 0; j < size; j++) jobs[j] = limit(job);
    await Promise.all(jobs);
  }
  return count;
}

function effect(n: number, probe?: () => void): Promise<number> {
  return Effect.runPromise(
    Effect.gen(function* () {
      const sem = yield* EffectSemaphore.make(PERMITS);
      const per = n / TASKS;
      let count = 0;
      const acquireRelease = sem.withPermit(
        Effect.sync(() => {
          if ((++count & 0xffff) === 0) probe?.();
        }),
      );
      const fibers: Fiber.Fiber<void>[] = [];
      for (let t = 0; t < TASKS; t++) {
        fibers.push(
          yield* Effect.forkChild(
            Effect.gen(function* () {
              for (let i = 0; i < per; i++) yield* acquireRelease;
            }),
          ),
        );
      }
      yield* Fiber.joinAll(fibers);
      return count;
    }),
  );
}

export const semaphoreAcquires: SyncWorkload = {
  id: "semaphore-4-of-64",
  title: "Semaphore(4), 64 tasks acquiring",
  source: "issue target (≥ 2× async-sema); Tokio benches/sync_semaphore.rs `contended_concurrent_multi`",
  notes: [
    `**${TOKIO_GEN}**: 64 spawned generator tasks, \`permit = yield* sem.acquire()\`, count, \`permit.release()\``,
    `**${TOKIO_ASYNC}**: the same with 64 async function calls, \`await sem.acquire()\`; no runtime`,
    "**async-sema**: `await sema.acquire()`, count, `sema.release()` in 64 async function calls",
    "**p-limit**: `limit(job)` for n jobs, submitted in chunks of 10,000, each awaited with `Promise.all` (p-limit runs jobs, not long-lived tasks)",
    "**effect Semaphore(4)**: `sem.withPermit(Effect.sync(count))` in 64 forked fibers",
  ],
  n: 320_000,
  issueN: 1_000_000,
  unit: "acquire",
  rows: [
    { label: TOKIO_GEN, role: "tokio-ts", runner: tokioGen },
    { label: TOKIO_ASYNC, role: "tokio-ts", runner: tokioAsync },
    { label: "async-sema", role: "peer", runner: asyncSema },
    { label: "p-limit", role: "peer", runner: pLimitChunks },
    { label: "effect Semaphore(4)", role: "peer", runner: effect },
  ],
  check: expectCount("semaphore acquires"),
};
