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
 * | JOIN_INTEREST  | a poll of the JoinHandle, a    | never                               |
 * |                | JoinSet, blockOn               |                                     |
 * | FUTURE_BODY    | spawn, for a future body       | never                               |
 * | FRESH          | spawn, for a generator         | the first poll (which calls it)     |
 * |                | function body                  |                                     |
 * | LINKED         | the scheduler, when a poll     | completion (which unlinks it)       |
 * |                | leaves the task parked         |                                     |
 *
 * One object plays every part, to allocate once per spawn: the task is its own waker, its own
 * root {@link Frame} (the "current task" context), and the {@link JoinHandle} and
 * {@link AbortHandle} given to users (who see only those interfaces).
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
 * On the runtime's list of parked tasks (`prevAlive`/`nextAlive`). A task joins it the first
 * time a poll leaves it waiting; until then it is always in a run queue or the LIFO slot,
 * where shutdown finds it. A task that completes in its first poll is never linked.
 */
export const LINKED = 2048;


let nextTaskId = 1;

export class Task<T = unknown>
  extends Future<T>
  implements Waker, TaskRef, Frame, JoinHandle<T>, AbortHandle, GeneratorSlot<T>
{
  readonly id: number;
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
  /** Links of the runtime's list of parked tasks (state LINKED). */
  prevAlive: Task<any> | undefined = undefined;
  nextAlive: Task<any> | undefined = undefined;

  constructor(runtime: Scheduler, gen: Generator<unknown, T, unknown> | undefined) {
    super();
    this.id = nextTaskId++;
    this.runtime = runtime;
    this.gen = gen;
  }

  /** The output once COMPLETE: the value, or the JoinError when FAILED (see {@link current}). */
  get result(): T | JoinError | undefined {
    return this.current as unknown as T | JoinError | undefined;
  }

  get failed(): boolean {
    return (this.state & FAILED) !== 0;
  }

  // ---- JoinHandle ----------------------------------------------------------------------------

  /** Poll for the output (the JoinHandle side). */
  override poll(cx: Context): Poll<T> {
    this.state |= JOIN_INTEREST;
    if (!pollProceed(cx)) return Pending;
    if ((this.state & COMPLETE) !== 0) {
      madeProgress(cx);
      if ((this.state & FAILED) !== 0) throw this.current as unknown as JoinError;
      return this.current as unknown as T;
    }
    this.addJoinWaker(cx.waker);
    return Pending;
  }

  /**
   * Dropping an await of the handle detaches nothing and aborts nothing. One waker left behind is
   * harmless (one spurious wake on completion), but an await re-made with a new waker each time
   * (a `select` loop over the handle: each select has its own branch wakers) would leave one per
   * iteration for as long as the task runs. So with several wakers registered, the awaits' wakers
   * are let go and woken: a live await re-registers at its next poll (a spurious wake is
   * allowed), a dropped one's waker does nothing. The wakers of a JoinSet and of `blockOn` stay.
   */
  override cancel(): void {
    const joiners = this.joiners;
    if (!Array.isArray(joiners)) return;
    let kept: Waker | Waker[] | undefined;
    for (const waker of joiners) {
      if ((waker as Partial<OwnerWaker>).ownsTask !== true) continue;
      kept = kept === undefined ? waker : Array.isArray(kept) ? (kept.push(waker), kept) : [kept, waker];
    }
    this.joiners = kept;
    for (const waker of joiners) if ((waker as Partial<OwnerWaker>).ownsTask !== true) wakeReporting(waker);
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

  abort(): void {
    const s = this.state;
    if ((s & (COMPLETE | CANCEL)) !== 0) return;
    this.state = s | CANCEL;
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
