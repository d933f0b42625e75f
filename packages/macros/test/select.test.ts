import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, enterFrame, fromGenerator, noopWaker, Pending, pending, ready, restoreFrame, type DriverHost, type Frame, type Future } from "@tokio-ts/core";
import { Builder, Handle, spawn, type Runtime } from "@tokio-ts/runtime";
import { CancellationToken, mpsc } from "@tokio-ts/sync";
import { assertPending, assertReady, assertReadyErr, forEachSeed, mockTask, SeededRng } from "@tokio-ts/test-util";
import { Instant, sleep } from "@tokio-ts/time";
import { TIME } from "@tokio-ts/time/driver";
import { select } from "../src/index.js";
import { Probe, SelfWaking } from "./probe.js";

/** Build a runtime, run `body`, always shut the runtime down. */
async function withRuntime<R>(configure: (builder: Builder) => Builder, body: (rt: Runtime) => Promise<R>): Promise<R> {
  const rt = configure(Builder.newCurrentThread()).build();
  try {
    return await body(rt);
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
}

const paused = (builder: Builder) => builder.enableTime().startPaused(true);

/** A seeded PRNG (test-util's SeededRng) for the scenarios' own random choices. */
function prng(seed: number): (n: number) => number {
  const random = new SeededRng(seed);
  return (n) => random.below(n);
}

test("the first branch to complete wins and every other branch is dropped at once", () => {
  const a = new Probe("a");
  const b = new Probe("b");
  const c = new Probe("c");
  const task = mockTask(select({ a, b, c }));
  assertPending(task.poll());
  assert.equal([a.polls, b.polls, c.polls], [1, 1, 1]);
  b.resolve("B");
  assert.ok(task.isWoken());
  assertReady(task.poll(), { key: "b", value: "B" });
  assert.equal([a.cancels, b.cancels, c.cancels], [1, 0, 1]);
  assert.is(a.waker, undefined);
  assert.is(c.waker, undefined);
});

test("the loser of select(recv, sleep) never consumes a message: 10,000 messages from a fast sender arrive once each, in order, under seeded schedules", async () => {
  const MESSAGES = 10_000;
  const results = await forEachSeed(
    [1, 2, 3, 4, 5],
    (rt, seed) =>
      rt.blockOn(function* () {
        const random = prng(seed);
        const [tx, rx] = mpsc.channel<number>(4);
        const sender = spawn(function* () {
          for (let i = 0; i < MESSAGES; i++) {
            yield* tx.send(i);
            // Mostly back to back; now and then a pause, so that the tick wins some rounds.
            if (random(4) === 0) yield* sleep(random(3));
          }
          tx.close();
        });
        const received: number[] = [];
        let ticks = 0;
        for (;;) {
          const r = yield* select({ msg: rx.recv(), tick: sleep(1) });
          if (r.key === "tick") {
            ticks++;
            continue;
          }
          if (r.value === undefined) break; // closed and drained
          received.push(r.value);
        }
        yield* sender;
        return { received, ticks, timers: Handle.current().driver(TIME).timerCount };
      }),
    { enableTime: true, startPaused: true },
  );
  for (const { received, ticks, timers } of results) {
    assert.is(received.length, MESSAGES);
    const outOfPlace = received.findIndex((value, i) => value !== i);
    assert.is(outOfPlace, -1, `message ${received[outOfPlace]} arrived at position ${outOfPlace}`);
    assert.ok(ticks > 100, `the tick should win some rounds (it won ${ticks})`);
    assert.is(timers, 0, "every losing sleep left the timer wheel");
  }
});

test("biased polls the branches in declaration order, and the first ready one wins", () => {
  const log: string[] = [];
  const a = new Probe("a", log);
  const b = new Probe("b", log);
  const c = new Probe("c", log);
  const task = mockTask(select({ a, b, c }, { biased: true }));
  assertPending(task.poll());
  c.wake();
  assertPending(task.poll());
  assert.equal(log, ["a", "b", "c", "a", "b", "c"]);

  // With several ready, the first declared wins; the later ones are not even polled.
  const order: string[] = [];
  const x = new Probe("x", order);
  const y = Probe.ready("Y", "y", order);
  const z = Probe.ready("Z", "z", order);
  assertReady(mockTask(select({ x, y, z }, { biased: true })).poll(), { key: "y", value: "Y" });
  assert.equal(order, ["x", "y"]);
  assert.equal([x.cancels, y.cancels, z.cancels], [1, 0, 1]);
  for (let i = 0; i < 100; i++) {
    assertReady(mockTask(select({ p: ready(1), q: ready(2) }, { biased: true })).poll(), { key: "p", value: 1 });
  }
});

test("unbiased, each poll starts at a random branch and goes round in declaration order", async () => {
  await withRuntime(
    (b) => b.rngSeed(11),
    (rt) =>
      rt.blockOn(function* () {
        const starts = new Set<string>();
        for (let round = 0; round < 60; round++) {
          const log: string[] = [];
          const task = mockTask(select({ a: new Probe("a", log), b: new Probe("b", log), c: new Probe("c", log) }));
          assertPending(task.poll());
          assert.ok(["a,b,c", "b,c,a", "c,a,b"].includes(log.join(",")), `poll order ${log.join(",")}`);
          starts.add(log[0]!);
          task.drop();
        }
        assert.equal([...starts].sort(), ["a", "b", "c"]);
      }),
  );
});

/** Which branch wins each of `rounds` selects between four ready futures. */
function* winners(rounds: number): Generator<unknown, string[], unknown> {
  const keys: string[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = yield* select({ a: ready(0), b: ready(1), c: ready(2), d: ready(3) });
    keys.push(r.key);
  }
  return keys;
}

function winnersWithSeed(seed: number, rounds: number): Promise<string[]> {
  return withRuntime(
    (b) => b.rngSeed(seed),
    (rt) => rt.blockOn(() => winners(rounds)),
  );
}

test("the random order is fair: over 4,000 rounds each of four ready branches wins about a quarter (chi-square, p > 0.001)", async () => {
  const ROUNDS = 4000;
  for (const seed of [1, 2, 3]) {
    const keys = await winnersWithSeed(seed, ROUNDS);
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    assert.equal([...counts.keys()].sort(), ["a", "b", "c", "d"]);
    const expected = ROUNDS / 4;
    let chi2 = 0;
    for (const n of counts.values()) chi2 += (n - expected) ** 2 / expected;
    // 16.27 is the 0.999 quantile of chi-square with 3 degrees of freedom. The seeds are fixed,
    // so the test is deterministic; the bound says the generator is not skewed.
    assert.ok(chi2 < 16.27, `seed ${seed}: chi-square ${chi2.toFixed(2)} for counts ${[...counts.values()]}`);
  }
});

test("the random order is reproducible: the same rngSeed gives the same winners, another seed others", async () => {
  const first = await winnersWithSeed(42, 500);
  const again = await winnersWithSeed(42, 500);
  const other = await winnersWithSeed(43, 500);
  assert.equal(again, first);
  assert.not.equal(other, first);
});

test("on a custom executor the order comes from its host's randomBelow, drawn once per poll", () => {
  const draws: number[] = [];
  const host: DriverHost = {
    driverOptions: {},
    isEnabled: () => false,
    driver: () => {
      throw new Error("no drivers here");
    },
    randomBelow: (n) => {
      draws.push(n);
      return draws.length % n; // 1, 2, 0, … : a different starting branch each poll
    },
  };
  const frame: Frame = { task: { id: 1, runtime: host }, host: undefined, key: undefined, value: undefined, parent: undefined };
  const cx = new Context(noopWaker);
  const winners: string[] = [];
  for (let i = 0; i < 3; i++) {
    const prev = enterFrame(frame);
    try {
      const out = select({ a: ready(0), b: ready(1), c: ready(2) }).poll(cx);
      if (out === Pending) throw new Error("a select of ready branches is ready");
      winners.push(out.key);
    } finally {
      restoreFrame(prev);
    }
  }
  assert.equal(draws, [3, 3, 3]);
  assert.equal(winners, ["b", "c", "a"]);
});

test("outside a runtime the order comes from Math.random: every branch wins sometimes", () => {
  const wins = new Set<string>();
  for (let i = 0; i < 400; i++) {
    const r = assertReady(mockTask(select({ a: ready(0), b: ready(1), c: ready(2), d: ready(3) })).poll());
    wins.add(r.key);
  }
  assert.equal([...wins].sort(), ["a", "b", "c", "d"]);
});

test("disabled branches (false, null, undefined) are never polled; the others race as usual", () => {
  const on = new Probe("on");
  const off = new Probe("off");
  const enabled = false as boolean;
  const task = mockTask(select({ a: enabled && off, b: null, c: undefined, d: on }));
  assertPending(task.poll());
  on.resolve("D");
  assertReady(task.poll(), { key: "d", value: "D" });
  assert.is(off.polls, 0);
  assert.is(off.cancels, 0);
});

test("disabled branches between enabled ones leave each enabled branch its own name and output, in declaration order", () => {
  const cases: [Record<string, unknown>, { key: string; value: unknown }][] = [
    [{ a: false, b: ready("B"), c: null, d: ready("D") }, { key: "b", value: "B" }],
    [{ a: ready("A"), b: undefined, c: ready("C") }, { key: "a", value: "A" }],
    [{ a: null, b: false, c: pending(), d: undefined, e: ready("E") }, { key: "e", value: "E" }],
    [{ 2: ready("two"), 1: false, x: ready("x") }, { key: "2", value: "two" }],
  ];
  for (const [branches, winner] of cases) {
    assertReady(mockTask(select(branches as never, { biased: true })).poll(), winner);
  }
});

test("with every branch disabled, select is the else option's value, computed at the first poll", () => {
  let calls = 0;
  const fut = select({ a: false, b: null }, { else: () => (calls++, "idle") });
  assert.is(calls, 0, "select is lazy: else is not called before the first poll");
  assertReady(mockTask(fut).poll(), { key: "else", value: "idle" });
  assert.is(calls, 1);

  // else is only a fallback: with a branch enabled it is never called.
  const later = select({ a: ready(1) }, { else: () => (calls++, "idle") });
  assertReady(mockTask(later).poll(), { key: "a", value: 1 });
  assert.is(calls, 1);
});

test("with every branch disabled and no else, select fails with 'all branches are disabled and there is no else branch'", async () => {
  assertReadyErr(() => mockTask(select({ a: false, b: undefined })).poll(), /all branches are disabled and there is no else branch/);
  assertReadyErr(() => mockTask(select({})).poll(), /all branches are disabled and there is no else branch/);
  let error: unknown;
  try {
    await select({ a: null });
  } catch (e) {
    error = e;
  }
  assert.instance(error, Error);
  assert.match((error as Error).message, "all branches are disabled and there is no else branch");
});

test("a branch that throws makes select throw; the other branches are dropped (generator finally runs, waiter removed)", () => {
  const log: string[] = [];
  const waiting = new Probe("waiting");
  const bad = new Probe<number>("bad");
  const task = mockTask(
    select({
      gen: fromGenerator(function* () {
        try {
          yield* pending();
        } finally {
          log.push("gen finally");
        }
      }),
      waiting,
      bad,
    }),
  );
  assertPending(task.poll());
  bad.fail(new RangeError("boom"));
  assertReadyErr(() => task.poll(), (e) => e instanceof RangeError && e.message === "boom");
  assert.equal(log, ["gen finally"]);
  assert.is(waiting.cancels, 1);
  assert.is(waiting.waker, undefined);
  assert.is(bad.cancels, 0);
});

test("in a generator task, a branch's error reaches the caller's catch after the other branches are dropped", async () => {
  const log: string[] = [];
  const caught = await withRuntime(paused, (rt) =>
    rt.blockOn(function* () {
      try {
        yield* select({
          slow: function* () {
            try {
              yield* sleep(1000);
            } finally {
              log.push("slow finally");
            }
          },
          failing: function* () {
            yield* sleep(10);
            throw new Error("failing branch");
          },
        });
      } catch (error) {
        log.push("caught");
        return { error, timers: Handle.current().driver(TIME).timerCount };
      }
      return undefined;
    }),
  );
  assert.equal(log, ["slow finally", "caught"]);
  assert.is((caught?.error as Error).message, "failing branch");
  assert.is(caught?.timers, 0);
});

test("dropping the select drops every branch", () => {
  const log: string[] = [];
  const a = new Probe("a");
  const task = mockTask(
    select({
      a,
      g: fromGenerator(function* () {
        try {
          yield* pending();
        } finally {
          log.push("g finally");
        }
      }),
    }),
  );
  assertPending(task.poll());
  task.drop();
  assert.is(a.cancels, 1);
  assert.equal(log, ["g finally"]);

  // Dropped before its first poll: the branches are dropped too (and were never polled).
  const b = new Probe("b");
  const unpolled = mockTask(select({ b }));
  unpolled.drop();
  assert.equal([b.polls, b.cancels], [0, 1]);
});

test("a select dropped by a waker from inside a branch's poll (a foreign executor) polls no branch after that", () => {
  const first = new SelfWaking();
  const second = new Probe("second");
  const fut = select({ first, second }, { biased: true });
  let wakes = 0;
  // A foreign executor whose waker drops the task's future at once: here, while it is polled.
  const cx = new Context({
    wake() {
      wakes++;
      fut.cancel();
    },
  });
  assert.is(fut.poll(cx), Pending);
  assert.is(wakes, 1);
  assert.equal([first.polls, second.polls, second.cancels], [1, 0, 1]);
});

test("a select that completed cannot be polled again", () => {
  const fut = select({ a: ready(1) });
  assertReady(mockTask(fut).poll());
  assertReadyErr(() => mockTask(fut).poll(), /select future was polled after it completed/);
});

test("select works with no runtime in a plain async function, with sync primitives; the losing recv takes no message", async () => {
  const [tx, rx] = mpsc.channel<number>(4);
  const token = new CancellationToken();
  const result = (async () => select({ msg: rx.recv(), quit: token.cancelled() }))();
  await Promise.resolve();
  token.cancel();
  const r = await result;
  assert.equal(r, { key: "quit", value: undefined });
  // The dropped recv left the channel's wait queue: the next message goes to the next recv.
  assert.ok(tx.trySend(7).ok);
  assert.equal(await select({ msg: rx.recv(), quit: new CancellationToken().cancelled() }), { key: "msg", value: 7 });
});

test("select works in an async task and in a generator task of a runtime, with timers in virtual time", async () => {
  await withRuntime(paused, async (rt) => {
    const viaAwait = await rt.blockOn(async () => {
      const [tx, rx] = mpsc.channel<string>(1);
      spawn(function* () {
        yield* sleep(50);
        yield* tx.send("late");
      });
      const start = Instant.now();
      const first = await select({ msg: rx.recv(), tick: sleep(10) });
      const at = start.elapsed();
      const second = await select({ msg: rx.recv(), tick: sleep(100) });
      return { first, at, second, after: start.elapsed() };
    });
    assert.equal(viaAwait, { first: { key: "tick", value: undefined }, at: 10, second: { key: "msg", value: "late" }, after: 50 });

    const viaYield = await rt.blockOn(function* () {
      const token = new CancellationToken();
      spawn(function* () {
        yield* sleep(5);
        token.cancel();
      });
      const start = Instant.now();
      const r = yield* select({ tick: sleep(10), quit: token.cancelled() });
      return { r, at: start.elapsed(), timers: Handle.current().driver(TIME).timerCount };
    });
    assert.equal(viaYield, { r: { key: "quit", value: undefined }, at: 5, timers: 0 });
  });
});

test("select spends no budget itself, but a loop of selects over ready receives yields to other tasks once the budget is spent", async () => {
  const result = await withRuntime(
    (b) => b,
    (rt) =>
      rt.blockOn(function* () {
        const [tx, rx] = mpsc.unboundedChannel<number>();
        for (let i = 0; i < 1000; i++) tx.send(i);
        let i = 0;
        let otherRanAt = -1;
        spawn(function* () {
          otherRanAt = i;
        });
        for (; i < 1000; i++) {
          const r = yield* select({ msg: rx.recv(), never: pending<never>() });
          if (r.value !== i) throw new Error(`got ${r.value} at ${i}`);
        }
        return { otherRanAt, forcedYields: rt.metrics().budgetForcedYieldCount() };
      }),
  );
  assert.ok(result.otherRanAt > 0 && result.otherRanAt < 1000, `the other task ran at iteration ${result.otherRanAt}`);
  assert.ok(result.forcedYields > 0);
});

test("select rejects bad input at the call with a TypeError that names the branch", () => {
  const bad = select as unknown as (branches: unknown, options?: unknown) => Future<unknown>;
  assert.throws(() => bad({ a: 42 }), (e: unknown) => e instanceof TypeError && /branch `a` must be a future/.test(e.message));
  assert.throws(() => bad({ a: Promise.resolve(1) }), (e: unknown) => e instanceof TypeError && /promise/.test(e.message));
  assert.throws(
    () => bad({ a: ready(1), stream: async function* () {} }),
    (e: unknown) => e instanceof TypeError && e.message === "select: branch `stream`: async generator functions are not supported; use a generator or an async function",
  );
  assert.throws(() => bad({ else: ready(1) }), (e: unknown) => e instanceof TypeError && /cannot be named `else`/.test(e.message));
  assert.throws(() => bad(null), TypeError);
  // Promise.race-style positional futures: the message shows the object form.
  assert.throws(
    () => bad(ready(1), ready(2)),
    (e: unknown) => e instanceof TypeError && e.message === "select: branches must be an object of named futures, as in select({ a: futA, b: futB }), got a future",
  );
  assert.throws(() => bad({ a: ready(1) }, { biased: "yes" }), (e: unknown) => e instanceof TypeError && /biased/.test(e.message));
  assert.throws(() => bad({ a: ready(1) }, { else: 5 }), (e: unknown) => e instanceof TypeError && /else/.test(e.message));
  assert.throws(() => bad({ a: ready(1) }, []), (e: unknown) => e instanceof TypeError && e.message === "select: options must be an object, got an array");
  assert.throws(
    () => bad({ a: ready(1) }, Promise.resolve({ biased: true })),
    (e: unknown) => e instanceof TypeError && e.message === "select: options must be an object, got a promise (await it first)",
  );
});

test("a branch may be a generator function or an async function, run as a future", async () => {
  const out = await withRuntime(paused, (rt) =>
    rt.blockOn(function* () {
      const g = yield* select({
        gen: function* () {
          yield* sleep(5);
          return 1;
        },
        later: () => sleep(10),
      });
      const a = yield* select({ fn: async () => "x", never: pending<never>() });
      return [g, a];
    }),
  );
  assert.equal(out, [
    { key: "gen", value: 1 },
    { key: "fn", value: "x" },
  ]);
});

test.run();
