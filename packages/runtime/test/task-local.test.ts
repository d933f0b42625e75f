import { test } from "uvu";
import * as assert from "uvu/assert";
import { Pending, pollFn } from "@tokio-ts/core";
import { spawn, taskLocal, tryTaskId, yieldNow } from "../src/index.js";
import { withRuntime } from "./helpers.js";

test("a task-local is visible across yield* in a generator body", async () => {
  const KEY = taskLocal<string>("KEY");
  const seen = await withRuntime((rt) =>
    rt.blockOn(function* () {
      return yield* KEY.scope("gen", function* () {
        const before = KEY.get();
        yield* yieldNow();
        return [before, KEY.get()];
      });
    }),
  );
  assert.equal(seen, ["gen", "gen"]);
});

test("a task-local is visible across await in an async body, after our futures and foreign promises", async () => {
  const KEY = taskLocal<string>("KEY");
  const seen = await withRuntime((rt) =>
    rt.blockOn(async () =>
      KEY.scope("async", async () => {
        const seen = [KEY.get()];
        await yieldNow();
        seen.push(KEY.get());
        await new Promise<void>((resolve) => queueMicrotask(resolve));
        seen.push(KEY.get());
        return seen;
      }),
    ),
  );
  assert.equal(seen, ["async", "async", "async"]);
});

test("task-locals of interleaved tasks are isolated from each other", async () => {
  const KEY = taskLocal<number>("KEY");
  const seen = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const seen: string[] = [];
      const hs = [1, 2].map((n) =>
        spawn(function* () {
          yield* KEY.scope(n, function* () {
            for (let i = 0; i < 3; i++) {
              seen.push(`gen ${n}:${KEY.get()}`);
              yield* yieldNow();
            }
          });
        }),
      );
      const as = [3, 4].map((n) =>
        spawn(async () => {
          await KEY.scope(n, async () => {
            for (let i = 0; i < 3; i++) {
              seen.push(`async ${n}:${KEY.get()}`);
              await yieldNow();
            }
          });
        }),
      );
      for (const h of [...hs, ...as]) yield* h;
      return seen;
    }),
  );
  assert.is(seen.length, 12);
  for (const entry of seen) {
    const [, n, value] = /^\w+ (\d):(\d+)$/.exec(entry)!;
    assert.is(value, n, entry);
  }
});

test("a spawned task does not inherit the spawner's task-locals", async () => {
  const KEY = taskLocal<string>("KEY");
  const inChild = await withRuntime((rt) =>
    rt.blockOn(function* () {
      return yield* KEY.scope("parent", function* () {
        const h = spawn(function* () {
          return KEY.tryGet();
        });
        return yield* h;
      });
    }),
  );
  assert.is(inChild, undefined);
});

test("an aborted task whose body is a scope is cancelled as its body alone would be: the generator's finally may yield*, the async function unwinds first", async () => {
  const KEY = taskLocal<number>("KEY");
  const never = () => pollFn<never>(() => Pending);
  const logs = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const gen: string[] = [];
      const asy: string[] = [];
      const g = spawn(
        KEY.scope(1, function* () {
          try {
            yield* never();
          } finally {
            gen.push("finally");
            yield* yieldNow(); // cleanup that waits
            gen.push(`cleanup ${KEY.tryGet()}`);
          }
        }),
      );
      const a = spawn(
        KEY.scope(2, async () => {
          try {
            await never();
          } catch {
            // CancelledError
          } finally {
            asy.push("finally");
            await Promise.resolve();
            asy.push(`cleanup ${KEY.tryGet()}`);
          }
        }),
      );
      yield* yieldNow();
      g.abort();
      a.abort();
      for (const [h, log] of [[g, gen], [a, asy]] as const) {
        try {
          yield* h;
        } catch (e) {
          log.push((e as { isCancelled(): boolean }).isCancelled() ? "handle: cancelled" : "handle: other");
        }
      }
      return { gen, asy };
    }),
  );
  assert.equal(logs.gen, ["finally", "cleanup 1", "handle: cancelled"]);
  assert.equal(logs.asy, ["finally", "cleanup 2", "handle: cancelled"]);
});

test("a scope dropped before its first poll drops the inner future with the value bound, in the task", async () => {
  const KEY = taskLocal<number>("KEY");
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      let seen: [number | undefined, number | undefined] | undefined;
      const h = spawn(
        KEY.scope(
          42,
          pollFn(
            () => Pending,
            () => {
              seen = [KEY.tryGet(), tryTaskId()];
            },
          ),
        ),
      );
      h.abort(); // before the task's first poll
      try {
        yield* h;
      } catch {}
      return { seen, id: h.id };
    }),
  );
  assert.equal(out.seen, [42, out.id]);
});

test("get() outside a scope throws naming the key and the calls that bind or probe it", async () => {
  const KEY = taskLocal<string>("REQUEST_ID");
  const error = await withRuntime((rt) =>
    rt.blockOn(function* () {
      try {
        KEY.get();
      } catch (e) {
        return e;
      }
      return undefined;
    }),
  );
  assert.instance(error, Error);
  assert.is(
    (error as Error).message,
    "cannot access task-local REQUEST_ID: it is not set in this task: run the code inside " +
      "the key's scope(value, body) or syncScope(value, fn), or use tryGet()",
  );
});

test("tryGet() is undefined outside a scope and outside any runtime", () => {
  const KEY = taskLocal<string>("KEY");
  assert.is(KEY.tryGet(), undefined);
});

test("the value is gone after the scope ends", async () => {
  const KEY = taskLocal<string>("KEY");
  const after = await withRuntime((rt) =>
    rt.blockOn(function* () {
      yield* KEY.scope("inside", function* () {
        yield* yieldNow();
      });
      return KEY.tryGet();
    }),
  );
  assert.is(after, undefined);
});

test("an inner scope of the same key shadows the outer one and restores it after", async () => {
  const KEY = taskLocal<string>("KEY");
  const seen = await withRuntime((rt) =>
    rt.blockOn(function* () {
      return yield* KEY.scope("outer", function* () {
        const inner = yield* KEY.scope("inner", function* () {
          yield* yieldNow();
          return KEY.get();
        });
        return [inner, KEY.get()];
      });
    }),
  );
  assert.equal(seen, ["inner", "outer"]);
});

test("syncScope binds the value for a synchronous function, also outside a runtime", () => {
  const KEY = taskLocal<number>("KEY");
  const seen = KEY.syncScope(7, () => KEY.get());
  assert.is(seen, 7);
  assert.is(KEY.tryGet(), undefined);
});

test("taskLocal(name) requires a string name: a TypeError naming name", () => {
  for (const [name, type] of [[123, "number"], [null, "null"], [{}, "object"]] as const) {
    try {
      taskLocal(name as never);
      assert.unreachable(`accepted ${String(name)}`);
    } catch (error) {
      assert.instance(error, TypeError);
      assert.is((error as Error).message, `taskLocal: name must be a string, got ${type}`);
    }
  }
  assert.is(taskLocal().name, "task-local");
});

test("syncScope with a non-function fn throws a TypeError naming fn, binding nothing", () => {
  const KEY = taskLocal<number>("KEY");
  for (const [fn, type] of [[null, "null"], [5, "number"]] as const) {
    try {
      KEY.syncScope(1, fn as never);
      assert.unreachable(`accepted ${String(fn)}`);
    } catch (error) {
      assert.instance(error, TypeError);
      assert.is((error as Error).message, `syncScope: fn must be a function, got ${type}`);
    }
  }
  assert.is(KEY.tryGet(), undefined);
});

test("two keys are independent", async () => {
  const A = taskLocal<string>("A");
  const B = taskLocal<string>("B");
  const seen = await withRuntime((rt) =>
    rt.blockOn(function* () {
      return yield* A.scope("a", function* () {
        return yield* B.scope("b", function* () {
          yield* yieldNow();
          return [A.get(), B.get()];
        });
      });
    }),
  );
  assert.equal(seen, ["a", "b"]);
});

test.run();
