import { test } from "uvu";
import * as assert from "uvu/assert";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { BlockQueue } from "../src/collections/index.js";

/** A small deterministic generator (mulberry32); core's tests cannot depend on test-util. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("BlockQueue is FIFO across many blocks", () => {
  const q = new BlockQueue<number>();
  for (let i = 0; i < 1000; i++) q.push(i);
  assert.is(q.length, 1000);
  assert.is(q.peek(), 0);
  for (let i = 0; i < 1000; i++) assert.is(q.shift(), i);
  assert.is(q.length, 0);
  assert.is(q.shift(), undefined);
  assert.is(q.peek(), undefined);
});

test("BlockQueue matches an array under random pushes and shifts", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const next = rng(seed);
    const q = new BlockQueue<number>();
    const model: number[] = [];
    let value = 0;
    for (let step = 0; step < 5000; step++) {
      // Phases that grow and drain, so the queue crosses block ends in both directions.
      const pushBias = Math.floor(step / 500) % 2 === 0 ? 0.7 : 0.3;
      if (next() < pushBias) {
        q.push(value);
        model.push(value++);
      } else {
        assert.is(q.shift(), model.shift(), `seed ${seed} step ${step}`);
      }
      assert.is(q.length, model.length);
      assert.is(q.peek(), model[0]);
    }
    while (model.length > 0) assert.is(q.shift(), model.shift());
    assert.is(q.length, 0);
  }
});

test("BlockQueue.peek sees the next block when the head block is spent", () => {
  const q = new BlockQueue<number>();
  for (let i = 0; i < 40; i++) q.push(i);
  for (let i = 0; i < 32; i++) q.shift();
  assert.is(q.peek(), 32);
  assert.is(q.shift(), 32);
});

test("BlockQueue.clear empties it and it stays usable", () => {
  const q = new BlockQueue<number>();
  for (let i = 0; i < 100; i++) q.push(i);
  q.shift();
  q.clear();
  assert.is(q.length, 0);
  assert.is(q.shift(), undefined);
  for (let i = 0; i < 70; i++) q.push(i);
  for (let i = 0; i < 70; i++) assert.is(q.shift(), i);
});

test("BlockQueue lets go of shifted items (slots are cleared)", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const q = new BlockQueue<object>();
  const refs: WeakRef<object>[] = [];
  for (let i = 0; i < 40; i++) {
    const item = { i };
    refs.push(new WeakRef(item));
    q.push(item);
  }
  for (let i = 0; i < 35; i++) q.shift();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const alive = refs.map((r) => r.deref() !== undefined);
  assert.equal(alive.indexOf(true), 35);
  assert.is(alive.filter(Boolean).length, 5);
});

test.run();
