import { test } from "uvu";
import * as assert from "uvu/assert";
import { ContextError } from "@tokio-ts/core";
import { JoinError } from "@tokio-ts/runtime";
import { blockingMetrics, spawnBlocking } from "../src/index.js";
import { withRuntime } from "./helpers.js";

async function failure(rt: import("@tokio-ts/runtime").Runtime, make: () => PromiseLike<unknown>): Promise<JoinError> {
  return rt.blockOn(async () => {
    try {
      await make();
    } catch (e) {
      return e as JoinError;
    }
    throw new Error("the job did not fail");
  });
}

test("a job that throws rejects the handle with a panicked JoinError whose cause keeps name, message and stack", async () => {
  await withRuntime(async (rt) => {
    const error = await rt.blockOn(function* () {
      const h = spawnBlocking(() => {
        function deepInside(): never {
          throw new RangeError("out of range here");
        }
        return deepInside();
      });
      try {
        yield* h;
      } catch (e) {
        return e as JoinError;
      }
      throw new Error("unreachable");
    });
    assert.instance(error, JoinError);
    assert.ok(error.isPanic());
    const cause = error.cause as RangeError;
    assert.instance(cause, RangeError);
    assert.is(cause.name, "RangeError");
    assert.is(cause.message, "out of range here");
    assert.match(cause.stack!, /RangeError: out of range here/);
    assert.match(cause.stack!, /deepInside/);
  });
});

test("an AggregateError keeps its errors, each rebuilt as an error", async () => {
  await withRuntime(async (rt) => {
    const error = await failure(rt, () =>
      spawnBlocking(() => {
        throw new AggregateError([new Error("first"), new TypeError("second")], "both failed");
      }),
    );
    const cause = error.cause as AggregateError;
    assert.instance(cause, AggregateError);
    assert.is(cause.message, "both failed");
    assert.equal(
      cause.errors.map((e: Error) => [e.constructor.name, e.message]),
      [
        ["Error", "first"],
        ["TypeError", "second"],
      ],
    );
  });
});

test("a custom error class keeps its name and own properties; a thrown non-error is the cause as is", async () => {
  await withRuntime(async (rt) => {
    const custom = await failure(rt, () =>
      spawnBlocking(() => {
        class QuotaError extends Error {
          override name = "QuotaError";
          code = "E_QUOTA";
          limit = 3;
        }
        throw new QuotaError("over quota", { cause: new TypeError("inner") });
      }),
    );
    const cause = custom.cause as Error & { code: string; limit: number };
    assert.is(cause.name, "QuotaError");
    assert.is(cause.message, "over quota");
    assert.is(cause.code, "E_QUOTA");
    assert.is(cause.limit, 3);
    assert.instance(cause.cause, TypeError);
    const plain = await failure(rt, () =>
      spawnBlocking(() => {
        throw { reason: "plain object" };
      }),
    );
    assert.equal(plain.cause, { reason: "plain object" });
  });
});

test("a subclass of a built-in error comes back as an instance of that built-in, with its own name", async () => {
  await withRuntime(async (rt) => {
    const e = await failure(rt, () =>
      spawnBlocking(() => {
        class LimitError extends RangeError {
          override name = "LimitError";
        }
        throw new LimitError("too many");
      }),
    );
    assert.instance(e.cause, RangeError);
    assert.is((e.cause as Error).name, "LimitError");
    assert.is((e.cause as Error).message, "too many");
  });
});

test("an error whose name getter throws fails its job with that error, and the worker lives on", async () => {
  await withRuntime(
    async (rt) => {
      const e = await failure(rt, () =>
        spawnBlocking(() => {
          const error = new Error("odd error");
          Object.defineProperty(error, "name", {
            get() {
              throw new Error("name getter threw");
            },
          });
          throw error;
        }),
      );
      assert.is((e.cause as Error).message, "odd error");
      const aggregate = await failure(rt, () =>
        spawnBlocking(() => {
          const error = new AggregateError([], "odd aggregate");
          Object.defineProperty(error, "errors", {
            get() {
              throw new Error("errors getter threw");
            },
          });
          throw error;
        }),
      );
      assert.is((aggregate.cause as Error).message, "odd aggregate");
      const ranged = await failure(rt, () =>
        spawnBlocking(() => {
          const error = new RangeError("odd range");
          Object.defineProperty(error, "name", {
            get() {
              throw new Error("name getter threw");
            },
          });
          throw error;
        }),
      );
      assert.instance(ranged.cause, RangeError, "its class, although its name could not be read");
      assert.is(await rt.blockOn(async () => spawnBlocking(() => "next job")), "next job");
      assert.is(blockingMetrics(rt.handle()).numBlockingThreads(), 1, "the same worker: it did not die");
    },
    (b) => b.maxBlockingThreads(1),
  );
});

test("a job that closes over an outer variable fails with an error that explains the closure rule", async () => {
  await withRuntime(async (rt) => {
    const factor = 3;
    const error = await failure(rt, () => spawnBlocking((x: number) => x * factor, 2));
    const cause = error.cause as ReferenceError;
    assert.instance(cause, ReferenceError);
    assert.match(cause.message, "`factor`");
    assert.match(cause.message, "cannot close over outer variables; pass values as arguments or use the module form");
    assert.match(String((cause.cause as Error).message), "factor is not defined");
  });
});

test("a job compiled with esbuild's keepNames (tsx) runs: the worker has its `__name` helper", async () => {
  // What tsx emits for a named inner function: a call of a helper from the top of the module,
  // which the job's source does not carry to the worker.
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(function* () {
      return yield* spawnBlocking((n: number) => {
        const helper = (globalThis as unknown as { __name: <F>(f: F, name: string) => F }).__name(function inner() {
          return n * 2;
        }, "renamed");
        return `${helper.name}:${helper()}`;
      }, 21);
    });
    assert.is(out, "renamed:42");
  });
});

test("a ReferenceError for a name that is not in the job's source is left as it is", async () => {
  await withRuntime(async (rt) => {
    const error = await failure(rt, () => spawnBlocking(() => (0, eval)(["not", "There"].join("") + " + 1")));
    assert.is((error.cause as Error).message, "notThere is not defined");
  });
});

test("bad jobs are rejected at the call with a TypeError naming the problem", async () => {
  await withRuntime(async (rt) => {
    const messages = await rt.blockOn(async () => {
      const calls: (() => unknown)[] = [
        () => spawnBlocking(42 as never),
        () => spawnBlocking(null as never),
        () => spawnBlocking(Math.max),
        () => spawnBlocking(((x: number) => x).bind(null) as never),
        () => spawnBlocking(function* () {} as never),
        () => spawnBlocking((f: unknown) => f, () => 1),
        () => spawnBlocking((f: unknown) => f, { fn: Symbol("s") }),
        () => spawnBlocking.with("fast" as never, () => 1),
        () => spawnBlocking.with({ terminate: true } as never, () => 1),
        () => spawnBlocking.with({ terminateOnAbort: 1 } as never, () => 1),
        () => spawnBlocking.with(Promise.resolve({ terminateOnAbort: true }) as never, () => 1),
        () => spawnBlocking.with([] as never, () => 1),
      ];
      return calls.map((call) => {
        try {
          call();
          return "no error";
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      });
    });
    assert.match(messages[0]!, "TypeError: spawnBlocking: the job must be a function or { module: URL | string, export: string }, got number");
    assert.match(messages[1]!, "got null");
    assert.match(messages[2]!, "has no source code");
    assert.match(messages[3]!, "has no source code");
    assert.match(messages[4]!, "cannot be a generator function");
    assert.match(messages[5]!, "TypeError: spawnBlocking: argument 0 cannot be sent to a worker");
    assert.match(messages[6]!, "argument 0 cannot be sent to a worker");
    assert.match(messages[7]!, "options must be an object like { terminateOnAbort: true }, got string");
    assert.match(messages[8]!, 'unknown option "terminate"');
    assert.match(messages[9]!, "terminateOnAbort must be a boolean, got number");
    assert.match(messages[10]!, "options must be an object like { terminateOnAbort: true }, got a promise (await it first)");
    assert.match(messages[11]!, "options must be an object like { terminateOnAbort: true }, got an array");
  });
});

test("a class constructor is rejected at the call with a TypeError naming fn, not by the worker later", async () => {
  await withRuntime(async (rt) => {
    const calls = await rt.blockOn(async () => {
      const explain = "a class constructor cannot be called without new; declare and construct the class inside the job function, or use the module form";
      const rejected = (message: string) => (e: unknown) => e instanceof TypeError && e.message === `spawnBlocking: fn must be a function to call, got ${message}: ${explain}`;
      class Job {}
      assert.throws(() => spawnBlocking(Job as never), rejected("class Job"));
      assert.throws(() => spawnBlocking(Job as never), rejected("class Job"), "the same function again");
      assert.throws(() => spawnBlocking(class {} as never), rejected("class (anonymous)"));
      assert.throws(() => spawnBlocking.with({ terminateOnAbort: true }, class Sub extends Job {} as never), rejected("class Sub"));
      const methods = {
        classify(n: number) {
          return n + 1;
        },
      };
      return await spawnBlocking(methods.classify, 1); // its source starts with "classify("
    });
    assert.is(calls, 2, "a method whose name starts with class is still a job");
  });
});

test("blockingMetrics with a handle that is not a runtime Handle is a TypeError naming handle", async () => {
  const rejected = (got: string) => (e: unknown) =>
    e instanceof TypeError &&
    e.message === `blockingMetrics: handle must be a runtime Handle (rt.handle() or Handle.current()) or undefined for the current runtime, got ${got}`;
  await withRuntime(async (rt) => {
    assert.throws(() => blockingMetrics(5 as never), rejected("number"));
    assert.throws(() => blockingMetrics(null as never), rejected("null"));
    assert.throws(() => blockingMetrics(rt as never), rejected("a Runtime"));
    assert.is(blockingMetrics(rt.handle()).numBlockingThreads(), 0);
  });
  assert.throws(
    () => blockingMetrics(),
    (e: unknown) => e instanceof ContextError && e.message.startsWith("blockingMetrics() needs a runtime"),
    "outside a runtime, the error names blockingMetrics()",
  );
});

test("a result that cannot be cloned fails the job (a panicked JoinError) with a TypeError that says so, keeping the clone error as its cause", async () => {
  await withRuntime(async (rt) => {
    const error = await failure(rt, () => spawnBlocking(() => () => 1));
    assert.instance(error, JoinError);
    assert.ok(error.isPanic());
    assert.is(error.code, "ERR_TASK_PANICKED");
    const cause = error.cause as TypeError;
    assert.instance(cause, TypeError);
    assert.match(cause.message, "the job's result cannot be sent back from the worker");
    const clone = cause.cause as Error;
    assert.instance(clone, Error);
    assert.match(clone.message, "could not be cloned");
  });
});

test("spawnBlocking outside a runtime throws the ContextError that says where to call it", () => {
  assert.throws(
    () => spawnBlocking(() => 1),
    (e: unknown) => e instanceof ContextError && e.message.startsWith("spawnBlocking() needs a runtime"),
  );
});

test.run();
