/**
 * Runtime: owns a scheduler and its drivers; `blockOn` is the way in, shutdown the way out.
 */
import { ContextError, isFuture, type Future, type NotAsyncGenerator, type Waker } from "@tokio-ts/core";
import { JoinError } from "./errors.js";
import { Handle } from "./handle.js";
import type { JoinHandle } from "./join-handle.js";
import type { Scheduler } from "./internal/scheduler.js";
import type { OwnerWaker, Task } from "./internal/task.js";
import { RuntimeMetrics } from "./metrics.js";
import type { SpawnBody } from "./spawn.js";

/**
 * The key (a `Symbol.for`, so no import is needed) by which the owner of a runtime — `main()`
 * and `test()` of `@tokio-ts/macros` — says that it reports a deadlock of its `blockOn` itself,
 * in its own words: `runtime[key] = true`.
 */
const OWNER_REPORTS_DEADLOCK: unique symbol = Symbol.for("tokio-ts.runtime.owner-reports-deadlock") as never;

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

  /** @hidden Use {@link Builder}. */
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
   * An idle runtime does not keep the process alive: a body that waits for something nothing
   * can bring any more (a deadlock) lets Node's event loop empty, and the process ends with the
   * promise pending. The runtime then says so on stderr ("a Runtime.blockOn() body is still
   * waiting, but nothing is left that could wake it …"); the exit code is Node's.
   *
   * **Throws** (at the call): TypeError for a body of another kind (a number, a promise).
   * Rejects with the body's error; a cancelled JoinError if the runtime shuts down first;
   * ContextError if it is already shut down.
   */
  blockOn<T>(body: (signal: AbortSignal) => Generator<unknown, T, unknown>): Promise<T>;
  blockOn<R>(body: (signal: AbortSignal) => NotAsyncGenerator<R>): Promise<Awaited<R>>;
  blockOn<T>(body: Future<T>): Promise<T>;
  blockOn<T>(body: Generator<unknown, T, unknown>): Promise<T>;
  blockOn<T>(body: SpawnBody<T>): Promise<T>;
  blockOn<T>(body: SpawnBody<T>): Promise<T> {
    return blockOnScheduler(this.#scheduler, body);
  }

  /**
   * @internal `runtime[Symbol.for("tokio-ts.runtime.owner-reports-deadlock")] = true`: see
   * OWNER_REPORTS_DEADLOCK (its `blockOn` bodies, and its handle's, are then not reported here).
   */
  set [OWNER_REPORTS_DEADLOCK](value: boolean) {
    this.#scheduler.ownerReportsDeadlock = value === true;
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
  spawn<R>(body: (signal: AbortSignal) => NotAsyncGenerator<R>): JoinHandle<Awaited<R>>;
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


/**
 * Deadlock report. A runtime holds no host handle, so a `blockOn` body that waits for
 * something that can never come (a lock never released, a channel nobody sends on) lets the
 * event loop empty: Node emits `beforeExit` and ends the process with the body unfinished (code
 * 13 for a top-level await, which says only "unsettled top-level await"). While such bodies are
 * pending, one `beforeExit` listener says what happened, on stderr; the exit code is left alone.
 */
let waitingBodies = 0;

function onBeforeExit(): void {
  process.off("beforeExit", onBeforeExit);
  const which = waitingBodies === 1 ? "a Runtime.blockOn() body is" : `${waitingBodies} Runtime.blockOn() bodies are`;
  console.error(
    `tokio-ts: ${which} still waiting, but nothing is left that could wake ${waitingBodies === 1 ? "it" : "them"} ` +
      `(no timer, socket, worker or other host handle is active), so the process is exiting with ${waitingBodies === 1 ? "the body" : "them"} unfinished. ` +
      "A deadlock? For example a lock guard never released, a channel whose senders are never closed, or a oneshot sender never used.",
  );
}

function bodyWaits(): void {
  if (waitingBodies++ === 0 && typeof process === "object" && typeof process.on === "function") process.on("beforeExit", onBeforeExit);
}

function bodyEnded(): void {
  if (--waitingBodies === 0 && typeof process === "object" && typeof process.off === "function") process.off("beforeExit", onBeforeExit);
}

/** Settles a blockOn promise when its task completes. */
class BlockOnWaker<T> implements OwnerWaker {
  readonly ownsTask = true;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly task: Task<T>,
    private readonly resolve: (value: T) => void,
    private readonly reject: (reason: unknown) => void,
    /** Counted in `waitingBodies` (for the deadlock report) until the task finishes. */
    private readonly counted: boolean,
  ) {}

  wake(): void {
    const task = this.task;
    if (!task.isFinished()) return;
    if (this.counted) bodyEnded();
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

/**
 * Run `body` as a root task of `scheduler`; the promise settles with it. Unless the runtime's
 * owner reports deadlocks itself, say so on stderr if the process is about to exit while the
 * body still waits (see above).
 */
export function blockOnScheduler<T>(scheduler: Scheduler, body: SpawnBody<T>): Promise<T> {
  const reportDeadlock = !scheduler.ownerReportsDeadlock;
  if (scheduler.closed) return Promise.reject(ContextError.shutdown("blockOn()"));
  // A body of the wrong kind throws here, at the call, as `spawn` does (the root task runs no
  // spawn hook, so nothing else can throw).
  const task = scheduler.spawnRoot(body);
  return new Promise<T>((resolve, reject) => {
    if (task.isFinished()) {
      new BlockOnWaker(scheduler, task, resolve, reject, false).wake();
      return;
    }
    if (reportDeadlock) bodyWaits();
    task.addJoinWaker(new BlockOnWaker(scheduler, task, resolve, reject, reportDeadlock));
  });
}
