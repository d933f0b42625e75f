import { test } from "uvu";
import * as assert from "uvu/assert";
import { yieldNow } from "@tokio-ts/runtime";
import { blockingMetrics, spawnBlocking } from "../src/index.js";
import { blockThenMark, Gate, withRuntime } from "./helpers.js";

/** A job that appends `id` to the log in words 8.. (word 7 counts the entries). */
function logged(buffer: SharedArrayBuffer, id: number): number {
  const words = new Int32Array(buffer);
  const at = Atomics.add(words, 7, 1);
  Atomics.store(words, 8 + at, id);
  return id;
}

test("queued jobs start in the order they were spawned (FIFO)", async () => {
  await withRuntime(
    async (rt) => {
      const gate = new Gate();
      await rt.blockOn(function* () {
        const blocker = spawnBlocking(blockThenMark, gate.buffer, 1, 1);
        const handles = Array.from({ length: 40 }, (_, i) => spawnBlocking(logged, gate.buffer, i));
        yield* yieldNow();
        gate.open();
        yield* blocker;
        for (const h of handles) yield* h;
      });
      const log = Array.from({ length: gate.word(7) }, (_, i) => gate.word(8 + i));
      assert.equal(log, Array.from({ length: 40 }, (_, i) => i));
    },
    (b) => b.maxBlockingThreads(1),
  );
});

test("a long job does not hold back the others: they all run on the other thread meanwhile", async () => {
  await withRuntime(async (rt) => {
    const gate = new Gate();
    const out = await rt.blockOn(function* () {
      const long = spawnBlocking(blockThenMark, gate.buffer, 1, 1);
      const quick = Array.from({ length: 50 }, (_, i) => spawnBlocking((x: number) => x * 2, i));
      let sum = 0;
      for (const h of quick) sum += yield* h; // completes while `long` still blocks
      const stillBlocked = gate.word(1) === 0 && !long.isFinished();
      gate.open();
      yield* long;
      return [sum, stillBlocked];
    });
    assert.equal(out, [2 * ((49 * 50) / 2), true]);
  });
});

test("metrics: threads, idle threads, queue depth and completed jobs", async () => {
  await withRuntime(
    async (rt) => {
      const gate = new Gate();
      const out = await rt.blockOn(async () => {
        const m = blockingMetrics();
        const before = [m.numBlockingThreads(), m.blockingQueueDepth(), m.completedBlockingJobsCount()];
        const handles = [1, 2, 3].map((i) => spawnBlocking(blockThenMark, gate.buffer, i, i));
        while (gate.word(0) === 0 && m.blockingQueueDepth() !== 2) await yieldNow();
        const busy = [m.numBlockingThreads(), m.numIdleBlockingThreads(), m.blockingQueueDepth(), m.spawnedBlockingJobsCount()];
        gate.open();
        for (const h of handles) await h;
        const after = [m.numBlockingThreads(), m.numIdleBlockingThreads(), m.blockingQueueDepth(), m.completedBlockingJobsCount()];
        return { before, busy, after };
      });
      assert.equal(out.before, [0, 0, 0]);
      assert.equal(out.busy, [1, 0, 2, 3]);
      assert.equal(out.after, [1, 1, 0, 3]);
    },
    (b) => b.maxBlockingThreads(1),
  );
});

test("many jobs over two threads all complete with the right results", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(function* () {
      const handles = Array.from({ length: 5_000 }, (_, i) => spawnBlocking((x: number) => x + 1, i));
      let sum = 0;
      for (const h of handles) sum += yield* h;
      return [sum, blockingMetrics().numBlockingThreads()];
    });
    assert.equal(out, [(5_000 * 5_001) / 2, 2]);
  });
});

test.run();
