import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, Pending } from "@tokio-ts/core";
import { Handle } from "@tokio-ts/runtime";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import { advance, Instant, Interval, interval, intervalAt, MissedTickBehavior, sleep } from "../src/index.js";
import { TIME } from "../src/driver.js";
import { run, thrown, withRuntime, withTimeOrigin } from "./helpers.js";

function timerCount(): number {
  return Handle.current().driver(TIME).timerCount;
}

/**
 * Tick an interval of `period` `works.length` times; after the k-th tick the consumer works
 * (sleeps) `works[k]` ms. Returns, per tick, [the instant tick() returned, the time it was
 * observed], both in ms since the interval was made.
 */
function* consume(behavior: MissedTickBehavior, period: number, works: number[]): Generator<unknown, [number, number][]> {
  const start = Instant.now();
  const iv = interval(period);
  iv.missedTickBehavior = behavior;
  const seen: [number, number][] = [];
  for (const work of works) {
    const at = yield* iv.tick();
    seen.push([at.durationSince(start), start.elapsed()]);
    if (work > 0) yield* sleep(work);
  }
  return seen;
}

function scheduled(seen: [number, number][]): number[] {
  return seen.map(([at]) => at);
}

function observed(seen: [number, number][]): number[] {
  return seen.map(([, now]) => now);
}

test("the first tick completes at once, with the instant the interval was made", async () => {
  await run(function* () {
    const start = Instant.now();
    const iv = interval(100);
    assert.instance(iv, Interval);
    const task = mockTask(iv.tick());
    const at = assertReady(task.poll());
    assert.ok(at.equals(start));
  });
});

test("a prompt consumer gets a tick every period: pending at P-1, ready at P, returning the scheduled instant", async () => {
  await run(function* () {
    const start = Instant.now();
    const iv = interval(10);
    yield* iv.tick();
    for (let k = 1; k <= 3; k++) {
      const task = mockTask(iv.tick());
      assertPending(task.poll());
      yield* advance(9);
      assertPending(task.poll());
      assert.is(task.wakeCount, 0);
      yield* advance(1);
      assert.is(task.wakeCount, 1);
      const at = assertReady(task.poll());
      assert.is(at.durationSince(start), 10 * k);
      assert.ok(timerCount() <= 1, "one timer serves every tick");
    }
  });
});

test("intervalAt(start, period) first ticks at start, then every period", async () => {
  const ticks = await run(function* () {
    const t0 = Instant.now();
    const iv = intervalAt(t0.add(50), 100);
    const ticks: number[] = [];
    for (let k = 0; k < 3; k++) {
      const at = yield* iv.tick();
      assert.is(t0.elapsed(), at.durationSince(t0), "each tick completes at its scheduled instant");
      ticks.push(at.durationSince(t0));
    }
    return ticks;
  });
  assert.equal(ticks, [50, 150, 250]);
});

test("intervalAt a start in the past completes its first tick at once", async () => {
  await run(function* () {
    yield* advance(100);
    const start = Instant.now().sub(40);
    const iv = intervalAt(start, 10);
    const at = assertReady(mockTask(iv.tick()).poll());
    assert.ok(at.equals(start));
  });
});

test("period reports the interval's period", async () => {
  await run(function* () {
    assert.is(interval(25).period, 25);
    assert.is(intervalAt(Instant.now(), 7.5).period, 7.5);
  });
});

test("missedTickBehavior defaults to Burst, takes Delay and Skip, and rejects anything else with a TypeError", async () => {
  await run(function* () {
    const iv = interval(10);
    assert.is(iv.missedTickBehavior, MissedTickBehavior.Burst);
    iv.missedTickBehavior = MissedTickBehavior.Delay;
    assert.is(iv.missedTickBehavior, MissedTickBehavior.Delay);
    iv.missedTickBehavior = MissedTickBehavior.Skip;
    assert.is(iv.missedTickBehavior, MissedTickBehavior.Skip);
    const error = thrown(() => (iv.missedTickBehavior = "sometimes" as MissedTickBehavior));
    assert.instance(error, TypeError);
    assert.match((error as Error).message, /missedTickBehavior/);
    assert.is(iv.missedTickBehavior, MissedTickBehavior.Skip);
  });
});

// ---- missed ticks: expected instants derived from Tokio's MissedTickBehavior docs ------------------
// Period 10 ms. A tick is late when observed more than 5 ms after its scheduled instant. Burst:
// the next tick stays on the original schedule (T + P), so missed ticks complete back to back.
// Delay: the next tick is one period after the late observation (now + P). Skip: the next tick is
// the next instant of the original schedule after now (Tokio: now + P - (now - T) % P).

test("Burst with a consumer that works 25 ms per tick: ticks keep the schedule 0, 10, 20, …", async () => {
  const seen = await run(function* () {
    return yield* consume(MissedTickBehavior.Burst, 10, [25, 25, 25, 25, 25, 25]);
  });
  assert.equal(scheduled(seen), [0, 10, 20, 30, 40, 50]);
  assert.equal(observed(seen), [0, 25, 50, 75, 100, 125]);
});

test("Delay with a consumer that works 25 ms per tick: each late tick pushes the next one to now + 10", async () => {
  const seen = await run(function* () {
    return yield* consume(MissedTickBehavior.Delay, 10, [25, 25, 25, 25, 25, 25]);
  });
  assert.equal(scheduled(seen), [0, 10, 35, 60, 85, 110]);
  assert.equal(observed(seen), [0, 25, 50, 75, 100, 125]);
});

test("Skip with a consumer that works 25 ms per tick: the next tick is the next multiple of 10 after now", async () => {
  const seen = await run(function* () {
    return yield* consume(MissedTickBehavior.Skip, 10, [25, 25, 25, 25, 25, 25]);
  });
  assert.equal(scheduled(seen), [0, 10, 30, 60, 80, 110]);
  assert.equal(observed(seen), [0, 25, 50, 75, 100, 125]);
});

test("Burst after one 35 ms stall: the missed ticks 10, 20, 30 complete at once, then the schedule resumes", async () => {
  const seen = await run(function* () {
    return yield* consume(MissedTickBehavior.Burst, 10, [35, 0, 0, 0, 0, 0]);
  });
  assert.equal(scheduled(seen), [0, 10, 20, 30, 40, 50]);
  assert.equal(observed(seen), [0, 35, 35, 35, 40, 50]);
});

test("Delay after one 35 ms stall: the schedule restarts from the late tick (45, 55, …)", async () => {
  const seen = await run(function* () {
    return yield* consume(MissedTickBehavior.Delay, 10, [35, 0, 0, 0, 0, 0]);
  });
  assert.equal(scheduled(seen), [0, 10, 45, 55, 65, 75]);
  assert.equal(observed(seen), [0, 35, 45, 55, 65, 75]);
});

test("Skip after one 35 ms stall: ticks 20 and 30 are dropped, the phase is kept (40, 50, …)", async () => {
  const seen = await run(function* () {
    return yield* consume(MissedTickBehavior.Skip, 10, [35, 0, 0, 0, 0, 0]);
  });
  assert.equal(scheduled(seen), [0, 10, 40, 50, 60, 70]);
  assert.equal(observed(seen), [0, 35, 40, 50, 60, 70]);
});

test("Skip with a fractional period, late by an exact multiple of it: the next tick is one period on, not at once (the remainder in whole ns, as Tokio)", async () => {
  for (const origin of [0, 60, 1001, 123_456]) {
    await withTimeOrigin(origin, () =>
      run(function* () {
        const start = Instant.now();
        const iv = interval(0.3);
        iv.missedTickBehavior = MissedTickBehavior.Skip;
        yield* iv.tick(); // at 0
        yield* advance(6.6); // the tick at 0.3 is now 6.3 ms (21 periods) late
        assert.is((yield* iv.tick()).durationSince(start), 0.3, `origin ${origin}: the late tick`);
        const next = (yield* iv.tick()).durationSince(start);
        assert.is(next, 6.9, `origin ${origin}: one period after now (6.6), on the phase`);
      }),
    );
  }
});

test("a tick observed at most 5 ms late counts as on time; 6 ms late is missed (Delay)", async () => {
  const seen = await run(function* () {
    return yield* consume(MissedTickBehavior.Delay, 10, [15, 0, 16, 0, 0]);
  });
  // 10 seen at 15 (5 late: on time, next 20); 30 seen at 36 (6 late: next 46).
  assert.equal(scheduled(seen), [0, 10, 20, 30, 46]);
  assert.equal(observed(seen), [0, 15, 20, 36, 46]);
});

// ---- resets -----------------------------------------------------------------------------------

test("reset() makes the next tick one period from now", async () => {
  await run(function* () {
    const start = Instant.now();
    const iv = interval(10);
    yield* iv.tick();
    yield* advance(3);
    iv.reset();
    const at = yield* iv.tick();
    assert.is(at.durationSince(start), 13);
    assert.is(start.elapsed(), 13);
    assert.is((yield* iv.tick()).durationSince(start), 23);
  });
});

test("resetImmediately() makes the next tick complete now", async () => {
  await run(function* () {
    const start = Instant.now();
    const iv = interval(10);
    yield* iv.tick();
    yield* advance(4);
    iv.resetImmediately();
    const at = assertReady(mockTask(iv.tick()).poll());
    assert.is(at.durationSince(start), 4);
    assert.is((yield* iv.tick()).durationSince(start), 14);
  });
});

test("resetAfter(ms) makes the next tick ms from now", async () => {
  await run(function* () {
    const start = Instant.now();
    const iv = interval(10);
    yield* iv.tick();
    yield* advance(2);
    iv.resetAfter(30);
    assert.is((yield* iv.tick()).durationSince(start), 32);
    assert.is(start.elapsed(), 32);
    assert.is((yield* iv.tick()).durationSince(start), 42);
  });
});

test("resetAt(instant) makes the next tick at that instant", async () => {
  await run(function* () {
    const start = Instant.now();
    const iv = interval(10);
    yield* iv.tick();
    iv.resetAt(start.add(77));
    assert.is((yield* iv.tick()).durationSince(start), 77);
    assert.is((yield* iv.tick()).durationSince(start), 87);
  });
});

test("a reset while a tick is awaited wakes the waiting task at the new instant", async () => {
  await run(function* () {
    const iv = interval(100);
    yield* iv.tick();
    const task = mockTask(iv.tick());
    assertPending(task.poll());
    iv.resetAfter(5);
    yield* advance(5);
    assert.is(task.wakeCount, 1);
    assertReady(task.poll());
  });
});

test("resetAfter rejects a bad duration and resetAt a non-Instant, naming the argument", async () => {
  await run(function* () {
    const iv = interval(10);
    for (const bad of [-1, NaN, -Infinity]) {
      const error = thrown(() => iv.resetAfter(bad));
      assert.instance(error, RangeError);
      assert.match((error as Error).message, /^ms /);
    }
    assert.instance(thrown(() => iv.resetAfter("1" as unknown as number)), TypeError);
    const error = thrown(() => iv.resetAt(5 as unknown as Instant));
    assert.instance(error, TypeError);
    assert.match((error as Error).message, /^deadline must be an Instant/);
  });
});

// ---- bad input --------------------------------------------------------------------------------

test('interval(0) and intervalAt(start, 0) throw RangeError "period must be non-zero"', async () => {
  await run(function* () {
    for (const make of [() => interval(0), () => intervalAt(Instant.now(), 0)]) {
      const error = thrown(make);
      assert.instance(error, RangeError);
      assert.is((error as Error).message, "period must be non-zero");
    }
  });
});

test("interval rejects negative and NaN periods with a RangeError, and a non-number with a TypeError, naming period", async () => {
  await run(function* () {
    for (const bad of [-10, NaN, -Infinity]) {
      const error = thrown(() => interval(bad));
      assert.instance(error, RangeError, `interval(${bad})`);
      assert.match((error as Error).message, /^period /);
    }
    const error = thrown(() => interval("10" as unknown as number));
    assert.instance(error, TypeError);
    assert.match((error as Error).message, /^period /);
  });
});

test("intervalAt rejects a start that is not an Instant with a TypeError naming start", async () => {
  await run(function* () {
    const error = thrown(() => intervalAt(0 as unknown as Instant, 10));
    assert.instance(error, TypeError);
    assert.match((error as Error).message, /^start must be an Instant/);
  });
});

// ---- async iteration and cancel safety --------------------------------------------------------

test("for await over an interval in an async task yields the scheduled instants, one period apart", async () => {
  const ticks = await withRuntime((rt) =>
    rt.blockOn(async () => {
      const start = Instant.now();
      const ticks: number[] = [];
      for await (const at of interval(40)) {
        assert.is(start.elapsed(), at.durationSince(start));
        ticks.push(at.durationSince(start));
        if (ticks.length === 4) break;
      }
      return ticks;
    }),
  );
  assert.equal(ticks, [0, 40, 80, 120]);
});

test("a tick() dropped while pending loses no tick: the next tick() completes at the same instant", async () => {
  await run(function* () {
    const start = Instant.now();
    const iv = interval(10);
    yield* iv.tick();
    const dropped = mockTask(iv.tick());
    assertPending(dropped.poll());
    dropped.drop();
    yield* advance(3);
    const at = yield* iv.tick();
    assert.is(at.durationSince(start), 10);
    assert.is(start.elapsed(), 10);
  });
});

test("a tick() dropped while pending removes its timer and never wakes its task", async () => {
  await run(function* () {
    const iv = interval(10);
    yield* iv.tick();
    const dropped = mockTask(iv.tick());
    assertPending(dropped.poll());
    dropped.drop();
    assert.is(timerCount(), 0, "the dropped tick's timer is still registered");
    yield* advance(10);
    assert.is(dropped.wakeCount, 0, "the dropped tick's task was woken");
  });
});

test("a pending tick dropped and its interval reset by a waker firing in the same millisecond completes at the new instant", async () => {
  await run(function* () {
    const start = Instant.now();
    const iv = interval(10);
    yield* iv.tick();
    const other = sleep(10);
    let tick = iv.tick();
    const cxTick = new Context({ wake() {} });
    other.poll(
      new Context({
        wake() {
          // A foreign executor drops the tick's task and resets the interval: next tick at 20.
          tick.cancel();
          iv.reset();
        },
      }),
    );
    assert.is(tick.poll(cxTick), Pending);
    yield* advance(10);
    tick = iv.tick();
    assert.is(tick.poll(cxTick), Pending, "the tick completed on the schedule the reset replaced");
    yield* advance(10);
    const at = tick.poll(cxTick);
    assert.ok(at !== Pending);
    assert.is((at as Instant).durationSince(start), 20);
  });
});

test.run();
