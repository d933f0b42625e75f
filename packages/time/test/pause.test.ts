import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, fromPromise, Pending } from "@tokio-ts/core";
import { Handle, spawn, yieldNow } from "@tokio-ts/runtime";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import { advance, Elapsed, Instant, pause, resume, sleep, TimeError, timeout } from "../src/index.js";
import { TIME } from "../src/driver.js";
import { activeHostTimers, run, thrown, withRuntime, withTimeOrigin } from "./helpers.js";

const ALREADY_FROZEN = "time is already frozen: the clock is paused (by startPaused(true) or an earlier pause()); call resume() before pausing again";
const NOT_FROZEN = "time is not frozen: call pause() first, or build the runtime with startPaused(true)";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One turn of the host event loop (lets the driver's re-arm microtask run). */
function* hostTurn(): Generator<unknown, void> {
  yield* fromPromise(new Promise<void>((resolve) => setImmediate(resolve)));
}

function timeError(fn: () => unknown): TimeError {
  const error = thrown(fn);
  assert.instance(error, TimeError);
  assert.is((error as TimeError).code, "ERR_TIME_MISUSE");
  assert.is((error as TimeError).name, "TimeError");
  return error as TimeError;
}

test("pause() freezes a running clock: Instant.now() stops moving until resume()", async () => {
  await run(
    function* () {
      pause();
      const a = Instant.now();
      yield* hostTurn();
      yield* yieldNow();
      assert.ok(Instant.now().equals(a));
      resume();
      assert.ok(Instant.now().compare(a) >= 0);
    },
    { paused: false },
  );
});

test('pause() on a frozen clock throws TimeError "time is already frozen", saying to call resume() first', async () => {
  await run(function* () {
    assert.is(timeError(() => pause()).message, ALREADY_FROZEN);
  });
  await run(
    function* () {
      pause();
      assert.is(timeError(() => pause()).message, ALREADY_FROZEN);
      resume();
    },
    { paused: false },
  );
});

test('resume() on a running clock throws TimeError "time is not frozen", naming pause() and startPaused(true)', async () => {
  await run(
    function* () {
      assert.is(timeError(() => resume()).message, NOT_FROZEN);
    },
    { paused: false },
  );
  await run(function* () {
    resume();
    assert.is(timeError(() => resume()).message, NOT_FROZEN);
  });
});

test('advance() on a running clock throws TimeError "time is not frozen", naming pause() and startPaused(true)', async () => {
  await run(
    function* () {
      assert.is(timeError(() => advance(10)).message, NOT_FROZEN);
    },
    { paused: false },
  );
});

test("advance() rejects negative, NaN, infinite and clock-overflowing durations with a RangeError, a non-number with a TypeError, naming ms", async () => {
  await run(function* () {
    const start = Instant.now();
    for (const bad of [-1, NaN, Infinity, -Infinity, 1e308, Number.MAX_SAFE_INTEGER]) {
      const error = thrown(() => advance(bad));
      assert.instance(error, RangeError, `advance(${bad})`);
      assert.match((error as Error).message, /^ms /);
    }
    assert.instance(thrown(() => advance("1" as unknown as number)), TypeError);
    assert.is(start.elapsed(), 0, "a rejected advance does not move the clock");
  });
});

test("resume() continues from the frozen reading: the clock never goes back", async () => {
  await run(function* () {
    yield* advance(HOUR);
    const frozen = Instant.now();
    resume();
    assert.ok(Instant.now().compare(frozen) >= 0);
    yield* yieldNow();
    assert.ok(Instant.now().compare(frozen) >= 0);
    pause();
    assert.ok(Instant.now().compare(frozen) >= 0);
  });
});

test("advance(ms) wakes, before it returns, a task whose sleep it reaches, and not one it does not", async () => {
  await run(function* () {
    const done: string[] = [];
    spawn(function* () {
      yield* sleep(10);
      done.push("10");
    });
    spawn(function* () {
      yield* sleep(11);
      done.push("11");
    });
    yield* yieldNow();
    yield* advance(9);
    assert.equal(done, []);
    yield* advance(1);
    assert.equal(done, ["10"]);
    yield* advance(1);
    assert.equal(done, ["10", "11"]);
  });
});

test("tasks woken by advance() run in deadline order, before the advancing task resumes, each reading the new time", async () => {
  const order = await run(function* () {
    const start = Instant.now();
    const order: string[] = [];
    for (const ms of [30, 10, 20, 40, 5]) {
      spawn(function* () {
        yield* sleep(ms);
        order.push(`${ms}@${start.elapsed()}`);
      });
    }
    yield* yieldNow();
    yield* advance(35);
    order.push(`advancer@${start.elapsed()}`);
    yield* advance(10);
    return order;
  });
  // Tokio's driver wakes them in deadline order on its turn; they run in that order.
  assert.equal(order, ["5@35", "10@35", "20@35", "30@35", "advancer@35", "40@45"]);
});

test("an async task awaiting advance() sees the tasks it woke run first, in deadline order", async () => {
  const order = await withRuntime((rt) =>
    rt.blockOn(async () => {
      const order: string[] = [];
      for (const ms of [3, 1, 2]) {
        spawn(function* () {
          yield* sleep(ms);
          order.push(String(ms));
        });
      }
      await yieldNow();
      await advance(5);
      order.push("advancer");
      return order;
    }),
  );
  assert.equal(order, ["1", "2", "3", "advancer"]);
});

test("the paused clock auto-advances for an async body's sleeps, the first one too (the await polls it in then())", async () => {
  const elapsed = await withRuntime((rt) =>
    rt.blockOn(async () => {
      const start = Instant.now();
      await sleep(10); // the time driver is made by this await, outside any poll of the task
      await sleep(15);
      // After a wait on the host (the runtime has parked and found nothing to do meanwhile).
      await new Promise<void>((resolve) => setImmediate(resolve));
      await sleep(25);
      return start.elapsed();
    }),
  );
  assert.is(elapsed, 50);
});

test("advance() called by a waker while timers fire fires nothing early and nothing twice", async () => {
  await run(function* () {
    // A foreign executor's waker runs code at once: here it moves its own sleep 100 ms later and
    // advances the clock by 5 ms, from inside the firing of the timers due at 10 ms.
    const start = Instant.now();
    const wakes: string[] = [];
    const cx = (name: string, onWake?: () => void) =>
      new Context({
        wake() {
          wakes.push(`${name}@${Instant.now().durationSince(start)}`);
          onWake?.();
        },
      });
    const moved = sleep(10);
    const same = sleep(10);
    const next = sleep(15);
    const cxMoved = cx("moved again");
    assert.is(
      moved.poll(
        cx("moved", () => {
          moved.reset(start.add(110));
          assert.is(moved.poll(cxMoved), Pending);
          void advance(5);
        }),
      ),
      Pending,
    );
    assert.is(same.poll(cx("same")), Pending);
    assert.is(next.poll(cx("next")), Pending);
    yield* advance(10);
    assert.is(start.elapsed(), 15);
    assert.equal(wakes, ["moved@10", "same@15", "next@15"]);
    assert.is(moved.poll(cxMoved), Pending, "the moved sleep completed 95 ms early");
    assert.is(Handle.current().driver(TIME).timerCount, 1);
    yield* advance(95);
    assert.equal(wakes.slice(3), ["moved again@110"]);
    assert.is(moved.poll(cxMoved), undefined);
  });
});

test("advance(ms) after pause() at a fractional instant wakes a task sleeping ms", async () => {
  await run(
    function* () {
      yield* hostTurn();
      pause();
      let done = false;
      spawn(function* () {
        yield* sleep(10);
        done = true;
      });
      yield* yieldNow();
      yield* advance(10);
      const fraction = Instant.now().asMillis() % 1;
      assert.ok(done, `the sleep did not fire (paused at a fraction of ${fraction.toFixed(3)} ms)`);
    },
    { paused: false },
  );
});

test("sub-millisecond advances that add up to a deadline fire it, at any clock origin: ten advance(0.1) wake a sleep(1)", async () => {
  // The paused clock counts whole nanoseconds (Tokio's Duration), and deadlines are kept on the
  // same grid: a float sum drifts (100 + ten 0.1 is 100.99999999999999, tick 0), and so does a
  // deadline taken at a fraction (101.500121 + 0.499879 is 102.00000000000001, tick 3).
  for (const origin of [0, 100, 1001, 123_456.789]) {
    await withTimeOrigin(origin, () =>
      run(function* () {
        const start = Instant.now();
        const task = mockTask(sleep(1));
        assertPending(task.poll());
        for (let i = 0; i < 10; i++) yield* advance(0.1);
        assert.is(start.elapsed(), 1, `origin ${origin}`);
        assert.ok(task.isWoken(), `origin ${origin}: sleep(1) not woken by ten advance(0.1)`);
        assertReady(task.poll());
        yield* advance(0.500121);
        const fromFraction = mockTask(sleep(0.499879));
        assertPending(fromFraction.poll());
        yield* advance(0.499879);
        assert.is(start.elapsed(), 2, `origin ${origin}`);
        assert.ok(fromFraction.isWoken(), `origin ${origin}: a sleep made at a fraction of a ms not woken at its deadline`);
        assertReady(fromFraction.poll());
      }),
    );
  }
});

test("auto-advance: several sleeping tasks complete in deadline order and the clock ends at the last deadline", async () => {
  const [order, elapsed] = await run(function* () {
    const start = Instant.now();
    const order: string[] = [];
    const handles = [
      ["c", 300],
      ["a", 100],
      ["b", 200],
      ["a2", 100],
    ].map(([name, ms]) =>
      spawn(function* () {
        yield* sleep(ms as number);
        assert.is(start.elapsed(), ms);
        order.push(name as string);
      }),
    );
    for (const h of handles) yield* h;
    return [order, start.elapsed()];
  });
  assert.equal(order, ["a", "a2", "b", "c"]);
  assert.is(elapsed, 300);
});

test("auto-advance waits until no task is runnable: time stands still while a task keeps yielding", async () => {
  await run(function* () {
    const start = Instant.now();
    let fired = false;
    spawn(function* () {
      yield* sleep(1);
      fired = true;
    });
    for (let i = 0; i < 200; i++) yield* yieldNow();
    assert.is(start.elapsed(), 0);
    assert.not.ok(fired);
    yield* sleep(1);
    assert.ok(fired);
  });
});

test("auto-advance moves a clock paused with pause() in a runtime that started unpaused to the deadline (1 ms resolution)", async () => {
  await run(
    function* () {
      yield* hostTurn();
      pause();
      const start = Instant.now();
      yield* sleep(DAY);
      // Deadlines are rounded up to the driver's 1 ms ticks: never early, less than a tick late.
      const elapsed = start.elapsed();
      assert.ok(elapsed >= DAY && elapsed < DAY + 1, `elapsed ${elapsed}`);
      resume();
    },
    { paused: false },
  );
});

test("a 24-hour retry loop with exponential backoff completes, its virtual elapsed time exactly the sum of its waits", async () => {
  const { attempts, waited, elapsed } = await run(function* () {
    const start = Instant.now();
    let attempts = 0;
    let waited = 0;
    let backoff = 100;
    // The service is down for 24 hours; each attempt takes 250 ms, or times out after 1 s.
    const attempt = function* (): Generator<unknown, string> {
      yield* sleep(start.elapsed() < DAY ? 2000 : 250);
      return "up";
    };
    for (;;) {
      attempts++;
      try {
        const answer = yield* timeout(1000, attempt);
        waited += 250;
        assert.is(answer, "up");
        break;
      } catch (error) {
        assert.instance(error, Elapsed);
        waited += 1000;
      }
      yield* sleep(backoff);
      waited += backoff;
      backoff = Math.min(backoff * 2, 10 * 60_000);
    }
    return { attempts, waited, elapsed: start.elapsed() };
  });
  assert.ok(elapsed >= DAY);
  assert.is(elapsed, waited);
  assert.ok(attempts > 100, `${attempts} attempts`);
});

test("pause() removes the host timer of a pending sleep and resume() arms it again", async () => {
  await run(
    function* () {
      const base = activeHostTimers();
      const h = spawn(function* () {
        yield* sleep(HOUR);
      });
      yield* yieldNow();
      yield* hostTurn();
      assert.is(activeHostTimers(), base + 1, "a pending sleep holds one host timer");
      pause();
      yield* hostTurn();
      assert.is(activeHostTimers(), base, "a paused clock holds no host timer");
      resume();
      yield* hostTurn();
      assert.is(activeHostTimers(), base + 1, "resume arms the host timer again");
      h.abort();
      try {
        yield* h;
      } catch {
        // cancelled
      }
      assert.is(Handle.current().driver(TIME).timerCount, 0);
      yield* hostTurn();
      assert.is(activeHostTimers(), base, "no timer, no host handle");
    },
    { paused: false },
  );
});

test.run();
