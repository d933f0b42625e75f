import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { Instant } from "@tokio-ts/time";
import { ExpiryHeap, type Expiry } from "../src/internal/expiry-heap.js";

/** Seeded floats in [0, 1): a failing run replays. */
function prng(seed: number): () => number {
  const rng = new SeededRng(seed);
  return () => rng.next();
}

test("pop returns pairs earliest first, against a sorted model, under random push/pop/retain (20 seeds)", () => {
  const at = Instant.now();
  for (let seed = 1; seed <= 20; seed++) {
    const random = prng(seed);
    const heap = new ExpiryHeap();
    let model: Expiry[] = [];
    for (let step = 0; step < 2000; step++) {
      const r = random();
      if (r < 0.55) {
        const item = { when: Math.floor(random() * 500), at, key: `k${step}` };
        heap.push(item);
        model.push(item);
      } else if (r < 0.95) {
        const got = heap.pop();
        model.sort((a, b) => a.when - b.when);
        const expected = model.shift();
        assert.is(got?.when, expected?.when, `seed ${seed} step ${step}`);
        if (got !== undefined) model = model.filter((m) => m !== got).concat(expected !== got && expected !== undefined ? [expected] : []);
      } else {
        const cut = Math.floor(random() * 500);
        heap.retain((item) => item.when >= cut);
        model = model.filter((item) => item.when >= cut);
      }
      assert.is(heap.size, model.length);
      assert.is(heap.peek()?.when, model.length === 0 ? undefined : Math.min(...model.map((m) => m.when)));
    }
  }
});

test.run();
