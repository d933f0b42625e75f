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

test("an error thrown in a worker after its job returned is printed, not lost; the next job runs on a new worker", async () => {
  const printed: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void printed.push(args);
  let stopped!: () => void;
  const stop = new Promise<void>((resolve) => (stopped = resolve));
  try {
    await withRuntime(
      async (rt) => {
        const out = await rt.blockOn(async () => {
          const first = await spawnBlocking(() => {
            setTimeout(() => {
              throw new Error("late throw");
            }, 0);
            return "returned";
          });
          // An idle worker does not hold the process: hold it while the worker dies of it.
          const hold = setInterval(() => {}, 1_000);
          await stop;
          clearInterval(hold);
          const next = await spawnBlocking((x: number) => x + 1, 41);
          return [first, next];
        });
        assert.equal(out, ["returned", 42]);
      },
      (b) => b.maxBlockingThreads(1).onThreadStop(() => stopped()),
    );
  } finally {
    console.error = original;
  }
  assert.is(printed.length, 1);
  assert.match(String(printed[0]![0]), /died of an error thrown after its job returned/);
  assert.match(String((printed[0]![1] as Error).message), /late throw/);
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
