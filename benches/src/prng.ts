/**
 * A seeded pseudo-random generator, so that every implementation of a timer workload gets the
 * same deadlines, run after run.
 *
 * Source: mulberry32 (Tommy Ettinger, public domain), a 32-bit state generator whose output
 * passes gjrand and PractRand up to the sizes used here; ample for picking durations, not for
 * anything that needs cryptographic or statistical quality.
 */

/** A generator of floats in [0, 1) from `seed`. */
export function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed every timer workload uses unless told otherwise. */
export const SEED = 0x70c10;

/**
 * `n` integers drawn uniformly from [min, max] (both included) by a generator seeded with
 * `seed`: the same array for the same options.
 */
export function uniformInts(options: { n: number; min: number; max: number; seed?: number }): Int32Array {
  const { n, min, max, seed = SEED } = options;
  const next = mulberry32(seed);
  const out = new Int32Array(n);
  const span = max - min + 1;
  for (let i = 0; i < n; i++) out[i] = min + Math.floor(next() * span);
  return out;
}
