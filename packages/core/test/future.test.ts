import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, Future, fromGenerator, isFuture, noopWaker, Pending, pollFn, ready, type Output, type Poll, type Waker } from "../src/index.js";
import { handPoll } from "./helpers.js";

class Countdown extends Future<string> {
  constructor(private left: number) {
    super();
  }
  override poll(cx: Context): Poll<string> {
    if (this.left-- > 0) {
      cx.waker.wake();
      return Pending;
    }
    return "liftoff";
  }
}

test("a future is awaitable outside any runtime", async () => {
  assert.is(await ready(42), 42);
});

test("awaiting a future outside a runtime re-polls it after each wake until it is ready", async () => {
  const fut = new Countdown(3);
  assert.is(await fut, "liftoff");
});

test("a future whose poll throws rejects its await outside a runtime", async () => {
  const boom = new Error("boom");
  const fut = pollFn<number>(() => {
    throw boom;
  });
  try {
    await fut;
    assert.unreachable("the await should reject");
  } catch (error) {
    assert.is(error, boom);
  }
});

test("then() passes the output through onfulfilled like a promise", async () => {
  const doubled = await ready(21).then((v) => v * 2);
  assert.is(doubled, 42);
});

test("a pending future outside a runtime resolves once its stored waker is woken", async () => {
  let waker: Waker | undefined;
  let done = false;
  const fut = pollFn<string>((cx) => {
    if (done) return "woken";
    waker = cx.waker;
    return Pending;
  });
  const promise = fut.then((v) => v);
  await Promise.resolve();
  assert.ok(waker !== undefined, "the future was polled and stored the waker");
  done = true;
  waker!.wake();
  assert.is(await promise, "woken");
});

test("yield* of a future in a generator returns its output with the inferred type", () => {
  const fut = fromGenerator(function* () {
    const n = yield* ready(20);
    const s = yield* ready("x");
    // Type-level checks: these lines fail to compile if inference regresses.
    const typedN: number = n;
    const typedS: string = s;
    // @ts-expect-error the output of ready(20) is a number, not a string
    const wrong: string = n;
    void wrong;
    return typedN + 22 + typedS;
  });
  const out: Output<typeof fut> = handPoll(fut).poll() as string;
  assert.is(out, "42x");
});

test("the iterator of a future yields the future once, then returns the value sent back", () => {
  const fut = ready(1);
  const it = fut[Symbol.iterator]();
  const first = it.next();
  assert.is(first.done, false);
  assert.is(first.value, fut);
  const second = it.next(7);
  assert.equal(second, { done: true, value: 7 });
});

test("isFuture accepts anything with poll and cancel and rejects promises", () => {
  assert.ok(isFuture(ready(1)));
  assert.ok(isFuture({ poll() {}, cancel() {} }));
  assert.not.ok(isFuture(Promise.resolve(1)));
  assert.not.ok(isFuture(null));
  assert.not.ok(isFuture({ poll() {} }));
});

test("Pending is the process-wide Symbol.for sentinel", () => {
  assert.is(Pending, Symbol.for("tokio-ts.Pending"));
});

test("the default cancel() of a future does nothing and can be called twice", () => {
  const fut = ready(1);
  fut.cancel();
  fut.cancel();
  assert.is(fut.poll(new Context(noopWaker)), 1);
});

test("yield* of a ready future completes without suspending the generator, and a pending one is polled once per poll", () => {
  let polls = 0;
  let readyAt = 3;
  const counting = () =>
    pollFn<number>((cx) => {
      polls++;
      if (polls >= readyAt) return polls;
      cx.waker.wake();
      return Pending;
    });
  let steps = 0;
  const gen = fromGenerator(function* () {
    let sum = 0;
    for (let i = 0; i < 100; i++) {
      steps++;
      sum += yield* ready(i);
    }
    return sum + (yield* counting());
  });
  const hand = handPoll(gen);
  assert.is(hand.poll(), Pending);
  assert.is(steps, 100, "the 100 ready futures completed within the first poll");
  assert.is(polls, 1, "the pending future was polled once, not twice");
  assert.is(hand.poll(), Pending);
  assert.is(polls, 2);
  assert.is(hand.poll(), 4950 + 3);
  assert.is(polls, 3);
  readyAt = 0;
});

test("a generator stepped by hand still sees each yield* operand (no inline polling outside pollGenerator)", () => {
  function* body() {
    const a = yield* ready(1);
    const b = yield* ready(2);
    return a + b;
  }
  const gen = body();
  const first = gen.next();
  assert.ok(!first.done && isFuture(first.value));
  const second = gen.next(10);
  assert.ok(!second.done && isFuture(second.value));
  assert.equal(gen.next(20), { done: true, value: 30 });
});

test.run();
