/**
 * Instant: a point on the runtime's clock.
 */
import { currentFrame } from "@tokio-ts/core";
import { TIME } from "./driver.js";
import { checkDuration, checkWait } from "./errors.js";
import { toNanos } from "./internal/nanos.js";

/**
 * A measurement of the monotonic clock, in milliseconds (Tokio's `time::Instant`). Inside a
 * runtime built with `enableTime()` it reads the runtime's clock, so it honours `pause()`,
 * `advance()` and auto-advance; elsewhere it reads `performance.now()`. Instants compare with
 * `<`/`>` (through `valueOf`) and with {@link Instant.compare}. Instants and the durations between
 * them are kept to whole nanoseconds (as Tokio's), so `a.add(250).durationSince(a)` is exactly
 * 250 on the real clock too, not 249.99999999999997. Past 2^32 ms on the clock (about 50 days)
 * a double no longer holds every nanosecond: instants are then kept as they are, so whole and
 * binary-fraction milliseconds stay exact, and a decimal fraction (0.1 ms) may be off by the
 * double's spacing (about 1 ns at 50 days, 60 ns at 10 years).
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
    // Private in TypeScript only: plain JavaScript can still call it.
    if (typeof ms !== "number") throw new TypeError("Instant has no public constructor: use Instant.now(), or add/sub on an instant");
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
   * Milliseconds from `earlier` to this instant, or `undefined` if `earlier` is later (Tokio's
   * `checked_duration_since`).
   *
   * @example
   * ```ts
   * const t = Instant.now();
   * t.add(10).checkedDurationSince(t); // 10
   * t.checkedDurationSince(t.add(10)); // undefined
   * ```
   *
   * **Throws**: TypeError if `earlier` is not an Instant.
   */
  checkedDurationSince(earlier: Instant): number | undefined {
    const d = this.#ms - checkInstant("earlier", earlier).#ms;
    return d < 0 ? undefined : toNanos(d);
  }

  /**
   * Milliseconds from `earlier` to this instant, or 0 if `earlier` is later (Tokio's
   * `saturating_duration_since`; the same as {@link Instant.durationSince}).
   *
   * @example
   * ```ts
   * const t = Instant.now();
   * t.saturatingDurationSince(t.add(10)); // 0
   * ```
   *
   * **Throws**: TypeError if `earlier` is not an Instant.
   */
  saturatingDurationSince(earlier: Instant): number {
    return this.durationSince(earlier);
  }

  /**
   * This instant plus `ms` milliseconds.
   *
   * **Throws**: RangeError/TypeError unless `ms` is a finite number ≥ 0; RangeError if the
   * result is beyond the clock's range (see {@link Instant.checkedAdd}), where Tokio's `+`
   * panics.
   */
  add(ms: number): Instant {
    return inRange("add", this.#ms + checkDuration("ms", ms));
  }

  /**
   * This instant minus `ms` milliseconds.
   *
   * **Throws**: RangeError/TypeError unless `ms` is a finite number ≥ 0; RangeError if the
   * result is beyond the clock's range (see {@link Instant.checkedSub}).
   */
  sub(ms: number): Instant {
    return inRange("sub", this.#ms - checkDuration("ms", ms));
  }

  /**
   * This instant plus `ms`, or `undefined` if that is more than `Number.MAX_SAFE_INTEGER` ms
   * from the clock's origin — the clock's own range (Tokio's `checked_add`). Beyond it a
   * millisecond is no longer representable.
   *
   * @example
   * ```ts
   * Instant.now().checkedAdd(Number.MAX_VALUE); // undefined
   * Instant.now().checkedAdd(Infinity); // undefined (Tokio: checked_add(Duration::MAX) is None)
   * ```
   *
   * **Throws**: RangeError/TypeError unless `ms` is a number ≥ 0 (NaN is refused).
   */
  checkedAdd(ms: number): Instant | undefined {
    return checkedInstant(this.#ms + checkWait("ms", ms));
  }

  /**
   * This instant minus `ms`, or `undefined` past `-Number.MAX_SAFE_INTEGER` ms (Tokio's
   * `checked_sub`; see {@link Instant.checkedAdd}).
   *
   * @example
   * ```ts
   * const t = Instant.now();
   * t.checkedSub(100)?.isBefore(t); // true
   * ```
   *
   * **Throws**: RangeError/TypeError unless `ms` is a number ≥ 0 (NaN is refused).
   */
  checkedSub(ms: number): Instant | undefined {
    return checkedInstant(this.#ms - checkWait("ms", ms));
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

/** `add`/`sub`'s result, or the RangeError that says to use the checked form. */
function inRange(op: "add" | "sub", ms: number): Instant {
  const instant = checkedInstant(ms);
  if (instant === undefined) {
    const checked = op === "add" ? "checkedAdd" : "checkedSub";
    throw new RangeError(`Instant.${op}: the result is more than Number.MAX_SAFE_INTEGER ms from the clock's origin; use ${checked}, which gives undefined there`);
  }
  return instant;
}

function checkedInstant(ms: number): Instant | undefined {
  return Math.abs(ms) <= Number.MAX_SAFE_INTEGER ? Instant.fromMillis(ms) : undefined;
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
