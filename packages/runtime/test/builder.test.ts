import { test } from "uvu";
import * as assert from "uvu/assert";
import { DriverKey, fromPromise, pending, type Driver, type DriverHost } from "@tokio-ts/core";
import { Builder, Handle, JoinError, JoinSet, spawn, yieldNow, type TaskMeta } from "../src/index.js";
import { collectingUncaught, hostTurn, rejection, reportingTo, reportTurns, throwsWith, withRuntime } from "./helpers.js";

test("eventInterval(0) throws RangeError \"eventInterval must be greater than 0\"", () => {
  throwsWith(() => Builder.newCurrentThread().eventInterval(0), RangeError, "eventInterval must be greater than 0");
});

test("eventInterval rejects negative and fractional values with a RangeError and non-numbers with a TypeError", () => {
  throwsWith(() => Builder.newCurrentThread().eventInterval(-1), RangeError, "eventInterval must be greater than 0");
  throwsWith(() => Builder.newCurrentThread().eventInterval(1.5), RangeError, "eventInterval must be a whole number greater than 0, got 1.5");
  throwsWith(() => Builder.newCurrentThread().eventInterval("3" as never), TypeError, "eventInterval must be a number");
});

test("globalQueueInterval(0) throws RangeError \"globalQueueInterval must be greater than 0\"", () => {
  throwsWith(() => Builder.newCurrentThread().globalQueueInterval(0), RangeError, "globalQueueInterval must be greater than 0");
});

test("rngSeed rejects non-integers", () => {
  throwsWith(() => Builder.newCurrentThread().rngSeed(0.5), RangeError, "seed must be a safe integer");
  throwsWith(() => Builder.newCurrentThread().rngSeed("1" as never), TypeError, "seed must be a number");
});

test("unhandledPanic rejects unknown behaviours with a TypeError", () => {
  throwsWith(() => Builder.newCurrentThread().unhandledPanic("explode" as never), TypeError, 'unhandledPanic must be "ignore" or "shutdownRuntime"');
});

test("hooks must be functions", () => {
  throwsWith(() => Builder.newCurrentThread().onTaskSpawn(1 as never), TypeError, "onTaskSpawn expects a function");
  throwsWith(() => Builder.newCurrentThread().onUnhandledPanic(null as never), TypeError, "onUnhandledPanic expects a function");
});

test("shuffleSchedule and startPaused take booleans only: \"false\" is a TypeError naming the parameter, not true", () => {
  throwsWith(() => Builder.newCurrentThread().shuffleSchedule("false" as never), TypeError, "shuffleSchedule: enabled must be a boolean, got string");
  throwsWith(() => Builder.newCurrentThread().shuffleSchedule(null as never), TypeError, "shuffleSchedule: enabled must be a boolean, got null");
  throwsWith(() => Builder.newCurrentThread().startPaused("false" as never), TypeError, "startPaused: paused must be a boolean, got string");
  throwsWith(() => Builder.newCurrentThread().startPaused(1 as never), TypeError, "startPaused: paused must be a boolean, got number");
  // Omitted, shuffleSchedule keeps its documented default (on); false is accepted as given.
  Builder.newCurrentThread().shuffleSchedule().shuffleSchedule(false).startPaused(false).build().shutdownBackground();
});

test("startPaused(true) without enableTime() fails at build() saying which call is missing", () => {
  assert.throws(() => Builder.newCurrentThread().startPaused(true).build(), /call enableTime\(\) on the builder/);
});

test("name() names the runtime's handle", async () => {
  const name = await withRuntime((rt) => rt.blockOn(() => Handle.current().name), Builder.newCurrentThread().name("my-rt"));
  assert.is(name, "my-rt");
});

test("onTaskSpawn and onTaskTerminate are called with each task's id, and not for blockOn bodies (as Tokio's block_on)", async () => {
  const spawned: number[] = [];
  const terminated: number[] = [];
  let counted = -1;
  const ids = await withRuntime(
    async (rt) => {
      await rt.blockOn(async () => {}); // a body alone: no task for the hooks
      assert.equal([spawned, terminated], [[], []], "an empty blockOn");
      const ids = await rt.blockOn(function* () {
        const a = spawn(function* () {
          yield* yieldNow();
        });
        const b = spawn(async () => {
          throw new Error("fails");
        });
        yield* a;
        try {
          yield* b;
        } catch {}
        return [a.id, b.id];
      });
      counted = rt.metrics().spawnedTasksCount();
      return ids;
    },
    Builder.newCurrentThread()
      .onTaskSpawn((meta: TaskMeta) => spawned.push(meta.id))
      .onTaskTerminate((meta: TaskMeta) => terminated.push(meta.id)),
  );
  assert.equal(spawned, ids, "the two spawned tasks, in order");
  assert.equal([...terminated].sort(), [...ids].sort(), "both terminated");
  assert.is(counted, spawned.length, "the hook agrees with metrics().spawnedTasksCount()");
});

test("a throwing onTaskTerminate hook leaves the runtime whole: joiners get their outputs, the error is rethrown as uncaught", async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => void uncaught.push(error);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
  try {
    const terminated: number[] = [];
    const stalled = async (): Promise<string> => {
      for (let i = 0; i < 10; i++) await hostTurn();
      return "stalled";
    };
    const out = await withRuntime(
      (rt) =>
        Promise.race([stalled(), rt.blockOn(function* () {
          const a = spawn(function* () {
            return 1;
          });
          const b = spawn(function* () {
            yield* yieldNow();
            return 2;
          });
          return (yield* a) + (yield* b);
        })]),
      Builder.newCurrentThread().onTaskTerminate(({ id }) => {
        terminated.push(id);
        throw new Error(`hook failed for ${id}`);
      }),
    );
    await hostTurn();
    assert.is(out, 3);
    assert.is(terminated.length, 2, "both spawned tasks (a blockOn body is not a task for the hooks)");
    assert.equal(
      uncaught.map((e) => (e as Error).message),
      terminated.map((id) => `hook failed for ${id}`),
    );
  } finally {
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUncaught);
  }
});

test("onTaskTerminate runs once the task's JoinHandle has been told: a JoinSet already holds its output", async () => {
  const seen: (string | undefined)[] = [];
  let set: JoinSet<string> | undefined;
  await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        set = new JoinSet<string>();
        set.spawn(function* () {
          yield* yieldNow();
          return "out";
        });
        for (let i = 0; i < 3; i++) yield* yieldNow();
        set = undefined;
      }),
    Builder.newCurrentThread().onTaskTerminate(() => {
      if (set !== undefined) seen.push(set.tryJoinNext());
    }),
  );
  assert.equal(seen, ["out"]);
});

test("onTaskTerminate runs in the runtime's context, as Tokio's: it may spawn, and sees the runtime's Handle", async () => {
  const seen: string[] = [];
  let respawned = 0;
  await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        spawn(function* () {
          yield* yieldNow();
        });
        for (let i = 0; i < 10 && respawned === 0; i++) yield* yieldNow();
        for (let i = 0; i < 10; i++) yield* yieldNow();
      }),
    Builder.newCurrentThread().onTaskTerminate(() => {
      seen.push(Handle.tryCurrent() === undefined ? "no runtime" : "runtime");
      if (respawned++ === 0) {
        spawn(function* () {
          seen.push("respawned task ran");
        });
      }
    }),
  );
  assert.equal(seen.slice(0, 3), ["runtime", "respawned task ran", "runtime"]);
});

test("a throwing onTaskSpawn hook makes spawn throw, and the task is neither run nor counted", async () => {
  let calls = 0;
  let ran = false;
  const out = await withRuntime(
    async (rt) => {
      const message = await rt.blockOn(function* () {
        try {
          spawn(function* () {
            ran = true;
          });
        } catch (error) {
          return (error as Error).message;
        }
        return "spawn returned";
      });
      for (let i = 0; i < 3; i++) await hostTurn();
      return { message, alive: rt.metrics().numAliveTasks(), spawned: rt.metrics().spawnedTasksCount() };
    },
    Builder.newCurrentThread().onTaskSpawn(() => {
      if (calls++ === 0) throw new Error("spawn hook failed");
    }),
  );
  assert.equal(out, { message: "spawn hook failed", alive: 0, spawned: 0 });
  assert.not.ok(ran);
});

test("the unhandled-panic hook is called when a task that nobody joins throws", async () => {
  const reported: JoinError[] = [];
  const boom = new Error("unjoined");
  const id = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const h = spawn(function* () {
          throw boom;
        });
        // The report may come from a host callback: give it host turns, bounded.
        for (let i = 0; i < 10 && reported.length === 0; i++) yield* fromPromise(hostTurn);
        return h.id;
      }),
    Builder.newCurrentThread().onUnhandledPanic((e) => reported.push(e)),
  );
  assert.is(reported.length, 1);
  assert.instance(reported[0], JoinError);
  assert.ok(reported[0]!.isPanic());
  assert.is(reported[0]!.cause, boom);
  assert.is(reported[0]!.id, id);
});

test("the unhandled-panic hook is not called when the failed task is joined", async () => {
  const reported: JoinError[] = [];
  await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const h = spawn(function* () {
          yield* yieldNow();
          throw new Error("joined");
        });
        try {
          yield* h;
        } catch {}
        for (let i = 0; i < 3; i++) yield* fromPromise(hostTurn); // room for a (wrong) report
      }),
    Builder.newCurrentThread().onUnhandledPanic((e) => reported.push(e)),
  );
  assert.equal(reported, []);
});

test("the unhandled-panic hook is not called for a blockOn body that throws", async () => {
  const reported: JoinError[] = [];
  await withRuntime(
    async (rt) => {
      await rejection(
        rt.blockOn(function* () {
          throw new Error("root");
        }),
      );
      for (let i = 0; i < 3; i++) await hostTurn(); // room for a (wrong) report
    },
    Builder.newCurrentThread().onUnhandledPanic((e) => reported.push(e)),
  );
  assert.equal(reported, []);
});

test("the unhandled-panic hook is not called for an aborted async task nobody joins", async () => {
  const reported: JoinError[] = [];
  await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const h = spawn(async () => {
          await pending();
        });
        yield* yieldNow();
        yield* yieldNow();
        h.abort();
        // The async body unwinds through promise continuations: give it host turns, bounded.
        for (let i = 0; i < 10 && !h.isFinished(); i++) yield* fromPromise(hostTurn);
        assert.ok(h.isFinished(), "the aborted task completed");
        for (let i = 0; i < 3; i++) yield* fromPromise(hostTurn); // room for a (wrong) report
      }),
    Builder.newCurrentThread().onUnhandledPanic((e) => reported.push(e)),
  );
  assert.equal(
    reported.map((e) => e.message),
    [],
  );
});

// The thrower's kinds: a generator body, and an async body, whose task the runtime finishes as its
// promise settles, outside the run queue (the shutdown must still follow).
const throwers = {
  "a generator task throws": (boom: Error) =>
    function* () {
      yield* yieldNow();
      throw boom;
    },
  "an async task's function rejects": (boom: Error) => async () => {
    await yieldNow();
    throw boom;
  },
};

for (const [what, thrower] of Object.entries(throwers)) {
  test(`unhandledPanic("shutdownRuntime") shuts the runtime down and rejects blockOn when ${what}`, async () => {
    const rt = Builder.newCurrentThread().unhandledPanic("shutdownRuntime").build();
    const boom = new Error("fatal");
    const log: string[] = [];
    try {
      const error = await rejection(
        rt.blockOn(function* () {
          spawn(function* () {
            try {
              yield* pending();
            } finally {
              log.push("other task dropped");
            }
          });
          spawn(thrower(boom));
          yield* pending();
        }),
      );
      assert.instance(error, Error);
      assert.match((error as Error).message, "panicked");
      assert.is((error as Error).cause, boom);
      assert.ok(rt.isShutdown());
      assert.equal(log, ["other task dropped"]);
    } finally {
      await rt.shutdownTimeout(0);
    }
  });
}

test("an onUnhandledPanic hook that throws keeps no other task from being reported; what it throws is uncaught", async () => {
  const seen: unknown[] = [];
  const causes = [new Error("first"), new Error("second"), new Error("third")];
  const thrown = causes.map((cause) => new Error(`hook failed on ${cause.message}`));
  const uncaught = await collectingUncaught(async (uncaught) => {
    await withRuntime(
      (rt) =>
        rt.blockOn(function* () {
          // Three detached tasks panic in one drain: their reports come in one batch.
          for (const cause of causes) {
            spawn(function* () {
              throw cause;
            });
          }
          yield* fromPromise(reportTurns);
        }),
      Builder.newCurrentThread().onUnhandledPanic((error) => {
        seen.push(error.cause);
        throw thrown[causes.indexOf(error.cause as Error)];
      }),
    );
    await hostTurn();
    return uncaught;
  });
  assert.equal(seen, causes);
  assert.equal(uncaught, thrown);
});

test("unhandledPanic(\"shutdownRuntime\") reports a second panic: the finally of a task that the dropped blockOn body awaited", async () => {
  const reported: JoinError[] = [];
  const first = new Error("shuts the runtime down");
  const second = new Error("thrown from finally during the shutdown");
  const rt = reportingTo(reported, Builder.newCurrentThread().unhandledPanic("shutdownRuntime")).build();
  try {
    let secondId = 0;
    const error = await rejection(
      rt.blockOn(function* () {
        const h = spawn(function* () {
          try {
            yield* pending();
          } finally {
            throw second;
          }
        });
        secondId = h.id;
        spawn(function* () {
          yield* yieldNow();
          throw first;
        });
        yield* h; // dropped by the shutdown before it gets the outcome
      }),
    );
    assert.is((error as Error).cause, first); // blockOn carries the first panic
    await reportTurns();
    assert.equal(
      reported.map((e) => [e.id, e.cause]),
      [[secondId, second]],
    );
  } finally {
    await rt.shutdownTimeout(0);
  }
});

test("unhandledPanic(\"shutdownRuntime\") reports the panic that shut the runtime down when no blockOn carried it", async () => {
  const reported: JoinError[] = [];
  const boom = new Error("nobody is in blockOn");
  const rt = reportingTo(reported, Builder.newCurrentThread().unhandledPanic("shutdownRuntime")).build();
  try {
    const h = rt.spawn(function* () {
      yield* yieldNow();
      throw boom;
    });
    await reportTurns();
    assert.ok(rt.isShutdown());
    assert.equal(
      reported.map((e) => [e.id, e.cause]),
      [[h.id, boom]],
    );
  } finally {
    await rt.shutdownTimeout(0);
  }
});

test("unhandledPanic(\"shutdownRuntime\") reports another task's panic that the shutdown caught before that task was polled again", async () => {
  const reported: JoinError[] = [];
  const first = new Error("first async task");
  const second = new Error("second async task");
  const rt = reportingTo(reported, Builder.newCurrentThread().unhandledPanic("shutdownRuntime")).build();
  try {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    // Both functions throw in the same microtask turn; the first task to run shuts the runtime
    // down, and the second is dropped while it waits in the queue to see its own failure.
    const a = rt.spawn(async () => {
      await opened;
      throw first;
    });
    const b = rt.spawn(async () => {
      await opened;
      throw second;
    });
    await hostTurn();
    open();
    await reportTurns();
    assert.ok(rt.isShutdown());
    const joined = await rejection(b);
    assert.ok((joined as JoinError).isPanic(), "the dropped task's handle gives its panic");
    assert.equal(
      reported.map((e) => [e.id, e.cause]),
      [
        [a.id, first],
        [b.id, second],
      ],
    );
  } finally {
    await rt.shutdownTimeout(0);
  }
});

test("unhandledPanic(\"ignore\") keeps the runtime running after a task throws", async () => {
  const out = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const h = spawn(function* () {
          throw new Error("ignored");
        });
        try {
          yield* h;
        } catch {}
        yield* yieldNow();
        return "still running";
      }),
    Builder.newCurrentThread().unhandledPanic("ignore").onUnhandledPanic(() => {}),
  );
  assert.is(out, "still running");
});

test("blocking-pool settings reject 0, negative and NaN with a RangeError naming the setting", () => {
  throwsWith(() => Builder.newCurrentThread().maxBlockingThreads(0), RangeError, "maxBlockingThreads must be greater than 0");
  throwsWith(() => Builder.newCurrentThread().maxBlockingThreads(-2), RangeError, "maxBlockingThreads must be greater than 0");
  throwsWith(() => Builder.newCurrentThread().maxBlockingThreads(NaN), RangeError, "maxBlockingThreads must be a whole number greater than 0, got NaN");
  throwsWith(() => Builder.newCurrentThread().maxBlockingThreads(1.5), RangeError, "maxBlockingThreads must be a whole number greater than 0, got 1.5");
  throwsWith(() => Builder.newCurrentThread().maxBlockingThreads("4" as never), TypeError, "maxBlockingThreads must be a number");
  throwsWith(() => Builder.newCurrentThread().threadKeepAlive(-1), RangeError, "threadKeepAlive must be 0 or more milliseconds, got -1");
  throwsWith(() => Builder.newCurrentThread().threadKeepAlive(NaN), RangeError, "threadKeepAlive must be 0 or more milliseconds, got NaN");
  throwsWith(() => Builder.newCurrentThread().threadKeepAlive(null as never), TypeError, "threadKeepAlive must be a number");
  throwsWith(() => Builder.newCurrentThread().onThreadStart("x" as never), TypeError, "onThreadStart expects a function");
  throwsWith(() => Builder.newCurrentThread().onThreadStop(undefined as never), TypeError, "onThreadStop expects a function");
  throwsWith(() => Builder.newCurrentThread().threadResourceLimits(null as never), TypeError, "threadResourceLimits expects an object");
  throwsWith(
    () => Builder.newCurrentThread().threadResourceLimits({ maxOldGenerationSizeMb: 0 }),
    RangeError,
    "threadResourceLimits: maxOldGenerationSizeMb must be a positive number",
  );
});

test("threadResourceLimits rejects a misspelt limit with a TypeError naming it, and a non-number limit with a TypeError", () => {
  throwsWith(
    () => Builder.newCurrentThread().threadResourceLimits({ maxOldGenerationSizeMB: 64 } as never),
    TypeError,
    'threadResourceLimits: unknown option "maxOldGenerationSizeMB" (known: maxOldGenerationSizeMb, maxYoungGenerationSizeMb, codeRangeSizeMb, stackSizeMb)',
  );
  throwsWith(
    () => Builder.newCurrentThread().threadResourceLimits({ maxOldGenerationSizeMb: "x" } as never),
    TypeError,
    "threadResourceLimits: maxOldGenerationSizeMb must be a number, got string",
  );
  throwsWith(() => Builder.newCurrentThread().threadResourceLimits([] as never), TypeError, "threadResourceLimits expects an object, got an array");
  throwsWith(
    () => Builder.newCurrentThread().threadResourceLimits({ stackSizeMb: NaN }),
    RangeError,
    "threadResourceLimits: stackSizeMb must be a positive number, got NaN",
  );
});

/** A driver under the blocking pool's name that records what the runtime asks of it. */
class RecordingDriver implements Driver {
  readonly calls: string[] = [];
  constructor(readonly host: DriverHost) {}
  shutdown(): void {
    this.calls.push("shutdown");
  }
  async shutdownTimeout(ms: number): Promise<void> {
    this.calls.push(`shutdownTimeout(${ms})`);
  }
}
const BLOCKING_LIKE = new DriverKey("blocking", "blocking jobs", 'enableDriver("blocking")', (host) => new RecordingDriver(host));

test("the blocking driver is enabled by default and gets the pool settings as driver options", async () => {
  const start = () => {};
  const rt = Builder.newCurrentThread().maxBlockingThreads(3).threadKeepAlive(500).onThreadStart(start).build();
  const driver = await rt.blockOn(async () => Handle.current().driver(BLOCKING_LIKE));
  const options = driver.host.driverOptions;
  assert.is(options["maxBlockingThreads"], 3);
  assert.is(options["threadKeepAlive"], 500);
  assert.is(options["onThreadStart"], start);
  assert.is(options["onThreadStop"], undefined);
  await rt.shutdownTimeout(0);
});

test("shutdownTimeout(ms) shuts the drivers down, then awaits their shutdownTimeout(ms)", async () => {
  const rt = Builder.newCurrentThread().build();
  const driver = await rt.blockOn(async () => Handle.current().driver(BLOCKING_LIKE));
  await rt.shutdownTimeout(250);
  assert.equal(driver.calls, ["shutdown", "shutdownTimeout(250)"]);
});

test("shutdownBackground() gives the drivers 0 ms", async () => {
  const rt = Builder.newCurrentThread().build();
  const driver = await rt.blockOn(async () => Handle.current().driver(BLOCKING_LIKE));
  rt.shutdownBackground();
  await hostTurn();
  assert.equal(driver.calls, ["shutdown", "shutdownTimeout(0)"]);
});

test("shutdownTimeout called from inside a task waits for the teardown, then for the drivers", async () => {
  const rt = Builder.newCurrentThread().build();
  const driver = await rt.blockOn(async () => Handle.current().driver(BLOCKING_LIKE));
  let done: Promise<void> | undefined;
  rt.spawn(function* () {
    done = rt.shutdownTimeout(5);
  });
  while (done === undefined) await hostTurn();
  await done;
  assert.equal(driver.calls, ["shutdown", "shutdownTimeout(5)"]);
});

test("a driver whose shutdown throws (a waker it woke did) keeps no other driver open: each is shut down, the error is uncaught", async () => {
  const boom = new Error("a waker woken at shutdown failed");
  const calls: string[] = [];
  const FAILING = new DriverKey("failing", "failing", 'enableDriver("failing")', () => ({
    shutdown() {
      calls.push("failing");
      throw boom;
    },
  }));
  const OTHER = new DriverKey("other", "others", 'enableDriver("other")', () => ({
    shutdown() {
      calls.push("other");
    },
  }));
  await collectingUncaught(async (uncaught) => {
    const rt = Builder.newCurrentThread().enableDriver("failing").enableDriver("other").build();
    await rt.blockOn(async () => {
      Handle.current().driver(FAILING);
      Handle.current().driver(OTHER);
    });
    await rt.shutdownTimeout(0);
    assert.ok(rt.isShutdown());
    assert.equal(calls, ["failing", "other"]);
    await hostTurn();
    assert.equal(uncaught, [boom]);
  });
});

test("builder methods chain and return the builder", () => {
  const b = Builder.newCurrentThread();
  assert.is(b.eventInterval(3).globalQueueInterval(2).rngSeed(1).shuffleSchedule().name("x").enableAll().enableDriver("y"), b);
  assert.is(b.maxBlockingThreads(2).threadKeepAlive(100).onThreadStart(() => {}).onThreadStop(() => {}).threadResourceLimits({}), b);
});

test.run();
