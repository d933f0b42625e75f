/**
 * The cooperative budget (Tokio's `coop`).
 *
 * JavaScript cannot preempt a task, so a task that keeps finding ready futures (a channel that
 * is never empty, a socket that is always readable) would never give the others a turn. Each
 * task poll therefore gets {@link BUDGET} units in its {@link Context}; every leaf future that
 * completes spends one — with a value or with an error, as in Tokio: a loop that catches the
 * error of a closed channel or a reset socket and tries again must yield too — and once they
 * are spent every leaf returns Pending and wakes its task at once, so the task goes to the back
 * of the run queue and the others run.
 *
 * A leaf takes part like this:
 *
 * ```ts
 * poll(cx: Context) {
 *   if (!pollProceed(cx)) return Pending; // budget spent: the task was woken, yield
 *   if (this.closed) { madeProgress(cx); throw new Error("closed") }
 *   if (this.ready) { madeProgress(cx); return this.value }
 *   this.waker = cx.waker;
 *   return Pending;
 * }
 * ```
 */
import { type Context } from "./context.js";
import { Future, isFuture, Pending, type Poll } from "./future.js";

/**
 * May this leaf make progress? False when the budget is spent; the task has then been woken
 * and the leaf must return Pending.
 *
 * @example
 * ```ts
 * if (!pollProceed(cx)) return Pending;
 * ```
 */
export function pollProceed(cx: Context): boolean {
  if (cx.budget > 0) return true;
  cx.forcedYields++;
  cx.waker.wake();
  return false;
}

/**
 * The leaf completed, with its output or with an error: spend one unit of the budget.
 *
 * @example
 * ```ts
 * if (this.ready) { madeProgress(cx); return this.value }
 * ```
 */
export function madeProgress(cx: Context): void {
  cx.budget--;
}

class ConsumeBudget extends Future<void> {
  override poll(cx: Context): Poll<void> {
    if (!pollProceed(cx)) return Pending;
    madeProgress(cx);
    return undefined;
  }
}

/**
 * Spend one unit of the task's budget; when it is spent, yield to the scheduler first. Put it in
 * long CPU-bound loops so they share the thread.
 *
 * @example
 * ```ts
 * spawn(function* () {
 *   for (const item of hugeArray) {
 *     work(item);
 *     yield* consumeBudget();
 *   }
 * });
 * ```
 *
 * **Cancel safety**: cancel safe; it holds nothing.
 */
export function consumeBudget(): Future<void> {
  return new ConsumeBudget();
}

class YieldNow extends Future<void> {
  #yielded = false;

  override poll(cx: Context): Poll<void> {
    if (this.#yielded) return undefined;
    this.#yielded = true;
    cx.waker.wake();
    return Pending;
  }
}

/**
 * Yield to the scheduler: the first poll wakes the task and returns Pending, the second
 * completes. A runtime puts the woken task at the back of its run queue, so the others run
 * first. (`@tokio-ts/runtime` re-exports this.)
 *
 * @example
 * ```ts
 * spawn(function* () {
 *   for (let i = 0; i < 1000; i++) { step(i); yield* yieldNow(); }
 * });
 * ```
 *
 * **Cancel safety**: cancel safe.
 */
export function yieldNow(): Future<void> {
  return new YieldNow();
}

class Unconstrained<T> extends Future<T> {
  readonly #inner: Future<T>;

  constructor(inner: Future<T>) {
    super();
    this.#inner = inner;
  }

  override poll(cx: Context): Poll<T> {
    const budget = cx.budget;
    cx.budget = Infinity;
    try {
      return this.#inner.poll(cx);
    } finally {
      cx.budget = budget;
    }
  }

  override cancel(): void {
    this.#inner.cancel();
  }
}

/**
 * Run `future` outside the cooperative budget: its leaves never yield because of it. Use with
 * care — an unconstrained busy loop starves every other task of the runtime.
 *
 * @example
 * ```ts
 * const total = yield* unconstrained(drainQueue(rx));
 * ```
 *
 * **Cancel safety**: as cancel safe as `future`.
 */
export function unconstrained<T>(future: Future<T>): Future<T> {
  if (!isFuture(future)) throw new TypeError(`future: expected a future, got ${future === null ? "null" : typeof future}`);
  return new Unconstrained(future);
}
