import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  beginCancel,
  CancelledError,
  Context,
  fromAsync,
  fromGenerator,
  fromPromise,
  Future,
  intoFuture,
  isGeneratorFunction,
  noopWaker,
  pending,
  Pending,
  pollFn,
  ready,
  toPromise,
  unconstrained,
  type Poll,
  type Waker,
} from "../src/index.js";
import { handPoll, Latch, outcomeOf, settle } from "./helpers.js";

/** A leaf that is pending until `fire()`, and records its cancellation. */
class Trigger<T> extends Future<T> {
  waker: Waker | undefined;
  value: T | undefined;
  fired = false;
  cancelled = 0;
  override poll(cx: Context) {
    if (this.fired) return this.value as T;
    this.waker = cx.waker;
    return Pending;
  }
  override cancel(): void {
    this.cancelled++;
    this.waker = undefined;
  }
  fire(value: T): void {
    this.fired = true;
    this.value = value;
    this.waker?.wake();
  }
}

// ---- fromGenerator ----------------------------------------------------------------------------

test("fromGenerator does not call the body before the first poll", () => {
  let called = false;
  const fut = fromGenerator(function* () {
    called = true;
    return 1;
  });
  assert.not.ok(called);
  assert.is(handPoll(fut).poll(), 1);
  assert.ok(called);
});

test("fromGenerator resumes the generator with each yielded future's output", () => {
  const t = new Trigger<number>();
  const fut = fromGenerator(function* () {
    const a = yield* ready(1);
    const b = yield* t;
    return a + b;
  });
  const { waker, poll } = handPoll(fut);
  assert.is(poll(), Pending);
  t.fire(41);
  assert.is(waker.count, 1);
  assert.is(poll(), 42);
});

test("fromGenerator throws a yielded future's error into the generator at its yield", () => {
  const fut = fromGenerator(function* () {
    try {
      yield* pollFn(() => {
        throw new Error("leaf failed");
      });
      return "not reached";
    } catch (error) {
      return `caught ${(error as Error).message}`;
    }
  });
  assert.is(handPoll(fut).poll(), "caught leaf failed");
});

test("fromGenerator rethrows an error the generator does not catch", () => {
  const fut = fromGenerator(function* () {
    yield* ready(0);
    throw new RangeError("bad");
  });
  assert.throws(() => handPoll(fut).poll(), (e: unknown) => e instanceof RangeError);
});

test("fromGenerator accepts a generator object", () => {
  function* body() {
    return (yield* ready(2)) * 3;
  }
  assert.is(handPoll(fromGenerator(body())).poll(), 6);
});

test("dropping a suspended generator future runs its finally blocks", () => {
  const log: string[] = [];
  const fut = fromGenerator(function* () {
    try {
      yield* pending();
    } finally {
      log.push("finally");
    }
  });
  assert.is(handPoll(fut).poll(), Pending);
  fut.cancel();
  assert.equal(log, ["finally"]);
});

test("dropping a suspended generator future cancels the future it was waiting on", () => {
  const t = new Trigger<number>();
  const fut = fromGenerator(function* () {
    return yield* t;
  });
  handPoll(fut).poll();
  fut.cancel();
  assert.is(t.cancelled, 1);
});

test("dropping a generator future before its first poll never runs its body", () => {
  let called = false;
  const fut = fromGenerator(function* () {
    called = true;
    yield* pending();
  });
  fut.cancel();
  assert.not.ok(called);
});

test("dropping a generator future drops futures its finally yields without polling them", () => {
  let polled = false;
  const fut = fromGenerator(function* () {
    try {
      yield* pending();
    } finally {
      yield* pollFn(() => {
        polled = true;
        return 1;
      });
    }
  });
  handPoll(fut).poll();
  fut.cancel();
  assert.not.ok(polled);
});

test("a generator that yields a promise gets a TypeError telling it to use fromPromise", () => {
  const fut = fromGenerator(function* () {
    try {
      yield Promise.resolve(1);
    } catch (error) {
      return error;
    }
    return undefined;
  });
  const error = handPoll(fut).poll() as Error;
  assert.instance(error, TypeError);
  assert.match(error.message, "wrap it with fromPromise()");
});

test("polling a generator future after it completed throws", () => {
  const fut = fromGenerator(function* () {
    return 1;
  });
  const { poll } = handPoll(fut);
  poll();
  assert.throws(() => poll(), /polled after it completed/);
});

// ---- fromAsync ----------------------------------------------------------------------------------

test("fromAsync calls the function at the first poll, not before", () => {
  let called = 0;
  const fut = fromAsync(async () => {
    called++;
    return 1;
  });
  assert.is(called, 0);
  handPoll(fut).poll();
  assert.is(called, 1);
});

test("fromAsync resolves with the function's result and wakes its poller", async () => {
  const fut = fromAsync(async () => {
    await Promise.resolve();
    return "done";
  });
  const { waker, poll } = handPoll(fut);
  assert.is(poll(), Pending);
  await settle();
  assert.ok(waker.count >= 1);
  assert.is(poll(), "done");
});

test("fromAsync throws the function's rejection from poll", async () => {
  const fut = fromAsync(async () => {
    throw new Error("async failure");
  });
  const { poll } = handPoll(fut);
  assert.is(poll(), Pending);
  await settle();
  assert.throws(() => poll(), /async failure/);
});

test("fromAsync of a plain function resolves at the first poll", () => {
  assert.is(handPoll(fromAsync(() => 5)).poll(), 5);
});

test("an await of a future inside fromAsync is polled by the outer poller", async () => {
  const t = new Trigger<number>();
  const fut = fromAsync(async () => (await t) + 1);
  const { waker, poll } = handPoll(fut);
  assert.is(poll(), Pending);
  await settle(); // `await thenable` calls then() from a microtask
  assert.is(waker.count, 1, "the await registered with the async future and asked for a poll");
  assert.is(poll(), Pending);
  assert.ok(t.waker !== undefined, "the trigger was polled with the outer context");
  t.fire(41);
  assert.is(poll(), Pending, "the await resolves, the function continues on the microtask queue");
  await settle();
  assert.is(poll(), 42);
});

test("one pending future awaited twice at once in an async body (Promise.all([f, f])) is polled once for both awaits", async () => {
  const t = new Trigger<number>();
  let polls = 0;
  const shared = fromGenerator(function* () {
    polls++;
    return (yield* t) + 1; // a generator future throws if it is polled after it completed
  });
  const fut = fromAsync(() => Promise.all([shared, shared, shared]));
  const { poll } = handPoll(fut);
  assert.is(poll(), Pending);
  await settle(); // the three awaits register: one entry
  assert.is(poll(), Pending);
  t.fire(41);
  assert.is(poll(), Pending, "the shared await completes; Promise.all settles on the microtask queue");
  await settle();
  assert.equal(poll(), [42, 42, 42]);
  assert.is(polls, 1, "the generator body ran once");
});

test("concurrent awaits in one async function are polled in the order they were made", async () => {
  // Each ticket, once the gate is open, takes the next number when it is polled: the numbers
  // show the order in which the outer poller's poll reached the awaits.
  let open = false;
  let next = 0;
  const wakers: Waker[] = [];
  const ticket = () => pollFn((cx) => (open ? next++ : (wakers.push(cx.waker), Pending)));
  const fut = fromAsync(() => Promise.all([ticket(), ticket(), ticket(), ticket()]));
  const { poll } = handPoll(fut);
  assert.is(poll(), Pending);
  await settle(); // each `await`-like then() registers its future with the async future
  assert.is(poll(), Pending);
  open = true;
  for (const waker of wakers) waker.wake();
  assert.is(poll(), Pending, "the awaits resolve; Promise.all settles on the microtask queue");
  await settle();
  assert.equal(poll(), [0, 1, 2, 3]);
});

test("an await left pending by async work the function did not wait for still completes after the function settles", async () => {
  const t = new Trigger<number>();
  let seen: number | undefined;
  const fut = fromAsync(async () => {
    void (async () => {
      seen = await t;
    })();
    await Promise.resolve(); // let the detached await register with this future
    return "done";
  });
  const { poll } = handPoll(fut);
  assert.is(poll(), Pending);
  await settle();
  assert.is(poll(), "done");
  assert.ok(t.waker !== undefined, "the detached await is pending on the trigger");
  t.fire(7);
  await settle();
  assert.is(seen, 7, "the detached await was driven on its own once nobody polled the future");
});

test("a detached await left pending when its function settles joins the standalone await of the same future", async () => {
  const latch = new Latch<number>();
  const gate = new Latch<void>();
  const outside = latch.then((v) => v); // a standalone await, pending first
  let seen: number | undefined;
  const fut = fromAsync(async () => {
    void (async () => {
      seen = await latch;
    })();
    await gate;
    return "done";
  });
  const { poll } = handPoll(fut);
  assert.is(poll(), Pending);
  await settle(); // both awaits registered with the async future
  assert.is(poll(), Pending);
  // Three polls: the standalone await's, the async future's in `then` (pollAwait: pending), and
  // the async future's own poll, which the await asked for.
  assert.is(latch.polls, 3, "the async future polled the latch: it now holds that future's waker");
  gate.open();
  assert.is(poll(), Pending);
  await settle();
  assert.is(poll(), "done");
  await settle(); // the detached await is handed over to the standalone poller, which polls again
  latch.open(7);
  assert.equal(await outcomeOf(outside), { value: 7 });
  assert.is(seen, 7);
});

test("dropping a fromAsync future rejects its pending await with CancelledError and cancels the awaited future", async () => {
  const t = new Trigger<number>();
  let caught: unknown;
  const fut = fromAsync(async () => {
    try {
      await t;
    } catch (error) {
      caught = error;
    }
  });
  const { poll } = handPoll(fut);
  poll();
  await settle();
  poll();
  assert.ok(t.waker !== undefined, "the await is pending on the trigger");
  fut.cancel();
  await settle();
  assert.instance(caught, CancelledError);
  assert.is(t.cancelled, 1);
});

test("dropping a fromAsync future aborts the signal it gave the function, with a CancelledError reason", () => {
  let signal: AbortSignal | undefined;
  const fut = fromAsync(async (s) => {
    signal = s;
    await pending();
  });
  handPoll(fut).poll();
  assert.ok(signal !== undefined);
  assert.not.ok(signal!.aborted);
  fut.cancel();
  assert.ok(signal!.aborted);
  assert.instance(signal!.reason, CancelledError);
  assert.match((signal!.reason as CancelledError).message, /the future was dropped before it completed/);
});

test("the signal of a function that returned a future or a generator fires when the future is dropped or its cancellation begins", () => {
  const signals: AbortSignal[] = [];
  function* waiting() {
    yield* pending<void>();
  }
  const dropped = fromAsync((s) => {
    signals.push(s);
    return waiting();
  });
  const cancelled = fromAsync((s) => {
    signals.push(s);
    return pending<void>();
  });
  handPoll(dropped).poll();
  handPoll(cancelled).poll();
  assert.is(signals.length, 2);
  assert.not.ok(signals[0]!.aborted);
  dropped.cancel();
  assert.ok(signals[0]!.aborted, "dropped: the signal fired");
  assert.instance(signals[0]!.reason, CancelledError);
  assert.not.ok(signals[1]!.aborted);
  assert.ok(beginCancel(cancelled, 7), "a dropped future has unwound at once");
  assert.ok(signals[1]!.aborted, "cancelled: the signal fired");
  assert.is((signals[1]!.reason as CancelledError).taskId, 7);
});

test("beginCancel asks a wrapper future with its own beginCancel method, and drops any other future", () => {
  const calls: string[] = [];
  class Wrapper extends Future<number> {
    override poll(): Poll<number> {
      return Pending;
    }
    override cancel(): void {
      calls.push("cancel");
    }
    beginCancel(taskId?: number): boolean {
      calls.push(`beginCancel ${taskId}`);
      return false;
    }
  }
  assert.is(beginCancel(new Wrapper(), 3), false, "still unwinding: keep polling it");
  assert.equal(calls, ["beginCancel 3"], "not dropped");
  const plain = pollFn(() => Pending, () => calls.push("plain cancel"));
  assert.is(beginCancel(plain, 4), true);
  assert.equal(calls, ["beginCancel 3", "plain cancel"]);
});

test("dropping a fromAsync future before its first poll never calls the function", () => {
  let called = false;
  const fut = fromAsync(async () => {
    called = true;
  });
  fut.cancel();
  assert.not.ok(called);
});

// ---- fromPromise / toPromise ----------------------------------------------------------------

test("fromPromise resolves with the promise's value and wakes its poller", async () => {
  const fut = fromPromise(Promise.resolve("value"));
  const { waker, poll } = handPoll(fut);
  assert.is(poll(), Pending);
  await settle();
  assert.is(waker.count, 1);
  assert.is(poll(), "value");
});

test("fromPromise throws the promise's rejection from poll", async () => {
  const fut = fromPromise(Promise.reject(new Error("rejected")));
  const { poll } = handPoll(fut);
  poll();
  await settle();
  assert.throws(() => poll(), /rejected/);
});

test("fromPromise with a function calls it lazily at the first poll", () => {
  let calls = 0;
  const fut = fromPromise(() => {
    calls++;
    return Promise.resolve(1);
  });
  assert.is(calls, 0);
  const { poll } = handPoll(fut);
  poll();
  poll();
  assert.is(calls, 1);
});

test("a dropped fromPromise future does not wake its poller when the promise settles", async () => {
  let resolve!: (v: number) => void;
  const fut = fromPromise(new Promise<number>((r) => (resolve = r)));
  const { waker, poll } = handPoll(fut);
  poll();
  fut.cancel();
  resolve(1);
  await settle();
  assert.is(waker.count, 0);
});

/**
 * Run `use` with a promise that fails once `use` returns, and resolve with the unhandled
 * rejections seen over the next host turns (none, when whatever `use` did marked it handled).
 */
async function unhandledAfter(use: (promise: Promise<never>) => void): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const collect = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", collect);
  try {
    let fail!: (e: Error) => void;
    use(new Promise<never>((_, reject) => (fail = reject)));
    fail(new Error("failed after its future was given up"));
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    return unhandled;
  } finally {
    process.off("unhandledRejection", collect);
  }
}

test("a fromPromise future dropped before its first poll leaves no unhandled rejection behind", async () => {
  const unhandled = await unhandledAfter((request) => {
    fromPromise(request).cancel(); // a biased select whose earlier branch won, a task aborted before it ran
  });
  assert.equal(unhandled, []);
});

test("toPromise resolves with the future's output", async () => {
  const out = await toPromise(
    fromGenerator(function* () {
      return (yield* ready(1)) + 1;
    }),
  );
  assert.is(out, 2);
});

test("toPromise rejects with the future's error", async () => {
  try {
    await toPromise(
      pollFn(() => {
        throw new Error("nope");
      }),
    );
    assert.unreachable("should reject");
  } catch (error) {
    assert.is((error as Error).message, "nope");
  }
});

test("toPromise called twice on one pending future resolves both promises, and the promise is made once", async () => {
  let resolve!: (value: string) => void;
  let calls = 0;
  const fut = fromPromise(() => {
    calls++;
    return new Promise<string>((r) => (resolve = r));
  });
  const first = toPromise(fut);
  const second = toPromise(fut);
  resolve("v");
  assert.equal(await outcomeOf(first), { value: "v" });
  assert.equal(await outcomeOf(second), { value: "v" });
  assert.is(calls, 1);
});

test("toPromise twice on a pending future that is not a Future subclass (duck-typed) resolves both", async () => {
  let waker: Waker | undefined;
  let value: string | undefined;
  let polls = 0;
  const fut = {
    poll(cx: Context) {
      polls++;
      if (value !== undefined) return value;
      waker = cx.waker; // only the latest waker, as a leaf keeps it
      return Pending;
    },
    cancel() {},
  } as unknown as Future<string>;
  const first = toPromise(fut);
  const second = toPromise(fut);
  value = "duck";
  waker!.wake();
  assert.equal(await outcomeOf(first), { value: "duck" });
  assert.equal(await outcomeOf(second), { value: "duck" });
  assert.is(polls, 2);
  // Sharing ended with the future: a later await is polled on its own, and settles.
  assert.equal(await outcomeOf(toPromise(fut)), { value: "duck" });
});

// ---- ready / pending / pollFn ------------------------------------------------------------------

test("ready is ready at every poll with its value", () => {
  const { poll } = handPoll(ready("x"));
  assert.is(poll(), "x");
});

test("pending is always Pending and never wakes", () => {
  const { waker, poll } = handPoll(pending());
  assert.is(poll(), Pending);
  assert.is(poll(), Pending);
  assert.is(waker.count, 0);
});

test("pollFn polls with the given function and calls the cancel hook on drop", () => {
  let n = 0;
  let cancelled = 0;
  const fut = pollFn(
    (cx) => {
      if (++n < 3) {
        cx.waker.wake();
        return Pending;
      }
      return n;
    },
    () => cancelled++,
  );
  const { waker, poll } = handPoll(fut);
  assert.is(poll(), Pending);
  assert.is(poll(), Pending);
  assert.is(poll(), 3);
  assert.is(waker.count, 2);
  fut.cancel();
  assert.is(cancelled, 1);
});

// ---- intoFuture --------------------------------------------------------------------------------

test("intoFuture returns a future as is", () => {
  const fut = ready(1);
  assert.is(intoFuture(fut), fut);
});

test("intoFuture turns a generator function into a generator future", () => {
  const fut = intoFuture(function* () {
    return yield* ready(3);
  });
  assert.is(handPoll(fut).poll(), 3);
});

test("intoFuture turns a generator object into a future", () => {
  function* body() {
    return 4;
  }
  assert.is(handPoll(intoFuture(body())).poll(), 4);
});

test("intoFuture turns an async function into a lazy future", () => {
  let called = false;
  const fut = intoFuture(() => {
    called = true;
    return 5;
  });
  assert.not.ok(called);
  assert.is(handPoll(fut).poll(), 5);
});

test("intoFuture throws a TypeError naming what it got for a non-body", () => {
  for (const [bad, name] of [
    [42, "number"],
    [null, "null"],
    ["str", "string"],
    [{}, "object"],
  ] as const) {
    assert.throws(
      () => intoFuture(bad as never),
      (e: unknown) => e instanceof TypeError && e.message === `body: expected a future, a generator function or an async function, got ${name}`,
      `for ${String(bad)}`,
    );
  }
});

test("intoFuture names the caller's argument, and says to wrap a promise", () => {
  assert.throws(
    () => intoFuture(Promise.resolve(1) as never, "future"),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message === "future: expected a future, a generator function or an async function, got a promise (pass the async function itself, as in () => work(), so it can be cancelled; or wrap the promise with fromPromise(), which cannot cancel it)",
  );
});

test("a promise given as a body is refused, and its own rejection does not follow as an unhandled one", async () => {
  const unhandled = await unhandledAfter((started /* `work()` already running */) => {
    assert.throws(() => intoFuture(started as never), (e: unknown) => e instanceof TypeError && /got a promise/.test(e.message));
  });
  assert.equal(unhandled, []);
});

test("a Context refuses a budget that is not a number, negative or NaN (NaN would leave a ready future pending for ever)", () => {
  assert.throws(() => new Context(noopWaker, NaN), (e: unknown) => e instanceof RangeError && /^budget must be a number ≥ 0/.test((e as Error).message));
  assert.throws(() => new Context(noopWaker, -5), RangeError);
  assert.throws(() => new Context(noopWaker, "5" as never), (e: unknown) => e instanceof TypeError && /^budget must be a number, got string$/.test((e as Error).message));
  assert.is(new Context(noopWaker, 0).budget, 0);
  assert.is(new Context(noopWaker).budget, Infinity);
});

test("the adapters reject what is not a body, a function or a future at the call, naming the argument", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => fromGenerator(42 as never), /^body: expected a generator function or a generator object, got number$/],
    [() => fromGenerator(undefined as never), /^body: .* got undefined$/],
    [() => fromAsync(42 as never), /^fn: expected an async function, got number$/],
    [() => toPromise(42 as never), /^future: expected a future, got number$/],
    [() => pollFn(null as never), /^poll: expected a function, got null$/],
    [() => pollFn(() => 1, 5 as never), /^cancel: expected a function or undefined, got number$/],
    [() => unconstrained(null as never), /^future: expected a future, got null$/],
    [() => fromPromise(undefined as never), /^source: expected a promise or a function that makes one, got undefined$/],
    [() => fromPromise(5 as never), /^source: .* got number$/],
    [() => fromPromise({} as never), /^source: .* got object$/],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, (e: unknown) => e instanceof TypeError && message.test(e.message), String(call));
  }
});

test("awaiting a body that throws at once, outside a runtime, rejects and does not re-poll the failed future", async () => {
  // The body fails during the first poll; a wake it made on the way must not reach a driver
  // with nothing to report to (that crashed the process).
  const fut = pollFn((cx) => {
    cx.waker.wake();
    throw new Error("at once");
  });
  await fut.then(
    () => assert.unreachable("resolved"),
    (e: unknown) => assert.is((e as Error).message, "at once"),
  );
  await settle();
  const failing = fromAsync(() => {
    throw new Error("sync throw");
  });
  await failing.then(
    () => assert.unreachable("resolved"),
    (e: unknown) => assert.is((e as Error).message, "sync throw"),
  );
  await settle();
});

test("intoFuture rejects async generator functions with a TypeError", () => {
  assert.throws(
    () => intoFuture((async function* () {}) as never),
    (e: unknown) => e instanceof TypeError && /async generator functions are not supported/.test(e.message),
  );
});

test("isGeneratorFunction tells function* from other functions", () => {
  assert.ok(isGeneratorFunction(function* () {}));
  assert.not.ok(isGeneratorFunction(async () => {}));
  assert.not.ok(isGeneratorFunction(() => {}));
});

test("a function body that returns a generator object or a future runs it instead of resolving to it", async () => {
  function* double(n: number) {
    const x = yield* ready(n);
    return x * 2;
  }
  assert.is(await intoFuture(() => double(21)), 42);
  assert.is(await intoFuture(() => ready("ready")), "ready");
  let cleaned = false;
  const dropped = intoFuture(function () {
    return fromGenerator(function* () {
      try {
        yield* pending();
      } finally {
        cleaned = true;
      }
    });
  });
  const hand = handPoll(dropped);
  assert.is(hand.poll(), Pending);
  dropped.cancel();
  assert.ok(cleaned, "dropping the function's future drops what it returned");
});

test.run();
