/**
 * test() of @tokio-ts/macros: tests that pass, fail, deadlock, leak tasks / timers / host
 * handles (a seeded model of what leaks and what the message must say), paused time by default
 * and startPaused: false, tests running at once, configureTest defaults.
 */
import { test as uvu } from "uvu";
import * as assert from "uvu/assert";
import { configureTest, test, type TestOptions, type TestRegistrar } from "@tokio-ts/macros";
import { spawn, yieldNow } from "@tokio-ts/runtime";
import { Instant, sleep } from "@tokio-ts/time";
import { mockTask, SeededRng } from "@tokio-ts/test-util";
import { runChild } from "./run-child.js";

/** A registrar that keeps the handlers; run() resolves with each test's failure (or undefined). */
function recorder(): { suite: TestRegistrar; names: string[]; run(): Promise<Map<string, Error | undefined>> } {
  const handlers: [string, () => Promise<void>][] = [];
  return {
    suite: (name, handler) => void handlers.push([name, handler]),
    get names() {
      return handlers.map(([n]) => n);
    },
    async run() {
      const out = new Map<string, Error | undefined>();
      for (const [name, handler] of handlers) {
        try {
          await handler();
          out.set(name, undefined);
        } catch (e) {
          out.set(name, e as Error);
        }
      }
      return out;
    },
  };
}

uvu("seeded leak model: the test fails exactly when it leaves a task, a timer or a host handle, and the message counts each", async () => {
  const r = recorder();
  const expected = new Map<string, string[]>();
  const dropped: string[] = [];
  const intervals: ReturnType<typeof setInterval>[] = [];
  let spawnedToLeak = 0;
  for (let seed = 0; seed < 60; seed++) {
    const rng = new SeededRng(seed);
    const tasks = rng.below(3);
    const joined = rng.below(3);
    const timers = rng.below(3);
    const hosts = rng.below(4) === 0 ? 1 : 0;
    const leakCheck = rng.below(5) !== 0;
    const startPaused = rng.below(4) !== 0;
    const name = `seed ${seed}`;
    spawnedToLeak += tasks;
    const leaks: string[] = [];
    if (leakCheck) {
      const taskTimers = tasks; // each leaked task sleeps: one timer each
      if (tasks > 0) leaks.push(`${tasks} task${tasks === 1 ? "" : "s"} still alive`);
      const allTimers = taskTimers + timers;
      if (allTimers > 0) leaks.push(`${allTimers} timer${allTimers === 1 ? "" : "s"} still registered`);
      if (hosts > 0) leaks.push("1 host handle (Timeout)");
    }
    expected.set(name, leaks);
    test(name, function* () {
      for (let i = 0; i < tasks; i++) {
        spawn(function* () {
          try {
            yield* sleep(86_400_000);
          } finally {
            dropped.push(`${name} task ${i}`);
          }
        });
      }
      const hs = Array.from({ length: joined }, (_, i) => spawn(function* () { yield* sleep(10 * (i + 1)); return i; }));
      for (const h of hs) yield* h;
      for (let i = 0; i < timers; i++) mockTask(sleep(86_400_000)).poll(); // registered, never dropped
      if (hosts > 0) intervals.push(setInterval(() => {}, 60_000));
      yield* yieldNow();
    }, { suite: r.suite, leakCheck, startPaused });
  }
  const results = await r.run();
  for (const i of intervals) clearInterval(i);
  for (const [name, leaks] of expected) {
    const error = results.get(name);
    if (leaks.length === 0) {
      assert.is(error, undefined, `${name}: ${error?.message}`);
    } else {
      assert.instance(error, Error, `${name} should fail`);
      assert.is(error!.message, `test "${name}" left ${leaks.join(", ")} behind: abort or join spawned tasks, drop timers and close handles before the test returns`, name);
    }
  }
  // every leaked task was dropped (its finally ran) at the test's shutdown, exactly once
  assert.is(dropped.length, spawnedToLeak);
  assert.is(new Set(dropped).size, dropped.length, "each leaked task dropped once");
});

uvu("paused time is the default (a 1-hour sleep is instant and exact); startPaused: false runs on the real clock; configureTest sets, replaces and per-call options override", async () => {
  const r = recorder();
  const elapsed = new Map<string, number>();
  const probe = (name: string) =>
    function* () {
      const start = Instant.now();
      yield* sleep(3_600_000 / (name.includes("real") ? 3_600_000 / 15 : 1));
      elapsed.set(name, Instant.now().durationSince(start));
    };
  const def = (name: string, options?: TestOptions) => test(name, probe(name), { suite: r.suite, ...options });
  def("default paused");
  def("real, per call", { startPaused: false });
  configureTest({ suite: r.suite, startPaused: false });
  test("real, by configureTest", probe("real, by configureTest"));
  test("paused, per call over configureTest", probe("paused, per call over configureTest"), { startPaused: true });
  configureTest({ suite: r.suite }); // replaces the defaults: paused again
  test("paused after configureTest replaced", probe("paused after configureTest replaced"));
  try {
    configureTest({ suite: r.suite, startPaused: false, leakCheck: "no" as never });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, TypeError);
  }
  test("paused, the bad configureTest kept the previous defaults", probe("paused, the bad configureTest kept the previous defaults"));
  const results = await r.run();
  for (const [name, error] of results) assert.is(error, undefined, `${name}: ${error?.message}`);
  for (const [name, ms] of elapsed) {
    if (name.startsWith("real")) assert.ok(ms >= 14 && ms < 1000, `${name}: ${ms} ms`);
    else assert.is(ms, 3_600_000, name);
  }
  assert.is(elapsed.size, 6);
});

uvu("tests running at once (leakCheck off) each keep their own paused clock and all pass", async () => {
  const handlers: (() => Promise<void>)[] = [];
  const suite: TestRegistrar = (_n, h) => void handlers.push(h);
  const seen: [number, number][] = [];
  for (let t = 0; t < 10; t++) {
    const paused = t % 5 !== 4;
    test(`parallel ${t}`, function* () {
      const rng = new SeededRng(t);
      const start = Instant.now();
      const hs = [0, 1, 2].map(() => {
        const naps = Array.from({ length: 4 }, () => (paused ? rng.between(1, 3_600_000) : rng.between(1, 10)));
        return spawn(function* () {
          for (const n of naps) yield* sleep(n);
          return naps.reduce((a, b) => a + b, 0);
        });
      });
      let longest = 0;
      for (const h of hs) longest = Math.max(longest, yield* h);
      const took = Instant.now().durationSince(start);
      if (paused) seen.push([longest, took]);
      else assert.ok(took >= longest && took < longest + 1000);
    }, { suite, startPaused: paused, leakCheck: false });
  }
  const results = await Promise.allSettled(handlers.map((h) => h()));
  results.forEach((s, i) => assert.is(s.status, "fulfilled", `parallel ${i}: ${(s as PromiseRejectedResult).reason}`));
  for (const [longest, took] of seen) assert.is(took, longest);
  assert.is(seen.length, 8);
});

uvu("a uvu file: passes, fails (with the assertion, and with the leak message), the leaked task dropped, exit code 1", async () => {
  const r = await runChild("uvu-tests", ["mixed"]);
  assert.not.ok(r.killedBySafetyNet, r.stdout);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, "ran passes");
  assert.match(r.stdout, "ran real clock");
  assert.match(r.stdout, "one is not two");
  assert.match(r.stdout, 'test "fails: leaks a task" left 1 task still alive, 1 timer still registered behind');
  assert.is(r.stdout.split("leaked task dropped").length - 1, 1);
  assert.match(r.stdout, /Passed:\s+\S*2/);
});

uvu("a uvu file whose test deadlocks: test() reports it on stderr, names the test, and the process exits with 1 (the tests after it never run)", async () => {
  const r = await runChild("uvu-tests", ["deadlock"]);
  assert.not.ok(r.killedBySafetyNet, r.stdout);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, "ran passes");
  assert.not.match(r.stdout, "ran after");
  assert.match(r.stderr, 'test("deadlocks: waits on a oneshot nobody sends on")');
  assert.match(r.stderr, "nothing is left that could wake it");
  assert.is(r.stderr.split("nothing is left").length - 1, 1);
});

uvu.run();
