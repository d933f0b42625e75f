/**
 * Runtime: owns a scheduler and its drivers; `blockOn` is the way in, shutdown the way out.
 */
import { ContextError, isFuture, type Future, type Waker } from "@tokio-ts/core";
import { JoinError } from "./errors.js";
import { Handle } from "./handle.js";
import type { JoinHandle } from "./join-handle.js";
import type { Scheduler } from "./internal/scheduler.js";
import type { OwnerWaker, Task } from "./internal/task.js";
import { RuntimeMetrics } from "./metrics.js";
import type { SpawnBody } from "./spawn.js";

/**
 * A tokio-ts runtime: a scheduler for tasks and the drivers they use. Build one with
 * {@link Builder}; several may live in one process (a test builds one per test).
 *
 * Unlike Tokio's current-thread runtime, tasks run whenever they are woken — not only during
 * `blockOn` — because Node's event loop is always turning. An idle runtime holds no host handle:
 * when nothing is pending, the process exits on its own.
 *
 * @example
 * ```ts
 * const rt = Builder.newCurrentThread().build();
 * const n = await rt.blockOn(function* () {
 *   const a = spawn(function* () { return 20 });
 *   return (yield* a) + 22;
 * });
 * await rt.shutdownTimeout(1000);
 * ```
 */
export class Runtime implements AsyncDisposable {
  readonly #scheduler: Scheduler;

  /** @internal Use {@link Builder}. */
  constructor(scheduler: Scheduler) {
    this.#scheduler = scheduler;
  }

  /**
   * Run `body` (a generator function, an async function or a future) as a task on this
   * runtime and resolve with its output. The body's own error rejects the promise as it is (not
   * wrapped). Other tasks keep running after it resolves. A body that returns a future rather
   * than awaiting it (`return sleep(10)`) has that future run on the runtime too, as
   * `return yield* fut` would (a promise cannot resolve with a thenable, only adopt it).
   *
   * @example
   * ```ts
   * const value = await rt.blockOn(async () => {
   *   const h = spawn(async () => 1);
   *   return (await h) + 1;
   * }); // 2
   * ```
   *
   * **Throws** (rejects): the body's error; a cancelled JoinError if the runtime shuts down
   * first; ContextError if it is already shut down.
   */
  blockOn<T>(body: (signal: AbortSignal) => Generator<unknown, T, unknown>): Promise<T>;
  blockOn<R>(body: (signal: AbortSignal) => R): Promise<Awaited<R>>;
  blockOn<T>(body: Future<T>): Promise<T>;
  blockOn<T>(body: Generator<unknown, T, unknown>): Promise<T>;
  blockOn<T>(body: SpawnBody<T>): Promise<T>;
  blockOn<T>(body: SpawnBody<T>): Promise<T> {
    return blockOnScheduler(this.#scheduler, body);
  }

  /**
   * Spawn a task onto this runtime from outside it; see {@link spawn}.
   *
   * @example
   * ```ts
   * const h = rt.spawn(async () => 42);
   * ```
   *
   * **Cancel safety**: as `spawn`: dropping the JoinHandle detaches the task; `abort()` stops it.
   */
  spawn<T>(body: (signal: AbortSignal) => Generator<unknown, T, unknown>): JoinHandle<T>;
  spawn<R>(body: (signal: AbortSignal) => R): JoinHandle<Awaited<R>>;
  spawn<T>(body: Future<T>): JoinHandle<T>;
  spawn<T>(body: Generator<unknown, T, unknown>): JoinHandle<T>;
  spawn<T>(body: SpawnBody<T>): JoinHandle<T>;
  spawn<T>(body: SpawnBody<T>): JoinHandle<T> {
    return this.#scheduler.spawn(body);
  }

  /** A handle to this runtime. */
  handle(): Handle {
    return Handle.of(this.#scheduler);
  }

  /** The runtime's metrics. */
  metrics(): RuntimeMetrics {
    return new RuntimeMetrics(this.#scheduler);
  }

  /** Whether the runtime has been shut down. */
  isShutdown(): boolean {
    return this.#scheduler.closed;
  }

  /**
   * Shut the runtime down: every task is dropped (generator tasks run their `finally` blocks;
   * a `finally` block's own awaits are dropped unpolled), then the drivers stop. Then it waits
   * up to `ms` for work running off the runtime — blocking jobs that were already running on
   * the worker threads of `@tokio-ts/blocking` (queued jobs are dropped with their tasks) — and
   * terminates the workers still busy after that. Resolves once every worker is gone;
   * `Infinity` waits as long as the jobs run.
   *
   * A task whose body is an `async` function cannot be stopped where it stands: its awaits
   * reject with CancelledError, as on abort, and it unwinds afterwards (one that swallows the
   * error in a loop is stopped at its 101st such await, as on abort: see `spawn`). The task completes at
   * once, as cancelled; what its `catch` or `finally` blocks throw later (other than that
   * CancelledError) is reported as an unhandled panic (`Builder.onUnhandledPanic`), since no
   * handle can give it any more. (A plain function that returns a promise, or a `fromAsync`
   * future, is dropped as any future: what it throws after that is not seen.)
   *
   * @example
   * ```ts
   * await rt.shutdownTimeout(10_000);
   * rt.isShutdown(); // true
   * ```
   *
   * **Throws** (rejects, without shutting down): TypeError for a non-number `ms`; RangeError for
   * a negative or NaN `ms`.
   */
  async shutdownTimeout(ms: number): Promise<void> {
    if (typeof ms !== "number") throw new TypeError(`ms must be a number, got ${ms === null ? "null" : typeof ms}`);
    if (Number.isNaN(ms) || ms < 0) throw new RangeError(`ms must be a non-negative number, got ${ms}`);
    this.#scheduler.shutdown();
    await this.#scheduler.driversShutdownTimeout(ms);
  }

  /**
   * Shut down without waiting for anything (Tokio's `shutdown_background`): tasks are dropped
   * at once (as in {@link shutdownTimeout}), and the worker threads of the blocking pool are
   * terminated, running jobs included.
   *
   * @example
   * ```ts
   * rt.shutdownBackground();
   * rt.isShutdown(); // true
   * ```
   */
  shutdownBackground(): void {
    this.#scheduler.shutdown();
    void this.#scheduler.driversShutdownTimeout(0);
  }

  /** `await using rt = Builder.newCurrentThread().build()`: shuts down at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdownTimeout(Infinity);
  }
}

/** Settles a blockOn promise when its task completes. */
class BlockOnWaker<T> implements OwnerWaker {
  readonly ownsTask = true;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly task: Task<T>,
    private readonly resolve: (value: T) => void,
    private readonly reject: (reason: unknown) => void,
  ) {}

  wake(): void {
    const task = this.task;
    if (!task.isFinished()) return;
    if (!task.failed) {
      const output = task.result;
      // A body that returns a future (`return sleep(10)`): the promise would adopt it as a
      // thenable, polled outside the runtime's tasks (a paused clock would never move for it).
      // Run it on the runtime instead, as `return yield* fut` would.
      if (isFuture(output) && !this.scheduler.closed) return this.resolve(blockOnScheduler(this.scheduler, output) as unknown as T);
      return this.resolve(output as T);
    }
    const error = task.result as JoinError;
    if (error.isPanic()) return this.reject(error.cause);
    // The caller hears of the panic that shut the runtime down: it is not reported as unhandled.
    const panicked = this.scheduler.claimPanicShutdown();
    if (panicked !== undefined) {
      this.reject(
        new Error("a spawned task panicked and the runtime is configured to shut down on unhandled panic", {
          cause: panicked.cause,
        }),
      );
    } else this.reject(error);
  }
}

export function blockOnScheduler<T>(scheduler: Scheduler, body: SpawnBody<T>): Promise<T> {
  if (scheduler.closed) return Promise.reject(ContextError.shutdown("blockOn()"));
  let task: Task<T>;
  try {
    task = scheduler.spawnRoot(body);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise<T>((resolve, reject) => {
    const waker = new BlockOnWaker(scheduler, task, resolve, reject);
    if (task.isFinished()) waker.wake();
    else task.addJoinWaker(waker);
  });
}
