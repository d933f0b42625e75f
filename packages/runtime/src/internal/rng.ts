/**
 * A small seeded PRNG (xorshift32, Marsaglia 2003) for the runtime's random choices: the order
 * of ready tasks under a shuffled test schedule, and `select`'s branch order. Deterministic for
 * a given seed; not for cryptography.
 */
export class Rng {
  #state: number;

  constructor(seed: number) {
    // Mix the seed so that small consecutive seeds give unrelated streams; 0 is not a valid state.
    // A seed is any safe integer: its bits above 32 are folded in (they are 0 for the usual
    // seeds, whose streams this leaves as they were), so 1 and 1 + 2^32 differ.
    const high = Math.floor(seed / 0x1_0000_0000);
    let s = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(high, 0xc2b2ae35)) >>> 0;
    s ^= s >>> 13;
    this.#state = s === 0 ? 0x6d2b79f5 : s;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextU32(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }

  /**
   * An integer in [0, n), for an integer `n` from 1 to {@link RNG_BELOW_MAX}: the draw scales
   * one 32-bit output, so a larger `n` would leave most of its range unreachable. Unchecked, as
   * the scheduler calls it for every shuffled poll; public callers check first
   * (`Handle.randomBelow`).
   */
  below(n: number): number {
    return Math.floor((this.nextU32() / 0x1_0000_0000) * n);
  }
}

/** The largest `n` for which {@link Rng.below} can draw every integer of [0, n): 2^32, one draw's range. */
export const RNG_BELOW_MAX = 0x1_0000_0000;
