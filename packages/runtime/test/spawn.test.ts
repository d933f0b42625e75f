import { test } from "uvu";
import * as assert from "uvu/assert";
import { ContextError, pending, ready } from "@tokio-ts/core";
import { JoinSet, spawn, taskId, tryTaskId, yieldNow, type JoinError, type JoinHandle } from "../src/index.js";
import { Flag, withRuntime } from "./helpers.js";

test("a spawned generator function's return value is its handle's output", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const h = spawn(function* () {
        yield* yieldNow();
        return "gen";
      });
      return yield* h;
    }),
  );
  assert.is(out, "gen");
});

test("a spawned async function's resolved value is its handle's output", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const h = spawn(async () => {
        await yieldNow();
        await Promise.resolve();
        return "async";
      });
      return yield* h;
    }),
  );
  assert.is(out, "async");
});

test("a spawned future's output is its handle's output", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      return yield* spawn(ready("future"));
    }),
  );
  assert.is(out, "future");
});

function* worker(id: number, log: string[]): Generator<unknown, number, any> {
  log.push(`start ${id}`);
  try {
    yield* yieldNow();
    return id * 10;
  } finally {
    log.push(`finally ${id}`);
  }
}

test("a spawned generator object runs as a task: its return value is its handle's output", async () => {
  const log: string[] = [];
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const handles = [spawn(worker(1, log)), spawn(worker(2, log))];
      assert.equal(log, [], "a generator object does not start before the spawner yields");
      const outputs: number[] = [];
      for (const h of handles) outputs.push(yield* h);
      return outputs;
    }),
  );
  assert.equal(out, [10, 20]);
  assert.equal(log, ["start 1", "start 2", "finally 1", "finally 2"]);
});

test("an aborted generator-object task runs its finally block and reports cancelled", async () => {
  const log: string[] = [];
  const error = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const h = spawn(worker(3, log));
      yield* yieldNow(); // started, suspended in yieldNow
      h.abort();
      try {
        yield* h;
        return undefined;
      } catch (e) {
        return e as JoinError;
      }
    }),
  );
  assert.ok(error?.isCancelled());
  assert.equal(log, ["start 3", "finally 3"]);
});

test("blockOn, Runtime.spawn and Handle.spawn take a generator object", async () => {
  const log: string[] = [];
  const [a, b, c] = await withRuntime(async (rt) => {
    const fromRuntime = rt.spawn(worker(5, log));
    const fromHandle = rt.handle().spawn(worker(6, log));
    const root = await rt.blockOn(worker(4, log));
    return [root, await fromRuntime, await fromHandle];
  });
  assert.equal([a, b, c], [40, 50, 60]);
  assert.equal(log.filter((l) => l.startsWith("finally")).sort(), ["finally 4", "finally 5", "finally 6"]);
});

test("an async task can await the handle of a generator task", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(async () => {
      const h = spawn(function* () {
        return 20;
      });
      return (await h) + 22;
    }),
  );
  assert.is(out, 42);
});

test("a spawned task does not start before the spawning task yields", async () => {
  const log = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const log: string[] = [];
      const h = spawn(function* () {
        log.push("child");
      });
      log.push("parent before yield");
      yield* h;
      log.push("parent after join");
      return log;
    }),
  );
  assert.equal(log, ["parent before yield", "child", "parent after join"]);
});

test("spawn outside a runtime throws ContextError ERR_NO_RUNTIME saying no runtime is running", () => {
  try {
    spawn(function* () {});
    assert.unreachable("spawn should throw");
  } catch (error) {
    assert.instance(error, ContextError);
    assert.is((error as ContextError).code, "ERR_NO_RUNTIME");
    assert.match((error as Error).message, "no runtime is running");
    assert.match((error as Error).message, "spawn()");
  }
});

test("spawn of something that is not a body throws a TypeError", async () => {
  const error = await withRuntime((rt) =>
    rt.blockOn(function* () {
      try {
        spawn(42 as never);
      } catch (e) {
        return e;
      }
      return undefined;
    }),
  );
  assert.instance(error, TypeError);
});

test("undefined is not a body: spawn and blockOn throw at the call, outside a drain too", async () => {
  const notABody = (e: unknown): boolean => e instanceof TypeError && /^body: .*got undefined$/.test(e.message);
  await withRuntime(async (rt) => {
    assert.throws(() => rt.spawn(undefined as never), notABody);
    assert.throws(() => rt.handle().spawn(undefined as never), notABody);
    assert.throws(() => rt.blockOn(undefined as never), notABody);
    assert.throws(() => rt.handle().blockOn(42 as never), (e: unknown) => e instanceof TypeError && /got number$/.test((e as Error).message));
    // From an async body, between drains.
    const errors = await rt.blockOn(async () => {
      await Promise.resolve();
      const caught: unknown[] = [];
      for (const call of [() => spawn(undefined as never), () => new JoinSet().spawn(undefined as never)]) {
        try {
          call();
        } catch (e) {
          caught.push(e);
        }
      }
      return caught;
    });
    assert.is(errors.length, 2);
    for (const e of errors) assert.ok(notABody(e), String(e));
  });
});

test("taskId() inside a task is the id of its handle, in both body kinds", async () => {
  const [genIds, asyncIds] = await withRuntime((rt) =>
    rt.blockOn(function* () {
      let seenGen = -1;
      let seenAsync = -1;
      const g = spawn(function* () {
        yield* yieldNow();
        seenGen = taskId();
      });
      const a = spawn(async () => {
        await yieldNow();
        await Promise.resolve();
        seenAsync = taskId();
      });
      yield* g;
      yield* a;
      return [
        [g.id, seenGen],
        [a.id, seenAsync],
      ];
    }),
  );
  assert.is(genIds[1], genIds[0]);
  assert.is(asyncIds[1], asyncIds[0]);
  assert.is.not(genIds[0], asyncIds[0]);
});

test("task ids are unique and stable whatever order they are first asked in: handle, taskId() inside, JoinError", async () => {
  const n = 200;
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const handles: JoinHandle<number>[] = [];
      for (let i = 0; i < n; i++) {
        handles.push(
          spawn(function* () {
            yield* yieldNow();
            if (i % 3 === 0) throw new Error(`boom ${i}`);
            return taskId();
          }),
        );
      }
      // Ask from the handles of the odd tasks first, last to first; the rest only after they ran.
      const early = new Map<number, number>();
      for (let i = n - 1; i >= 0; i--) if (i % 2 === 1) early.set(i, handles[i]!.id);
      const seen: number[] = [];
      for (let i = 0; i < n; i++) {
        try {
          seen.push(yield* handles[i]!);
        } catch (e) {
          seen.push((e as JoinError).id);
        }
      }
      return { early, seen, ids: handles.map((h) => h.id), again: handles.map((h) => h.id) };
    }),
  );
  assert.is(new Set(out.ids).size, n, "every id distinct");
  assert.equal(out.again, out.ids, "the same id on every read");
  assert.equal(out.seen, out.ids, "taskId() inside and the JoinError's id are the handle's");
  for (const [i, id] of out.early) assert.is(out.ids[i], id, `task ${i} kept the id read before it ran`);
});

test("taskId() outside a task throws ContextError and tryTaskId() is undefined", () => {
  assert.throws(() => taskId(), (e: unknown) => e instanceof ContextError && e.code === "ERR_NO_RUNTIME");
  assert.is(tryTaskId(), undefined);
});

test("yieldNow lets the other ready tasks run before the task continues", async () => {
  const log = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const log: string[] = [];
      const a = spawn(function* () {
        log.push("a1");
        yield* yieldNow();
        log.push("a2");
      });
      const b = spawn(function* () {
        log.push("b1");
        yield* yieldNow();
        log.push("b2");
      });
      yield* a;
      yield* b;
      return log;
    }),
  );
  assert.equal(log, ["a1", "b1", "a2", "b2"]);
});

test("a detached task (its handle ignored) keeps running to completion", async () => {
  const done = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const state = { done: false };
      spawn(function* () {
        yield* yieldNow();
        state.done = true;
      });
      for (let i = 0; i < 10 && !state.done; i++) yield* yieldNow();
      return state.done;
    }),
  );
  assert.ok(done);
});


test("async work an async task starts without awaiting it finishes after the task completes", async () => {
  const flag = new Flag();
  const seen: string[] = [];
  await withRuntime((rt) =>
    rt.blockOn(async () => {
      let detached: Promise<void> | undefined;
      await spawn(async () => {
        detached = (async () => {
          await flag.wait();
          seen.push("resumed");
        })();
        await yieldNow(); // the detached await is now registered with this task's body
      });
      flag.notify(); // after the task that started it completed
      await detached;
    }),
  );
  assert.equal(seen, ["resumed"]);
});

test("a body that declares a parameter gets an AbortSignal that fires on abort, in both body kinds", async () => {
  await withRuntime(async (rt) => {
    const reasons: string[] = [];
    await rt.blockOn(function* () {
      // No annotation on `signal`: the overloads give it its type (a compile-time check too).
      const asyncTask = spawn(async (signal) => {
        signal.addEventListener("abort", () => reasons.push(`async: ${(signal.reason as Error).message}`));
        await pending();
      });
      const genTask = spawn(function* (signal) {
        signal.addEventListener("abort", () => reasons.push(`generator: ${(signal.reason as Error).message}`));
        yield* pending();
      });
      yield* yieldNow();
      asyncTask.abort();
      genTask.abort();
      for (const h of [asyncTask, genTask]) {
        try {
          yield* h;
          assert.unreachable("an aborted task has no output");
        } catch (error) {
          assert.ok((error as JoinError).isCancelled());
        }
      }
      reasons.sort();
      assert.equal(reasons, [`async: task ${asyncTask.id} was cancelled`, `generator: task ${genTask.id} was cancelled`]);
    });
  });
});

test.run();
