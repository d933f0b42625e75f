/**
 * timeout: bound the time a future may take.
 */
import { Future, intoFuture, Pending, type Context, type IntoFuture, type Poll } from "@tokio-ts/core";
import { checkWait, Elapsed } from "./errors.js";
import { checkInstant, type Instant } from "./instant.js";
import { currentTimeDriver } from "./internal/current.js";
import { Sleep } from "./sleep.js";

/**
 * The future of {@link timeout}: the inner future, raced against a sleep. The inner future is
 * polled first, so one that is ready returns its value even if the deadline has passed. For an
 * async-function body, what it computes after its last `await` is ready only once the microtask
 * queue has run, so when the body's last wait ends at the very deadline the timeout wins (a
 * generator body's value wins).
 *
 * The cooperative budget, as Tokio: when the inner future spends the last of the task's budget
 * and stays pending, the deadline is still checked (outside the budget), so a busy inner future
 * cannot outrun its timeout; when the budget was spent before the poll, the timeout yields like
 * any leaf future, and on the next poll a ready inner future still wins.
 *
 * @example
 * ```ts
 * const t: Timeout<string | undefined> = timeout(100, rx.recv());
 * t.deadline(); // when it gives up
 * ```
 */
export class Timeout<T> extends Future<T> {
  readonly #inner: Future<T>;
  readonly #delay: Sleep;
  /**
   * Dropped. The inner poll may wake a foreign executor that drops this timeout at once (from
   * inside its own poll): the rest of that poll must not register the timer again.
   */
  #dropped = false;

  /** @hidden Use {@link timeout} or {@link timeoutAt}. */
  constructor(inner: Future<T>, delay: Sleep) {
    super();
    this.#inner = inner;
    this.#delay = delay;
  }

  /** The instant at which the timeout expires. */
  deadline(): Instant {
    return this.#delay.deadline();
  }

  override poll(cx: Context): Poll<T> {
    const hadBudget = cx.budget > 0;
    let out: Poll<T>;
    try {
      out = this.#inner.poll(cx);
    } catch (error) {
      this.#delay.cancel();
      throw error;
    }
    if (out !== Pending) {
      this.#delay.cancel();
      return out;
    }
    if (this.#dropped) return Pending;
    let expired: boolean;
    if (hadBudget && cx.budget <= 0) {
      // The inner future spent the last of the budget (a busy one would spend it on every
      // poll): the deadline is checked outside the budget, or it would never be (Tokio).
      const budget = cx.budget;
      cx.budget = Infinity;
      try {
        expired = this.#delay.poll(cx) !== Pending;
      } finally {
        cx.budget = budget;
      }
    } else {
      // With the budget spent before this poll the sleep yields too (the task is woken): the
      // next poll, with a fresh budget, lets a ready inner future win over a passed deadline.
      expired = this.#delay.poll(cx) !== Pending;
    }
    if (!expired) return Pending;
    this.#inner.cancel();
    throw new Elapsed();
  }

  override cancel(): void {
    this.#dropped = true;
    this.#inner.cancel();
    this.#delay.cancel();
  }
}

/**
 * Run `future` for at most `ms` milliseconds. On expiry the future is **dropped** — its
 * waiters deregistered, a generator's `finally` blocks run — and the result rejects with
 * {@link Elapsed} ("deadline has elapsed").
 *
 * @example
 * ```ts
 * try {
 *   const msg = yield* timeout(1000, rx.recv());
 * } catch (e) {
 *   if (e instanceof Elapsed) console.log("no message within a second");
 * }
 * ```
 *
 * The inner future is polled first, so one ready at once wins even if the deadline has passed
 * (Tokio's guarantee). An async function or a promise is never ready at its first poll — its
 * result arrives a microtask later — so `timeout(0, async () => v)` and
 * `timeout(0, fromPromise(done))` fail with `Elapsed`, where Tokio's `timeout(ZERO, ready)`
 * succeeds: give such a future a duration above 0, or write it as a generator.
 *
 * A duration past the clock's range (`timeout(Number.MAX_VALUE, …)`), or `Infinity` (Tokio's
 * `timeout(Duration::MAX, …)`: no timeout), gives up at the far future, 30 years from now, as
 * {@link sleep} does.
 *
 * **Cancel safety**: as cancel safe as `future`; dropping the timeout drops both.
 *
 * **Throws**: RangeError/TypeError for a bad `ms`; ContextError outside a runtime with time.
 */
export function timeout<T>(ms: number, future: IntoFuture<T>): Timeout<T> {
  checkWait("ms", ms);
  const driver = currentTimeDriver("timeout()");
  return new Timeout(intoFuture(future, "future"), new Sleep(driver, driver.now() + ms));
}

/**
 * Like {@link timeout}, with a deadline.
 *
 * @example
 * ```ts
 * const deadline = Instant.now().add(500);
 * const a = yield* timeoutAt(deadline, stepOne());
 * const b = yield* timeoutAt(deadline, stepTwo()); // both within the same 500 ms
 * ```
 *
 * **Cancel safety**: as {@link timeout}.
 *
 * **Throws**: TypeError if `deadline` is not an Instant; ContextError as {@link timeout}.
 */
export function timeoutAt<T>(deadline: Instant, future: IntoFuture<T>): Timeout<T> {
  checkInstant("deadline", deadline);
  const driver = currentTimeDriver("timeoutAt()");
  return new Timeout(intoFuture(future, "future"), new Sleep(driver, deadline.asMillis()));
}
