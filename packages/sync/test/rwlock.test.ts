import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, noopWaker, Pending } from "@tokio-ts/core";
import { Builder, spawn, yieldNow } from "@tokio-ts/runtime";
import { assertPending, assertReady, forEachSeed, mockTask } from "@tokio-ts/test-util";
import { RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError } from "../src/index.js";

test("many readers hold the lock at once", () => {
  const lock = new RwLock(7);
  const a = assertReady(mockTask(lock.read()).poll());
  const b = assertReady(mockTask(lock.read()).poll());
  assert.instance(a, RwLockReadGuard);
  assert.is(a.value, 7);
  assert.is(b.value, 7);
  a.release();
  b.release();
  assert.ok(lock.tryWrite().ok);
});

test("a writer waits for the readers, and is alone once it has the lock", () => {
  const lock = new RwLock("v1");
  const r1 = assertReady(mockTask(lock.read()).poll());
  const r2 = assertReady(mockTask(lock.read()).poll());
  const w = mockTask(lock.write());
  assertPending(w.poll());
  r1.release();
  assert.not.ok(w.isWoken(), "one reader is still in");
  r2.release();
  assert.ok(w.isWoken());
  const wg = assertReady(w.poll());
  assert.instance(wg, RwLockWriteGuard);
  wg.value = "v2";
  assert.not.ok(lock.tryRead().ok, "no reader while the writer holds the lock");
  assert.not.ok(lock.tryWrite().ok);
  wg.release();
  const r = lock.tryRead();
  assert.ok(r.ok && r.value.value === "v2");
});

test("writers never starve: readers arriving after a waiting writer wait behind it", () => {
  const lock = new RwLock(0);
  const early = assertReady(mockTask(lock.read()).poll());
  const writer = mockTask(lock.write());
  assertPending(writer.poll());
  const late = mockTask(lock.read());
  assertPending(late.poll(), "a reader behind a waiting writer waits, though only readers hold the lock");
  assert.not.ok(lock.tryRead().ok, "tryRead does not jump the queue either");

  early.release();
  assert.ok(writer.isWoken());
  assert.not.ok(late.isWoken());
  const wg = assertReady(writer.poll());
  wg.value = 1;
  wg.release();
  assert.ok(late.isWoken());
  assert.is(assertReady(late.poll()).value, 1, "the late reader sees the writer's value");
});

test("queued readers behind a writer are all woken together when it releases", () => {
  const lock = new RwLock(0);
  const wg = assertReady(mockTask(lock.write()).poll());
  const readers = Array.from({ length: 5 }, () => mockTask(lock.read()));
  for (const r of readers) assertPending(r.poll());
  const writer2 = mockTask(lock.write());
  assertPending(writer2.poll());
  wg.release();
  for (const r of readers) assert.ok(r.isWoken());
  assert.not.ok(writer2.isWoken(), "the next writer waits for those readers");
  const guards = readers.map((r) => assertReady(r.poll()));
  for (const g of guards) g.release();
  assert.ok(writer2.isWoken());
  assertReady(writer2.poll()).release();
});

test("maxReaders caps the concurrent readers", () => {
  const lock = new RwLock(0, 2);
  assert.is(lock.maxReaders, 2);
  const a = assertReady(mockTask(lock.read()).poll());
  assertReady(mockTask(lock.read()).poll());
  const c = mockTask(lock.read());
  assertPending(c.poll());
  a.release();
  assert.ok(c.isWoken());
  assertReady(c.poll());
});

test("bad maxReaders throws RangeError", () => {
  assert.throws(() => new RwLock(0, 0), RangeError);
  assert.throws(() => new RwLock(0, 1.5), RangeError);
  assert.throws(() => new RwLock(0, -1), RangeError);
  assert.throws(() => new RwLock(0, 536_870_912), RangeError);
  assert.throws(() => new RwLock(0, "2" as unknown as number), TypeError);
  assert.is(new RwLock(0).maxReaders, 536_870_911);
});

test("tryRead/tryWrite return a guard or TryLockError", () => {
  const lock = new RwLock({ a: 1 });
  const r = lock.tryRead();
  assert.ok(r.ok);
  const w = lock.tryWrite();
  assert.not.ok(w.ok);
  if (!w.ok) {
    assert.instance(w.error, TryLockError);
    assert.is(w.error.message, "operation would block");
  }
  assert.ok(lock.tryRead().ok, "another reader is fine");
  if (r.ok) r.value.release();
});

test("guards release with `using`, are idempotent, and throw after release", () => {
  const lock = new RwLock(1);
  {
    using w = assertReady(mockTask(lock.write()).poll());
    w.value = 2;
  }
  const r = assertReady(mockTask(lock.read()).poll());
  assert.is(r.value, 2);
  r.release();
  r.release();
  assert.throws(() => r.value, /released/);
  const w = assertReady(mockTask(lock.write()).poll());
  w.release();
  assert.throws(() => w.value, /released/);
  assert.throws(() => {
    w.value = 3;
  }, /released/);
  assert.ok(lock.tryWrite().ok, "double releases did not add permits");
});

// ---------------------------------------------------------------------------------------------
// Cancel safety

test("dropping a waiting writer lets the readers queued behind it in", () => {
  const lock = new RwLock(0);
  const early = assertReady(mockTask(lock.read()).poll());
  const writer = mockTask(lock.write());
  assertPending(writer.poll()); // partly assigned: every permit but the early reader's
  const late = mockTask(lock.read());
  assertPending(late.poll());
  writer.drop();
  assert.ok(late.isWoken(), "the writer's partial permits went to the late reader");
  assertReady(late.poll()).release();
  early.release();
  assert.ok(lock.tryWrite().ok, "all permits are back");
});

test("dropping a writer that was granted but not polled passes the lock on", () => {
  const lock = new RwLock(0);
  const wg = assertReady(mockTask(lock.write()).poll());
  const w2 = mockTask(lock.write());
  const r = mockTask(lock.read());
  assertPending(w2.poll());
  assertPending(r.poll());
  wg.release();
  assert.ok(w2.isWoken());
  w2.drop();
  assert.ok(r.isWoken());
  assertReady(r.poll()).release();
  assert.ok(lock.tryWrite().ok);
});

test("leak check: 1,000,000 dropped waits (readers and partly assigned writers) leave nothing behind", () => {
  const lock = new RwLock(0);
  const early = lock.tryRead();
  assert.ok(early.ok);
  const cx = new Context(noopWaker);
  for (let i = 0; i < 500_000; i++) {
    cx.budget = Infinity;
    const w = lock.write();
    const r = lock.read();
    if (w.poll(cx) !== Pending || r.poll(cx) !== Pending) throw new Error(`round ${i} should have waited`);
    if (i % 2 === 0) {
      w.cancel(); // r is granted, never polled
      r.cancel();
    } else {
      r.cancel();
      w.cancel();
    }
  }
  if (early.ok) early.value.release();
  const wg = lock.tryWrite();
  assert.ok(wg.ok, "every permit is back");
});

// ---------------------------------------------------------------------------------------------
// Scenarios

test("plain async functions with no runtime: readers share, writers exclude", async () => {
  const lock = new RwLock(0);
  let readers = 0;
  let writers = 0;
  let maxReaders = 0;
  const read = async () => {
    using _r = await lock.read();
    readers++;
    assert.is(writers, 0);
    maxReaders = Math.max(maxReaders, readers);
    await Promise.resolve();
    readers--;
  };
  const write = async () => {
    using w = await lock.write();
    writers++;
    assert.is(readers, 0);
    assert.is(writers, 1);
    await Promise.resolve();
    w.value++;
    writers--;
  };
  await Promise.all([read(), read(), write(), read(), read(), write(), read()]);
  assert.is(maxReaders, 2, "readers ran together, in the groups the writers split them into");
  const r = lock.tryRead();
  assert.ok(r.ok && r.value.value === 2);
});

test("seeded schedules: writers are exclusive, readers see whole writes, nobody starves", async () => {
  await forEachSeed(30, (rt) =>
    rt.blockOn(function* () {
      const lock = new RwLock({ a: 0, b: 0 });
      let readers = 0;
      let writing = false;
      let reads = 0;
      const tasks = [
        ...Array.from({ length: 3 }, () =>
          spawn(function* () {
            for (let i = 0; i < 20; i++) {
              using w = yield* lock.write();
              assert.is(readers, 0);
              assert.not.ok(writing);
              writing = true;
              w.value.a++;
              yield* yieldNow();
              w.value.b++;
              writing = false;
            }
          }),
        ),
        ...Array.from({ length: 6 }, () =>
          spawn(function* () {
            for (let i = 0; i < 20; i++) {
              using r = yield* lock.read();
              readers++;
              assert.not.ok(writing);
              assert.is(r.value.a, r.value.b, "a read never sees half a write");
              yield* yieldNow();
              readers--;
              reads++;
            }
          }),
        ),
      ];
      for (const t of tasks) yield* t;
      assert.is(reads, 120);
      const r = lock.tryRead();
      assert.ok(r.ok && r.value.value.a === 60 && r.value.value.b === 60);
    }),
  );
});

test("a task reading a free RwLock in a loop yields after 128 reads", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    const seen = await rt.blockOn(function* () {
      const lock = new RwLock(0);
      let count = 0;
      let seenByOther = -1;
      const other = spawn(function* () {
        seenByOther = count;
      });
      for (; count < 200; count++) (yield* lock.read()).release();
      yield* other;
      return seenByOther;
    });
    assert.is(seen, 128);
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
});

// ---------------------------------------------------------------------------------------------
// downgrade

test("downgrade is atomic: a writer waiting in line does not get in between, and gets in after the read guard", () => {
  const lock = new RwLock(1);
  const w = assertReady(mockTask(lock.write()).poll());
  const second = mockTask(lock.write());
  assertPending(second.poll());
  w.value = 1;
  const r = w.downgrade();
  assert.is(r.value, 1, "the value written, no other writer in between");
  assert.not.ok(second.isWoken(), "the writer waits for the downgraded read guard");
  assert.not.ok(lock.tryRead().ok, "a new reader waits behind the queued writer (FIFO)");
  r.release();
  assert.ok(second.isWoken());
  const w2 = assertReady(second.poll());
  w2.value = 2;
  w2.release();
  const after = lock.tryRead();
  assert.ok(after.ok && after.value.value === 2);
});

test("downgrade lets readers waiting in line in at once, and keeps writers out until every reader is gone", () => {
  const lock = new RwLock("config");
  const w = assertReady(mockTask(lock.write()).poll());
  const readers = [mockTask(lock.read()), mockTask(lock.read())];
  for (const reader of readers) assertPending(reader.poll());
  const r = w.downgrade();
  const guards = readers.map((reader) => {
    assert.ok(reader.isWoken());
    return assertReady(reader.poll());
  });
  assert.equal(guards.map((g) => g.value), ["config", "config"]);
  assert.not.ok(lock.tryWrite().ok);
  r.release();
  for (const g of guards) g.release();
  assert.ok(lock.tryWrite().ok);
});

test("a downgraded write guard is released: its value throws, release and dispose do nothing, downgrade again throws", () => {
  const lock = new RwLock(0, 1);
  const w = assertReady(mockTask(lock.write()).poll());
  const r = w.downgrade();
  assert.throws(() => w.value, /the lock guard was released/);
  w.release();
  w[Symbol.dispose]();
  assert.throws(() => w.downgrade(), /the lock guard was released/);
  assert.not.ok(lock.tryRead().ok, "maxReaders 1: the downgraded guard is the one reader");
  assert.not.ok(lock.tryWrite().ok);
  r.release();
  assert.ok(lock.tryWrite().ok);
});

test.run();
