import { test } from "uvu";
import * as assert from "uvu/assert";
import { DriverKey, pending, ready } from "@tokio-ts/core";
import { Handle, spawn, yieldNow, type Runtime } from "@tokio-ts/runtime";
import { assertReady, forEachSeed, mockTask, SeedFailure } from "../src/index.js";

/** Three tasks taking turns; the log is the schedule. */
function schedule(rt: Runtime): Promise<string> {
  return rt.blockOn(function* () {
    const log: number[] = [];
    const hs = [0, 1, 2, 3].map((k) =>
      spawn(function* () {
        for (let s = 0; s < 3; s++) {
          log.push(k);
          yield* yieldNow();
        }
      }),
    );
    for (const h of hs) yield* h;
    return log.join("");
  });
}

test("a count runs seeds 0 to n-1 in order, each on a fresh runtime", async () => {
  const seen: number[] = [];
  const runtimes = new Set<Runtime>();
  await forEachSeed(4, (rt, seed) => {
    seen.push(seed);
    runtimes.add(rt);
  });
  assert.equal(seen, [0, 1, 2, 3]);
  assert.is(runtimes.size, 4);
});

test("a list runs exactly those seeds", async () => {
  const seen: number[] = [];
  await forEachSeed([42, 7], (_rt, seed) => {
    seen.push(seed);
  });
  assert.equal(seen, [42, 7]);
});

test("the results of the scenario are returned in seed order", async () => {
  const results = await forEachSeed([3, 1], async (_rt, seed) => seed * 10);
  assert.equal(results, [30, 10]);
});

test("each runtime is shut down after its seed, dropping tasks left running", async () => {
  const runtimes: Runtime[] = [];
  const log: string[] = [];
  await forEachSeed(2, async (rt) => {
    runtimes.push(rt);
    rt.spawn(function* () {
      try {
        yield* pending();
      } finally {
        log.push("dropped");
      }
    });
    await rt.blockOn(yieldNow());
    assert.not.ok(rt.isShutdown());
  });
  assert.ok(runtimes.every((rt) => rt.isShutdown()));
  assert.equal(log, ["dropped", "dropped"]);
});

test("the same seed gives the same schedule, different seeds give different ones", async () => {
  const first = await forEachSeed([0, 1, 2, 3, 4], schedule);
  const again = await forEachSeed([0, 1, 2, 3, 4], schedule);
  assert.equal(again, first);
  assert.ok(new Set(first).size >= 3, `only ${new Set(first).size} distinct schedules over 5 seeds`);
});

test("seeds that differ only above 32 bits give different schedules", async () => {
  const low = await forEachSeed([0, 1, 2, 3, 4, 5], schedule);
  const high = await forEachSeed([0, 1, 2, 3, 4, 5].map((s) => s + 2 ** 32), schedule);
  assert.not.equal(high, low, "the same six schedules: the high bits were ignored");
});

test("shuffle: false runs FIFO", async () => {
  const orders = await forEachSeed([0, 1], schedule, { shuffle: false });
  assert.equal(orders, ["012301230123", "012301230123"]);
});

test("a failing seed rejects with SeedFailure naming the seed, keeping the cause, and stops the run", async () => {
  const boom = new Error("boom at 2");
  const seen: number[] = [];
  const runtimes: Runtime[] = [];
  try {
    await forEachSeed(5, (rt, seed) => {
      seen.push(seed);
      runtimes.push(rt);
      if (seed === 2) throw boom;
    });
    assert.unreachable("should reject");
  } catch (error) {
    assert.instance(error, SeedFailure);
    const failure = error as SeedFailure;
    assert.is(failure.seed, 2);
    assert.is(failure.cause, boom);
    assert.is(failure.name, "SeedFailure");
    assert.match(failure.message, "seed 2");
    assert.match(failure.message, "boom at 2");
    assert.match(failure.message, "forEachSeed([2]");
  }
  assert.equal(seen, [0, 1, 2]);
  assert.ok(runtimes[2]!.isShutdown(), "the failing seed's runtime was shut down too");
});

test("SeedFailure's name survives a minifier renaming the class, and stays assignable", () => {
  const original = Object.getOwnPropertyDescriptor(SeedFailure, "name")!;
  Object.defineProperty(SeedFailure, "name", { value: "e" }); // what a minifier does to the class
  try {
    const failure = new SeedFailure(3, new Error("why"));
    assert.is(failure.name, "SeedFailure");
    assert.ok(failure.stack!.startsWith("SeedFailure: "));
    failure.name = "Renamed"; // as on any Error (a strict-mode assignment must not throw)
    assert.is(failure.name, "Renamed");
  } finally {
    Object.defineProperty(SeedFailure, "name", original);
  }
});

test("a replayed failing seed fails the same way", async () => {
  const scenario = async (rt: Runtime) => {
    const order = await schedule(rt);
    if (order.startsWith("0")) throw new Error(`bad order ${order}`);
  };
  let first: SeedFailure | undefined;
  try {
    await forEachSeed(20, scenario);
  } catch (e) {
    first = e as SeedFailure;
  }
  assert.ok(first !== undefined, "some seed starts with task 0");
  try {
    await forEachSeed([first!.seed], scenario);
    assert.unreachable("the replay should fail");
  } catch (e) {
    assert.is((e as SeedFailure).seed, first!.seed);
    assert.is(((e as SeedFailure).cause as Error).message, ((first!.cause as Error).message));
  }
});

test("a task that panics with nobody joining it fails the seed", async () => {
  try {
    await forEachSeed([9], (rt) =>
      rt.blockOn(function* () {
        spawn(function* () {
          throw new Error("lost error");
        });
        yield* yieldNow();
        yield* yieldNow();
      }),
    );
    assert.unreachable("should reject");
  } catch (error) {
    assert.instance(error, SeedFailure);
    assert.is((error as SeedFailure).seed, 9);
    assert.match((error as Error).message, "lost error");
  }
});

test("failOnUnhandledPanic: false lets an unjoined panic pass", async () => {
  await forEachSeed(
    [0],
    (rt) =>
      rt.blockOn(function* () {
        spawn(function* () {
          throw new Error("tolerated");
        });
        yield* yieldNow();
      }),
    { failOnUnhandledPanic: false, configure: (b) => b.onUnhandledPanic(() => {}) },
  );
});

test("options enable drivers on each runtime", async () => {
  const key = new DriverKey("fake", "fakes", 'enableDriver("fake")', () => ({ shutdown() {} }));
  const enabled = await forEachSeed([0], (rt) => rt.blockOn(() => Handle.current().driver(key) !== undefined), { drivers: ["fake"] });
  assert.equal(enabled, [true]);
});

test("configure can change any builder setting", async () => {
  const names = await forEachSeed([5], (rt) => rt.handle().name, { configure: (b) => b.name("custom") });
  assert.equal(names, ["custom"]);
});

test("bad seeds are rejected", async () => {
  for (const bad of [-1, 1.5, [0.5]] as const) {
    try {
      await forEachSeed(bad as number | number[], () => {});
      assert.unreachable(`accepted ${String(bad)}`);
    } catch (e) {
      assert.instance(e, RangeError);
    }
  }
});

/** Await `promise`, expecting it to reject with an instance of `kind` with exactly `message`. */
async function rejectsWith(promise: Promise<unknown>, kind: typeof TypeError | typeof RangeError, message: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, kind);
    assert.is((error as Error).message, message);
    return;
  }
  assert.unreachable(`expected a ${kind.name}: ${message}`);
}

test("options are checked before any seed runs: a TypeError naming each bad option", async () => {
  let runs = 0;
  const scenario = () => void runs++;
  await rejectsWith(forEachSeed(1, scenario, { shuffle: "no" as never }), TypeError, "forEachSeed: options.shuffle must be a boolean, got string");
  await rejectsWith(forEachSeed(1, scenario, { enableTime: "yes" as never }), TypeError, "forEachSeed: options.enableTime must be a boolean, got string");
  await rejectsWith(forEachSeed(1, scenario, { drivers: "time" as never }), TypeError, "forEachSeed: options.drivers must be an array of driver names, got string");
  await rejectsWith(forEachSeed(1, scenario, { drivers: ["fake", 5 as never] }), TypeError, "forEachSeed: options.drivers[1] must be a string, got number");
  await rejectsWith(forEachSeed(1, scenario, null as never), TypeError, "forEachSeed: options must be an object, got null");
  await rejectsWith(forEachSeed(1, scenario, Promise.resolve({}) as never), TypeError, "forEachSeed: options must be an object, got a promise (await it first)");
  await rejectsWith(forEachSeed(1, scenario, { configure: 5 as never }), TypeError, "forEachSeed: options.configure must be a function, got number");
  await rejectsWith(
    forEachSeed(1, scenario, { startpaused: true } as never),
    TypeError,
    'forEachSeed: unknown option "startpaused" (known: enableTime, enableIo, startPaused, shuffle, failOnUnhandledPanic, drivers, configure)',
  );
  assert.is(runs, 0);
});

test("a configure that does not return the builder is a TypeError saying it must", async () => {
  let runs = 0;
  await rejectsWith(
    forEachSeed([0], () => void runs++, { configure: ((b: unknown) => void b) as never }),
    TypeError,
    "forEachSeed: options.configure must return the Builder it was given (as in (b) => b.enableTime()), got undefined",
  );
  assert.is(runs, 0);
});

test("a seed count above 1,000,000 is a RangeError, not an allocation failure", async () => {
  await rejectsWith(forEachSeed(1e12, () => {}), RangeError, "seeds must be a non-negative integer count of at most 1000000, got 1000000000000");
  await rejectsWith(forEachSeed(1_000_001, () => {}), RangeError, "seeds must be a non-negative integer count of at most 1000000, got 1000001");
});

test("every ForEachSeedOptions field, and MockTaskOptions' budget, may be given as undefined: the defaults apply", async () => {
  const given: { shuffle?: boolean; budget?: number } = {};
  const results = await forEachSeed([5], async (_rt, seed) => seed + 1, {
    enableTime: undefined,
    enableIo: undefined,
    startPaused: undefined,
    drivers: undefined,
    shuffle: given.shuffle,
    failOnUnhandledPanic: undefined,
    configure: undefined,
  });
  assert.equal(results, [6]);
  assert.is(assertReady(mockTask(ready(2), { budget: given.budget }).poll()), 2);
});

test.run();
