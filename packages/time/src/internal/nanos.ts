/**
 * The nanosecond grid that instants and sleep deadlines are kept on (Tokio's `Instant` and
 * `Duration` count whole nanoseconds): float milliseconds from `performance.now()` and from sums
 * such as `now + 0.7` carry binary fractions, and a deadline 1e-14 ms past a whole millisecond
 * would fire a tick late.
 */

/**
 * From this many ms on (2^32 ms, about 50 days) a double's own spacing is about a nanosecond
 * or coarser: rounding to nanoseconds can no longer snap to a nanosecond, only move the value
 * (a whole 693798753085 came back as 693798753084.9999, and a deadline moved so can fire a
 * tick late).
 */
const NANO_GRID_LIMIT = 2 ** 32;

/**
 * `ms` rounded to a whole number of nanoseconds, below `NANO_GRID_LIMIT`; unchanged from
 * there on. Float milliseconds from `performance.now()` carry binary fractions: without this,
 * `a + 250 - a` can be 249.99999999999997.
 */
export function toNanos(ms: number): number {
  return Math.abs(ms) < NANO_GRID_LIMIT ? Math.round(ms * 1e6) / 1e6 : ms;
}
