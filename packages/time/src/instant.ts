/**
 * Instant: a point on the runtime's clock.
 */
import { currentFrame } from "@tokio-ts/core";
import { TIME } from "./driver.js";
import { checkDuration } from "./errors.js";

/**
 * A measurement of the monotonic clock, in milliseconds (Tokio's `time::Instant`). Inside a
 * runtime built with `enableTime()` it reads the runtime's clock, so it honours `pause()`,
 * `advance()` and auto-advance; elsewhere it reads `performance.now()`. Instants compare with
 * `<`/`>` (through `valueOf`) and with {@link Instant.compare}. Instants and the durations between
 * them are kept to whole nanoseconds (as Tokio's), so `a.add(250).durationSince(a)` is exactly
 * 250 on the real clock too, not 249.99999999999997.
 *
 * @example
 * ```ts
 * const start = Instant.now();
 * yield* sleep(100);
 * start.elapsed(); // ≥ 100 (exactly 100 on a paused clock)
 * ```
 */
export class Instant {
  readonly #ms: number;

  private constructor(ms: number) {
    this.#ms = toNanos(ms);
  }

  /** @internal An instant at `ms` on the `performance.now()` timeline. */
  static fromMillis(ms: number): Instant {
    return new Instant(ms);
  }

  /** The current instant of the current runtime's clock (or the real clock outside one). */
  static now(): Instant {
    return new Instant(clockNow());
  }

  /** Milliseconds on the `performance.now()` timeline. */
  asMillis(): number {
    return this.#ms;
  }

  /** Milliseconds from this instant to now (0 if this instant is later). */
  elapsed(): number {
    return Math.max(0, toNanos(clockNow() - this.#ms));
  }

  /**
   * Milliseconds from `earlier` to this instant; 0 if `earlier` is later (saturating, as
   * Tokio's).
   *
   * **Throws**: TypeError if `earlier` is not an Instant.
   */
  durationSince(earlier: Instant): number {
    return Math.max(0, toNanos(this.#ms - checkInstant("earlier", earlier).#ms));
  }

  /**
   * This instant plus `ms` milliseconds.
   *
   * **Throws**: RangeError/TypeError unless `ms` is a finite number ≥ 0.
   */
  add(ms: number): Instant {
    return new Instant(this.#ms + checkDuration("ms", ms));
  }

  /**
   * This instant minus `ms` milliseconds.
   *
   * **Throws**: RangeError/TypeError unless `ms` is a finite number ≥ 0.
   */
  sub(ms: number): Instant {
    return new Instant(this.#ms - checkDuration("ms", ms));
  }

  /** -1, 0 or 1 as this instant is before, equal to or after `other`. */
  compare(other: Instant): -1 | 0 | 1 {
    const d = this.#ms - checkInstant("other", other).#ms;
    return d < 0 ? -1 : d > 0 ? 1 : 0;
  }

  /** Whether both name the same instant. */
  equals(other: Instant): boolean {
    return other instanceof Instant && other.#ms === this.#ms;
  }

  /** Whether this instant is before `other`. */
  isBefore(other: Instant): boolean {
    return this.compare(other) < 0;
  }

  /** Whether this instant is after `other`. */
  isAfter(other: Instant): boolean {
    return this.compare(other) > 0;
  }

  /** The milliseconds, so that `a < b` compares instants. */
  valueOf(): number {
    return this.#ms;
  }

  toString(): string {
    return `Instant(${this.#ms.toFixed(3)} ms)`;
  }
}

/**
 * `ms` rounded to a whole number of nanoseconds. Float milliseconds from `performance.now()`
 * carry binary fractions: without this, `a + 250 - a` can be 249.99999999999997.
 */
function toNanos(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}

/** Check that `value` is an Instant (TypeError naming `name`). */
export function checkInstant(name: string, value: unknown): Instant {
  if (!(value instanceof Instant)) {
    throw new TypeError(`${name} must be an Instant, got ${value === null ? "null" : typeof value}`);
  }
  return value;
}

function clockNow(): number {
  const host = currentFrame()?.task?.runtime;
  if (host !== undefined && host.isEnabled(TIME)) return host.driver(TIME).now();
  return globalThis.performance.now();
}
