/**
 * JoinHandle and AbortHandle: what `spawn` gives back. Both are views of the task object
 * itself (see `internal/task.ts`), so spawning allocates one object, not three.
 */
import type { Future } from "@tokio-ts/core";

/**
 * An owned permission to await a task's output and to abort it. It is a future: `await handle`
 * in an async function, `yield* handle` in a generator. Dropping (ignoring) the handle detaches
 * the task; it keeps running.
 *
 * The output is the body's return value; if the body threw, or the task was aborted or its
 * runtime shut down, the handle rejects with a {@link JoinError}. A handle may be awaited any
 * number of times, by any number of waiters; each sees the same outcome.
 *
 * A panic (the body threw) is reported as unhandled (`Builder.onUnhandledPanic`, or stderr) a
 * host turn after it (later while other tasks are ready to run, within about 1,000 task polls), unless
 * an await of the handle has thrown its JoinError by then or is
 * still pending and will. An await that was dropped counts for nothing, whether it polled the
 * handle or not; an await whose promise is then ignored (the losing `await h` of a
 * `Promise.race` in an async function, which is still driven) counts as one that received it.
 *
 * @example
 * ```ts
 * const handle = spawn(function* () { return 6 * 7 });
 * const answer = yield* handle; // 42
 * ```
 *
 * **Cancel safety**: cancel safe. Dropping the await (in a `select`, say) loses nothing: the
 * task goes on and the handle can be awaited again, even after a panic was reported.
 */
export interface JoinHandle<T> extends Future<T> {
  /**
   * The id of the task, unique within the process. As Tokio's, an id says nothing about the
   * order of spawns: a task is numbered the first time its id is asked for.
   */
  readonly id: number;

  /**
   * Abort the task. A task that has not started never runs; a suspended generator task is
   * resumed with `return()` so its `finally` blocks run; an async-function task sees
   * {@link CancelledError} at its next await of a tokio-ts future (an await of a plain promise
   * is not interrupted), and its `AbortSignal` fires. Awaiting the handle then rejects with a
   * cancelled JoinError — unless the task completed first. An async task that ends by throwing
   * that `CancelledError`, or the `AbortError` a Node API rejects with when given the signal
   * (its `cause` is the `CancelledError`), counts as cancelled; any other error it throws while
   * unwinding is a panic. No effect on a finished task.
   *
   * A generator task aborted while it already runs a `finally` block (it threw, and its cleanup
   * waits on a `yield*`) is resumed with `return()` there: the rest of that block is skipped and
   * the error it was unwinding with is dropped, as JavaScript's `return()` does; the handle says
   * cancelled and no panic is reported. The same holds on runtime shutdown.
   *
   * A task aborted before its first poll runs none of its code, `finally` blocks and `using`
   * declarations included: a channel sender it would have closed there stays open, where Tokio
   * would drop it with the future. Close such a handle from outside (the receiver then sees the
   * channel end), or let the task reach its first await before aborting it.
   *
   * @example
   * ```ts
   * const h = spawn(function* () { yield* pending() });
   * h.abort();
   * try { yield* h } catch (e) { (e as JoinError).isCancelled() } // true
   * ```
   */
  abort(): void;

  /** Whether the task has completed (returned, thrown, or been cancelled). */
  isFinished(): boolean;

  /** A handle that can abort the task but not await it. */
  abortHandle(): AbortHandle;
}

/**
 * Aborts a task without owning its output (Tokio's `AbortHandle`).
 *
 * @example
 * ```ts
 * const abort = spawn(work).abortHandle();
 * abort.abort();
 * ```
 */
export interface AbortHandle {
  /** The id of the task. */
  readonly id: number;
  /** Abort the task; see {@link JoinHandle.abort}. */
  abort(): void;
  /** Whether the task has completed. */
  isFinished(): boolean;
}
