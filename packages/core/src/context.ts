/**
 * Wakers and the poll context.
 *
 * A future that returns {@link Pending} must have stored `cx.waker` where the event it waits
 * for will find it; calling `wake()` asks whoever polls the future to poll it again. A runtime
 * task is its own waker, so waking allocates nothing.
 *
 * The context also carries the cooperative budget of the current task poll (see `coop.ts`):
 * a runtime sets it to {@link BUDGET} before each task poll; leaf futures spend it.
 */

/**
 * The number of budget units a task gets for one poll, as in Tokio.
 *
 * @example
 * ```ts
 * cx.budget = BUDGET; // before each task poll
 * ```
 */
export const BUDGET = 128;

/**
 * Something that can be told "poll me again". Implemented by tasks and by combinators.
 *
 * `wake()` must be cheap, idempotent between polls and callable from any callback (a host
 * timer, a socket event, another task). It may run code at once — an executor of one's own may
 * poll the woken future from inside `wake()` — so whoever wakes must have its state consistent
 * before the call, and must expect the woken side to call back into it (the tokio-ts primitives
 * do). It should not throw: the runtime's wakers never do. If one does, the tokio-ts packages
 * still wake every other waiter and rethrow the first error afterwards (from the call that woke,
 * or from a microtask when the wake came from a host callback).
 *
 * @example
 * ```ts
 * const waker: Waker = { wake() { queueMicrotask(pollAgain) } };
 * ```
 */
export interface Waker {
  wake(): void;
}

/**
 * A waker that does nothing; for polling a future once by hand.
 *
 * @example
 * ```ts
 * const out = future.poll(new Context(noopWaker));
 * ```
 */
export const noopWaker: Waker = { wake() {} };

/**
 * What a future is polled with: the waker to store when it returns Pending, and the
 * cooperative budget of this poll.
 *
 * An executor may create one Context and reuse it (set `waker` and `budget` before each task
 * poll) as long as one task poll never starts inside another; one whose `wake()` polls the
 * woken task at once needs a Context per task, or must save and restore `waker` and `budget`
 * around the nested poll. Combinators that need their own waker create their own Context once.
 *
 * @example
 * ```ts
 * const cx = new Context(myTask, BUDGET);
 * const out = future.poll(cx);
 * ```
 *
 * **Throws**: TypeError unless `budget` is a number; RangeError for a negative or NaN `budget`
 * (NaN would never let a leaf proceed, nor count as spent: a ready future would stay pending).
 */
export class Context {
  /** Whom to wake when the awaited event happens. */
  waker: Waker;
  /** Budget units left in this poll; `Infinity` when unconstrained. */
  budget: number;
  /**
   * How many times a leaf returned Pending because the budget was spent (for metrics). An
   * async body's awaits, polled between the executor's polls, report a spent budget through
   * the task's `TaskRef.budgetSpent()` instead: count both.
   */
  forcedYields = 0;

  constructor(waker: Waker, budget: number = Infinity) {
    // The waker is not checked: a Context may be made first and given its waker later (one that
    // is its own waker, one reused across tasks).
    if (typeof budget !== "number") throw new TypeError(`budget must be a number, got ${typeof budget}`);
    // NaN would never let a leaf proceed nor count as spent: a ready future would stay Pending.
    if (!(budget >= 0)) throw new RangeError(`budget must be a number ≥ 0 (Infinity for none), got ${budget}`);
    this.waker = waker;
    this.budget = budget;
  }
}
