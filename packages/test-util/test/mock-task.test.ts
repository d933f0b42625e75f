import { test } from "uvu";
import * as assert from "uvu/assert";
import { BUDGET, consumeBudget, fromAsync, fromGenerator, Future, pending, Pending, pollFn, ready, type Context, type Waker } from "@tokio-ts/core";
import { assertPending, assertReady, mockTask, MockTask } from "../src/index.js";
import { throwsWith } from "./throws-with.js";

/** A leaf that is pending until `fire()`, and counts its cancellations. */
class Trigger extends Future<string> {
  waker: Waker | undefined;
  fired = false;
  cancelled = 0;
  override poll(cx: Context) {
    if (this.fired) return "fired";
    this.waker = cx.waker;
    return Pending;
  }
  override cancel(): void {
    this.cancelled++;
  }
  fire(): void {
    this.fired = true;
    this.waker?.wake();
  }
}

test("mockTask polls a ready future to its output", () => {
  const task = mockTask(ready(3));
  assert.instance(task, MockTask);
  assert.is(task.poll(), 3);
  assert.ok(task.isDone());
});

test("a mock task counts the wake-ups of its future", () => {
  const t = new Trigger();
  const task = mockTask(t);
  assertPending(task.poll());
  assert.is(task.wakeCount, 0);
  assert.not.ok(task.isWoken());
  t.fire();
  assert.is(task.wakeCount, 1);
  assert.ok(task.isWoken());
  assertReady(task.poll(), "fired");
});

test("isWoken is cleared by the next poll", () => {
  const task = mockTask(
    pollFn((cx) => {
      cx.waker.wake();
      return Pending;
    }),
  );
  task.poll();
  assert.ok(task.isWoken(), "woken during the poll");
  task.waker.wake();
  assert.is(task.wakeCount, 2);
  const fresh = mockTask(pending());
  fresh.poll();
  assert.not.ok(fresh.isWoken());
});

test("poll clears isWoken before polling, so a wake from an earlier round does not linger", () => {
  const t = new Trigger();
  const task = mockTask(t);
  task.poll();
  task.waker.wake();
  assert.ok(task.isWoken());
  task.poll();
  assert.not.ok(task.isWoken());
});

test("drop cancels a pending future once", () => {
  const t = new Trigger();
  const task = mockTask(t);
  task.poll();
  task.drop();
  task.drop();
  assert.is(t.cancelled, 1);
  assert.ok(task.isDone());
});

test("drop runs the finally blocks of a generator future", () => {
  const log: string[] = [];
  const task = mockTask(
    fromGenerator(function* () {
      try {
        yield* pending();
      } finally {
        log.push("finally");
      }
    }),
  );
  assertPending(task.poll());
  task.drop();
  assert.equal(log, ["finally"]);
});

test("drop after the future completed does not cancel it", () => {
  let cancelled = 0;
  const task = mockTask(pollFn(() => 1, () => cancelled++));
  task.poll();
  task.drop();
  assert.is(cancelled, 0);
});

test("`using` a mock task drops it at the end of the scope", () => {
  const t = new Trigger();
  {
    using task = mockTask(t);
    task.poll();
  }
  assert.is(t.cancelled, 1);
});

test("polling a mock task after its future completed throws", () => {
  const task = mockTask(ready(1));
  task.poll();
  assert.throws(() => task.poll(), /polled after its future completed/);
});

test("polling a mock task after drop throws", () => {
  const task = mockTask(pending());
  task.drop();
  assert.throws(() => task.poll(), /polled after its future was dropped/);
});

test("a poll that throws propagates and ends the task", () => {
  const task = mockTask(
    pollFn(() => {
      throw new Error("boom");
    }),
  );
  assert.throws(() => task.poll(), /boom/);
  assert.ok(task.isDone());
  assert.throws(() => task.poll(), /polled after its future failed/);
});

test("each poll gets a fresh budget of 128 by default, so busy loops yield as in a runtime", () => {
  let iterations = 0;
  const task = mockTask(
    fromGenerator(function* () {
      for (;;) {
        yield* consumeBudget();
        iterations++;
      }
    }),
  );
  assertPending(task.poll());
  assert.is(iterations, BUDGET);
  assert.ok(task.isWoken(), "the budget made the task wake itself");
  assert.is(task.forcedYields, 1);
  assert.is(task.budgetRemaining, 0);
  assertPending(task.poll());
  assert.is(iterations, 2 * BUDGET);
  assert.is(task.pollCount, 2);
});

test("the budget option sets the budget of each poll", () => {
  let iterations = 0;
  const task = mockTask(
    fromGenerator(function* () {
      for (let i = 0; i < 10; i++) {
        yield* consumeBudget();
        iterations++;
      }
      return "done";
    }),
    { budget: 4 },
  );
  assertPending(task.poll());
  assert.is(iterations, 4);
  const unconstrained = mockTask(
    fromGenerator(function* () {
      for (let i = 0; i < 1000; i++) yield* consumeBudget();
      return "done";
    }),
    { budget: Infinity },
  );
  assertReady(unconstrained.poll(), "done");
});

test("a negative or NaN budget is a RangeError", () => {
  assert.throws(() => mockTask(ready(1), { budget: -1 }), (e: unknown) => e instanceof RangeError);
  assert.throws(() => mockTask(ready(1), { budget: NaN }), (e: unknown) => e instanceof RangeError);
});

test("mockTask rejects what is not a future with a TypeError naming future, at construction", () => {
  throwsWith(() => mockTask(null as never), TypeError, "mockTask: future must be a future (with poll and cancel methods), got null");
  throwsWith(() => mockTask(5 as never), TypeError, "mockTask: future must be a future (with poll and cancel methods), got number");
  throwsWith(
    () => mockTask((() => 1) as never),
    TypeError,
    "mockTask: future must be a future (with poll and cancel methods), got a function (wrap it with fromGenerator() or fromAsync())",
  );
  throwsWith(
    () => new MockTask({ poll: () => 1 } as never),
    TypeError,
    "mockTask: future must be a future (with poll and cancel methods), got an object without them",
  );
});

test("mockTask rejects options that are not an object, and a budget that is not a number, with a TypeError", () => {
  throwsWith(() => mockTask(ready(1), null as never), TypeError, "mockTask: options must be an object, got null");
  throwsWith(() => mockTask(ready(1), 5 as never), TypeError, "mockTask: options must be an object, got number");
  throwsWith(() => mockTask(ready(1), [] as never), TypeError, "mockTask: options must be an object, got an array");
  throwsWith(() => mockTask(ready(1), Promise.resolve({ budget: 1 }) as never), TypeError, "mockTask: options must be an object, got a promise (await it first)");
  throwsWith(() => mockTask(ready(1), { budget: "5" as never }), TypeError, "budget must be a number, got string");
  throwsWith(() => mockTask(ready(1), { budget: -1 }), RangeError, "budget must be a whole number ≥ 0 or Infinity, got -1");
  throwsWith(() => mockTask(ready(1), { budget: 0.5 }), RangeError, "budget must be a whole number ≥ 0 or Infinity, got 0.5");
  throwsWith(() => mockTask(ready(1), { budget: null as never }), TypeError, "budget must be a number, got null");
  assert.is(assertReady(mockTask(ready(1), { budget: Infinity }).poll()), 1);
  throwsWith(() => mockTask(ready(1), { budjet: 5 } as never), TypeError, 'mockTask: unknown option "budjet" (known: budget)');
});

test("an async future's awaits are polled by the mock task", async () => {
  const t = new Trigger();
  const task = mockTask(fromAsync(async () => `got ${await t}`));
  assertPending(task.poll());
  await hostTurn(); // `await` registers with the async future from a microtask, and wakes the task
  assert.ok(task.isWoken());
  assertPending(task.poll());
  assert.ok(t.waker !== undefined, "the trigger was polled by the mock task");
  t.fire();
  assertPending(task.poll()); // the await resolves; the function continues in a microtask
  await hostTurn();
  assertReady(task.poll(), "got fired");
});

function hostTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

test("enter() polls other futures as the task (tokio-test's Spawn::enter): the waker moves between tasks, pollCount stays", () => {
  let waker: Waker | undefined;
  const shared = pollFn<number>((cx) => {
    waker = cx.waker;
    return Pending;
  });
  const a = mockTask(pending());
  const b = mockTask(pending());
  assertPending(a.enter((cx) => shared.poll(cx)));
  assertPending(b.enter((cx) => shared.poll(cx)));
  waker!.wake();
  assert.ok(b.isWoken(), "the last task to poll it is woken");
  assert.not.ok(a.isWoken());
  assert.is(a.pollCount, 0);
  assert.is(a.enter((cx) => cx.budget), BUDGET, "a fresh budget");
  throwsWith(() => a.enter(1 as never), TypeError, "enter: fn must be a function, got number");
});

test.run();
