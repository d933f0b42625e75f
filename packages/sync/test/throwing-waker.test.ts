// A waker that throws (a custom executor's) while a primitive wakes many waiters: the others are
// still woken and the state stays whole; the first error leaves the call that woke them (as
// Notify.notifyWaiters, and as Tokio's wake lists guard against a panicking waker).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, type Future } from "@tokio-ts/core";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import { Barrier, broadcast, CancellationToken, Semaphore, SetOnce, watch } from "../src/index.js";

const BAD = new Context({
  wake() {
    throw new Error("waker panicked");
  },
});

/** Poll `f` once with the throwing waker: it must be pending. */
function pendWithBadWaker(f: Future<unknown>): void {
  assertPending(f.poll(BAD));
}

function throwsPanic(f: () => unknown, what: string): void {
  assert.throws(f, (e: unknown) => (e as Error).message === "waker panicked", `${what} rethrows the waker's error`);
}

test("Semaphore.addPermits: the waiters behind a throwing waker get their permits and are woken", () => {
  const sem = new Semaphore(0);
  pendWithBadWaker(sem.acquire());
  const second = mockTask(sem.acquire());
  assertPending(second.poll());
  throwsPanic(() => sem.addPermits(3), "addPermits");
  assert.ok(second.isWoken(), "the second waiter is woken");
  assert.is(assertReady(second.poll()).numPermits(), 1);
  assert.is(sem.availablePermits(), 1, "the third permit is in the pool");
  assert.ok(sem.tryAcquire().ok);
});

test("Semaphore.close: every waiter fails, past a throwing waker", () => {
  const sem = new Semaphore(0);
  pendWithBadWaker(sem.acquire());
  const second = mockTask(sem.acquire());
  assertPending(second.poll());
  throwsPanic(() => sem.close(), "close");
  assert.ok(second.isWoken());
  assert.throws(() => second.poll(), /semaphore closed/);
});

test("CancellationToken.cancel: other waits, the children and their signals are all notified past a throwing waker", () => {
  const token = new CancellationToken();
  const child = token.childToken();
  const signal = child.toSignal();
  pendWithBadWaker(token.cancelled());
  const mine = mockTask(token.cancelled());
  const childs = mockTask(child.cancelled());
  assertPending(mine.poll());
  assertPending(childs.poll());
  throwsPanic(() => token.cancel(), "cancel");
  assert.ok(mine.isWoken(), "the token's other wait");
  assert.ok(childs.isWoken(), "the child's wait");
  assert.ok(signal.aborted, "the child's signal");
  assert.ok(child.isCancelled());
});

test("SetOnce.set, Barrier and broadcast/watch sends wake every waiter past a throwing waker", () => {
  const cell = new SetOnce<number>();
  pendWithBadWaker(cell.wait());
  const w = mockTask(cell.wait());
  assertPending(w.poll());
  throwsPanic(() => cell.set(5), "SetOnce.set");
  assert.ok(w.isWoken());
  assert.is(w.poll(), 5);

  const barrier = new Barrier(3);
  pendWithBadWaker(barrier.wait());
  const follower = mockTask(barrier.wait());
  assertPending(follower.poll());
  const leader = mockTask(barrier.wait());
  throwsPanic(() => leader.poll(), "the last arrival");
  assert.ok(follower.isWoken(), "the other follower is released");
  assert.is(assertReady(follower.poll()).isLeader, false);
  // the barrier is usable for the next generation
  const next = mockTask(barrier.wait());
  assertPending(next.poll());

  const [tx, rx1] = broadcast.channel<number>(4);
  const rx2 = tx.subscribe();
  pendWithBadWaker(rx1.recv());
  const r2 = mockTask(rx2.recv());
  assertPending(r2.poll());
  throwsPanic(() => tx.send(1), "broadcast send");
  assert.ok(r2.isWoken());
  assert.is(r2.poll(), 1);

  const [wtx, wrx1] = watch.channel(0);
  const wrx2 = wtx.subscribe();
  pendWithBadWaker(wrx1.changed());
  const c2 = mockTask(wrx2.changed());
  assertPending(c2.poll());
  throwsPanic(() => wtx.send(1), "watch send");
  assert.ok(c2.isWoken());
});

test.run();
