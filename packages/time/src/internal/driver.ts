/**
 * The time driver: one timing wheel, one clock and at most one host timer per runtime.
 *
 * HOW. Timers (sleeps, and the sleeps inside intervals and timeouts) are entries of the wheel,
 * in integer ticks of 1 ms since the driver's origin, deadlines rounded up. One host
 * `setTimeout` is armed for the wheel's next expiration; when it fires, the wheel is advanced
 * to the clock's tick and every due entry fires (its task is woken). Re-arming is lazy: after
 * inserts and removals one microtask looks at the next expiration and re-arms only if the host
 * timer is missing or armed too late; a host timer armed too early just fires, finds nothing
 * due and re-arms. The host timer is ref'd — a pending sleep keeps the process alive exactly
 * as a `setTimeout` would — and cleared as soon as the wheel is empty: no timer, no handle.
 *
 * With the clock paused there is no host timer at all: time moves by `advance()`, and by
 * auto-advance — when the runtime is idle (`parkOnIdle`), `park()` moves the clock to the next
 * expiration and processes it.
 *
 * Host delays are capped at 2^31 - 1 ms (Node fires longer ones at once); a longer wait is a
 * chain of capped timers, so a long duration never fires early.
 *
 * The clock's range. Deadlines are kept on the nanosecond grid (`toNanos`) and must stay within
 * `Number.MAX_SAFE_INTEGER` ms, where a millisecond is still representable (Instant's range). A
 * deadline past it — `sleep(1e21)`, `sleep(Number.MAX_VALUE)` — is the far future instead: 30
 * years from now, as Tokio's `sleep` takes `Instant::far_future()` when `now + duration`
 * overflows (`deadlineOf`). Ticks are capped so that `origin + tick` stays within the range too
 * (`tickOf`). So every tick the wheel can be asked for is one the paused clock can stand on
 * exactly: auto-advance (`park`) reaches each expiration it jumps to and makes progress, and the
 * clock goes on working after a far-future sleep. (Before, a tick of 2^53 was past the clock's
 * reach: depending on the origin's parity `park` never got there and spun for ever, or got there
 * and left the clock where every later sleep was due at once.)
 *
 * Re-entrancy. Firing a timer wakes a waker, and a foreign executor's waker may run code at once
 * that calls back in: resets and drops of other timers, `advance()`, `pause()`, `resume()`
 * (→ `processDue`), `park()`. The wheel allows all of it (see `Wheel.advance`). A waker that
 * throws stops nothing: the wheel fires the rest, the host timer is re-armed, and the error is
 * rethrown to whoever moved the clock (from the host timer's callback: an uncaught exception,
 * as from a throwing `setTimeout` callback).
 */
import type { Driver, DriverHost } from "@tokio-ts/core";
import { Clock } from "./clock.js";
import { toNanos } from "./nanos.js";
import { MAX_TICK, Wheel, type WheelEntry } from "./wheel.js";

/** A wheel entry that knows how to fire (a Sleep). */
export interface TimerEntry extends WheelEntry {
  fire(): void;
}

const MAX_HOST_DELAY = 2 ** 31 - 1;

/** The latest deadline the clock can reach (ms on its timeline): Instant's range. */
const MAX_DEADLINE = Number.MAX_SAFE_INTEGER;

/**
 * How far ahead a deadline past {@link MAX_DEADLINE} is put: 30 years of 365 days
 * (946,080,000,000 ms), Tokio's `Instant::far_future()`.
 */
export const FAR_FUTURE = 30 * 365 * 86_400_000;

/** The rearm is queued with `RESOLVED.then(fn)`, cheaper than Node's `queueMicrotask(fn)` (no AsyncResource). */
const RESOLVED = Promise.resolve();

/**
 * The time driver of one runtime (or custom executor): a hierarchical timer wheel on a clock
 * that runs or is paused, with one host timer armed for the next expiration. A host makes it
 * with `TIME.create(host)` on first use (not with `new`), calls `park()` when idle while
 * `parkOnIdle` is true, and `shutdown()` at the end.
 *
 * @example
 * ```ts
 * const driver = host.driver(TIME);
 * if (driver.parkOnIdle) driver.park(); // a paused clock jumps to the next timer
 * ```
 */
export class TimeDriver implements Driver {
  /** @internal The clock (paused or running) that `pause()`, `resume()` and `advance()` act on. */
  readonly clock: Clock;
  readonly #wheel = new Wheel();
  /** The clock reading (ms, floored) of tick 0. */
  readonly #origin: number;
  /** The largest tick: `origin + maxTick` is within the clock's range (see the header). */
  readonly #maxTick: number;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #armedFor: number | undefined = undefined;
  #rearmQueued = false;
  #closed = false;
  /** How many entries have fired, ever (lets `park` tell a firing from a cascade). */
  #fired = 0;
  readonly #fire = (entry: WheelEntry): void => {
    this.#fired++;
    (entry as TimerEntry).fire();
  };
  readonly #onHostTimer = (): void => {
    this.#timer = this.#armedFor = undefined;
    // The event loop ran this timer itself: the runtime may count its eventInterval afresh.
    this.#host?.hostTurn?.();
    try {
      this.processDue();
    } finally {
      this.#rearm();
    }
  };
  readonly #rearmFromMicrotask = (): void => {
    this.#rearmQueued = false;
    this.#rearm();
  };

  readonly #host: DriverHost | undefined;

  /** @hidden Use `TIME.create(host)`, which reads `startPaused` from the host's options. */
  constructor(startPaused: boolean, host?: DriverHost) {
    this.#host = host;
    this.clock = new Clock(startPaused);
    this.#origin = Math.floor(this.clock.now());
    this.#maxTick = Math.min(MAX_TICK, MAX_DEADLINE - this.#origin);
  }

  /** Whether the runtime should call `park()` when idle: the clock is paused and a timer waits. */
  get parkOnIdle(): boolean {
    return this.clock.paused && this.#wheel.size > 0 && !this.#closed;
  }

  /** Whether `shutdown()` has run: sleeps polled after it throw the driver-closed error. */
  get closed(): boolean {
    return this.#closed;
  }

  /** How many timers are registered. */
  get timerCount(): number {
    return this.#wheel.size;
  }

  /** The clock's reading, ms on the `performance.now()` timeline. */
  now(): number {
    return this.clock.now();
  }

  /**
   * @internal `deadline` (ms on the clock's timeline) as a sleep keeps it: on the nanosecond
   * grid, and past the clock's range the far future, {@link FAR_FUTURE} from now (see the
   * header). Reads the clock only in that case.
   */
  deadlineOf(deadline: number): number {
    if (deadline > MAX_DEADLINE) {
      const far = this.clock.now() + FAR_FUTURE;
      deadline = far < MAX_DEADLINE ? far : MAX_DEADLINE;
    }
    return toNanos(deadline);
  }

  /**
   * @internal The tick of a deadline (ms on the clock's timeline), rounded up so it never fires
   * early; capped where the clock's range ends.
   */
  tickOf(ms: number): number {
    const tick = Math.ceil(ms - this.#origin);
    return tick > this.#maxTick ? this.#maxTick : tick;
  }

  /** @internal The tick up to which timers have been processed (no clock read). */
  get processedTick(): number {
    return this.#wheel.elapsed;
  }

  /** @internal The latest clock reading taken (not later than now; no clock read). */
  get lastReading(): number {
    return this.clock.lastReading;
  }

  /** @internal The tick the clock reads now. */
  currentTick(): number {
    return this.clock.floorNow() - this.#origin;
  }

  /** @internal Register `entry`, whose `when` is later than the current tick. O(1). */
  register(entry: TimerEntry): void {
    this.#wheel.insert(entry);
    this.#requestRearm();
  }

  /** @internal Remove `entry` if registered, or if it is about to fire in the batch being fired. O(1). */
  deregister(entry: TimerEntry): void {
    if (entry.position === -1) return;
    this.#wheel.remove(entry);
    if (this.#wheel.size === 0) this.#requestRearm();
  }

  /**
   * @internal Fire every timer due by the clock's current reading.
   *
   * **Throws**: the first error a waker threw, after every due timer has fired.
   */
  processDue(): void {
    if (this.#closed) return;
    const now = this.currentTick();
    if (now >= this.#wheel.elapsed) this.#wheel.advance(now, this.#fire);
  }

  /**
   * Auto-advance: move the paused clock to the next expiration and process it; repeat while
   * that only cascaded entries (a far deadline steps through the top level, one step per 2^36
   * ms: about 14 for the far future), so one call fires something or empties the wheel. Each
   * step makes progress: ticks are capped where the clock's range ends, so the paused clock can
   * stand on every tick it is moved to.
   */
  park(): boolean {
    if (!this.clock.paused || this.#closed) return false;
    const fired = this.#fired;
    for (;;) {
      const next = this.#wheel.nextExpiration();
      if (next === undefined) return this.#fired !== fired;
      this.clock.advanceTo(this.#origin + next);
      this.processDue();
      if (this.#fired !== fired) return true;
    }
  }

  /**
   * @internal The clock was paused, resumed or advanced: process what is due and re-arm.
   *
   * **Throws**: as `processDue`.
   */
  clockChanged(): void {
    this.processDue();
    this.#requestRearm();
  }

  shutdown(): void {
    if (this.#closed) return;
    this.#clearHostTimer();
    // Wake whatever is still registered (sleeps held outside tasks); their next poll sees
    // the driver closed and throws.
    this.#closed = true;
    this.#wheel.drain(this.#fire);
  }

  #requestRearm(): void {
    if (this.#rearmQueued || this.#closed) return;
    this.#rearmQueued = true;
    RESOLVED.then(this.#rearmFromMicrotask);
  }

  #rearm(): void {
    if (this.#closed) return;
    const next = this.#wheel.nextExpiration();
    if (next === undefined || this.clock.paused) {
      this.#clearHostTimer();
      return;
    }
    if (this.#timer !== undefined && this.#armedFor !== undefined && this.#armedFor <= next) return;
    this.#clearHostTimer();
    const realDeadline = this.clock.realTimeOf(this.#origin + next);
    const delay = Math.min(MAX_HOST_DELAY, Math.max(0, Math.ceil(realDeadline - this.clock.realNow())));
    this.#timer = setTimeout(this.#onHostTimer, delay);
    // The tick the host timer fires at: a capped one fires long before `next`, and a sleep
    // registered later that is due before it must move it.
    this.#armedFor = delay === MAX_HOST_DELAY ? this.currentTick() + MAX_HOST_DELAY : next;
  }

  #clearHostTimer(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = this.#armedFor = undefined;
    }
  }
}
