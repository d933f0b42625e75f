/**
 * Sleep: a future that completes at a deadline.
 */
import { ContextError, Future, madeProgress, Pending, pollProceed, type Context, type Poll, type Waker } from "@tokio-ts/core";
import { checkWait } from "./errors.js";
import { checkInstant, Instant } from "./instant.js";
import { currentTimeDriver } from "./internal/current.js";
import type { TimeDriver } from "./internal/driver.js";
import type { WheelEntry } from "./internal/wheel.js";

/** `when` of a sleep that has fired (ticks are ≥ 1 while registered, 0 before). */
const FIRED = -1;

/**
 * A future that completes at its deadline (Tokio's `time::Sleep`). Made by {@link sleep} and
 * {@link sleepUntil}; the deadline is fixed when it is made (a whole number of nanoseconds;
 * past the clock's range, 30 years from now: see {@link sleep}), the timer registered at the
 * first poll and fired at the deadline's tick, the first whole millisecond at or after it. It
 * can be reset in place — same object, O(1) — which is how intervals and timeouts reuse one
 * timer. Await it from one task at a time: it keeps one waker, so a second task
 * polling it takes the wake-up from the first (to wake several, use a `Notify`).
 *
 * States, kept in the wheel's own fields so that a sleep is small (a million of them are a
 * million objects): IDLE (`position` -1, `when` ≥ 0) → REGISTERED (`position` ≥ 0: in the wheel,
 * a waker stored; briefly -2, PENDING, while the batch it is due in fires) → FIRED (`when` = -1).
 * `reset` goes back to IDLE, or straight to REGISTERED if a task is waiting; dropping removes the
 * entry — also from a batch being fired, by a waker fired before it: it then does not fire.
 *
 * @example
 * ```ts
 * const s = sleep(1000);
 * s.reset(Instant.now().add(10)); // wake sooner
 * yield* s;
 * ```
 *
 * **Cancel safety**: cancel safe; dropping it removes the timer (O(1)).
 */
// A TimerEntry (the wheel's internal interface) by shape, not by an `implements` clause: the
// declaration files leave out the internal members, and a clause would not hold there.
export class Sleep extends Future<void> {
  /** @internal */ when = 0;
  /** @internal */ wheelPrev: WheelEntry | undefined = undefined;
  /** @internal */ wheelNext: WheelEntry | undefined = undefined;
  /** @internal */ position = -1;
  readonly #driver: TimeDriver;
  #deadline: number;
  #waker: Waker | undefined = undefined;

  /** @hidden Use {@link sleep} or {@link sleepUntil}. */
  constructor(driver: TimeDriver, deadline: number) {
    super();
    this.#driver = driver;
    this.#deadline = driver.deadlineOf(deadline);
  }

  /** The instant at which the sleep completes. */
  deadline(): Instant {
    return Instant.fromMillis(this.#deadline);
  }

  /** @internal The deadline in ms on the clock's timeline. */
  get deadlineMillis(): number {
    return this.#deadline;
  }

  /**
   * Whether the sleep has completed: the answer a poll would give now (Tokio's `is_elapsed`,
   * "has the timer fired"). A sleep waiting in the wheel is elapsed once the driver fires it, at
   * its deadline's tick — the next whole millisecond for a deadline between two — not as soon
   * as the clock passes the deadline; one not registered (never polled, or reset while no task
   * waits) is elapsed once the clock has reached its deadline, as its first poll would be ready.
   *
   * @example
   * ```ts
   * const s = sleep(0.5);
   * assertPending(mockTask(s).poll()); // registered for tick 1
   * yield* advance(0.5);
   * s.isElapsed(); // false: the timer fires at 1 ms, and a poll is still pending
   * yield* advance(0.5);
   * s.isElapsed(); // true
   * ```
   */
  isElapsed(): boolean {
    if (this.when === FIRED) return true;
    // Registered (position ≥ 0): pending until the driver fires it. Otherwise (idle, or taken
    // out to fire in the batch being fired) `poll` decides by the clock: the reading taken here
    // is the one it compares with.
    return this.position < 0 && this.#driver.now() >= this.#deadline;
  }

  /**
   * Move the deadline, in place: no new timer, O(1). A task waiting on the sleep is woken at
   * the new deadline instead (at once if it has passed).
   *
   * **Throws**: TypeError if `deadline` is not an Instant.
   */
  reset(deadline: Instant): void {
    this.resetMillis(checkInstant("deadline", deadline).asMillis());
  }

  /** @internal `reset` with a deadline in ms. */
  resetMillis(deadline: number): void {
    const driver = this.#driver;
    driver.deregister(this);
    this.#deadline = deadline = driver.deadlineOf(deadline);
    this.when = 0;
    const waker = this.#waker;
    if (waker === undefined) return;
    if (driver.now() >= deadline) {
      this.#waker = undefined;
      waker.wake();
    } else if (!driver.closed) {
      this.when = driver.tickOf(deadline);
      driver.register(this);
    }
  }

  /**
   * Ready once the driver has fired the timer. The first poll reads no clock (as Tokio): the
   * deadline is compared with the latest reading and with the tick the wheel has processed;
   * a deadline between those and now is registered and fired by the driver's next turn.
   */
  override poll(cx: Context): Poll<void> {
    const driver = this.#driver;
    if (driver.closed) throw ContextError.shutdown("sleep");
    if (!pollProceed(cx)) return Pending;
    let fired = this.when === FIRED;
    const idle = !fired && this.position < 0;
    if (idle) {
      if (this.#deadline <= driver.lastReading) fired = true;
      else {
        this.when = driver.tickOf(this.#deadline);
        if (this.when <= driver.processedTick) fired = true;
      }
    }
    if (fired) {
      this.when = FIRED;
      this.#waker = undefined;
      madeProgress(cx);
      return undefined;
    }
    this.#waker = cx.waker;
    if (idle) driver.register(this);
    return Pending;
  }

  /** @internal Called by the driver when the deadline's tick is processed. */
  fire(): void {
    if (this.when === FIRED) return;
    this.when = FIRED;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }

  /** Drop: remove the timer. */
  override cancel(): void {
    this.#driver.deregister(this);
    this.#waker = undefined;
  }
}

/**
 * A future that completes `ms` milliseconds from now, on the current runtime's clock.
 *
 * A duration that would put the deadline past the clock's range (`Number.MAX_SAFE_INTEGER` ms
 * on its timeline, about 285,000 years), such as `sleep(1e21)`, is taken as the far future: the
 * deadline is 30 years from now (946,080,000,000 ms), as Tokio's `sleep` uses
 * `Instant::far_future()` when `now + duration` overflows; so is `Infinity` (Tokio's
 * `Duration::MAX`). A paused clock's auto-advance goes there in a few steps, and the clock keeps
 * working afterwards. Below the range a long duration never fires early. Deadlines are kept to
 * whole nanoseconds, like instants.
 *
 * @example
 * ```ts
 * await rt.blockOn(function* () {
 *   yield* sleep(100);
 *   console.log("100 ms later");
 * });
 * ```
 *
 * **Cancel safety**: cancel safe.
 *
 * **Throws**: RangeError/TypeError unless `ms` is a number ≥ 0 (NaN is refused); ContextError
 * outside a runtime, or in one built without `enableTime()`.
 */
export function sleep(ms: number): Sleep {
  checkWait("ms", ms);
  const driver = currentTimeDriver("sleep()");
  return new Sleep(driver, driver.now() + ms);
}

/**
 * A future that completes at `deadline`.
 *
 * @example
 * ```ts
 * const start = Instant.now();
 * yield* sleepUntil(start.add(50));
 * ```
 *
 * **Cancel safety**: cancel safe.
 *
 * **Throws**: TypeError if `deadline` is not an Instant; ContextError as {@link sleep}.
 */
export function sleepUntil(deadline: Instant): Sleep {
  checkInstant("deadline", deadline);
  const driver = currentTimeDriver("sleepUntil()");
  return new Sleep(driver, deadline.asMillis());
}
