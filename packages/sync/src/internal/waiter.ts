/**
 * The wait queue of the batch semaphore (Tokio's `batch_semaphore`), on which Semaphore, Mutex
 * and RwLock are built.
 *
 * HOW. The semaphore holds `permits` and a FIFO of waiters. A waiter is the acquiring future
 * itself (an intrusive list node): it asks for `needed` permits and has been `assigned` some.
 * Releasing permits assigns them to the waiters in queue order: the head gets what it still
 * needs, then the next; a head that needs more than there is takes what there is and holds the
 * rest of the queue back — so a large `acquireMany` is not starved by a stream of small ones,
 * and writers of an RwLock never starve. Dropping a waiter unlinks it in O(1) and gives back
 * whatever it had been assigned (to the next waiters).
 *
 * Invariant: while the queue is not empty, `permits` is 0 (every released permit was assigned
 * to the head). Only the head can be partly assigned. The one exception is inside `release`,
 * while a grant wakes its waiter (a waker may re-enter synchronously): the permits not yet
 * handed to the rest of the queue are counted in `permits`, and `tryTake` refuses them
 * because someone is queued.
 *
 * Waiter states: IDLE (not polled) → WAITING (queued) → ACQUIRED (fully assigned, unlinked,
 * woken; the poll that sees it hands the permits out) → DONE. Any state but DONE → DROPPED on
 * cancel (permits given back); WAITING → CLOSED when the semaphore closes, ACQUIRED → CLOSED
 * at its next poll if it has closed since (the permits go back, as in Tokio).
 */
import { Future, madeProgress, Pending, pollProceed, Resume, yieldContext, yieldSuspend, type Context, type Poll, type Waker } from "@tokio-ts/core";
import { LinkedList, type ListNode } from "@tokio-ts/core/collections";
import { AcquireError } from "../errors.js";
import { NO_ERROR } from "./wait-list.js";

const IDLE = 0;
const WAITING = 1;
const ACQUIRED = 2;
const DONE = 3;
const DROPPED = 4;
const CLOSED = 5;

/** The largest number of permits a semaphore holds (Tokio: usize::MAX >> 3). */
export const MAX_PERMITS = Number.MAX_SAFE_INTEGER;

export class BatchSemaphore {
  permits: number;
  closed = false;
  readonly waiters = new LinkedList<Waiter<unknown>>();

  constructor(permits: number) {
    this.permits = permits;
  }

  /**
   * Take `n` permits at once if no one is queued and there are enough. Zero permits are always
   * there (unless closed), queue or not, as in Tokio.
   */
  tryTake(n: number): boolean {
    if (this.closed || (this.waiters.head !== undefined && n !== 0) || this.permits < n) return false;
    this.permits -= n;
    return true;
  }

  /**
   * Give `n` permits back, assigning them to the queue first. `permits` is up to date before
   * each grant wakes its waiter: a waker may re-enter (poll the acquire and release at once),
   * and that nested release must see — and leave — the true count. After `close()` nothing is
   * assigned (a waiter still queued is about to fail). A waker that throws: the rest of the
   * queue is served, then its error is rethrown.
   *
   * **Throws**: RangeError if the permits left over would exceed MAX_PERMITS (Tokio panics);
   * nothing is given back then.
   */
  release(n: number): void {
    const waiters = this.waiters;
    if (waiters.head === undefined || this.closed) {
      // Nobody to serve (the common case). With someone queued, `permits` is 0 and `n` (at
      // most MAX_PERMITS) cannot overflow it.
      const permits = this.permits + n;
      if (permits > MAX_PERMITS) throw tooManyPermits(this.permits, n);
      this.permits = permits;
      return;
    }
    this.permits += n;
    let error: unknown = NO_ERROR;
    for (let head = waiters.head; head !== undefined && !this.closed; head = waiters.head) {
      const missing = head.needed - head.assigned;
      const available = this.permits;
      if (available < missing) {
        head.assigned += available;
        this.permits = 0;
        break;
      }
      this.permits = available - missing;
      head.assigned = head.needed;
      waiters.remove(head);
      try {
        head.grant();
      } catch (thrown) {
        if (error === NO_ERROR) error = thrown;
      }
    }
    if (error !== NO_ERROR) throw error;
  }

  /** Fail every queued waiter (what it was assigned comes back); a throwing waker as in `release`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    let error: unknown = NO_ERROR;
    for (let head = this.waiters.popFront(); head !== undefined; head = this.waiters.popFront()) {
      const assigned = head.assigned;
      head.assigned = 0;
      this.permits += assigned;
      try {
        head.closeWait();
      } catch (thrown) {
        if (error === NO_ERROR) error = thrown;
      }
    }
    if (error !== NO_ERROR) throw error;
  }
}

function tooManyPermits(available: number, n: number): RangeError {
  return new RangeError(`a semaphore cannot hold more than ${MAX_PERMITS} permits: it has ${available} available, and ${n} more were given back`);
}

/**
 * A future waiting for `needed` permits; subclasses turn the acquired permits into what the
 * user gets (a permit, a guard) with `output()`.
 */
export abstract class Waiter<T> extends Future<T> implements ListNode {
  listPrev: ListNode | undefined = undefined;
  listNext: ListNode | undefined = undefined;
  list: LinkedList<ListNode> | undefined = undefined;
  assigned = 0;
  #state = IDLE;
  #waker: Waker | undefined = undefined;

  constructor(
    protected readonly semaphore: BatchSemaphore,
    readonly needed: number,
  ) {
    super();
  }

  /** What the poll returns once the permits are held. */
  protected abstract output(): T;

  override poll(cx: Context): Poll<T> {
    switch (this.#state) {
      case IDLE: {
        if (!pollProceed(cx)) return Pending;
        const sem = this.semaphore;
        if (sem.closed) {
          this.#state = CLOSED;
          madeProgress(cx); // a failure spends the budget too (Tokio's coop)
          throw new AcquireError();
        }
        if (sem.tryTake(this.needed)) {
          this.#state = DONE;
          madeProgress(cx);
          return this.output();
        }
        if (sem.waiters.head === undefined) {
          // First in line: take what there is now, wait for the rest.
          this.assigned = sem.permits;
          sem.permits = 0;
        }
        this.#state = WAITING;
        this.#waker = cx.waker;
        sem.waiters.pushBack(this as Waiter<unknown>);
        return Pending;
      }
      case WAITING:
        this.#waker = cx.waker;
        return Pending;
      case ACQUIRED:
        if (!pollProceed(cx)) return Pending;
        madeProgress(cx);
        if (this.semaphore.closed) {
          // Closed after the grant, before this poll: Tokio checks for close at every poll, so
          // the acquire fails and the permits go back to the semaphore.
          this.#state = CLOSED;
          this.semaphore.release(this.needed);
          throw new AcquireError();
        }
        this.#state = DONE;
        return this.output();
      case CLOSED:
        if (!pollProceed(cx)) return Pending;
        madeProgress(cx);
        throw new AcquireError();
      default:
        throw new Error("an acquire future was polled after it completed or was dropped");
    }
  }

  /** @internal Fully assigned and unlinked by the semaphore. */
  // Its own `yield*` iterator, as oneshot's receiver (see `Future`'s `[Symbol.iterator]` in
  // @tokio-ts/core): a lock, acquire or reserve awaited with `yield*` makes no iterator object.
  #yielded = false;

  /** @internal `yield* wait`: the wait is its own iterator. */
  override [Symbol.iterator](): Iterator<Future<T>, T, unknown> {
    return this;
  }

  /** @internal A step of `yield* wait`; not for direct use. */
  next(value?: unknown): IteratorResult<Future<T>, T> {
    if (this.#yielded) {
      this.#yielded = false;
      if (value !== Resume) return { done: true, value: value as T };
      // Resumed by pollGenerator: poll ourselves, a call V8 can inline (see yieldSuspend).
      const out = this.poll(yieldContext()!);
      if (out !== Pending) return { done: true, value: out };
    } else {
      const cx = yieldContext();
      if (cx !== undefined) {
        const out = this.poll(cx);
        if (out !== Pending) return { done: true, value: out };
      }
    }
    this.#yielded = true;
    return yieldSuspend<T>(this, true);
  }

  /** @internal A step of `yield* wait`; not for direct use. */
  return(value?: unknown): IteratorResult<Future<T>, T> {
    // The task dropped while suspended here: it holds no other reference to this wait.
    if (this.#yielded) this.cancel();
    this.#yielded = false;
    return { done: true, value: value as T };
  }

  /** @internal A step of `yield* wait`; not for direct use. */
  throw(error?: unknown): IteratorResult<Future<T>, T> {
    this.#yielded = false;
    throw error;
  }

  grant(): void {
    this.#state = ACQUIRED;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }

  /** @internal The semaphore closed while waiting. */
  closeWait(): void {
    this.#state = CLOSED;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }

  /** Drop: leave the queue and give back whatever was assigned. O(1) (plus the hand-over). */
  override cancel(): void {
    const state = this.#state;
    this.#state = DROPPED;
    this.#waker = undefined;
    if (state === WAITING) {
      this.semaphore.waiters.remove(this as Waiter<unknown>);
      const assigned = this.assigned;
      this.assigned = 0;
      if (assigned > 0) this.semaphore.release(assigned);
    } else if (state === ACQUIRED) {
      this.assigned = 0;
      this.semaphore.release(this.needed);
    }
  }
}

/** Check a permit count: an integer in [0, MAX_PERMITS] (RangeError/TypeError naming `name`). */
export function checkPermits(name: string, n: unknown): number {
  if (typeof n !== "number") throw new TypeError(`${name} must be a number, got ${typeof n}`);
  if (!Number.isInteger(n) || n < 0 || n > MAX_PERMITS) {
    throw new RangeError(`${name} must be an integer from 0 to ${MAX_PERMITS}, got ${n}`);
  }
  return n;
}
