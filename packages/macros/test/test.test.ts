import { test as uvu } from "uvu";
import * as assert from "uvu/assert";
import { pending, type Future } from "@tokio-ts/core";
import { Handle, spawn, yieldNow, type SpawnBody } from "@tokio-ts/runtime";
import { Notify } from "@tokio-ts/sync";
import { mockTask } from "@tokio-ts/test-util";
import { Instant, pause, resume, sleep } from "@tokio-ts/time";
import { configureTest, test, type TestOptions, type TestRegistrar } from "../src/test.js";
import { runFixture } from "./run-fixture.js";
import { throwsWith } from "./throws-with.js";

/** A registrar that keeps the handlers, so that a test can run one and look at its failure. */
function recorder(): { suite: TestRegistrar; run(name: string): Promise<unknown> } {
  const handlers = new Map<string, () => Promise<void>>();
  return {
    suite: (name, handler) => void handlers.set(name, handler),
    async run(name) {
      const handler = handlers.get(name);
      if (handler === undefined) throw new Error(`no test registered as ${name}`);
      try {
        await handler();
        return undefined;
      } catch (error) {
        return error;
      }
    },
  };
}

/** Register `body` as a test on a recorder and run it; resolves with its failure, if any. */
function runTest(body: SpawnBody<unknown>, options: TestOptions = {}): Promise<unknown> {
  const r = recorder();
  // `test`'s overloads take one kind of body each, as `spawn`'s do; this helper takes any.
  test("under test", body as Future<unknown>, { ...options, suite: r.suite });
  return r.run("under test");
}

function failure(error: unknown): string {
  assert.instance(error, Error, "the test should have failed");
  return (error as Error).message;
}

uvu("a clean body passes: a spawned task that is joined, a sleep that completes", async () => {
  const error = await runTest(function* () {
    const worker = spawn(function* () {
      yield* sleep(10);
      return 1;
    });
    assert.is(yield* worker, 1);
  });
  assert.is(error, undefined);
});

uvu("time is paused by default: a one-hour sleep completes at once, by auto-advance", async () => {
  let slept = -1;
  const wallStart = performance.now();
  const error = await runTest(function* () {
    const start = Instant.now();
    yield* sleep(3_600_000);
    slept = Instant.now().durationSince(start);
  });
  assert.is(error, undefined);
  assert.ok(slept >= 3_600_000, `slept ${slept} ms of virtual time`);
  // Not a timing assertion: an unpaused clock would take an hour, this catches that at once.
  assert.ok(performance.now() - wallStart < 3_600_000);
});

uvu("an async body works too, and gets the task's AbortSignal", async () => {
  let aborted: boolean | undefined;
  const error = await runTest(async (signal: AbortSignal) => {
    await sleep(1_000);
    aborted = signal.aborted;
  });
  assert.is(error, undefined);
  assert.is(aborted, false);
});

uvu("a body that throws fails the test with its own error", async () => {
  const boom = new Error("boom");
  const error = await runTest(function* () {
    yield* sleep(1);
    throw boom;
  });
  assert.is(error, boom);
});

uvu("a leaked timer and a task sleeping forever fail the test, and the message names both", async () => {
  let finallyRan = false;
  const error = await runTest(function* () {
    mockTask(sleep(1_000)).poll(); // a sleep polled once and never dropped: its timer stays
    spawn(function* () {
      try {
        yield* sleep(Number.MAX_SAFE_INTEGER);
      } finally {
        finallyRan = true;
      }
    });
  });
  const message = failure(error);
  assert.match(message, /^test "under test" left /);
  assert.match(message, "1 task still alive");
  assert.match(message, "2 timers still registered");
  assert.ok(finallyRan, "the runtime is shut down after the check: the leaked task was dropped");
});

uvu("a leaked timer alone fails the test", async () => {
  const message = failure(
    await runTest(function* () {
      mockTask(sleep(60_000)).poll();
    }),
  );
  assert.match(message, "1 timer still registered");
  assert.not.match(message, "still alive");
});

uvu("a leaked task alone (not using time) fails the test", async () => {
  const message = failure(
    await runTest(function* () {
      spawn(pending());
    }),
  );
  assert.match(message, "1 task still alive");
  assert.not.match(message, "registered");
});

uvu("a task that finishes on its own right after the body is not a leak", async () => {
  const error = await runTest(function* () {
    spawn(function* () {
      return 1;
    });
  });
  assert.is(error, undefined);
});

uvu("an async task that finishes, or that the body aborted or woke, as the body returns is not a leak either", async () => {
  const finishes = await runTest(function* () {
    spawn(async () => 1);
  });
  assert.is(finishes, undefined, "finishes on its own");
  const aborted = await runTest(function* () {
    const h = spawn(async () => {
      await sleep(3_600_000);
    });
    yield* yieldNow();
    h.abort();
  });
  assert.is(aborted, undefined, "aborted by the body");
  const woken = await runTest(function* () {
    const notify = new Notify();
    spawn(async () => {
      await notify.notified();
    });
    yield* yieldNow();
    notify.notifyOne();
  });
  assert.is(woken, undefined, "woken as the body returns");
  const left = failure(
    await runTest(function* () {
      spawn(async () => {
        await sleep(3_600_000);
      });
      yield* yieldNow();
    }),
  );
  assert.match(left, "1 task still alive", "one really left waiting is still a leak");
});

uvu("a leaked host handle (a setInterval outside the runtime) fails the test, naming its kind", async () => {
  let interval: ReturnType<typeof setInterval> | undefined;
  const error = await runTest(async () => {
    interval = setInterval(() => {}, 60_000);
  });
  clearInterval(interval);
  assert.match(failure(error), "1 host handle (Timeout)");
});

uvu("a leak in a test the runner starts from a host timer callback (uvu's first test) is still seen", async () => {
  const r = recorder();
  let leaked: ReturnType<typeof setTimeout> | undefined;
  test("first of the file", async () => {
    leaked = setTimeout(() => {}, 60_000);
  }, { suite: r.suite });
  // uvu runs its queue from a setTimeout: that Timeout is counted while its callback runs.
  const error = await new Promise<unknown>((resolve) => setTimeout(() => void r.run("first of the file").then(resolve)));
  clearTimeout(leaked);
  assert.match(failure(error), "1 host handle (Timeout)");
});

uvu("a body that throws a non-Error fails with an Error that shows the value (uvu's formatter needs an Error)", async () => {
  const thrownString = await runTest(function* () {
    throw "not an Error";
  });
  assert.is(failure(thrownString), 'test "under test" threw "not an Error", which is not an Error');
  assert.is((thrownString as Error).cause, "not an Error");
  const rejectedUndefined = await runTest(async () => {
    await Promise.resolve();
    throw undefined;
  });
  assert.is(failure(rejectedUndefined), 'test "under test" threw undefined, which is not an Error');
  const thrownObject = await runTest(function* () {
    throw { code: 7 };
  });
  assert.is(failure(thrownObject), 'test "under test" threw {"code":7}, which is not an Error');
});

uvu("unhandledPanic shutdownRuntime: a panic while the body waits fails the test with the panic's message and stack", async () => {
  let panic: Error | undefined;
  const error = await runTest(
    function* () {
      spawn(function* () {
        yield* sleep(5);
        panic = new Error("DB connection refused on port 5432");
        throw panic;
      });
      yield* sleep(10);
    },
    { unhandledPanic: "shutdownRuntime" },
  );
  const message = failure(error);
  assert.match(message, "a spawned task panicked");
  assert.match(message, "Error: DB connection refused on port 5432");
  assert.is((error as Error).cause, panic);
  const panicFrames = panic!.stack!.slice(panic!.stack!.indexOf("\n    at "));
  assert.ok((error as Error).stack!.endsWith(panicFrames), "the failure's stack is where the task panicked");
});

for (const leakCheck of [true, false]) {
  uvu(`unhandledPanic shutdownRuntime: a task that panics as the body returns fails the test (leakCheck: ${leakCheck})`, async () => {
    const reported: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void reported.push(args);
    let error: unknown;
    try {
      error = await runTest(
        function* () {
          spawn(function* () {
            throw new Error("task boom");
          });
        },
        { unhandledPanic: "shutdownRuntime", leakCheck },
      );
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      console.error = original;
    }
    assert.match(failure(error), 'test "under test": a spawned task panicked and the runtime is configured to shut down on unhandled panic');
    assert.ok(
      reported.some((args) => (args as unknown[]).some((a) => a instanceof Error && a.message === "task boom")),
      "the panic itself is reported on stderr",
    );
  });
}

uvu("unhandledPanic shutdownRuntime: a task that panics while the body waits fails the test with the panic as cause", async () => {
  const error = await runTest(
    function* () {
      spawn(function* () {
        throw new Error("task boom");
      });
      yield* sleep(1_000);
    },
    { unhandledPanic: "shutdownRuntime" },
  );
  assert.match(failure(error), "a spawned task panicked and the runtime is configured to shut down on unhandled panic");
  assert.is(((error as Error).cause as Error).message, "task boom");
});

uvu("unhandledPanic ignore (the default): an unjoined task's panic does not fail the test", async () => {
  const original = console.error;
  console.error = () => {};
  let error: unknown;
  try {
    error = await runTest(function* () {
      spawn(function* () {
        throw new Error("ignored boom");
      });
      yield* sleep(1_000);
    });
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    console.error = original;
  }
  assert.is(error, undefined);
});

uvu("a body that is the first to write to stdout or stderr (piped) is not a leak: Node opens stdio lazily", async () => {
  const outcome = await runFixture("test-first-write");
  assert.is(outcome.code, 0, outcome.stderr);
  assert.ok(outcome.stdout.includes("hello from the body"));
  assert.equal(outcome.stderr.trim().split("\n").slice(-2), ["PASS", "PASS"], outcome.stderr);
});

uvu("leakCheck: false lets a test leave things behind", async () => {
  const error = await runTest(
    function* () {
      spawn(pending());
    },
    { leakCheck: false },
  );
  assert.is(error, undefined);
});

uvu("startPaused: false runs the body on the real clock (pause() is allowed, not already frozen)", async () => {
  const real = await runTest(
    function* () {
      pause(); // throws "time is already frozen" on a paused clock
      yield* sleep(3_600_000); // auto-advances now that it is paused
    },
    { startPaused: false },
  );
  assert.is(real, undefined);
  const paused = await runTest(function* () {
    pause();
  });
  assert.match(failure(paused), "already frozen");
});

uvu("an option given as undefined to test() leaves configureTest's default in force", async () => {
  const r = recorder();
  configureTest({ suite: r.suite, startPaused: false, leakCheck: false });
  try {
    test(
      "explicit undefined",
      function* () {
        pause(); // throws "time is already frozen" on a paused clock
        resume();
      },
      { startPaused: undefined },
    );
    assert.is(await r.run("explicit undefined"), undefined, "the default startPaused: false stood");
  } finally {
    configureTest({});
  }
});

uvu("the runtime is named after the test", async () => {
  let name: string | undefined;
  const r = recorder();
  test("my test", function* () { name = Handle.current().name; }, { suite: r.suite });
  assert.is(await r.run("my test"), undefined);
  assert.is(name, "test: my test");
});

uvu("each test gets a fresh runtime", async () => {
  const r = recorder();
  const ids: number[] = [];
  for (const name of ["a", "b"]) test(name, function* () { ids.push(Handle.current().id); }, { suite: r.suite });
  assert.is(await r.run("a"), undefined);
  assert.is(await r.run("b"), undefined);
  assert.is(ids.length, 2);
  assert.is.not(ids[0], ids[1]);
});

uvu("configureTest sets the default suite and options; per-call options override them", async () => {
  const r = recorder();
  configureTest({ suite: r.suite, leakCheck: false });
  try {
    test("leaky", function* () { spawn(pending()); });
    test("checked", function* () { spawn(pending()); }, { leakCheck: true });
  } finally {
    configureTest({});
  }
  assert.is(await r.run("leaky"), undefined);
  assert.match(failure(await r.run("checked")), "1 task still alive");
});

uvu("without a suite, test() throws a TypeError that says how to register", () => {
  assert.throws(
    () => test("orphan", function* () {}),
    (e: unknown) => e instanceof TypeError && /configureTest\(\{ suite: test \}\)/.test(e.message),
  );
  assert.throws(() => configureTest({ suite: 42 as never }), (e: unknown) => e instanceof TypeError);
  assert.throws(() => test("bad body", 7 as never, { suite: () => {} }), (e: unknown) => e instanceof TypeError);
});

uvu("test() takes main's flavor option: currentThread runs, multiThread and others are refused at registration", async () => {
  assert.is(await runTest(function* () {}, { flavor: "currentThread" }), undefined);
  const suite = recorder().suite;
  const notAvailable = (e: unknown) => e instanceof Error && /^test\(\): the "multiThread" flavor is not available/.test(e.message);
  assert.throws(() => test("t", function* () {}, { suite, flavor: "multiThread" }), notAvailable);
  throwsWith(() => test("t", function* () {}, { suite, flavor: "bogus" as never }), TypeError, 'test(): flavor must be "currentThread", got bogus');
  assert.throws(() => configureTest({ flavor: "multiThread" }), (e: unknown) => e instanceof Error && /^configureTest\(\): the "multiThread"/.test(e.message));
});

uvu("test() checks its options and body at registration, not when the test runs", async () => {
  const r = recorder();
  const suite = r.suite;
  const body = function* () {};
  throwsWith(() => test("t", body, { suite, rngSeed: 1.5 }), RangeError, "test(): options.rngSeed must be a safe integer, got 1.5");
  throwsWith(() => test("t", body, { suite, rngSeed: "1" as never }), TypeError, "test(): options.rngSeed must be a number, got string");
  throwsWith(
    () => test("t", body, { suite, unhandledPanic: "bad" as never }),
    TypeError,
    'test(): options.unhandledPanic must be "ignore" or "shutdownRuntime", got bad',
  );
  throwsWith(() => test("t", body, { suite, leakCheck: "no" as never }), TypeError, "test(): options.leakCheck must be a boolean, got string");
  throwsWith(() => test("t", body, { suite, startPaused: "no" as never }), TypeError, "test(): options.startPaused must be a boolean, got string");
  throwsWith(
    () => test("t", body, { suite, bogus: 1 } as never),
    TypeError,
    'test(): unknown option "bogus" (known: suite, flavor, startPaused, rngSeed, unhandledPanic, leakCheck)',
  );
  throwsWith(() => test("t", body, null as never), TypeError, "test(): options must be an object, got null");
  throwsWith(
    () => test("t", {} as never, { suite }),
    TypeError,
    "test body must be a generator function, an async function or a future, got an object that is not a future (no poll and cancel methods)",
  );
  const registered = await r.run("t").then(
    () => true,
    () => false,
  );
  assert.not.ok(registered, "a call that threw registered no test");
});

uvu("configureTest rejects bad options with a TypeError at the call and keeps the previous defaults", async () => {
  const r = recorder();
  configureTest({ suite: r.suite, leakCheck: false });
  try {
    throwsWith(() => configureTest({ startPaused: "no" as never }), TypeError, "configureTest(): options.startPaused must be a boolean, got string");
    throwsWith(
      () => configureTest({ bogus: 1 } as never),
      TypeError,
      'configureTest(): unknown option "bogus" (known: suite, flavor, startPaused, rngSeed, unhandledPanic, leakCheck)',
    );
    throwsWith(() => configureTest({ rngSeed: 0.5 }), RangeError, "configureTest(): options.rngSeed must be a safe integer, got 0.5");
    throwsWith(() => configureTest(null as never), TypeError, "configureTest(): options must be an object, got null");
    test("leaky", function* () { spawn(pending()); });
  } finally {
    configureTest({});
  }
  assert.is(await r.run("leaky"), undefined, "the defaults set before the bad calls still apply");
});

// The real thing: registered with uvu itself, as a user would.
test(
  "registered with uvu: a day of retries runs in paused time",
  function* () {
    let attempts = 0;
    for (let i = 0; i < 24; i++) {
      attempts++;
      yield* sleep(3_600_000);
    }
    assert.is(attempts, 24);
  },
  { suite: uvu },
);

uvu("a test body that waits on what nothing can wake: test() says so on stderr and the process exits with 1", async () => {
  const out = await runFixture("test-deadlock");
  assert.is(out.signal, null, `the child had to be killed; stderr: ${out.stderr}`);
  assert.is(out.stdout, "waiting\n", "the test never finished");
  assert.ok(out.stderr.includes('tokio-ts test("waits for ever"): the body is still waiting, but nothing is left that could wake it'), out.stderr);
  assert.not.match(out.stderr, /Runtime\.blockOn\(\) bod/, "said once, in test()'s words");
  assert.is(out.code, 1, out.stderr);
});

uvu("tests running at once share one beforeExit listener for the deadlock report, removed when the last ends", async () => {
  const handlers: (() => Promise<void>)[] = [];
  const suite: TestRegistrar = (_name, handler) => void handlers.push(handler);
  for (let i = 0; i < 12; i++) {
    test(`concurrent ${i}`, function* () {
      yield* sleep(10);
    }, { suite, leakCheck: false }); // running at once, each would see the others' handles
  }
  const before = process.listenerCount("beforeExit");
  const running = handlers.map((handler) => handler());
  const during = process.listenerCount("beforeExit");
  await Promise.all(running);
  assert.equal({ during: during - before, after: process.listenerCount("beforeExit") - before }, { during: 1, after: 0 });
});

uvu.run();
