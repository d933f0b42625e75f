import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, fromGenerator, noopWaker, Pending } from "@tokio-ts/core";
import { spawn, yieldNow } from "@tokio-ts/runtime";
import { assertPending, assertReady, forEachSeed, mockTask } from "@tokio-ts/test-util";
import { Notified, Notify } from "../src/notify.js";
import { WAITERS } from "../src/internal/wait-list.js";

// ---------------------------------------------------------------------------------------------
// notifyOne and the permit

test("notifyOne with nobody waiting stores a permit the next notified() takes at once", () => {
  const notify = new Notify();
  notify.notifyOne();
  const task = mockTask(notify.notified());
  assertReady(task.poll());
  assertPending(mockTask(notify.notified()).poll(), "the permit was consumed");
});

test("several notifyOne calls with nobody waiting store only one permit", () => {
  const notify = new Notify();
  notify.notifyOne();
  notify.notifyOne();
  notify.notifyOne();
  assertReady(mockTask(notify.notified()).poll());
  assertPending(mockTask(notify.notified()).poll());
});

test("notifyOne wakes the waiter that has waited longest (FIFO) and stores no permit", () => {
  const notify = new Notify();
  const tasks = [0, 1, 2].map(() => mockTask(notify.notified()));
  for (const t of tasks) assertPending(t.poll());
  notify.notifyOne();
  assert.equal(
    tasks.map((t) => t.wakeCount),
    [1, 0, 0],
  );
  assertReady(tasks[0]!.poll());
  assertPending(tasks[1]!.poll());
  notify.notifyOne();
  assert.equal(
    tasks.map((t) => t.wakeCount),
    [1, 1, 0],
  );
  assertReady(tasks[1]!.poll());
  assertPending(mockTask(notify.notified()).poll(), "a notifyOne that found a waiter stores nothing");
  assert.is(notify[WAITERS](), 2);
});

test("notifyLast wakes the waiter that started waiting most recently (LIFO)", () => {
  const notify = new Notify();
  const tasks = [0, 1, 2].map(() => mockTask(notify.notified()));
  for (const t of tasks) assertPending(t.poll());
  notify.notifyLast();
  assert.equal(
    tasks.map((t) => t.wakeCount),
    [0, 0, 1],
  );
  notify.notifyLast();
  assert.equal(
    tasks.map((t) => t.wakeCount),
    [0, 1, 1],
  );
  assertReady(tasks[2]!.poll());
  assertReady(tasks[1]!.poll());
  assertPending(tasks[0]!.poll());
});

test("notifyLast with nobody waiting stores the permit too", () => {
  const notify = new Notify();
  notify.notifyLast();
  assertReady(mockTask(notify.notified()).poll());
});

// ---------------------------------------------------------------------------------------------
// notifyWaiters

test("notifyWaiters wakes every waiter once and stores no permit", () => {
  const notify = new Notify();
  const tasks = [0, 1, 2].map(() => mockTask(notify.notified()));
  for (const t of tasks) assertPending(t.poll());
  notify.notifyWaiters();
  for (const t of tasks) {
    assert.is(t.wakeCount, 1);
    assertReady(t.poll());
  }
  assert.is(notify[WAITERS](), 0);
  assertPending(mockTask(notify.notified()).poll(), "no permit was stored");
});

test("notifyWaiters with nobody waiting stores nothing", () => {
  const notify = new Notify();
  notify.notifyWaiters();
  assertPending(mockTask(notify.notified()).poll());
});

test("a Notified created before notifyWaiters completes even if it was never polled", () => {
  const notify = new Notify();
  const notified = notify.notified();
  notify.notifyWaiters();
  const later = notify.notified();
  assertReady(mockTask(notified).poll());
  assertPending(mockTask(later).poll(), "created after the call: not notified");
});

test("notifyWaiters does not notify a Notified queued by a waker it runs (a waker that re-enters)", () => {
  const notify = new Notify();
  const first = notify.notified();
  const second = notify.notified();
  let late: Notified | undefined;
  // The first waiter's waker runs synchronously: it drops the second waiter and queues a new one.
  assert.is(
    first.poll(
      new Context({
        wake() {
          second.cancel();
          late = notify.notified();
          late.enable();
        },
      }),
    ),
    Pending,
  );
  assert.is(second.enable(), false);
  notify.notifyWaiters();
  assertReady(mockTask(first).poll());
  assert.ok(late !== undefined);
  assert.is(late!.enable(), false, "created after the call: still waiting");
  notify.notifyOne();
  assert.is(late!.enable(), true, "and first in line for the next notifyOne");
});

test("a notifyOne from a waker that notifyWaiters runs is not spent on a waiter of that call: it stores the permit (Tokio)", () => {
  const notify = new Notify();
  const first = notify.notified();
  const second = notify.notified();
  let reacted = false;
  const reacting = new Context({
    wake() {
      if (reacted) return;
      reacted = true;
      notify.notifyOne(); // runs at once, while notifyWaiters is still waking
    },
  });
  assert.is(first.poll(reacting), Pending);
  const secondTask = mockTask(second);
  assertPending(secondTask.poll());
  notify.notifyWaiters();
  assert.ok(reacted);
  assert.ok(secondTask.isWoken(), "the second waiter is woken by notifyWaiters");
  assertReady(mockTask(first).poll());
  assertReady(secondTask.poll());
  assert.is(notify.notified().enable(), true, "the notifyOne was stored for the next waiter");
});

test("a waker that throws during notifyWaiters keeps no other waiter from its wake-up; the error comes out", () => {
  const notify = new Notify();
  const throwing = notify.notified();
  assert.is(throwing.poll(new Context({ wake: () => { throw new Error("waker failed") } })), Pending);
  const other = mockTask(notify.notified());
  assertPending(other.poll());
  assert.throws(() => notify.notifyWaiters(), /waker failed/);
  assert.ok(other.isWoken());
  assertReady(other.poll());
});

test("notifyWaiters leaves a stored permit in place", () => {
  const notify = new Notify();
  notify.notifyOne();
  notify.notifyWaiters();
  assertReady(mockTask(notify.notified()).poll(), undefined);
  assertPending(mockTask(notify.notified()).poll());
});

test("a Notified created before notifyWaiters completes by it and leaves a later notifyOne's permit to the next one", () => {
  // Tokio's notify_one_has_priority_over_notify_waiters: the broadcast wins for the Notified
  // that saw it, so the permit stays for a Notified created afterwards.
  const notify = new Notify();
  const before = notify.notified();
  notify.notifyWaiters();
  notify.notifyOne();
  assertReady(mockTask(before).poll());
  assertReady(mockTask(notify.notified()).poll()); // the permit was left for it
  assertPending(mockTask(notify.notified()).poll(), "and it was consumed once");
});

test("enable() of a Notified created before notifyWaiters does not take the stored permit", () => {
  const notify = new Notify();
  const before = notify.notified();
  notify.notifyWaiters();
  notify.notifyOne();
  assert.is(before.enable(), true);
  assert.is(notify.notified().enable(), true, "the permit is still there");
});

// ---------------------------------------------------------------------------------------------
// enable()

test("enable() queues the future without a waker, so notifyOne goes to it", () => {
  const notify = new Notify();
  const first = notify.notified();
  assert.is(first.enable(), false);
  const second = mockTask(notify.notified());
  assertPending(second.poll());
  notify.notifyOne();
  assert.is(second.wakeCount, 0, "the enabled future was first in line");
  assert.is(first.enable(), true);
  assertReady(mockTask(first).poll());
});

test("a notifyWaiters between enable() and the first poll is not missed", () => {
  const notify = new Notify();
  const notified = notify.notified();
  notified.enable();
  notify.notifyWaiters();
  assert.ok(notified.enable());
  assertReady(mockTask(notified).poll());
});

test("enable() takes a stored permit and reports it", () => {
  const notify = new Notify();
  notify.notifyOne();
  const notified = notify.notified();
  assert.ok(notified.enable());
  assert.ok(notified.enable(), "idempotent");
  assertPending(mockTask(notify.notified()).poll(), "the permit is gone");
  assertReady(mockTask(notified).poll());
});

test("a poll after enable() registers the task's waker", () => {
  const notify = new Notify();
  const notified = notify.notified();
  notified.enable();
  const task = mockTask(notified);
  assertPending(task.poll());
  assert.is(notify[WAITERS](), 1);
  notify.notifyOne();
  assert.ok(task.isWoken());
  assertReady(task.poll());
});

// ---------------------------------------------------------------------------------------------
// Cancel safety

test("dropping a Notified handed a notifyOne passes it to the next waiter", () => {
  const notify = new Notify();
  const a = mockTask(notify.notified());
  const b = mockTask(notify.notified());
  assertPending(a.poll());
  assertPending(b.poll());
  notify.notifyOne();
  assert.ok(a.isWoken());
  a.drop(); // lost a select before it could observe the notification
  assert.ok(b.isWoken());
  assertReady(b.poll());
});

test("dropping a Notified handed a notifyOne with nobody else waiting stores the permit", () => {
  const notify = new Notify();
  const a = mockTask(notify.notified());
  assertPending(a.poll());
  notify.notifyOne();
  a.drop();
  assertReady(mockTask(notify.notified()).poll());
});

test("a notifyLast passed on by a dropped waiter goes to the newest remaining waiter", () => {
  const notify = new Notify();
  const tasks = [0, 1, 2].map(() => mockTask(notify.notified()));
  for (const t of tasks) assertPending(t.poll());
  notify.notifyLast();
  tasks[2]!.drop();
  assert.equal(
    tasks.map((t) => t.wakeCount),
    [0, 1, 1],
  );
});

test("dropping a Notified woken by notifyWaiters passes nothing on", () => {
  const notify = new Notify();
  const a = mockTask(notify.notified());
  assertPending(a.poll());
  notify.notifyWaiters();
  a.drop();
  const b = mockTask(notify.notified());
  assertPending(b.poll());
  assert.is(b.wakeCount, 0);
});

test("a dropped waiter leaves the queue: notifyOne goes to the next one", () => {
  const notify = new Notify();
  const a = mockTask(notify.notified());
  const b = mockTask(notify.notified());
  assertPending(a.poll());
  assertPending(b.poll());
  a.drop();
  assert.is(notify[WAITERS](), 1);
  notify.notifyOne();
  assert.is(a.wakeCount, 0);
  assertReady(b.poll());
});

test("disposing an enabled Notified that was handed a notifyOne passes it on", () => {
  const notify = new Notify();
  const waiter = mockTask(notify.notified());
  {
    using early = notify.notified();
    early.enable();
    assertPending(waiter.poll());
    notify.notifyOne(); // goes to `early`, first in line
    assert.not.ok(waiter.isWoken());
  }
  assert.ok(waiter.isWoken());
  assertReady(waiter.poll());
});

test("a completed Notified that is dropped afterwards passes nothing on", () => {
  const notify = new Notify();
  const notified = notify.notified();
  notify.notifyOne();
  assertReady(mockTask(notified).poll());
  notified.cancel();
  assertPending(mockTask(notify.notified()).poll());
  assert.throws(() => notified.enable(), /dropped/);
});

test("1,000,000 Notified waits that are dropped leave no waiter behind", () => {
  const notify = new Notify();
  const cx = new Context(noopWaker);
  for (let i = 0; i < 1_000_000; i++) {
    const n = notify.notified();
    if (n.poll(cx) !== Pending) throw new Error("expected Pending");
    n.cancel();
  }
  assert.is(notify[WAITERS](), 0);
  notify.notifyOne(); // no waiter: the permit is stored
  assertReady(mockTask(notify.notified()).poll());
});

// ---------------------------------------------------------------------------------------------
// Budget, plain async functions

test("notified() takes part in the coop budget", () => {
  const notify = new Notify();
  let n = 0;
  const task = mockTask(
    fromGenerator(function* () {
      for (;;) {
        notify.notifyOne();
        yield* notify.notified();
        if (++n === 200) return n;
      }
    }),
  );
  assertPending(task.poll());
  assert.is(n, 128);
  assert.is(task.forcedYields, 1);
  assert.ok(task.isWoken());
  assertReady(task.poll(), 200);
});

test("notified() works in a plain async function with no runtime", async () => {
  const notify = new Notify();
  queueMicrotask(() => notify.notifyOne());
  await notify.notified();
  const all = Promise.all([notify.notified(), notify.notified()].map(async (n) => n));
  await Promise.resolve();
  notify.notifyWaiters();
  await all;
  assert.instance(notify.notified(), Notified);
});

// ---------------------------------------------------------------------------------------------
// Seeded schedules

test("under 50 schedules a consumer woken by notifyOne never misses an item", async () => {
  await forEachSeed(50, (rt) =>
    rt.blockOn(function* () {
      const notify = new Notify();
      const queue: number[] = [];
      let done = false;
      const consumer = spawn(function* () {
        const got: number[] = [];
        for (;;) {
          while (queue.length > 0) got.push(queue.shift()!);
          if (done) return got;
          yield* notify.notified();
        }
      });
      const producers = [0, 1].map((p) =>
        spawn(function* () {
          for (let i = 0; i < 20; i++) {
            queue.push(p * 100 + i);
            notify.notifyOne();
            if (i % 3 === p) yield* yieldNow();
          }
        }),
      );
      for (const h of producers) yield* h;
      done = true;
      notify.notifyOne();
      const got = yield* consumer;
      assert.is(got.length, 40);
      assert.equal(
        got.filter((v) => v < 100),
        Array.from({ length: 20 }, (_, i) => i),
      );
    }),
  );
});

test("under 50 schedules enable() then check then await never misses a notifyWaiters", async () => {
  await forEachSeed(50, (rt) =>
    rt.blockOn(function* () {
      const notify = new Notify();
      let ready = false;
      const workers = [0, 1, 2, 3].map(() =>
        spawn(function* () {
          for (;;) {
            using notified = notify.notified();
            notified.enable();
            if (ready) return "ready"; // `using` drops the enabled, abandoned Notified
            yield* notified;
          }
        }),
      );
      yield* yieldNow();
      ready = true;
      notify.notifyWaiters();
      for (const w of workers) assert.is(yield* w, "ready");
      assert.is(notify[WAITERS](), 0);
    }),
  );
});

test.run();
