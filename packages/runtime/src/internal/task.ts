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
 * | CANCEL         | `abort()`                      | never                               |
 * | CANCELLING     | the scheduler, when it begins  | never                               |
 * |                | the graceful cancellation      |                                     |
 * | JOIN_INTEREST  | a poll of the JoinHandle, a    | never                               |
 * |                | JoinSet, blockOn               |                                     |
 *
 * Rules: a task is in the run queue at most once (SCHEDULED guards it); a COMPLETE task is
 * never queued again and has dropped its future; CANCEL is acted on at the task's next poll
 * (so abort from inside the task itself, or of a task not yet polled, is well-defined).
 */
import { Frame, type Future, type TaskRef, type Waker } from "@tokio-ts/core";
import type { JoinError } from "../errors.js";
import type { Scheduler } from "./scheduler.js";

export const SCHEDULED = 1;
export const RUNNING = 2;
export const NOTIFIED = 4;
export const COMPLETE = 8;
export const CANCEL = 16;
export const CANCELLING = 32;
export const JOIN_INTEREST = 64;

/** Who else wants to know when a task completes (a JoinSet). */
export interface TaskOwner {
  taskCompleted(task: Task<any>): void;
}

let nextTaskId = 1;

export class Task<T = unknown> implements Waker, TaskRef {
  readonly id: number;
  readonly runtime: Scheduler;
  readonly frame: Frame;
  future: Future<T> | undefined;
  state = 0;
  /** The output once COMPLETE: the value, or the JoinError when `failed`. */
  result: T | JoinError | undefined = undefined;
  failed = false;
  joinWaker: Waker | undefined = undefined;
  extraJoinWakers: Waker[] | undefined = undefined;
  owner: TaskOwner | undefined = undefined;
  /** The task of a `blockOn`: its failure is the caller's, never an unhandled panic. */
  root = false;
  /** Links of the runtime's list of alive tasks. */
  prev: Task<any> | undefined = undefined;
  next: Task<any> | undefined = undefined;

  constructor(runtime: Scheduler, future: Future<T>) {
    this.id = nextTaskId++;
    this.runtime = runtime;
    this.future = future;
    this.frame = Frame.root(this);
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
    if (this.joinWaker === undefined || this.joinWaker === waker) {
      this.joinWaker = waker;
      return;
    }
    const extra = (this.extraJoinWakers ??= []);
    if (!extra.includes(waker)) extra.push(waker);
  }

  removeJoinWaker(waker: Waker): void {
    if (this.joinWaker === waker) this.joinWaker = this.extraJoinWakers?.pop();
    else if (this.extraJoinWakers !== undefined) {
      const i = this.extraJoinWakers.indexOf(waker);
      if (i >= 0) this.extraJoinWakers.splice(i, 1);
    }
  }

  /** Wake everyone waiting for the output; called once, on completion. */
  wakeJoiners(): void {
    const first = this.joinWaker;
    const extra = this.extraJoinWakers;
    this.joinWaker = undefined;
    this.extraJoinWakers = undefined;
    first?.wake();
    if (extra !== undefined) for (const w of extra) w.wake();
  }
}
