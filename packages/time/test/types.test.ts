/**
 * Type tests: what `sleep`, `timeout`, `interval` and `Instant` infer, and misuse the compiler
 * rejects (`@ts-expect-error` fails the build if the line compiles). The typed code runs in
 * paused time in the test below, so its results are checked too.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ready } from "@tokio-ts/core";
import { spawn } from "@tokio-ts/runtime";
import { Instant, MissedTickBehavior, Sleep, Timeout, advance, interval, sleep, sleepUntil, timeout, timeoutAt, type Interval } from "../src/index.js";
import { withRuntime } from "./helpers.js";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

function* worker(n: number) {
  yield* sleep(5);
  return n * 2;
}

export function* timers(): Generator<unknown, unknown[], unknown> {
  const start = Instant.now();
  const nap = sleep(10);
  expectType<Equals<typeof nap, Sleep>>();
  const slept = yield* nap;
  expectType<Equals<typeof slept, void>>();
  yield* sleepUntil(start.add(20));
  const elapsed = start.elapsed();
  expectType<Equals<typeof elapsed, number>>();
  const order = start.compare(Instant.now());
  expectType<Equals<typeof order, -1 | 0 | 1>>();

  // timeout takes every kind of body and keeps its output type.
  const t1 = timeout(100, ready("r"));
  expectType<Equals<typeof t1, Timeout<string>>>();
  const a = yield* t1;
  const b = yield* timeout(100, function* () {
    yield* sleep(1);
    return 1;
  });
  expectType<Equals<typeof b, number>>();
  const c = yield* timeout(100, async () => true);
  expectType<Equals<typeof c, boolean>>();
  const d = yield* timeout(100, worker(2));
  expectType<Equals<typeof d, number>>();
  const e = yield* timeoutAt(Instant.now().add(100), () => worker(3));
  expectType<Equals<typeof e, number>>();
  const viaHandle = yield* timeout(100, spawn(worker(4)));
  expectType<Equals<typeof viaHandle, number>>();

  const ticks: Interval = interval(10);
  ticks.missedTickBehavior = MissedTickBehavior.Delay;
  const first = yield* ticks.tick();
  expectType<Equals<typeof first, Instant>>();
  yield* advance(1);
  return [slept, elapsed, order, a, b, c, d, e, viaHandle, first.durationSince(start), Instant.now().asMillis() - start.asMillis()];
}

export function misuse(): void {
  // @ts-expect-error Instant's constructor is private: use Instant.now()
  new Instant(1);
  // @ts-expect-error a duration is a number of milliseconds
  sleep("10");
  // @ts-expect-error a promise is not a lazy future: wrap it with fromPromise()
  timeout(10, Promise.resolve(1));
  // @ts-expect-error a deadline is an Instant
  sleepUntil(10);
  const ticks = interval(10);
  // @ts-expect-error not a MissedTickBehavior
  ticks.missedTickBehavior = "skip-all";
  // @ts-expect-error the period is read only
  ticks.period = 5;
}

test("the typed timer code runs in paused time with the values its types say", async () => {
  assert.type(misuse, "function");
  const out = await withRuntime((rt) => rt.blockOn(timers));
  assert.equal(out, [undefined, 20, -1, "r", 1, true, 4, 6, 8, 36, 37]);
});

test.run();
