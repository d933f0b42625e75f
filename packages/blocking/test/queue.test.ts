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

/**
 * A job of about `ms` ms that returns when it started (`process.hrtime`: one clock for every
 * thread of the process), to sort the jobs by start. Plain arguments only: a job with shared or
 * transferred ones is only ever given to an idle worker, never queued in a busy one's ring.
 */
function startedAt(ms: number): string {
  const at = String(process.hrtime.bigint());
  const end = performance.now() + ms;
  while (performance.now() < end);
  return at;
}

test("a job queued behind a long one on a busy worker does not wait for all the later jobs: another thread takes it", async () => {
  await withRuntime(
    async (rt) => {
      const gate = new Gate();
      const order = await rt.blockOn(function* () {
        // Two warm workers, whose few-ms jobs keep the rings short (2 jobs).
        for (let i = 0; i < 5; i++) {
          const pair = [spawnBlocking(startedAt, 2), spawnBlocking(startedAt, 2)];
          for (const h of pair) yield* h;
        }
        const long = spawnBlocking(blockThenMark, gate.buffer, 1, 1);
        const jobs = Array.from({ length: 20 }, () => spawnBlocking(startedAt, 2));
        const starts: bigint[] = [];
        for (const h of jobs) starts.push(BigInt(yield* h)); // all of them while `long` still blocks
        gate.open();
        yield* long;
        return starts.map((at, i) => [at, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, i]) => i);
      });
      // Job 0 goes to the free worker and job 1 into the long job's ring; before, job 1 waited
      // there until the other 19 had run (it started last). Now it is moved once the long job
      // has run a few times longer than jobs take, so it starts among the first.
      const rank = order.indexOf(1);
      assert.ok(rank <= 8, `the job queued behind the long one started as number ${rank} of 20 (order ${order.join(",")})`);
    },
    (b) => b.maxBlockingThreads(2),
  );
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
