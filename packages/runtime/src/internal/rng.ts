/**
 * A small seeded PRNG (xorshift32, Marsaglia 2003) for the runtime's random choices: the order
 * of ready tasks under a shuffled test schedule, and `select`'s branch order. Deterministic for
 * a given seed; not for cryptography.
 */
export class Rng {
  #state: number;

  constructor(seed: number) {
    // Mix the seed so that small consecutive seeds give unrelated streams; 0 is not a valid state.
    let s = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
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

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.nextU32() / 0x1_0000_0000) * n);
  }
}
