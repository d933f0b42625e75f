import { test } from "uvu";
import * as assert from "uvu/assert";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Context, ContextError, fromPromise, noopWaker, TokioError, type DriverHost } from "@tokio-ts/core";
import { Builder, Handle, spawn, yieldNow } from "@tokio-ts/runtime";
import { countSetImmediate, mockTask } from "@tokio-ts/test-util";
import {
  advance,
  Instant,
  interval,
  intervalAt,
  pause,
  resume,
  type Sleep,
  sleep,
  sleepUntil,
  TimeError,
  timeout,
  timeoutAt,
} from "../src/index.js";
import { TIME, TimeDriver } from "../src/driver.js";
import type { TimerEntry } from "../src/internal/driver.js";
import type { WheelEntry } from "../src/internal/wheel.js";
import { activeHostTimers, rejection, Rng, run, thrown, withRuntime } from "./helpers.js";

const HOUR = 3_600_000;

/** One turn of the host event loop (lets the driver's re-arm microtask run). */
function* hostTurn(): Generator<unknown, void> {
  yield* fromPromise(new Promise<void>((resolve) => setImmediate(resolve)));
}

/** Every time API, called with arguments that are valid inside a runtime with time. */
const CALLS: [string, () => unknown][] = [
  ["sleep()", () => sleep(10)],
  ["sleepUntil()", () => sleepUntil(Instant.now().add(10))],
  ["interval()", () => interval(10)],
  ["intervalAt()", () => intervalAt(Instant.now(), 10)],
  ["timeout()", () => timeout(10, sleep as never)],
  ["timeoutAt()", () => timeoutAt(Instant.now(), sleep as never)],
  ["pause()", () => pause()],
  ["resume()", () => resume()],
  ["advance()", () => advance(10)],
];

/** A timer entry for driving a TimeDriver by hand. */
class Timer implements TimerEntry {
  wheelPrev: WheelEntry | undefined = undefined;
  wheelNext: WheelEntry | undefined = undefined;
  position = -1;
  fired = 0;
  constructor(public when: number) {}
  fire(): void {
    this.fired++;
  }
}

function pausedDriver(): TimeDriver {
  const host = { driverOptions: { startPaused: true } } as unknown as DriverHost;
  return TIME.create(host);
}

// ---- errors -----------------------------------------------------------------------------------

test("outside a runtime every time API throws ContextError ERR_NO_RUNTIME naming the call", () => {
  for (const [name, call] of CALLS) {
    const error = thrown(call);
    assert.instance(error, ContextError, name);
    assert.is((error as ContextError).code, "ERR_NO_RUNTIME", name);
    assert.is(
      (error as Error).message,
      `${name} needs a runtime, but no runtime is running: call this inside main() or Runtime.blockOn()`,
    );
  }
});

test('in a runtime built without enableTime() every time API throws "timers are disabled: build the runtime with enableTime()"', async () => {
  await run(
    function* () {
      for (const [name, call] of CALLS) {
        const error = thrown(call);
        assert.instance(error, ContextError, name);
        assert.is((error as ContextError).code, "ERR_DRIVER_DISABLED", name);
        assert.is((error as Error).message, "timers are disabled: build the runtime with enableTime()", name);
      }
    },
    { time: false },
  );
});

test("a task that sleeps in a runtime without time fails with the disabled error", async () => {
  const error = await withRuntime(
    (rt) =>
      rejection(
        rt.blockOn(function* () {
          yield* sleep(1);
        }),
      ),
    { time: false },
  );
  assert.instance(error, ContextError);
  assert.is((error as Error).message, "timers are disabled: build the runtime with enableTime()");
});

test("startPaused(true) without enableTime() fails at build() and names enableTime()", () => {
  const error = thrown(() => Builder.newCurrentThread().startPaused(true).build());
  assert.instance(error, Error);
  assert.match((error as Error).message, /enableTime\(\)/);
});

test("TimeError is a TokioError named TimeError with code ERR_TIME_MISUSE", () => {
  const e = new TimeError("time is not frozen");
  assert.instance(e, TokioError);
  assert.is(e.name, "TimeError");
  assert.is(e.code, "ERR_TIME_MISUSE");
  assert.is(e.message, "time is not frozen");
});

// ---- the driver -------------------------------------------------------------------------------

test("Handle.current().driver(TIME) is the runtime's one TimeDriver, and TIME is named \"time\"", async () => {
  assert.is(TIME.name, "time");
  await run(function* () {
    const driver = Handle.current().driver(TIME);
    assert.instance(driver, TimeDriver);
    assert.is(Handle.current().driver(TIME), driver);
  });
});

test("two runtimes have independent clocks", async () => {
  await withRuntime(async (a) => {
    await withRuntime(async (b) => {
      const startB = await b.blockOn(function* () {
        return Instant.now();
      });
      await a.blockOn(function* () {
        yield* advance(HOUR);
      });
      const elapsedB = await b.blockOn(function* () {
        return startB.elapsed();
      });
      assert.is(elapsedB, 0);
    });
  });
});

test("timerCount counts registered timers, and parkOnIdle is true only while the clock is paused and a timer waits", async () => {
  await run(function* () {
    const driver = Handle.current().driver(TIME);
    assert.is(driver.timerCount, 0);
    assert.not.ok(driver.parkOnIdle);
    const tasks = [sleep(10), sleep(20), sleep(20)].map((s) => mockTask(s));
    for (const t of tasks) t.poll();
    assert.is(driver.timerCount, 3);
    assert.ok(driver.parkOnIdle);
    resume();
    assert.not.ok(driver.parkOnIdle);
    pause();
    for (const t of tasks) t.drop();
    assert.is(driver.timerCount, 0);
    assert.not.ok(driver.parkOnIdle);
  });
});

test("park() moves a paused clock to the next deadline and fires what is due there", () => {
  const driver = pausedDriver();
  const start = driver.now();
  const a = new Timer(driver.tickOf(start + 30));
  const b = new Timer(driver.tickOf(start + 70));
  driver.register(a);
  driver.register(b);
  assert.ok(driver.park());
  assert.is(driver.now() - start, 30);
  assert.equal([a.fired, b.fired], [1, 0]);
  assert.ok(driver.park());
  assert.is(driver.now() - start, 70);
  assert.equal([a.fired, b.fired], [1, 1]);
  assert.not.ok(driver.park(), "nothing left to park for");
  assert.is(driver.timerCount, 0);
  driver.shutdown();
});

test("park() steps through a far deadline's cascades in one call and fires it", () => {
  const driver = pausedDriver();
  const start = driver.now();
  const far = new Timer(driver.tickOf(start + 1e13));
  driver.register(far);
  assert.ok(driver.park());
  assert.is(far.fired, 1);
  assert.is(driver.now() - start, 1e13);
  driver.shutdown();
});

test("park() does nothing on a running clock", async () => {
  await run(
    function* () {
      const driver = Handle.current().driver(TIME);
      const task = mockTask(sleep(HOUR));
      task.poll();
      const before = Instant.now();
      assert.not.ok(driver.park());
      assert.ok(Instant.now().durationSince(before) < HOUR);
      task.drop();
    },
    { paused: false },
  );
});

test("shutdown() fires the timers still registered, closes the driver, and park/processDue do nothing after it", () => {
  const driver = pausedDriver();
  const start = driver.now();
  const t = new Timer(driver.tickOf(start + 50));
  driver.register(t);
  driver.shutdown();
  assert.ok(driver.closed);
  assert.is(t.fired, 1);
  assert.is(driver.timerCount, 0);
  assert.not.ok(driver.park());
  assert.not.ok(driver.parkOnIdle);
  driver.processDue();
  driver.shutdown(); // idempotent
});

test("one host timer serves many sleeps (re-armed lazily), moves for an earlier sleep, and is cleared with the last one", async () => {
  await run(
    function* () {
      const base = activeHostTimers();
      const driver = Handle.current().driver(TIME);
      const tasks = Array.from({ length: 1000 }, (_, i) => mockTask(sleep(HOUR + i)));
      for (const t of tasks) t.poll();
      assert.is(activeHostTimers(), base, "arming waits for a microtask, not one per insert");
      yield* hostTurn();
      assert.is(activeHostTimers(), base + 1);
      const early = mockTask(sleep(HOUR / 2));
      early.poll();
      yield* hostTurn();
      assert.is(activeHostTimers(), base + 1, "still one host timer after an earlier sleep");
      early.drop();
      for (const t of tasks) t.drop();
      assert.is(driver.timerCount, 0);
      yield* hostTurn();
      assert.is(activeHostTimers(), base, "no timer left, no host handle");
    },
    { paused: false },
  );
});

/** Record the delays of the host timers armed while `body` runs (setTimeout is read at each call). */
function* spyHostTimers<T>(body: (delays: number[]) => Generator<unknown, T>): Generator<unknown, T> {
  const real = globalThis.setTimeout;
  const delays: number[] = [];
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    delays.push(ms ?? 0);
    return real(fn, ms);
  }) as typeof setTimeout;
  try {
    return yield* body(delays);
  } finally {
    globalThis.setTimeout = real;
  }
}

test("sleeps registered together arm the host timer once, not once per sleep", async () => {
  await run(
    function* () {
      yield* spyHostTimers(function* (delays) {
        const tasks = Array.from({ length: 500 }, (_, i) => mockTask(sleep(HOUR + i)));
        for (const t of tasks) t.poll();
        yield* hostTurn();
        assert.is(delays.length, 1, `setTimeout was called ${delays.length} times`);
        // Armed for the wheel's next expiration: the deadline, or a cascade before it (never after).
        assert.ok(delays[0]! > 0 && delays[0]! <= HOUR, `armed for ${delays[0]} ms`);
        for (const t of tasks) t.drop();
        yield* hostTurn();
      });
    },
    { paused: false },
  );
});

test("a sleep longer than the host's largest delay arms a capped host timer, so it never fires early", async () => {
  await run(
    function* () {
      yield* spyHostTimers(function* (delays) {
        for (const ms of [30 * 86_400_000, 1e15, Number.MAX_VALUE]) {
          delays.length = 0;
          const task = mockTask(sleep(ms));
          task.poll();
          yield* hostTurn();
          // One host timer, at the host's cap or at the wheel's cascade point just below it
          // (that point is fixed from the runtime's start, so it is a few ms under the cap when
          // the machine was slow to get here): never beyond the cap, never the sleep's own delay.
          assert.is(delays.length, 1, `sleep(${ms}): one host timer`);
          assert.ok(delays[0]! <= 2 ** 31 - 1 && delays[0]! > 2 ** 31 - 1 - 60_000, `sleep(${ms}): armed for ${delays[0]} ms`);
          assert.is(task.wakeCount, 0);
          task.drop();
          yield* hostTurn();
        }
      });
    },
    { paused: false },
  );
});

test("a shorter sleep registered while a capped host timer is armed moves the host timer", async () => {
  await run(
    function* () {
      yield* spyHostTimers(function* (delays) {
        const far = mockTask(sleep(2 ** 31));
        far.poll();
        yield* hostTurn();
        assert.is(delays.length, 1, "the capped host timer");
        const near = mockTask(sleep(HOUR));
        near.poll();
        yield* hostTurn();
        assert.is(delays.length, 2, "re-armed for the shorter sleep");
        assert.ok(delays[1]! > 0 && delays[1]! <= HOUR, `armed for ${delays[1]} ms`);
        near.drop();
        far.drop();
        yield* hostTurn();
      });
    },
    { paused: false },
  );
});

test("a waker that throws in the host timer's callback: the rest fire, the host timer is re-armed for later timers, the error escapes", async () => {
  // A fake time source and a setTimeout that only records: the host timer's callback is called by hand.
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, "performance")!;
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  const clock = { ms: 1000, now: () => clock.ms };
  const armed: { fn: () => void; ms: number; cleared: boolean }[] = [];
  Object.defineProperty(globalThis, "performance", { value: clock, configurable: true, writable: true });
  globalThis.setTimeout = ((fn: () => void, ms: number) => {
    const handle = { fn, ms, cleared: false };
    armed.push(handle);
    return handle;
  }) as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((handle: { cleared: boolean }) => {
    handle.cleared = true;
  }) as unknown as typeof clearTimeout;
  try {
    const driver = TIME.create({ driverOptions: {} } as unknown as DriverHost);
    const boom = new Error("waker failed");
    const bad = new Timer(driver.tickOf(1010));
    bad.fire = () => {
      bad.fired++;
      throw boom;
    };
    const same = new Timer(driver.tickOf(1010));
    const later = new Timer(driver.tickOf(1050));
    for (const t of [bad, same, later]) driver.register(t);
    await new Promise<void>((resolve) => setImmediate(resolve)); // the re-arm microtask
    const live = () => armed.filter((h) => !h.cleared);
    /** The host fires the one live host timer (which is then gone). */
    const hostFires = () => {
      const [handle] = live();
      handle!.cleared = true;
      handle!.fn();
    };
    assert.is(live().length, 1);
    clock.ms = 1010;
    assert.is(thrown(hostFires), boom);
    assert.equal([bad.fired, same.fired, later.fired], [1, 1, 0]);
    assert.is(live().length, 1, "no host timer armed for the timer still registered");
    assert.is(live()[0]!.ms, 40);
    clock.ms = 1050;
    hostFires();
    assert.is(later.fired, 1);
    assert.is(live().length, 0);
    driver.shutdown();
  } finally {
    Object.defineProperty(globalThis, "performance", descriptor);
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
  }
});

test("a paused clock holds no host timer even with sleeps pending", async () => {
  await run(function* () {
    const base = activeHostTimers();
    const task = mockTask(sleep(HOUR));
    task.poll();
    yield* hostTurn();
    assert.is(activeHostTimers(), base);
    task.drop();
  });
});

// ---- cancelling many timers -------------------------------------------------------------------

/** `gc()` even when node was started without --expose-gc. */
function getGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === "function") return g;
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
}

test("cancelling 1,000,000 timers leaves the wheel empty, no host timer, and the heap back near its start", async () => {
  const gc = getGc();
  const heap = (): number => {
    gc?.();
    gc?.();
    return process.memoryUsage().heapUsed;
  };
  await run(
    function* () {
      const driver = Handle.current().driver(TIME);
      const base = activeHostTimers();
      const rng = new Rng(1_000_000);
      const cx = new Context(noopWaker);
      const before = heap();
      let sleeps: Sleep[] = [];
      let registered = 0;
      for (let i = 0; i < 1_000_000; i++) {
        const s = sleep(rng.between(1000, 60_000));
        if (s.poll(cx) !== undefined) registered++;
        sleeps.push(s);
      }
      assert.is(driver.timerCount, registered);
      assert.ok(registered > 990_000, `${registered} registered`);
      yield* hostTurn();
      assert.is(activeHostTimers(), base + 1);
      for (const s of rng.shuffle(sleeps)) s.cancel();
      assert.is(driver.timerCount, 0);
      sleeps = [];
      yield* hostTurn();
      assert.is(activeHostTimers(), base);
      if (gc !== undefined) {
        const grown = heap() - before;
        assert.ok(grown < 16 * 1024 * 1024, `the heap grew by ${(grown / 1048576).toFixed(1)} MiB`);
      }
    },
    { paused: false },
  );
});

// ---- shutdown ---------------------------------------------------------------------------------

test("a runtime shut down while a task sleeps drops the task (its finally runs) and leaves no host timer", async () => {
  const log: string[] = [];
  const base = activeHostTimers();
  const rt = Builder.newCurrentThread().enableTime().build();
  const { h } = await rt.blockOn(function* () {
    const h = spawn(function* () {
      try {
        yield* sleep(HOUR);
        log.push("woke");
      } finally {
        log.push("finally");
      }
    });
    yield* yieldNow();
    yield* hostTurn();
    assert.is(activeHostTimers(), base + 1);
    return { h };
  });
  const driver = rt.handle().driver(TIME);
  assert.is(driver.timerCount, 1);
  await rt.shutdownTimeout(Infinity);
  assert.equal(log, ["finally"]);
  assert.ok(h.isFinished());
  assert.is(driver.timerCount, 0);
  assert.ok(driver.closed);
  assert.is(activeHostTimers(), base);
});

test("a sleep held outside its runtime after shutdown fails with ContextError ERR_RUNTIME_SHUTDOWN when polled", async () => {
  const rt = Builder.newCurrentThread().enableTime().startPaused(true).build();
  const { s, task } = await rt.blockOn(function* () {
    const s = sleep(HOUR);
    const task = mockTask(s);
    task.poll();
    return { s, task };
  });
  await rt.shutdownTimeout(Infinity);
  assert.is(task.wakeCount, 1, "shutdown wakes what is still registered");
  const error = thrown(() => task.poll());
  assert.instance(error, ContextError);
  assert.is((error as ContextError).code, "ERR_RUNTIME_SHUTDOWN");
  assert.instance(thrown(() => mockTask(s).poll()), ContextError);
});

test("a time API called in a task of a runtime that is shut down fails rather than hangs", async () => {
  const rt = Builder.newCurrentThread().enableTime().startPaused(true).build();
  await rt.shutdownTimeout(Infinity);
  const error = await rejection(
    rt.blockOn(function* () {
      yield* sleep(1);
    }),
  );
  assert.instance(error, ContextError);
  assert.is((error as ContextError).code, "ERR_RUNTIME_SHUTDOWN");
});

test("a host timer that fires reports a host turn: under eventInterval(1), its wakes run in a microtask, not behind setImmediate", async () => {
  // Host timers exist only on the real clock, so this test sleeps for real (10 × 1 ms); it
  // asserts a count, not a duration. Without the host turn, every wake from the timer would go
  // through setImmediate: about one call per sleep.
  const rt = Builder.newCurrentThread().eventInterval(1).enableTime().build();
  let calls: number;
  try {
    [, calls] = await countSetImmediate(() =>
      rt.blockOn(function* () {
        for (let i = 0; i < 10; i++) yield* sleep(1);
      }),
    );
  } finally {
    await rt.shutdownTimeout(1000);
  }
  // (test-util's own test checks that the spy sees a runtime's host yields)
  assert.ok(calls < 5, `${calls} setImmediate calls for 10 sleeps`);
});

test.run();
