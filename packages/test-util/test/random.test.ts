import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "../src/index.js";

test("the same seed gives the same sequence, another seed another one", () => {
  const take = (seed: number) => {
    const rng = new SeededRng(seed);
    return Array.from({ length: 16 }, () => rng.next());
  };
  assert.equal(take(42), take(42));
  assert.not.equal(take(42), take(43));
});

test("next() stays in [0, 1) and below/between stay in their ranges, covering them", () => {
  const rng = new SeededRng(7);
  const seenBelow = new Set<number>();
  const seenBetween = new Set<number>();
  for (let i = 0; i < 10_000; i++) {
    const x = rng.next();
    assert.ok(x >= 0 && x < 1, `next() gave ${x}`);
    const b = rng.below(10);
    assert.ok(Number.isInteger(b) && b >= 0 && b < 10);
    seenBelow.add(b);
    const c = rng.between(-3, 3);
    assert.ok(Number.isInteger(c) && c >= -3 && c <= 3);
    seenBetween.add(c);
  }
  assert.is(seenBelow.size, 10);
  assert.is(seenBetween.size, 7);
});

test("shuffle permutes in place and is reproducible", () => {
  const a = new SeededRng(1).shuffle([1, 2, 3, 4, 5, 6, 7, 8]);
  const b = new SeededRng(1).shuffle([1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(a, b);
  assert.equal([...a].sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.not.equal(a, [1, 2, 3, 4, 5, 6, 7, 8]);
});

test("a seed that is not a finite number is a TypeError naming it", () => {
  assert.throws(() => new SeededRng(Number.NaN), (e: unknown) => e instanceof TypeError && /seed/.test(e.message));
  assert.throws(() => new SeededRng("1" as never), TypeError);
});

test.run();
