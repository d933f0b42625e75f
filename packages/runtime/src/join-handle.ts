/**
 * JoinHandle and AbortHandle: what `spawn` gives back.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll, type Waker } from "@tokio-ts/core";
import type { JoinError } from "./errors.js";
import { JOIN_INTEREST, type Task } from "./internal/task.js";

/**
 * An owned permission to await a task's output and to abort it. It is a future: `await handle`
 * in an async function, `yield* handle` in a generator. Dropping (ignoring) the handle detaches
 * the task; it keeps running.
 *
 * The output is the body's return value; if the body threw, or the task was aborted or its
 * runtime shut down, the handle rejects with a {@link JoinError}.
 *
 * @example
 * ```ts
 * const handle = spawn(function* () { return 6 * 7 });
 * const answer = yield* handle; // 42
 * ```
 *
 * **Cancel safety**: cancel safe. Dropping the await (in a `select`, say) loses nothing: the
 * task goes on and the handle can be awaited again.
 */
export class JoinHandle<T> extends Future<T> {
  readonly #task: Task<T>;
  #waker: Waker | undefined = undefined;

  /** @internal */
  constructor(task: Task<T>) {
    super();
    this.#task = task;
  }

  /** The id of the task, unique within the process. */
  get id(): number {
    return this.#task.id;
  }

  override poll(cx: Context): Poll<T> {
    const task = this.#task;
    task.state |= JOIN_INTEREST;
    if (!pollProceed(cx)) return Pending;
    if (task.isFinished()) {
      this.#waker = undefined;
      madeProgress(cx);
      if (task.failed) throw task.result as JoinError;
      return task.result as T;
    }
    if (this.#waker !== cx.waker) {
      if (this.#waker !== undefined) task.removeJoinWaker(this.#waker);
      this.#waker = cx.waker;
      task.addJoinWaker(cx.waker);
    }
    return Pending;
  }

  override cancel(): void {
    if (this.#waker !== undefined) {
      this.#task.removeJoinWaker(this.#waker);
      this.#waker = undefined;
    }
  }

  /**
   * Abort the task. A task that has not started never runs; a suspended generator task is
   * resumed with `return()` so its `finally` blocks run; an async-function task sees
   * {@link CancelledError} at its current await. Awaiting the handle then rejects with a
   * cancelled JoinError — unless the task completed first. No effect on a finished task.
   *
   * @example
   * ```ts
   * const h = spawn(function* () { yield* pending() });
   * h.abort();
   * try { yield* h } catch (e) { (e as JoinError).isCancelled() } // true
   * ```
   */
  abort(): void {
    this.#task.abort();
  }

  /** Whether the task has completed (returned, thrown, or been cancelled). */
  isFinished(): boolean {
    return this.#task.isFinished();
  }

  /** A handle that can abort the task but not await it. */
  abortHandle(): AbortHandle {
    return new AbortHandle(this.#task);
  }
}

/**
 * Aborts a task without owning its output (Tokio's `AbortHandle`). Cheap to keep many of.
 *
 * @example
 * ```ts
 * const abort = spawn(work).abortHandle();
 * abort.abort();
 * ```
 */
export class AbortHandle {
  readonly #task: Task<unknown>;

  /** @internal */
  constructor(task: Task<unknown>) {
    this.#task = task;
  }

  /** The id of the task. */
  get id(): number {
    return this.#task.id;
  }

  /** Abort the task; see {@link JoinHandle.abort}. */
  abort(): void {
    this.#task.abort();
  }

  /** Whether the task has completed. */
  isFinished(): boolean {
    return this.#task.isFinished();
  }
}
