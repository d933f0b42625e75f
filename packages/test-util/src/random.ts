/**
 * A seeded pseudo-random generator for tests (mulberry32: 32 bits of state, fast, good enough
 * for picking sizes and orders). The same seed gives the same sequence, so a failing random
 * test replays exactly; print the seed with the failure.
 */

/**
 * A seeded pseudo-random generator.
 *
 * @example
 * ```ts
 * const rng = new SeededRng(0x5eed);
 * const size = rng.between(1, 4096); // the same on every run
 * rng.shuffle(items);
 * ```
 */
export class SeededRng {
  #state: number;

  constructor(seed: number) {
    if (typeof seed !== "number" || !Number.isFinite(seed)) {
      throw new TypeError(`seed must be a finite number, got ${String(seed)}`);
    }
    this.#state = seed >>> 0;
  }

  /**
   * The next float in [0, 1).
   *
   * @example
   * ```ts
   * if (rng.next() < 0.1) dropTheConnection();
   * ```
   */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * An integer in [0, n).
   *
   * @example
   * ```ts
   * const index = rng.below(items.length);
   * ```
   */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * An integer in [lo, hi].
   *
   * @example
   * ```ts
   * const chunk = rng.between(1, 65536);
   * ```
   */
  between(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /**
   * Shuffle `items` in place (Fisher–Yates) and return it.
   *
   * @example
   * ```ts
   * rng.shuffle(order);
   * ```
   */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }
}
