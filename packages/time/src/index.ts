/**
 * `@tokio-ts/time`: Instant, sleep, interval, timeout and the paused clock, on a timing wheel.
 *
 * @packageDocumentation
 */
export { Instant } from "./instant.js";
export { Sleep, sleep, sleepUntil } from "./sleep.js";
export { Interval, interval, intervalAt, MissedTickBehavior } from "./interval.js";
export { Timeout, timeout, timeoutAt } from "./timeout.js";
export { pause, resume, advance } from "./pause.js";
export { Elapsed, TimeError } from "./errors.js";
