import { test } from "uvu";
import * as assert from "uvu/assert";
import { ContextError, currentDriverHost, pending, DriverKey, enterFrame, Future, Pending, restoreFrame, type Context, type Driver, type DriverHost, type Frame, type Waker } from "@tokio-ts/core";
import { Builder, Handle, spawn, yieldNow } from "../src/index.js";
import { collectingUncaught, hostTurn, stalled, throwsWith, withRuntime } from "./helpers.js";

/** A fake driver: like a paused clock, `park()` fires the pending event when the runtime idles. */
class FakeDriver implements Driver {
  parkOnIdle: boolean;
  parkCalls = 0;
  shutdownCalls = 0;
  waiter: Waker | undefined = undefined;
  fired = false;

  constructor(
    readonly host: DriverHost,
    parkOnIdle: boolean,
  ) {
    this.parkOnIdle = parkOnIdle;
  }

  park(): boolean {
    this.parkCalls++;
    const waiter = this.waiter;
    if (waiter === undefined) return false;
    this.waiter = undefined;
    this.fired = true;
    waiter.wake();
    return true;
  }

  shutdown(): void {
    this.shutdownCalls++;
  }
}

/** A resource of the fake driver: ready once the driver fired. */
class FakeEvent extends Future<string> {
  constructor(private readonly driver: FakeDriver) {
    super();
  }
  override poll(cx: Context) {
    if (this.driver.fired) return "fired by park()";
    this.driver.waiter = cx.waker;
    return Pending;
  }
  override cancel(): void {
    this.driver.waiter = undefined;
  }
}

function fakeKey(parkOnIdle: boolean) {
  let created = 0;
  const key = new DriverKey("fake", "fakes", 'enableDriver("fake")', (host) => {
    created++;
    return new FakeDriver(host, parkOnIdle);
  });
  return { key, created: () => created };
}

test("a driver that is not enabled throws ContextError naming the builder call", async () => {
  const { key } = fakeKey(false);
  const error = await withRuntime((rt) =>
    rt.blockOn(function* () {
      try {
        Handle.current().driver(key);
      } catch (e) {
        return e;
      }
      return undefined;
    }),
  );
  assert.instance(error, ContextError);
  assert.is((error as ContextError).code, "ERR_DRIVER_DISABLED");
  assert.is((error as Error).message, 'fakes are disabled: build the runtime with enableDriver("fake")');
});

test("an enabled driver is created once, on first use, with the runtime as host", async () => {
  const { key, created } = fakeKey(false);
  const { same, hostOk } = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const a = Handle.current().driver(key);
        const b = Handle.current().driver(key);
        return { same: a === b, hostOk: a.host.isEnabled(key) && a.host.driverOptions.startPaused === false };
      }),
    Builder.newCurrentThread().enableDriver("fake"),
  );
  assert.ok(same);
  assert.ok(hostOk);
  assert.is(created(), 1);
});

test("a Handle is its runtime's DriverHost: a custom executor's task naming it reaches the runtime's drivers", async () => {
  const { key, created } = fakeKey(false);
  const other = new DriverKey("other", "others", 'enableDriver("other")', (host) => new FakeDriver(host, false));
  const rt = Builder.newCurrentThread().enableDriver("fake").build();
  try {
    const host: DriverHost = rt.handle();
    assert.ok(host.isEnabled(key));
    assert.not.ok(host.isEnabled(other));
    assert.is(host.driverOptions.startPaused, false);
    assert.is(created(), 0, "isEnabled creates no driver");
    // A task of an executor of one's own, lent the runtime's drivers (Tokio's TokioContext).
    const frame: Frame = { task: { id: 1, runtime: host }, host: undefined, key: undefined, value: undefined, parent: undefined };
    const prev = enterFrame(frame);
    let driver: FakeDriver;
    try {
      assert.is(currentDriverHost("a test"), host);
      driver = currentDriverHost("a test").driver(key);
    } finally {
      restoreFrame(prev);
    }
    assert.is(driver, await rt.blockOn(function* () { return Handle.current().driver(key); }), "the runtime's own driver");
    assert.is(created(), 1);
    assert.throws(() => host.isEnabled({} as never), (e: unknown) => e instanceof TypeError && /key/.test((e as Error).message));
    host.unpark?.(); // harmless on an idle runtime
    host.hostTurn?.();
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
});

test("a driver is not created unless a resource asks for it", async () => {
  const { created } = fakeKey(true);
  await withRuntime((rt) => rt.blockOn(yieldNow()), Builder.newCurrentThread().enableDriver("fake"));
  assert.is(created(), 0);
});

test("park() is called when the runtime is idle and the driver sets parkOnIdle", async () => {
  const { key } = fakeKey(true);
  let driver: FakeDriver | undefined;
  const out = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        driver = Handle.current().driver(key);
        return yield* new FakeEvent(driver);
      }),
    Builder.newCurrentThread().enableDriver("fake"),
  );
  assert.is(out, "fired by park()");
  assert.ok(driver!.parkCalls >= 1);
});

test("a park() that throws (a waker it woke did) does not stop auto-advance: the runtime parks again, the error is uncaught", async () => {
  const boom = new Error("a waker woken by park() failed");
  // Its first park throws (as a paused clock's does when the waker of a timer it fired throws);
  // the task's own event is fired by the next one.
  class FirstParkThrows extends FakeDriver {
    override park(): boolean {
      if (this.parkCalls++ === 0) throw boom;
      this.parkCalls--;
      return super.park();
    }
  }
  const key = new DriverKey("fake", "fakes", 'enableDriver("fake")', (host) => new FirstParkThrows(host, true));
  await collectingUncaught(async (uncaught) => {
    const out = await withRuntime(
      (rt) =>
        Promise.race([
          rt.blockOn(function* () {
            return yield* new FakeEvent(Handle.current().driver(key));
          }),
          stalled(),
        ]),
      Builder.newCurrentThread().enableDriver("fake"),
    );
    assert.is(out, "fired by park()");
    assert.equal(uncaught, [boom]);
  });
});

test("park() is not called while the driver does not set parkOnIdle", async () => {
  const { key } = fakeKey(false);
  await withRuntime(async (rt) => {
    const driver = await rt.blockOn(function* () {
      const driver = Handle.current().driver(key);
      spawn(new FakeEvent(driver));
      yield* yieldNow();
      return { driver };
    });
    for (let i = 0; i < 5; i++) await hostTurn();
    assert.is(driver.driver.parkCalls, 0);
    assert.not.ok(driver.driver.fired);
  }, Builder.newCurrentThread().enableDriver("fake"));
});

test("driver shutdown() is called once when the runtime shuts down", async () => {
  const { key } = fakeKey(false);
  const rt = Builder.newCurrentThread().enableDriver("fake").build();
  const { driver } = await rt.blockOn(function* () {
    return { driver: Handle.current().driver(key) };
  });
  assert.is(driver.shutdownCalls, 0);
  await rt.shutdownTimeout(0);
  assert.is(driver.shutdownCalls, 1);
  await rt.shutdownTimeout(0);
  assert.is(driver.shutdownCalls, 1, "a second shutdown does not shut the drivers down again");
});

test("a driver asked for after shutdown throws ContextError ERR_RUNTIME_SHUTDOWN", async () => {
  const { key } = fakeKey(false);
  const rt = Builder.newCurrentThread().enableDriver("fake").build();
  const handle = rt.handle();
  await rt.shutdownTimeout(0);
  assert.throws(() => handle.driver(key), (e: unknown) => e instanceof ContextError && e.code === "ERR_RUNTIME_SHUTDOWN");
});

test("an async task unwinding after shutdown gets a driver it never used, already stopped, where anyone else is refused", async () => {
  const { key } = fakeKey(false);
  const other = new DriverKey("other", "others", 'enableDriver("other")', (host) => new FakeDriver(host, false));
  const reported: unknown[] = [];
  const rt = Builder.newCurrentThread().enableDriver("fake").enableDriver("other").onUnhandledPanic((e) => reported.push(e)).build();
  let gotInFinally: FakeDriver | undefined;
  let unwound!: () => void;
  const done = new Promise<void>((resolve) => (unwound = resolve));
  await rt.blockOn(function* () {
    spawn(async () => {
      try {
        await pending(); // never ready; rejects with CancelledError on shutdown
      } finally {
        await Promise.resolve(); // unwinding goes on after the drivers stopped
        try {
          gotInFinally = Handle.current().driver(key) as FakeDriver;
        } finally {
          unwound();
        }
      }
    });
    yield* yieldNow();
  });
  const handle = rt.handle();
  await rt.shutdownTimeout(0);
  await done;
  assert.ok(gotInFinally instanceof FakeDriver, "the unwinding body's call did not throw");
  assert.is(gotInFinally!.shutdownCalls, 1, "the driver was made stopped");
  assert.throws(() => handle.driver(other), (e: unknown) => e instanceof ContextError && e.code === "ERR_RUNTIME_SHUTDOWN");
  await hostTurn();
  assert.equal(reported, [], "the cleanup is not reported as a panic");
});

test("randomBelow draws the same numbers for the same seed", async () => {
  const draw = (seed: number) =>
    withRuntime((rt) => Array.from({ length: 5 }, () => rt.handle().randomBelow(1000)), Builder.newCurrentThread().rngSeed(seed));
  const a = await draw(7);
  const b = await draw(7);
  assert.equal(a, b);
  assert.ok(a.every((n) => n >= 0 && n < 1000));
});

test("randomBelow(n) rejects a non-number n with a TypeError and n outside 1..2^32 or fractional with a RangeError", async () => {
  await withRuntime((rt) => {
    const handle = rt.handle();
    throwsWith(() => handle.randomBelow("x" as never), TypeError, "randomBelow: n must be a number, got string");
    throwsWith(() => handle.randomBelow(null as never), TypeError, "randomBelow: n must be a number, got null");
    for (const n of [0, -5, 2.5, NaN, Infinity, 2 ** 32 + 1]) {
      throwsWith(() => handle.randomBelow(n), RangeError, `randomBelow: n must be an integer from 1 to 4294967296, got ${n}`);
    }
    assert.is(handle.randomBelow(1), 0);
    const big = handle.randomBelow(2 ** 32);
    assert.ok(Number.isInteger(big) && big >= 0 && big < 2 ** 32);
  });
});

test("driver(key) rejects anything but a DriverKey with a TypeError naming key", async () => {
  await withRuntime((rt) => {
    const handle = rt.handle();
    throwsWith(() => handle.driver(null as never), TypeError, "driver: key must be a DriverKey, got null");
    throwsWith(() => handle.driver("time" as never), TypeError, "driver: key must be a DriverKey, got string");
    throwsWith(() => handle.driver({} as never), TypeError, "driver: key must be a DriverKey, got an object without a string name");
    throwsWith(
      () => handle.driver({ name: "fake", create: () => ({ shutdown() {} }) } as never),
      TypeError,
      "driver: key must be a DriverKey, got an object without a disabledError method",
    );
  }, Builder.newCurrentThread().enableDriver("fake"));
});

test("hostTurn(): a wake from a driver's event-loop callback runs in a microtask even after eventInterval ticks", async () => {
  // eventInterval(1): after any tick, the next drain waits for a setImmediate — unless the
  // driver says that the host's loop has just run (its callback came from the loop itself).
  const order = async (callHostTurn: boolean): Promise<string[]> => {
    const { key } = fakeKey(false);
    const seen: string[] = [];
    await withRuntime(
      (rt) =>
        rt.blockOn(function* () {
          const driver = Handle.current().driver(key);
          // From a host callback: something else queued for the loop's next check phase, then
          // the "I/O completion" that wakes this task.
          setImmediate(() => {
            setImmediate(() => seen.push("setImmediate"));
            if (callHostTurn) driver.host.hostTurn?.();
            driver.fired = true;
            driver.waiter?.wake();
          });
          yield* new FakeEvent(driver);
          seen.push("task");
        }),
      Builder.newCurrentThread().eventInterval(1).enableDriver("fake"),
    );
    // let the other immediate run when the task went first
    await new Promise<void>((resolve) => setImmediate(resolve));
    return seen;
  };
  assert.equal(await order(true), ["task", "setImmediate"]);
  assert.equal(await order(false), ["setImmediate", "task"]);
});

test.run();
