// spawnBlocking at the edges users of worker_threads and piscina meet first: a job that leaves a
// timer behind, a throwing thread hook, strings with lone surrogates, and jobs that assign to
// variables they do not own.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { blockingMetrics, spawnBlocking } from "../src/index.js";
import { runtime, withRuntime } from "./helpers.js";

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test("a job that leaves a timer behind: its worker still leaves at keep-alive (the count stays within the maximum), and shutdownTimeout(Infinity) ends", async () => {
  let stops = 0;
  const rt = runtime((b) => b.maxBlockingThreads(1).threadKeepAlive(10).onThreadStop(() => void stops++));
  for (let round = 1; round <= 3; round++) {
    const out = await rt.blockOn(function* () {
      return yield* spawnBlocking(() => {
        setTimeout(() => {}, 60_000); // left behind on the worker
        return "done";
      });
    });
    assert.is(out, "done");
    for (let i = 0; i < 2000 && stops < round; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    assert.is(stops, round, `round ${round}: the idle worker left`);
    assert.ok(blockingMetrics(rt.handle()).numBlockingThreads() <= 1, "never above maxBlockingThreads(1)");
  }
  await rt.blockOn(function* () {
    yield* spawnBlocking(() => void setTimeout(() => {}, 60_000));
  });
  await rt.shutdownTimeout(Infinity); // resolved (it waited for ever for the timer's worker)
  assert.is(blockingMetrics(rt.handle()).numBlockingThreads(), 0);
});

test("a throwing onThreadStop hook does not strand the jobs queued behind a worker that died", async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => void uncaught.push(error);
  process.on("uncaughtException", onUncaught);
  try {
    await withRuntime(
      (rt) =>
        rt.blockOn(function* () {
          const a = spawnBlocking(() => process.exit(3));
          const b = spawnBlocking(() => "b ran");
          try {
            yield* a;
          } catch {}
          return yield* b;
        }),
      (b) =>
        b.maxBlockingThreads(1).onThreadStop(() => {
          throw new Error("stop hook threw");
        }),
    ).then((out) => assert.is(out, "b ran"));
    for (let i = 0; i < 10 && uncaught.length === 0; i++) await tick();
    assert.ok(uncaught.some((e) => (e as Error).message === "stop hook threw"), "the hook's error is reported");
  } finally {
    process.off("uncaughtException", onUncaught);
  }
});

test("strings with a lone surrogate (an emoji cut in half) cross both ways unchanged, as with postMessage", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      return yield* spawnBlocking((s: string) => [s, s.length, "x\uDC00"] as const, "ab\uD83D");
    }),
  );
  assert.equal(out, ["ab\uD83D", 3, "x\uDC00"]);
});

test("a job runs in strict mode: assigning to an outer variable is a ReferenceError, not a worker global", async () => {
  const error = await withRuntime((rt) =>
    rt
      .blockOn(function* () {
        // @ts-expect-error -- `leaked` is deliberately not declared: the job must not create it
        return yield* spawnBlocking(() => (leaked = 1));
      })
      .then(
        () => undefined,
        (e: unknown) => (e as { cause?: unknown }).cause ?? e,
      ),
  );
  assert.instance(error, ReferenceError);
  assert.match((error as Error).message, /`leaked`/);
});

test("a thread Node cannot create (new Worker throws: an impossible stack size) fails the job with WorkerExitError, not the process", async () => {
  const error = await withRuntime(
    (rt) =>
      rt
        .blockOn(function* () {
          return yield* spawnBlocking(() => 1);
        })
        .then(
          () => undefined,
          (e: unknown) => (e as { cause?: unknown }).cause,
        ),
    (b) => b.maxBlockingThreads(1).threadResourceLimits({ stackSizeMb: 100_000 }),
  );
  assert.is((error as { code?: unknown }).code, "ERR_BLOCKING_WORKER_EXITED");
  assert.match((error as Error).message, /could not start/);
});

test("every JobOptions field may be given as undefined (a wrapper passing its own optional values through): the defaults apply", async () => {
  const passed: { signal?: AbortSignal; terminateOnAbort?: boolean } = {};
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      return yield* spawnBlocking.with({ signal: passed.signal, terminateOnAbort: passed.terminateOnAbort }, (n: number) => n * 2, 21);
    }),
  );
  assert.is(out, 42);
});

test.run();
