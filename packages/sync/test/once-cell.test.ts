import { test } from "uvu";
import * as assert from "uvu/assert";
import { CancelledError, Context, currentFrame, Future, noopWaker, Pending, pending, ready, type Poll, type Waker } from "@tokio-ts/core";
import { Builder, spawn, taskId, yieldNow } from "@tokio-ts/runtime";
import { assertPending, assertReady, assertReadyErr, forEachSeed, mockTask } from "@tokio-ts/test-util";
import { SetError } from "../src/index.js";
import { OnceCell, SetOnce, setOnceWaiters } from "../src/once-cell.js";

/** A leaf that stays pending until `resolve(v)`, and records whether it was dropped. */
class Gate<T> extends Future<T> {
  #waker: Waker | undefined;
  #value: { v: T } | undefined;
  dropped = false;
  override poll(cx: Context): Poll<T> {
    if (this.#value !== undefined) return this.#value.v;
    this.#waker = cx.waker;
    return Pending;
  }
  override cancel(): void {
    this.dropped = true;
  }
  resolve(v: T): void {
    this.#value = { v };
    this.#waker?.wake();
  }
}

// ---------------------------------------------------------------------------------------------
// OnceCell: get, set, take

test("a new OnceCell is empty; set() fills it once and get() reads it", () => {
  const cell = new OnceCell<number>();
  assert.not.ok(cell.initialized());
  assert.is(cell.get(), undefined);
  const r = cell.set(1);
  assert.equal(r, { ok: true, value: undefined });
  assert.ok(cell.initialized());
  assert.is(cell.get(), 1);
});

test("set() on an initialized cell fails with SetError alreadyInitialized carrying the value", () => {
  const cell = new OnceCell("a");
  assert.ok(cell.initialized());
  const r = cell.set("b");
  assert.not.ok(r.ok);
  if (!r.ok) {
    assert.instance(r.error, SetError);
    assert.is(r.error.kind, "alreadyInitialized");
    assert.is(r.error.value, "b");
    assert.is(r.error.message, "cell was already initialized");
    assert.is(r.error.code, "ERR_ALREADY_INITIALIZED");
  }
  assert.is(cell.get(), "a");
});

test("a cell made with an explicit undefined value is initialized", () => {
  const cell = new OnceCell<number | undefined>(undefined);
  assert.ok(cell.initialized());
  assert.not.ok(cell.set(1).ok);
});

test("take() empties the cell and returns the value; the cell can be initialized again", async () => {
  const cell = new OnceCell<number>();
  assert.is(cell.take(), undefined);
  cell.set(1);
  assert.is(cell.take(), 1);
  assert.not.ok(cell.initialized());
  assert.is(cell.get(), undefined);
  assert.is(await cell.getOrInit(() => 2), 2);
  assert.is(cell.take(), 2);
  assert.ok(cell.set(3).ok);
  assert.is(cell.get(), 3);
});

// ---------------------------------------------------------------------------------------------
// getOrInit

test("getOrInit runs a sync, async, generator or future-returning initializer", async () => {
  assert.is(await new OnceCell<number>().getOrInit(() => 1), 1);
  assert.is(
    await new OnceCell<number>().getOrInit(async () => {
      await Promise.resolve();
      return 2;
    }),
    2,
  );
  assert.is(
    await new OnceCell<number>().getOrInit(function* () {
      return (yield* ready(1)) + 2;
    }),
    3,
  );
  assert.is(await new OnceCell<number>().getOrInit(() => ready(4)), 4);
  assert.is(await new OnceCell<number>().getOrInit(() => Promise.resolve(5)), 5);
});

test("getOrInit on an initialized cell is ready at once and does not call init", () => {
  const cell = new OnceCell(1);
  let called = false;
  const t = mockTask(
    cell.getOrInit(() => {
      called = true;
      return 2;
    }),
  );
  assertReady(t.poll(), 1);
  assert.not.ok(called);
});

test("getOrInit rejects a non-function initializer with TypeError", () => {
  assert.throws(() => new OnceCell<number>().getOrInit(1 as unknown as () => number), TypeError);
});

test("only one initializer runs; the others wait in order and get its value", () => {
  const cell = new OnceCell<string>();
  const gate = new Gate<string>();
  let calls = 0;
  const a = mockTask(
    cell.getOrInit(() => {
      calls++;
      return gate;
    }),
  );
  const b = mockTask(cell.getOrInit(() => (calls++, "b")));
  const c = mockTask(cell.getOrInit(() => (calls++, "c")));
  assertPending(a.poll());
  assertPending(b.poll());
  assertPending(c.poll());
  assert.is(calls, 1);
  assert.not.ok(cell.initialized(), "still initializing");
  assert.is(cell.get(), undefined);

  gate.resolve("a");
  assert.ok(a.isWoken());
  assert.not.ok(b.isWoken(), "waiters are woken when the value is stored, not before");
  assertReady(a.poll(), "a");
  assert.ok(cell.initialized());
  assert.ok(b.isWoken());
  assert.ok(c.isWoken());
  assertReady(b.poll(), "a");
  assertReady(c.poll(), "a");
  assert.is(calls, 1);
});

test("set() while an initializer runs fails with SetError initializing", () => {
  const cell = new OnceCell<number>();
  const gate = new Gate<number>();
  const a = mockTask(cell.getOrInit(() => gate));
  assertPending(a.poll());
  const r = cell.set(9);
  assert.not.ok(r.ok);
  if (!r.ok) {
    assert.is(r.error.kind, "initializing");
    assert.is(r.error.value, 9);
    assert.is(r.error.message, "cell is currently being initialized");
  }
  gate.resolve(1);
  assertReady(a.poll(), 1);
});

test("set() while others wait for an initializer wakes them with the value", () => {
  const cell = new OnceCell<number>();
  const gate = new Gate<number>();
  const a = mockTask(cell.getOrInit(() => gate));
  const b = mockTask(cell.getOrInit(() => 2));
  assertPending(a.poll());
  assertPending(b.poll());
  a.drop(); // the right to initialize goes to b …
  assert.ok(b.isWoken());
  assert.not.ok(cell.set(3).ok, "… so set() sees an initialization in progress");
  assertReady(b.poll(), 2);
});

test("dropping the running initializer drops its future, and the next waiter runs its own", () => {
  const cell = new OnceCell<string>();
  const gate = new Gate<string>();
  const a = mockTask(cell.getOrInit(() => gate));
  const b = mockTask(cell.getOrInit(() => "b"));
  assertPending(a.poll());
  assertPending(b.poll());
  a.drop();
  assert.ok(gate.dropped, "the initializer's future was dropped");
  assert.not.ok(cell.initialized());
  assert.ok(b.isWoken(), "the next waiter takes over");
  assertReady(b.poll(), "b");
  assert.is(cell.get(), "b");
});

test("dropping a generator initializer runs its finally; an async one sees its signal abort", () => {
  const cell = new OnceCell<number>();
  let finallyRan = false;
  const a = mockTask(
    cell.getOrInit(function* () {
      try {
        return yield* pending<number>();
      } finally {
        finallyRan = true;
      }
    }),
  );
  assertPending(a.poll());
  a.drop();
  assert.ok(finallyRan);

  let signal: AbortSignal | undefined;
  const b = mockTask(
    cell.getOrInit(async (s) => {
      signal = s;
      await new Promise<never>(() => {});
      return 1;
    }),
  );
  assertPending(b.poll());
  assert.ok(signal !== undefined && !signal.aborted);
  b.drop();
  assert.ok(signal!.aborted);
  assert.instance(signal!.reason, CancelledError);

  let plainSignal: AbortSignal | undefined;
  const c = mockTask(
    cell.getOrInit((s) => {
      plainSignal = s;
      return pending<number>();
    }),
  );
  assertPending(c.poll());
  c.drop();
  assert.ok(plainSignal!.aborted, "a plain function's signal aborts too");
  assert.not.ok(cell.initialized());
  assert.ok(cell.set(1).ok, "the right to initialize was given back each time");
});

test("dropping a getOrInit that waits for another initializer leaves the queue", () => {
  const cell = new OnceCell<string>();
  const gate = new Gate<string>();
  const a = mockTask(cell.getOrInit(() => gate));
  const b = mockTask(cell.getOrInit(() => "b"));
  const c = mockTask(cell.getOrInit(() => "c"));
  assertPending(a.poll());
  assertPending(b.poll());
  assertPending(c.poll());
  b.drop();
  a.drop();
  assert.ok(c.isWoken(), "c is next, b is gone");
  assertReady(c.poll(), "c");
});

test("an initializer that throws leaves the cell empty; the error goes to that caller and the next waiter runs", () => {
  const cell = new OnceCell<number>();
  const gate = new Gate<number>();
  const a = mockTask(
    cell.getOrInit(function* () {
      yield* gate;
      throw new Error("init failed");
    }),
  );
  const b = mockTask(cell.getOrInit(() => 2));
  assertPending(a.poll());
  assertPending(b.poll());
  gate.resolve(0);
  assertReadyErr(() => a.poll(), /init failed/);
  assert.not.ok(cell.initialized());
  assert.ok(b.isWoken());
  assertReady(b.poll(), 2);
});

test("an initializer that throws synchronously releases the right to initialize", async () => {
  const cell = new OnceCell<number>();
  const err = await cell
    .getOrInit(() => {
      throw new Error("sync");
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.instance(err, Error);
  assert.is(await cell.getOrInit(() => 1), 1);
});

// ---------------------------------------------------------------------------------------------
// getOrTryInit

test("getOrTryInit: an ok result initializes the cell", async () => {
  const cell = new OnceCell<number>();
  const r = await cell.getOrTryInit(async () => ({ ok: true as const, value: 7 }));
  assert.equal(r, { ok: true, value: 7 });
  assert.is(cell.get(), 7);
  const again = await cell.getOrTryInit(() => ({ ok: false as const, error: "unused" }));
  assert.equal(again, { ok: true, value: 7 }, "an initialized cell does not call init");
});

test("getOrTryInit: an err goes to that caller only, the cell stays empty, the next waiter runs its init", () => {
  const cell = new OnceCell<number>();
  const gate = new Gate<{ ok: false; error: string }>();
  const a = mockTask(cell.getOrTryInit<string>(() => gate));
  const b = mockTask(cell.getOrTryInit<string>(() => ({ ok: true, value: 2 })));
  assertPending(a.poll());
  assertPending(b.poll());
  gate.resolve({ ok: false, error: "offline" });
  assertReady(a.poll(), { ok: false, error: "offline" });
  assert.not.ok(cell.initialized());
  assert.ok(b.isWoken());
  assertReady(b.poll(), { ok: true, value: 2 });
  assert.is(cell.get(), 2);
});

test("getOrTryInit rejects a non-function initializer with TypeError naming init at the call", () => {
  const cell = new OnceCell<number>();
  for (const [bad, got] of [[null, "null"], [5, "number"]] as const) {
    assert.throws(
      () => cell.getOrTryInit(bad as never),
      (e: unknown) => e instanceof TypeError && e.message === `init must be a function, got ${got}`,
      String(bad),
    );
  }
});

test("getOrTryInit: an init that returns no Result rejects with TypeError naming what it got; the cell stays empty", async () => {
  const cases: [() => unknown, string][] = [
    [() => 5, "number 5"],
    [() => null, "null"],
    [() => undefined, "undefined"],
    [async () => "v", 'string "v"'],
    [() => ({ ok: 1 }), "an object whose ok is 1, not true or false"],
    [() => ({ value: 5 }), "an object whose ok is undefined, not true or false"],
    [() => ({ ok: true, val: 5 }), "an object with ok: true but no value"],
    [() => ({ ok: false }), "an object with ok: false but no error"],
  ];
  for (const [init, got] of cases) {
    const cell = new OnceCell<number>();
    const error = await cell.getOrTryInit(init as never).then(
      (r) => r,
      (e: unknown) => e,
    );
    assert.ok(
      error instanceof TypeError && error.message === `init must return a Result (ok(value) or err(error)), got ${got}`,
      `${got}: ${String(error)}`,
    );
    assert.not.ok(cell.initialized(), got);
    assert.equal(await cell.getOrTryInit(() => ({ ok: true, value: 1 })), { ok: true, value: 1 }, `${got}: the cell can still be initialized`);
  }
});

test("getOrTryInit: a non-Result from the running init goes to that caller only; the next waiter runs its init", () => {
  const cell = new OnceCell<number>();
  const gate = new Gate<unknown>();
  const a = mockTask(cell.getOrTryInit<string>(() => gate as never));
  const b = mockTask(cell.getOrTryInit<string>(() => ({ ok: true, value: 2 })));
  assertPending(a.poll());
  assertPending(b.poll());
  gate.resolve(7);
  assertReadyErr(() => a.poll(), (e) => e instanceof TypeError && /init must return a Result .*got number 7$/.test(e.message));
  assert.not.ok(cell.initialized());
  assert.ok(b.isWoken());
  assertReady(b.poll(), { ok: true, value: 2 });
  assert.is(cell.get(), 2);
});

// ---------------------------------------------------------------------------------------------
// OnceCell scenarios

test("plain async functions with no runtime: concurrent getOrInit calls share one initialization", async () => {
  const cell = new OnceCell<object>();
  let calls = 0;
  const values = await Promise.all(
    Array.from({ length: 5 }, () =>
      cell.getOrInit(async () => {
        calls++;
        await Promise.resolve();
        return {};
      }),
    ),
  );
  assert.is(calls, 1);
  for (const v of values) assert.is(v, values[0]);
});

test("seeded schedules: racing tasks initialize once, and aborted initializers hand over", async () => {
  await forEachSeed(40, (rt) =>
    rt.blockOn(function* () {
      const cell = new OnceCell<number>();
      let calls = 0;
      const tasks = Array.from({ length: 8 }, (_, i) =>
        spawn(function* () {
          yield* yieldNow();
          return yield* cell.getOrInit(function* () {
            calls++;
            yield* yieldNow();
            yield* yieldNow();
            return i;
          });
        }),
      );
      yield* yieldNow();
      yield* yieldNow();
      tasks[0]!.abort();
      tasks[3]!.abort();
      const values: number[] = [];
      for (const [i, t] of tasks.entries()) {
        if (i === 0 || i === 3) {
          try {
            values.push(yield* t);
          } catch {
            // aborted
          }
        } else values.push(yield* t);
      }
      const v = cell.get();
      assert.ok(v !== undefined);
      for (const x of values) assert.is(x, v);
      assert.ok(calls >= 1 && calls <= 3, `one initializer, plus one per aborted one at most (${calls})`);
    }),
  );
});

test("getOrInit in a runtime with an async initializer", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    const out = await rt.blockOn(function* () {
      const cell = new OnceCell<string>();
      const other = spawn(async () => cell.getOrInit(async () => "from other"));
      const mine = yield* cell.getOrInit(async () => {
        await yieldNow();
        return "mine";
      });
      return [mine, yield* other];
    });
    assert.equal(out, ["mine", "mine"]);
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
});

test("a plain initializer that starts async work runs that work in the calling task", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    const out = await rt.blockOn(async () => {
      const tasks = [0, 1, 2].map(() =>
        spawn(async () => {
          const cell = new OnceCell<boolean>();
          const me = taskId();
          const work = async () => {
            await yieldNow();
            await yieldNow();
            return taskId() === me;
          };
          return cell.getOrInit(() => work());
        }),
      );
      const seen: boolean[] = [];
      for (const t of tasks) seen.push(await t);
      return seen;
    });
    assert.equal(out, [true, true, true]);
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
});

test("in plain async code (no task) an initializer is called directly: no frame, so AsyncLocalStorage stays off", async () => {
  const cell = new OnceCell<unknown[]>();
  const frames = await cell.getOrInit(async () => {
    const before = currentFrame();
    await Promise.resolve();
    return [before, currentFrame()];
  });
  assert.equal(frames, [undefined, undefined]);
});

test("leak check: 1,000,000 dropped getOrInit waits leave no waiter behind", () => {
  const cell = new OnceCell<number>();
  const gate = new Gate<number>();
  const owner = mockTask(cell.getOrInit(() => gate));
  assertPending(owner.poll());
  const cx = new Context(noopWaker);
  for (let i = 0; i < 1_000_000; i++) {
    const w = cell.getOrInit(() => -1);
    cx.budget = Infinity;
    if (w.poll(cx) !== Pending) throw new Error(`wait ${i} should be pending`);
    w.cancel();
  }
  owner.drop();
  assert.ok(cell.set(5).ok, "the permit is free: no dropped waiter was handed it");
});

// ---------------------------------------------------------------------------------------------
// SetOnce

test("SetOnce: set once, get, initialized; a second set fails with the value", () => {
  const once = new SetOnce<number>();
  assert.not.ok(once.initialized());
  assert.is(once.get(), undefined);
  assert.ok(once.set(1).ok);
  assert.ok(once.initialized());
  assert.is(once.get(), 1);
  const r = once.set(2);
  assert.not.ok(r.ok);
  if (!r.ok) {
    assert.instance(r.error, SetError);
    assert.is(r.error.kind, "alreadyInitialized");
    assert.is(r.error.value, 2);
  }
  assert.ok(new SetOnce("x").initialized());
});

test("SetOnce.wait() is ready at once after set, and woken by set before", () => {
  const once = new SetOnce<string>();
  const a = mockTask(once.wait());
  const b = mockTask(once.wait());
  assertPending(a.poll());
  assertPending(a.poll());
  assertPending(b.poll());
  assert.is(setOnceWaiters(once), 2);
  once.set("go");
  assert.is(a.wakeCount, 1);
  assert.is(b.wakeCount, 1);
  assert.is(setOnceWaiters(once), 0);
  assertReady(a.poll(), "go");
  assertReady(b.poll(), "go");
  assertReady(mockTask(once.wait()).poll(), "go");
});

test("SetOnce.wait() dropped leaves the list; 1,000,000 dropped waits leave nothing", () => {
  const once = new SetOnce<number>();
  const keep = mockTask(once.wait());
  assertPending(keep.poll());
  const cx = new Context(noopWaker);
  for (let i = 0; i < 1_000_000; i++) {
    const w = once.wait();
    cx.budget = Infinity;
    if (w.poll(cx) !== Pending) throw new Error(`wait ${i} should be pending`);
    w.cancel();
  }
  assert.is(setOnceWaiters(once), 1);
  once.set(1);
  assertReady(keep.poll(), 1);
});

test("SetOnce.wait() of a set value spends budget", () => {
  const once = new SetOnce(1);
  const t = mockTask(once.wait(), { budget: 0 });
  assertPending(t.poll());
  assert.ok(t.isWoken());
  assert.is(t.forcedYields, 1);
});

test("SetOnce across tasks and from a plain async function", async () => {
  const once = new SetOnce<number>();
  const waiting = once.wait().then((v) => v * 2);
  queueMicrotask(() => once.set(21));
  assert.is(await waiting, 42);

  const rt = Builder.newCurrentThread().build();
  try {
    const out = await rt.blockOn(function* () {
      const s = new SetOnce<string>();
      const waiter = spawn(function* () {
        return yield* s.wait();
      });
      yield* yieldNow();
      s.set("done");
      return yield* waiter;
    });
    assert.is(out, "done");
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
});

test.run();
