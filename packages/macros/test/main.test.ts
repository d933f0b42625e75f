import { test } from "uvu";
import * as assert from "uvu/assert";
import { fromPromise, pending, ready, toPromise } from "@tokio-ts/core";
import { ctrlC } from "@tokio-ts/io-driver";
import { spawn, yieldNow } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { DEADLOCK_MESSAGE, main } from "../src/main.js";
import { runFixture } from "./run-fixture.js";
import { throwsWith } from "./throws-with.js";

test("main resolves with the body's result (generator, async function and future bodies)", async () => {
  const exitCode = process.exitCode;
  assert.is(await main(function* () { return 1; }, { handleSignals: false }), 1);
  assert.is(await main(async () => "two", { handleSignals: false }), "two");
  assert.is(await main(ready(3), { handleSignals: false }), 3);
  assert.is(process.exitCode, exitCode, "a successful body leaves the exit code alone");
});

test("main runs what a plain function body returns, as spawn does: a generator object or a future", async () => {
  function* worker(n: number): Generator<unknown, number, unknown> {
    yield* sleep(1);
    return n * 2;
  }
  assert.is(await main(() => worker(21), { startPaused: true, handleSignals: false }), 42);
  assert.is(await main(() => ready("four"), { handleSignals: false }), "four");
  assert.is(await main(() => 5, { handleSignals: false }), 5);
  assert.is(await main(worker(3), { startPaused: true, handleSignals: false }), 6);
});

test("a body that returns a future (not yield* it) gets that future run on the runtime before it ends, in paused time too", async () => {
  const exitCode = process.exitCode;
  assert.is(
    await main(function* () {
      return sleep(3_600_000); // an hour of paused time: only the runtime's auto-advance ends it
    }, { startPaused: true, handleSignals: false }),
    undefined,
  );
  assert.is(
    await main(function* () {
      return fromPromise(Promise.resolve("adopted"));
    }, { handleSignals: false }),
    "adopted",
  );
  assert.is(process.exitCode, exitCode);
});

test("main runs the body in paused time when asked, with the time driver enabled", async () => {
  const result = await main(
    function* () {
      const worker = spawn(function* () {
        yield* sleep(86_400_000);
        return "a day later";
      });
      return yield* worker;
    },
    { startPaused: true, rngSeed: 5, handleSignals: false },
  );
  assert.is(result, "a day later");
});

test("main rejects the multiThread flavor and unknown flavors at the call", () => {
  assert.throws(() => main(function* () {}, { flavor: "multiThread" }), /"multiThread" flavor is not available: tokio-ts has the current-thread runtime only/);
  assert.throws(() => main(function* () {}, { flavor: "threads" as never }), (e: unknown) => e instanceof TypeError);
  throwsWith(() => main(function* () {}, { rngSeed: 1.5 }), RangeError, "main(): options.rngSeed must be a safe integer, got 1.5");
  throwsWith(() => main(function* () {}, { rngSeed: "7" as never }), TypeError, "main(): options.rngSeed must be a number, got string");
  throwsWith(() => main(function* () {}, { name: 7 as never }), TypeError, "main(): options.name must be a string, got number");
});

test("main rejects bad options with a TypeError at the call, before the body runs or a handler is installed", () => {
  const listeners = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
  let ran = false;
  const body = function* () {
    ran = true;
  };
  throwsWith(() => main(body, { startPaused: "false" as never }), TypeError, "main(): options.startPaused must be a boolean, got string");
  throwsWith(() => main(body, { handleSignals: "no" as never }), TypeError, "main(): options.handleSignals must be a boolean, got string");
  throwsWith(() => main(body, 5 as never), TypeError, "main(): options must be an object, got number");
  throwsWith(() => main(body, null as never), TypeError, "main(): options must be an object, got null");
  throwsWith(() => main(body, Promise.resolve({}) as never), TypeError, "main(): options must be an object, got a promise (await it first)");
  throwsWith(
    () => main(body, { bogus: 1 } as never),
    TypeError,
    'main(): unknown option "bogus" (known: flavor, startPaused, rngSeed, unhandledPanic, handleSignals, name)',
  );
  assert.not.ok(ran);
  assert.equal([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")], listeners);
});

test("main removes its signal listeners when it ends", async () => {
  const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
  const running = main(function* () {
    assert.is(process.listenerCount("SIGINT"), before[0]! + 1);
    assert.is(process.listenerCount("SIGTERM"), before[1]! + 1);
  });
  await running;
  assert.equal([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")], before);
});

test("eleven main() calls at once share one listener per event: no MaxListenersExceededWarning, and a signal reaches each", async () => {
  const events = ["SIGINT", "SIGTERM", "beforeExit"] as const;
  const before = events.map((event) => process.listenerCount(event));
  const warnings: Error[] = [];
  const collect = (warning: Error) => warnings.push(warning);
  process.on("warning", collect);
  const exitCode = process.exitCode;
  try {
    let started = 0;
    let cancelled = 0;
    const calls = Array.from({ length: 11 }, (_, i) =>
      main(function* () {
        started++;
        try {
          yield* pending();
        } finally {
          cancelled++;
        }
        return i;
      }),
    );
    while (started < 11) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(events.map((event) => process.listenerCount(event)), before.map((n) => n + 1));
    process.emit("SIGTERM", "SIGTERM"); // as Node delivers it: the listeners get the signal's name
    assert.equal(await Promise.all(calls), Array(11).fill(undefined));
    assert.is(cancelled, 11);
    assert.is(process.exitCode, 143);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(warnings, []);
    assert.equal(events.map((event) => process.listenerCount(event)), before);
  } finally {
    process.off("warning", collect);
    process.exitCode = exitCode;
  }
});

/** Run `fn` with console.error captured and process.exitCode restored afterwards. */
async function capturing<R>(fn: () => Promise<R>): Promise<{ result: R; printed: unknown[][]; exitCode: typeof process.exitCode }> {
  const { error } = console;
  const exitCode = process.exitCode;
  const printed: unknown[][] = [];
  console.error = (...args: unknown[]) => void printed.push(args);
  try {
    const result = await fn();
    return { result, printed, exitCode: process.exitCode };
  } finally {
    console.error = error;
    process.exitCode = exitCode;
  }
}

test("a body that throws: main prints the error once, sets exit code 1 and resolves undefined", async () => {
  const boom = new Error("boom");
  const out = await capturing(() => main(function* (): Generator<unknown, number> { throw boom; }, { handleSignals: false }));
  assert.is(out.result, undefined);
  assert.is(out.exitCode, 1);
  assert.equal(out.printed, [[boom]]);
});

test("unhandledPanic shutdownRuntime: a spawned task's panic ends main with exit code 1, its error as the cause", async () => {
  const boom = new Error("worker failed");
  let cleanedUp = false;
  const out = await capturing(() =>
    main(
      function* () {
        spawn(function* () {
          yield* sleep(1);
          throw boom;
        });
        try {
          yield* sleep(60_000);
        } finally {
          cleanedUp = true;
        }
      },
      { startPaused: true, unhandledPanic: "shutdownRuntime", handleSignals: false },
    ),
  );
  assert.is(out.exitCode, 1);
  assert.is(out.printed.length, 1);
  const printed = out.printed[0]![0] as Error;
  assert.match(printed.message, "panicked");
  assert.is(printed.cause, boom);
  assert.ok(cleanedUp, "the body was dropped by the shutdown");
});

test("SIGINT: a generator body given as a generator object, or returned by a plain function, may still yield in its finally block", async () => {
  const exitCode = process.exitCode;
  let cleanedUp = 0;
  function* worker(): Generator<unknown, string, unknown> {
    try {
      setImmediate(() => process.kill(process.pid, "SIGINT"));
      yield* sleep(3_600_000); // a real timer keeps the process alive until the signal comes
      return "woke up";
    } finally {
      yield* yieldNow();
      cleanedUp++;
    }
  }
  try {
    assert.is(await main(worker()), undefined);
    assert.is(cleanedUp, 1, "the finally block ran past its yield (generator object)");
    assert.is(process.exitCode, 130);
    process.exitCode = exitCode;
    assert.is(await main(() => worker()), undefined);
    assert.is(cleanedUp, 2, "the finally block ran past its yield (plain function)");
    assert.is(process.exitCode, 130);
  } finally {
    process.exitCode = exitCode;
  }
});

/**
 * Run `fn` (which calls `main` and sends itself SIGINT) with a real timer keeping the process
 * alive, so the signal has time to arrive; then check that no SIGINT listener is left behind,
 * and give `process.exitCode` back its value. `fn` gets that value to compare against.
 */
async function withSignalTest(fn: (exitCodeBefore: typeof process.exitCode) => Promise<void>): Promise<void> {
  const exitCode = process.exitCode;
  const before = process.listenerCount("SIGINT");
  const keepAlive = setTimeout(() => {}, 3_600_000);
  try {
    await fn(exitCode);
    assert.is(process.listenerCount("SIGINT"), before, "no SIGINT listener left behind");
  } finally {
    clearTimeout(keepAlive);
    process.exitCode = exitCode;
  }
}

test("a body waiting in ctrlC() gets the Ctrl-C: main cancels nothing, the body goes on and returns", () =>
  withSignalTest(async (exitCode) => {
    const out = await main(function* () {
      setImmediate(() => process.kill(process.pid, "SIGINT"));
      yield* ctrlC();
      yield* yieldNow(); // not cancelled: the body goes on after the signal
      return "shut down by itself";
    });
    assert.is(out, "shut down by itself");
    assert.is(process.exitCode, exitCode, "a body that returned leaves the exit code alone");
  }));

test("a ctrlC() wait that began before main() still has the signal: main's listener runs first and sees it", () =>
  withSignalTest(async (exitCode) => {
    const interrupted = toPromise(ctrlC()); // polled now: its listener is on before main's
    const out = await main(function* () {
      setImmediate(() => process.kill(process.pid, "SIGINT"));
      yield* fromPromise(interrupted);
      return "saw it";
    });
    assert.is(out, "saw it");
    assert.is(process.exitCode, exitCode);
  }));

test("once the ctrlC() wait is over, the next SIGINT is main's again: the body is cancelled (130)", () =>
  withSignalTest(async () => {
    let cleanedUp = false;
    const out = await main(function* () {
      setImmediate(() => process.kill(process.pid, "SIGINT"));
      yield* ctrlC();
      setImmediate(() => process.kill(process.pid, "SIGINT"));
      try {
        yield* sleep(10_000); // ends the test (failing it) if the signal was not main's
        return "not cancelled";
      } finally {
        cleanedUp = true;
      }
    });
    assert.is(out, undefined);
    assert.ok(cleanedUp);
    assert.is(process.exitCode, 130);
  }));

test("a plain process listener (a library's cleanup hook) does not keep main from cancelling the body on SIGINT", async () => {
  const exitCode = process.exitCode;
  let hookRan = 0;
  const hook = (): void => {
    hookRan++;
  };
  process.on("SIGINT", hook); // what signal-exit and the like install
  try {
    const out = await main(function* () {
      setImmediate(() => process.kill(process.pid, "SIGINT"));
      yield* sleep(10_000); // a real timer keeps the process alive until the signal comes, and ends the test (failing it) if main did not cancel
      return "not cancelled";
    });
    assert.is(out, undefined);
    assert.is(hookRan, 1, "the other listener ran too");
    assert.is(process.exitCode, 130);
  } finally {
    process.off("SIGINT", hook);
    process.exitCode = exitCode;
  }
});

test("a program whose body succeeds exits with code 0 and main returns the body's result", async () => {
  const out = await runFixture("ok");
  assert.is(out.signal, null, `the child had to be killed; stderr: ${out.stderr}`);
  assert.is(out.code, 0, out.stderr);
  assert.is(out.stdout, "result 42\n");
  assert.is(out.stderr, "");
});

test("a program whose body throws prints the error on stderr and exits with code 1", async () => {
  const out = await runFixture("fail");
  assert.is(out.signal, null, `the child had to be killed; stderr: ${out.stderr}`);
  assert.is(out.code, 1, out.stderr);
  assert.match(out.stderr, "Error: boom from the body");
  assert.is(out.stdout, "result undefined\n", "main resolves (with undefined) rather than rejecting");
});

test("a body that waits on what nothing can wake: main says so on stderr and the program exits with 1, not 0", async () => {
  const out = await runFixture("deadlock");
  assert.is(out.signal, null, `the child had to be killed; stderr: ${out.stderr}`);
  assert.is(out.stdout, "waiting\n", "main never resolves: the body never finished");
  assert.ok(out.stderr.includes(DEADLOCK_MESSAGE), out.stderr);
  assert.not.match(out.stderr, /Runtime\.blockOn\(\) bod/, "said once, in main's words: not the runtime's report as well");
  assert.not.match(out.stderr, /It waits for SIG/, "no signal wait: no signal hint");
  assert.is(out.code, 1, out.stderr);
});

test("a body waiting on a Handle.blockOn of main's runtime that never ends: one report, main's", async () => {
  const out = await runFixture("deadlock-handle");
  assert.is(out.stdout, "waiting\n");
  assert.ok(out.stderr.includes(DEADLOCK_MESSAGE), out.stderr);
  assert.not.match(out.stderr, /Runtime\.blockOn\(\) bod/, "not the runtime's report as well");
  assert.is(out.code, 1, out.stderr);
});

test("a body whose only wait is ctrlC(): main's deadlock report says that Node keeps no process alive for a signal", async () => {
  const out = await runFixture("ctrl-c-only");
  assert.is(out.signal, null, `the child had to be killed; stderr: ${out.stderr}`);
  assert.is(out.stdout, "waiting for ctrl-c\n");
  assert.ok(out.stderr.includes(DEADLOCK_MESSAGE), out.stderr);
  assert.match(out.stderr, /It waits for SIGINT \(ctrlC\(\) or signal\(\)\), but Node does not keep a process alive for signal listeners/);
  assert.is(out.code, 1, out.stderr);
});

for (const kind of ["gen", "async"] as const) {
  test(`a signal-cancelled ${kind} body whose finally throws: main prints that error and exits with 1, not 130`, async () => {
    const out = await runFixture("signal-cleanup-throws", "SIGINT", [kind]);
    assert.is(out.signal, null, `the child was killed by a signal; stderr: ${out.stderr}`);
    assert.is(out.stdout, "ready\nresult undefined\n");
    assert.match(out.stderr, /cleanup failed/);
    assert.is(out.code, 1, out.stderr);
  });
}

test("a signal while main's shutdown waits for a blocking job stops the wait: main resolves, the process is not killed half-way, and exits with the signal's code", async () => {
  const out = await runFixture("signal-during-shutdown", "SIGINT");
  assert.is(out.signal, null, `the child was killed by a signal; stderr: ${out.stderr}`);
  assert.is(out.stdout, "ready\nresult done\n", out.stderr);
  assert.is(out.code, 130, "the job was cut short: not a success");
});

test("main runs a future written as a plain object with poll and cancel, given or returned", async () => {
  const out = await runFixture("plain-future");
  assert.is(out.stdout, "direct 7\nreturned 8\n", out.stderr);
  assert.is(out.code, 0, out.stderr);
});

test("SIGINT cancels the body, its finally block runs (and may yield), and the program exits with 130", async () => {
  const out = await runFixture("signal", "SIGINT");
  assert.is(out.signal, null, `the child was killed by a signal instead of exiting; stderr: ${out.stderr}`);
  assert.is(out.stdout, "ready\ncleaned up\nresult undefined\n", out.stderr);
  assert.is(out.code, 130, out.stderr);
  assert.is(out.stderr, "");
});

test("SIGTERM cancels the body the same way and the program exits with 143", async () => {
  const out = await runFixture("signal", "SIGTERM");
  assert.is(out.signal, null, `the child was killed by a signal instead of exiting; stderr: ${out.stderr}`);
  assert.is(out.stdout, "ready\ncleaned up\nresult undefined\n", out.stderr);
  assert.is(out.code, 143, out.stderr);
});

test.run();
