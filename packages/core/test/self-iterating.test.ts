import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, dropGenerator, Future, fromGenerator, isFuture, Pending, yieldContext, yieldSuspend, type Poll } from "../src/index.js";
import { handPoll } from "./helpers.js";

/**
 * A future that is its own `yield*` iterator, written as the doc of `Future[Symbol.iterator]`
 * says: ready after `pendingPolls` pending polls (each wakes), or throwing `error` when ready.
 */
class Gate extends Future<number> {
  polls = 0;
  cancelled = 0;
  #yielded = false;

  constructor(
    private readonly value: number,
    private readonly pendingPolls: number,
    private readonly error?: Error,
  ) {
    super();
  }

  override poll(cx: Context): Poll<number> {
    if (this.polls++ < this.pendingPolls) {
      cx.waker.wake();
      return Pending;
    }
    if (this.error !== undefined) throw this.error;
    return this.value;
  }

  override cancel(): void {
    this.cancelled++;
  }

  override [Symbol.iterator](): Iterator<Future<number>, number, unknown> {
    return this;
  }

  next(value?: unknown): IteratorResult<Future<number>, number> {
    if (this.#yielded) {
      this.#yielded = false;
      return { done: true, value: value as number };
    }
    const cx = yieldContext();
    if (cx !== undefined) {
      const out = this.poll(cx);
      if (out !== Pending) return { done: true, value: out };
    }
    this.#yielded = true;
    return yieldSuspend<number>(this);
  }

  return(value?: unknown): IteratorResult<Future<number>, number> {
    this.#yielded = false;
    return { done: true, value: value as number };
  }

  throw(error?: unknown): IteratorResult<Future<number>, number> {
    this.#yielded = false;
    throw error;
  }
}

test("yieldContext is undefined outside a generator that pollGenerator steps", () => {
  assert.is(yieldContext(), undefined);
});

test("a ready self-iterating future completes a yield* inside the first poll", () => {
  const gate = new Gate(5, 0);
  const fut = fromGenerator(function* () {
    const a = yield* gate;
    return a * 2;
  });
  assert.is(handPoll(fut).poll(), 10);
  assert.is(gate.polls, 1);
});

test("a pending self-iterating future suspends the generator once and is not polled twice per poll", () => {
  const gate = new Gate(7, 2);
  const fut = fromGenerator(function* () {
    const a = yield* gate;
    return a + 1;
  });
  const hand = handPoll(fut);
  assert.is(hand.poll(), Pending);
  assert.is(gate.polls, 1, "polled inline by yield*, then kept by pollGenerator without a second poll");
  assert.is(hand.waker.count, 1);
  assert.is(hand.poll(), Pending);
  assert.is(gate.polls, 2);
  assert.is(hand.poll(), 8);
  assert.is(gate.polls, 3);
});

test("the same self-iterating future can be yield*-ed again after it suspended and resumed", () => {
  // Each yield* of a future is a fresh start: the resume step resets the future's flag.
  const first = new Gate(1, 1);
  const second = new Gate(2, 0);
  const fut = fromGenerator(function* () {
    const a = yield* first;
    const b = yield* second;
    const c = yield* new Gate(3, 1);
    return [a, b, c];
  });
  const hand = handPoll(fut);
  assert.is(hand.poll(), Pending);
  assert.is(hand.poll(), Pending);
  assert.equal(hand.poll(), [1, 2, 3]);
});

test("an error thrown by the inline poll is thrown at the yield* and can be caught there", () => {
  const gate = new Gate(0, 0, new RangeError("boom"));
  const fut = fromGenerator(function* () {
    try {
      yield* gate;
      return "not reached";
    } catch (error) {
      return (error as Error).message;
    }
  });
  assert.is(handPoll(fut).poll(), "boom");
});

test("an error thrown by a later poll reaches the generator through the future's throw step", () => {
  const gate = new Gate(0, 1, new RangeError("late"));
  const fut = fromGenerator(function* () {
    try {
      yield* gate;
      return "not reached";
    } catch (error) {
      return `caught ${(error as Error).message}`;
    }
  });
  const hand = handPoll(fut);
  assert.is(hand.poll(), Pending);
  assert.is(hand.poll(), "caught late");
});

test("dropping a generator suspended in a self-iterating yield* cancels the future and runs finally", () => {
  const gate = new Gate(0, 10);
  let cleaned = false;
  const slot = {
    gen: (function* () {
      try {
        yield* gate;
      } finally {
        cleaned = true;
      }
    })() as Generator<unknown, void, unknown>,
    current: undefined as Future<unknown> | undefined,
  };
  const fut = fromGenerator(function* () {
    yield* gate;
  });
  const hand = handPoll(fut);
  assert.is(hand.poll(), Pending);
  fut.cancel();
  assert.is(gate.cancelled, 1);
  // The same through the slot API that executors use.
  slot.gen.next();
  slot.current = gate;
  dropGenerator(slot);
  assert.ok(cleaned);
  assert.is(gate.cancelled, 2);
});

test("a generator stepped by hand sees a self-iterating operand, and the value sent back is the output", () => {
  const gate = new Gate(9, 0);
  function* body() {
    const a = yield* gate;
    return a + 1;
  }
  const gen = body();
  const first = gen.next();
  assert.ok(!first.done && isFuture(first.value));
  assert.is(first.value, gate);
  assert.is(gate.polls, 0, "no context: not polled by the iterator");
  assert.equal(gen.next(41), { done: true, value: 42 });
});

test.run();
