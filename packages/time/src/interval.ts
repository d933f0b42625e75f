/**
 * Interval: ticks at a fixed period, with Tokio's policies for missed ticks.
 */
import { Future, Pending, toPromise, type Context, type Poll } from "@tokio-ts/core";
import { checkWait } from "./errors.js";
import { checkInstant, Instant } from "./instant.js";
import { currentTimeDriver } from "./internal/current.js";
import type { TimeDriver } from "./internal/driver.js";
import { Sleep } from "./sleep.js";

/**
 * What an {@link Interval} does when ticks were missed (the consumer was late by more than
 * 5 ms), as Tokio's `MissedTickBehavior`. With period P, a tick scheduled at T and observed at
 * `now`:
 *
 * - `Burst` (default): the next tick is at T + P — missed ticks fire back to back until the
 *   interval has caught up with its original schedule.
 * - `Delay`: the next tick is at `now` + P — the schedule shifts to start from now.
 * - `Skip`: the next tick is the next multiple of P after `now` on the original schedule
 *   (`now + P - (now - T) % P`) — missed ticks are dropped, the phase is kept.
 *
 * @example
 * ```ts
 * const iv = interval(10);
 * iv.missedTickBehavior = MissedTickBehavior.Skip;
 * ```
 */
export const MissedTickBehavior = {
  Burst: "burst",
  Delay: "delay",
  Skip: "skip",
} as const;
/**
 * One of {@link MissedTickBehavior}'s values.
 *
 * @example
 * ```ts
 * const behavior: MissedTickBehavior = MissedTickBehavior.Delay; // "delay"
 * ```
 */
export type MissedTickBehavior = (typeof MissedTickBehavior)[keyof typeof MissedTickBehavior];

/** How late (ms) a tick may be observed and still count as on time (Tokio: 5 ms). */
const ON_TIME = 5;

/**
 * A stream of ticks every `period` ms (Tokio's `time::Interval`): `tick()` completes at each
 * scheduled instant, the first one at once (or at the start given to {@link intervalAt}).
 * One timer serves every tick; it is reset in place. Also an async iterator of ticks.
 *
 * Tick it from one task at a time: like any future, a pending `tick()` keeps one waker, so a
 * second task polling it takes the wake-up from the first (Tokio rules this out with `&mut`).
 * To let several tasks follow one clock, tick in one task and pass the ticks on (a `watch` or
 * `broadcast` channel).
 *
 * @example
 * ```ts
 * const iv = interval(1000);
 * for (let i = 0; i < 3; i++) {
 *   const at = yield* iv.tick(); // at 0 ms, 1000 ms, 2000 ms
 *   console.log("tick at", at.asMillis());
 * }
 * ```
 */
export class Interval implements AsyncIterable<Instant> {
  readonly #driver: TimeDriver;
  readonly #delay: Sleep;
  readonly #period: number;
  #behavior: MissedTickBehavior = MissedTickBehavior.Burst;

  /** @hidden Use {@link interval} or {@link intervalAt}. */
  constructor(driver: TimeDriver, start: number, period: number) {
    this.#driver = driver;
    this.#delay = new Sleep(driver, start);
    this.#period = period;
  }

  /** The period, in ms. */
  get period(): number {
    return this.#period;
  }

  /** The policy for missed ticks (default `Burst`). **Throws** TypeError for an unknown value. */
  get missedTickBehavior(): MissedTickBehavior {
    return this.#behavior;
  }

  set missedTickBehavior(behavior: MissedTickBehavior) {
    if (behavior !== "burst" && behavior !== "delay" && behavior !== "skip") {
      throw new TypeError(`missedTickBehavior must be "burst", "delay" or "skip", got ${String(behavior)}`);
    }
    this.#behavior = behavior;
  }

  /**
   * A future of the next tick: the instant it was scheduled for.
   *
   * **Cancel safety**: cancel safe: a tick not taken is taken by the next `tick()`.
   */
  tick(): Future<Instant> {
    return new Tick(this);
  }

  /** @internal */
  pollTick(cx: Context): Poll<Instant> {
    const delay = this.#delay;
    if (delay.poll(cx) === Pending) return Pending;
    const scheduled = delay.deadlineMillis;
    const now = this.#driver.now();
    const period = this.#period;
    let next: number;
    if (now - scheduled <= ON_TIME) next = scheduled + period;
    else if (this.#behavior === "burst") next = scheduled + period;
    else if (this.#behavior === "delay") next = now + period;
    else next = now + period - skipRemainder(now - scheduled, period);
    delay.resetMillis(next);
    return Instant.fromMillis(scheduled);
  }

  /** @internal A pending tick was dropped: take the timer out of the wheel. */
  cancelTick(): void {
    this.#delay.cancel();
  }

  /** The next tick one period from now. */
  reset(): void {
    this.#delay.resetMillis(this.#driver.now() + this.#period);
  }

  /** The next tick now. */
  resetImmediately(): void {
    this.#delay.resetMillis(this.#driver.now());
  }

  /**
   * The next tick `ms` from now.
   *
   * **Throws**: RangeError/TypeError for a bad `ms`.
   */
  resetAfter(ms: number): void {
    this.#delay.resetMillis(this.#driver.now() + checkWait("ms", ms));
  }

  /**
   * The next tick at `deadline`.
   *
   * **Throws**: TypeError if `deadline` is not an Instant.
   */
  resetAt(deadline: Instant): void {
    this.#delay.resetMillis(checkInstant("deadline", deadline).asMillis());
  }

  /**
   * `for await (const at of interval(100)) { … }` in an async task; never ends by itself.
   *
   * @example
   * ```ts
   * for await (const at of interval(100)) { if (done()) break; }
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<Instant> {
    return {
      next: () => toPromise(this.tick()).then((value) => ({ done: false, value })),
      return: () => Promise.resolve({ done: true, value: undefined }),
    };
  }
}

class Tick extends Future<Instant> {
  constructor(private readonly interval: Interval) {
    super();
  }

  override poll(cx: Context): Poll<Instant> {
    return this.interval.pollTick(cx);
  }

  /** Dropping a pending tick removes the timer; the tick is not lost (the next `tick()` takes it). */
  override cancel(): void {
    this.interval.cancelTick();
  }
}

function checkPeriod(period: number): number {
  checkWait("period", period); // Infinity: one tick now, the next in the far future (Duration::MAX)
  if (period === 0) throw new RangeError("period must be non-zero");
  return period;
}

/**
 * An interval with the given period whose first tick completes at once.
 *
 * @example
 * ```ts
 * const iv = interval(100);
 * yield* iv.tick(); // now
 * yield* iv.tick(); // 100 ms later
 * ```
 *
 * **Throws**: RangeError "period must be non-zero" for 0; RangeError/TypeError for a bad
 * period; ContextError outside a runtime with time.
 */
export function interval(period: number): Interval {
  checkPeriod(period);
  const driver = currentTimeDriver("interval()");
  return new Interval(driver, driver.now(), period);
}

/**
 * An interval whose first tick is at `start`.
 *
 * @example
 * ```ts
 * const iv = intervalAt(Instant.now().add(50), 100); // ticks at 50, 150, 250 ms…
 * ```
 *
 * **Throws**: as {@link interval}; TypeError if `start` is not an Instant.
 */
export function intervalAt(start: Instant, period: number): Interval {
  checkInstant("start", start);
  checkPeriod(period);
  const driver = currentTimeDriver("intervalAt()");
  return new Interval(driver, start.asMillis(), period);
}

/**
 * `late % period` in whole nanoseconds, as Tokio takes it (`Skip`'s phase): in float ms a lateness
 * that is an exact multiple of a fractional period (6.3 ms late, period 0.3) leaves ~0.3 instead of
 * 0, and the next tick would come at once, off the phase. A period under a nanosecond (below
 * Tokio's resolution) keeps the float remainder.
 */
function skipRemainder(late: number, period: number): number {
  const periodNs = Math.round(period * 1e6);
  if (periodNs < 1) return late % period;
  return (Math.round(late * 1e6) % periodNs) / 1e6;
}
