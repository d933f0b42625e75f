/**
 * The errors of `@tokio-ts/time`.
 */
import { TokioError } from "@tokio-ts/core";

/**
 * A {@link timeout} expired before its future completed; the future has been dropped.
 *
 * @example
 * ```ts
 * try { yield* timeout(100, rx.recv()) } catch (e) { if (e instanceof Elapsed) … }
 * ```
 */
export class Elapsed extends TokioError {
  constructor() {
    super("ERR_ELAPSED", "deadline has elapsed");
  }
}

/**
 * Misuse of the clock: pausing a paused clock ("time is already frozen"), resuming or advancing
 * a running one ("time is not frozen").
 *
 * @example
 * ```ts
 * pause(); pause(); // TimeError "time is already frozen"
 * ```
 */
export class TimeError extends TokioError {
  constructor(message: string) {
    super("ERR_TIME_MISUSE", message);
  }
}

/** Check a duration in milliseconds: a finite number ≥ 0 (RangeError/TypeError naming `name`). */
export function checkDuration(name: string, ms: unknown): number {
  if (typeof ms !== "number") throw new TypeError(`${name} must be a number of milliseconds, got ${typeof ms}`);
  if (Number.isNaN(ms)) throw new RangeError(`${name} must be a number of milliseconds, got NaN`);
  if (ms < 0) throw new RangeError(`${name} must not be negative, got ${ms}`);
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be finite, got ${ms}`);
  return ms;
}
