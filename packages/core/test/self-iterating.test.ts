import { test } from "uvu";
import * as assert from "uvu/assert";
import { beginCancelGenerator, Context, dropGenerator, Future, fromGenerator, isFuture, Pending, pollGenerator, Resume, yieldContext, yieldSuspend, type Poll } from "../src/index.js";
import { handPoll } from "./helpers.js";

/**
 * A future that is its own `yield*` iterator, written as the doc of `Future[Symbol.iterator]`
 * says: ready after `pendingPolls` pending polls (each wakes), or throwing `error` when ready.
 * With `resumable`, it suspends with `yieldSuspend(this, true)` and polls itself on `Resume`.
 */
class Gate extends Future<number> {
  polls = 0;
  cancelled = 0;
  #yielded = false;

  /** The values `next` was resumed with (`Resume` or a value sent by a hand stepper). */
  readonly resumedWith: unknown[] = [];

  constructor(
    private readonly value: number,
    private readonly pendingPolls: number,
    private readonly error?: Error,
    private readonly resumable = false,
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
      this.resumedWith.push(value);
      if (!this.resumable || value !== Resume) return { done: true, value: value as number };
      const out = this.poll(yieldContext()!);
      if (out !== Pending) return { done: true, value: out };
    } else {
      const cx = yieldContext();
      if (cx !== undefined) {
        const out = this.poll(cx);
        if (out !== Pending) return { done: true, value: out };
      }
    }
    this.#yielded = true;
    return yieldSuspend<number>(this, this.resumable);
  }

  return(value?: unknown): IteratorResult<Future<number>, number> {
    if (this.resumable && this.#yielded) this.cancel();
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

/** Poll twice a generator awaiting a gate that throws "late" at its second poll; what it returns. */
function catchLate(resumable: boolean): unknown[] {
  const gate = new Gate(0, 1, new RangeError("late"), resumable);
  const fut = fromGenerator(function* () {
    try {
      yield* gate;
      return "not reached";
    } catch (error) {
      return `caught ${(error as Error).message}`;
    }
  });
  const hand = handPoll(fut);
  return [hand.poll(), hand.poll()];
}

test("an error thrown by a later poll reaches the generator through the future's throw step", () => {
  assert.equal(catchLate(false), [Pending, "caught late"]);
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

// ---- resumable iterators: `yieldSuspend(this, true)` and `next(Resume)` ---------------------

test("a resumable iterator is resumed with Resume and polls itself; the generator gets the output", () => {
  const gate = new Gate(7, 2, undefined, true);
  const fut = fromGenerator(function* () {
    const a = yield* gate;
    return a + 1;
  });
  const hand = handPoll(fut);
  assert.is(hand.poll(), Pending);
  assert.is(gate.polls, 1);
  assert.is(hand.poll(), Pending, "still pending when resumed: suspends again");
  assert.is(gate.polls, 2);
  assert.is(hand.poll(), 8);
  assert.is(gate.polls, 3, "one poll per task poll, never two");
  assert.equal(gate.resumedWith, [Resume, Resume]);
});

test("an error from the poll of a resumed iterator is thrown at its yield* and can be caught there", () => {
  assert.equal(catchLate(true), [Pending, "caught late"]);
  // The iterator is reusable afterwards: its suspended flag was cleared before the poll threw.
  const again = fromGenerator(function* () {
    return yield* new Gate(4, 1, undefined, true);
  });
  const hand2 = handPoll(again);
  assert.is(hand2.poll(), Pending);
  assert.is(hand2.poll(), 4);
});

test("dropping a generator suspended in a resumable yield* cancels the future once, before finally runs", () => {
  const gate = new Gate(0, 10, undefined, true);
  const log: string[] = [];
  const fut = fromGenerator(function* () {
    try {
      yield* gate;
    } finally {
      log.push(`finally, cancelled ${gate.cancelled}`);
    }
  });
  const hand = handPoll(fut);
  assert.is(hand.poll(), Pending);
  fut.cancel();
  assert.is(gate.cancelled, 1);
  assert.equal(log, ["finally, cancelled 1"]);
});

test("a graceful cancel of a slot suspended in a resumable yield* cancels it once; cleanup may await another", () => {
  const gate = new Gate(0, 10, undefined, true);
  const cleanup = new Gate(5, 1, undefined, true);
  let cleaned: number | undefined;
  const slot = {
    gen: (function* () {
      try {
        yield* gate;
      } finally {
        cleaned = yield* cleanup;
      }
    })() as Generator<unknown, void, unknown>,
    current: undefined as Future<unknown> | undefined,
  };
  const hand = handPoll(fromGenerator(function* () {}));
  assert.is(pollGenerator(slot, hand.cx), Pending);
  assert.is(beginCancelGenerator(slot), false, "the finally block awaits");
  assert.is(gate.cancelled, 1);
  // Cleanup runs without inline polling (its yield* was reached from return()), so the slot
  // polls it as a plain future and resumes the generator with the output.
  assert.is(pollGenerator(slot, hand.cx), Pending);
  assert.is(pollGenerator(slot, hand.cx), undefined);
  assert.is(cleaned, 5);
  assert.is(cleanup.cancelled, 0);
});

test("a resumable iterator stepped by hand behaves as before: the value sent back is the output", () => {
  const gate = new Gate(9, 0, undefined, true);
  function* body() {
    const a = yield* gate;
    return a + 1;
  }
  const gen = body();
  const first = gen.next();
  assert.ok(!first.done && first.value === gate);
  assert.equal(gen.next(41), { done: true, value: 42 });
  assert.is(gate.polls, 0);
});

test("a plain iterator suspending after a resumable one is polled by the stepper, not resumed with Resume", () => {
  const resumable = new Gate(1, 1, undefined, true);
  const plain = new Gate(2, 1);
  const fut = fromGenerator(function* () {
    const a = yield* resumable;
    const b = yield* plain;
    return a + b;
  });
  const hand = handPoll(fut);
  assert.is(hand.poll(), Pending);
  assert.is(hand.poll(), Pending);
  assert.is(hand.poll(), 3);
  assert.equal(resumable.resumedWith, [Resume]);
  assert.equal(plain.resumedWith, [2], "resumed with its output, as the old protocol does");
});

test.run();
