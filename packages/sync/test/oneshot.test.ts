import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, fromGenerator, noopWaker, Pending } from "@tokio-ts/core";
import { Builder, spawn, yieldNow } from "@tokio-ts/runtime";
import { assertPending, assertReady, assertReadyErr, forEachSeed, mockTask } from "@tokio-ts/test-util";
import { RecvError, SendError, TryRecvError } from "../src/errors.js";
import * as broadcast from "../src/broadcast.js";
import * as mpsc from "../src/mpsc/index.js";
import * as oneshot from "../src/oneshot.js";
import { handStep } from "./support/hand-step.js";
import { Elapsed, sleep, timeout } from "@tokio-ts/time";
import type { ListNode } from "@tokio-ts/core/collections";

test("the receiver waits, and send wakes it exactly once with the value", () => {
  const [tx, rx] = oneshot.channel<number>();
  const task = mockTask(rx);
  assertPending(task.poll());
  assertPending(task.poll());
  assert.is(task.wakeCount, 0);
  assert.equal(tx.send(42), { ok: true, value: undefined });
  assert.is(task.wakeCount, 1);
  assertReady(task.poll(), 42);
});

test("a value sent before the first poll is ready at once", () => {
  const [tx, rx] = oneshot.channel<string>();
  tx.send("early");
  assertReady(mockTask(rx).poll(), "early");
});

test("dropping the sender without sending fails the receiver with RecvError", () => {
  const [tx, rx] = oneshot.channel<number>();
  const task = mockTask(rx);
  assertPending(task.poll());
  {
    using _dropped = tx;
  }
  assert.ok(task.isWoken());
  const e = assertReadyErr(() => task.poll(), RecvError) as RecvError;
  assert.is(e.kind, "closed");
  assert.is(e.message, "channel closed");
});

test("send returns the value back once the receiver is gone, and closed()/isClosed() see it go", () => {
  const [tx, rx] = oneshot.channel<{ id: number }>();
  const closed = mockTask(tx.closed());
  assertPending(closed.poll());
  assert.not.ok(tx.isClosed());
  rx[Symbol.dispose]();
  assert.ok(tx.isClosed());
  assert.ok(closed.isWoken());
  assertReady(closed.poll());
  const value = { id: 1 };
  const r = tx.send(value);
  assert.ok(!r.ok && r.error instanceof SendError && r.error.value === value);
});

test("dropping the pending receiver future (a select loser) drops the receiver, as in Tokio", () => {
  const [tx, rx] = oneshot.channel<number>();
  const task = mockTask(rx);
  assertPending(task.poll());
  const closed = mockTask(tx.closed());
  assertPending(closed.poll());
  task.drop();
  assert.ok(closed.isWoken());
  const r = tx.send(5);
  assert.ok(!r.ok && r.error.value === 5, "the value comes back to the sender");
});

test("recv(): dropping its pending future leaves the receiver open, and a later recv() gets the value (Tokio's &mut rx)", () => {
  const [tx, rx] = oneshot.channel<number>();
  for (let i = 0; i < 3; i++) {
    const lost = mockTask(rx.recv());
    assertPending(lost.poll());
    lost.drop(); // a select it lost
  }
  assert.not.ok(tx.isClosed(), "no drop closed the channel");
  assert.not.ok(rx.isTerminated());
  const recv = rx.recv();
  const waiting = mockTask(recv);
  assertPending(waiting.poll());
  assert.equal(tx.send(7), { ok: true, value: undefined });
  assert.is(waiting.wakeCount, 1);
  assertReady(waiting.poll(), 7);
  assert.ok(rx.isTerminated());
  assert.throws(() => recv.poll(new Context(noopWaker)), /recv\(\) future was polled after it completed/);
  assert.throws(() => mockTask(rx.recv()).poll(), /polled after it completed/, "the receiver is done");
});

test("recv(): a value sent while no recv() waits is kept for the next one", () => {
  const [tx, rx] = oneshot.channel<string>();
  const lost = mockTask(rx.recv());
  assertPending(lost.poll());
  lost.drop();
  tx.send("kept");
  assert.ok(lost.wakeCount <= 1, "at most one spurious wake of the task that dropped it");
  assertReady(mockTask(rx.recv()).poll(), "kept");
});

test("recv(): the sender dropped fails it with RecvError; dropping it does not drop the receiver's value", () => {
  const [tx, rx] = oneshot.channel<number>();
  const task = mockTask(rx.recv());
  assertPending(task.poll());
  tx.close();
  assert.ok(task.isWoken());
  assert.is((assertReadyErr(() => task.poll(), RecvError) as RecvError).kind, "closed");

  const [tx2, rx2] = oneshot.channel<number>();
  tx2.send(3);
  const first = mockTask(rx2.recv(), { budget: 0 }); // no budget: Pending, takes nothing
  assertPending(first.poll());
  first.drop();
  assert.not.ok(rx2.isEmpty(), "the value is still there");
  assert.is(await0(rx2), 3);
});

test("recv(): dropping an older recv() leaves a newer one's wake in place, in another task or the same", () => {
  const [tx, rx] = oneshot.channel<number>();
  const old = mockTask(rx.recv());
  assertPending(old.poll());
  const current = mockTask(rx.recv());
  assertPending(current.poll()); // the receiver now holds this one's waker
  old.drop();
  tx.send(1);
  assert.is(current.wakeCount, 1);
  assertReady(current.poll(), 1);

  // One task, one waker: two recv() futures of it registered the same waker.
  const [tx2, rx2] = oneshot.channel<number>();
  let wakes = 0;
  const cx = new Context({ wake: () => void wakes++ });
  const first = rx2.recv();
  const second = rx2.recv();
  assert.is(first.poll(cx), Pending);
  assert.is(second.poll(cx), Pending);
  first.cancel();
  tx2.send(2);
  assert.is(wakes, 1, "the task is still woken for the second recv()");
  assert.is(second.poll(cx), 2);
});

test("recv() raced by a timeout in a loop: each lost race leaves the receiver open; the stop arrives (paused time)", async () => {
  const rt = Builder.newCurrentThread().enableTime().startPaused(true).build();
  const [stopTx, stopRx] = oneshot.channel<string>();
  const ticks = await rt.blockOn(function* () {
    spawn(function* () {
      yield* sleep(35);
      stopTx.send("stop");
    });
    let n = 0;
    for (;;) {
      try {
        return [yield* timeout(10, stopRx.recv()), n] as const;
      } catch (e) {
        if (!(e instanceof Elapsed)) throw e;
        n++;
      }
    }
  });
  assert.equal(ticks, ["stop", 3]);
});

test("close() keeps a value sent before it, and makes later sends fail", () => {
  const [tx, rx] = oneshot.channel<number>();
  tx.send(1);
  rx.close();
  assert.equal(rx.tryRecv(), { ok: true, value: 1 });
  assert.equal(rx.tryRecv(), { ok: false, error: new TryRecvError("closed") });

  const [tx2, rx2] = oneshot.channel<number>();
  rx2.close();
  rx2.close();
  assert.ok(tx2.isClosed());
  const r = tx2.send(2);
  assert.ok(!r.ok && r.error.value === 2);
  assertReadyErr(() => mockTask(rx2).poll(), RecvError);
});

test("tryRecv says empty before the send and closed after the sender was dropped or the value taken", () => {
  const [tx, rx] = oneshot.channel<number>();
  const empty = rx.tryRecv();
  assert.ok(!empty.ok && empty.error.kind === "empty");
  tx.send(3);
  assert.equal(rx.tryRecv(), { ok: true, value: 3 });
  assert.equal(rx.tryRecv(), { ok: false, error: new TryRecvError("closed") });
  const [tx2, rx2] = oneshot.channel<number>();
  tx2.close();
  assert.equal(rx2.tryRecv(), { ok: false, error: new TryRecvError("closed") });
});

// ---------------------------------------------------------------------------------------------
// isTerminated and isEmpty (Tokio's Receiver::is_terminated and is_empty)

test("isTerminated: false while pending and while a sent value is unread; true once a poll returned the value", () => {
  const [tx, rx] = oneshot.channel<number>();
  assert.not.ok(rx.isTerminated(), "a new receiver");
  const task = mockTask(rx);
  assertPending(task.poll());
  assert.not.ok(rx.isTerminated(), "polled and still pending");
  tx.send(0);
  assert.not.ok(rx.isTerminated(), "a value was sent but not read");
  assertReady(task.poll(), 0);
  assert.ok(rx.isTerminated(), "the poll yielded the value");
});

test("isTerminated: the sender's drop alone does not terminate; the poll that reports it does", () => {
  const [tx, rx] = oneshot.channel<void>();
  tx.close();
  assert.not.ok(rx.isTerminated());
  assertReadyErr(() => mockTask(rx).poll(), RecvError);
  assert.ok(rx.isTerminated());
});

test("isTerminated: tryRecv terminates when it returns the value or closed, not when it says empty", () => {
  const [tx, rx] = oneshot.channel<number>();
  assert.not.ok(rx.tryRecv().ok);
  assert.not.ok(rx.isTerminated(), "empty leaves it live");
  tx.send(5);
  assert.equal(rx.tryRecv(), { ok: true, value: 5 });
  assert.ok(rx.isTerminated());

  const [tx2, rx2] = oneshot.channel<number>();
  tx2.close();
  assert.equal(rx2.tryRecv(), { ok: false, error: new TryRecvError("closed") });
  assert.ok(rx2.isTerminated());
});

test("isTerminated: close() alone does not terminate; the tryRecv or poll that reports it, or dropping the receiver, does", () => {
  const [, rx] = oneshot.channel<number>();
  rx.close();
  assert.not.ok(rx.isTerminated());
  assert.equal(rx.tryRecv(), { ok: false, error: new TryRecvError("closed") });
  assert.ok(rx.isTerminated());

  const [, rx2] = oneshot.channel<number>();
  rx2.close();
  assertReadyErr(() => mockTask(rx2).poll(), RecvError);
  assert.ok(rx2.isTerminated());

  const [, rx3] = oneshot.channel<number>();
  rx3[Symbol.dispose]();
  assert.ok(rx3.isTerminated(), "a dropped receiver has nothing more to give");

  const [, rx4] = oneshot.channel<number>();
  const task = mockTask(rx4);
  assertPending(task.poll());
  task.drop();
  assert.ok(rx4.isTerminated(), "dropping the pending future drops the receiver");
});

test("isEmpty: true before the send, false while the sent value is unread, true once it was read (Tokio's receiver_is_empty_send)", () => {
  const [tx, rx] = oneshot.channel<number>();
  assert.ok(rx.isEmpty());
  tx.send(17);
  assert.not.ok(rx.isEmpty());
  assertReady(mockTask(rx).poll(), 17);
  assert.ok(rx.isEmpty());

  const [tx2, rx2] = oneshot.channel<number>();
  tx2.send(18);
  assert.not.ok(rx2.isEmpty());
  assert.equal(rx2.tryRecv(), { ok: true, value: 18 });
  assert.ok(rx2.isEmpty());
});

test("isEmpty: true after the sender was dropped, before and after the receiver reports it (Tokio's receiver_is_empty_drop)", () => {
  const [tx, rx] = oneshot.channel<number>();
  assert.ok(rx.isEmpty());
  tx.close();
  assert.ok(rx.isEmpty());
  assertReadyErr(() => mockTask(rx).poll(), RecvError);
  assert.ok(rx.isEmpty());
});

test("isEmpty after close(): true if nothing was sent, false while a value sent before the close is unread", () => {
  const [, rx] = oneshot.channel<number>();
  assert.ok(rx.isEmpty());
  rx.close();
  assert.ok(rx.isEmpty());

  const [tx2, rx2] = oneshot.channel<number>();
  tx2.send(1);
  rx2.close();
  assert.not.ok(rx2.isEmpty(), "the value sent before close() is still there");
  assert.equal(rx2.tryRecv(), { ok: true, value: 1 });
  assert.ok(rx2.isEmpty());
});

test("isEmpty: a value sent as undefined still counts; dropping the receiver drops the value", () => {
  const [tx, rx] = oneshot.channel<void>();
  tx.send();
  assert.not.ok(rx.isEmpty(), "undefined is a value");
  rx[Symbol.dispose]();
  assert.ok(rx.isEmpty());
});

test("undefined is a valid value: oneshot.channel<void>() is a completion signal", () => {
  const [tx, rx] = oneshot.channel<void>();
  const task = mockTask(rx);
  assertPending(task.poll());
  assert.ok(tx.send().ok);
  assertReady(task.poll(), undefined);
});

test("a sender is used once: a second send throws; closing after send is a no-op", () => {
  const [tx, rx] = oneshot.channel<number>();
  tx.send(1);
  assert.throws(() => tx.send(2), /already used/);
  tx.close();
  assertReady(mockTask(rx).poll(), 1);
});

test("the receiver completes once: polling it again throws", () => {
  const [tx, rx] = oneshot.channel<number>();
  tx.send(1);
  const cx = new Context(noopWaker);
  assert.is(rx.poll(cx), 1);
  assert.throws(() => rx.poll(cx), /await it once/);
});

test("the receiver takes part in the coop budget", () => {
  const [tx, rx] = oneshot.channel<number>();
  tx.send(1);
  const task = mockTask(rx, { budget: 0 });
  assertPending(task.poll());
  assert.is(task.forcedYields, 1);
  assert.ok(task.isWoken());
  const spent = mockTask(
    fromGenerator(function* () {
      return yield* rx;
    }),
    { budget: 1 },
  );
  assertReady(spent.poll(), 1);
  assert.is(spent.budgetRemaining, 0);
});

test("works from plain async functions with no runtime", async () => {
  const [tx, rx] = oneshot.channel<string>();
  setImmediate(() => tx.send("pong"));
  assert.is(await rx, "pong");
  const [tx2, rx2] = oneshot.channel<string>();
  const closed = tx2.closed();
  setImmediate(() => rx2.close());
  await closed;
  assert.ok(tx2.isClosed());
  const [tx3, rx3] = oneshot.channel<string>();
  setImmediate(() => tx3.close());
  try {
    await rx3;
    assert.unreachable();
  } catch (e) {
    assert.instance(e, RecvError);
  }
});

test("ping-pong of 200 round trips between two tasks, each hop a fresh oneshot (seeded schedules)", async () => {
  type Ping = { n: number; reply: oneshot.Sender<number>; next: oneshot.Receiver<Ping> };
  await forEachSeed(16, async (rt) => {
    const out = await rt.blockOn(function* () {
      let [tx, rx] = oneshot.channel<Ping>();
      const ponger = spawn(function* () {
        let current = rx;
        let count = 0;
        for (;;) {
          let ping: Ping;
          try {
            ping = yield* current;
          } catch (e) {
            if (e instanceof RecvError) return count; // the pinger dropped its last sender
            throw e;
          }
          ping.reply.send(ping.n + 1);
          count++;
          current = ping.next;
        }
      });
      let n = 0;
      for (let i = 0; i < 200; i++) {
        const [replyTx, replyRx] = oneshot.channel<number>();
        const [nextTx, nextRx] = oneshot.channel<Ping>();
        assert.ok(tx.send({ n, reply: replyTx, next: nextRx }).ok);
        n = yield* replyRx;
        tx = nextTx;
      }
      tx.close();
      return { n, count: yield* ponger };
    });
    assert.equal(out, { n: 200, count: 200 });
  });
});

test("request/reply: each request carries its own oneshot reply sender (seeded schedules)", async () => {
  await forEachSeed(16, async (rt) => {
    const total = await rt.blockOn(function* () {
      const server = (request: number, reply: oneshot.Sender<number>) =>
        spawn(function* () {
          if (request % 5 === 0) yield* yieldNow();
          reply.send(request * 2);
        });
      let total = 0;
      const servers = [];
      for (let i = 0; i < 200; i++) {
        const [tx, rx] = oneshot.channel<number>();
        servers.push(server(i, tx));
        total += yield* rx;
      }
      for (const s of servers) yield* s;
      return total;
    });
    assert.is(total, 2 * ((199 * 200) / 2));
  });
});

test("an aborted task waiting on a receiver drops it: the sender sees the channel closed", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    const out = await rt.blockOn(function* () {
      const [tx, rx] = oneshot.channel<number>();
      const waiter = spawn(function* () {
        return yield* rx;
      });
      yield* yieldNow();
      assert.not.ok(tx.isClosed());
      waiter.abort();
      yield* tx.closed();
      const r = tx.send(1);
      return !r.ok && r.error.value;
    });
    assert.is(out, 1);
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
});

test("1,000,000 cancelled closed() waits leave no waiter behind", () => {
  const [tx, rx] = oneshot.channel<number>();
  const cx = new Context(noopWaker);
  for (let i = 0; i < 1_000_000; i++) {
    const wait = tx.closed();
    if (wait.poll(cx) !== Pending) throw new Error("closed() should wait");
    wait.cancel();
  }
  const probe = tx.closed();
  assert.is(probe.poll(cx), Pending);
  assert.is((probe as unknown as ListNode).list?.length, 1, "only the probe waits");
  probe.cancel();
  tx.send(1);
  assert.equal(rx.tryRecv(), { ok: true, value: 1 });
});

test("stepped by hand, `yield* rx` suspends with the receiver and returns the output the executor polled", () => {
  const [tx, rx] = oneshot.channel<number>();
  assert.is(handStep(rx, () => tx.send(41)), 41);
});

test("close() or dispose wakes a receive pending on the receiver, which then fails with RecvError (it waited for ever)", () => {
  for (const end of ["close", "dispose"] as const) {
    const [tx, rx] = oneshot.channel<number>();
    const waiting = mockTask(rx.recv());
    assertPending(waiting.poll());
    if (end === "close") rx.close();
    else rx[Symbol.dispose]();
    assert.ok(waiting.isWoken(), `${end}: the pending receive is woken`);
    assertReadyErr(() => waiting.poll(), RecvError);
    assert.not.ok(tx.send(1).ok, `${end}: a send now fails`);
  }
  // closed with a value already sent: the woken receive still gets it
  const [tx, rx] = oneshot.channel<number>();
  const waiting = mockTask(rx.recv());
  assertPending(waiting.poll());
  assert.ok(tx.send(7).ok);
  rx.close();
  assert.is(waiting.poll(), 7);
});

test("receives pending on one receiver in two tasks are both woken: one gets the value, the other a misuse error, neither hangs", () => {
  const fails = (t: { poll(): unknown }) =>
    assert.throws(() => t.poll(), (e: unknown) => !(e instanceof RecvError) && /after it completed/.test((e as Error).message));
  for (const end of ["send", "close", "drop sender"] as const) {
    const [tx, rx] = oneshot.channel<number>();
    const a = mockTask(rx.recv());
    const b = mockTask(rx.recv());
    assertPending(a.poll());
    assertPending(b.poll());
    assertPending(a.poll()); // a poll again registers nothing twice
    if (end === "send") tx.send(5);
    else if (end === "close") rx.close();
    else tx.close();
    assert.ok(a.isWoken(), `${end}: the first wait is woken`);
    assert.ok(b.isWoken(), `${end}: the second wait is woken`);
    if (end === "send") assert.is(b.poll(), 5);
    else assertReadyErr(() => b.poll(), RecvError);
    fails(a);
  }
  // a wait that lost the value to `await rx` in another task is woken when the value is taken
  const [tx, rx] = oneshot.channel<number>();
  const waiting = mockTask(rx.recv());
  const awaiting = mockTask(rx);
  assertPending(waiting.poll());
  assertPending(awaiting.poll());
  tx.send(9);
  assert.is(awaiting.poll(), 9);
  assert.ok(waiting.isWoken());
  fails(waiting);
});

test("awaiting a receiver whose value tryRecv() took is a misuse error, not RecvError \"channel closed\"", () => {
  const [tx, rx] = oneshot.channel<number>();
  tx.send(3);
  const got = rx.tryRecv();
  assert.ok(got.ok && got.value === 3);
  assert.ok(rx.isTerminated());
  const t = mockTask(rx);
  assert.throws(() => t.poll(), (e: unknown) => !(e instanceof RecvError) && /polled after it completed/.test((e as Error).message));
});

test("tryRecv errors use Tokio's words for oneshot and broadcast (\"channel empty\", \"channel closed\"), and mpsc's own", async () => {
  const [tx, rx] = oneshot.channel<number>();
  const empty = rx.tryRecv();
  assert.ok(!empty.ok && empty.error.message === "channel empty" && empty.error.code === "ERR_CHANNEL_EMPTY");
  tx[Symbol.dispose]();
  const closed = rx.tryRecv();
  assert.ok(!closed.ok && closed.error.message === "channel closed" && closed.error.code === "ERR_CHANNEL_CLOSED");
  const [btx, brx] = broadcast.channel<number>(2);
  const bempty = brx.tryRecv();
  assert.ok(!bempty.ok && bempty.error.message === "channel empty");
  btx[Symbol.dispose]();
  const bclosed = brx.tryRecv();
  assert.ok(!bclosed.ok && bclosed.error.message === "channel closed");
  const [mtx, mrx] = mpsc.channel<number>(2);
  const mempty = mrx.tryRecv();
  assert.ok(!mempty.ok && mempty.error.message === "receiving on an empty channel");
  mtx[Symbol.dispose]();
  const mclosed = mrx.tryRecv();
  assert.ok(!mclosed.ok && mclosed.error.message === "receiving on a closed channel");
});

test.run();

/** The output of a future that is ready at its first poll. */
function await0<T>(future: import("@tokio-ts/core").Future<T>): T {
  const out = future.poll(new Context(noopWaker));
  if (out === Pending) throw new Error("pending");
  return out;
}
