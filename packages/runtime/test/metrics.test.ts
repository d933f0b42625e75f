import { test } from "uvu";
import * as assert from "uvu/assert";
import { consumeBudget, pending } from "@tokio-ts/core";
import { Builder, spawn, yieldNow } from "../src/index.js";
import { withRuntime } from "./helpers.js";

test("a new runtime has all counters at zero", async () => {
  await withRuntime((rt) => {
    const m = rt.metrics();
    assert.is(m.numAliveTasks(), 0);
    assert.is(m.spawnedTasksCount(), 0);
    assert.is(m.pollCount(), 0);
    assert.is(m.budgetForcedYieldCount(), 0);
    assert.is(m.runQueueDepth(), 0);
  });
});

test("spawnedTasksCount counts every task, numAliveTasks only those not completed", async () => {
  await withRuntime(async (rt) => {
    const alive = await rt.blockOn(function* () {
      spawn(function* () {
        yield* pending();
      });
      const done = spawn(function* () {});
      yield* done;
      return rt.metrics().numAliveTasks();
    });
    assert.is(alive, 2, "the blockOn task and the pending one");
    assert.is(rt.metrics().spawnedTasksCount(), 3);
    assert.is(rt.metrics().numAliveTasks(), 1, "the pending task");
  });
});

test("numAliveTasks drops to zero after shutdown", async () => {
  const rt = Builder.newCurrentThread().build();
  rt.spawn(function* () {
    yield* pending();
  });
  await rt.shutdownTimeout(0);
  assert.is(rt.metrics().numAliveTasks(), 0);
});

test("pollCount counts one poll per task run", async () => {
  await withRuntime(async (rt) => {
    await rt.blockOn(function* () {
      yield* yieldNow();
      yield* yieldNow();
    });
    assert.is(rt.metrics().pollCount(), 3);
  });
});

test("runQueueDepth counts the tasks ready to run", async () => {
  const depth = await withRuntime((rt) =>
    rt.blockOn(function* () {
      for (let i = 0; i < 3; i++) spawn(function* () {});
      return rt.metrics().runQueueDepth();
    }),
  );
  assert.is(depth, 3);
});

test("budgetForcedYieldCount counts each forced yield", async () => {
  const forced = await withRuntime(async (rt) => {
    await rt.blockOn(function* () {
      for (let i = 0; i < 3 * 128; i++) yield* consumeBudget();
    });
    return rt.metrics().budgetForcedYieldCount();
  });
  assert.is(forced, 2);
});

test("the metrics of two runtimes are separate", async () => {
  const rt1 = Builder.newCurrentThread().build();
  const rt2 = Builder.newCurrentThread().build();
  try {
    await rt1.blockOn(function* () {
      spawn(function* () {});
    });
    assert.is(rt1.metrics().spawnedTasksCount(), 2);
    assert.is(rt2.metrics().spawnedTasksCount(), 0);
  } finally {
    await rt1.shutdownTimeout(0);
    await rt2.shutdownTimeout(0);
  }
});

test.run();
