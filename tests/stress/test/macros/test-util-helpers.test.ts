/**
 * mockTask / MockTask (wake counting, drop, budget, polls after the end), the assert helpers'
 * results and messages, SeededRng's ranges and replayability, countSetImmediate.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AssertionError } from "node:assert";
import { assertPending, assertReady, assertReadyErr, countSetImmediate, mockTask, SeededRng } from "@tokio-ts/test-util";
import { fromGenerator, Pending, pending, pollFn, ready, type Context, type Waker } from "@tokio-ts/core";
import { Builder, yieldNow } from "@tokio-ts/runtime";
import { mpsc, Notify, Semaphore } from "@tokio-ts/sync";

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  assert.unreachable("expected a throw");
  throw new Error("unreachable");
}

test("wakeCount counts the future's wakes; repeated Pending polls register one waker, not one per poll", () => {
  const [tx, rx] = mpsc.channel<number>(4);
  const task = mockTask(rx.recv());
  for (let i = 0; i < 5; i++) assertPending(task.poll());
  assert.is(task.pollCount, 5);
  assert.is(task.wakeCount, 0);
  assert.not.ok(task.isWoken());
  tx.trySend(1);
  tx.trySend(2);
  assert.is(task.wakeCount, 1, "one wake for one registration");
  assert.ok(task.isWoken());
  assert.is(assertReady(task.poll(), 1), 1);
  assert.ok(task.isDone());
});

test("a self-wake during poll is counted and isWoken() is true after that poll; poll() clears the flag first", () => {
  const task = mockTask(fromGenerator(function* () {
    yield* yieldNow();
    yield* yieldNow();
    return "end";
  }));
  assertPending(task.poll());
  assert.ok(task.isWoken());
  assert.is(task.wakeCount, 1);
  assertPending(task.poll());
  assert.is(task.wakeCount, 2);
  assertReady(task.poll(), "end");
  assert.not.ok(task.isWoken(), "cleared by the last poll, nothing woke it since");
  // waking by hand through the waker counts too
  let stored: Waker | undefined;
  const manual = mockTask(pollFn((cx: Context) => ((stored = cx.waker), Pending)));
  manual.poll();
  manual.waker.wake();
  stored!.wake();
  assert.is(manual.wakeCount, 2);
});

test("drop() cancels a pending future once (its finally runs, its waiter is gone); a drop after completion or failure does not cancel", () => {
  const log: string[] = [];
  let cancels = 0;
  const t1 = mockTask(fromGenerator(function* () {
    try {
      yield* pending();
    } finally {
      log.push("finally");
    }
  }));
  assertPending(t1.poll());
  t1.drop();
  t1.drop();
  t1[Symbol.dispose]();
  assert.equal(log, ["finally"]);
  assert.ok(t1.isDone());
  // the dropped waiter does not take the permit: the next waiter gets it
  const notify = new Notify();
  const dropped = mockTask(notify.notified());
  assertPending(dropped.poll());
  dropped.drop();
  notify.notifyOne();
  assert.is(dropped.wakeCount, 0);
  assertReady(mockTask(notify.notified()).poll());
  // completion / failure: no cancel afterwards
  const done = mockTask(pollFn(() => 1, () => void cancels++));
  assertReady(done.poll(), 1);
  done.drop();
  const failed = mockTask(pollFn(() => { throw new Error("f"); }, () => void cancels++));
  assertReadyErr(() => failed.poll(), /^f$/);
  failed.drop();
  assert.is(cancels, 0);
  // never polled: drop still cancels (the future is pending)
  const fresh = mockTask(pollFn(() => Pending, () => void cancels++));
  fresh.drop();
  assert.is(cancels, 1);
});

test("polling after the end throws a clear Error and does not poll the future again", () => {
  let polls = 0;
  const completed = mockTask(pollFn(() => (++polls, "x")));
  completed.poll();
  assert.match(thrown(() => completed.poll()).message, "polled after its future completed");
  const failed = mockTask(pollFn(() => { ++polls; throw new RangeError("r"); }));
  assert.instance(thrown(() => failed.poll()), RangeError);
  assert.match(thrown(() => failed.poll()).message, "polled after its future failed");
  const dropped = mockTask(pollFn(() => (++polls, Pending)));
  dropped.drop();
  assert.match(thrown(() => dropped.poll()).message, "polled after its future was dropped");
  assert.is(polls, 2);
});

test("budget: each poll gets a fresh budget; a spent budget forces yields (counted), Infinity never does", () => {
  const sem = new Semaphore(1000);
  const acquireN = (n: number) =>
    fromGenerator(function* () {
      for (let i = 0; i < n; i++) (yield* sem.acquire()).forget();
      return n;
    });
  for (const [budget, n] of [[1, 5], [3, 10], [7, 7], [128, 300]] as const) {
    const task = mockTask(acquireN(n), { budget });
    let pendings = 0;
    while (task.poll() === Pending) {
      assert.ok(task.isWoken(), "a forced yield wakes the task");
      if (++pendings > 1000) assert.unreachable("no progress");
    }
    assert.is(task.forcedYields, pendings, `budget ${budget}, ${n} acquires`);
    // one unit per acquire: a poll completes `budget` acquires, the next one yields
    assert.is(pendings, Math.ceil(n / budget) - 1, `budget ${budget}, ${n} acquires`);
  }
  const unconstrained = mockTask(acquireN(500), { budget: Infinity });
  assertReady(unconstrained.poll(), 500);
  assert.is(unconstrained.forcedYields, 0);
  assert.is(unconstrained.budgetRemaining, Infinity);
});

test("mockTask checks its arguments", () => {
  assert.instance(thrown(() => mockTask((function* () {}) as never)), TypeError);
  assert.instance(thrown(() => mockTask(Promise.resolve(1) as never)), TypeError);
  assert.instance(thrown(() => mockTask(ready(1), null as never)), TypeError);
  assert.instance(thrown(() => mockTask(ready(1), { budgte: 1 } as never)), TypeError);
  assert.instance(thrown(() => mockTask(ready(1), { budget: "1" } as never)), TypeError);
  assert.instance(thrown(() => mockTask(ready(1), { budget: -1 })), RangeError);
  assert.instance(thrown(() => mockTask(ready(1), { budget: Number.NaN })), RangeError);
});

test("assert helpers: results and messages", () => {
  assertPending(Pending);
  let e = thrown(() => assertPending(3 as never));
  assert.instance(e, AssertionError);
  assert.is(e.message, "expected Pending, got Ready(3)");
  assert.is(thrown(() => assertPending(undefined as never)).message, "expected Pending, got Ready(undefined)");
  assert.is(thrown(() => assertPending(1 as never, "custom")).message, "custom");
  assert.is(thrown(() => assertReady(Pending)).message, "expected Ready, got Pending");
  assert.is(thrown(() => assertReady<unknown>(Pending, 3)).message, "expected Ready, got Pending");
  const out = { a: [1, { b: 2 }] };
  assert.is(assertReady(out, { a: [1, { b: 2 }] }), out);
  assert.is(assertReady(undefined, undefined), undefined);
  e = thrown(() => assertReady<object>({ a: 1 }, { a: 2 }));
  assert.instance(e, AssertionError);
  assert.is(e.message, "expected Ready({ a: 2 }), got Ready({ a: 1 })");
  assert.instance(thrown(() => assertReady<unknown>(1, "1")), AssertionError, "deep *strict* equality");
  // assertReadyErr
  const err = new TypeError("channel closed");
  assert.is(assertReadyErr(() => { throw err; }), err);
  assert.is(assertReadyErr(() => { throw err; }, TypeError), err);
  assert.is(assertReadyErr(() => { throw err; }, Error), err);
  assert.is(assertReadyErr(() => { throw err; }, /closed/), err);
  assert.is(assertReadyErr(() => { throw err; }, (x) => x === err), err);
  assert.is(assertReadyErr(() => { throw "closed"; }, /closed/), "closed");
  class Custom {}
  const c = new Custom();
  assert.is(assertReadyErr(() => { throw c; }, Custom), c, "a class that is not an Error is matched with instanceof");
  assert.is(thrown(() => assertReadyErr(() => Pending)).message, "expected the poll to throw, got Pending");
  assert.is(thrown(() => assertReadyErr(() => 5)).message, "expected the poll to throw, got Ready(5)");
  assert.is(thrown(() => assertReadyErr(() => { throw err; }, RangeError)).message, 'the poll threw TypeError("channel closed"), which does not match RangeError');
  assert.is(thrown(() => assertReadyErr(() => { throw err; }, /open/)).message, 'the poll threw TypeError("channel closed"), which does not match /open/');
  assert.is(thrown(() => assertReadyErr(() => { throw 42; }, (x) => x === 43)).message, "the poll threw 42, which does not match the predicate");
  assert.instance(thrown(() => assertReadyErr(5 as never)), TypeError);
  assert.instance(thrown(() => assertReadyErr(() => { throw err; }, "closed" as never)), TypeError);
});

test("SeededRng: replayable streams; below/between stay in range and cover it; shuffle permutes", () => {
  for (let seed = 0; seed < 50; seed++) {
    const a = new SeededRng(seed);
    const b = new SeededRng(seed);
    const lo = a.between(-1000, 1000);
    assert.is(b.between(-1000, 1000), lo);
    const hi = lo + a.below(50);
    b.below(50);
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const v = a.between(lo, hi);
      assert.is(b.between(lo, hi), v);
      assert.ok(Number.isInteger(v) && v >= lo && v <= hi, `${v} in [${lo}, ${hi}]`);
      seen.add(v);
    }
    if (hi - lo < 20) assert.is(seen.size, hi - lo + 1, `seed ${seed}: every value of a small range is drawn`);
    const x = a.next();
    assert.ok(x >= 0 && x < 1);
    const items = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = a.shuffle([...items]);
    assert.equal([...shuffled].sort((p, q) => p - q), items);
  }
  // below(n) is close to uniform
  const r = new SeededRng(0x5eed);
  const counts = new Array<number>(6).fill(0);
  for (let i = 0; i < 6000; i++) counts[r.below(6)]!++;
  for (const c of counts) assert.ok(c > 850 && c < 1150, `below(6) counts ${counts.join(",")}`);
  assert.instance(thrown(() => new SeededRng(Number.NaN)), RangeError);
  assert.instance(thrown(() => new SeededRng("7" as never)), TypeError);
  assert.instance(thrown(() => r.below(0)), RangeError);
  assert.instance(thrown(() => r.between(4, 3)), RangeError);
  assert.instance(thrown(() => r.shuffle("abc" as never)), TypeError);
});

test("countSetImmediate counts the runtime's host yields by eventInterval, nests, and always restores the global", async () => {
  const original = globalThis.setImmediate;
  for (const [interval, atLeast, atMost] of [[1, 90, 110], [2, 45, 55], [61, 0, 3]] as const) {
    const rt = Builder.newCurrentThread().eventInterval(interval).build();
    const [value, calls] = await countSetImmediate(() =>
      rt.blockOn(function* () {
        for (let i = 0; i < 100; i++) yield* yieldNow();
        return "ok";
      }),
    );
    await rt.shutdownTimeout(Infinity);
    assert.is(value, "ok");
    assert.ok(calls >= atLeast && calls <= atMost, `eventInterval ${interval}: ${calls} host yields for 100 yieldNow`);
  }
  const [[inner, innerCalls], outerCalls] = await countSetImmediate(async () => {
    setImmediate(() => {});
    const r = await countSetImmediate(() => (setImmediate(() => {}), "in"));
    setImmediate(() => {});
    return r;
  });
  assert.equal([inner, innerCalls, outerCalls], ["in", 1, 3]);
  try {
    await countSetImmediate(() => {
      throw new Error("body");
    });
    assert.unreachable();
  } catch (e) {
    assert.is((e as Error).message, "body");
  }
  assert.is(globalThis.setImmediate, original);
  assert.instance(thrown(() => void countSetImmediate(5 as never)), TypeError);
});

test.run();
