import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  BUDGET,
  CancelledError,
  consumeBudget,
  ContextError,
  currentDriverHost,
  currentFrame,
  DriverKey,
  Pending,
  pollFn,
  type Driver,
  type Future,
  type Waker,
} from "@tokio-ts/core";
import { StepExecutor } from "../src/step-executor.js";

/** A gate a task can wait on: `open()` wakes the waiter; a leaf future written with pollFn. */
class Gate {
  #open = false;
  #waiter: Waker | undefined;

  wait(): Future<void> {
    return pollFn<void>(
      (cx) => {
        if (this.#open) return undefined;
        this.#waiter = cx.waker;
        return Pending;
      },
      () => {
        this.#waiter = undefined;
      },
    );
  }

  open(): void {
    this.#open = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.wake();
  }

  get hasWaiter(): boolean {
    return this.#waiter !== undefined;
  }
}

test("a generator body yielding pollFn futures is polled until they are ready", () => {
  const ex = new StepExecutor();
  let calls = 0;
  // Pending twice (waking itself each time), then ready.
  const third = pollFn<number>((cx) => {
    if (++calls < 3) {
      cx.waker.wake();
      return Pending;
    }
    return calls * 10;
  });
  const task = ex.spawn(function* () {
    const a = yield* third;
    const b = yield* pollFn(() => 2);
    return a + b;
  });
  assert.is(ex.step(), true);
  assert.is(task.status, "pending");
  assert.is(ex.queueLength, 1, "a self-wake during the poll queues the task again");
  ex.step();
  ex.step();
  assert.is(task.status, "ready");
  assert.is(task.output, 32);
  assert.is(task.polls, 3);
  assert.is(ex.step(), false, "nothing left to run");
});

test("tasks run in the order they were woken, each at most once per wake", () => {
  const ex = new StepExecutor();
  const order: string[] = [];
  const gates = { a: new Gate(), b: new Gate(), c: new Gate() };
  for (const name of ["a", "b", "c"] as const) {
    ex.spawn(function* () {
      order.push(`${name} waits`);
      yield* gates[name].wait();
      order.push(`${name} runs`);
    });
  }
  while (ex.step());
  assert.equal(order, ["a waits", "b waits", "c waits"]);

  gates.c.open();
  gates.a.open();
  gates.b.open();
  assert.is(ex.queueLength, 3);
  while (ex.step());
  assert.equal(order.slice(3), ["c runs", "a runs", "b runs"]);
});

test("waking a task that is already queued does not queue it twice", () => {
  const ex = new StepExecutor();
  const task = ex.spawn(function* () {
    yield* new Gate().wait();
  });
  task.wake();
  task.wake();
  assert.is(ex.queueLength, 1);
  ex.step();
  assert.is(ex.queueLength, 0);
  assert.is(task.status, "pending");
});

test("the budget makes a busy task yield after BUDGET units, so others get a turn", () => {
  const ex = new StepExecutor();
  const log: string[] = [];
  const busy = (name: string, units: number) =>
    ex.spawn(function* () {
      for (let i = 0; i < units; i++) {
        yield* consumeBudget();
        log.push(name);
      }
      return units;
    });
  const a = busy("a", 300);
  const b = busy("b", 200);
  while (ex.step());

  assert.is(BUDGET, 128);
  const runs: string[] = [];
  for (let i = 0; i < log.length; ) {
    let j = i;
    while (j < log.length && log[j] === log[i]) j++;
    runs.push(`${log[i]}×${j - i}`);
    i = j;
  }
  assert.equal(runs, ["a×128", "b×128", "a×128", "b×72", "a×44"]);
  assert.is(a.polls, 3);
  assert.is(b.polls, 2);
  assert.is(ex.forcedYields, 3);
  assert.is(a.output, 300);
});

test("currentFrame() names the running task during a poll, and nothing outside", () => {
  const ex = new StepExecutor();
  const seen: unknown[] = [];
  const first = ex.spawn(function* () {
    seen.push(currentFrame()?.task?.id);
    yield* pollFn(() => 0);
    seen.push(currentDriverHost("the test") === ex);
  });
  const second = ex.spawn(function* () {
    seen.push(currentFrame()?.task?.id);
  });
  while (ex.step());
  assert.equal(seen, [first.id, true, second.id]);
  assert.is(currentFrame(), undefined);
  assert.throws(() => currentDriverHost("sleep()"), (e: unknown) => e instanceof ContextError && e.code === "ERR_NO_RUNTIME");
});

test("an async-function body works when runUntilIdle lets promise continuations run", async () => {
  const ex = new StepExecutor();
  const gate = new Gate();
  const task = ex.spawn(async () => {
    const before = currentFrame()?.task?.id;
    await gate.wait();
    const after = currentFrame()?.task?.id;
    await Promise.resolve(); // a foreign promise is fine too
    return { before, after, still: currentFrame()?.task?.id };
  });
  await ex.runUntilIdle();
  assert.is(task.status, "pending");
  assert.ok(gate.hasWaiter, "the await registered the task's waker through the executor");

  gate.open();
  await ex.runUntilIdle();
  assert.is(task.status, "ready");
  assert.equal(task.output, { before: task.id, after: task.id, still: task.id });
});

test("abort unwinds a generator body: its finally block runs and the task fails as cancelled", () => {
  const ex = new StepExecutor();
  const gate = new Gate();
  let cleanedUp = false;
  const task = ex.spawn(function* () {
    try {
      yield* gate.wait();
    } finally {
      cleanedUp = true;
    }
  });
  ex.step();
  assert.ok(gate.hasWaiter);
  task.abort();
  ex.step();
  assert.ok(cleanedUp);
  assert.not.ok(gate.hasWaiter, "the pending leaf was cancelled and deregistered its waker");
  assert.is(task.status, "failed");
  assert.instance(task.error, CancelledError);
});

test("a body that throws fails its task with the thrown error", () => {
  const ex = new StepExecutor();
  const boom = new Error("boom");
  const task = ex.spawn(function* () {
    yield* pollFn(() => 1);
    throw boom;
  });
  ex.step();
  assert.is(task.status, "failed");
  assert.is(task.error, boom);
});

test("drivers plug into the executor through DriverHost, and a disabled one names its builder call", () => {
  let created = 0;
  let shutDown = 0;
  class CountingDriver implements Driver {
    shutdown(): void {
      shutDown++;
    }
  }
  const KEY = new DriverKey("counter", "counters", "drivers: ['counter']", () => {
    created++;
    return new CountingDriver();
  });

  const without = new StepExecutor();
  const denied = without.spawn(function* () {
    currentDriverHost("count()").driver(KEY);
  });
  without.step();
  assert.is(denied.status, "failed");
  assert.is((denied.error as Error).message, "counters are disabled: build the runtime with drivers: ['counter']");

  const ex = new StepExecutor({ drivers: ["counter"] });
  assert.ok(ex.isEnabled(KEY));
  const task = ex.spawn(function* () {
    return currentDriverHost("count()").driver(KEY) === currentDriverHost("count()").driver(KEY);
  });
  ex.step();
  assert.is(task.output, true);
  assert.is(created, 1);
  ex.shutdown();
  assert.is(shutDown, 1);
});

test("shutdown drops every unfinished task, queued or idle, running finally blocks", () => {
  const ex = new StepExecutor();
  const cleaned: string[] = [];
  const idle = ex.spawn(function* () {
    try {
      yield* new Gate().wait();
    } finally {
      cleaned.push("idle");
    }
  });
  ex.step();
  const queued = ex.spawn(function* () {
    try {
      yield* new Gate().wait();
    } finally {
      cleaned.push("never started");
    }
  });
  ex.shutdown();
  assert.equal(cleaned, ["idle"], "a body that never started has no finally to run");
  assert.is(idle.status, "failed");
  assert.is(queued.status, "failed");
  assert.is(ex.step(), false);
});


test("randomBelow (select's draw) stays below n and replays exactly for a seed", () => {
  const draws = (seed: number) => {
    const ex = new StepExecutor({ seed });
    return Array.from({ length: 200 }, () => ex.randomBelow(4));
  };
  const first = draws(7);
  assert.equal(draws(7), first);
  assert.not.equal(draws(8), first);
  assert.equal([...new Set(first)].sort(), [0, 1, 2, 3]);
});

test.run();
