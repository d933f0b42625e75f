/**
 * The errors of `@tokio-ts/time`.
 */
import { TokioError } from "@tokio-ts/core";

/**
 * A {@link timeout} expired before its future completed; the future has been dropped.
 * "deadline has elapsed", `code` `"ERR_ELAPSED"`.
 *
 * @example
 * ```ts
 * try { yield* timeout(100, rx.recv()) } catch (e) { if (e instanceof Elapsed) … }
 * ```
 */
export class Elapsed extends TokioError {
  /** `"Elapsed"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "Elapsed";
  }

  override set name(value: string) {
    super.name = value;
  }

  constructor() {
    super("ERR_ELAPSED", "deadline has elapsed");
  }
}

/**
 * Misuse of the clock: pausing a paused clock ("time is already frozen: …"), resuming or
 * advancing a running one ("time is not frozen: …"); the rest of the message says what to call.
 * `code` is `"ERR_TIME_MISUSE"`.
 *
 * @example
 * ```ts
 * pause(); pause(); // TimeError "time is already frozen: … call resume() before pausing again"
 * ```
 */
export class TimeError extends TokioError {
  /** `"TimeError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "TimeError";
  }

  override set name(value: string) {
    super.name = value;
  }

  constructor(message: string) {
    super("ERR_TIME_MISUSE", message);
  }
}

/** @internal {@link TimeError}'s message for `pause()` on a paused clock. */
export const ALREADY_FROZEN =
  "time is already frozen: the clock is paused (by startPaused(true) or an earlier pause()); call resume() before pausing again";

/** @internal {@link TimeError}'s message for `resume()` or `advance()` on a running clock. */
export const NOT_FROZEN = "time is not frozen: call pause() first, or build the runtime with startPaused(true)";

/**
 * Check a duration to wait, in milliseconds: as {@link checkDuration}, and `Infinity` too — "for
 * ever", Tokio's `Duration::MAX` (`timeout(Duration::MAX, f)`, no timeout at all), which a sleep
 * takes as the far future.
 */
export function checkWait(name: string, ms: unknown): number {
  return ms === Infinity ? ms : checkDuration(name, ms);
}

/** Check a duration in milliseconds: a finite number ≥ 0 (RangeError/TypeError naming `name`). */
export function checkDuration(name: string, ms: unknown): number {
  if (typeof ms !== "number") throw new TypeError(`${name} must be a number of milliseconds, got ${typeof ms}`);
  if (Number.isNaN(ms)) throw new RangeError(`${name} must be a number of milliseconds, got NaN`);
  if (ms < 0) throw new RangeError(`${name} must not be negative, got ${ms}`);
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be finite, got ${ms}`);
  return ms;
}
