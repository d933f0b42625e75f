import { test } from "uvu";
import * as assert from "uvu/assert";
import { advance, Instant, sleep, sleepUntil } from "../src/index.js";
import { run, thrown } from "./helpers.js";

test("Instant.now() on a paused clock stays put until time is advanced", async () => {
  const [a, b] = await run(function* () {
    const a = Instant.now();
    const b = Instant.now();
    return [a, b];
  });
  assert.ok(a!.equals(b!));
});

test("Instant.now() honours advance(): elapsed() is exactly the advanced time", async () => {
  const [elapsed, since] = await run(function* () {
    const start = Instant.now();
    yield* advance(1234);
    return [start.elapsed(), Instant.now().durationSince(start)];
  });
  assert.is(elapsed, 1234);
  assert.is(since, 1234);
});

test("Instant.now() honours auto-advance: after sleep(500) exactly 500 ms have elapsed", async () => {
  const elapsed = await run(function* () {
    const start = Instant.now();
    yield* sleep(500);
    return start.elapsed();
  });
  assert.is(elapsed, 500);
});

test("add and sub move an instant by milliseconds, and durationSince measures between instants", async () => {
  await run(function* () {
    const t = Instant.now();
    const later = t.add(250);
    const earlier = t.sub(100);
    assert.is(later.durationSince(t), 250);
    assert.is(t.durationSince(earlier), 100);
    assert.is(later.durationSince(earlier), 350);
    assert.ok(later.sub(250).equals(t));
    assert.ok(t.add(0).equals(t));
    assert.is(later.asMillis() - t.asMillis(), 250);
  });
});

test("durationSince saturates to 0 when the other instant is later", async () => {
  await run(function* () {
    const t = Instant.now();
    assert.is(t.durationSince(t.add(10)), 0);
  });
});

test("elapsed() of an instant in the future is 0", async () => {
  await run(function* () {
    assert.is(Instant.now().add(1000).elapsed(), 0);
  });
});

test("compare, equals, isBefore, isAfter and the < operator order instants", async () => {
  await run(function* () {
    const t = Instant.now();
    const u = t.add(1);
    assert.is(t.compare(u), -1);
    assert.is(u.compare(t), 1);
    assert.is(t.compare(t.add(0)), 0);
    assert.ok(t.isBefore(u) && !u.isBefore(t) && !t.isBefore(t));
    assert.ok(u.isAfter(t) && !t.isAfter(u) && !t.isAfter(t));
    assert.ok(t < u && u > t);
    assert.ok(t.equals(t.add(0)) && !t.equals(u));
    const sorted = [u.add(5), t, u].sort((x, y) => x.compare(y));
    assert.equal(
      sorted.map((i) => i.durationSince(t)),
      [0, 1, 6],
    );
  });
});

test("equals is false for something that is not an Instant", async () => {
  await run(function* () {
    const t = Instant.now();
    assert.not.ok(t.equals(t.asMillis() as unknown as Instant));
    assert.not.ok(t.equals(null as unknown as Instant));
  });
});

test("add and sub reject negative, NaN and infinite durations with a RangeError naming ms", async () => {
  await run(function* () {
    const t = Instant.now();
    for (const bad of [-1, -0.5, NaN, Infinity, -Infinity]) {
      for (const op of [(ms: number) => t.add(ms), (ms: number) => t.sub(ms)]) {
        const error = thrown(() => op(bad));
        assert.instance(error, RangeError, `for ${bad}`);
        assert.match((error as Error).message, /\bms\b/);
      }
    }
  });
});

test("add and sub reject a non-number with a TypeError naming ms", async () => {
  await run(function* () {
    const t = Instant.now();
    for (const bad of ["5", undefined, null, 5n, {}]) {
      const error = thrown(() => t.add(bad as unknown as number));
      assert.instance(error, TypeError, `for ${String(bad)}`);
      assert.match((error as Error).message, /\bms\b/);
      assert.instance(thrown(() => t.sub(bad as unknown as number)), TypeError);
    }
  });
});

test("durationSince and compare reject a non-Instant with a TypeError naming the argument", async () => {
  await run(function* () {
    const t = Instant.now();
    const since = thrown(() => t.durationSince(5 as unknown as Instant));
    assert.instance(since, TypeError);
    assert.match((since as Error).message, /earlier must be an Instant, got number/);
    const cmp = thrown(() => t.compare(null as unknown as Instant));
    assert.instance(cmp, TypeError);
    assert.match((cmp as Error).message, /other must be an Instant, got null/);
    assert.instance(thrown(() => t.isBefore({} as Instant)), TypeError);
    assert.instance(thrown(() => t.isAfter("x" as unknown as Instant)), TypeError);
  });
});

test("outside a runtime Instant.now() reads the monotonic host clock", () => {
  const before = performance.now();
  const t = Instant.now();
  const after = performance.now();
  assert.ok(t.asMillis() >= before && t.asMillis() <= after);
  assert.ok(Instant.now().compare(t) >= 0);
});

test("toString names the instant and its milliseconds", async () => {
  await run(function* () {
    const t = Instant.now();
    assert.is(String(t), `Instant(${t.asMillis().toFixed(3)} ms)`);
  });
});

test("durations between instants with fractional milliseconds are exact to the nanosecond: a.add(250).durationSince(a) is 250", () => {
  // Fractional readings as performance.now() gives them, where plain float arithmetic drifts.
  const readings = [0.1, 0.3, 1234.567891, 86_400_000.123456, 3_600_000.7, 999_999.999999];
  for (let i = 0; i < 200; i++) readings.push(Instant.now().asMillis());
  for (const ms of readings) {
    const a = Instant.fromMillis(ms);
    for (const d of [250, 0.1, 1e-6, 10_000.5]) {
      assert.is(a.add(d).durationSince(a), d, `${ms} + ${d}`);
      assert.ok(a.add(d).sub(d).equals(a), `${ms} + ${d} - ${d}`);
    }
  }
});

test("after years of virtual time instants stay exact: whole and binary-fraction ms are not moved, and sleepUntil lands on its deadline", async () => {
  const YEAR = 365 * 24 * 3_600_000;
  await run(function* () {
    // Tokio's long_sleeps: a 10-year sleepUntil completes at its deadline (Tokio allows 1 ms late).
    const start = Instant.now();
    for (let i = 0; i < 5; i++) yield* sleep(YEAR);
    assert.is(start.elapsed(), 5 * YEAR);
    const deadline = Instant.now().add(10 * YEAR);
    yield* sleepUntil(deadline);
    assert.ok(Instant.now().equals(deadline), `woke ${Instant.now().durationSince(deadline)} ms after the deadline`);
    for (let k = 0; k < 100; k++) {
      const a = Instant.now();
      yield* advance(YEAR / 64 + 0.25);
      assert.is(a.elapsed(), YEAR / 64 + 0.25);
      const b = Instant.now();
      assert.is(b.add(250.5).durationSince(b), 250.5);
      assert.ok(b.add(250.5).sub(250.5).equals(b));
    }
  });
});

test("checkedDurationSince is undefined when the other instant is later; saturatingDurationSince is 0 then", async () => {
  await run(function* () {
    const t = Instant.now();
    const later = t.add(10);
    assert.is(later.checkedDurationSince(t), 10);
    assert.is(t.checkedDurationSince(t), 0);
    assert.is(t.checkedDurationSince(later), undefined);
    assert.is(later.saturatingDurationSince(t), 10);
    assert.is(t.saturatingDurationSince(later), 0);
    assert.instance(thrown(() => t.checkedDurationSince(5 as unknown as Instant)), TypeError);
    assert.instance(thrown(() => t.saturatingDurationSince(undefined as unknown as Instant)), TypeError);
  });
});

test("checkedAdd and checkedSub give the instant, or undefined past Number.MAX_SAFE_INTEGER ms; bad durations throw", async () => {
  await run(function* () {
    const t = Instant.now();
    assert.ok(t.checkedAdd(250)!.equals(t.add(250)));
    assert.ok(t.checkedSub(250)!.equals(t.sub(250)));
    assert.is(t.checkedAdd(Number.MAX_SAFE_INTEGER), undefined);
    assert.is(t.checkedAdd(Number.MAX_VALUE), undefined);
    assert.is(t.checkedSub(Number.MAX_VALUE), undefined);
    assert.ok(Instant.fromMillis(0).checkedAdd(Number.MAX_SAFE_INTEGER)!.asMillis() === Number.MAX_SAFE_INTEGER);
    assert.is(t.checkedAdd(Infinity), undefined, "Tokio: checked_add(Duration::MAX) is None");
    assert.is(t.checkedSub(Infinity), undefined);
    for (const bad of [-1, NaN, -Infinity]) {
      assert.instance(thrown(() => t.checkedAdd(bad)), RangeError, `checkedAdd(${bad})`);
      assert.instance(thrown(() => t.checkedSub(bad)), RangeError, `checkedSub(${bad})`);
    }
  });
});

test("add/sub beyond the clock's range are a RangeError that names the checked form; new Instant() from plain JS a TypeError", () => {
  const now = Instant.fromMillis(0);
  assert.throws(() => now.add(Number.MAX_VALUE), (e: unknown) => e instanceof RangeError && /Instant\.add: .* use checkedAdd/.test(e.message));
  assert.throws(() => now.sub(1e300), (e: unknown) => e instanceof RangeError && /Instant\.sub: .* use checkedSub/.test(e.message));
  assert.is(now.checkedAdd(Number.MAX_VALUE), undefined);
  assert.is(now.add(1000).durationSince(now), 1000, "within the range, as before");
  const Ctor = Instant as unknown as new () => Instant;
  assert.throws(() => new Ctor(), (e: unknown) => e instanceof TypeError && /use Instant\.now\(\)/.test(e.message));
});

test.run();
