import { test } from "uvu";
import * as assert from "uvu/assert";
import { fromPromise, pending } from "@tokio-ts/core";
import { Builder, Handle, JoinError, spawn, yieldNow, type TaskMeta } from "../src/index.js";
import { hostTurn, rejection, withRuntime } from "./helpers.js";

function throwsWith(fn: () => unknown, kind: typeof RangeError | typeof TypeError, message: string | RegExp): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, kind);
    if (typeof message === "string") assert.ok((error as Error).message.startsWith(message), (error as Error).message);
    else assert.match((error as Error).message, message);
    return;
  }
  assert.unreachable("expected a throw");
}

test("eventInterval(0) throws RangeError \"eventInterval must be greater than 0\"", () => {
  throwsWith(() => Builder.newCurrentThread().eventInterval(0), RangeError, "eventInterval must be greater than 0");
});

test("eventInterval rejects negative and fractional values with a RangeError and non-numbers with a TypeError", () => {
  throwsWith(() => Builder.newCurrentThread().eventInterval(-1), RangeError, "eventInterval must be greater than 0");
  throwsWith(() => Builder.newCurrentThread().eventInterval(1.5), RangeError, "eventInterval must be greater than 0");
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

test("startPaused(true) without enableTime() fails at build() saying which call is missing", () => {
  assert.throws(() => Builder.newCurrentThread().startPaused(true).build(), /call enableTime\(\) on the builder/);
});

test("name() names the runtime's handle", async () => {
  const name = await withRuntime((rt) => rt.blockOn(() => Handle.current().name), Builder.newCurrentThread().name("my-rt"));
  assert.is(name, "my-rt");
});

test("onTaskSpawn and onTaskTerminate are called with each task's id", async () => {
  const spawned: number[] = [];
  const terminated: number[] = [];
  const ids = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
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
      }),
    Builder.newCurrentThread()
      .onTaskSpawn((meta: TaskMeta) => spawned.push(meta.id))
      .onTaskTerminate((meta: TaskMeta) => terminated.push(meta.id)),
  );
  for (const id of ids) {
    assert.ok(spawned.includes(id), `spawn of ${id}`);
    assert.ok(terminated.includes(id), `termination of ${id}`);
  }
  assert.is(spawned.length, 3, "the blockOn task and the two spawned ones");
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

test("unhandledPanic(\"shutdownRuntime\") shuts the runtime down and rejects blockOn when a task throws", async () => {
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
        spawn(function* () {
          yield* yieldNow();
          throw boom;
        });
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

test("builder methods chain and return the builder", () => {
  const b = Builder.newCurrentThread();
  assert.is(b.eventInterval(3).globalQueueInterval(2).rngSeed(1).shuffleSchedule().name("x").enableAll().enableDriver("y"), b);
});

test.run();
