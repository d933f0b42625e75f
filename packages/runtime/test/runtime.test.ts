import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ContextError, pending, pollFn, ready } from "@tokio-ts/core";
import { Builder, Handle, JoinError, spawn, yieldNow, type JoinHandle } from "../src/index.js";
import { Flag, hostTurn, rejection, reportingTo, reportTurns, withRuntime } from "./helpers.js";

test("blockOn resolves with the output of a generator, an async function and a future", async () => {
  const outs = await withRuntime(async (rt) => [
    await rt.blockOn(function* () {
      return "gen";
    }),
    await rt.blockOn(async () => "async"),
    await rt.blockOn(ready("future")),
  ]);
  assert.equal(outs, ["gen", "async", "future"]);
});

test("blockOn rejects with the body's own error, unwrapped", async () => {
  const boom = new Error("boom");
  const error = await withRuntime((rt) =>
    rejection(
      rt.blockOn(function* () {
        yield* yieldNow();
        throw boom;
      }),
    ),
  );
  assert.is(error, boom);
});

test("blockOn on a runtime that was shut down rejects with ContextError ERR_RUNTIME_SHUTDOWN", async () => {
  const rt = Builder.newCurrentThread().build();
  await rt.shutdownTimeout(0);
  const error = await rejection(rt.blockOn(ready(1)));
  assert.instance(error, ContextError);
  assert.is((error as ContextError).code, "ERR_RUNTIME_SHUTDOWN");
});

test("shutdown runs the finally blocks of suspended generator tasks", async () => {
  const rt = Builder.newCurrentThread().build();
  const log: string[] = [];
  // The handle is wrapped: a JoinHandle is a thenable, so resolving a promise with it would await it.
  const { h } = await rt.blockOn(function* () {
    const h = spawn(function* () {
      try {
        yield* pending();
      } finally {
        log.push("finally");
      }
    });
    yield* yieldNow();
    return { h };
  });
  assert.equal(log, []);
  await rt.shutdownTimeout(1000);
  assert.equal(log, ["finally"]);
  assert.ok(h.isFinished());
  assert.ok(rt.isShutdown());
});

test("shutdown drops every alive task wherever it waits: parked, woken and queued, or spawned and never polled", async () => {
  const rt = Builder.newCurrentThread().build();
  const log: string[] = [];
  const woken = new Flag();
  const handles: Record<string, JoinHandle<void>> = {};
  const root = rt.blockOn(function* () {
    handles.parked = spawn(function* () {
      try {
        yield* pending();
      } finally {
        log.push("parked");
      }
    });
    handles.woken = spawn(function* () {
      try {
        yield* woken.wait(); // woken below, then dropped before it runs again
        yield* pending();
      } finally {
        log.push("woken");
      }
    });
    yield* yieldNow(); // both start and wait
    woken.notify();
    handles.unpolled = spawn(function* () {
      log.push("unpolled ran");
    });
    rt.shutdownBackground(); // takes effect when this poll returns
    yield* pending();
  });
  const rootError = await rejection(root);
  assert.ok((rootError as JoinError).isCancelled());
  assert.equal(log.sort(), ["parked", "woken"]);
  for (const [name, h] of Object.entries(handles)) {
    assert.ok(h.isFinished(), `${name} finished`);
    assert.ok(((await rejection(h)) as JoinError).isCancelled(), `${name} cancelled`);
  }
  assert.is(rt.metrics().numAliveTasks(), 0);
});

test("shutdown drops exactly the tasks still parked after others parked around them completed, in a scrambled order", async () => {
  const rt = Builder.newCurrentThread().build();
  const n = 64;
  const flags = Array.from({ length: n }, () => new Flag());
  const dropped: number[] = [];
  const finished: number[] = [];
  // Each task parks on its flag; a notified one finishes, the rest wait for the shutdown.
  const body = function* (i: number) {
    try {
      yield* flags[i]!.wait();
      finished.push(i);
    } finally {
      if (!finished.includes(i)) dropped.push(i);
    }
  };
  // Every third index, in an order unlike the order of parking (7 is coprime with 64).
  const released = Array.from({ length: n }, (_, k) => (k * 7) % n).filter((i) => i % 3 === 0);
  await rt.blockOn(function* () {
    for (let i = 0; i < n; i++) spawn(body(i));
    yield* yieldNow(); // all park
    for (const i of released) {
      flags[i]!.notify();
      yield* yieldNow(); // that one finishes and leaves the parked tasks
    }
  });
  assert.equal([...finished].sort((a, b) => a - b), [...released].sort((a, b) => a - b));
  assert.is(rt.metrics().numAliveTasks(), n - released.length);
  await rt.shutdownTimeout(1000);
  const expected = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0);
  assert.equal([...dropped].sort((a, b) => a - b), expected, "each still-parked task dropped once, no finished one");
  assert.is(rt.metrics().numAliveTasks(), 0);
});

test("the handle of a task dropped by shutdown rejects with a cancelled JoinError", async () => {
  const rt = Builder.newCurrentThread().build();
  const h = rt.spawn(function* () {
    yield* pending();
  });
  await rt.shutdownTimeout(0);
  const error = await rejection(h);
  assert.instance(error, JoinError);
  assert.ok((error as JoinError).isCancelled());
});

test("shutdown while blockOn is pending rejects it with a cancelled JoinError", async () => {
  const rt = Builder.newCurrentThread().build();
  const promise = rt.blockOn(function* () {
    yield* pending();
  });
  await Promise.resolve();
  rt.shutdownBackground();
  const error = await rejection(promise);
  assert.instance(error, JoinError);
  assert.ok((error as JoinError).isCancelled());
});

test("shutdown drops futures that a finally block yields, unpolled, so it always ends", async () => {
  const rt = Builder.newCurrentThread().build();
  const log: string[] = [];
  rt.spawn(function* () {
    try {
      yield* pending();
    } finally {
      log.push("finally start");
      yield* pending();
      log.push("not reached");
    }
  });
  await rt.blockOn(yieldNow());
  await rt.shutdownTimeout(0);
  assert.equal(log, ["finally start"]);
});

test("shutdown reports what an async task's finally block throws while it unwinds; its handle says cancelled", async () => {
  const reported: JoinError[] = [];
  const boom = new Error("thrown from an async finally at shutdown");
  const log: string[] = [];
  const rt = reportingTo(reported).build();
  const h = rt.spawn(async () => {
    try {
      await pending();
    } finally {
      log.push("finally");
      throw boom;
    }
  });
  await rt.blockOn(yieldNow()); // the task is now waiting in pending()
  await rt.shutdownTimeout(0);
  await reportTurns();
  assert.equal(log, ["finally"]);
  const error = await rejection(h);
  assert.ok((error as JoinError).isCancelled(), "the handle was told at shutdown, before the function unwound");
  assert.equal(
    reported.map((e) => [e.id, e.isPanic(), e.cause]),
    [[h.id, true, boom]],
  );
});

test("shutdown reports what the finally block of a pending async blockOn body throws", async () => {
  const reported: JoinError[] = [];
  const boom = new Error("thrown from the blockOn body's finally at shutdown");
  const rt = reportingTo(reported).build();
  const promise = rt.blockOn(async () => {
    try {
      await pending();
    } finally {
      throw boom;
    }
  });
  await hostTurn();
  await rt.shutdownTimeout(0);
  const error = await rejection(promise);
  assert.ok((error as JoinError).isCancelled());
  await reportTurns();
  assert.equal(
    reported.map((e) => e.cause),
    [boom],
  );
});

test("shutdown reports nothing for an async task that unwinds cleanly or lets the cancellation error escape", async () => {
  const reported: JoinError[] = [];
  const log: string[] = [];
  const rt = reportingTo(reported).build();
  rt.spawn(async () => {
    try {
      await pending();
    } finally {
      log.push("clean");
    }
  });
  rt.spawn(async () => {
    try {
      await pending();
    } catch (error) {
      log.push("rethrows");
      throw error;
    }
  });
  await rt.blockOn(yieldNow());
  await rt.shutdownTimeout(0);
  await reportTurns();
  assert.equal(log.sort(), ["clean", "rethrows"]);
  assert.equal(reported, []);
});

test("a task spawned on a shut-down runtime never runs and its handle says cancelled", async () => {
  const rt = Builder.newCurrentThread().build();
  await rt.shutdownTimeout(0);
  let ran = false;
  const h = rt.spawn(function* () {
    ran = true;
  });
  const error = await rejection(h);
  assert.not.ok(ran);
  assert.ok((error as JoinError).isCancelled());
});

test("shutdownTimeout rejects a negative or NaN duration with a RangeError", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    assert.instance(await rejection(rt.shutdownTimeout(-1)), RangeError);
    assert.instance(await rejection(rt.shutdownTimeout(NaN)), RangeError);
  } finally {
    rt.shutdownBackground();
  }
});

test("shutdownTimeout rejects a non-number duration with a TypeError naming ms, and does not shut down", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    for (const [ms, type] of [["abc", "string"], [undefined, "undefined"], [null, "null"]] as const) {
      const error = await rejection(rt.shutdownTimeout(ms as never));
      assert.instance(error, TypeError);
      assert.is((error as Error).message, `ms must be a number, got ${type}`);
    }
    assert.not.ok(rt.isShutdown());
  } finally {
    rt.shutdownBackground();
  }
});

test("`await using` shuts the runtime down at the end of the scope", async () => {
  let outer: { isShutdown(): boolean } | undefined;
  {
    await using rt = Builder.newCurrentThread().build();
    outer = rt;
    await rt.blockOn(ready(1));
    assert.not.ok(rt.isShutdown());
  }
  assert.ok(outer!.isShutdown());
});

test("rt.spawn from outside the runtime runs the task", async () => {
  const out = await withRuntime(async (rt) => {
    const h = rt.spawn(async () => "outside");
    return await h;
  });
  assert.is(out, "outside");
});

test("other tasks keep running after blockOn resolved", async () => {
  const done = await withRuntime(async (rt) => {
    const flag = new Flag();
    const state = { done: false };
    await rt.blockOn(function* () {
      spawn(function* () {
        yield* flag.wait();
        state.done = true;
      });
      yield* yieldNow();
    });
    flag.notify();
    await rt.blockOn(yieldNow());
    return state.done;
  });
  assert.ok(done);
});

test("two runtimes in one process each run their own tasks", async () => {
  const rt1 = Builder.newCurrentThread().name("one").build();
  const rt2 = Builder.newCurrentThread().name("two").build();
  try {
    const body = function* () {
      const h = spawn(function* () {
        yield* yieldNow();
        return Handle.current().name;
      });
      return [Handle.current().name, yield* h];
    };
    const [a, b] = await Promise.all([rt1.blockOn(body), rt2.blockOn(body)]);
    assert.equal(a, ["one", "one"]);
    assert.equal(b, ["two", "two"]);
    assert.is(rt1.metrics().spawnedTasksCount(), 1);
    assert.is(rt2.metrics().spawnedTasksCount(), 1);
    assert.is.not(rt1.handle().id, rt2.handle().id);
  } finally {
    await rt1.shutdownTimeout(0);
    await rt2.shutdownTimeout(0);
  }
});

test("a task on one runtime can await a task of another runtime", async () => {
  const rt1 = Builder.newCurrentThread().build();
  const rt2 = Builder.newCurrentThread().build();
  try {
    const flag = new Flag();
    const remote: JoinHandle<string> = rt2.spawn(function* () {
      yield* flag.wait();
      return "from rt2";
    });
    const local = rt1.blockOn(function* () {
      return yield* remote;
    });
    await rt2.blockOn(yieldNow());
    flag.notify();
    assert.is(await local, "from rt2");
  } finally {
    await rt1.shutdownTimeout(0);
    await rt2.shutdownTimeout(0);
  }
});

test("shutting one runtime down leaves another running", async () => {
  const rt1 = Builder.newCurrentThread().build();
  const rt2 = Builder.newCurrentThread().build();
  try {
    await rt1.shutdownTimeout(0);
    assert.is(await rt2.blockOn(ready(2)), 2);
  } finally {
    await rt2.shutdownTimeout(0);
  }
});

test("a program whose runtime finished but was never shut down exits by itself with code 0", async () => {
  const fixture = fileURLToPath(new URL("./fixtures/unshut-runtime.js", import.meta.url));
  const result = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    // The timeout is a safety net so a hang fails this test instead of the whole run.
    const child = execFile(process.execPath, [fixture], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
      void error;
    });
  });
  assert.is(result.signal, null, `the process had to be killed (it did not exit by itself); stderr: ${result.stderr}`);
  assert.is(result.code, 0, result.stderr);
  assert.is(result.stdout, "done 3\n");
});

test("blockOn bodies still waiting when the process is about to exit are reported on stderr (a deadlock), once", async () => {
  const fixture = fileURLToPath(new URL("./fixtures/deadlocked-block-on.js", import.meta.url));
  const result = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [fixture], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
      void error;
    });
  });
  assert.is(result.signal, null, `the process had to be killed; stderr: ${result.stderr}`);
  assert.is(result.stdout, "finished 1\n");
  assert.match(result.stderr, /^tokio-ts: 2 Runtime\.blockOn\(\) bodies are still waiting, but nothing is left that could wake them .* A deadlock\?/);
  assert.is(result.stderr.split("tokio-ts:").length, 2, "one report");
  assert.is(result.code, 0, "the exit code is left alone");
});

test("Handle.current() inside a task is the runtime's handle; tryCurrent() outside is undefined", async () => {
  const same = await withRuntime((rt) =>
    rt.blockOn(async () => {
      await yieldNow();
      return Handle.current() === rt.handle();
    }),
  );
  assert.ok(same);
  assert.is(Handle.tryCurrent(), undefined);
  assert.throws(() => Handle.current(), (e: unknown) => e instanceof ContextError && /Handle\.current\(\) needs a runtime/.test(e.message));
});

test("Handle.spawn from outside the runtime runs the task on that runtime", async () => {
  const name = await withRuntime(async (rt) => {
    const h = rt.handle().spawn(function* () {
      return Handle.current().name;
    });
    return await h;
  }, Builder.newCurrentThread().name("named"));
  assert.is(name, "named");
});

test("blockOn of a body that returns a future runs that future on the runtime, inside a task", async () => {
  const where = await withRuntime((rt) =>
    rt.blockOn(function* () {
      // What `return sleep(10)` is: a future the body returns instead of awaiting it.
      return pollFn(() => (Handle.tryCurrent() !== undefined ? "polled on the runtime" : "polled outside"));
    }),
  );
  assert.is(where, "polled on the runtime");
});

test.run();
