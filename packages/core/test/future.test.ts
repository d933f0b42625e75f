import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, Future, fromGenerator, isFuture, noopWaker, Pending, pollFn, ready, type Output, type Poll, type Waker } from "../src/index.js";
import { handPoll, Latch, outcomeOf, settle } from "./helpers.js";

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

test("two then() of one pending future outside a runtime both settle with its output, in the order they were made", async () => {
  const latch = new Latch<string>();
  const order: string[] = [];
  const a = latch.then((v) => (order.push(`A got ${v}`), "a"));
  const b = latch.then((v) => (order.push(`B got ${v}`), "b"));
  await settle();
  assert.equal(order, [], "nothing settles while the future is pending");
  latch.open("x");
  await settle();
  assert.equal(order, ["A got x", "B got x"]);
  assert.is(latch.polls, 2, "polled by the first then() and after the wake: the second then() joined, it did not poll");
  assert.equal(await outcomeOf(a), { value: "a" });
  assert.equal(await outcomeOf(b), { value: "b" });
});

test("Promise.all of the same pending future three times, outside a runtime, gives its output three times", async () => {
  const latch = new Latch<number>();
  const all = Promise.all([latch, latch, latch]);
  await settle();
  latch.open(7);
  assert.equal(await outcomeOf(all), { value: [7, 7, 7] });
  assert.is(latch.polls, 2);
});

test("concurrent awaits of a pending future whose poll throws all reject with that error, in the order they were made", async () => {
  const latch = new Latch<number>();
  const boom = new Error("boom");
  const seen: [string, unknown][] = [];
  const awaits = ["A", "B", "C"].map((name) =>
    latch.then(
      () => assert.unreachable("resolved"),
      (error: unknown) => void seen.push([name, error]),
    ),
  );
  latch.fail(boom);
  await settle();
  assert.equal(seen.map(([name]) => name), ["A", "B", "C"]);
  for (const [, error] of seen) assert.is(error, boom);
  for (const p of awaits) assert.equal(await outcomeOf(p), { value: undefined });
});

test("an await made once the shared poller has finished polls the future anew, even from an awaiter's callback", async () => {
  const latch = new Latch<number>();
  let again: ReturnType<typeof outcomeOf> | undefined;
  const a = latch.then((v) => {
    again = outcomeOf(latch.then()); // after the future completed: not joined to the finished poller
    return v;
  });
  const b = latch.then((v) => v + 1);
  latch.open(1);
  assert.equal(await outcomeOf(a), { value: 1 });
  assert.equal(await outcomeOf(b), { value: 2 });
  const late = await again!;
  assert.ok(typeof late === "object" && "error" in late, "the late await polled the completed latch");
  assert.match((late as { error: Error }).error.message, /polled after it completed/);
  assert.is(latch.polls, 3);
  // A future ready at its first poll is never shared: a second await polls it again too.
  const quick = new Latch<number>();
  quick.open(5);
  const first = await outcomeOf(quick.then());
  const second = await outcomeOf(quick.then());
  assert.equal(first, { value: 5 });
  assert.ok(typeof second === "object" && "error" in second);
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
