import { test } from "uvu";
import * as assert from "uvu/assert";
import type { JoinError } from "@tokio-ts/runtime";
import { blockingMetrics, spawnBlocking, WorkerExitError } from "../src/index.js";
import { withRuntime } from "./helpers.js";

test("a job that calls process.exit fails alone; the jobs queued behind it run on a new worker", async () => {
  const stops: number[] = [];
  await withRuntime(
    async (rt) => {
      const out = await rt.blockOn(async () => {
        const before = spawnBlocking((x: number) => x, 1);
        const exits = spawnBlocking(() => process.exit(3));
        const after = [spawnBlocking((x: number) => x * 10, 2), spawnBlocking((x: number) => x * 10, 3)];
        const first = await before;
        let error: JoinError | undefined;
        try {
          await exits;
        } catch (e) {
          error = e as JoinError;
        }
        const rest = [await after[0]!, await after[1]!];
        return { first, error, rest, threads: blockingMetrics().numBlockingThreads() };
      });
      assert.is(out.first, 1);
      assert.ok(out.error?.isPanic());
      const cause = out.error!.cause as WorkerExitError;
      assert.instance(cause, WorkerExitError);
      assert.is(cause.code, "ERR_BLOCKING_WORKER_EXITED");
      assert.is(cause.exitCode, 3);
      assert.equal(out.rest, [20, 30]);
      assert.is(out.threads, 1);
      assert.is(stops.length, 1);
    },
    (b) => b.maxBlockingThreads(1).onThreadStop(({ threadId }) => stops.push(threadId)),
  );
});

test("a job that runs out of memory (resourceLimits) fails alone with the worker's error as cause", async () => {
  await withRuntime(
    async (rt) => {
      const out = await rt.blockOn(async () => {
        const hog = spawnBlocking(() => {
          const keep: number[][] = [];
          for (;;) keep.push(new Array(100_000).fill(1.5));
        });
        const after = spawnBlocking(() => "still here");
        let error: JoinError | undefined;
        try {
          await hog;
        } catch (e) {
          error = e as JoinError;
        }
        return { error, after: await after };
      });
      const cause = out.error!.cause as WorkerExitError;
      assert.instance(cause, WorkerExitError);
      assert.is((cause.cause as { code?: string }).code, "ERR_WORKER_OUT_OF_MEMORY");
      assert.is(out.after, "still here");
    },
    (b) => b.maxBlockingThreads(1).threadResourceLimits({ maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 }),
  );
});

test.run();
