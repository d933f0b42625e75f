import { test } from "uvu";
import * as assert from "uvu/assert";
import { BUDGET, Context, fromGenerator, noopWaker, Pending, pending } from "@tokio-ts/core";
import { Builder, spawn, yieldNow } from "@tokio-ts/runtime";
import { assertPending, assertReady, assertReadyErr, forEachSeed, mockTask } from "@tokio-ts/test-util";
import { AcquireError, Semaphore, SemaphorePermit, TryAcquireError } from "../src/index.js";

// ---------------------------------------------------------------------------------------------
// Acquire and release

test("acquire() is ready at once while permits are available, and release() gives them back", () => {
  const sem = new Semaphore(2);
  const a = assertReady(mockTask(sem.acquire()).poll());
  assert.instance(a, SemaphorePermit);
  assert.is(a.numPermits(), 1);
  assert.is(a.semaphore(), sem);
  assert.is(sem.availablePermits(), 1);
  a.release();
  assert.is(sem.availablePermits(), 2);
  a.release();
  assert.is(sem.availablePermits(), 2, "release is idempotent");
});

test("waiters are woken one at a time, in FIFO order, as permits are released", () => {
  const sem = new Semaphore(1);
  const held = assertReady(mockTask(sem.acquire()).poll());
  const a = mockTask(sem.acquire());
  const b = mockTask(sem.acquire());
  const c = mockTask(sem.acquire());
  assertPending(a.poll());
  assertPending(b.poll());
  assertPending(c.poll());

  held.release();
  assert.ok(a.isWoken());
  assert.not.ok(b.isWoken());
  assert.not.ok(c.isWoken());
  assert.is(sem.availablePermits(), 0, "the permit was handed to a, not left in the pool");

  const pa = assertReady(a.poll());
  assertPending(b.poll());
  pa.release();
  assert.ok(b.isWoken());
  assert.not.ok(c.isWoken());
  assertReady(b.poll()).release();
  assert.ok(c.isWoken());
  assertReady(c.poll()).release();
  assert.is(sem.availablePermits(), 1);
});

test("a waiter polled again before its turn stays pending and is woken once", () => {
  const sem = new Semaphore(0);
  const a = mockTask(sem.acquire());
  assertPending(a.poll());
  assertPending(a.poll());
  sem.addPermits(1);
  assert.is(a.wakeCount, 1);
  assertReady(a.poll());
});

test("a large acquireMany at the head holds back later small acquires (FIFO, no starvation)", () => {
  const sem = new Semaphore(3);
  const two = assertReady(mockTask(sem.acquireMany(2)).poll());
  const big = mockTask(sem.acquireMany(3));
  assertPending(big.poll());
  assert.is(sem.availablePermits(), 0, "the head took the free permit as a partial assignment");

  const small = mockTask(sem.acquire());
  assertPending(small.poll(), "a small acquire waits behind the big one");
  assert.not.ok(sem.tryAcquire().ok, "tryAcquire does not jump the queue");

  const one = two.split(1)!;
  one.release();
  assert.not.ok(big.isWoken(), "2 of 3 assigned");
  assert.not.ok(small.isWoken(), "the permit did not go past the head");
  two.release();
  assert.ok(big.isWoken());
  assert.not.ok(small.isWoken());
  const bigPermit = assertReady(big.poll());
  assert.is(bigPermit.numPermits(), 3);
  bigPermit.release();
  assert.ok(small.isWoken());
  assertReady(small.poll()).release();
  assert.is(sem.availablePermits(), 3);
});

test("release() serves several queued waiters at once when it frees enough permits", () => {
  const sem = new Semaphore(3);
  const all = assertReady(mockTask(sem.acquireMany(3)).poll());
  const a = mockTask(sem.acquire());
  const b = mockTask(sem.acquireMany(2));
  const c = mockTask(sem.acquire());
  for (const t of [a, b, c]) assertPending(t.poll());
  all.release();
  assert.ok(a.isWoken());
  assert.ok(b.isWoken());
  assert.not.ok(c.isWoken(), "c needs a fourth permit");
});

test("addPermits wakes waiters in order and the rest goes to the pool", () => {
  const sem = new Semaphore(0);
  const a = mockTask(sem.acquireMany(2));
  assertPending(a.poll());
  sem.addPermits(5);
  assert.ok(a.isWoken());
  assert.is(sem.availablePermits(), 3);
});

// ---------------------------------------------------------------------------------------------
// Cancel safety

test("dropping a pending acquire removes it from the queue", () => {
  const sem = new Semaphore(1);
  const held = assertReady(mockTask(sem.acquire()).poll());
  const a = mockTask(sem.acquire());
  const b = mockTask(sem.acquire());
  assertPending(a.poll());
  assertPending(b.poll());
  a.drop();
  held.release();
  assert.ok(b.isWoken(), "the permit skips the dropped waiter");
  assertReady(b.poll());
});

test("dropping an acquire that was granted but not yet polled passes the permit to the next waiter", () => {
  const sem = new Semaphore(1);
  const held = assertReady(mockTask(sem.acquire()).poll());
  const a = mockTask(sem.acquire());
  const b = mockTask(sem.acquire());
  assertPending(a.poll());
  assertPending(b.poll());
  held.release();
  assert.ok(a.isWoken());
  a.drop();
  assert.ok(b.isWoken());
  assertReady(b.poll()).release();
  assert.is(sem.availablePermits(), 1);
});

test("dropping a partly assigned acquireMany gives its permits to the waiters behind it", () => {
  const sem = new Semaphore(2);
  const held = assertReady(mockTask(sem.acquire()).poll());
  const big = mockTask(sem.acquireMany(2));
  assertPending(big.poll()); // assigned the free permit, waits for one more
  const small = mockTask(sem.acquire());
  assertPending(small.poll());
  assert.is(sem.availablePermits(), 0);
  big.drop();
  assert.ok(small.isWoken(), "the partly assigned permit went to the next waiter");
  assertReady(small.poll()).release();
  held.release();
  assert.is(sem.availablePermits(), 2, "no permit lost or created");
});

test("dropping a partly assigned acquireMany with nobody behind it returns its permits to the pool", () => {
  const sem = new Semaphore(3);
  const held = assertReady(mockTask(sem.acquire()).poll());
  const big = mockTask(sem.acquireMany(3));
  assertPending(big.poll());
  assert.is(sem.availablePermits(), 0);
  big.drop();
  assert.is(sem.availablePermits(), 2);
  held.release();
  assert.is(sem.availablePermits(), 3);
});

test("leak check: 1,000,000 dropped acquires (waiting, partly assigned, granted) leave no waiter behind", () => {
  const sem = new Semaphore(2);
  const cx = new Context(noopWaker);
  const held = sem.tryAcquire();
  assert.ok(held.ok);
  for (let i = 0; i < 500_000; i++) {
    cx.budget = Infinity;
    const big = sem.acquireMany(2); // takes the free permit, waits for one more
    const small = sem.acquire(); // waits behind it
    if (big.poll(cx) !== Pending || small.poll(cx) !== Pending) throw new Error(`round ${i}: should have waited`);
    if (i % 2 === 0) {
      big.cancel(); // its permit goes to small, which is granted but never polled
      small.cancel(); // and comes back
    } else {
      small.cancel(); // a plain waiter leaves the queue
      big.cancel(); // the partly assigned permit returns to the pool
    }
  }
  assert.is(sem.availablePermits(), 1, "back to where it started");
  held.value.release();
  assert.is(sem.availablePermits(), 2);
  const later = assertReady(mockTask(sem.acquireMany(2)).poll());
  assert.is(later.numPermits(), 2, "a later acquire of every permit is immediate");
  later.release();
});

test("leak check: after 1,000,000 dropped waits a later acquire is immediate", () => {
  const sem = new Semaphore(1);
  const cx = new Context(noopWaker);
  const held = sem.tryAcquire();
  assert.ok(held.ok);
  for (let i = 0; i < 1_000_000; i++) {
    const fut = sem.acquire();
    cx.budget = Infinity;
    if (fut.poll(cx) !== Pending) throw new Error(`acquire ${i} should have waited`);
    fut.cancel();
  }
  held.value.release();
  assert.is(sem.availablePermits(), 1);
  const p = assertReady(mockTask(sem.acquire()).poll());
  assert.is(sem.availablePermits(), 0);
  p.release();
});

// ---------------------------------------------------------------------------------------------
// Close

test("close() fails every pending acquire with AcquireError \"semaphore closed\"", () => {
  const sem = new Semaphore(0);
  const a = mockTask(sem.acquire());
  const b = mockTask(sem.acquireMany(3));
  assertPending(a.poll());
  assertPending(b.poll());
  sem.close();
  assert.ok(sem.isClosed());
  assert.ok(a.isWoken());
  assert.ok(b.isWoken());
  const e = assertReadyErr(() => a.poll(), AcquireError) as AcquireError;
  assert.is(e.message, "semaphore closed");
  assert.is(e.code, "ERR_SEMAPHORE_CLOSED");
  assert.is(e.name, "AcquireError");
  assertReadyErr(() => b.poll(), AcquireError);
});

test("after close() new acquires fail and tryAcquire reports closed; held permits stay valid", () => {
  const sem = new Semaphore(2);
  const held = assertReady(mockTask(sem.acquire()).poll());
  sem.close();
  sem.close(); // idempotent
  assertReadyErr(() => mockTask(sem.acquire()).poll(), /semaphore closed/);
  const r = sem.tryAcquire();
  assert.not.ok(r.ok);
  if (!r.ok) {
    assert.instance(r.error, TryAcquireError);
    assert.is(r.error.kind, "closed");
    assert.is(r.error.message, "semaphore closed");
  }
  held.release();
  assert.is(sem.availablePermits(), 2);
});

test("an acquire that fails on a closed semaphore spends budget: a loop that swallows AcquireError yields", () => {
  for (const closeFirst of [true, false]) {
    const sem = new Semaphore(0);
    if (closeFirst) sem.close();
    let failed = 0;
    const task = mockTask(
      fromGenerator(function* () {
        for (let i = 0; i < 200; i++) {
          try {
            yield* sem.acquire();
          } catch (e) {
            assert.instance(e, AcquireError);
            failed++;
          }
        }
      }),
    );
    if (!closeFirst) {
      assertPending(task.poll()); // waiting for a permit
      sem.close();
    }
    assertPending(task.poll());
    assert.is(failed, BUDGET);
    assert.ok(task.isWoken());
    assertReady(task.poll());
    assert.is(failed, 200);
  }
});

test("close() returns the permits partly assigned to a waiter to the pool", () => {
  const sem = new Semaphore(1);
  const big = mockTask(sem.acquireMany(2));
  assertPending(big.poll());
  assert.is(sem.availablePermits(), 0);
  sem.close();
  assert.is(sem.availablePermits(), 1);
  assertReadyErr(() => big.poll(), AcquireError);
});

test("an acquire awaited in a plain async function rejects when the semaphore closes", async () => {
  const sem = new Semaphore(0);
  const p = sem.acquire().then(
    () => "acquired",
    (e: unknown) => e,
  );
  queueMicrotask(() => sem.close());
  const out = await p;
  assert.instance(out, AcquireError);
});

// ---------------------------------------------------------------------------------------------
// try*, permits

test("tryAcquire/tryAcquireMany return a permit or noPermits", () => {
  const sem = new Semaphore(2);
  const r = sem.tryAcquireMany(2);
  assert.ok(r.ok);
  const none = sem.tryAcquire();
  assert.not.ok(none.ok);
  if (!none.ok) {
    assert.is(none.error.kind, "noPermits");
    assert.is(none.error.message, "no permits available");
    assert.is(none.error.code, "ERR_NO_PERMITS");
  }
  if (r.ok) r.value.release();
  assert.ok(sem.tryAcquire().ok);
});

test("a permit is released at the end of a `using` scope", () => {
  const sem = new Semaphore(1);
  {
    using permit = assertReady(mockTask(sem.acquire()).poll());
    assert.is(permit.numPermits(), 1);
    assert.is(sem.availablePermits(), 0);
  }
  assert.is(sem.availablePermits(), 1);
});

test("a permit is released by `using` even when the scope throws", () => {
  const sem = new Semaphore(1);
  try {
    using _permit = assertReady(mockTask(sem.acquire()).poll());
    throw new Error("boom");
  } catch {
    // expected
  }
  assert.is(sem.availablePermits(), 1);
});

test("forget() drops permits for good; forgetPermits removes available ones", () => {
  const sem = new Semaphore(5);
  const p = assertReady(mockTask(sem.acquireMany(2)).poll());
  p.forget();
  assert.is(p.numPermits(), 0);
  p.release();
  assert.is(sem.availablePermits(), 3, "forgotten permits never come back");
  assert.is(sem.forgetPermits(2), 2);
  assert.is(sem.availablePermits(), 1);
  assert.is(sem.forgetPermits(10), 1, "at most the available ones");
  assert.is(sem.availablePermits(), 0);
});

test("merge() moves permits into one permit; split() takes some out", () => {
  const sem = new Semaphore(5);
  const a = assertReady(mockTask(sem.acquireMany(2)).poll());
  const b = assertReady(mockTask(sem.acquireMany(3)).poll());
  a.merge(b);
  assert.is(a.numPermits(), 5);
  assert.is(b.numPermits(), 0);
  b.release();
  assert.is(sem.availablePermits(), 0, "the emptied permit gives nothing back");
  a.merge(a);
  assert.is(a.numPermits(), 5, "merging a permit into itself changes nothing");

  const c = a.split(2)!;
  assert.is(c.numPermits(), 2);
  assert.is(a.numPermits(), 3);
  assert.is(a.split(4), undefined, "cannot split more than it holds");
  c.release();
  assert.is(sem.availablePermits(), 2);
  a.release();
  assert.is(sem.availablePermits(), 5);
});

test("merge() of permits from another semaphore throws TypeError", () => {
  const a = assertReady(mockTask(new Semaphore(1).acquire()).poll());
  const b = assertReady(mockTask(new Semaphore(1).acquire()).poll());
  assert.throws(() => a.merge(b), TypeError);
});

test("merge() of something that is not a SemaphorePermit throws TypeError naming other; the permit is unchanged", () => {
  const sem = new Semaphore(2);
  const p = assertReady(mockTask(sem.acquire()).poll());
  const lookalike = { numPermits: () => 1, release() {} };
  for (const [bad, got] of [[null, "null"], [undefined, "undefined"], [{}, "object"], [lookalike, "object"], [1, "number"]] as const) {
    assert.throws(
      () => p.merge(bad as never),
      (e: unknown) => e instanceof TypeError && e.message === `other must be a SemaphorePermit, got ${got}`,
      String(bad),
    );
  }
  assert.is(p.numPermits(), 1);
  p.release();
  assert.is(sem.availablePermits(), 2);
});

test("split() of a released or forgotten permit gives nothing", () => {
  const sem = new Semaphore(2);
  const p = assertReady(mockTask(sem.acquireMany(2)).poll());
  p.release();
  assert.is(p.split(1), undefined);
  assert.is(p.split(0), undefined, "a released permit holds no semaphore to split from");
});

test("a released permit merged with a live one takes over its semaphore", () => {
  const sem = new Semaphore(2);
  const a = assertReady(mockTask(sem.acquire()).poll());
  const b = assertReady(mockTask(sem.acquire()).poll());
  a.release();
  a.merge(b);
  assert.is(a.numPermits(), 1);
  a.release();
  assert.is(sem.availablePermits(), 2);
});

// ---------------------------------------------------------------------------------------------
// Bad input

test("bad permit counts throw RangeError/TypeError at the call", () => {
  assert.throws(() => new Semaphore(1.5), RangeError);
  assert.throws(() => new Semaphore(-1), RangeError);
  assert.throws(() => new Semaphore(NaN), RangeError);
  assert.throws(() => new Semaphore(Semaphore.MAX_PERMITS + 1), RangeError);
  assert.throws(() => new Semaphore("1" as unknown as number), TypeError);
  const sem = new Semaphore(1);
  assert.throws(() => sem.acquireMany(-1), RangeError);
  assert.throws(() => sem.acquireMany(1.5), RangeError);
  assert.throws(() => sem.acquireMany(Semaphore.MAX_PERMITS + 1), RangeError);
  assert.throws(() => sem.acquireMany(Infinity), RangeError);
  assert.throws(() => sem.tryAcquireMany(-1), RangeError);
  assert.throws(() => sem.forgetPermits(-1), RangeError);
  assert.throws(() => sem.addPermits(Semaphore.MAX_PERMITS), RangeError, "the total would exceed MAX_PERMITS");
  const p = assertReady(mockTask(sem.acquire()).poll());
  assert.throws(() => p.split(-1), RangeError);
  assert.is(sem.availablePermits(), 0, "nothing changed by the rejected calls");
});

test("acquireMany(0) is ready at once with an empty permit", () => {
  const sem = new Semaphore(0);
  const p = assertReady(mockTask(sem.acquireMany(0)).poll());
  assert.is(p.numPermits(), 0);
  p.release();
  assert.is(sem.availablePermits(), 0);
});

test("acquireMany(0) and tryAcquireMany(0) do not wait behind queued acquires (Tokio: zero permits are always there)", () => {
  const sem = new Semaphore(2);
  const held = assertReady(mockTask(sem.acquire()).poll());
  const big = mockTask(sem.acquireMany(2));
  assertPending(big.poll());
  const out = mockTask(sem.acquireMany(0)).poll();
  assert.ok(out !== Pending, "acquireMany(0) is ready at once while someone is queued");
  const zero = out as SemaphorePermit;
  assert.is(zero.numPermits(), 0);
  const r = sem.tryAcquireMany(0);
  assert.ok(r.ok, "tryAcquireMany(0) succeeds while someone is queued");
  assert.is(sem.tryAcquire().ok, false, "a permit still waits its turn");
  zero.release();
  held.release();
  assert.ok(big.isWoken());
  assert.is(assertReady(big.poll()).numPermits(), 2);
  sem.close();
  const closed = sem.tryAcquireMany(0);
  assert.ok(!closed.ok && closed.error.kind === "closed", "but not from a closed semaphore");
});

// ---------------------------------------------------------------------------------------------
// Re-entrancy: a waker that polls the acquire and releases at once, synchronously

/** A context whose waker runs `onWake` synchronously, as a custom executor may. */
function reentrant(onWake: () => void): Context {
  return new Context({ wake: onWake });
}

test("a waker that re-enters (polls the granted acquire and releases it) loses no permit", () => {
  const sem = new Semaphore(0);
  const acquire = sem.acquire();
  let inner: SemaphorePermit | undefined;
  assert.is(
    acquire.poll(
      reentrant(() => {
        inner = acquire.poll(new Context(noopWaker)) as SemaphorePermit;
        inner.release();
      }),
    ),
    Pending,
  );
  sem.addPermits(1);
  assert.ok(inner !== undefined, "the waker got the permit");
  assert.is(sem.availablePermits(), 1, "the permit released inside the grant is back in the pool");
  assertReady(mockTask(sem.acquire()).poll()).release();
});

test("a permit released re-entrantly during a grant goes to the next waiter in FIFO order", () => {
  const sem = new Semaphore(0);
  const a = sem.acquire();
  assert.is(a.poll(reentrant(() => (a.poll(new Context(noopWaker)) as SemaphorePermit).release())), Pending);
  const b = mockTask(sem.acquireMany(2));
  assertPending(b.poll());
  const c = mockTask(sem.acquire());
  assertPending(c.poll());
  sem.addPermits(2); // a takes one and gives it back at once: b gets both
  assert.ok(b.isWoken());
  assert.not.ok(c.isWoken());
  assert.is(sem.availablePermits(), 0);
  assertReady(b.poll()).release();
  assert.ok(c.isWoken());
  assertReady(c.poll()).release();
  assert.is(sem.availablePermits(), 2);
});

test("a permit released re-entrantly while close() fails the waiters grants none of them", () => {
  const sem = new Semaphore(1);
  const held = assertReady(mockTask(sem.acquire()).poll());
  const a = sem.acquire();
  assert.is(a.poll(reentrant(() => held.release())), Pending);
  const b = mockTask(sem.acquire());
  assertPending(b.poll());
  sem.close();
  assertReadyErr(() => b.poll(), AcquireError);
  assert.is(sem.availablePermits(), 1);
});

// ---------------------------------------------------------------------------------------------
// Without a runtime; with a runtime

test("a semaphore limits concurrency in plain async functions, with no runtime", async () => {
  const sem = new Semaphore(2);
  let inside = 0;
  let maxInside = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      using _permit = await sem.acquire();
      inside++;
      maxInside = Math.max(maxInside, inside);
      await Promise.resolve();
      await Promise.resolve();
      order.push(i);
      inside--;
    }),
  );
  assert.is(maxInside, 2);
  assert.equal(order, [0, 1, 2, 3, 4, 5, 6, 7], "FIFO");
  assert.is(sem.availablePermits(), 2);
});

test("runWithPermit runs at most `permits` functions at once (p-limit's pattern), gives every permit back, and returns their results", async () => {
  const sem = new Semaphore(3);
  let inside = 0;
  let most = 0;
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      sem.runWithPermit(async (permit) => {
        assert.instance(permit, SemaphorePermit);
        most = Math.max(most, ++inside);
        for (let k = 0; k < 3; k++) await Promise.resolve();
        inside--;
        return i * 2;
      }),
    ),
  );
  assert.equal(results, Array.from({ length: 20 }, (_, i) => i * 2));
  assert.is(most, 3);
  assert.is(sem.availablePermits(), 3);
});

test("runWithPermit gives the permit back when fn throws, and fails with AcquireError on a closed semaphore", async () => {
  const sem = new Semaphore(1);
  const boom = new Error("boom");
  try {
    await sem.runWithPermit(() => {
      throw boom;
    });
    assert.unreachable("fn threw");
  } catch (error) {
    assert.is(error, boom);
  }
  assert.is(sem.availablePermits(), 1);
  assert.is(await sem.runWithPermit(function* () {
    return "gen";
  }), "gen");
  sem.close();
  try {
    await sem.runWithPermit(() => 1);
    assert.unreachable("closed");
  } catch (error) {
    assert.instance(error, AcquireError);
  }
  assert.throws(() => sem.runWithPermit(3 as never), (e: unknown) => e instanceof TypeError && /fn must be a function/.test((e as Error).message));
});

test("dropped while fn's promise is pending, runWithPermit keeps the permit until it settles: the limit holds", async () => {
  const sem = new Semaphore(1);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const task = mockTask(sem.runWithPermit(() => gate));
  assertPending(task.poll());
  task.drop();
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(sem.availablePermits(), 0, "fn still runs, and holds the permit");
  open();
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(sem.availablePermits(), 1);
});

test("a task acquiring an always-available semaphore in a loop yields after 128 acquires", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    const out = await rt.blockOn(function* () {
      const sem = new Semaphore(1);
      let count = 0;
      let seenByOther = -1;
      const other = spawn(function* () {
        seenByOther = count;
      });
      for (; count < 1000; count++) {
        const p = yield* sem.acquire();
        p.release();
      }
      yield* other;
      return seenByOther;
    });
    assert.is(out, 128, "the other task ran when the budget ran out, after 128 acquires");
    assert.ok(rt.metrics().budgetForcedYieldCount() >= 7, `forced yields: ${rt.metrics().budgetForcedYieldCount()}`);
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
});

test("seeded schedules: Semaphore(3) never lets more than 3 tasks in, and every task gets in", async () => {
  await forEachSeed(40, (rt) =>
    rt.blockOn(function* () {
      const sem = new Semaphore(3);
      let inside = 0;
      let maxInside = 0;
      let done = 0;
      const tasks = Array.from({ length: 12 }, (_, i) =>
        spawn(function* () {
          for (let round = 0; round < 5; round++) {
            const permit = yield* sem.acquireMany(1 + ((i + round) % 2));
            inside += permit.numPermits();
            maxInside = Math.max(maxInside, inside);
            yield* yieldNow();
            inside -= permit.numPermits();
            permit.release();
          }
          done++;
        }),
      );
      for (const t of tasks) yield* t;
      assert.is(done, 12);
      assert.ok(maxInside <= 3, `at most 3 permits out at once, saw ${maxInside}`);
      assert.is(sem.availablePermits(), 3);
    }),
  );
});

test("seeded schedules: aborting tasks that wait for or hold permits loses no permit", async () => {
  await forEachSeed(40, (rt) =>
    rt.blockOn(function* () {
      const sem = new Semaphore(2);
      const waiters = Array.from({ length: 10 }, (_, i) =>
        spawn(function* () {
          // `using`: an abort while holding the permit releases it (the generator's finally).
          using _p = yield* sem.acquireMany(1 + (i % 2));
          yield* yieldNow();
        }),
      );
      yield* yieldNow();
      for (let i = 0; i < waiters.length; i += 3) waiters[i]!.abort();
      for (const w of waiters) {
        try {
          yield* w;
        } catch {
          // aborted
        }
      }
      assert.is(sem.availablePermits(), 2);
    }),
  );
});

test("close() after a grant, before the acquire's next poll: the acquire fails and its permit goes back (Tokio checks close at every poll)", () => {
  const sem = new Semaphore(0);
  const t = mockTask(sem.acquire());
  assertPending(t.poll());
  sem.addPermits(1); // handed to the queued acquire, which is woken
  assert.ok(t.isWoken());
  sem.close();
  assertReadyErr(() => t.poll(), AcquireError);
  assert.is(sem.availablePermits(), 1, "the granted permit is back");
  // the same for a partly assigned acquireMany still queued: close gives back what it had
  const s2 = new Semaphore(1);
  const many = mockTask(s2.acquireMany(3));
  assertPending(many.poll());
  s2.close();
  assertReadyErr(() => many.poll(), AcquireError);
  assert.is(s2.availablePermits(), 1);
});

test("giving back permits past MAX_PERMITS throws RangeError and changes nothing (Tokio panics)", () => {
  const sem = new Semaphore(Semaphore.MAX_PERMITS);
  const all = sem.tryAcquireMany(Semaphore.MAX_PERMITS);
  assert.ok(all.ok);
  sem.addPermits(Semaphore.MAX_PERMITS); // allowed: none are available now
  assert.throws(() => all.value.release(), (e: unknown) => e instanceof RangeError && /cannot hold more than 9007199254740991 permits/.test((e as Error).message));
  assert.is(sem.availablePermits(), Semaphore.MAX_PERMITS, "unchanged");
  assert.throws(() => sem.addPermits(1), RangeError);
});

test("runWithPermit gives an fn that declares a second parameter an AbortSignal, aborted when the call is dropped, so a promise it started stops and the permit comes back", async () => {
  const sem = new Semaphore(1);
  // A host API that honours the signal, as fetch does.
  const slowWork = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve("finished"), 60_000);
      signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
    });
  let seen: AbortSignal | undefined;
  // Outside a task: the call is polled by hand, and dropped while its promise is pending.
  const outside = mockTask(sem.runWithPermit((_permit, signal) => slowWork((seen = signal))));
  assertPending(outside.poll());
  assert.is(sem.availablePermits(), 0);
  assert.not.ok(seen!.aborted);
  outside.drop();
  assert.ok(seen!.aborted, "dropping the call aborts the signal");
  assert.is((seen!.reason as Error).name, "CancelledError");
  await new Promise((resolve) => setImmediate(resolve)); // the promise rejects, the permit comes back
  assert.is(sem.availablePermits(), 1);
  // A generator fn gets one too, and a call that finishes leaves it alone.
  let genSignal: AbortSignal | undefined;
  const finished = mockTask(sem.runWithPermit(function* (_permit, signal) {
    genSignal = signal;
    return 5;
  }));
  assert.is(assertReady(finished.poll()), 5);
  assert.not.ok(genSignal!.aborted);
  // Inside a task, an async fn gets its frame's signal, aborted when the call is dropped.
  const rt = Builder.newCurrentThread().build();
  try {
    const outcome = await rt.blockOn(function* () {
      let inner: AbortSignal | undefined;
      const call = spawn(sem.runWithPermit(async (_permit, signal) => slowWork((inner = signal))));
      yield* yieldNow();
      call.abort();
      yield* yieldNow();
      // A generator fn in a task: its signal too aborts when the call is dropped, and the permit
      // comes back at once (the generator is dropped with it).
      const genSem = new Semaphore(1);
      let genInner: AbortSignal | undefined;
      const genCall = spawn(genSem.runWithPermit(function* (_permit, signal) {
        genInner = signal;
        yield* pending();
      }));
      yield* yieldNow();
      assert.is(genSem.availablePermits(), 0);
      genCall.abort();
      yield* yieldNow();
      return inner!.aborted && genInner!.aborted && genSem.availablePermits() === 1;
    });
    assert.ok(outcome);
    await new Promise((resolve) => setImmediate(resolve));
    assert.is(sem.availablePermits(), 1);
  } finally {
    await rt.shutdownTimeout(1000);
  }
});

test("a task aborted while suspended in yield* sem.acquire() leaves the queue: the permit goes to the next waiter", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    const order = await rt.blockOn(function* () {
      const sem = new Semaphore(1);
      const order: string[] = [];
      const held = sem.tryAcquire();
      assert.ok(held.ok);
      const aborted = spawn(function* () {
        const permit = yield* sem.acquire();
        order.push("aborted task got it");
        permit.release();
      });
      const next = spawn(function* () {
        const permit = yield* sem.acquire();
        order.push("next got it");
        permit.release();
      });
      yield* yieldNow(); // both wait, the first at the head of the queue
      aborted.abort();
      yield* yieldNow();
      held.value.release();
      yield* next;
      return order;
    });
    assert.equal(order, ["next got it"]);
  } finally {
    await rt.shutdownTimeout(1000);
  }
});

test.run();
