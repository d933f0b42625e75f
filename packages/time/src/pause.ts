/**
 * Controlling the clock: pause, resume, advance (Tokio's `time::pause`, `resume`, `advance`).
 */
import { yieldNow, type Future } from "@tokio-ts/core";
import { checkDuration } from "./errors.js";
import { currentTimeDriver } from "./internal/current.js";

/**
 * Freeze the current runtime's clock. Time then moves only by {@link advance} and by
 * auto-advance: when every task is idle, the clock jumps to the next timer's deadline. A test
 * of a 24-hour retry loop runs in milliseconds, deterministically. `Builder.startPaused(true)`
 * starts the runtime this way. While a `spawnBlocking` job is queued or running, auto-advance
 * waits for it (as Tokio), so a `timeout` around the job does not expire in virtual time.
 *
 * @example
 * ```ts
 * pause();
 * const start = Instant.now();
 * yield* sleep(24 * 3600 * 1000); // returns at once in real time
 * start.elapsed(); // 86400000
 * ```
 *
 * **Throws**: TimeError "time is already frozen: …"; ContextError outside a runtime with time.
 */
export function pause(): void {
  const driver = currentTimeDriver("pause()");
  driver.clock.pause();
  driver.clockChanged();
}

/**
 * Unfreeze the clock; it continues from where it was (it never goes back).
 *
 * @example
 * ```ts
 * pause(); yield* advance(10); resume();
 * ```
 *
 * **Throws**: TimeError "time is not frozen: …"; ContextError outside a runtime with time.
 */
export function resume(): void {
  const driver = currentTimeDriver("resume()");
  driver.clock.resume();
  driver.clockChanged();
}

/**
 * Move the paused clock forward by `ms` and fire the timers now due; the returned future then
 * yields once so that the tasks they woke run first.
 *
 * @example
 * ```ts
 * pause();
 * const s = sleep(100);
 * yield* advance(100);
 * s.isElapsed(); // true
 * ```
 *
 * **Cancel safety**: the clock has moved when `advance` returns; dropping the future only
 * skips the yield.
 *
 * **Throws**: RangeError/TypeError for a bad `ms`, or one that would move the clock past
 * `Number.MAX_SAFE_INTEGER` ms (about 285,000 years); TimeError "time is not frozen: …";
 * ContextError outside a runtime with time.
 */
export function advance(ms: number): Future<void> {
  checkDuration("ms", ms);
  const driver = currentTimeDriver("advance()");
  driver.clock.advance(ms);
  driver.clockChanged();
  return yieldNow();
}
