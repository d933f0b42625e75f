/**
 * forEachSeed: argument checking (every argument before the first runtime is built),
 * failOnUnhandledPanic, failure precedence, results in seed order, shutdown between seeds.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeedFailure, type ForEachSeedOptions } from "@tokio-ts/test-util";
import { Builder, JoinError, spawn, yieldNow, type Runtime } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";

async function rejection(p: () => Promise<unknown>): Promise<unknown> {
  try {
    await p();
  } catch (e) {
    return e;
  }
  assert.unreachable("expected a rejection");
}

test("bad arguments reject before any runtime is built or scenario runs", async () => {
  let runs = 0;
  let builds = 0;
  const scenario = (): number => ++runs;
  const configure = (b: Builder): Builder => (builds++, b);
  const bad: [unknown, unknown, unknown, new (...a: never[]) => Error][] = [
    [3, 5, {}, TypeError],
    ["3", scenario, {}, TypeError],
    [-1, scenario, {}, RangeError],
    [1.5, scenario, {}, RangeError],
    [Number.NaN, scenario, {}, RangeError],
    [1_000_001, scenario, {}, RangeError],
    [[0, 1, 1.5], scenario, {}, RangeError],
    [[0, 1, Number.NaN], scenario, {}, RangeError],
    [[0, 1, 2 ** 53], scenario, {}, RangeError],
    [3, scenario, null, TypeError],
    [3, scenario, [], TypeError],
    [3, scenario, { enableTimer: true }, TypeError],
    [3, scenario, { shuffle: "yes" }, TypeError],
    [3, scenario, { failOnUnhandledPanic: 0 }, TypeError],
    [3, scenario, { drivers: "time" }, TypeError],
    [3, scenario, { drivers: ["time", 3] }, TypeError],
    [3, scenario, { configure: "b" }, TypeError],
  ];
  for (const [seeds, sc, options, cls] of bad) {
    const opts = options !== null && typeof options === "object" && !Array.isArray(options) ? { ...options, configure: (options as ForEachSeedOptions).configure ?? configure } : options;
    const e = await rejection(() => forEachSeed(seeds as number, sc as () => number, opts as ForEachSeedOptions));
    assert.instance(e, cls, `${JSON.stringify([seeds, options])}: ${String(e)}`);
    assert.not.instance(e, SeedFailure);
  }
  assert.is(runs, 0, "no scenario ran");
  assert.is(builds, 0, "no runtime was built");
});

test("configure must return a Builder: TypeError, not a SeedFailure, and the scenario never runs", async () => {
  let runs = 0;
  const e = await rejection(() => forEachSeed(2, () => ++runs, { configure: (() => undefined) as unknown as (b: Builder) => Builder }));
  assert.instance(e, TypeError);
  assert.is(runs, 0);
  // a builder setting applied last takes effect
  const names = await forEachSeed([4, 9], (rt) => rt.blockOn(() => rt.handle().name), { configure: (b) => b.name("custom") });
  assert.equal(names, ["custom", "custom"]);
});

test("results come back in seed order; an empty list runs nothing", async () => {
  assert.equal(await forEachSeed([9, -3, 0, 9], (_rt, seed) => seed * 2), [18, -6, 0, 18]);
  assert.equal(await forEachSeed(0, () => assert.unreachable()), []);
  assert.equal(await forEachSeed([], () => assert.unreachable()), []);
  assert.equal(await forEachSeed(5, async (rt, seed) => rt.blockOn(function* () { yield* yieldNow(); return seed; })), [0, 1, 2, 3, 4]);
});

test("each seed's runtime is shut down before the next seed runs: leftover tasks' finally blocks ran, whatever the scenario did", async () => {
  const log: string[] = [];
  await forEachSeed(20, async (rt, seed) => {
    log.push(`start ${seed}`);
    await rt.blockOn(function* () {
      spawn(function* () {
        try {
          yield* sleep(3_600_000);
        } finally {
          log.push(`finally ${seed}`);
        }
      });
      yield* yieldNow();
    });
    if (seed % 3 === 0) await rt.shutdownTimeout(Infinity); // a scenario may shut down itself
  }, { enableTime: true, startPaused: true });
  const expected = Array.from({ length: 20 }, (_, s) => [`start ${s}`, `finally ${s}`]).flat();
  assert.equal(log, expected);
});

const panicky = (rt: Runtime): Promise<void> =>
  rt.blockOn(function* () {
    spawn(function* () {
      yield* yieldNow();
      throw new Error("unjoined panic");
    });
    yield* yieldNow();
    yield* yieldNow();
  });

test("failOnUnhandledPanic (default true): an unjoined task's panic fails the seed with the JoinError as cause", async () => {
  const e = await rejection(() => forEachSeed(5, panicky));
  assert.instance(e, SeedFailure);
  assert.is((e as SeedFailure).seed, 0);
  assert.instance((e as SeedFailure).cause, JoinError);
  assert.ok(((e as SeedFailure).cause as JoinError).isPanic());
  assert.match((e as Error).message, "unjoined panic");
});

test("failOnUnhandledPanic: a panic of a task still ready when the body returns, or thrown by a finally block at shutdown, fails the seed", async () => {
  const late = await rejection(() => forEachSeed(3, (rt) => rt.blockOn(function* () { spawn(function* () { throw new Error("as the body returns"); }); })));
  assert.instance(late, SeedFailure);
  assert.match((late as Error).message, "as the body returns");
  const atShutdown = await rejection(() =>
    forEachSeed(3, (rt) =>
      rt.blockOn(function* () {
        spawn(function* () {
          try {
            yield* sleep(1000);
          } finally {
            throw new Error("from finally at shutdown");
          }
        });
        yield* yieldNow();
      }), { enableTime: true, startPaused: true }),
  );
  assert.instance(atShutdown, SeedFailure);
  assert.match((atShutdown as Error).message, "from finally at shutdown");
});

test("failOnUnhandledPanic: a joined panic does not fail; false lets unjoined panics pass (reported by the runtime only)", async () => {
  await forEachSeed(10, (rt) =>
    rt.blockOn(function* () {
      const h = spawn(function* () {
        throw new Error("joined");
      });
      try {
        yield* h;
      } catch (e) {
        assert.ok((e as JoinError).isPanic());
      }
    }),
  );
  const { error } = console;
  const printed: unknown[] = [];
  console.error = (...a: unknown[]) => void printed.push(a);
  try {
    assert.equal(await forEachSeed(4, panicky, { failOnUnhandledPanic: false }), [undefined, undefined, undefined, undefined]);
  } finally {
    console.error = error;
  }
  assert.is(printed.length, 4, "the runtime's own report ran once per seed");
});

test("a scenario error wins over a panic of the same seed; a synchronous throw is a SeedFailure too", async () => {
  const both = await rejection(() =>
    forEachSeed(3, (rt) =>
      rt.blockOn(function* () {
        spawn(function* () {
          throw new Error("panic");
        });
        yield* yieldNow();
        throw new Error("scenario error");
      }),
    ),
  );
  assert.instance(both, SeedFailure);
  assert.is(((both as SeedFailure).cause as Error).message, "scenario error");
  const sync = await rejection(() => forEachSeed([7], () => { throw new RangeError("sync"); }));
  assert.instance(sync, SeedFailure);
  assert.is((sync as SeedFailure).seed, 7);
  assert.instance((sync as SeedFailure).cause, RangeError);
  const nonError = await rejection(() => forEachSeed([2], () => Promise.reject("a string")));
  assert.match((nonError as Error).message, "a string");
});

test("the first failing seed stops the run: later seeds never start", async () => {
  const started: number[] = [];
  const e = await rejection(() => forEachSeed(10, (_rt, seed) => { started.push(seed); if (seed === 4) throw new Error("four"); }));
  assert.is((e as SeedFailure).seed, 4);
  assert.equal(started, [0, 1, 2, 3, 4]);
});

test.run();
