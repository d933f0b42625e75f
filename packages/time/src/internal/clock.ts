/**
 * The runtime's clock: real time (`performance.now()`, taken from the global when the clock is
 * made, so a test can substitute it before building the runtime), or frozen by `pause()` and
 * moved only by `advance()` and auto-advance.
 *
 * States: running (`now = real + offset`) ⇄ frozen (`now = frozenAt`). Resuming sets `offset`
 * so that time continues from the frozen value: the clock never goes backwards.
 */
import { ALREADY_FROZEN, NOT_FROZEN, TimeError } from "../errors.js";

export class Clock {
  #frozen = false;
  #frozenAt = 0;
  #offset = 0;
  /** The time source, taken from the global when the clock is made (tests may replace it before). */
  readonly #source: { now(): number } = globalThis.performance;
  /** The latest reading, for callers that can do with "not later than now". */
  lastReading = 0;

  constructor(startPaused: boolean) {
    if (startPaused) {
      // A whole millisecond, so that deadlines in whole ms land exactly on ticks.
      this.#frozen = true;
      this.#frozenAt = Math.floor(this.#source.now());
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
    return (this.lastReading = this.#frozen ? this.#frozenAt : this.#source.now() + this.#offset);
  }

  /** Real time (ms, `performance.now()` timeline) at which the clock will read `at`, if running. */
  realTimeOf(at: number): number {
    return at - this.#offset;
  }

  pause(): void {
    if (this.#frozen) throw new TimeError(ALREADY_FROZEN);
    // Up to the next whole millisecond (less than 1 ms forward, never back), so that a timer
    // of `ms` fires after `advance(ms)` exactly: deadlines are rounded up to whole ticks.
    this.#frozenAt = Math.ceil(this.now());
    this.#frozen = true;
  }

  resume(): void {
    if (!this.#frozen) throw new TimeError(NOT_FROZEN);
    this.#offset = this.#frozenAt - this.#source.now();
    this.#frozen = false;
  }

  advance(ms: number): void {
    if (!this.#frozen) throw new TimeError(NOT_FROZEN);
    // Past 2^53 ms a millisecond is no longer representable: sleeps would stop elapsing.
    if (this.#frozenAt + ms > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`ms must keep the clock below Number.MAX_SAFE_INTEGER ms, got ${ms}`);
    }
    this.#frozenAt += ms;
  }

  /** Frozen clock only: move forward to `at` (never backwards). */
  advanceTo(at: number): void {
    if (at > this.#frozenAt) this.#frozenAt = at;
  }
}
