import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "../src/index.js";
import { throwsWith } from "./throws-with.js";

test("the same seed gives the same sequence, another seed another one", () => {
  const take = (seed: number) => {
    const rng = new SeededRng(seed);
    return Array.from({ length: 16 }, () => rng.next());
  };
  assert.equal(take(42), take(42));
  assert.not.equal(take(42), take(43));
});

test("seeds that differ only above 32 bits give different sequences (every safe integer is its own seed)", () => {
  const take = (seed: number) => {
    const rng = new SeededRng(seed);
    return Array.from({ length: 8 }, () => rng.next());
  };
  assert.not.equal(take(1), take(1 + 2 ** 32));
  assert.not.equal(take(0), take(2 ** 32));
  assert.not.equal(take(1), take(1 - 2 ** 32));
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

test("a seed that is not a number is a TypeError, and one that is not finite a RangeError, naming it", () => {
  throwsWith(() => new SeededRng(Number.NaN), RangeError, "seed must be a finite number, got NaN");
  throwsWith(() => new SeededRng(Infinity), RangeError, "seed must be a finite number, got Infinity");
  throwsWith(() => new SeededRng("5" as never), TypeError, "seed must be a number, got string");
});

test("below(n) requires an integer n of at least 1: RangeError for 0, negative, fractional or NaN, TypeError for a non-number", () => {
  const rng = new SeededRng(1);
  for (const n of [0, -5, 2.5, NaN, Infinity]) {
    throwsWith(() => rng.below(n), RangeError, `below: n must be a safe integer of at least 1, got ${n}`);
  }
  throwsWith(() => rng.below("3" as never), TypeError, "below: n must be a number, got string");
  assert.is(rng.below(1), 0);
});

test("between(lo, hi) requires integers with lo <= hi: RangeError for a reversed or fractional range, TypeError naming a non-number", () => {
  const rng = new SeededRng(1);
  throwsWith(() => rng.between(5, 1), RangeError, "between: lo must be at most hi, got lo 5 and hi 1");
  throwsWith(() => rng.between(0.5, 3), RangeError, "between: lo must be a safe integer, got 0.5");
  throwsWith(() => rng.between(0, NaN), RangeError, "between: hi must be a safe integer, got NaN");
  throwsWith(() => rng.between("1" as never, 3), TypeError, "between: lo must be a number, got string");
  throwsWith(() => rng.between(0, null as never), TypeError, "between: hi must be a number, got null");
  assert.is(rng.between(4, 4), 4);
  const wide = rng.between(2 ** 36, 2 ** 39); // wider than one 32-bit draw: still an integer in range
  assert.ok(Number.isInteger(wide) && wide >= 2 ** 36 && wide <= 2 ** 39);
});

test("shuffle requires an array: a TypeError naming items", () => {
  const rng = new SeededRng(1);
  throwsWith(() => rng.shuffle(null as never), TypeError, "shuffle: items must be an array, got null");
  throwsWith(() => rng.shuffle("abc" as never), TypeError, "shuffle: items must be an array, got string");
});

test.run();
