/**
 * The two job bodies every pool runs, in one place. They are plain functions so that
 * tokio-ts can send them as source, and the peers' worker scripts export them.
 */

/** The tiny job: one addition. */
export function inc(x: number): number {
  return x + 1;
}

/** The CPU job: spin for `ms` milliseconds of the worker's clock. */
export function spin(ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) n++;
  return n;
}
