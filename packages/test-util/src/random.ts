/**
 * A seeded pseudo-random generator for tests (mulberry32: 32 bits of state, fast, good enough
 * for picking sizes and orders). The same seed gives the same sequence, so a failing random
 * test replays exactly; print the seed with the failure.
 */
import { describe } from "./internal/describe.js";

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
    if (typeof seed !== "number") throw new TypeError(`seed must be a number, got ${typeof seed}`);
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    // The bits above 32 are folded in (0 for seeds below 2^32, whose sequences are unchanged):
    // 1 and 1 + 2^32 give different sequences. A fraction is dropped.
    this.#state = (seed ^ Math.imul(Math.floor(Math.trunc(seed) / 0x1_0000_0000), 0x9e3779b9)) >>> 0;
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
   * An integer in [0, n). A draw has 32 bits: beyond 2^32, `n` is covered by 2^32 evenly
   * spaced values.
   *
   * @example
   * ```ts
   * const index = rng.below(items.length);
   * ```
   *
   * **Throws**: TypeError for a non-number `n`; RangeError unless `n` is a safe integer of at
   * least 1.
   */
  below(n: number): number {
    if (typeof n !== "number") throw new TypeError(`below: n must be a number, got ${describe(n)}`);
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`below: n must be a safe integer of at least 1, got ${n}`);
    return this.#below(n);
  }

  /**
   * An integer in [lo, hi] (both included; `lo === hi` gives `lo`). A range wider than 2^32 is
   * covered by 2^32 evenly spaced values, as in {@link below}.
   *
   * @example
   * ```ts
   * const chunk = rng.between(1, 65536);
   * ```
   *
   * **Throws**: TypeError for a non-number `lo` or `hi`; RangeError unless both are safe
   * integers with `lo <= hi`.
   */
  between(lo: number, hi: number): number {
    if (typeof lo !== "number") throw new TypeError(`between: lo must be a number, got ${describe(lo)}`);
    if (typeof hi !== "number") throw new TypeError(`between: hi must be a number, got ${describe(hi)}`);
    if (!Number.isSafeInteger(lo)) throw new RangeError(`between: lo must be a safe integer, got ${lo}`);
    if (!Number.isSafeInteger(hi)) throw new RangeError(`between: hi must be a safe integer, got ${hi}`);
    if (lo > hi) throw new RangeError(`between: lo must be at most hi, got lo ${lo} and hi ${hi}`);
    return lo + this.#below(hi - lo + 1);
  }

  /**
   * Shuffle `items` in place (Fisher–Yates) and return it.
   *
   * @example
   * ```ts
   * rng.shuffle(order);
   * ```
   *
   * **Throws**: TypeError unless `items` is an array.
   */
  shuffle<T>(items: T[]): T[] {
    if (!Array.isArray(items)) throw new TypeError(`shuffle: items must be an array, got ${describe(items)}`);
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.#below(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** An integer in [0, n) for a positive integer `n`, unchecked. */
  #below(n: number): number {
    return Math.floor(this.next() * n);
  }
}
