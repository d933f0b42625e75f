import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, fromGenerator, noopWaker, Pending, pollFn, type Future } from "@tokio-ts/core";
import { spawn, yieldNow } from "@tokio-ts/runtime";
import { assertPending, assertReady, assertReadyErr, forEachSeed, mockTask } from "@tokio-ts/test-util";
import * as watch from "../src/watch.js";
import * as broadcast from "../src/broadcast.js";
import { RecvError, SendError } from "../src/errors.js";
import { WAITERS } from "../src/internal/wait-list.js";

const closed = (e: unknown): boolean => e instanceof RecvError && e.kind === "closed" && e.message === "channel closed";

function changed(rx: watch.Receiver<unknown>): boolean {
  const r = rx.hasChanged();
  if (!r.ok) throw r.error;
  return r.value;
}

// ---------------------------------------------------------------------------------------------
// Values and versions

test("a new channel's receiver holds the initial value, marked as seen", () => {
  const [tx, rx] = watch.channel("hello");
  assert.is(rx.borrow(), "hello");
  assert.is(tx.borrow(), "hello");
  assert.equal(rx.hasChanged(), { ok: true, value: false });
  assertPending(mockTask(rx.changed()).poll());
});

test("send replaces the value and marks it unseen; borrowAndUpdate marks it seen, borrow does not", () => {
  const [tx, rx] = watch.channel(1);
  assert.equal(tx.send(2), { ok: true, value: undefined });
  assert.ok(changed(rx));
  assert.is(rx.borrow(), 2);
  assert.ok(changed(rx), "borrow does not mark seen");
  assert.is(rx.borrowAndUpdate(), 2);
  assert.not.ok(changed(rx));
});

test("several sends between reads are one change: changed() returns once, with the latest value", () => {
  const [tx, rx] = watch.channel(0);
  tx.send(1);
  tx.send(2);
  tx.send(3);
  assertReady(mockTask(rx.changed()).poll());
  assert.is(rx.borrow(), 3);
  assertPending(mockTask(rx.changed()).poll());
});

test("changed() marks the value seen; sending an equal value is still a change", () => {
  const [tx, rx] = watch.channel("a");
  tx.send("a");
  assert.ok(changed(rx));
  assertReady(mockTask(rx.changed()).poll());
  assert.not.ok(changed(rx));
});

test("markChanged makes the current value unseen; markUnchanged makes it seen", () => {
  const [tx, rx] = watch.channel(5);
  rx.markChanged();
  assert.ok(changed(rx));
  assertReady(mockTask(rx.changed()).poll());
  assert.not.ok(changed(rx));
  tx.send(6);
  rx.markUnchanged();
  assert.not.ok(changed(rx));
  assert.is(rx.borrow(), 6);
  rx.markChanged();
  tx.send(7); // still changed after a further send
  assert.ok(changed(rx));
});

test("subscribe marks the current value seen; clone copies the seen version", () => {
  const [tx, rx] = watch.channel(0);
  tx.send(1);
  const sub = tx.subscribe();
  const copy = rx.clone();
  assert.not.ok(changed(sub));
  assert.ok(changed(copy));
  assert.ok(changed(rx));
  copy.borrowAndUpdate();
  assert.ok(changed(rx), "receivers mark seen independently");
  assert.is(tx.receiverCount(), 3);
});

test("sendReplace returns the old value and works with no receiver", () => {
  const [tx, rx] = watch.channel("a");
  assert.is(tx.sendReplace("b"), "a");
  assert.ok(changed(rx));
  rx[Symbol.dispose]();
  assert.is(tx.sendReplace("c"), "b");
  assert.is(tx.borrow(), "c");
  const late = tx.subscribe();
  assert.is(late.borrow(), "c");
  assert.not.ok(changed(late));
});

test("send with no receiver fails with SendError carrying the value and changes nothing", () => {
  const [tx, rx] = watch.channel({ n: 1 });
  rx[Symbol.dispose]();
  assert.ok(tx.isClosed());
  const msg = { n: 2 };
  const r = tx.send(msg);
  assert.not.ok(r.ok);
  if (!r.ok) {
    assert.instance(r.error, SendError);
    assert.is(r.error.value, msg);
  }
  assert.equal(tx.borrow(), { n: 1 });
});

test("sendModify edits in place (objects and primitives) and always notifies", () => {
  const [tx, rx] = watch.channel({ count: 0 });
  tx.sendModify((cell) => {
    cell.value.count++;
  });
  assert.equal(rx.borrowAndUpdate(), { count: 1 });
  tx.sendModify(() => {});
  assert.ok(changed(rx));
  const [ntx, nrx] = watch.channel(10);
  ntx.sendModify((cell) => {
    cell.value += 5;
  });
  assert.is(nrx.borrow(), 15);
});

test("sendIfModified notifies only when the function returns true", () => {
  const [tx, rx] = watch.channel(1);
  const task = mockTask(rx.changed());
  assertPending(task.poll());
  assert.is(
    tx.sendIfModified((cell) => cell.value !== 1),
    false,
  );
  assert.not.ok(task.isWoken());
  assert.not.ok(changed(rx));
  assert.is(
    tx.sendIfModified((cell) => {
      cell.value = 2;
      return true;
    }),
    true,
  );
  assert.ok(task.isWoken());
  assertReady(task.poll());
  assert.is(rx.borrow(), 2);
});

test("a modify function that throws propagates and notifies nobody", () => {
  const [tx, rx] = watch.channel(1);
  const task = mockTask(rx.changed());
  assertPending(task.poll());
  assert.throws(
    () =>
      tx.sendModify(() => {
        throw new Error("boom");
      }),
    /boom/,
  );
  assert.not.ok(task.isWoken());
  assert.not.ok(changed(rx));
  assert.throws(() => tx.sendIfModified(undefined as unknown as () => boolean), TypeError);
  assert.throws(() => rx.waitFor(undefined as unknown as () => boolean), TypeError);
  // Named at the call, before anything changes (not "modify is not a function" from inside).
  assert.throws(() => tx.sendModify(5 as unknown as () => void), /^modify must be a function, got number$/);
  assert.throws(() => tx.sendIfModified("x" as unknown as () => boolean), /^modify must be a function, got string$/);
  assert.not.ok(task.isWoken());
});

// ---------------------------------------------------------------------------------------------
// Waking, poll by poll

test("every pending changed() is woken once by a send", () => {
  const [tx, rx] = watch.channel(0);
  const rxs = [rx, rx.clone(), tx.subscribe()];
  const tasks = rxs.map((r) => mockTask(r.changed()));
  for (const t of tasks) assertPending(t.poll());
  assert.is(rx[WAITERS](), 3);
  tx.send(1);
  tx.send(2);
  assert.is(rx[WAITERS](), 0);
  for (const t of tasks) {
    assert.is(t.wakeCount, 1);
    assertReady(t.poll());
  }
  for (const r of rxs) assert.not.ok(changed(r));
});

test("a changed() polled repeatedly stays queued once", () => {
  const [tx, rx] = watch.channel(0);
  const task = mockTask(rx.changed());
  assertPending(task.poll());
  assertPending(task.poll());
  assert.is(rx[WAITERS](), 1);
  tx.send(1);
  assert.is(task.wakeCount, 1);
  assertReady(task.poll());
});

test("waitFor checks the current value first, even if seen", () => {
  const [, rx] = watch.channel(7);
  assertReady(mockTask(rx.waitFor((n) => n === 7)).poll(), 7);
});

test("waitFor waits for a value the predicate accepts, marking each checked value seen", () => {
  const [tx, rx] = watch.channel(0);
  const seen: number[] = [];
  const task = mockTask(
    rx.waitFor((n) => {
      seen.push(n);
      return n >= 3;
    }),
  );
  assertPending(task.poll());
  tx.send(1);
  assert.ok(task.isWoken());
  assertPending(task.poll());
  assert.not.ok(changed(rx));
  tx.send(2);
  tx.send(3);
  assertReady(task.poll(), 3);
  assert.equal(seen, [0, 1, 3]);
  assert.not.ok(changed(rx));
});

test("a predicate that throws rejects waitFor and leaves no waiter", () => {
  const [tx, rx] = watch.channel(0);
  const task = mockTask(
    rx.waitFor((n) => {
      if (n === 1) throw new Error("bad value");
      return false;
    }),
  );
  assertPending(task.poll());
  tx.send(1);
  assertReadyErr(() => task.poll(), /bad value/);
  assert.is(rx[WAITERS](), 0);
});

// ---------------------------------------------------------------------------------------------
// Close from both ends

test("close() on a watch or broadcast sender is the same as disposing it (as mpsc's close())", async () => {
  const [tx, rx] = watch.channel(0);
  const task = mockTask(rx.changed());
  assertPending(task.poll());
  tx.close();
  tx.close(); // idempotent
  assert.ok(task.isWoken());
  assertReadyErr(() => task.poll(), closed);
  const [btx, brx] = broadcast.channel<number>(2);
  const btx2 = btx.clone();
  btx.close();
  assert.is(btx2.strongCount(), 1);
  btx2.close();
  assert.ok(brx.isClosed());
});

test("disposing the sender wakes changed(), which then fails with RecvError closed", () => {
  const [tx, rx] = watch.channel(0);
  const task = mockTask(rx.changed());
  assertPending(task.poll());
  tx[Symbol.dispose]();
  assert.ok(task.isWoken());
  assertReadyErr(() => task.poll(), closed);
  assert.is(rx.borrow(), 0, "the last value stays readable");
});

test("a cloned sender keeps the channel open until the last sender is disposed (Tokio's multiple_sender)", () => {
  const [tx, rx] = watch.channel(0);
  const tx2 = tx.clone();
  assert.is(tx.senderCount(), 2);
  const task = mockTask(rx.changed());
  assertPending(task.poll());
  tx[Symbol.dispose]();
  tx[Symbol.dispose](); // idempotent: counts once
  assert.not.ok(task.isWoken(), "one sender is left: the channel is open");
  assert.is(tx2.senderCount(), 1);
  const r = rx.hasChanged();
  assert.ok(r.ok && r.value === false);
  tx2.send(5);
  assertReady(task.poll());
  assert.is(rx.borrowAndUpdate(), 5);
  const next = mockTask(rx.changed());
  assertPending(next.poll());
  tx2[Symbol.dispose]();
  assert.ok(next.isWoken(), "the last sender's dispose closes the channel");
  assertReadyErr(() => next.poll(), closed);
  assert.throws(() => tx.clone(), /disposed/);
});

test("a closed() of a disposed clone keeps waiting while another sender lives, and fails once every sender is gone", () => {
  const [tx, rx] = watch.channel(0);
  const tx2 = tx.clone();
  const task = mockTask(tx.closed());
  assertPending(task.poll());
  tx[Symbol.dispose]();
  assertPending(task.poll());
  tx2[Symbol.dispose]();
  assert.ok(task.isWoken());
  assertReadyErr(() => task.poll(), (e) => e instanceof Error && /every watch sender was disposed/.test(e.message));
  rx[Symbol.dispose]();
});

test("an unseen change before the close is still reported once, then changed() fails", () => {
  const [tx, rx] = watch.channel(0);
  tx.send(1);
  tx[Symbol.dispose]();
  const r = rx.hasChanged();
  assert.ok(!r.ok && closed(r.error), "hasChanged fails once closed, as Tokio's");
  assertReady(mockTask(rx.changed()).poll());
  assert.is(rx.borrow(), 1);
  assertReadyErr(() => mockTask(rx.changed()).poll(), closed);
});

test("waitFor on a closed channel checks the current value and any unseen one, then fails", () => {
  const [tx, rx] = watch.channel(1);
  tx.send(2);
  tx[Symbol.dispose]();
  assertReady(mockTask(rx.waitFor((n) => n === 2)).poll(), 2);
  const seen: number[] = [];
  assertReadyErr(
    () =>
      mockTask(
        rx.waitFor((n) => {
          seen.push(n);
          return false;
        }),
      ).poll(),
    closed,
  );
  assert.equal(seen, [2], "checked the current value once, then closed");
});

test("closed() resolves when the last receiver is disposed", () => {
  const [tx, rx] = watch.channel(0);
  const rx2 = rx.clone();
  const task = mockTask(tx.closed());
  assertPending(task.poll());
  assert.is(tx[WAITERS](), 1);
  rx[Symbol.dispose]();
  assert.not.ok(task.isWoken());
  rx2[Symbol.dispose]();
  rx2[Symbol.dispose]();
  assert.ok(task.isWoken());
  assertReady(task.poll());
  assert.is(tx.receiverCount(), 0);
  assertReady(mockTask(tx.closed()).poll()); // already closed: at once
});

test("disposed handles throw on use; a pending wait of a disposed receiver fails", () => {
  const [tx, rx] = watch.channel(0);
  const other = tx.subscribe();
  const mine = mockTask(rx.changed());
  const theirs = mockTask(other.changed());
  assertPending(mine.poll());
  assertPending(theirs.poll());
  rx[Symbol.dispose]();
  assert.ok(mine.isWoken());
  assert.not.ok(theirs.isWoken());
  assertReadyErr(() => mine.poll(), /receiver was disposed/);
  assert.throws(() => rx.borrow(), /receiver was disposed/);
  const closedWait = mockTask(tx.closed());
  assertPending(closedWait.poll());
  tx[Symbol.dispose]();
  assertReadyErr(() => closedWait.poll(), /sender was disposed/);
  assert.throws(() => tx.send(1), /sender was disposed/);
  assertReadyErr(() => theirs.poll(), closed);
});

// ---------------------------------------------------------------------------------------------
// Cancel safety and leaks

test("a dropped changed() does not mark the value seen: the change is not lost", () => {
  const [tx, rx] = watch.channel(0);
  const loser = mockTask(rx.changed());
  assertPending(loser.poll());
  tx.send(1);
  assert.ok(loser.isWoken());
  loser.drop();
  assert.ok(changed(rx));
  assertReady(mockTask(rx.changed()).poll());
  assert.is(rx.borrow(), 1);
});

test("1,000,000 changed() and closed() waits that are dropped leave no waiter behind", () => {
  const [tx, rx] = watch.channel(0);
  const cx = new Context(noopWaker);
  for (let i = 0; i < 1_000_000; i++) {
    const a = rx.changed();
    const b = tx.closed();
    if (a.poll(cx) !== Pending || b.poll(cx) !== Pending) throw new Error("expected Pending");
    a.cancel();
    b.cancel();
  }
  assert.is(rx[WAITERS](), 0);
  assert.is(tx[WAITERS](), 0);
});

// ---------------------------------------------------------------------------------------------
// Budget and plain async functions

test("changed() takes part in the coop budget", () => {
  const [tx, rx] = watch.channel(0);
  let n = 0;
  const task = mockTask(
    fromGenerator(function* () {
      for (;;) {
        rx.markChanged();
        yield* rx.changed();
        if (++n === 200) return n;
      }
    }),
  );
  assertPending(task.poll());
  assert.is(n, 128);
  assert.is(task.forcedYields, 1);
  assert.ok(task.isWoken());
  assertReady(task.poll(), 200);
  tx[Symbol.dispose]();
});

test("changed() and waitFor() work in a plain async function with no runtime", async () => {
  const [tx, rx] = watch.channel("starting");
  queueMicrotask(() => tx.send("running"));
  await rx.changed();
  assert.is(rx.borrow(), "running");
  queueMicrotask(() => {
    tx.send("almost");
    queueMicrotask(() => tx.send("ready"));
  });
  assert.is(await rx.waitFor((s) => s === "ready"), "ready");
  queueMicrotask(() => rx[Symbol.dispose]());
  await tx.closed();
});

// ---------------------------------------------------------------------------------------------
// Seeded schedules

test("under 50 schedules receivers see increasing values and always the last one", async () => {
  await forEachSeed(50, (rt) =>
    rt.blockOn(function* () {
      const [tx, rx] = watch.channel(0);
      const rxs = [rx, rx.clone(), tx.subscribe()];
      const handles = rxs.map((r) =>
        spawn(function* () {
          const seen: number[] = [];
          for (;;) {
            try {
              yield* r.changed();
            } catch (error) {
              if (closed(error)) return seen;
              throw error;
            }
            seen.push(r.borrow());
          }
        }),
      );
      const waiter = spawn(function* () {
        const r = tx.subscribe();
        return yield* r.waitFor((n) => n >= 25);
      });
      for (let i = 1; i <= 30; i++) {
        tx.send(i);
        if (i % 4 === 0) yield* yieldNow();
      }
      tx[Symbol.dispose]();
      for (const h of handles) {
        const seen = yield* h;
        for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!);
        assert.is(seen[seen.length - 1], 30, "the last value is never missed");
      }
      assert.ok((yield* waiter) >= 25);
    }),
  );
});

test("under 50 schedules a changed() dropped by a racing branch never loses the change", async () => {
  await forEachSeed(50, (rt) =>
    rt.blockOn(function* () {
      const [tx, rx] = watch.channel(0);
      const consumer = spawn(function* () {
        for (;;) {
          const won = yield* race(rx.changed(), yieldNow());
          if (won && rx.borrowAndUpdate() === 10) return "saw 10";
        }
      });
      for (let i = 1; i <= 10; i++) {
        tx.send(i);
        yield* yieldNow();
      }
      assert.is(yield* consumer, "saw 10");
    }),
  );
});

/** A two-branch select: whether `a` won; the loser is dropped. */
function race(a: Future<void>, b: Future<unknown>): Future<boolean> {
  return pollFn<boolean>(
    (cx) => {
      if (a.poll(cx) !== Pending) {
        b.cancel();
        return true;
      }
      if (b.poll(cx) !== Pending) {
        a.cancel();
        return false;
      }
      return Pending;
    },
    () => {
      a.cancel();
      b.cancel();
    },
  );
}

test("disposing a receiver wakes each of its pending changed() futures, also when a waker drops another one meanwhile", () => {
  const [tx, rx] = watch.channel(0);
  const woken: string[] = [];
  const futures = [rx.changed(), rx.changed(), rx.changed()];
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

test("sameChannel tells receivers of one channel from another's; a disposed one throws", () => {
  const [tx, rx] = watch.channel(0);
  const [, other] = watch.channel(0);
  const subscribed = tx.subscribe();
  assert.ok(rx.sameChannel(rx.clone()));
  assert.ok(rx.sameChannel(subscribed));
  assert.not.ok(rx.sameChannel(other));
  subscribed[Symbol.dispose]();
  assert.throws(() => rx.sameChannel(subscribed), /the watch receiver was disposed/);
});

test("for await over a receiver gives the current value, then each value sent (the latest of those sent between steps), and ends when the sender closes", async () => {
  const [tx, rx] = watch.channel("v0");
  const seen: string[] = [];
  const loop = (async () => {
    for await (const value of rx) {
      seen.push(value);
      if (value === "v1") {
        tx.send("v2");
        tx.send("v3"); // coalesced with v2: the next step gives v3
      }
      if (value === "v3") tx.close();
    }
  })();
  await Promise.resolve();
  tx.send("v1");
  await loop;
  assert.equal(seen, ["v0", "v1", "v3"]);
});

test("for await over a receiver whose sender is gone gives the last value once and ends; leaving a loop early keeps the receiver usable", async () => {
  const [tx, rx] = watch.channel(1);
  for await (const n of rx) {
    assert.is(n, 1);
    break;
  }
  tx.send(2);
  assert.is(rx.borrowAndUpdate(), 2);
  tx.send(3);
  tx.close();
  const rest: number[] = [];
  for await (const n of rx) rest.push(n);
  assert.equal(rest, [3]);
});

test.run();
