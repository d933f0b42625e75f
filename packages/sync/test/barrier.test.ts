import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, noopWaker, Pending } from "@tokio-ts/core";
import { Builder, spawn, yieldNow } from "@tokio-ts/runtime";
import { assertPending, assertReady, forEachSeed, mockTask } from "@tokio-ts/test-util";
import { Barrier } from "../src/barrier.js";

test("Barrier(n) rejects n that is 0, negative, fractional or not a number", () => {
  assert.throws(() => new Barrier(0), RangeError);
  assert.throws(() => new Barrier(-1), RangeError);
  assert.throws(() => new Barrier(1.5), RangeError);
  assert.throws(() => new Barrier(NaN), RangeError);
  assert.throws(() => new Barrier(Infinity), RangeError);
  assert.throws(() => new Barrier("2" as unknown as number), TypeError);
  assert.is(new Barrier(3).n, 3);
});

test("Barrier(1): every wait is its own generation and its leader", () => {
  const b = new Barrier(1);
  assertReady(mockTask(b.wait()).poll(), { isLeader: true });
  assertReady(mockTask(b.wait()).poll(), { isLeader: true });
});

test("the n-th wait is the leader and releases the others, who are followers", () => {
  const b = new Barrier(3);
  const first = mockTask(b.wait());
  const second = mockTask(b.wait());
  assertPending(first.poll());
  assertPending(second.poll());
  assert.is(b.waiting(), 2);
  assert.not.ok(first.isWoken());

  const third = mockTask(b.wait());
  assertReady(third.poll(), { isLeader: true });
  assert.ok(first.isWoken());
  assert.ok(second.isWoken());
  assert.is(first.wakeCount, 1);
  assert.is(b.waiting(), 0, "the next generation starts empty");
  assertReady(first.poll(), { isLeader: false });
  assertReady(second.poll(), { isLeader: false });
});

test("a wait polled again before its generation completes stays pending", () => {
  const b = new Barrier(2);
  const a = mockTask(b.wait());
  assertPending(a.poll());
  assertPending(a.poll());
  assert.is(b.waiting(), 1, "polling again does not arrive twice");
  assertReady(mockTask(b.wait()).poll(), { isLeader: true });
  assertReady(a.poll(), { isLeader: false });
});

test("the barrier is reusable: each generation has its own leader", () => {
  const b = new Barrier(2);
  for (let gen = 0; gen < 3; gen++) {
    const a = mockTask(b.wait());
    assertPending(a.poll());
    assertReady(mockTask(b.wait()).poll(), { isLeader: true });
    assertReady(a.poll(), { isLeader: false });
  }
});

test("a wait released but not yet polled does not count toward the next generation", () => {
  const b = new Barrier(2);
  const a = mockTask(b.wait());
  assertPending(a.poll());
  assertReady(mockTask(b.wait()).poll(), { isLeader: true });
  // a is released but not polled yet; a new wait starts the next generation alone.
  const c = mockTask(b.wait());
  assertPending(c.poll());
  assertReady(a.poll(), { isLeader: false });
  assert.not.ok(c.isWoken());
});

test("a wait made by a waker while the leader releases its generation belongs to the next generation", () => {
  const barrier = new Barrier(3);
  const results: string[] = [];
  const late: Array<ReturnType<Barrier["wait"]>> = [];
  const a = barrier.wait();
  // a's waker runs synchronously (a custom executor): it polls a and arrives again at once.
  const onWake = (): void => {
    results.push(`a ${(a.poll(new Context(noopWaker)) as { isLeader: boolean }).isLeader}`);
    const again = barrier.wait();
    late.push(again);
    assert.is(again.poll(new Context(noopWaker)), Pending, "the next generation has just begun");
  };
  assert.is(a.poll(new Context({ wake: onWake })), Pending);
  const b = mockTask(barrier.wait());
  assertPending(b.poll());
  assert.is(assertReady(mockTask(barrier.wait()).poll()).isLeader, true);
  assert.equal(results, ["a false"]);
  assert.is(assertReady(b.poll()).isLeader, false);
  assert.is(barrier.waiting(), 1, "the wait made during the release waits in the new generation");
  const c = mockTask(late[0]!);
  assertPending(c.poll());
  assertPending(mockTask(barrier.wait()).poll());
  assert.is(assertReady(mockTask(barrier.wait()).poll()).isLeader, true);
  assert.is(assertReady(c.poll()).isLeader, false);
});

test("a dropped pending wait is withdrawn: it no longer counts toward n", () => {
  const b = new Barrier(3);
  const a = mockTask(b.wait());
  const c = mockTask(b.wait());
  assertPending(a.poll());
  assertPending(c.poll());
  a.drop();
  assert.is(b.waiting(), 1);
  const d = mockTask(b.wait());
  assertPending(d.poll(), "only two waits are pending now");
  assertReady(mockTask(b.wait()).poll(), { isLeader: true });
  assertReady(c.poll(), { isLeader: false });
  assertReady(d.poll(), { isLeader: false });
});

test("dropping a released wait changes nothing for the others", () => {
  const b = new Barrier(2);
  const a = mockTask(b.wait());
  assertPending(a.poll());
  assertReady(mockTask(b.wait()).poll(), { isLeader: true });
  a.drop();
  assert.is(b.waiting(), 0);
  const c = mockTask(b.wait());
  assertPending(c.poll());
  assertReady(mockTask(b.wait()).poll(), { isLeader: true });
  assertReady(c.poll(), { isLeader: false });
});

test("leak check: 1,000,000 dropped waits leave no waiter behind", () => {
  const b = new Barrier(3);
  const keep = mockTask(b.wait());
  assertPending(keep.poll());
  const cx = new Context(noopWaker);
  for (let i = 0; i < 1_000_000; i++) {
    const w = b.wait();
    cx.budget = Infinity;
    if (w.poll(cx) !== Pending) throw new Error(`wait ${i} should be pending`);
    w.cancel();
  }
  assert.is(b.waiting(), 1);
  assertPending(mockTask(b.wait()).poll());
  assertReady(mockTask(b.wait()).poll(), { isLeader: true });
  assertReady(keep.poll(), { isLeader: false });
});

test("a leader's wait spends budget: with none left it yields without arriving", () => {
  const b = new Barrier(2);
  const a = mockTask(b.wait());
  assertPending(a.poll());
  const spent = mockTask(b.wait(), { budget: 0 });
  assertPending(spent.poll());
  assert.ok(spent.isWoken(), "the task was woken to try again");
  assert.is(spent.forcedYields, 1);
  assert.not.ok(a.isWoken(), "it did not arrive");
  assert.is(b.waiting(), 1);
});

test("plain async functions with no runtime: all wait, one leads", async () => {
  const b = new Barrier(4);
  const log: string[] = [];
  const results = await Promise.all(
    [0, 1, 2, 3].map(async (i) => {
      log.push(`before ${i}`);
      const r = await b.wait();
      log.push(`after ${i}`);
      return r.isLeader;
    }),
  );
  assert.is(results.filter(Boolean).length, 1);
  assert.is(results[3], true, "the last to arrive leads");
  assert.equal(log.slice(0, 4), ["before 0", "before 1", "before 2", "before 3"], "nobody passed before all arrived");
});

test("seeded schedules: 6 tasks × 10 rounds, exactly one leader per round and nobody runs ahead", async () => {
  await forEachSeed(40, (rt) =>
    rt.blockOn(function* () {
      const n = 6;
      const rounds = 10;
      const b = new Barrier(n);
      const leaders = new Array<number>(rounds).fill(0);
      const arrived = new Array<number>(rounds).fill(0);
      const tasks = Array.from({ length: n }, () =>
        spawn(function* () {
          for (let r = 0; r < rounds; r++) {
            arrived[r]!++;
            const { isLeader } = yield* b.wait();
            assert.is(arrived[r], n, "everyone arrived before anyone left");
            if (isLeader) leaders[r]!++;
            yield* yieldNow();
          }
        }),
      );
      for (const t of tasks) yield* t;
      assert.equal(leaders, new Array<number>(rounds).fill(1));
    }),
  );
});

test("seeded schedules: an aborted waiter does not count, the barrier still needs n live waits", async () => {
  await forEachSeed(30, (rt) =>
    rt.blockOn(function* () {
      const b = new Barrier(3);
      const victim = spawn(function* () {
        return yield* b.wait();
      });
      const a = spawn(function* () {
        return yield* b.wait();
      });
      yield* yieldNow();
      yield* yieldNow();
      victim.abort();
      yield* yieldNow();
      let released = false;
      const c = spawn(function* () {
        const r = yield* b.wait();
        released = true;
        return r;
      });
      yield* yieldNow();
      yield* yieldNow();
      assert.not.ok(released, "two live waits are not enough");
      const mine = yield* b.wait();
      const results = [mine, yield* a, yield* c].map((r) => r.isLeader);
      assert.is(results.filter(Boolean).length, 1);
    }),
  );
});

test("a runtime task waiting on the barrier is woken by another task", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    const out = await rt.blockOn(async () => {
      const b = new Barrier(2);
      const other = spawn(async () => (await b.wait()).isLeader);
      const mine = (await b.wait()).isLeader;
      return [mine, await other];
    });
    assert.equal(out.sort(), [false, true]);
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
});

test.run();
