import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, Pending, pending, type Waker } from "@tokio-ts/core";
import { Builder, Handle, JoinError, spawn, yieldNow } from "@tokio-ts/runtime";
import { assertPending, assertReady, forEachSeed, mockTask } from "@tokio-ts/test-util";
import { advance, Instant, interval, Sleep, sleep, sleepUntil, timeout } from "../src/index.js";
import { TIME } from "../src/driver.js";
import { Rng, run, runFixture, thrown } from "./helpers.js";

const YEAR = 365 * 86_400_000;
/** Where a deadline past the clock's range goes: 30 years from now, Tokio's `Instant::far_future()`. */
const FAR_FUTURE = 30 * YEAR;

function timerCount(): number {
  return Handle.current().driver(TIME).timerCount;
}

test("sleep is pending one ms before its deadline and ready at it, woken exactly once", async () => {
  await run(function* () {
    const task = mockTask(sleep(100));
    assertPending(task.poll());
    yield* advance(99);
    assert.not.ok(task.isWoken());
    assertPending(task.poll());
    assert.is(task.wakeCount, 0);
    yield* advance(1);
    assert.ok(task.isWoken());
    assert.is(task.wakeCount, 1);
    assertReady(task.poll());
  });
});

test("a sleep is an instance of Sleep, and its timer is registered at the first poll, not when it is made", async () => {
  await run(function* () {
    const s = sleep(100);
    assert.instance(s, Sleep);
    assert.is(timerCount(), 0);
    const task = mockTask(s);
    assertPending(task.poll());
    assert.is(timerCount(), 1);
    assertPending(task.poll());
    assert.is(timerCount(), 1, "polling again does not register a second timer");
    task.drop();
    assert.is(timerCount(), 0);
  });
});

test("sleep(0) is ready at the first poll and registers no timer", async () => {
  await run(function* () {
    const task = mockTask(sleep(0));
    assertReady(task.poll());
    assert.is(timerCount(), 0);
  });
});

test("deadline() is the creation instant plus ms, and isElapsed() turns true exactly at it", async () => {
  await run(function* () {
    const start = Instant.now();
    const s = sleep(250);
    assert.ok(s.deadline().equals(start.add(250)));
    assert.not.ok(s.isElapsed());
    yield* advance(249);
    assert.not.ok(s.isElapsed());
    yield* advance(1);
    assert.ok(s.isElapsed());
  });
});

test("sleepUntil(instant) completes exactly at that instant", async () => {
  const elapsed = await run(function* () {
    const start = Instant.now();
    yield* sleepUntil(start.add(321));
    return start.elapsed();
  });
  assert.is(elapsed, 321);
});

test("sleepUntil of an instant already past is ready at the first poll", async () => {
  await run(function* () {
    yield* advance(50);
    const task = mockTask(sleepUntil(Instant.now().sub(10)));
    assertReady(task.poll());
    assert.is(timerCount(), 0);
  });
});

test("a generator task yielding a sleep resumes exactly at its deadline", async () => {
  const elapsed = await run(function* () {
    const start = Instant.now();
    yield* sleep(1500);
    return start.elapsed();
  });
  assert.is(elapsed, 1500);
});

test("an async task awaiting a sleep resumes exactly at its deadline", async () => {
  const elapsed = await run(function* () {
    const start = Instant.now();
    yield* spawn(async () => {
      await sleep(70);
      await sleep(30);
    });
    return start.elapsed();
  });
  assert.is(elapsed, 100);
});

test("reset to an earlier deadline wakes the waiting task at the new deadline (same object, one timer)", async () => {
  await run(function* () {
    const start = Instant.now();
    const s = sleep(100);
    const task = mockTask(s);
    assertPending(task.poll());
    yield* advance(30);
    s.reset(start.add(40));
    assert.ok(s.deadline().equals(start.add(40)));
    assert.is(timerCount(), 1);
    yield* advance(9);
    assert.not.ok(task.isWoken());
    assertPending(task.poll());
    yield* advance(1);
    assert.is(task.wakeCount, 1);
    assertReady(task.poll());
    assert.is(timerCount(), 0);
  });
});

test("reset to a later deadline: nothing happens at the old deadline, the task is woken at the new one", async () => {
  await run(function* () {
    const start = Instant.now();
    const s = sleep(100);
    const task = mockTask(s);
    assertPending(task.poll());
    s.reset(start.add(200));
    assert.is(timerCount(), 1);
    yield* advance(100);
    assert.is(task.wakeCount, 0);
    assert.not.ok(s.isElapsed());
    assertPending(task.poll());
    yield* advance(99);
    assertPending(task.poll());
    assert.is(task.wakeCount, 0);
    yield* advance(1);
    assert.is(task.wakeCount, 1);
    assertReady(task.poll());
  });
});

test("reset to a deadline already passed wakes the waiting task at once", async () => {
  await run(function* () {
    const s = sleep(100);
    const task = mockTask(s);
    assertPending(task.poll());
    yield* advance(10);
    s.reset(Instant.now().sub(5));
    assert.is(task.wakeCount, 1);
    assert.is(timerCount(), 0);
    assertReady(task.poll());
  });
});

/** A context whose waker records its wake-ups and then calls `onWake` (a foreign executor's waker). */
function wakerContext(onWake?: () => void): Context & { wakes: number } {
  const cx = new Context(undefined as unknown as Waker) as Context & { wakes: number };
  cx.wakes = 0;
  cx.waker = {
    wake() {
      cx.wakes++;
      onWake?.();
    },
  };
  return cx;
}

test("a waker that resets a sleep due in the same millisecond to later: that sleep fires at its new deadline, not the old one", async () => {
  await run(function* () {
    const start = Instant.now();
    const first = sleep(10);
    const second = sleep(10);
    const third = sleep(10);
    const cxSecond = wakerContext();
    const cxThird = wakerContext();
    const cxFirst = wakerContext(() => {
      second.reset(start.add(50));
      third.cancel();
    });
    assert.is(first.poll(cxFirst), Pending);
    assert.is(second.poll(cxSecond), Pending);
    assert.is(third.poll(cxThird), Pending);
    yield* advance(10);
    assert.is(cxFirst.wakes, 1);
    assert.is(cxSecond.wakes, 0, "the reset sleep fired at its old deadline");
    assert.is(cxThird.wakes, 0, "the dropped sleep was woken");
    assert.is(second.poll(cxSecond), Pending);
    assert.is(timerCount(), 1);
    yield* advance(39);
    assert.is(cxSecond.wakes, 0);
    yield* advance(1);
    assert.is(cxSecond.wakes, 1);
    assert.is(second.poll(cxSecond), undefined);
    assert.is(timerCount(), 0);
  });
});

test("a waker that throws does not stop the sleeps due with it: they all wake, and awaiting advance rethrows the error", async () => {
  await run(function* () {
    const boom = new Error("waker failed");
    const bad = sleep(10);
    const same = sleep(10);
    const later = sleep(15);
    const cxSame = wakerContext();
    const cxLater = wakerContext();
    bad.poll(
      wakerContext(() => {
        throw boom;
      }),
    );
    same.poll(cxSame);
    later.poll(cxLater);
    const advanced = advance(20);
    let error: unknown;
    try {
      yield* advanced;
    } catch (e) {
      error = e;
    }
    assert.is(error, boom);
    assert.equal([cxSame.wakes, cxLater.wakes], [1, 1]);
    assert.is(timerCount(), 0);
    assert.is(same.poll(cxSame), undefined);
    assert.is(later.poll(cxLater), undefined);
  });
});

test("reset of a completed sleep makes it pending again until the new deadline", async () => {
  await run(function* () {
    const s = sleep(10);
    yield* s;
    s.reset(Instant.now().add(20));
    assert.not.ok(s.isElapsed());
    const task = mockTask(s);
    assertPending(task.poll());
    yield* advance(19);
    assertPending(task.poll());
    yield* advance(1);
    assert.is(task.wakeCount, 1);
    assertReady(task.poll());
  });
});

test("reset of a sleep never polled moves its deadline; the first poll registers at the new one", async () => {
  await run(function* () {
    const start = Instant.now();
    const s = sleep(1000);
    s.reset(start.add(5));
    assert.is(timerCount(), 0);
    yield* s;
    assert.is(start.elapsed(), 5);
  });
});

test("reset rejects a deadline that is not an Instant with a TypeError naming it", async () => {
  await run(function* () {
    const s = sleep(10);
    const error = thrown(() => s.reset(10 as unknown as Instant));
    assert.instance(error, TypeError);
    assert.match((error as Error).message, /deadline must be an Instant/);
  });
});

test("dropping a pending sleep removes its timer and never wakes the task", async () => {
  await run(function* () {
    const task = mockTask(sleep(100));
    assertPending(task.poll());
    task.drop();
    assert.is(timerCount(), 0);
    yield* advance(200);
    assert.is(task.wakeCount, 0);
  });
});

test("aborting a task that sleeps removes its timer and runs its finally", async () => {
  const log: string[] = [];
  await run(function* () {
    const h = spawn(function* () {
      try {
        yield* sleep(10_000);
        log.push("woke");
      } finally {
        log.push("finally");
      }
    });
    yield* yieldNow();
    assert.is(timerCount(), 1);
    h.abort();
    try {
      yield* h;
    } catch {
      // cancelled
    }
    assert.is(timerCount(), 0);
  });
  assert.equal(log, ["finally"]);
});

test("sleep rejects negative and NaN durations with a RangeError naming ms", async () => {
  await run(function* () {
    for (const bad of [-1, -0.001, NaN, -Infinity]) {
      const error = thrown(() => sleep(bad));
      assert.instance(error, RangeError, `sleep(${bad})`);
      assert.match((error as Error).message, /^ms /);
    }
  });
});

test("sleep rejects a non-number with a TypeError naming ms", async () => {
  await run(function* () {
    for (const bad of ["10", undefined, null, 10n]) {
      const error = thrown(() => sleep(bad as unknown as number));
      assert.instance(error, TypeError, `sleep(${String(bad)})`);
      assert.match((error as Error).message, /^ms must be a number/);
    }
  });
});

test("sleepUntil rejects a deadline that is not an Instant with a TypeError naming it", async () => {
  await run(function* () {
    for (const bad of [0, performance.now(), undefined, null, {}]) {
      const error = thrown(() => sleepUntil(bad as unknown as Instant));
      assert.instance(error, TypeError);
      assert.match((error as Error).message, /^deadline must be an Instant/);
    }
  });
});

test("a huge duration (1e15 ms) is still pending after advancing a year", async () => {
  await run(function* () {
    const s = sleep(1e15);
    const task = mockTask(s);
    assertPending(task.poll());
    yield* advance(YEAR);
    assert.is(task.wakeCount, 0);
    assert.not.ok(s.isElapsed());
    assertPending(task.poll());
    task.drop();
  });
});

test("auto-advance takes a huge duration (1e15 ms) to exactly its deadline", async () => {
  const elapsed = await run(function* () {
    const start = Instant.now();
    yield* sleep(1e15);
    return start.elapsed();
  });
  assert.is(elapsed, 1e15);
});

test("the largest finite durations are put in the far future: still pending after advancing a year", async () => {
  await run(function* () {
    for (const ms of [Number.MAX_SAFE_INTEGER, Number.MAX_VALUE]) {
      const s = sleep(ms);
      const task = mockTask(s);
      assertPending(task.poll());
      yield* advance(YEAR);
      assert.is(task.wakeCount, 0, `sleep(${ms})`);
      assertPending(task.poll());
      task.drop();
    }
  });
});

test("a sleep past the clock's range (1e21 ms) is put 30 years ahead (Tokio's far future), as are a timeout's and a reset's", async () => {
  await run(function* () {
    const start = Instant.now();
    for (const ms of [1e21, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER]) {
      assert.is(sleep(ms).deadline().durationSince(start), FAR_FUTURE, `sleep(${ms})`);
      assert.is(timeout(ms, pending()).deadline().durationSince(start), FAR_FUTURE, `timeout(${ms})`);
    }
    const s = sleep(10);
    s.reset(start.add(Number.MAX_SAFE_INTEGER - start.asMillis()));
    assert.is(s.deadline().asMillis(), Number.MAX_SAFE_INTEGER, "a deadline within the range is kept");
  });
});

test("issue_5183: a sleep past the clock's range stays pending while a 1 ns sleep beside it fires at 1 ms", async () => {
  await run(function* () {
    const start = Instant.now();
    const huge = mockTask(sleep(1e21));
    assertPending(huge.poll());
    yield* sleep(1e-6);
    assert.is(start.elapsed(), 1);
    assert.is(huge.wakeCount, 0);
    assertPending(huge.poll());
    huge.drop();
  });
});

test("auto-advance takes a sleep past the clock's range (1e21 ms) 30 years on, at any clock origin, without spinning; a later sleep(10) takes 10 ms", async () => {
  // In a child process: at an odd origin auto-advance used to spin for ever in one call, and at
  // an even one it left the clock at 2^53 ms, where every later sleep was due at once.
  for (const origin of ["1000", "1001", "0"]) {
    const out = await runFixture("far-future-sleep", [origin], 10_000);
    assert.is(out.signal, null, `origin ${origin}: killed after 10 s (auto-advance spun); stderr: ${out.stderr}`);
    assert.is(out.code, 0, out.stderr);
    assert.equal(JSON.parse(out.stdout), { huge: FAR_FUTURE, after: 10 }, `origin ${origin}`);
  }
});

test("isElapsed() agrees with poll: a sleep registered for a deadline between two ms is not elapsed until its timer fires at the next whole ms", async () => {
  await run(function* () {
    const s = sleep(0.5);
    const task = mockTask(s);
    assertPending(task.poll());
    yield* advance(0.5);
    assert.not.ok(task.isWoken());
    assert.not.ok(s.isElapsed(), "isElapsed() is true while the timer has not fired and a poll is pending");
    assertPending(task.poll());
    yield* advance(0.5);
    assert.ok(task.isWoken());
    assert.ok(s.isElapsed());
    assertReady(task.poll());
    // Not registered: its first poll is ready once the clock reads its deadline, and so is isElapsed().
    const idle = sleep(0.25);
    assert.not.ok(idle.isElapsed());
    yield* advance(0.25);
    assert.ok(idle.isElapsed());
    assertReady(mockTask(idle).poll());
  });
});

test("a 30-day sleep completes after 30 days even while an 800-day sleep is pending", async () => {
  const day = 86_400_000;
  const elapsed = await run(function* () {
    const start = Instant.now();
    const far = spawn(function* () {
      yield* sleep(800 * day);
    });
    yield* yieldNow();
    yield* sleep(30 * day);
    const elapsed = start.elapsed();
    far.abort();
    return elapsed;
  });
  assert.is(elapsed / day, 30);
});

test("a loop of sleeps that are already due spends the coop budget and lets other tasks run", async () => {
  await run(function* () {
    let otherRan = false;
    spawn(function* () {
      otherRan = true;
    });
    let iterations = 0;
    while (!otherRan && iterations < 10_000) {
      yield* sleep(0);
      iterations++;
    }
    assert.ok(otherRan, "the other task never ran");
    // The budget is 128 polls; the sleep that finds it spent yields, then completes.
    assert.ok(iterations <= 129, `${iterations} ready sleeps before yielding`);
  });
});

test("10,000 tasks sleeping random deadlines each wake exactly at their deadline, in deadline order, ties in spawn order", async () => {
  const rng = new Rng(10_000);
  const delays = Array.from({ length: 10_000 }, () => rng.between(0, 50_000));
  const log = await run(function* () {
    const start = Instant.now();
    const log: { i: number; at: number }[] = [];
    const handles = delays.map((ms, i) =>
      spawn(function* () {
        yield* sleep(ms);
        log.push({ i, at: start.elapsed() });
      }),
    );
    for (const h of handles) yield* h;
    assert.is(start.elapsed(), Math.max(...delays));
    return log;
  });
  assert.is(log.length, delays.length);
  for (const { i, at } of log) assert.is(at, delays[i], `task ${i}`);
  const expected = delays
    .map((ms, i) => ({ ms, i }))
    .sort((a, b) => a.ms - b.ms || a.i - b.i)
    .map(({ i }) => i);
  assert.equal(
    log.map(({ i }) => i),
    expected,
  );
});

test("under shuffled schedules, tasks sleeping random deadlines wake in deadline order", async () => {
  await forEachSeed(
    [1, 2, 3, 4],
    async (rt, seed) => {
      const rng = new Rng(seed);
      const delays = Array.from({ length: 2000 }, () => rng.between(0, 5000));
      const order = await rt.blockOn(function* () {
        const start = Instant.now();
        const order: number[] = [];
        const handles = delays.map((ms) =>
          spawn(function* () {
            yield* sleep(ms);
            assert.is(start.elapsed(), ms);
            order.push(ms);
          }),
        );
        for (const h of handles) yield* h;
        return order;
      });
      assert.equal(
        order,
        [...delays].sort((a, b) => a - b),
      );
    },
    { enableTime: true, startPaused: true },
  );
});

for (const timerUsedBefore of [true, false]) {
  test(`shutdown drops a task whose finally makes a sleep as cancelled, whether or not the runtime had made its timers before (${timerUsedBefore})`, async () => {
    const reported: string[] = [];
    const rt = Builder.newCurrentThread().enableTime().startPaused(true).onUnhandledPanic((e) => void reported.push(e.message)).build();
    let finallyRan = 0;
    const task = rt.spawn(function* () {
      if (timerUsedBefore) yield* sleep(1);
      try {
        yield* pending();
      } finally {
        finallyRan++;
        yield* sleep(10); // made here for the first time when timerUsedBefore is false; dropped unpolled
      }
    });
    await rt.blockOn(function* () {
      yield* yieldNow();
      if (timerUsedBefore) yield* sleep(5); // the paused clock passes the task's sleep(1)
    });
    await rt.shutdownTimeout(0);
    assert.is(finallyRan, 1);
    const end = await task.then(
      () => "ok",
      (e: unknown) => (e instanceof JoinError && e.isCancelled() ? "cancelled" : `panic: ${String((e as JoinError).cause)}`),
    );
    assert.is(end, "cancelled");
    assert.equal(reported, []);
  });
}

test("Infinity waits for ever (Tokio's Duration::MAX): sleep, timeout, an interval's period and resetAfter take the far future, and the clock goes on", async () => {
  await run(function* () {
    const start = Instant.now();
    const forever = mockTask(sleep(Infinity));
    assertPending(forever.poll());
    assert.is(yield* timeout(Infinity, sleep(5)), undefined, "timeout(Infinity, f) is no timeout");
    const iv = interval(Infinity);
    yield* iv.tick(); // the first tick is at once
    const second = mockTask(iv.tick());
    assertPending(second.poll());
    iv.resetAfter(Infinity);
    yield* sleep(10);
    assert.not.ok(forever.isWoken());
    assert.is(start.elapsed(), 15, "later sleeps take their time");
    forever.drop();
    second.drop();
  });
});

test("an async task whose finally sleeps after shutdown, on a runtime that never made a timer, unwinds with CancelledError and reports nothing", async () => {
  const reported: unknown[] = [];
  const rt = Builder.newCurrentThread().enableTime().startPaused(true).onUnhandledPanic((e) => reported.push(e)).build();
  let seen: string | undefined;
  let cleanup: string | undefined;
  let unwound!: () => void;
  const done = new Promise<void>((resolve) => (unwound = resolve));
  await rt.blockOn(function* () {
    spawn(async () => {
      try {
        await pending();
      } catch (e) {
        seen = (e as Error).name;
      } finally {
        try {
          await sleep(5);
          cleanup = "slept";
        } catch (e) {
          cleanup = (e as Error).name;
        } finally {
          unwound();
        }
      }
    });
    yield* yieldNow();
  });
  await rt.shutdownTimeout(0);
  await done;
  assert.is(seen, "CancelledError");
  assert.is(cleanup, "CancelledError", "the sleep() call did not throw; its await rejected as every await after shutdown");
  assert.equal(reported, []);
});

test.run();
