import { test } from "uvu";
import * as assert from "uvu/assert";
import { BUDGET, consumeBudget, pending } from "@tokio-ts/core";
import { Builder, spawn, yieldNow } from "../src/index.js";
import { race, withRuntime } from "./helpers.js";

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
    assert.is(alive, 1, "the pending task (the blockOn body is not counted)");
    assert.is(rt.metrics().spawnedTasksCount(), 2);
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

test("a spawn on a shut-down runtime is not counted in spawnedTasksCount (its task never starts)", async () => {
  let hooked = 0;
  const rt = Builder.newCurrentThread().onTaskSpawn(() => void hooked++).build();
  await rt.shutdownTimeout(0);
  const h = rt.spawn(function* () {
    return 1;
  });
  assert.ok(h.isFinished());
  assert.is(rt.metrics().spawnedTasksCount(), 0);
  assert.is(hooked, 0);
});

test("pollCount counts one poll per task run", async () => {
  await withRuntime(async (rt) => {
    await rt.blockOn(
      rt.spawn(function* () {
        yield* yieldNow();
        yield* yieldNow();
      }),
    );
    assert.is(rt.metrics().pollCount(), 3);
  });
});

// Tokio's tests/rt_metrics.rs (num_alive_tasks, worker_poll_count): the future given to
// block_on is not a task, so it is neither counted nor are its polls.
test("the blockOn body is not counted as a task: numAliveTasks, spawnedTasksCount and pollCount leave it out", async () => {
  await withRuntime(async (rt) => {
    const m = rt.metrics();
    const inside = await rt.blockOn(
      rt.spawn(function* () {
        return { alive: m.numAliveTasks(), spawned: m.spawnedTasksCount() };
      }),
    );
    assert.equal(inside, { alive: 1, spawned: 1 });
    assert.is(m.numAliveTasks(), 0);
    assert.is(m.spawnedTasksCount(), 1);
    await rt.blockOn(function* () {
      for (let i = 0; i < 5; i++) yield* spawn(function* () {});
    });
    assert.is(m.spawnedTasksCount(), 6);
    assert.is(m.pollCount(), 6, "one poll per spawned task, none of the blockOn bodies'");
  });
});

test("the blockOn body is not counted while it is alive, nor after the runtime shut it down", async () => {
  const rt = Builder.newCurrentThread().build();
  const root = rt.blockOn(function* () {
    yield* pending();
  });
  await Promise.resolve();
  assert.is(rt.metrics().numAliveTasks(), 0);
  await rt.shutdownTimeout(0);
  await root.catch(() => {});
  assert.is(rt.metrics().numAliveTasks(), 0);
  assert.is(rt.metrics().spawnedTasksCount(), 0);
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

// Tokio's tests/rt_metrics.rs (budget_exhaustion_yield, budget_exhaustion_yield_with_joins):
// the count goes up once when a poll spends the last unit of its budget, however many leaves
// are then refused in that poll.
test("budgetForcedYieldCount counts each task poll that spent its whole budget", async () => {
  const forced = await withRuntime(async (rt) => {
    await rt.blockOn(function* () {
      for (let i = 0; i < 3 * BUDGET; i++) yield* consumeBudget();
    });
    return rt.metrics().budgetForcedYieldCount();
  });
  assert.is(forced, 3, "three polls of 128 units each (the last one completes the task)");
});

test("budgetForcedYieldCount counts an async body's budgets as a generator body's: when each reaches zero (Tokio's count)", async () => {
  for (const n of [BUDGET - 1, BUDGET, 2 * BUDGET, 3 * BUDGET]) {
    const forced = await withRuntime(async (rt) => {
      await rt.blockOn(async () => {
        for (let i = 0; i < n; i++) await consumeBudget();
      });
      return rt.metrics().budgetForcedYieldCount();
    });
    assert.is(forced, Math.floor(n / BUDGET), `${n} units`);
  }
});

test("budgetForcedYieldCount counts an exhausted budget once, however many leaves it refused", async () => {
  const forced = await withRuntime(async (rt) => {
    await rt.blockOn(function* () {
      for (let i = 0; i < BUDGET; i++) yield* consumeBudget();
      // Both branches are refused in the same poll, as two branches of a join would be.
      yield* race(consumeBudget(), consumeBudget());
    });
    return rt.metrics().budgetForcedYieldCount();
  });
  assert.is(forced, 1);
});

test("the metrics of two runtimes are separate", async () => {
  const rt1 = Builder.newCurrentThread().build();
  const rt2 = Builder.newCurrentThread().build();
  try {
    await rt1.blockOn(function* () {
      spawn(function* () {});
    });
    assert.is(rt1.metrics().spawnedTasksCount(), 1);
    assert.is(rt2.metrics().spawnedTasksCount(), 0);
  } finally {
    await rt1.shutdownTimeout(0);
    await rt2.shutdownTimeout(0);
  }
});

test.run();
