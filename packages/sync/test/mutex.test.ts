import { test } from "uvu";
import * as assert from "uvu/assert";
import { CancelledError, Context, currentFrame, fromPromise, Future, noopWaker, Pending, pending, ready, type Poll } from "@tokio-ts/core";
import { Builder, spawn, taskId, taskLocal, yieldNow } from "@tokio-ts/runtime";
import { assertPending, assertReady, assertReadyErr, forEachSeed, mockTask } from "@tokio-ts/test-util";
import { Mutex, MutexGuard, Notify, Semaphore, TryLockError } from "../src/index.js";

test("lock() is ready at once when the mutex is free; the guard reads and writes the value", () => {
  const m = new Mutex({ n: 1 });
  const g = assertReady(mockTask(m.lock()).poll());
  assert.instance(g, MutexGuard);
  assert.ok(m.isLocked());
  assert.equal(g.value, { n: 1 });
  g.value = { n: 2 };
  g.release();
  assert.not.ok(m.isLocked());
  const again = m.tryLock();
  assert.ok(again.ok);
  if (again.ok) assert.equal(again.value.value, { n: 2 });
});

test("a released guard throws on access, and release() is idempotent", () => {
  const m = new Mutex(0);
  const g = assertReady(mockTask(m.lock()).poll());
  g.release();
  g.release();
  assert.throws(() => g.value, /released/);
  assert.throws(() => {
    g.value = 1;
  }, /released/);
  assert.not.ok(m.isLocked(), "a double release did not add a permit");
  const a = m.tryLock();
  const b = m.tryLock();
  assert.ok(a.ok);
  assert.not.ok(b.ok, "still one lock at a time after a double release");
});

test("waiters get the lock one at a time, in FIFO order, each woken only on its turn", () => {
  const m = new Mutex<string[]>([]);
  const held = assertReady(mockTask(m.lock()).poll());
  const tasks = ["a", "b", "c"].map((name) => ({ name, task: mockTask(m.lock()) }));
  for (const { task } of tasks) assertPending(task.poll());
  let guard = held;
  for (const [i, { name, task }] of tasks.entries()) {
    for (const [j, other] of tasks.entries()) if (j > i) assert.not.ok(other.task.isWoken(), `${other.name} is not woken before ${name}`);
    guard.release();
    assert.ok(task.isWoken(), `${name} woken`);
    assert.is(task.wakeCount, 1);
    guard = assertReady(task.poll());
    guard.value.push(name);
  }
  assert.equal(guard.value, ["a", "b", "c"]);
  guard.release();
});

test("tryLock() returns TryLockError \"operation would block\" while the lock is held or waited for", () => {
  const m = new Mutex(0);
  const held = m.tryLock();
  assert.ok(held.ok);
  const r = m.tryLock();
  assert.not.ok(r.ok);
  if (!r.ok) {
    assert.instance(r.error, TryLockError);
    assert.is(r.error.message, "operation would block");
    assert.is(r.error.code, "ERR_WOULD_BLOCK");
    assert.is(r.error.name, "TryLockError");
  }
  const waiter = mockTask(m.lock());
  assertPending(waiter.poll());
  if (held.ok) held.value.release();
  assert.not.ok(m.tryLock().ok, "the lock was handed to the waiter, not left for tryLock");
  assertReady(waiter.poll()).release();
  assert.ok(m.tryLock().ok);
});

test("a guard is released at the end of a `using` scope, also when it throws", () => {
  const m = new Mutex(0);
  {
    using g = assertReady(mockTask(m.lock()).poll());
    g.value++;
  }
  assert.not.ok(m.isLocked());
  try {
    using g = assertReady(mockTask(m.lock()).poll());
    g.value++;
    throw new Error("boom");
  } catch {
    // expected
  }
  assert.not.ok(m.isLocked());
  const r = m.tryLock();
  assert.ok(r.ok && r.value.value === 2);
});

// ---------------------------------------------------------------------------------------------
// Cancel safety

test("dropping a waiting lock() removes it: the lock goes to the next waiter", () => {
  const m = new Mutex(0);
  const held = assertReady(mockTask(m.lock()).poll());
  const a = mockTask(m.lock());
  const b = mockTask(m.lock());
  assertPending(a.poll());
  assertPending(b.poll());
  a.drop();
  held.release();
  assert.ok(b.isWoken());
  assertReady(b.poll()).release();
  assert.not.ok(m.isLocked());
});

test("dropping a lock() that was handed the lock but not polled passes it on", () => {
  const m = new Mutex(0);
  const held = assertReady(mockTask(m.lock()).poll());
  const a = mockTask(m.lock());
  const b = mockTask(m.lock());
  assertPending(a.poll());
  assertPending(b.poll());
  held.release();
  assert.ok(a.isWoken());
  a.drop();
  assert.ok(b.isWoken());
  assertReady(b.poll()).release();
  assert.not.ok(m.isLocked());
});

test("a waker that re-enters (polls the granted lock() and unlocks at once) leaves the mutex unlocked", () => {
  const m = new Mutex(0);
  const held = assertReady(mockTask(m.lock()).poll());
  const lock = m.lock();
  let ran = false;
  const onWake = (): void => {
    const guard = lock.poll(new Context(noopWaker)) as MutexGuard<number>;
    guard.value += 1;
    guard.release();
    ran = true;
  };
  assert.is(lock.poll(new Context({ wake: onWake })), Pending);
  held.release();
  assert.ok(ran);
  assert.not.ok(m.isLocked());
  const again = m.tryLock();
  assert.ok(again.ok && again.value.value === 1);
});

test("leak check: 1,000,000 dropped lock() waits leave no waiter behind", () => {
  const m = new Mutex(0);
  const held = m.tryLock();
  assert.ok(held.ok);
  const cx = new Context(noopWaker);
  for (let i = 0; i < 1_000_000; i++) {
    const fut = m.lock();
    cx.budget = Infinity;
    if (fut.poll(cx) !== Pending) throw new Error(`lock ${i} should have waited`);
    fut.cancel();
  }
  if (held.ok) held.value.release();
  assert.not.ok(m.isLocked());
  assertReady(mockTask(m.lock()).poll()).release();
});

// ---------------------------------------------------------------------------------------------
// runExclusive

test("runExclusive runs a sync fn with the lock and returns its value", async () => {
  const m = new Mutex(1);
  const out = await m.runExclusive((g) => {
    assert.ok(m.isLocked());
    return (g.value += 1);
  });
  assert.is(out, 2);
  assert.not.ok(m.isLocked());
});

test("runExclusive runs an async fn and holds the lock until it settles", async () => {
  const m = new Mutex(0);
  let lockedDuring = false;
  const out = await m.runExclusive(async (g) => {
    await Promise.resolve();
    lockedDuring = m.isLocked();
    g.value = 5;
    return "async";
  });
  assert.is(out, "async");
  assert.ok(lockedDuring);
  assert.not.ok(m.isLocked());
});

test("runExclusive runs a generator fn, and a fn that returns a future", async () => {
  const m = new Mutex(10);
  const gen = await m.runExclusive(function* (g) {
    const extra = yield* ready(5);
    return g.value + extra;
  });
  assert.is(gen, 15);
  const fut = await m.runExclusive((g) => ready(g.value * 2));
  assert.is(fut, 20);
  assert.not.ok(m.isLocked());
});

test("runExclusive releases the lock when fn throws, rejects, or its generator throws", async () => {
  const m = new Mutex(0);
  const sync = await m.runExclusive(() => {
    throw new Error("sync");
  }).then(
    () => "no",
    (e: unknown) => (e as Error).message,
  );
  assert.is(sync, "sync");
  assert.not.ok(m.isLocked());
  const rejected = await m.runExclusive(async () => {
    throw new Error("async");
  }).then(
    () => "no",
    (e: unknown) => (e as Error).message,
  );
  assert.is(rejected, "async");
  assert.not.ok(m.isLocked());
  const generator = await m
    .runExclusive(function* () {
      yield* ready(1);
      throw new Error("generator");
    })
    .then(
      () => "no",
      (e: unknown) => (e as Error).message,
    );
  assert.is(generator, "generator");
  assert.not.ok(m.isLocked());
});

test("runExclusive with a fn that is not a function throws TypeError naming fn at the call; the lock is untouched", () => {
  const m = new Mutex(0);
  for (const [bad, got] of [[null, "null"], [undefined, "undefined"], [5, "number"], ["f", "string"], [{}, "object"]] as const) {
    assert.throws(
      () => m.runExclusive(bad as never),
      (e: unknown) => e instanceof TypeError && e.message === `fn must be a function, got ${got}`,
      String(bad),
    );
  }
  assert.not.ok(m.isLocked());
});

test("runExclusive calls are serialized in FIFO order", async () => {
  const m = new Mutex<number[]>([]);
  await Promise.all(
    [0, 1, 2, 3].map((i) =>
      m.runExclusive(async (g) => {
        const before = g.value.length;
        await Promise.resolve();
        await Promise.resolve();
        assert.is(g.value.length, before, "nobody else got in");
        g.value.push(i);
      }),
    ),
  );
  const r = m.tryLock();
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.value.value, [0, 1, 2, 3]);
});

test("dropping runExclusive while fn runs drops fn's future and releases the lock", () => {
  const m = new Mutex(0);
  let cleaned = false;
  const task = mockTask(
    m.runExclusive(function* () {
      try {
        yield* pending();
      } finally {
        cleaned = true;
      }
    }),
  );
  assertPending(task.poll());
  assert.ok(m.isLocked());
  task.drop();
  assert.ok(cleaned, "fn's generator finally ran");
  assert.not.ok(m.isLocked());
});

/** A future that never completes, and records that it was dropped. */
class Forever extends Future<number> {
  dropped = false;
  override poll(_cx: Context): Poll<number> {
    return Pending;
  }
  override cancel(): void {
    this.dropped = true;
  }
}

test("in a task, dropping runExclusive / runWithPermit while fn's returned future runs drops that future and releases at once", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    const out = await rt.blockOn(function* () {
      const m = new Mutex(0);
      const sem = new Semaphore(1);
      const locked = new Forever();
      const permitted = new Forever();
      const holders = [spawn(m.runExclusive(() => locked)), spawn(sem.runWithPermit(() => permitted))];
      yield* yieldNow();
      const whileRunning = [m.isLocked(), sem.availablePermits()];
      for (const h of holders) h.abort();
      yield* yieldNow();
      const afterDrop = [m.isLocked(), sem.availablePermits()];
      // A JoinHandle returned by fn is different: dropping the call only detaches that task,
      // which may hold the guard, so the lock stays until the task ends (as for a promise).
      const inner = spawn(function* () {
        yield* pending();
      });
      const viaHandle = spawn(m.runExclusive(() => inner));
      yield* yieldNow();
      viaHandle.abort();
      yield* yieldNow();
      const afterHandle = [m.isLocked(), inner.isFinished()];
      inner.abort();
      yield* fromPromise(new Promise<void>((resolve) => setImmediate(resolve))); // the release follows the handle's settling
      afterHandle.push(m.isLocked());
      return { whileRunning, afterDrop, dropped: [locked.dropped, permitted.dropped], afterHandle };
    });
    assert.equal(out.whileRunning, [true, 0]);
    assert.equal(out.dropped, [true, true], "fn's futures were dropped with the call");
    assert.equal(out.afterDrop, [false, 1], "the lock and the permit came back at once");
    assert.equal(out.afterHandle, [true, false, false], "held while the detached task runs, released when it ends");
  } finally {
    await rt.shutdownTimeout(1000);
  }
});

test("a task whose handle fn returned, left running when the call is dropped, keeps its panic: reported, not claimed by the lock's wait", async () => {
  const reported: string[] = [];
  const rt = Builder.newCurrentThread()
    .onUnhandledPanic((e) => void reported.push((e.cause as Error).message))
    .build();
  try {
    const lockedWhileRunning = await rt.blockOn(function* () {
      const m = new Mutex(0);
      const go = new Notify();
      const call = spawn(
        m.runExclusive(() =>
          spawn(function* () {
            yield* go.notified();
            throw new Error("boom in the detached task");
          }),
        ),
      );
      yield* yieldNow();
      call.abort(); // drops the call: the task it returned goes on, detached
      yield* yieldNow();
      const locked = m.isLocked();
      go.notifyOne();
      for (let i = 0; i < 3; i++) yield* fromPromise(new Promise<void>((resolve) => setImmediate(resolve))); // the report's host turn
      return [locked, m.isLocked()];
    });
    assert.equal(lockedWhileRunning, [true, false], "held while the task ran, released when it ended");
    assert.equal(reported, ["boom in the detached task"]);
  } finally {
    await rt.shutdownTimeout(1000);
  }
});

test("an async fn given to runExclusive runs in the calling task: after each await it sees the caller's task id and task-locals", async () => {
  const REQUEST = taskLocal<string>("REQUEST");
  const rt = Builder.newCurrentThread().build();
  const seen = await rt
    .blockOn(async () => {
      const m = new Mutex(0);
      const seen: string[] = [];
      const tasks = [0, 1, 2].map((n) =>
        spawn(() =>
          REQUEST.scope(`r${n}`, async () => {
            const me = taskId();
            for (let i = 0; i < 3; i++) {
              // A plain function that starts async work is covered too.
              const work = async (g: MutexGuard<number>) => {
                await yieldNow();
                seen.push(`${me === taskId()} ${REQUEST.get()}`);
                await yieldNow();
                g.value++;
              };
              await m.runExclusive(i === 2 ? (g) => work(g) : work);
              seen.push(`${me === taskId()} ${REQUEST.get()}`);
            }
          }),
        ),
      );
      for (const t of tasks) await t;
      return seen;
    })
    .finally(() => rt.shutdownTimeout(Infinity));
  assert.is(seen.length, 18);
  for (const n of [0, 1, 2]) assert.is(seen.filter((s) => s === `true r${n}`).length, 6, `task ${n}'s view`);
});

test("in a task, dropping runExclusive while an async fn awaits rejects that await with CancelledError and releases the lock", async () => {
  const rt = Builder.newCurrentThread().build();
  const m = new Mutex(0);
  let seen: unknown;
  try {
    const locked = await rt.blockOn(function* () {
      const h = spawn(function* () {
        yield* m.runExclusive(async () => {
          try {
            await pending();
          } catch (error) {
            seen = error;
          }
        });
      });
      for (let i = 0; i < 3; i++) yield* yieldNow();
      const locked = m.isLocked();
      h.abort();
      try {
        yield* h;
      } catch {
        // cancelled
      }
      return locked;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(locked, "fn held the lock while it waited");
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
  assert.instance(seen, CancelledError);
  assert.not.ok(m.isLocked());
});

test("in plain async code (no task) runExclusive calls fn directly: no frame, so AsyncLocalStorage stays off", async () => {
  const m = new Mutex(0);
  const frames = await m.runExclusive(async (g) => {
    const before = currentFrame();
    await Promise.resolve();
    g.value++;
    return [before, currentFrame()];
  });
  assert.equal(frames, [undefined, undefined]);
  const r = m.tryLock();
  assert.ok(r.ok && r.value.value === 1);
});

test("dropped while an async fn awaits a plain promise, runExclusive keeps the lock until fn's promise settles: nobody runs beside fn", async () => {
  const m = new Mutex(0);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const events: string[] = [];
  const task = mockTask(
    m.runExclusive(async (g) => {
      events.push("fn starts");
      await gate; // a plain promise: dropping the call cannot interrupt it
      g.value++;
      events.push("fn ends");
    }),
  );
  assertPending(task.poll());
  task.drop(); // a timeout or select gave up on the call
  const next = m.lock().then((g) => {
    events.push(`next caller sees ${g.value}`);
    g.release();
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(m.isLocked(), "fn still holds the lock");
  open();
  await next;
  assert.equal(events, ["fn starts", "fn ends", "next caller sees 1"]);
  assert.not.ok(m.isLocked());
});

test("dropping runExclusive while it waits for the lock never runs fn", () => {
  const m = new Mutex(0);
  const held = assertReady(mockTask(m.lock()).poll());
  let ran = false;
  const task = mockTask(
    m.runExclusive(() => {
      ran = true;
    }),
  );
  assertPending(task.poll());
  task.drop();
  held.release();
  assert.not.ok(ran);
  assert.not.ok(m.isLocked());
});

// ---------------------------------------------------------------------------------------------
// Scenarios

test("plain async functions with no runtime: 8 workers × 200 increments with an await inside", async () => {
  const m = new Mutex(0);
  let inside = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 200; i++) {
        using g = await m.lock();
        inside++;
        assert.is(inside, 1);
        const v = g.value;
        await Promise.resolve();
        g.value = v + 1;
        inside--;
      }
    }),
  );
  const r = m.tryLock();
  assert.ok(r.ok && r.value.value === 1600);
});

test("seeded schedules: 8 tasks × 1000 increments with a yield inside — exact count, never two inside", async () => {
  await forEachSeed(8, (rt) =>
    rt.blockOn(function* () {
      const m = new Mutex(0);
      let inside = 0;
      let maxInside = 0;
      const tasks = Array.from({ length: 8 }, () =>
        spawn(function* () {
          for (let i = 0; i < 1000; i++) {
            using g = yield* m.lock();
            inside++;
            maxInside = Math.max(maxInside, inside);
            const v = g.value;
            if (i % 10 === 0) yield* yieldNow();
            g.value = v + 1;
            inside--;
          }
        }),
      );
      for (const t of tasks) yield* t;
      assert.is(maxInside, 1);
      const r = m.tryLock();
      assert.ok(r.ok && r.value.value === 8000, "exact count");
    }),
  );
});

test("seeded schedules: async-function tasks and aborted waiters keep the count exact", async () => {
  await forEachSeed(30, (rt) =>
    rt.blockOn(async () => {
      const m = new Mutex(0);
      const workers = Array.from({ length: 6 }, () =>
        spawn(async () => {
          for (let i = 0; i < 50; i++) {
            await m.runExclusive(async (g) => {
              const v = g.value;
              await yieldNow();
              g.value = v + 1;
            });
          }
        }),
      );
      const victims = Array.from({ length: 4 }, () =>
        spawn(function* () {
          using _g = yield* m.lock();
          yield* pending();
        }),
      );
      await yieldNow();
      for (const v of victims) v.abort();
      for (const w of workers) await w;
      const r = m.tryLock();
      assert.ok(r.ok, "no lock leaked by the aborted tasks");
      if (r.ok) assert.is(r.value.value, 300);
    }),
  );
});

test("a task locking a free mutex in a loop yields after 128 locks", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    const seen = await rt.blockOn(function* () {
      const m = new Mutex(0);
      let count = 0;
      let seenByOther = -1;
      const other = spawn(function* () {
        seenByOther = count;
      });
      for (; count < 300; count++) (yield* m.lock()).release();
      yield* other;
      return seenByOther;
    });
    assert.is(seen, 128);
    assert.ok(rt.metrics().budgetForcedYieldCount() >= 2);
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
});

test("a waiting lock() is ready after the holder task releases, across tasks", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    const log = await rt.blockOn(function* () {
      const m = new Mutex<string[]>([]);
      const g = yield* m.lock();
      const other = spawn(function* () {
        using g2 = yield* m.lock();
        g2.value.push("other");
      });
      yield* yieldNow();
      g.value.push("first");
      g.release();
      yield* other;
      using g3 = yield* m.lock();
      return [...g3.value];
    });
    assert.equal(log, ["first", "other"]);
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
});

test.run();
