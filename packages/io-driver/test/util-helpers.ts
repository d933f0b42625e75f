/** Shared helpers of the util-* tests: a seeded PRNG, test data and a checksum. */
import { SeededRng } from "@tokio-ts/test-util";

/** A seeded PRNG (test-util's SeededRng); returns floats in [0, 1). */
export function prng(seed: number): () => number {
  const rng = new SeededRng(seed);
  return () => rng.next();
}

/** An integer in [min, max]. */
export function randInt(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

/** `n` pseudo-random bytes from `seed`. */
export function makeData(n: number, seed: number): Uint8Array {
  const rand = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() * 256) | 0;
  return out;
}

/** A running FNV-1a checksum with a byte count. */
export class Checksum {
  hash = 0x811c9dc5;
  count = 0;

  update(bytes: Uint8Array): void {
    let h = this.hash;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
    this.hash = h;
    this.count += bytes.length;
  }

  static of(bytes: Uint8Array): Checksum {
    const c = new Checksum();
    c.update(bytes);
    return c;
  }
}

export const enc = new TextEncoder();
export const dec = new TextDecoder();

/** The rejection of a promise (fails if it resolves). */
export async function rejection(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}
