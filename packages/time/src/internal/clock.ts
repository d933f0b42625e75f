/**
 * The runtime's clock: real time (`performance.now()`, taken from the global when the clock is
 * made, so a test can substitute it before building the runtime), or frozen by `pause()` and
 * moved only by `advance()` and auto-advance.
 *
 * States: running (`now = real + offset`) ⇄ frozen (`now = frozenMs + frozenNs / 1e6`). Resuming
 * sets `offset` so that time continues from the frozen value: the clock never goes backwards.
 *
 * The frozen clock is kept exact, in two integers: whole milliseconds (`frozenMs`, below
 * 2^53) and the nanoseconds past them (`frozenNs`, 0 ≤ ns < 1e6), as Tokio counts whole
 * nanoseconds. A float sum would drift: ten `advance(0.1)` from 100 read 100.99999999999999,
 * tick 0, and a `sleep(1)` would not fire. Each `advance(ms)` is rounded to the nanosecond
 * (Tokio's `Duration` has no finer unit) and carried into the milliseconds, so sub-millisecond
 * advances that add up to a deadline reach its tick exactly, whatever the origin. Only `now()`
 * turns the pair into one double.
 */
import { ALREADY_FROZEN, NOT_FROZEN, TimeError } from "../errors.js";

export class Clock {
  #frozen = false;
  /** Frozen: the whole milliseconds of the reading (an integer). */
  #frozenMs = 0;
  /** Frozen: the nanoseconds past `#frozenMs` (an integer, 0 ≤ ns < 1e6). */
  #frozenNs = 0;
  #offset = 0;
  /** The time source, taken from the global when the clock is made (tests may replace it before). */
  readonly #source: { now(): number } = globalThis.performance;
  /** The latest reading, for callers that can do with "not later than now". */
  lastReading = 0;

  constructor(startPaused: boolean) {
    if (startPaused) {
      // A whole millisecond, so that deadlines in whole ms land exactly on ticks.
      this.#frozen = true;
      this.#frozenMs = Math.floor(this.#source.now());
    }
  }

  /** The real time source's reading. */
  realNow(): number {
    return this.#source.now();
  }

  get paused(): boolean {
    return this.#frozen;
  }

  /** Milliseconds on the `performance.now()` timeline. */
  now(): number {
    return (this.lastReading = this.#frozen ? this.#frozenNow() : this.#source.now() + this.#offset);
  }

  /**
   * `Math.floor(now())`, exact on the frozen clock (its whole milliseconds, which the double
   * `now()` may round up past 2^32 ms); a reading like `now()`.
   */
  floorNow(): number {
    const now = this.now();
    return this.#frozen ? this.#frozenMs : Math.floor(now);
  }

  #frozenNow(): number {
    return this.#frozenNs === 0 ? this.#frozenMs : this.#frozenMs + this.#frozenNs / 1e6;
  }

  /** Real time (ms, `performance.now()` timeline) at which the clock will read `at`, if running. */
  realTimeOf(at: number): number {
    return at - this.#offset;
  }

  pause(): void {
    if (this.#frozen) throw new TimeError(ALREADY_FROZEN);
    // Up to the next whole millisecond (less than 1 ms forward, never back), so that a timer
    // of `ms` fires after `advance(ms)` exactly: deadlines are rounded up to whole ticks.
    this.#frozenMs = Math.ceil(this.now());
    this.#frozenNs = 0;
    this.#frozen = true;
  }

  resume(): void {
    if (!this.#frozen) throw new TimeError(NOT_FROZEN);
    this.#offset = this.#frozenNow() - this.#source.now();
    this.#frozen = false;
  }

  /** Frozen clock only: move forward by `ms` (≥ 0, finite), rounded to the nanosecond. */
  advance(ms: number): void {
    if (!this.#frozen) throw new TimeError(NOT_FROZEN);
    // Split into whole ms and ns; `ms - whole` is exact, so the sum is exact too.
    let whole = Math.floor(ms);
    let ns = this.#frozenNs + Math.round((ms - whole) * 1e6);
    if (ns >= 1e6) {
      ns -= 1e6;
      whole += 1;
    }
    // Past 2^53 ms a millisecond is no longer representable: sleeps would stop elapsing.
    if (this.#frozenMs + whole > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`ms must keep the clock below Number.MAX_SAFE_INTEGER ms, got ${ms}`);
    }
    this.#frozenMs += whole;
    this.#frozenNs = ns;
  }

  /** Frozen clock only: move forward to the whole millisecond `at` (never backwards). */
  advanceTo(at: number): void {
    if (at > this.#frozenMs) {
      this.#frozenMs = at;
      this.#frozenNs = 0;
    }
  }
}
