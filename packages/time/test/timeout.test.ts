import { test } from "uvu";
import * as assert from "uvu/assert";
import { BUDGET, consumeBudget, Context, Future, Pending, pending, ready, TokioError, yieldNow, type Poll, type Waker } from "@tokio-ts/core";
import { Handle, spawn } from "@tokio-ts/runtime";
import { assertPending, assertReady, assertReadyErr, mockTask } from "@tokio-ts/test-util";
import { advance, Elapsed, Instant, sleep, Timeout, timeout, timeoutAt } from "../src/index.js";
import { TIME } from "../src/driver.js";
import { rejection, run, thrown, withRuntime } from "./helpers.js";

function timerCount(): number {
  return Handle.current().driver(TIME).timerCount;
}

/** A gate that leaf futures wait on; each waiting future holds one entry in `waiters`. */
class Gate {
  readonly waiters = new Set<GateWait>();
  cancels = 0;

  wait(): GateWait {
    return new GateWait(this);
  }
}

/** A hand-written leaf future: registers its waker with the gate, deregisters on cancel. */
class GateWait extends Future<string> {
  waker: Waker | undefined = undefined;

  constructor(private readonly gate: Gate) {
    super();
  }

  override poll(cx: Context): Poll<string> {
    this.waker = cx.waker;
    this.gate.waiters.add(this);
    return Pending;
  }

  override cancel(): void {
    this.gate.cancels++;
    this.gate.waiters.delete(this);
    this.waker = undefined;
  }
}

/** Catch what `body` throws from inside a generator. */
function* caught(body: () => Generator<unknown, unknown>): Generator<unknown, unknown> {
  try {
    yield* body();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

test("timeout returns the inner future's value when it completes before the deadline, and removes its timer", async () => {
  const [value, elapsed] = await run(function* () {
    const start = Instant.now();
    const value = yield* timeout(100, function* () {
      yield* sleep(50);
      return "done";
    });
    assert.is(timerCount(), 0);
    return [value, start.elapsed()];
  });
  assert.is(value, "done");
  assert.is(elapsed, 50);
});

test("on expiry the inner generator is dropped (its finally runs) and timeout fails with Elapsed exactly at the deadline", async () => {
  const log: string[] = [];
  const [error, elapsed] = await run(function* () {
    const start = Instant.now();
    const error = yield* caught(function* () {
      yield* timeout(100, function* () {
        try {
          yield* sleep(1000);
          log.push("inner completed");
        } finally {
          log.push("inner finally");
        }
      });
    });
    assert.is(timerCount(), 0, "neither the inner sleep nor the timeout's timer is left");
    return [error, start.elapsed()];
  });
  assert.instance(error, Elapsed);
  assert.is(elapsed, 100);
  assert.equal(log, ["inner finally"]);
});

test("on expiry a hand-written inner future is cancelled once and its waiter released", async () => {
  const gate = new Gate();
  const error = await run(function* () {
    return yield* caught(function* () {
      yield* timeout(30, gate.wait());
    });
  });
  assert.instance(error, Elapsed);
  assert.is(gate.cancels, 1);
  assert.is(gate.waiters.size, 0);
});

test("Elapsed is a TokioError named Elapsed with code ERR_ELAPSED and message \"deadline has elapsed\"", async () => {
  const error = await run(function* () {
    return yield* caught(function* () {
      yield* timeout(1, pending());
    });
  });
  assert.instance(error, Elapsed);
  assert.instance(error, TokioError);
  assert.instance(error, Error);
  const e = error as Elapsed;
  assert.is(e.name, "Elapsed");
  assert.is(e.code, "ERR_ELAPSED");
  assert.is(e.message, "deadline has elapsed");
  assert.is(new Elapsed().message, "deadline has elapsed");
});

test("timeout of an already-ready future returns its value even with a deadline of 0 or in the past", async () => {
  await run(function* () {
    assert.is(yield* timeout(0, ready(5)), 5);
    yield* advance(10);
    assert.is(yield* timeoutAt(Instant.now().sub(10), ready("late")), "late");
    const value = yield* timeout(0, function* () {
      return 7;
    });
    assert.is(value, 7);
    assert.is(timerCount(), 0);
  });
});

test("timeout(0) of a pending future fails with Elapsed at the first poll, without moving time", async () => {
  await run(function* () {
    const start = Instant.now();
    const t = timeout(0, pending());
    assert.instance(t, Timeout);
    assertReadyErr(() => mockTask(t).poll(), Elapsed);
    assert.is(start.elapsed(), 0);
    assert.is(timerCount(), 0);
  });
});

test("an inner future that becomes ready exactly at the deadline wins over the timeout", async () => {
  const value = await run(function* () {
    return yield* timeout(100, function* () {
      yield* sleep(100);
      return "inner";
    });
  });
  assert.is(value, "inner");
});

test("an error thrown by the inner future propagates unchanged and the timer is removed", async () => {
  const boom = new Error("boom");
  await run(function* () {
    const error = yield* caught(function* () {
      yield* timeout(100, function* () {
        yield* sleep(10);
        throw boom;
      });
    });
    assert.is(error, boom);
    assert.is(timerCount(), 0);
  });
});

test("dropping a pending timeout drops the inner future and removes the timer", async () => {
  const gate = new Gate();
  await run(function* () {
    const task = mockTask(timeout(100, gate.wait()));
    assertPending(task.poll());
    assert.is(gate.waiters.size, 1);
    assert.is(timerCount(), 1);
    task.drop();
    assert.is(gate.cancels, 1);
    assert.is(gate.waiters.size, 0);
    assert.is(timerCount(), 0);
  });
});

test("a timeout dropped by a waker from inside its own poll (a foreign executor) registers no timer", async () => {
  await run(function* () {
    // yieldNow wakes the task inside its first poll; this waker drops the timeout right there.
    const t = timeout(100, yieldNow());
    let wakes = 0;
    const cx = new Context({
      wake() {
        wakes++;
        t.cancel();
      },
    });
    assert.is(t.poll(cx), Pending);
    assert.is(wakes, 1);
    assert.is(timerCount(), 0, "the dropped timeout left its timer in the wheel");
  });
});

test("a timeout polled by hand is pending before its deadline and fails with Elapsed at it, after one wake", async () => {
  const gate = new Gate();
  await run(function* () {
    const task = mockTask(timeout(20, gate.wait()));
    assertPending(task.poll());
    yield* advance(19);
    assert.is(task.wakeCount, 0);
    assertPending(task.poll());
    yield* advance(1);
    assert.is(task.wakeCount, 1);
    assertReadyErr(() => task.poll(), Elapsed);
    assert.is(gate.waiters.size, 0);
  });
});

test("the deadline is checked even when the inner future spends the task's budget", async () => {
  await run(function* () {
    // Tokio's timeout_is_not_exhausted_by_future: the inner future runs the budget down and
    // stays pending; the sleep is then polled outside the budget and sees the deadline.
    const t = timeout(0, function* () {
      for (;;) yield* consumeBudget();
    });
    assertReadyErr(() => mockTask(t).poll(), Elapsed);
    assert.is(timerCount(), 0);
  });
});

test("a timeout polled with the budget already spent yields instead of failing: its ready inner future wins on the next poll", async () => {
  const completed = await run(function* () {
    // As Tokio: only a budget the inner future spent itself lets the deadline bypass the budget.
    let completed = 0;
    for (let i = 0; i < 3 * BUDGET; i++) {
      yield* timeout(0, consumeBudget());
      completed++;
    }
    return completed;
  });
  assert.is(completed, 3 * BUDGET);
});

test("a timeout polled by hand with no budget is pending and woken, and registers no timer", async () => {
  await run(function* () {
    const task = mockTask(timeout(0, sleep(1000)), { budget: 0 });
    assertPending(task.poll());
    assert.ok(task.wakeCount >= 1);
    assert.is(timerCount(), 0);
    task.drop();
  });
});

test("deadline() is the creation instant plus ms; timeoutAt keeps the instant it is given", async () => {
  await run(function* () {
    const start = Instant.now();
    assert.ok(timeout(250, pending()).deadline().equals(start.add(250)));
    const at = start.add(40);
    assert.ok(timeoutAt(at, pending()).deadline().equals(at));
  });
});

test("timeoutAt bounds two steps by one deadline", async () => {
  const [first, error, elapsed] = await run(function* () {
    const start = Instant.now();
    const deadline = start.add(100);
    const first = yield* timeoutAt(deadline, function* () {
      yield* sleep(60);
      return "one";
    });
    const error = yield* caught(function* () {
      yield* timeoutAt(deadline, sleep(60));
    });
    return [first, error, start.elapsed()];
  });
  assert.is(first, "one");
  assert.instance(error, Elapsed);
  assert.is(elapsed, 100);
});

test("an async task awaiting a timeout that expires sees Elapsed", async () => {
  const error = await withRuntime((rt) =>
    rt.blockOn(async () => {
      const start = Instant.now();
      const error = await rejection(timeout(50, pending()));
      assert.is(start.elapsed(), 50);
      return error;
    }),
  );
  assert.instance(error, Elapsed);
});

test("timeout accepts an async function and returns what it resolves to", async () => {
  const value = await withRuntime((rt) =>
    rt.blockOn(function* () {
      return yield* timeout(100, async () => {
        await sleep(10);
        return 42;
      });
    }),
  );
  assert.is(value, 42);
});

test("a task aborted while awaiting a timeout drops both the inner future and the timer", async () => {
  const gate = new Gate();
  await run(function* () {
    const h = spawn(function* () {
      yield* timeout(1000, gate.wait());
    });
    yield* advance(1);
    assert.is(gate.waiters.size, 1);
    h.abort();
    yield* caught(function* () {
      yield* h;
    });
    assert.is(gate.waiters.size, 0);
    assert.is(timerCount(), 0);
  });
});

test("timeout rejects a bad duration naming ms, and timeoutAt a non-Instant deadline naming deadline", async () => {
  await run(function* () {
    for (const bad of [-1, NaN, -Infinity]) {
      const error = thrown(() => timeout(bad, pending()));
      assert.instance(error, RangeError, `timeout(${bad})`);
      assert.match((error as Error).message, /^ms /);
    }
    assert.instance(thrown(() => timeout("5" as unknown as number, pending())), TypeError);
    const error = thrown(() => timeoutAt(100 as unknown as Instant, pending()));
    assert.instance(error, TypeError);
    assert.match((error as Error).message, /^deadline must be an Instant/);
  });
});

test.run();
