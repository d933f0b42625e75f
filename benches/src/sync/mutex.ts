/**
 * Sync workload: a counter behind a mutex, incremented by 8 concurrent tasks.
 *
 * Source: the issue's Mutex benchmark (8 tasks, 1,000,000 increments in total; target ≥ 20×
 * async-mutex); Tokio benches/sync_mutex.rs `contended_concurrent_multi`. One mitata iteration
 * is n increments, n / 8 per task; every task loops lock → increment → unlock, so the lock is
 * always contended and (all three being FIFO) handed from task to task.
 *
 * Each critical section also sets and clears a `held` flag and throws if it finds it set, so
 * the check (the final count equals n) also proves mutual exclusion.
 * - tokio-ts rows: `Mutex(0)`, `guard = await m.lock()` / `yield* m.lock()`, `guard.value++`,
 *   `guard.release()`.
 * - async-mutex: `release = await mutex.acquire()`, the increment, `release()`.
 * - effect: `Semaphore.make(1)` (Effect 4 has no Mutex), `sem.withPermit(Effect.sync(…))` in 8
 *   forked fibers.
 */
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import { Mutex } from "@tokio-ts/sync";
import { Mutex as AsyncMutex } from "async-mutex";
import { Effect, Fiber, Semaphore } from "effect";
import { tokioRuntime } from "../impl.js";
import { expectCount, TOKIO_ASYNC, TOKIO_GEN, type SyncWorkload } from "./case.js";

const TASKS = 8;

/** A counter that notices two critical sections overlapping. */
class Counter {
  value = 0;
  #held = false;
  readonly #probe: (() => void) | undefined;

  /** `probe` (the memory run's) is called every 65,536 increments. */
  constructor(probe: (() => void) | undefined) {
    this.#probe = probe;
  }

  enter(): void {
    if (this.#held) throw new Error("two tasks held the lock at once");
    this.#held = true;
  }

  leave(): void {
    this.#held = false;
    if ((this.value & 0xffff) === 0) this.#probe?.();
  }
}

async function tokioAsync(n: number, probe?: () => void): Promise<number> {
  const counter = new Counter(probe);
  const mutex = new Mutex(counter);
  const per = n / TASKS;
  const tasks: Promise<void>[] = [];
  for (let t = 0; t < TASKS; t++) {
    tasks.push(
      (async () => {
        for (let i = 0; i < per; i++) {
          const guard = await mutex.lock();
          guard.value.enter();
          guard.value.value++;
          guard.value.leave();
          guard.release();
        }
      })(),
    );
  }
  await Promise.all(tasks);
  return counter.value;
}

function tokioGen(n: number, probe?: () => void): Promise<number> {
  return tokioRuntime().blockOn(function* () {
    const counter = new Counter(probe);
    const mutex = new Mutex(counter);
    const per = n / TASKS;
    const handles: JoinHandle<void>[] = [];
    for (let t = 0; t < TASKS; t++) {
      handles.push(
        spawn(function* () {
          for (let i = 0; i < per; i++) {
            const guard = yield* mutex.lock();
            guard.value.enter();
            guard.value.value++;
            guard.value.leave();
            guard.release();
          }
        }),
      );
    }
    for (const h of handles) yield* h;
    return counter.value;
  });
}

async function asyncMutex(n: number, probe?: () => void): Promise<number> {
  const counter = new Counter(probe);
  const mutex = new AsyncMutex();
  const per = n / TASKS;
  const tasks: Promise<void>[] = [];
  for (let t = 0; t < TASKS; t++) {
    tasks.push(
      (async () => {
        for (let i = 0; i < per; i++) {
          const release = await mutex.acquire();
          counter.enter();
          counter.value++;
          counter.leave();
          release();
        }
      })(),
    );
  }
  await Promise.all(tasks);
  return counter.value;
}

function effect(n: number, probe?: () => void): Promise<number> {
  return Effect.runPromise(
    Effect.gen(function* () {
      const counter = new Counter(probe);
      const sem = yield* Semaphore.make(1);
      const per = n / TASKS;
      const increment = sem.withPermit(
        Effect.sync(() => {
          counter.enter();
          counter.value++;
          counter.leave();
        }),
      );
      const fibers: Fiber.Fiber<void>[] = [];
      for (let t = 0; t < TASKS; t++) {
        fibers.push(
          yield* Effect.forkChild(
            Effect.gen(function* () {
              for (let i = 0; i < per; i++) yield* increment;
            }),
          ),
        );
      }
      yield* Fiber.joinAll(fibers);
      return counter.value;
    }),
  );
}

export const mutexIncrements: SyncWorkload = {
  id: "mutex-8-tasks",
  title: "Mutex, 8 tasks incrementing",
  source: "issue target (≥ 20× async-mutex); Tokio benches/sync_mutex.rs `contended_concurrent_multi`",
  notes: [
    `**${TOKIO_GEN}**: 8 spawned generator tasks, \`guard = yield* mutex.lock()\`, increment, \`guard.release()\``,
    `**${TOKIO_ASYNC}**: the same with 8 async function calls, \`await mutex.lock()\`; no runtime`,
    "**async-mutex**: `release = await mutex.acquire()`, increment, `release()`",
    "**effect Semaphore(1)**: `sem.withPermit(Effect.sync(increment))` in 8 forked fibers",
  ],
  n: 400_000,
  issueN: 1_000_000,
  unit: "increment",
  rows: [
    { label: TOKIO_GEN, role: "tokio-ts", runner: tokioGen },
    { label: TOKIO_ASYNC, role: "tokio-ts", runner: tokioAsync },
    { label: "async-mutex", role: "peer", runner: asyncMutex },
    { label: "effect Semaphore(1)", role: "peer", runner: effect },
  ],
  check: expectCount("mutex increments"),
};
