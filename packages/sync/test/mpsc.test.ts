import { test } from "uvu";
import * as assert from "uvu/assert";
import { BUDGET, Context, fromAsync, fromGenerator, Future, noopWaker, Pending, pollFn, type Poll, type Waker } from "@tokio-ts/core";
import { Builder, spawn, yieldNow, type Runtime } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { TIME } from "@tokio-ts/time/driver";
import { assertPending, assertReady, assertReadyErr, forEachSeed, mockTask } from "@tokio-ts/test-util";
import { SendError, SendTimeoutError, TryRecvError, TrySendError } from "../src/errors.js";
import * as mpsc from "../src/mpsc/index.js";
import { handStep } from "./support/hand-step.js";
import type { ListNode } from "@tokio-ts/core/collections";
import { WAITERS } from "../src/internal/wait-list.js";

/** A deadline the test fires by hand; counts how often it was dropped. */
class Trigger extends Future<void> {
  fired = false;
  cancelled = 0;
  #waker: Waker | undefined;

  fire(): void {
    this.fired = true;
    this.#waker?.wake();
  }

  override poll(cx: Context): Poll<void> {
    if (this.fired) return undefined;
    this.#waker = cx.waker;
    return Pending;
  }

  override cancel(): void {
    this.cancelled++;
    this.#waker = undefined;
  }
}

const LOST: unique symbol = Symbol("lost");

/** A two-way select: the first ready future wins, the other is dropped; LOST when `b` won. */
class Race<A> extends Future<A | typeof LOST> {
  constructor(
    private readonly a: Future<A>,
    private readonly b: Future<unknown>,
  ) {
    super();
  }

  override poll(cx: Context): Poll<A | typeof LOST> {
    const a = this.a.poll(cx);
    if (a !== Pending) {
      this.b.cancel();
      return a;
    }
    if (this.b.poll(cx) === Pending) return Pending;
    this.a.cancel();
    return LOST;
  }

  override cancel(): void {
    this.a.cancel();
    this.b.cancel();
  }
}

/**
 * How many futures wait in the queue that `probe` joins when polled: `probe` must be an
 * intrusive list node (a `closed()` future), so its `list` is the queue. The probe is dropped
 * after.
 */
function queueLength(probe: Future<unknown>): number {
  assert.is(probe.poll(new Context(noopWaker)), Pending, "the probe waits");
  const list = (probe as unknown as ListNode).list;
  assert.ok(list !== undefined, "the probe is queued");
  const n = list!.length - 1;
  probe.cancel();
  assert.is(list!.length, n, "dropping the probe unlinks it");
  return n;
}

/**
 * How many futures wait in the queue that `count` measures (a `[WAITERS]` hook); checks that
 * `probe` joins it when polled and leaves it when dropped.
 */
function probedLength(probe: Future<unknown>, count: () => number): number {
  const n = count();
  assert.is(probe.poll(new Context(noopWaker)), Pending, "the probe waits");
  assert.is(count(), n + 1, "the probe is queued");
  probe.cancel();
  assert.is(count(), n, "dropping the probe unlinks it");
  return n;
}

/** How many receives wait (the channel must be empty and open). */
function recvWaiters(rx: mpsc.Receiver<any> | mpsc.UnboundedReceiver<any>): number {
  return probedLength(rx.recv(), () => rx[WAITERS]());
}

/** How many sends/reserves wait: fill the free slots, probe with a reserve, free them again. */
function sendWaiters(tx: mpsc.Sender<any>): number {
  const held = tx.tryReserveMany(tx.capacity());
  const n = probedLength(tx.reserve(), () => tx[WAITERS]());
  if (held.ok) held.value.release();
  return n;
}

async function withRuntime<R>(body: (rt: Runtime) => Promise<R>, time = false): Promise<R> {
  let builder = Builder.newCurrentThread();
  if (time) builder = builder.enableTime().startPaused(true);
  const rt = builder.build();
  try {
    const out = await body(rt);
    if (time) assert.is(rt.handle().driver(TIME).timerCount, 0, "no timer left behind");
    assert.is(rt.metrics().numAliveTasks(), 0, "no task left behind");
    return out;
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
}

// ---------------------------------------------------------------------------------------------
// Bad input

test("channel() rejects a capacity that is zero, negative, fractional, not finite or not a number", () => {
  for (const bad of [0, -1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1]) {
    assert.throws(() => mpsc.channel(bad), (e: unknown) => e instanceof RangeError, String(bad));
  }
  assert.throws(() => mpsc.channel("4" as unknown as number), (e: unknown) => e instanceof TypeError);
  assert.throws(() => mpsc.channel(undefined as unknown as number), (e: unknown) => e instanceof TypeError);
});

test("sending undefined is a TypeError at the call, on every send path", () => {
  // The types leave undefined out (each @ts-expect-error line must be an error); the runtime
  // check is for plain JS callers and casts.
  const [tx, rx] = mpsc.channel<number | undefined>(4);
  const isTypeError = (e: unknown) => e instanceof TypeError && /undefined/.test((e as Error).message);
  // @ts-expect-error undefined is not a message
  assert.throws(() => tx.send(undefined), isTypeError);
  // @ts-expect-error undefined is not a message
  assert.throws(() => tx.trySend(undefined), isTypeError);
  // @ts-expect-error undefined is not a message
  assert.throws(() => tx.sendTimeout(undefined, new Trigger()), isTypeError);
  const permit = tx.tryReserve();
  assert.ok(permit.ok);
  // @ts-expect-error undefined is not a message
  assert.throws(() => permit.value.send(undefined), isTypeError);
  const [utx] = mpsc.unboundedChannel<number | undefined>();
  // @ts-expect-error undefined is not a message
  assert.throws(() => utx.send(undefined), isTypeError);
  assert.is(rx.len, 0, "nothing was queued");
  tx.send(null as unknown as number); // null is a message like any other
});

test("reserveMany/tryReserveMany reject a count that is negative, fractional or above the capacity", () => {
  const [tx] = mpsc.channel<number>(4);
  for (const bad of [-1, 1.5, 5, NaN]) {
    assert.throws(() => tx.reserveMany(bad), (e: unknown) => e instanceof RangeError, String(bad));
    assert.throws(() => tx.tryReserveMany(bad), (e: unknown) => e instanceof RangeError, String(bad));
  }
  assert.throws(() => tx.reserveMany("2" as unknown as number), (e: unknown) => e instanceof TypeError);
});

test("recvMany rejects a buffer that is not an array and a bad limit; sendTimeout a deadline that is not a future", () => {
  const [tx, rx] = mpsc.channel<number>(4);
  assert.throws(() => rx.recvMany({} as unknown as number[], 1), (e: unknown) => e instanceof TypeError);
  assert.throws(() => rx.recvMany([], -1), (e: unknown) => e instanceof RangeError);
  assert.throws(() => rx.recvMany([], 0.5), (e: unknown) => e instanceof RangeError);
  assert.throws(() => tx.sendTimeout(1, 100 as unknown as Future<void>), (e: unknown) => e instanceof TypeError);
});

// ---------------------------------------------------------------------------------------------
// Wake order, poll by poll

test("recv() waits on an empty channel and a send wakes it exactly once", () => {
  const [tx, rx] = mpsc.channel<number>(4);
  const recv = mockTask(rx.recv());
  assertPending(recv.poll());
  assert.not.ok(recv.isWoken());
  assert.ok(tx.trySend(1).ok);
  assert.is(recv.wakeCount, 1);
  assert.ok(tx.trySend(2).ok);
  assert.is(recv.wakeCount, 1, "the second message does not wake it again");
  assertReady(recv.poll(), 1);
  assert.is(rx.len, 1);
});

test("each message wakes one waiting receive, in the order they started waiting", () => {
  const [tx, rx] = mpsc.channel<number>(4);
  const first = mockTask(rx.recv());
  const second = mockTask(rx.recv());
  assertPending(first.poll());
  assertPending(second.poll());
  tx.trySend(1);
  assert.ok(first.isWoken());
  assert.not.ok(second.isWoken());
  tx.trySend(2);
  assert.ok(second.isWoken());
  assertReady(first.poll(), 1);
  assertReady(second.poll(), 2);
  assert.is(recvWaiters(rx), 0);
});

test("the receive that takes the last message of a closed channel wakes the other waiting receives (recv, tryRecv, recvMany; both kinds)", () => {
  for (const kind of ["bounded", "unbounded"] as const) {
    for (const closing of ["sender", "receiver"] as const) {
      for (const how of ["recv", "tryRecv", "recvMany"] as const) {
        const label = `${kind}, ${closing} closes, ${how} takes it`;
        const [tx, rx] = kind === "bounded" ? mpsc.channel<number>(4) : mpsc.unboundedChannel<number>();
        const first = mockTask(rx.recv());
        const second = mockTask(rx.recv());
        assertPending(first.poll());
        assertPending(second.poll());
        if (tx instanceof mpsc.Sender) tx.trySend(1);
        else tx.send(1); // wakes `first` only
        if (closing === "sender") tx.close();
        else rx.close();
        assert.not.ok(second.isWoken(), `${label}: a message is still queued`);
        if (how === "recv") assertReady(first.poll(), 1);
        else if (how === "tryRecv") assert.equal(rx.tryRecv(), { ok: true, value: 1 });
        else {
          const buffer: number[] = [];
          assertReady(mockTask(rx.recvMany(buffer, 8)).poll(), 1);
        }
        assert.ok(second.isWoken(), `${label}: the channel is over, so the other receive must hear of it`);
        assertReady(second.poll(), undefined);
        first.drop();
        assert.is(rx[WAITERS](), 0, `${label}: no receive is left queued`);
      }
    }
  }
});

test("a pool of async workers sharing one receiver with for await all end when the channel closes", async () => {
  const [tx, rx] = mpsc.unboundedChannel<number>();
  const got: number[] = [];
  const workers = [0, 1, 2].map(async () => {
    for await (const job of rx) got.push(job);
  });
  await new Promise<void>((resolve) => setImmediate(resolve));
  tx.send(1);
  tx.send(2);
  tx.close();
  let ended = 0;
  for (const w of workers) void w.then(() => ended++);
  for (let turn = 0; turn < 20 && ended < workers.length; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  assert.is(ended, 3, "every worker's loop ended");
  assert.equal(got.sort(), [1, 2]);
});

test("send() on a full channel waits, and a recv wakes that sender with the freed slot", () => {
  const [tx, rx] = mpsc.channel<string>(1);
  assertReady(mockTask(tx.send("a")).poll());
  assert.is(tx.capacity(), 0);
  const send = mockTask(tx.send("b"));
  assertPending(send.poll());
  assert.is(rx.tryRecv().ok && "a", "a");
  assert.is(send.wakeCount, 1);
  assert.is(tx.capacity(), 0, "the freed slot is assigned to the waiting sender");
  assertReady(send.poll());
  assert.equal(rx.tryRecv(), { ok: true, value: "b" });
});

test("senders are served FIFO and trySend does not jump the queue", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  assert.ok(tx.trySend(0).ok);
  const senders = [1, 2, 3].map((n) => mockTask(tx.send(n)));
  for (const s of senders) assertPending(s.poll());
  for (let i = 0; i < 3; i++) {
    assert.equal(rx.tryRecv(), { ok: true, value: i });
    senders.forEach((s, k) => assert.is(s.isWoken(), k === i, `after recv ${i}, sender ${k}`));
    const r = tx.trySend(99);
    assert.ok(!r.ok && r.error.kind === "full" && r.error.value === 99, "a waiting sender owns the slot");
    assertReady(senders[i]!.poll());
  }
  assert.equal(rx.tryRecv(), { ok: true, value: 3 });
  assert.is(tx.capacity(), 1);
});

test("send is lazy and its first-poll fast path does not overtake a waiting send", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  const unpolled = tx.send(7);
  assert.is(tx.capacity(), 1, "nothing happens before the first poll");
  unpolled.cancel();
  assert.is(tx.capacity(), 1, "dropping an unpolled send gives nothing back");
  assertReady(mockTask(tx.send(0)).poll());
  const waiting = mockTask(tx.send(1));
  assertPending(waiting.poll());
  assert.equal(rx.tryRecv(), { ok: true, value: 0 });
  const late = mockTask(tx.send(2));
  assertPending(late.poll(), "the freed slot is the waiting send's");
  assertReady(waiting.poll());
  assert.equal(rx.tryRecv(), { ok: true, value: 1 });
  assert.ok(late.isWoken());
  assertReady(late.poll());
  assert.equal(rx.tryRecv(), { ok: true, value: 2 });
  assert.is(sendWaiters(tx), 0);
});

test("a receive takes part in the coop budget: a task draining a busy channel yields after 128", () => {
  const [tx, rx] = mpsc.unboundedChannel<number>();
  for (let i = 0; i < 300; i++) tx.send(i);
  let received = 0;
  const task = mockTask(
    fromGenerator(function* () {
      for (;;) {
        const v = yield* rx.recv();
        if (v === undefined) return received;
        received++;
      }
    }),
  );
  assertPending(task.poll());
  assert.is(received, BUDGET);
  assert.is(task.forcedYields, 1);
  assert.ok(task.isWoken(), "the task was woken to run again");
  assertPending(task.poll());
  assert.is(received, 2 * BUDGET);
  tx.close();
  assertReady(task.poll(), 300);
});

test("sending takes part in the coop budget too", () => {
  const [tx] = mpsc.channel<number>(1000);
  let sent = 0;
  const task = mockTask(
    fromGenerator(function* () {
      for (let i = 0; i < 200; i++) {
        yield* tx.send(i);
        sent++;
      }
    }),
  );
  assertPending(task.poll());
  assert.is(sent, BUDGET);
  assert.ok(task.isWoken());
  assertReady(task.poll());
  assert.is(sent, 200);
});

test("a send or reserve that fails on a closed channel spends budget too: a loop that swallows the error yields", () => {
  // Tokio's coop counts a leaf that completes with an error as progress; before, such a loop
  // never yielded and starved every other task (and the host's I/O) for good.
  for (const op of ["send", "reserve"] as const) {
    const [tx, rx] = mpsc.channel<number>(1);
    rx.close();
    let failed = 0;
    const task = mockTask(
      fromGenerator(function* () {
        for (let i = 0; i < 200; i++) {
          try {
            if (op === "send") yield* tx.send(i);
            else yield* tx.reserve();
          } catch (e) {
            assert.instance(e, SendError);
            failed++;
          }
        }
      }),
    );
    assertPending(task.poll());
    assert.is(failed, BUDGET, op);
    assert.ok(task.isWoken());
    assertReady(task.poll());
    assert.is(failed, 200, op);
  }
});

// ---------------------------------------------------------------------------------------------
// Cancel safety

test("dropping a pending recv loses no message: the next recv gets it", () => {
  const [tx, rx] = mpsc.channel<number>(2);
  const dropped = mockTask(rx.recv());
  assertPending(dropped.poll());
  dropped.drop();
  assert.is(recvWaiters(rx), 0);
  tx.trySend(1);
  assertReady(mockTask(rx.recv()).poll(), 1);
});

test("dropping a recv that a message already woke passes the wake-up on to the next receive", () => {
  const [tx, rx] = mpsc.channel<number>(2);
  const first = mockTask(rx.recv());
  const second = mockTask(rx.recv());
  assertPending(first.poll());
  assertPending(second.poll());
  tx.trySend(7);
  assert.ok(first.isWoken());
  assert.not.ok(second.isWoken());
  first.drop(); // e.g. it lost a select after being woken
  assert.ok(second.isWoken(), "the message is not stranded");
  assertReady(second.poll(), 7);
});

test("a woken receive that finds its message taken waits again at the front of the line", () => {
  const [tx, rx] = mpsc.channel<number>(2);
  const first = mockTask(rx.recv());
  const second = mockTask(rx.recv());
  assertPending(first.poll());
  assertPending(second.poll());
  tx.trySend(1);
  assert.ok(rx.tryRecv().ok, "someone else takes the message");
  assertPending(first.poll());
  tx.trySend(2);
  assert.ok(first.isWoken(), "it kept its place");
  assert.not.ok(second.isWoken());
  assertReady(first.poll(), 2);
  second.drop();
});

test("dropping a pending send gives its turn to the next sender, and its value is not sent", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  tx.trySend(0);
  const s1 = mockTask(tx.send(1));
  const s2 = mockTask(tx.send(2));
  assertPending(s1.poll());
  assertPending(s2.poll());
  s1.drop();
  assert.equal(rx.tryRecv(), { ok: true, value: 0 });
  assert.ok(s2.isWoken());
  assertReady(s2.poll());
  assert.equal(rx.tryRecv(), { ok: true, value: 2 });
  assert.equal(rx.tryRecv(), { ok: false, error: new TryRecvError("empty") });
});

test("dropping a send that was already granted a slot hands the slot to the next sender", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  tx.trySend(0);
  const s1 = mockTask(tx.send(1));
  const s2 = mockTask(tx.send(2));
  assertPending(s1.poll());
  assertPending(s2.poll());
  rx.tryRecv(); // the slot goes to s1 …
  assert.ok(s1.isWoken());
  s1.drop(); // … which is dropped before it runs
  assert.ok(s2.isWoken());
  assertReady(s2.poll());
  assert.equal(rx.tryRecv(), { ok: true, value: 2 });
  assert.is(tx.capacity(), 1);
});

test("a send granted a slot that finds the channel closed at its next poll gives the slot back and wakes the receive waiting on the drained channel", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  tx.trySend(0);
  const send = mockTask(tx.send(1));
  assertPending(send.poll());
  assert.equal(rx.tryRecv(), { ok: true, value: 0 }); // the freed slot is granted to the send …
  assert.ok(send.isWoken());
  rx.close(); // … which now finds the channel closed
  const recv = mockTask(rx.recv());
  assertPending(recv.poll(), "the granted slot may still carry a message");
  assertReadyErr(() => send.poll(), SendError);
  assert.ok(recv.isWoken(), "the slot went back: nothing more can come");
  assert.is(assertReady(recv.poll()), undefined);
});

test("dropping a pending reserve passes the slot on; dropping a partly assigned reserveMany gives its slots back", () => {
  const [tx, rx] = mpsc.channel<number>(3);
  for (let i = 0; i < 3; i++) tx.trySend(i);
  const many = mockTask(tx.reserveMany(3));
  const one = mockTask(tx.reserve());
  assertPending(many.poll());
  assertPending(one.poll());
  rx.tryRecv();
  rx.tryRecv();
  assert.is(tx.capacity(), 0, "two slots are assigned to the head (reserveMany)");
  assert.not.ok(many.isWoken());
  assert.not.ok(one.isWoken(), "the small reserve waits behind the large one");
  many.drop();
  assert.ok(one.isWoken());
  const permit = assertReady(one.poll());
  assert.is(tx.capacity(), 1);
  permit.release();
  assert.is(tx.capacity(), 2);
  assert.is(sendWaiters(tx), 0);
  assert.is(tx.capacity(), 2);
});

// ---------------------------------------------------------------------------------------------
// Reserve and permits

test("reserve() holds a slot until permit.send, which is synchronous and single-use", () => {
  const [tx, rx] = mpsc.channel<string>(1);
  const permit = assertReady(mockTask(tx.reserve()).poll());
  assert.is(tx.capacity(), 0);
  const full = tx.trySend("x");
  assert.ok(!full.ok && full.error instanceof TrySendError && full.error.kind === "full");
  permit.send("hello");
  assert.equal(rx.tryRecv(), { ok: true, value: "hello" });
  assert.throws(() => permit.send("again"), /already used/);
  permit.release(); // no-op after send
  assert.is(tx.capacity(), 1);
});

test("a permit released unused, or disposed, gives its slot back", () => {
  const [tx, rx] = mpsc.channel<number>(2);
  {
    const r = tx.tryReserve();
    assert.ok(r.ok);
    using _permit = r.value;
    assert.is(tx.capacity(), 1);
  }
  assert.is(tx.capacity(), 2);
  const r = tx.tryReserve();
  assert.ok(r.ok);
  r.value.release();
  r.value.release();
  assert.is(tx.capacity(), 2);
  assert.is(rx.len, 0);
});

test("reserveMany(n) holds n slots: send through them directly or iterate permits; the rest is given back", () => {
  const [tx, rx] = mpsc.channel<string>(4);
  const permits = assertReady(mockTask(tx.reserveMany(3)).poll());
  assert.is(permits.length, 3);
  assert.is(tx.capacity(), 1);
  permits.send("a");
  const [p] = permits;
  p!.send("b");
  assert.is(permits.length, 1);
  permits.release();
  assert.is(permits.length, 0);
  assert.throws(() => permits.send("c"), /no reserved slot/);
  assert.is(tx.capacity(), 2);
  assert.equal([rx.tryRecv(), rx.tryRecv()].map((r) => r.ok && r.value), ["a", "b"]);
  assert.is(tx.capacity(), 4);
  const zero = assertReady(mockTask(tx.reserveMany(0)).poll());
  assert.is(zero.length, 0);
});

test("tryReserve and tryReserveMany say full or closed", () => {
  const [tx, rx] = mpsc.channel<number>(2);
  const many = tx.tryReserveMany(2);
  assert.ok(many.ok);
  const full = tx.tryReserve();
  assert.ok(!full.ok && full.error.kind === "full" && full.error.value === undefined);
  many.value.release();
  rx.close();
  const closed = tx.tryReserveMany(1);
  assert.ok(!closed.ok && closed.error.kind === "closed");
});

test("reserveMany(0) and tryReserveMany(0) do not wait behind a waiting sender (Tokio: zero slots are always free)", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  tx.trySend(1);
  const send = mockTask(tx.send(2));
  assertPending(send.poll());
  const zero = mockTask(tx.reserveMany(0)).poll();
  assert.ok(zero !== Pending, "reserveMany(0) is ready at once while a send waits");
  assert.is((zero as mpsc.PermitIterator<number>).length, 0);
  const r = tx.tryReserveMany(0);
  assert.ok(r.ok && r.value.length === 0);
  assertReady(mockTask(rx.recv()).poll(), 1);
  assertReady(send.poll());
  rx.close();
  const closed = tx.tryReserveMany(0);
  assert.ok(!closed.ok && closed.error.kind === "closed", "but not on a closed channel");
});

// ---------------------------------------------------------------------------------------------
// Closing

test("the receiver's close() fails pending and later sends with their values, and queued messages stay receivable", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  tx.trySend(1);
  const send = mockTask(tx.send(2));
  const reserve = mockTask(tx.reserve());
  const closed = mockTask(tx.closed());
  assertPending(send.poll());
  assertPending(reserve.poll());
  assertPending(closed.poll());
  assert.not.ok(tx.isClosed());
  rx.close();
  assert.ok(tx.isClosed());
  assert.ok(rx.isClosed());
  assert.ok(send.isWoken() && reserve.isWoken() && closed.isWoken());
  const e = assertReadyErr(() => send.poll(), SendError) as SendError<number>;
  assert.is(e.value, 2);
  assert.is(e.message, "channel closed");
  assert.is((assertReadyErr(() => reserve.poll(), SendError) as SendError<void>).value, undefined);
  assertReady(closed.poll());
  const late = tx.trySend(3);
  assert.ok(!late.ok && late.error.kind === "closed" && late.error.value === 3);
  assert.is((assertReadyErr(() => mockTask(tx.send(4)).poll(), SendError) as SendError<number>).value, 4);
  assertReady(mockTask(rx.recv()).poll(), 1);
  assertReady(mockTask(rx.recv()).poll(), undefined);
  assert.equal(rx.tryRecv(), { ok: false, error: new TryRecvError("disconnected") });
});

test("a slot reserved before close() still delivers, and recv waits for it before reporting the end", () => {
  const [tx, rx] = mpsc.channel<number>(2);
  const permit = tx.tryReserve();
  const other = tx.tryReserve();
  assert.ok(permit.ok && other.ok);
  rx.close();
  const recv = mockTask(rx.recv());
  assertPending(recv.poll());
  assert.equal(rx.tryRecv(), { ok: false, error: new TryRecvError("empty") });
  permit.value.send(7);
  assert.ok(recv.isWoken());
  assertReady(recv.poll(), 7);
  const end = mockTask(rx.recv());
  assertPending(end.poll(), "one slot is still reserved");
  other.value.release();
  assert.ok(end.isWoken());
  assertReady(end.poll(), undefined);
});

test("closing the last sender ends the channel after the queued messages", () => {
  const [tx, rx] = mpsc.channel<number>(4);
  const tx2 = tx.clone();
  assert.is(tx.strongCount(), 2);
  assert.is(rx.senderStrongCount(), 2);
  assert.ok(tx.sameChannel(tx2));
  tx.trySend(1);
  tx.close();
  tx.close(); // idempotent
  assert.is(tx2.strongCount(), 1);
  assert.not.ok(rx.isClosed());
  assertReady(mockTask(rx.recv()).poll(), 1);
  const recv = mockTask(rx.recv());
  assertPending(recv.poll());
  tx2.close();
  assert.ok(rx.isClosed());
  assert.ok(recv.isWoken());
  assertReady(recv.poll(), undefined);
});

test("a closed sender handle cannot send, while the other handles can", () => {
  const [tx, rx] = mpsc.channel<number>(4);
  const tx2 = tx.clone();
  tx.close();
  assert.ok(tx.isClosed());
  assert.not.ok(tx2.isClosed());
  const r = tx.trySend(1);
  assert.ok(!r.ok && r.error.kind === "closed" && r.error.value === 1);
  assert.is((assertReadyErr(() => mockTask(tx.send(2)).poll(), SendError) as SendError<number>).value, 2);
  assertReady(mockTask(tx.closed()).poll());
  assert.throws(() => tx.clone(), /closed sender/);
  assert.ok(tx2.trySend(3).ok);
  assert.equal(rx.tryRecv(), { ok: true, value: 3 });
});

test("a send waiting when its (last) sender closes fails with its value", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  tx.trySend(1);
  const send = mockTask(tx.send(2));
  assertPending(send.poll());
  tx.close();
  assert.ok(send.isWoken());
  assert.is((assertReadyErr(() => send.poll(), SendError) as SendError<number>).value, 2);
  assertReady(mockTask(rx.recv()).poll(), 1);
  assertReady(mockTask(rx.recv()).poll(), undefined);
});

test("a WeakSender upgrades while a sender is open, not after the last one closed, and does not keep the channel open", () => {
  const [tx, rx] = mpsc.channel<number>(4);
  const weak = tx.downgrade();
  const up = weak.upgrade();
  assert.ok(up !== undefined);
  assert.is(weak.strongCount(), 2);
  up!.trySend(1);
  up!.close();
  tx.close();
  assert.is(weak.upgrade(), undefined);
  assert.ok(rx.isClosed());
  assertReady(mockTask(rx.recv()).poll(), 1);
  assertReady(mockTask(rx.recv()).poll(), undefined);
});

test("weak senders are counted from downgrade() and clone() until disposed, on both flavors; strong counts ignore them", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  const tx2 = tx.clone();
  const weak = tx.downgrade();
  const weak2 = tx2.downgrade();
  for (const handle of [tx, tx2, weak, weak2]) {
    assert.is(handle.strongCount(), 2);
    assert.is(handle.weakCount(), 2);
  }
  assert.is(rx.senderStrongCount(), 2);
  assert.is(rx.senderWeakCount(), 2);
  const weak3 = weak.clone();
  assert.is(rx.senderWeakCount(), 3);
  weak3[Symbol.dispose]();
  weak3[Symbol.dispose](); // idempotent: does not count twice
  tx2.close();
  weak2[Symbol.dispose]();
  assert.is(tx.strongCount(), 1);
  assert.is(weak.strongCount(), 1);
  assert.is(tx.weakCount(), 1);
  assert.is(weak.weakCount(), 1);
  assert.is(rx.senderWeakCount(), 1);
  tx.close();
  assert.is(weak.upgrade(), undefined);
  assert.is(weak.strongCount(), 0);
  assert.is(weak.weakCount(), 1, "a weak sender is counted after the channel closed (Tokio's test_tx_count_weak_sender)");

  const [utx, urx] = mpsc.unboundedChannel<number>();
  const uweak = utx.downgrade();
  const uweak2 = uweak.clone();
  assert.is(utx.weakCount(), 2);
  assert.is(urx.senderWeakCount(), 2);
  const up = uweak2.upgrade();
  assert.ok(up instanceof mpsc.UnboundedSender);
  assert.is(urx.senderStrongCount(), 2);
  up!.close();
  uweak[Symbol.dispose]();
  uweak2[Symbol.dispose]();
  assert.is(utx.weakCount(), 0);
  assert.is(urx.senderWeakCount(), 0);
});

test("a disposed weak sender cannot upgrade or clone; `using` disposes it at the end of the scope", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  {
    using weak = tx.downgrade();
    assert.is(rx.senderWeakCount(), 1);
    assert.ok(weak.clone() instanceof mpsc.WeakSender);
  }
  assert.is(rx.senderWeakCount(), 1, "the clone made inside the scope was not disposed");
  const weak = tx.downgrade();
  weak[Symbol.dispose]();
  assert.throws(() => weak.upgrade(), /weak sender was disposed/);
  assert.throws(() => weak.clone(), /weak sender was disposed/);
  assert.is(rx.senderStrongCount(), 1, "the refused upgrade counted nothing");
  assert.is(rx.senderWeakCount(), 1);
});

test("reserveOwned() holds a slot and a sender: the channel stays open after the other senders close, until the permit sends", () => {
  const [tx, rx] = mpsc.channel<string>(1);
  const permit = assertReady(mockTask(tx.reserveOwned()).poll());
  assert.ok(permit instanceof mpsc.OwnedPermit);
  assert.is(tx.capacity(), 0);
  assert.is(rx.senderStrongCount(), 2, "the permit holds a sender handle");
  tx.close();
  assert.not.ok(rx.isClosed(), "the permit keeps the channel open");
  const recv = mockTask(rx.recv());
  assertPending(recv.poll());
  permit.send("last word");
  assert.ok(recv.isWoken());
  assertReady(recv.poll(), "last word");
  assert.ok(rx.isClosed(), "the permit's handle was the last sender");
  assert.is(rx.senderStrongCount(), 0);
  assertReady(mockTask(rx.recv()).poll(), undefined);
  assert.throws(() => permit.send("again"), /already used/);
  permit.release(); // no-op after send
  assert.is(tx.capacity(), 1);
});

test("an owned permit released or disposed gives the slot back and closes its handle; a waiting receive then sees the end", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  const r = tx.tryReserveOwned();
  assert.ok(r.ok);
  tx.close();
  const recv = mockTask(rx.recv());
  assertPending(recv.poll());
  {
    using _permit = r.value;
    assert.is(tx.capacity(), 0);
  }
  assert.is(tx.capacity(), 1);
  assert.is(rx.senderStrongCount(), 0);
  assert.ok(recv.isWoken());
  assertReady(recv.poll(), undefined);
  r.value.release(); // idempotent
  assert.is(tx.capacity(), 1);

  const [tx2] = mpsc.channel<number>(2);
  const p = assertReady(mockTask(tx2.reserveOwned()).poll());
  p.release();
  assert.is(tx2.capacity(), 2);
  assert.is(tx2.strongCount(), 1);
});

test("reserveOwned() waits in line while full and keeps the channel open while it waits; dropping it gives back its handle", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  tx.trySend(1);
  const owned = mockTask(tx.reserveOwned());
  assertPending(owned.poll());
  assert.is(rx.senderStrongCount(), 2, "the wait holds a handle of its own");
  tx.close();
  assert.not.ok(rx.isClosed(), "closing the caller's handle leaves the channel open");
  owned.drop();
  assert.is(rx.senderStrongCount(), 0);
  assert.ok(rx.isClosed());
  assert.is(tx[WAITERS](), 0, "the dropped wait left the queue");
  assertReady(mockTask(rx.recv()).poll(), 1);
  assertReady(mockTask(rx.recv()).poll(), undefined);
});

test("a reserveOwned() granted its slot then dropped hands the slot to the next sender and closes its handle", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  tx.trySend(1);
  const owned = mockTask(tx.reserveOwned());
  assertPending(owned.poll());
  const next = mockTask(tx.send(2));
  assertPending(next.poll());
  assertReady(mockTask(rx.recv()).poll(), 1);
  assert.ok(owned.isWoken(), "first in line: granted the freed slot");
  owned.drop();
  assert.ok(next.isWoken(), "the slot goes to the next sender");
  assertReady(next.poll());
  assert.is(rx.senderStrongCount(), 1);
  assertReady(mockTask(rx.recv()).poll(), 2);
  const woken = mockTask(tx.reserveOwned());
  const permit = assertReady(woken.poll());
  permit.send(3);
  assertReady(mockTask(rx.recv()).poll(), 3);
  assert.is(rx.senderStrongCount(), 1, "only tx is left");
});

test("reserveOwned() is lazy: the handle is taken at the first poll, and a wait never polled holds nothing", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  const never = tx.reserveOwned();
  assert.is(rx.senderStrongCount(), 1);
  never.cancel();
  assert.is(rx.senderStrongCount(), 1);
  tx.close();
  assert.ok(rx.isClosed());
  assertReadyErr(() => mockTask(tx.reserveOwned()).poll(), SendError);
});

test("reserveOwned() rejects with SendError on a closed channel or handle, and when the receiver closes while it waits; no handle is left", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  tx.trySend(1);
  const waiting = mockTask(tx.reserveOwned());
  assertPending(waiting.poll());
  assert.is(rx.senderStrongCount(), 2);
  rx.close();
  assert.ok(waiting.isWoken());
  const e = assertReadyErr(() => waiting.poll(), SendError) as SendError<undefined>;
  assert.is(e.value, undefined);
  assert.is(rx.senderStrongCount(), 1, "the failed wait closed its handle");
  assertReadyErr(() => mockTask(tx.reserveOwned()).poll(), SendError);
  assert.is(rx.senderStrongCount(), 1);

  const [tx2, rx2] = mpsc.channel<number>(1);
  const tx3 = tx2.clone();
  tx3.close();
  assertReadyErr(() => mockTask(tx3.reserveOwned()).poll(), SendError);
  assert.is(rx2.senderStrongCount(), 1);
  const closedTry = tx3.tryReserveOwned();
  assert.ok(!closedTry.ok && closedTry.error.kind === "closed");
});

test("a budget-limited first poll of reserveOwned() already holds its handle, so a later close of the caller's does not fail it", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  const future = tx.reserveOwned();
  assertPending(mockTask(future, { budget: 0 }).poll());
  assert.is(rx.senderStrongCount(), 2);
  tx.close();
  const permit = future.poll(new Context(noopWaker));
  assert.ok(permit instanceof mpsc.OwnedPermit, "granted through its own handle");
  (permit as mpsc.OwnedPermit<number>).send(4);
  assertReady(mockTask(rx.recv()).poll(), 4);
  assertReady(mockTask(rx.recv()).poll(), undefined);
});

test("tryReserveOwned: an owned permit when a slot is free, full or closed otherwise", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  const r = tx.tryReserveOwned();
  assert.ok(r.ok);
  assert.is(rx.senderStrongCount(), 2);
  const full = tx.tryReserveOwned();
  assert.ok(!full.ok && full.error instanceof TrySendError && full.error.kind === "full" && full.error.value === undefined);
  assert.is(rx.senderStrongCount(), 2, "a refused try takes no handle");
  r.value.send(9);
  assert.is(rx.senderStrongCount(), 1);
  assertReady(mockTask(rx.recv()).poll(), 9);
  rx.close();
  const closed = tx.tryReserveOwned();
  assert.ok(!closed.ok && closed.error.kind === "closed");
});

test("a WeakSender upgrades while an owned permit holds the only sender (Tokio's downgrade_get_permit_upgrade_no_senders)", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  using weak = tx.downgrade();
  const permit = assertReady(mockTask(tx.reserveOwned()).poll());
  tx.close();
  const up = weak.upgrade();
  assert.ok(up !== undefined);
  permit.send(1);
  assert.not.ok(rx.isClosed(), "the upgraded sender is open");
  up!.close();
  assert.ok(rx.isClosed());
  assert.is(weak.upgrade(), undefined);
});

test("sending undefined through an owned permit is a TypeError and keeps the slot", () => {
  const [tx, rx] = mpsc.channel<number | null>(1);
  const permit = assertReady(mockTask(tx.reserveOwned()).poll());
  assert.throws(() => permit.send(undefined as unknown as null), TypeError);
  permit.send(null);
  assertReady(mockTask(rx.recv()).poll(), null);
});

test("OwnedPermit.sameChannel and sameChannelAsSender tell permits and senders of one channel from another's", () => {
  const [tx] = mpsc.channel<number>(2);
  const [other] = mpsc.channel<number>(1);
  const a = assertReady(mockTask(tx.reserveOwned()).poll());
  const b = tx.tryReserveOwned();
  const c = other.tryReserveOwned();
  assert.ok(b.ok && c.ok);
  assert.ok(a.sameChannel(b.value));
  assert.not.ok(a.sameChannel(c.value));
  assert.ok(a.sameChannelAsSender(tx));
  assert.not.ok(a.sameChannelAsSender(other));
  assert.ok(c.value.sameChannelAsSender(other));
  for (const p of [a, b.value, c.value]) p.release();
});

test("disposing the receiver discards queued messages, frees their slots and fails the senders", () => {
  const [tx, rx] = mpsc.channel<number>(2);
  const permit = tx.tryReserve();
  assert.ok(permit.ok);
  tx.trySend(1);
  const send = mockTask(tx.send(2));
  assertPending(send.poll());
  rx[Symbol.dispose]();
  assert.ok(tx.isClosed());
  assertReadyErr(() => send.poll(), SendError);
  assert.is(tx.capacity(), 1, "the queued message's slot is back");
  permit.value.send(3); // discarded, as in Tokio
  assert.is(rx.len, 0);
  assert.is(tx.capacity(), 2);
  assertReady(mockTask(rx.recv()).poll(), undefined);
});

test("`using` closes sender handles at the end of the scope", () => {
  const [tx, rx] = mpsc.channel<number>(2);
  {
    using a = tx;
    using b = a.clone();
    b.trySend(1);
  }
  assert.ok(rx.isClosed());
  assert.equal(rx.tryRecv(), { ok: true, value: 1 });
  assert.equal(rx.tryRecv(), { ok: false, error: new TryRecvError("disconnected") });
});

// ---------------------------------------------------------------------------------------------
// recvMany, tryRecv, len

test("recvMany takes up to limit, frees that many slots for the waiting senders in order, and returns 0 at the end", () => {
  const [tx, rx] = mpsc.channel<number>(3);
  for (let i = 0; i < 3; i++) tx.trySend(i);
  const senders = [3, 4].map((n) => mockTask(tx.send(n)));
  for (const s of senders) assertPending(s.poll());
  const buffer: number[] = [-1];
  assertReady(mockTask(rx.recvMany(buffer, 2)).poll(), 2);
  assert.equal(buffer, [-1, 0, 1]);
  assert.ok(senders.every((s) => s.isWoken()));
  for (const s of senders) assertReady(s.poll());
  assertReady(mockTask(rx.recvMany(buffer, 0)).poll(), 0);
  assertReady(mockTask(rx.recvMany(buffer, 10)).poll(), 3);
  assert.equal(buffer, [-1, 0, 1, 2, 3, 4]);
  const waiting = mockTask(rx.recvMany(buffer, 10));
  assertPending(waiting.poll());
  tx.trySend(5);
  assertReady(waiting.poll(), 1);
  tx.close();
  assertReady(mockTask(rx.recvMany(buffer, 10)).poll(), 0);
});

test("tryRecv says empty while senders are open and disconnected once closed and drained; len and isEmpty follow the queue", () => {
  const [tx, rx] = mpsc.channel<number>(4);
  assert.equal(rx.tryRecv(), { ok: false, error: new TryRecvError("empty") });
  assert.ok(rx.isEmpty());
  tx.trySend(1);
  tx.trySend(2);
  assert.is(rx.len, 2);
  assert.is(rx.capacity(), 2);
  assert.is(rx.maxCapacity(), 4);
  assert.is(tx.maxCapacity(), 4);
  tx.close();
  assert.equal(rx.tryRecv(), { ok: true, value: 1 });
  assert.equal(rx.tryRecv(), { ok: true, value: 2 });
  const r = rx.tryRecv();
  assert.ok(!r.ok && r.error.kind === "disconnected" && r.error.message === "receiving on a closed channel");
});

// ---------------------------------------------------------------------------------------------
// sendTimeout

test("sendTimeout fails with the value when the deadline comes first, and leaves no waiter", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  tx.trySend(0);
  const deadline = new Trigger();
  const send = mockTask(tx.sendTimeout(1, deadline));
  assertPending(send.poll());
  assert.is(sendWaiters(tx), 1);
  deadline.fire();
  assert.ok(send.isWoken());
  const e = assertReadyErr(() => send.poll(), SendTimeoutError) as SendTimeoutError<number>;
  assert.is(e.kind, "timeout");
  assert.is(e.value, 1);
  assert.is(sendWaiters(tx), 0);
  rx.tryRecv();
  assert.is(tx.capacity(), 1, "the slot was not handed to the timed-out send");
});

test("sendTimeout that gets a slot first drops the deadline; on a closed channel it fails as closed", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  tx.trySend(0);
  const deadline = new Trigger();
  const send = mockTask(tx.sendTimeout(1, deadline));
  assertPending(send.poll());
  rx.tryRecv();
  assertReady(send.poll());
  assert.is(deadline.cancelled, 1);
  rx.close();
  const closed = mockTask(tx.sendTimeout(2, new Trigger()));
  const e = assertReadyErr(() => closed.poll(), SendTimeoutError) as SendTimeoutError<number>;
  assert.is(e.kind, "closed");
  assert.is(e.value, 2);
  const dropped = new Trigger();
  const t = mockTask(mpsc.channel<number>(1)[0].sendTimeout(1, dropped));
  t.drop();
  assert.is(dropped.cancelled, 1, "dropping the sendTimeout drops its deadline");
});

test("sendTimeout with sleep() in virtual time: times out on a full channel, succeeds once there is room", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(function* () {
      const [tx, rx] = mpsc.channel<string>(1);
      yield* tx.send("first");
      let timedOut: SendTimeoutError<string> | undefined;
      try {
        yield* tx.sendTimeout("second", sleep(100));
      } catch (e) {
        timedOut = e as SendTimeoutError<string>;
      }
      const consumer = spawn(function* () {
        yield* sleep(50);
        return yield* rx.recv();
      });
      yield* tx.sendTimeout("third", sleep(100));
      return { timedOut, got: yield* consumer, next: rx.tryRecv() };
    });
    assert.ok(out.timedOut instanceof SendTimeoutError);
    assert.is(out.timedOut!.kind, "timeout");
    assert.is(out.timedOut!.value, "second");
    assert.is(out.got, "first");
    assert.equal(out.next, { ok: true, value: "third" });
  }, true);
});

// ---------------------------------------------------------------------------------------------
// Unbounded

test("unbounded send is synchronous, returns the value back once the receiver is closed, and ends after the last sender", () => {
  const [tx, rx] = mpsc.unboundedChannel<number>();
  const recv = mockTask(rx.recv());
  assertPending(recv.poll());
  for (let i = 0; i < 1000; i++) assert.ok(tx.send(i).ok);
  assert.is(recv.wakeCount, 1);
  assertReady(recv.poll(), 0);
  assert.is(rx.len, 999);
  const buffer: number[] = [];
  assertReady(mockTask(rx.recvMany(buffer, 2000)).poll(), 999);
  const tx2 = tx.clone();
  const weak = tx2.downgrade();
  tx.close();
  assert.ok(weak.upgrade() !== undefined);
  rx.close();
  const r = tx2.send(5);
  assert.ok(!r.ok && r.error instanceof SendError && r.error.value === 5);
  assert.ok(tx2.isClosed());
  assertReady(mockTask(tx2.closed()).poll());
  assertReady(mockTask(rx.recv()).poll(), undefined);
});

test("closing a sender handle wakes every closed() of it, also when a waker re-enters and completes one", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  const other = tx.clone();
  const first = tx.closed();
  const second = tx.closed();
  const elsewhere = mockTask(other.closed());
  assertPending(elsewhere.poll());
  // first's waker runs synchronously (a custom executor) and polls it: it completes and leaves the queue.
  let firstOut: unknown = Pending;
  assert.is(first.poll(new Context({ wake: () => (firstOut = first.poll(new Context(noopWaker))) })), Pending);
  const secondTask = mockTask(second);
  assertPending(secondTask.poll());
  tx.close();
  assert.is(firstOut, undefined);
  assert.ok(secondTask.isWoken(), "the second closed() of the handle is woken too");
  assertReady(secondTask.poll(), undefined);
  assertPending(elsewhere.poll(), "the other handle's closed() waits on");
  rx.close();
  assert.ok(elsewhere.isWoken(), "and is still queued: the receiver's close reaches it");
  assertReady(elsewhere.poll(), undefined);
});

test("unbounded: closing the last sender wakes a waiting receive with the end", () => {
  const [tx, rx] = mpsc.unboundedChannel<string>();
  const recv = mockTask(rx.recv());
  assertPending(recv.poll());
  const closed = mockTask(tx.closed());
  assertPending(closed.poll());
  tx.close();
  assertReady(recv.poll(), undefined);
  assert.is(tx.strongCount(), 0);
  assert.ok(closed.isWoken(), "closing the handle makes isClosed() true, which closed() waits for");
  assertReady(closed.poll(), undefined);
  assert.equal(rx.tryRecv(), { ok: false, error: new TryRecvError("disconnected") });
});

// ---------------------------------------------------------------------------------------------
// Without a runtime, and with one

test("works from plain async functions with no runtime: backpressure, for await, the end", async () => {
  const [tx, rx] = mpsc.channel<number>(2);
  const producer = (async () => {
    for (let i = 0; i < 100; i++) await tx.send(i);
    tx.close();
  })();
  const got: number[] = [];
  for await (const n of rx) {
    assert.ok(rx.len <= 2);
    got.push(n);
  }
  await producer;
  assert.equal(got, Array.from({ length: 100 }, (_, i) => i));
});

test("works from plain async functions with no runtime: reserve, recvMany, unbounded", async () => {
  const [tx, rx] = mpsc.channel<string>(1);
  const waiter = rx.recv();
  const permit = await tx.reserve();
  permit.send("x");
  assert.is(await waiter, "x");
  const [utx, urx] = mpsc.unboundedChannel<number>();
  setImmediate(() => {
    utx.send(1);
    utx.send(2);
    utx.close();
  });
  const buf: number[] = [];
  while ((await urx.recvMany(buf, 10)) > 0);
  assert.equal(buf, [1, 2]);
});

test("a next() of the async iterator that is given up on (a dropped future awaiting it) takes no message, and the iteration goes on", async () => {
  const [tx, rx] = mpsc.channel<number>(4);
  const it = rx[Symbol.asyncIterator]();
  const loser = mockTask(fromAsync(() => it.next()));
  assertPending(loser.poll());
  await new Promise((resolve) => setImmediate(resolve)); // the await of recv() is registered
  loser.drop(); // as a select does to its losing branch
  await tx.send(42);
  assert.equal(await it.next(), { done: false, value: 42 });
  tx.close();
  assert.equal(await it.next(), { done: true, value: undefined });
});

test("in a runtime, async-function tasks send and iterate with for await", async () => {
  await withRuntime(async (rt) => {
    const got = await rt.blockOn(async () => {
      const [tx, rx] = mpsc.channel<number>(3);
      const producer = spawn(async () => {
        using own = tx;
        for (let i = 0; i < 50; i++) await own.send(i);
      });
      const got: number[] = [];
      for await (const n of rx) got.push(n);
      await producer;
      return got;
    });
    assert.equal(got, Array.from({ length: 50 }, (_, i) => i));
  });
});

test("in a runtime, a task receiving from a channel that is always full yields after 128 receives", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(function* () {
      const [tx, rx] = mpsc.channel<number>(1024);
      for (let i = 0; i < 1000; i++) tx.trySend(i);
      tx.close();
      const log: string[] = [];
      const consumer = spawn(function* () {
        let n = (yield* rx.recv()) === undefined ? 0 : 1;
        // spawned now, it can only run when the consumer yields
        const other = spawn(function* () {
          log.push("other");
        });
        while ((yield* rx.recv()) !== undefined) {
          n++;
          if (n % BUDGET === 0) log.push(`r${n}`);
        }
        yield* other;
        return n;
      });
      return { n: yield* consumer, log };
    });
    assert.is(out.n, 1000);
    const at = out.log.indexOf("other");
    assert.ok(at >= 0 && at < out.log.length - 1, `the other task ran before the consumer finished: ${out.log.join(",")}`);
    assert.ok(rt.metrics().budgetForcedYieldCount() >= Math.floor(1000 / BUDGET));
  });
});

// ---------------------------------------------------------------------------------------------
// Seeded schedules

test("4 producers × 1000 messages through channel(8): every message once, per-producer order kept (seeded schedules)", async () => {
  await forEachSeed(16, async (rt) => {
    const seen = await rt.blockOn(function* () {
      const [tx, rx] = mpsc.channel<[number, number]>(8);
      const producers = [0, 1, 2, 3].map((p) => {
        const mine = tx.clone();
        return spawn(function* () {
          using own = mine;
          for (let i = 0; i < 1000; i++) {
            // three ways to send, so every path runs under the shuffled schedule
            if (i % 3 === 0) yield* own.send([p, i]);
            else if (i % 3 === 1) (yield* own.reserve()).send([p, i]);
            else {
              while (!own.trySend([p, i]).ok) yield* yieldNow();
            }
          }
        });
      });
      tx.close();
      const next = [0, 0, 0, 0];
      let total = 0;
      for (let msg = yield* rx.recv(); msg !== undefined; msg = yield* rx.recv()) {
        const [p, i] = msg;
        assert.is(i, next[p], `producer ${p} in order`);
        next[p]!++;
        total++;
      }
      for (const h of producers) yield* h;
      return { next, total };
    });
    assert.equal(seen.next, [1000, 1000, 1000, 1000]);
    assert.is(seen.total, 4000);
  });
});

test("a consumer that keeps dropping its recv (select against yieldNow) loses nothing (seeded schedules)", async () => {
  await forEachSeed(16, async (rt) => {
    const out = await rt.blockOn(function* () {
      const [tx, rx] = mpsc.channel<number>(4);
      const [utx, urx] = mpsc.unboundedChannel<number>();
      const producer = spawn(function* () {
        for (let i = 0; i < 500; i++) {
          yield* tx.send(i);
          utx.send(i);
          if (i % 7 === 0) yield* yieldNow();
        }
        tx.close();
        utx.close();
      });
      const got: number[] = [];
      const ugot: number[] = [];
      let losers = 0;
      let done = false;
      let udone = false;
      while (!done || !udone) {
        if (!done) {
          const v = yield* new Race(rx.recv(), yieldNow());
          if (v === LOST) losers++;
          else if (v === undefined) done = true;
          else got.push(v);
        }
        if (!udone) {
          const u = yield* new Race(urx.recv(), yieldNow());
          if (u === undefined) udone = true;
          else if (u !== LOST) ugot.push(u);
        }
      }
      yield* producer;
      return { got, ugot, losers };
    });
    const expected = Array.from({ length: 500 }, (_, i) => i);
    assert.equal(out.got, expected);
    assert.equal(out.ugot, expected);
    assert.ok(out.losers > 0, "some receives were dropped");
  });
});

test("many senders contending for one slot are served in the order they started waiting (seeded schedules)", async () => {
  await forEachSeed(16, async (rt) => {
    const out = await rt.blockOn(function* () {
      const [tx, rx] = mpsc.channel<number>(1);
      tx.trySend(-1);
      const started: number[] = [];
      const senders = Array.from({ length: 8 }, (_, k) =>
        spawn(function* () {
          const send = tx.send(k);
          started.push(k);
          yield* send;
        }),
      );
      // let every sender reach the queue before the receiver frees a slot
      for (let i = 0; i < 20; i++) yield* yieldNow();
      const got: number[] = [];
      for (let i = 0; i < 9; i++) got.push((yield* rx.recv())!);
      for (const s of senders) yield* s;
      return { started, got };
    });
    assert.equal(out.got, [-1, ...out.started]);
  });
});

// ---------------------------------------------------------------------------------------------
// Leaks

test("1,000,000 cancelled recv, send, reserve and closed() waits leave no waiter behind", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  const cx = new Context(noopWaker);
  for (let i = 0; i < 1_000_000; i++) {
    const recv = rx.recv();
    if (recv.poll(cx) !== Pending) throw new Error("recv should wait");
    recv.cancel();
  }
  assert.is(recvWaiters(rx), 0);
  tx.trySend(0);
  for (let i = 0; i < 1_000_000; i++) {
    const wait = i % 3 === 0 ? tx.send(i) : i % 3 === 1 ? tx.reserve() : tx.closed();
    if (wait.poll(cx) !== Pending) throw new Error("the wait should wait");
    wait.cancel();
  }
  assert.is(sendWaiters(tx), 0);
  assert.is(queueLength(tx.closed()), 0);
  assert.equal(rx.tryRecv(), { ok: true, value: 0 });
  assert.is(tx.capacity(), 1, "the freed slot went to no phantom waiter");
  assert.equal(rx.tryRecv(), { ok: false, error: new TryRecvError("empty") });
});

test("yield* of send() in a generator: waits while full, resumes when a slot frees, throws SendError at the yield* once closed", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  const outcomes: string[] = [];
  const task = mockTask(
    fromGenerator(function* () {
      yield* tx.send(1);
      outcomes.push("sent 1");
      yield* tx.send(2); // full: waits
      outcomes.push("sent 2");
      try {
        yield* tx.send(3); // full again; the receiver closes
      } catch (error) {
        outcomes.push(error instanceof SendError ? `SendError ${error.value}` : `other ${String(error)}`);
      }
      return outcomes;
    }),
  );
  assertPending(task.poll());
  assert.equal(outcomes, ["sent 1"]);
  assert.equal(rx.tryRecv(), { ok: true, value: 1 });
  assert.ok(task.isWoken());
  assertPending(task.poll());
  assert.equal(outcomes, ["sent 1", "sent 2"]);
  rx.close();
  assert.ok(task.isWoken());
  assertReady(task.poll(), ["sent 1", "sent 2", "SendError 3"]);
  assert.equal(rx.tryRecv(), { ok: true, value: 2 }, "the message sent before the close is still received");
});

test("aborting a task that waits in yield* of send() or recv() drops the wait: no slot or message goes to it", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    const out = await rt.blockOn(function* () {
      const [tx, rx] = mpsc.channel<number>(1);
      tx.trySend(1);
      const sender = spawn(function* () {
        yield* tx.send(2); // full: waits for a slot
      });
      const [tx2, rx2] = mpsc.channel<number>(1);
      const receiver = spawn(function* () {
        return yield* rx2.recv(); // empty: waits for a message
      });
      yield* yieldNow(); // both wait
      sender.abort();
      receiver.abort();
      yield* yieldNow();
      const first = yield* rx.recv(); // frees the slot: it must not go to the aborted send
      const retry = tx.trySend(3);
      const second = yield* rx.recv();
      tx2.trySend(4); // must stay queued for the next receive, not vanish into the aborted one
      const third = yield* rx2.recv();
      return { first, retryOk: retry.ok, second, third, senderDone: sender.isFinished(), receiverDone: receiver.isFinished() };
    });
    assert.equal(out, { first: 1, retryOk: true, second: 3, third: 4, senderDone: true, receiverDone: true });
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
});

// ---------------------------------------------------------------------------------------------
// pollRecv / pollRecvMany: for futures written by hand

test("pollRecv: Pending with the waker kept, then the message; undefined once closed and drained", () => {
  const [tx, rx] = mpsc.channel<number>(2);
  const task = mockTask(pollFn((cx) => rx.pollRecv(cx)));
  assertPending(task.poll());
  tx.trySend(7);
  assert.is(task.wakeCount, 1);
  assertReady(task.poll(), 7);

  const again = mockTask(pollFn((cx) => rx.pollRecv(cx)));
  tx.trySend(8);
  tx.close();
  assertReady(again.poll(), 8); // a queued message is taken at once, after the close too
  const closed = mockTask(pollFn((cx) => rx.pollRecv(cx)));
  assertReady(closed.poll(), undefined);
});

test("pollRecv keeps only the waker of the most recent call, and a close wakes it", () => {
  const [tx, rx] = mpsc.unboundedChannel<string>();
  const first = mockTask(pollFn((cx) => rx.pollRecv(cx)));
  const second = mockTask(pollFn((cx) => rx.pollRecv(cx)));
  assertPending(first.poll());
  assertPending(second.poll());
  assert.is(recvWaiters(rx), 0, "kept apart from the line of recv() futures");
  tx.close();
  assert.is(first.wakeCount, 0);
  assert.is(second.wakeCount, 1);
  assertReady(second.poll(), undefined);
});

test("a hand-written future over pollRecv dropped by a select loses no message: the next call gets it", () => {
  const [tx, rx] = mpsc.channel<number>(4);
  const trigger = new Trigger();
  trigger.fire();
  const race = mockTask(new Race(pollFn((cx) => rx.pollRecv(cx)), trigger));
  assertReady(race.poll(), LOST); // nothing queued: the deadline wins, the receive is dropped
  tx.trySend(1);
  assert.is(race.wakeCount, 1, "its waker gets one spurious wake, then is let go");
  tx.trySend(2);
  assert.is(race.wakeCount, 1);
  const next = mockTask(pollFn((cx) => rx.pollRecv(cx)));
  assertReady(next.poll(), 1);
});

test("a dropped hand-written future over pollRecv holds no message back from a waiting recv()", () => {
  const [tx, rx] = mpsc.unboundedChannel<string>();
  const dropped = mockTask(pollFn((cx) => rx.pollRecv(cx)));
  assertPending(dropped.poll());
  dropped.drop();
  const recv = mockTask(rx.recv());
  assertPending(recv.poll());
  tx.send("hello");
  assert.is(recv.wakeCount, 1, "the recv() in line is woken by the message");
  assertReady(recv.poll(), "hello");
});

test("pollRecv spends the coop budget like recv(): with the budget spent it yields and takes nothing", () => {
  const [tx, rx] = mpsc.channel<number>(4);
  tx.trySend(1);
  tx.trySend(2);
  const drain = mockTask(
    pollFn((cx) => {
      const a = rx.pollRecv(cx);
      if (a === Pending) return Pending;
      const b = rx.pollRecv(cx);
      return b === Pending ? Pending : [a, b];
    }),
    { budget: 1 },
  );
  assertPending(drain.poll());
  assert.is(drain.wakeCount, 1, "woken to run again after the others");
  assert.is(rx.len, 1, "the second message stays queued");
});

test("pollRecvMany appends up to limit messages, waits when empty, and gives 0 once drained", () => {
  const [tx, rx] = mpsc.channel<number>(8);
  const batch: number[] = [];
  const task = mockTask(pollFn((cx) => rx.pollRecvMany(cx, batch, 3)));
  assertPending(task.poll());
  for (let i = 1; i <= 5; i++) tx.trySend(i);
  assert.is(task.wakeCount, 1);
  assertReady(task.poll(), 3);
  assert.equal(batch, [1, 2, 3]);
  const rest = mockTask(pollFn((cx) => rx.pollRecvMany(cx, batch, 10)));
  assertReady(rest.poll(), 2);
  assert.equal(batch, [1, 2, 3, 4, 5]);
  tx.close();
  const end = mockTask(pollFn((cx) => rx.pollRecvMany(cx, batch, 10)));
  assertReady(end.poll(), 0);
  assert.throws(() => rx.pollRecvMany(new Context(noopWaker), {} as number[], 1), (e: unknown) => e instanceof TypeError && /buffer must be an array/.test(e.message));
  assert.throws(() => rx.pollRecvMany(new Context(noopWaker), batch, -1), (e: unknown) => e instanceof RangeError && /limit must be a non-negative integer, got -1/.test(e.message));
});

test("a hand-written future over pollRecv runs as a task and sees every message in order", async () => {
  class Doubled extends Future<number | undefined> {
    constructor(private readonly rx: mpsc.Receiver<number>) {
      super();
    }
    override poll(cx: Context): Poll<number | undefined> {
      const msg = this.rx.pollRecv(cx);
      return msg === Pending || msg === undefined ? msg : msg * 2;
    }
  }
  const rt = Builder.newCurrentThread().build();
  const out = await rt.blockOn(function* () {
    const [tx, rx] = mpsc.channel<number>(1);
    const producer = spawn(function* () {
      for (let i = 1; i <= 20; i++) yield* tx.send(i);
      tx.close();
    });
    const seen: number[] = [];
    for (;;) {
      const v = yield* new Doubled(rx);
      if (v === undefined) break;
      seen.push(v);
    }
    yield* producer;
    return seen;
  });
  assert.equal(out, Array.from({ length: 20 }, (_, i) => 2 * (i + 1)));
});

test("stepped by hand, `yield*` of recv() and of a waiting send() returns the output the executor polled", () => {
  const [tx, rx] = mpsc.channel<number>(1);
  assert.is(handStep(rx.recv(), () => tx.trySend(3)), 3);
  tx.trySend(4); // full
  assert.is(handStep(tx.send(5), () => rx.tryRecv()), undefined);
  assert.equal(rx.tryRecv(), { ok: true, value: 5 });
});

test.run();
