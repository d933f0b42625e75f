import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, fromGenerator, noopWaker, Pending, pollFn, type Future } from "@tokio-ts/core";
import { spawn, yieldNow } from "@tokio-ts/runtime";
import { assertPending, assertReady, assertReadyErr, forEachSeed, mockTask } from "@tokio-ts/test-util";
import * as broadcast from "../src/broadcast.js";
import { handStep } from "./support/hand-step.js";
import { RecvError, SendError, TryRecvError } from "../src/errors.js";
import { Cursor, Ring, TX_WAITERS } from "../src/internal/broadcast-ring.js";
import { WAITERS } from "../src/internal/wait-list.js";

function lagged(n: number): (e: unknown) => boolean {
  return (e) => e instanceof RecvError && e.kind === "lagged" && e.lagged === n && e.message === `channel lagged by ${n}`;
}
const closed = (e: unknown): boolean => e instanceof RecvError && e.kind === "closed" && e.message === "channel closed";

/** Read everything a receiver has now, as tryRecv results in short form. */
function drain<T>(rx: broadcast.Receiver<T>): (T | string)[] {
  const out: (T | string)[] = [];
  for (;;) {
    const r = rx.tryRecv();
    if (r.ok) out.push(r.value);
    else if (r.error.kind === "lagged") out.push(`lagged ${r.error.lagged}`);
    else return out;
  }
}

/** Like drain, but stop after `n` results. */
function drain1<T>(rx: broadcast.Receiver<T>, n: number): (T | string)[] {
  const out: (T | string)[] = [];
  while (out.length < n) {
    const r = rx.tryRecv();
    if (r.ok) out.push(r.value);
    else if (r.error.kind === "lagged") out.push(`lagged ${r.error.lagged}`);
    else break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Construction and bad input

test("channel(0), a fraction, NaN, a negative or a capacity above the maximum throw RangeError at the call", () => {
  for (const bad of [0, 1.5, NaN, -1, Infinity, 2 ** 30 + 1]) {
    assert.throws(() => broadcast.channel(bad), (e: unknown) => e instanceof RangeError && /capacity/.test((e as Error).message), String(bad));
  }
});

test("a capacity above 2^24 throws RangeError naming capacity and the maximum, instead of allocating the ring", () => {
  // 1e8 first: before the limit it threw V8's "Invalid array length"; 2^28 aborted the process.
  for (const bad of [1e8, 2 ** 24 + 1, 2 ** 26, 2 ** 28, 2 ** 30]) {
    assert.throws(
      () => broadcast.channel(bad),
      (e: unknown) => e instanceof RangeError && e.message === `capacity must be at most 16777216 (the ring is allocated up front), got ${bad}`,
      String(bad),
    );
  }
});

test("a capacity that is not a number throws TypeError", () => {
  assert.throws(() => broadcast.channel("4" as unknown as number), TypeError);
});

test("the capacity is rounded up to a power of two (3 keeps 4 values)", () => {
  const [tx, rx] = broadcast.channel<number>(3);
  for (let i = 1; i <= 4; i++) tx.send(i);
  assert.equal(drain(rx), [1, 2, 3, 4]);
  for (let i = 5; i <= 9; i++) tx.send(i);
  assert.equal(drain(rx), ["lagged 1", 6, 7, 8, 9]);
});

// ---------------------------------------------------------------------------------------------
// Sending

test("send returns the number of receivers subscribed now", () => {
  const [tx, rx] = broadcast.channel<string>(4);
  assert.equal(tx.send("a"), { ok: true, value: 1 });
  const rx2 = tx.subscribe();
  assert.equal(tx.send("b"), { ok: true, value: 2 });
  assert.is(tx.receiverCount(), 2);
  assert.equal(drain(rx), ["a", "b"]);
  assert.equal(drain(rx2), ["b"]);
});

test("send with no receiver fails with SendError carrying the value, and stores nothing", () => {
  const [tx, rx] = broadcast.channel<{ id: number }>(4);
  rx[Symbol.dispose]();
  assert.is(tx.receiverCount(), 0);
  const msg = { id: 7 };
  const r = tx.send(msg);
  assert.not.ok(r.ok);
  if (!r.ok) {
    assert.instance(r.error, SendError);
    assert.is(r.error.value, msg);
    assert.is(r.error.message, "channel closed");
  }
  // A receiver subscribed afterwards does not see it, and sends work again.
  const late = tx.subscribe();
  assert.equal(tx.send({ id: 8 }), { ok: true, value: 1 });
  assert.equal(drain(late), [{ id: 8 }]);
});

test("a receiver sees the values sent after it subscribed, in order; resubscribe starts at the tail", () => {
  const [tx, rx] = broadcast.channel<number>(8);
  tx.send(1);
  const sub = tx.subscribe();
  tx.send(2);
  const re = rx.resubscribe();
  tx.send(3);
  assert.equal(drain(rx), [1, 2, 3]);
  assert.equal(drain(sub), [2, 3]);
  assert.equal(drain(re), [3]);
  assert.is(tx.receiverCount(), 3);
});

test("len counts what the receiver has not read; isEmpty follows it", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  assert.is(rx.len, 0);
  assert.ok(rx.isEmpty());
  tx.send(1);
  tx.send(2);
  assert.is(rx.len, 2);
  assert.not.ok(rx.isEmpty());
  rx.tryRecv();
  assert.is(rx.len, 1);
  for (let i = 0; i < 6; i++) tx.send(i);
  assert.is(rx.len, 7); // more than the capacity: the next read reports the lag
});

// ---------------------------------------------------------------------------------------------
// Lag

test("Sender.len counts the values some live receiver has yet to read, at most the capacity (Tokio's sender_len)", () => {
  const [tx, rx1] = broadcast.channel<number>(4);
  const rx2 = tx.subscribe();
  assert.is(tx.len, 0);
  assert.ok(tx.isEmpty());
  tx.send(1);
  tx.send(2);
  tx.send(3);
  assert.is(tx.len, 3);
  rx1.tryRecv();
  rx1.tryRecv();
  assert.is(tx.len, 3, "rx2 has read none of them");
  rx2.tryRecv();
  assert.is(tx.len, 2);
  tx.send(4);
  tx.send(5);
  tx.send(6);
  assert.is(tx.len, 4, "capped at the capacity");
  assert.not.ok(tx.isEmpty());
  rx2[Symbol.dispose]();
  assert.is(tx.len, 4, "rx1 still has 3..6 to read");
  for (let i = 0; i < 4; i++) assert.ok(rx1.tryRecv().ok);
  assert.is(tx.len, 0);
  assert.ok(tx.isEmpty());
});

test("Sender.len matches the slowest receiver's len, capped, under random sends and reads", () => {
  const [tx, rx1] = broadcast.channel<number>(16);
  const rx2 = tx.subscribe();
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % 4;
  for (let i = 0; i < 1000; i++) {
    const op = next();
    if (op === 0) rx1.tryRecv();
    else if (op === 1) rx2.tryRecv();
    else tx.send(0);
    assert.is(tx.len, Math.min(Math.max(rx1.len, rx2.len), 16));
  }
});

test("Sender.closed() resolves once every receiver is gone, and waits again after a new subscribe", () => {
  const [tx, rx] = broadcast.channel<number>(1);
  const rx2 = tx.subscribe();
  const task = mockTask(tx.closed());
  assertPending(task.poll());
  rx[Symbol.dispose]();
  assert.not.ok(task.isWoken());
  assertPending(task.poll());
  rx2[Symbol.dispose]();
  assert.ok(task.isWoken());
  const again = mockTask(tx.closed());
  const rx3 = tx.subscribe();
  assertPending(again.poll(), "reopened by subscribe");
  rx3[Symbol.dispose]();
  assert.ok(again.isWoken());
  assertReady(again.poll());
  assertReady(task.poll());
  assertReady(mockTask(tx.closed()).poll(), undefined);
});

test("a dropped Sender.closed() leaves no waiter behind", () => {
  const [tx] = broadcast.channel<number>(1);
  const task = mockTask(tx.closed());
  assertPending(task.poll());
  task.drop();
  assert.is(tx[TX_WAITERS](), 0);
});

test("capacity 4, 10 sends: a receiver that read nothing is lagged by 6, then gets 7..10 in order", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  for (let i = 1; i <= 10; i++) tx.send(i);
  assert.is(rx.len, 10);
  const t1 = mockTask(rx.recv());
  assertReadyErr(() => t1.poll(), lagged(6));
  assert.is(rx.len, 4);
  for (const v of [7, 8, 9, 10]) assertReady(mockTask(rx.recv()).poll(), v);
  assertPending(mockTask(rx.recv()).poll());
});

test("tryRecv reports the lag with its count (\"channel lagged by 3\", as Tokio), then the oldest value kept", () => {
  const [tx, rx] = broadcast.channel<number>(2);
  for (let i = 1; i <= 5; i++) tx.send(i);
  const r = rx.tryRecv();
  assert.not.ok(r.ok);
  if (!r.ok) {
    assert.instance(r.error, TryRecvError);
    assert.is(r.error.kind, "lagged");
    assert.is(r.error.lagged, 3);
    assert.is(r.error.code, "ERR_CHANNEL_LAGGED");
    assert.is(r.error.message, "channel lagged by 3");
  }
  assert.equal(drain(rx), [4, 5]);
  const e = rx.tryRecv();
  assert.ok(!e.ok && e.error.kind === "empty");
});

test("a receiver that lags twice is told each lag once, counted from where it stood", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  for (let i = 1; i <= 6; i++) tx.send(i); // 1, 2 overwritten
  assert.equal(drain1(rx, 2), ["lagged 2", 3]);
  // Its cursor is at value 4 (unread); 6 more sends leave 9..12: it missed 4..8.
  for (let i = 7; i <= 12; i++) tx.send(i);
  assert.equal(drain(rx), ["lagged 5", 9, 10, 11, 12]);
});

test("receivers lag independently: a fast one never lags while a slow one does", () => {
  const [tx, slow] = broadcast.channel<number>(4);
  const fast = tx.subscribe();
  const got: number[] = [];
  for (let i = 1; i <= 12; i++) {
    tx.send(i);
    const r = fast.tryRecv();
    if (r.ok) got.push(r.value);
  }
  assert.equal(got, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.equal(drain(slow), ["lagged 8", 9, 10, 11, 12]);
});

// ---------------------------------------------------------------------------------------------
// Waking, poll by poll

test("a pending recv is woken by a send and then returns the value", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const task = mockTask(rx.recv());
  assertPending(task.poll());
  assert.not.ok(task.isWoken());
  tx.send(42);
  assert.ok(task.isWoken());
  assert.is(task.wakeCount, 1);
  assertReady(task.poll(), 42);
});

test("a send wakes every waiting receiver, each exactly once, and each gets the value", () => {
  const [tx, rx1] = broadcast.channel<string>(4);
  const rx2 = tx.subscribe();
  const rx3 = tx.subscribe();
  const tasks = [rx1, rx2, rx3].map((rx) => mockTask(rx.recv()));
  for (const t of tasks) assertPending(t.poll());
  assert.is(tx[WAITERS](), 3);
  tx.send("x");
  assert.is(tx[WAITERS](), 0);
  tx.send("y"); // no one left to wake: no second wake-up
  for (const t of tasks) {
    assert.is(t.wakeCount, 1);
    assertReady(t.poll(), "x");
  }
});

test("a recv polled again before any send stays queued once and is woken once", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const task = mockTask(rx.recv());
  assertPending(task.poll());
  assertPending(task.poll());
  assertPending(task.poll());
  assert.is(tx[WAITERS](), 1);
  tx.send(1);
  assert.is(task.wakeCount, 1);
  assertReady(task.poll(), 1);
});

test("two pending recvs on one receiver share its cursor: each value goes to one of them", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const a = mockTask(rx.recv());
  const b = mockTask(rx.recv());
  assertPending(a.poll());
  assertPending(b.poll());
  tx.send(1);
  assertReady(a.poll(), 1);
  assertPending(b.poll());
  tx.send(2);
  assertReady(b.poll(), 2);
});

// ---------------------------------------------------------------------------------------------
// Close from both ends

test("disposing the last sender wakes pending receivers, which then fail with RecvError closed", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const task = mockTask(rx.recv());
  assertPending(task.poll());
  tx[Symbol.dispose]();
  assert.ok(task.isWoken());
  assertReadyErr(() => task.poll(), closed);
});

test("after the senders are gone a receiver still gets what was sent, then closed", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  tx.send(1);
  tx.send(2);
  tx[Symbol.dispose]();
  assertReady(mockTask(rx.recv()).poll(), 1);
  assertReady(mockTask(rx.recv()).poll(), 2);
  assertReadyErr(() => mockTask(rx.recv()).poll(), closed);
  const r = rx.tryRecv();
  assert.ok(!r.ok && r.error.kind === "closed");
});

test("a lagged receiver on a closed channel is told the lag, then the kept values, then closed", () => {
  const [tx, rx] = broadcast.channel<number>(2);
  for (let i = 1; i <= 5; i++) tx.send(i);
  tx[Symbol.dispose]();
  assert.equal(drain(rx), ["lagged 3", 4, 5]);
  assertReadyErr(() => mockTask(rx.recv()).poll(), closed);
});

test("the channel stays open while a clone of the sender lives", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const tx2 = tx.clone();
  const task = mockTask(rx.recv());
  assertPending(task.poll());
  tx[Symbol.dispose]();
  tx[Symbol.dispose](); // idempotent: does not count twice
  assert.not.ok(task.isWoken());
  tx2.send(5);
  assertReady(task.poll(), 5);
  tx2[Symbol.dispose]();
  assertReadyErr(() => mockTask(rx.recv()).poll(), closed);
});

// ---------------------------------------------------------------------------------------------
// Weak senders, handle counts, sameChannel, isClosed (Tokio's broadcast WeakSender API)

test("a WeakSender upgrades to a sender that can send while a sender lives, and does not keep the channel open", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const weak = tx.downgrade();
  const task = mockTask(rx.recv());
  assertPending(task.poll());
  const up = weak.upgrade();
  assert.ok(up !== undefined, "tx is alive: the upgrade gives a sender");
  assert.equal(up!.send(20), { ok: true, value: 1 });
  assertReady(task.poll(), 20);
  up![Symbol.dispose]();
  const waiting = mockTask(rx.recv());
  assertPending(waiting.poll());
  tx[Symbol.dispose]();
  assert.ok(waiting.isWoken(), "the last strong sender closes the channel: the weak one does not hold it open");
  assertReadyErr(() => waiting.poll(), closed);
  assert.is(weak.upgrade(), undefined);
  assert.is(weak.upgrade(), undefined, "and never reopens it");
});

test("a WeakSender made from a clone cannot upgrade once that clone and the original are gone (Tokio's downgrade_drop_upgrade)", () => {
  const [tx, rx] = broadcast.channel<number>(1);
  const clone = tx.clone();
  const weak = clone.downgrade();
  clone[Symbol.dispose]();
  tx[Symbol.dispose]();
  assert.is(weak.upgrade(), undefined);
  assert.is(weak.strongCount(), 0);
  assert.ok(rx.isClosed());
});

test("strongCount and weakCount follow clone, downgrade, upgrade and dispose on senders, weak senders and receivers", () => {
  const [tx, rx] = broadcast.channel<number>(1);
  const tx2 = tx.clone();
  const weak = tx.downgrade();
  const weak2 = tx2.downgrade();
  for (const counts of [tx, tx2, weak, weak2]) {
    assert.is(counts.strongCount(), 2);
    assert.is(counts.weakCount(), 2);
  }
  assert.is(rx.senderStrongCount(), 2);
  assert.is(rx.senderWeakCount(), 2);
  const weak3 = weak.clone();
  assert.is(tx.weakCount(), 3, "clone() of a weak sender counts");
  weak3[Symbol.dispose]();
  weak3[Symbol.dispose](); // idempotent: does not count twice
  tx2[Symbol.dispose]();
  weak2[Symbol.dispose]();
  assert.is(tx.strongCount(), 1);
  assert.is(weak.strongCount(), 1);
  assert.is(rx.senderStrongCount(), 1);
  assert.is(tx.weakCount(), 1);
  assert.is(weak.weakCount(), 1);
  assert.is(rx.senderWeakCount(), 1);
  const up = weak.upgrade()!;
  assert.is(rx.senderStrongCount(), 2, "an upgrade counts as a sender");
  assert.is(rx.senderWeakCount(), 1, "and leaves the weak sender counted");
  up[Symbol.dispose]();
  tx[Symbol.dispose]();
  assert.is(weak.strongCount(), 0);
  assert.is(weak.weakCount(), 1, "weak senders are counted after the channel closed (Tokio's test_tx_count_weak_sender)");
  assert.is(rx.senderWeakCount(), 1);
});

test("Receiver.isClosed() stays false while any sender lives, an upgraded weak sender included", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const weak = tx.downgrade();
  const up = weak.upgrade()!;
  tx[Symbol.dispose]();
  assert.not.ok(rx.isClosed(), "the upgraded sender is a sender");
  assert.is(rx.senderStrongCount(), 1);
  up[Symbol.dispose]();
  assert.ok(rx.isClosed());
});

test("Receiver.isClosed() after the last sender: true with a weak sender left, and recv() still returns what was sent", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const rx2 = tx.subscribe();
  const weak = tx.downgrade();
  tx.send(7);
  assert.not.ok(rx.isClosed());
  tx[Symbol.dispose]();
  assert.ok(rx.isClosed());
  assert.ok(rx2.isClosed());
  assert.is(weak.strongCount(), 0);
  assert.is(weak.weakCount(), 1);
  assertReady(mockTask(rx.recv()).poll(), 7);
  assertReadyErr(() => mockTask(rx.recv()).poll(), closed);
});

test("sameChannel tells senders and receivers of one channel from those of another", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const [otherTx, otherRx] = broadcast.channel<number>(4);
  const tx2 = tx.clone();
  const fromWeak = tx.downgrade().upgrade()!;
  assert.ok(tx.sameChannel(tx2));
  assert.ok(tx2.sameChannel(tx));
  assert.ok(tx.sameChannel(fromWeak));
  assert.not.ok(tx.sameChannel(otherTx));
  const sub = tx.subscribe();
  const resub = rx.resubscribe();
  assert.ok(rx.sameChannel(sub));
  assert.ok(sub.sameChannel(resub));
  assert.not.ok(rx.sameChannel(otherRx));
  assert.not.ok(otherRx.sameChannel(resub));
});

test("a disposed weak sender throws on use and stops counting; downgrade and the new members of a disposed handle throw", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const weak = tx.downgrade();
  weak[Symbol.dispose]();
  assert.is(tx.weakCount(), 0);
  assert.throws(() => weak.upgrade(), /weak sender was disposed/);
  assert.throws(() => weak.clone(), /weak sender was disposed/);
  assert.throws(() => weak.strongCount(), /weak sender was disposed/);
  assert.is(tx.strongCount(), 1, "a refused upgrade counted nothing");
  const tx2 = tx.clone();
  tx2[Symbol.dispose]();
  assert.throws(() => tx2.downgrade(), /sender was disposed/);
  assert.throws(() => tx2.strongCount(), /sender was disposed/);
  assert.throws(() => tx.sameChannel(tx2), /sender was disposed/);
  const rx2 = tx.subscribe();
  rx2[Symbol.dispose]();
  assert.throws(() => rx2.isClosed(), /receiver was disposed/);
  assert.throws(() => rx2.senderWeakCount(), /receiver was disposed/);
  assert.throws(() => rx.sameChannel(rx2), /receiver was disposed/);
});

test("`using` disposes a weak sender at the end of its scope", () => {
  const [tx] = broadcast.channel<number>(4);
  {
    using _weak = tx.downgrade();
    assert.is(tx.weakCount(), 1);
  }
  assert.is(tx.weakCount(), 0);
});

test("tryRecv tells empty from closed", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const e = rx.tryRecv();
  assert.ok(!e.ok && e.error.kind === "empty" && e.error.message === "channel empty");
  tx[Symbol.dispose]();
  const c = rx.tryRecv();
  assert.ok(!c.ok && c.error.kind === "closed");
});

test("disposing receivers lowers the count; with none left sends fail; a disposed handle throws", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const rx2 = tx.subscribe();
  rx[Symbol.dispose]();
  rx[Symbol.dispose]();
  assert.is(tx.receiverCount(), 1);
  rx2[Symbol.dispose]();
  assert.is(tx.receiverCount(), 0);
  assert.not.ok(tx.send(1).ok);
  assert.throws(() => rx.recv(), /receiver was disposed/);
  assert.throws(() => rx.tryRecv(), /receiver was disposed/);
  tx[Symbol.dispose]();
  assert.throws(() => tx.send(1), /sender was disposed/);
  assert.throws(() => tx.subscribe(), /sender was disposed/);
});

test("a recv still pending when its receiver is disposed is woken, unlinked, and fails", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const other = tx.subscribe();
  const mine = mockTask(rx.recv());
  const theirs = mockTask(other.recv());
  assertPending(mine.poll());
  assertPending(theirs.poll());
  rx[Symbol.dispose]();
  assert.ok(mine.isWoken());
  assert.not.ok(theirs.isWoken());
  assert.is(tx[WAITERS](), 1);
  assertReadyErr(() => mine.poll(), /receiver was disposed/);
  tx.send(3);
  assertReady(theirs.poll(), 3);
});

// ---------------------------------------------------------------------------------------------
// Slots release their values (Tokio's `rem` count)

test("a slot lets go of its value once every receiver has read it", () => {
  const ring = new Ring<object>(4);
  const a = ring.subscribe();
  const b = ring.subscribe();
  const v = {};
  ring.push(v);
  assert.is(ring.values[0], v);
  assert.is(a.read(ring), v);
  assert.is(ring.values[0], v); // b has not read it
  assert.is(b.read(ring), v);
  assert.is(ring.values[0], undefined);
});

test("a dropped cursor releases the values it had yet to read", () => {
  const ring = new Ring<object>(4);
  const a = ring.subscribe();
  const b = ring.subscribe();
  for (let i = 0; i < 3; i++) ring.push({ i });
  a.read(ring);
  b.drop();
  assert.is(ring.receivers, 1);
  assert.is(ring.values[0], undefined); // read by a, released by b
  assert.ok(ring.values[1] !== undefined); // a still has to read these
  a.drop();
  assert.equal(ring.values, [undefined, undefined, undefined, undefined]);
});

test("a cursor created after a send is not counted for it", () => {
  const ring = new Ring<number>(4);
  const a = ring.subscribe();
  ring.push(1);
  const late: Cursor<number> = ring.subscribe();
  ring.push(2);
  assert.is(ring.rem[0], 1);
  assert.is(ring.rem[1], 2);
  assert.is(late.read(ring), 2);
  assert.is(a.read(ring), 1);
});

// ---------------------------------------------------------------------------------------------
// Cancel safety and leaks

test("dropping a pending recv loses nothing: the next recv gets the next value", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const loser = mockTask(rx.recv());
  assertPending(loser.poll());
  loser.drop();
  assert.is(tx[WAITERS](), 0);
  tx.send(1);
  assert.is(loser.wakeCount, 0);
  assertReady(mockTask(rx.recv()).poll(), 1);
});

test("dropping a recv that was woken but not polled again loses nothing", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const loser = mockTask(rx.recv());
  assertPending(loser.poll());
  tx.send(1);
  assert.ok(loser.isWoken());
  loser.drop(); // a select loser: the other branch won in the same turn
  assertReady(mockTask(rx.recv()).poll(), 1);
});

test("1,000,000 recvs that wait and are dropped leave no waiter behind", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const cx = new Context(noopWaker);
  for (let i = 0; i < 1_000_000; i++) {
    const fut = rx.recv();
    if (fut.poll(cx) !== Pending) throw new Error("expected Pending");
    fut.cancel();
  }
  assert.is(tx[WAITERS](), 0);
  tx.send(1);
  assert.equal(drain(rx), [1]);
});

test("aborting tasks waiting in recv() (generator and async) unlinks their waiters", async () => {
  await forEachSeed(10, (rt) =>
    rt.blockOn(function* () {
      const [tx, rx] = broadcast.channel<number>(4);
      const rx2 = tx.subscribe();
      const gen = spawn(function* () {
        return yield* rx.recv();
      });
      const asy = spawn(async () => await rx2.recv());
      for (let i = 0; i < 100 && tx[WAITERS]() < 2; i++) yield* yieldNow();
      assert.is(tx[WAITERS](), 2);
      gen.abort();
      asy.abort();
      for (const h of [gen, asy]) {
        try {
          yield* h;
        } catch {
          // cancelled
        }
      }
      assert.is(tx[WAITERS](), 0);
      tx.send(1);
      assert.equal(drain(rx), [1]);
      assert.equal(drain(rx2), [1]);
    }),
  );
});

// ---------------------------------------------------------------------------------------------
// Budget, plain async functions, iteration

test("a task receiving from a full channel yields after 128 values (coop budget)", () => {
  const [tx, rx] = broadcast.channel<number>(256);
  for (let i = 0; i < 200; i++) tx.send(i);
  let received = 0;
  const task = mockTask(
    fromGenerator(function* () {
      while (received < 200) {
        yield* rx.recv();
        received++;
      }
      return received;
    }),
  );
  assertPending(task.poll());
  assert.is(received, 128);
  assert.is(task.forcedYields, 1);
  assert.ok(task.isWoken()); // yielded, not parked
  assertReady(task.poll(), 200);
});

test("recv works in a plain async function with no runtime", async () => {
  const [tx, rx] = broadcast.channel<string>(4);
  const rx2 = tx.subscribe();
  const got = Promise.all([rx.recv(), rx2.recv()]);
  await Promise.resolve();
  tx.send("hi");
  assert.equal(await got, ["hi", "hi"]);
  tx[Symbol.dispose]();
  try {
    await rx.recv();
    assert.unreachable("recv should reject once closed");
  } catch (error) {
    assert.ok(closed(error));
  }
});

test("for await iterates the values and ends when the channel is closed and drained", async () => {
  const [tx, rx] = broadcast.channel<number>(8);
  tx.send(1);
  tx.send(2);
  queueMicrotask(() => {
    tx.send(3);
    tx[Symbol.dispose]();
  });
  const got: number[] = [];
  for await (const v of rx) got.push(v);
  assert.equal(got, [1, 2, 3]);
});

test("for await rejects with the lag, and a new loop continues from the oldest value kept", async () => {
  const [tx, rx] = broadcast.channel<number>(2);
  for (let i = 1; i <= 5; i++) tx.send(i);
  tx[Symbol.dispose]();
  const got: number[] = [];
  try {
    for await (const v of rx) got.push(v);
    assert.unreachable("the lag should reject the loop");
  } catch (error) {
    assert.ok(lagged(3)(error));
  }
  for await (const v of rx) got.push(v);
  assert.equal(got, [4, 5]);
});

// ---------------------------------------------------------------------------------------------
// Seeded schedules

test("under 50 schedules every receiver task gets every value in order, then closed", async () => {
  await forEachSeed(50, (rt) =>
    rt.blockOn(function* () {
      const [tx, rx] = broadcast.channel<number>(128);
      const receivers = [rx, tx.subscribe(), tx.subscribe()];
      const handles = receivers.map((r) =>
        spawn(function* () {
          const got: number[] = [];
          for (;;) {
            try {
              got.push(yield* r.recv());
            } catch (error) {
              if (closed(error)) return got;
              throw error;
            }
          }
        }),
      );
      const producer = spawn(function* () {
        for (let i = 0; i < 100; i++) {
          tx.send(i);
          if (i % 7 === 0) yield* yieldNow();
        }
        tx[Symbol.dispose]();
      });
      yield* producer;
      const expected = Array.from({ length: 100 }, (_, i) => i);
      for (const h of handles) assert.equal(yield* h, expected);
    }),
  );
});

test("under 50 schedules slow receivers see increasing values, and received + lagged = sent", async () => {
  await forEachSeed(50, (rt) =>
    rt.blockOn(function* () {
      const [tx, rx] = broadcast.channel<number>(4);
      const receivers = [rx, tx.subscribe(), tx.subscribe()];
      const handles = receivers.map((r, k) =>
        spawn(function* () {
          const got: number[] = [];
          let missed = 0;
          for (;;) {
            try {
              got.push(yield* r.recv());
              if (got.length % (k + 1) === 0) yield* yieldNow();
            } catch (error) {
              if (error instanceof RecvError && error.kind === "lagged") missed += error.lagged;
              else if (closed(error)) return { got, missed };
              else throw error;
            }
          }
        }),
      );
      const producer = spawn(function* () {
        for (let i = 0; i < 60; i++) {
          tx.send(i);
          if (i % 3 === 0) yield* yieldNow();
        }
        tx[Symbol.dispose]();
      });
      yield* producer;
      for (const h of handles) {
        const { got, missed } = yield* h;
        for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!, "values arrive in order");
        assert.is(got.length + missed, 60);
        assert.is(got[got.length - 1], 59); // the last value is never lost
      }
    }),
  );
});

test("under 50 schedules a recv dropped by a racing branch never steals a value", async () => {
  await forEachSeed(50, (rt) =>
    rt.blockOn(function* () {
      const [tx, rx] = broadcast.channel<number>(64);
      const consumer = spawn(function* () {
        const got: number[] = [];
        while (got.length < 20) {
          // race recv() against a yield: the loser is dropped, as in a select.
          const recv = rx.recv();
          const out = yield* race(recv, yieldNow());
          if (out !== NOTHING) got.push(out as number);
        }
        return got;
      });
      for (let i = 0; i < 20; i++) {
        tx.send(i);
        yield* yieldNow();
      }
      assert.equal(yield* consumer, Array.from({ length: 20 }, (_, i) => i));
    }),
  );
});

const NOTHING = Symbol("nothing");

/** A two-branch select: the first ready output (the second's is replaced by NOTHING); the loser is dropped. */
function race<A>(a: Future<A>, b: Future<unknown>): Future<A | typeof NOTHING> {
  return pollFn<A | typeof NOTHING>(
    (cx) => {
      const x = a.poll(cx);
      if (x !== Pending) {
        b.cancel();
        return x;
      }
      if (b.poll(cx) !== Pending) {
        a.cancel();
        return NOTHING;
      }
      return Pending;
    },
    () => {
      a.cancel();
      b.cancel();
    },
  );
}

test("yield* of recv() in a generator: a lag is thrown at the yield* (caught there), a wait resumes with the value", () => {
  const [tx, rx] = broadcast.channel<number>(2);
  for (let i = 0; i < 5; i++) tx.send(i); // 0, 1 and 2 overwritten
  const seen: (number | string)[] = [];
  const task = mockTask(
    fromGenerator(function* () {
      for (;;) {
        try {
          const v = yield* rx.recv();
          seen.push(v);
          if (v === 9) return seen;
        } catch (error) {
          if (!(error instanceof RecvError) || error.kind !== "lagged") throw error;
          seen.push(`lagged ${error.lagged}`);
        }
      }
    }),
  );
  assertPending(task.poll());
  assert.equal(seen, ["lagged 3", 3, 4]);
  assert.is(tx[WAITERS](), 1);
  tx.send(9);
  assert.ok(task.isWoken());
  assertReady(task.poll(), ["lagged 3", 3, 4, 9]);
  assert.is(tx[WAITERS](), 0);
});

test("stepped by hand, `yield* rx.recv()` suspends with the future and returns the output the executor polled", () => {
  const [tx, rx] = broadcast.channel<number>(2);
  assert.is(handStep(rx.recv(), () => tx.send(7)), 7);
});

test("disposing a receiver wakes each of its pending recv() futures, also when a waker drops another one meanwhile", () => {
  const [tx, rx] = broadcast.channel<number>(4);
  const woken: string[] = [];
  const futures = [rx.recv(), rx.recv(), rx.recv()];
  futures.forEach((future, i) => {
    const waker = {
      wake() {
        woken.push(`f${i}`);
        if (i === 0) futures[1]!.cancel(); // a re-entrant waker drops the next one
      },
    };
    assert.is(future.poll(new Context(waker)), Pending);
  });
  rx[Symbol.dispose]();
  assert.equal(woken, ["f0", "f2"]);
  tx[Symbol.dispose]();
});

test("each channel namespace has its errors, as Tokio's `broadcast::error`: the package's own classes", async () => {
  const sync = await import("../src/index.js");
  assert.is(sync.broadcast.RecvError, sync.RecvError);
  assert.is(sync.broadcast.SendError, sync.SendError);
  assert.is(sync.broadcast.TryRecvError, sync.TryRecvError);
  assert.is(sync.mpsc.SendError, sync.SendError);
  assert.is(sync.mpsc.TrySendError, sync.TrySendError);
  assert.is(sync.mpsc.SendTimeoutError, sync.SendTimeoutError);
  assert.is(sync.mpsc.TryRecvError, sync.TryRecvError);
  assert.is(sync.oneshot.RecvError, sync.RecvError);
  assert.is(sync.oneshot.TryRecvError, sync.TryRecvError);
  assert.is(sync.watch.RecvError, sync.RecvError);
  assert.is(sync.watch.SendError, sync.SendError);
  const [tx, rx] = sync.broadcast.channel<number>(1);
  tx.send(1);
  tx.send(2);
  let lagged: unknown;
  try {
    await rx.recv();
  } catch (e) {
    lagged = e;
  }
  assert.ok(lagged instanceof sync.broadcast.RecvError, "a lagged receiver's error is a broadcast.RecvError");
});

test.run();
