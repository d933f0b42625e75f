/**
 * A task: one object holding the future, a state word, the output and the join wakers. The
 * task is its own waker (`wake()`), so waking allocates nothing.
 *
 * State bits (only the scheduler's thread of control touches them; there is one):
 *
 * | bit            | set by                         | cleared by                          |
 * |----------------|--------------------------------|-------------------------------------|
 * | SCHEDULED      | `wake()` when idle             | the scheduler when it starts a poll |
 * | RUNNING        | the scheduler, around a poll   | the scheduler after the poll        |
 * | NOTIFIED       | `wake()` while RUNNING         | the scheduler (re-queues the task)  |
 * | COMPLETE       | `Scheduler.complete`           | never                               |
 * | FAILED         | `Scheduler.complete`, with     | never                               |
 * |                | COMPLETE, when there is no     |                                     |
 * |                | output (result = JoinError)    |                                     |
 * | ROOT           | blockOn                        | never                               |
 * | CANCEL         | `abort()`                      | never                               |
 * | CANCELLING     | the scheduler, when it begins  | never                               |
 * |                | the graceful cancellation      |                                     |
 * | JOIN_INTEREST  | blockOn, JoinSet.spawn, a poll | the JoinSet, when it lets the task  |
 * |                | of the JoinHandle that throws  | go without handing its output       |
 * |                | the JoinError                  | over (`Scheduler.reportUnjoined`)   |
 * | JOIN_WAITING   | a poll of the JoinHandle that  | `cancel()` of the handle (an await  |
 * |                | returns Pending                | was dropped)                        |
 * | FUTURE_BODY    | spawn, for a future body       | never                               |
 * | FRESH          | spawn, for a generator         | the first poll (which calls it)     |
 * |                | function body                  |                                     |
 * | LINKED         | the scheduler, when a poll     | completion (which unlinks it)       |
 * |                | leaves the task parked         |                                     |
 * | ASYNC_BODY     | spawn, for an `async` function | never                               |
 * | STARTED        | the scheduler, with RUNNING    | never                               |
 * |                | (so from the first poll on)    |                                     |
 * | IN_SET         | JoinSet.spawn                  | the JoinSet, when it hands the task |
 * |                |                                | over or lets it go                  |
 *
 * One object plays every part, to allocate once per spawn: the task is its own waker, its own
 * root {@link Frame} (the "current task" context), and the {@link JoinHandle} and
 * {@link AbortHandle} given to users (who see only those interfaces).
 *
 * Who receives a panic (DESIGN.md §5): JOIN_INTEREST says the failure is spoken for (a blockOn
 * caller, a JoinSet, or an await that has taken it), JOIN_WAITING that an await of the handle is
 * pending and will take it. A panic with neither when the report runs (a host turn after it) is
 * reported as unhandled. Both are read then, not at completion: an await dropped in between (a
 * `select` whose other branch won) counts as gone, and a woken await that gets to poll only
 * after the report's host turn still counts. JOIN_WAITING says "some await", not which: dropping
 * any await clears it, lets go of every await's waker and wakes them (see `cancel`), and each
 * live await sets it again at that next poll. An await that is never dropped keeps counting
 * (an `await handle` inside `Promise.race` that lost is still driven, and so still receives it).
 *
 * Rules: a task is in the run queue at most once (SCHEDULED guards it); a COMPLETE task is
 * never queued again and has dropped its future; CANCEL is acted on at the task's next poll
 * (so abort from inside the task itself, or of a task not yet polled, is well-defined).
 */
import {
  Future,
  madeProgress,
  Pending,
  pollProceed,
  yieldContext,
  yieldSuspend,
  type AwaitHost,
  type Context,
  type Frame,
  type GeneratorSlot,
  type Poll,
  type TaskRef,
  type Waker,
} from "@tokio-ts/core";
import type { JoinError } from "../errors.js";
import type { AbortHandle, JoinHandle } from "../join-handle.js";
import type { Scheduler } from "./scheduler.js";

export const SCHEDULED = 1;
export const RUNNING = 2;
export const NOTIFIED = 4;
export const COMPLETE = 8;
export const CANCEL = 16;
export const CANCELLING = 32;
/** The task's failure is spoken for: someone has received it or will (see the header). */
export const JOIN_INTEREST = 64;
/** COMPLETE without an output: `result` is the JoinError. */
export const FAILED = 128;
/** The task of a `blockOn`: its failure is the caller's, never an unhandled panic. */
export const ROOT = 256;
/** The body is a future, held in `gen` (see Task.gen). */
export const FUTURE_BODY = 512;
/** The body is a generator function not called yet, held in `current` (see Task.current). */
export const FRESH = 1024;
/**
 * In the runtime's array of parked tasks (at `parkedAt`). A task joins it the first
 * time a poll leaves it waiting; until then it is always in a run queue or the LIFO slot,
 * where shutdown finds it. A task that completes in its first poll is never linked.
 */
export const LINKED = 2048;
/** An await of the handle is pending (see the header). */
export const JOIN_WAITING = 4096;
/**
 * The body is an `async` function (its future an async-function future, never one that delegates
 * to a returned generator): shutdown lets it unwind and watches for what its `finally` throws.
 */
export const ASYNC_BODY = 8192;
/** The scheduler has polled the task (set in the same store as RUNNING: it costs nothing). */
export const STARTED = 16384;
/** In a JoinSet now: from `JoinSet.spawn` until the set hands it over or lets it go. */
export const IN_SET = 32768;
/**
 * A `yield* handle` is suspended on the handle, with the handle as its own iterator (see
 * Task's `[Symbol.iterator]`): its next step is the resumption. A bit, not a field.
 */
export const JOIN_YIELDED = 65536;


let nextTaskId = 1;
/**
 * The method (a `Symbol.for` key, so `@tokio-ts/blocking` needs no import for it) by which a task's
 * body future is told at once that the task was aborted, before the poll that drops it. It must
 * not throw or poll; the drop follows as for any future.
 */
const ABORT_REQUESTED: unique symbol = Symbol.for("tokio-ts.task.abort-requested") as never;

/** The ids handed out so far (see Task.id). */
const lazyIds = new WeakMap<Task<any>, number>();

export class Task<T = unknown>
  extends Future<T>
  implements Waker, TaskRef, Frame, JoinHandle<T>, AbortHandle, GeneratorSlot<T>
{
  readonly runtime: Scheduler;
  // Frame: the task is its own root frame; these live on the prototype (see below), so they
  // cost nothing per task.
  declare readonly task: TaskRef;
  declare readonly host: AwaitHost | undefined;
  declare readonly key: object | undefined;
  declare readonly value: unknown;
  declare readonly parent: Frame | undefined;

  /**
   * The body while it runs: a generator, driven inline with `current` (GeneratorSlot); or, with
   * FUTURE_BODY set, a future (read it with {@link bodyFuture}). One field for both: every field
   * of a task costs about 4 % of spawn+join's time (the scavenger copies each live task).
   */
  gen: Generator<unknown, T, unknown> | undefined;
  /**
   * Three values in turn, in one field: before the first poll of a generator-function body
   * (state FRESH), that function, which the scheduler calls then; while the body runs, the
   * future a generator body waits on (GeneratorSlot); once COMPLETE, the output, or the
   * JoinError when FAILED (read it as {@link result}). Write through the scheduler only.
   */
  current: Future<unknown> | undefined = undefined;
  state = 0;
  /**
   * Whom to wake on completion: one waker, or several. A JoinSet is told through a waker of its
   * own here (no field per task for the rare owner).
   */
  joiners: Waker | Waker[] | undefined = undefined;
  /**
   * Where the task is in its runtime's array of parked tasks, while LINKED. One field where
   * a doubly linked list took two (spawn+join of 1,000,000: ~191 → ~182 ns per task).
   */
  parkedAt = 0;

  constructor(runtime: Scheduler, gen: Generator<unknown, T, unknown> | undefined) {
    super();
    this.runtime = runtime;
    this.gen = gen;
  }

  /**
   * Numbered the first time it is asked for (a JoinError, a hook, `taskId()`), not at spawn:
   * most tasks are never asked, and a field costs every task ~8 B that the scavenger copies
   * (spawn+join of 1,000,000 went from ~196 to ~191 ns per task without it).
   */
  get id(): number {
    let id = lazyIds.get(this);
    if (id === undefined) {
      id = nextTaskId++;
      lazyIds.set(this, id);
    }
    return id;
  }

  /** The output once COMPLETE: the value, or the JoinError when FAILED (see {@link current}). */
  get result(): T | JoinError | undefined {
    return this.current as unknown as T | JoinError | undefined;
  }

  get failed(): boolean {
    return (this.state & FAILED) !== 0;
  }

  // ---- JoinHandle ----------------------------------------------------------------------------

  /**
   * Poll for the output (the JoinHandle side). Handing a failure over marks it spoken for
   * (JOIN_INTEREST); waiting marks an await pending (JOIN_WAITING). A successful output needs no
   * mark: only panics are reported.
   */
  override poll(cx: Context): Poll<T> {
    if (pollProceed(cx)) {
      const state = this.state;
      if ((state & COMPLETE) !== 0) {
        madeProgress(cx);
        if ((state & FAILED) === 0) return this.current as unknown as T;
        this.state = state | JOIN_INTEREST;
        throw this.current as unknown as JoinError;
      }
      this.addJoinWaker(cx.waker);
    }
    this.state |= JOIN_WAITING;
    return Pending;
  }

  /**
   * Dropping an await of the handle detaches nothing and aborts nothing, but the handle cannot
   * tell which of its awaits was dropped: every await's waker is let go and woken, and no await
   * counts as pending (JOIN_WAITING) any more. A live await polls again and registers again; for
   * a dropped one the wake is spurious (allowed). So a `select` loop over the handle leaves no
   * waker behind per iteration, and a panic after the last await was dropped is reported. The
   * wakers of a JoinSet and of `blockOn` stay.
   *
   * Cost: one wake of the dropped await's waker (usually its own task, which polls once more for
   * nothing), only when an await of the handle is dropped.
   */
  override cancel(): void {
    this.state &= ~JOIN_WAITING;
    const joiners = this.joiners;
    if (joiners === undefined) return;
    if (!Array.isArray(joiners)) {
      if ((joiners as Partial<OwnerWaker>).ownsTask === true) return;
      this.joiners = undefined;
      wakeReporting(joiners);
      return;
    }
    let kept: Waker | Waker[] | undefined;
    for (const waker of joiners) {
      if ((waker as Partial<OwnerWaker>).ownsTask !== true) continue;
      kept = kept === undefined ? waker : Array.isArray(kept) ? (kept.push(waker), kept) : [kept, waker];
    }
    this.joiners = kept;
    for (const waker of joiners) if ((waker as Partial<OwnerWaker>).ownsTask !== true) wakeReporting(waker);
  }

  /**
   * @internal `yield* handle`: the handle is its own iterator, where a shared one cost an
   * object per join (spawn+join of 1,000,000: see the commit). Several generators may wait on
   * one handle at once: the JOIN_YIELDED bit marks the one suspended on it, and any other gets
   * the shared iterator. Not resumable (see `yieldSuspend`): the task is resumed with the
   * handle's output, polled by `pollGenerator`, and a drop while suspended cancels the handle
   * as the slot's current future.
   */
  override [Symbol.iterator](): Iterator<Future<T>, T, unknown> {
    return (this.state & JOIN_YIELDED) === 0 ? this : super[Symbol.iterator]();
  }

  /** @internal A step of `yield* handle`; not for direct use. */
  next(value?: unknown): IteratorResult<Future<T>, T> {
    const state = this.state;
    if ((state & JOIN_YIELDED) !== 0) {
      this.state = state & ~JOIN_YIELDED;
      return { done: true, value: value as T };
    }
    const cx = yieldContext();
    if (cx !== undefined) {
      const out = this.poll(cx);
      if (out !== Pending) return { done: true, value: out };
    }
    this.state |= JOIN_YIELDED;
    return yieldSuspend<T>(this);
  }

  /** @internal A step of `yield* handle`; not for direct use. */
  return(value?: unknown): IteratorResult<Future<T>, T> {
    this.state &= ~JOIN_YIELDED;
    return { done: true, value: value as T };
  }

  /** @internal A step of `yield* handle`; not for direct use. */
  throw(error?: unknown): IteratorResult<Future<T>, T> {
    this.state &= ~JOIN_YIELDED;
    throw error;
  }

  abortHandle(): AbortHandle {
    return this;
  }

  wake(): void {
    const s = this.state;
    if ((s & (COMPLETE | SCHEDULED)) !== 0) return;
    if ((s & RUNNING) !== 0) {
      this.state = s | NOTIFIED;
      return;
    }
    this.state = s | SCHEDULED;
    this.runtime.schedule(this);
  }

  /**
   * TaskRef: the async body settled. Its last poll runs no user code (it hands the output over),
   * so the runtime runs it at once rather than queueing the task for a turn (see
   * `Scheduler.pollSettled`). Saves a tick, and so a share of the host turns, per async task.
   */
  bodySettled(body: Future<unknown>): void {
    if (this.gen === (body as unknown) && (this.state & FUTURE_BODY) !== 0) this.runtime.pollSettled(this);
    else this.wake();
  }

  /** TaskRef: an await in the async body found the budget spent (counted as a forced yield). */
  budgetSpent(): void {
    this.runtime.budgetExhaustedCount++;
  }

  abort(): void {
    const s = this.state;
    if ((s & (COMPLETE | CANCEL)) !== 0) return;
    this.state = s | CANCEL;
    // A body future that must hear of the abort before the task's next poll (a blocking job
    // still in the pool's queue: a worker could take it in between) says so with this method.
    if ((s & FUTURE_BODY) !== 0) (this.gen as unknown as { [ABORT_REQUESTED]?: () => void })[ABORT_REQUESTED]?.();
    this.wake();
  }

  isFinished(): boolean {
    return (this.state & COMPLETE) !== 0;
  }

  addJoinWaker(waker: Waker): void {
    const joiners = this.joiners;
    if (joiners === undefined || joiners === waker) this.joiners = waker;
    else if (!Array.isArray(joiners)) this.joiners = [joiners, waker];
    else if (!joiners.includes(waker)) joiners.push(waker);
  }

  /**
   * Wake everyone waiting for the output; called once, on completion. A waker may be a foreign
   * executor's that polls at once, and that poll may throw: the other joiners are woken all the
   * same and the scheduler goes on; the error is rethrown from a microtask, where Node reports it
   * as an uncaught exception (as a throwing task hook's).
   */
  wakeJoiners(): void {
    const joiners = this.joiners;
    this.joiners = undefined;
    if (joiners === undefined) return;
    if (!Array.isArray(joiners)) wakeReporting(joiners);
    else for (const waker of joiners) wakeReporting(waker);
  }
}

/**
 * A waker registered for the task's whole life rather than by an await of its handle (a JoinSet's
 * member, `blockOn`'s root): dropping an await never lets it go.
 */
export interface OwnerWaker extends Waker {
  readonly ownsTask: true;
}

/** `waker.wake()`; what it throws is rethrown from a microtask (see `wakeJoiners`). */
function wakeReporting(waker: Waker): void {
  try {
    waker.wake();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/** The future body of a task with FUTURE_BODY set (it lives in `gen`). */
export function bodyFuture<T>(task: Task<T>): Future<T> | undefined {
  return task.gen as unknown as Future<T> | undefined;
}

const proto = Task.prototype as { -readonly [K in keyof Frame]: Frame[K] };
Object.defineProperty(proto, "task", {
  get(this: Task) {
    return this;
  },
});
proto.host = undefined;
proto.key = undefined;
proto.value = undefined;
proto.parent = undefined;
