import { test } from "uvu";
import * as assert from "uvu/assert";
import { BUDGET, consumeBudget, Future, pollFn, Pending, ready, type Context, type Poll } from "@tokio-ts/core";
import { Builder, spawn, yieldNow, type Runtime } from "../src/index.js";
import { Flag, withRuntime } from "./helpers.js";

test("a ping-pong pair of tasks waking each other cannot starve a third task", async () => {
  const { waitedPolls, rounds } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const ping = new Flag();
      const pong = new Flag();
      const state = { stop: false, rounds: 0, spawnedAt: -1, ranAt: -1 };
      const a = spawn(function* () {
        while (!state.stop && state.rounds < 1000) {
          pong.notify();
          yield* ping.wait();
          state.rounds++;
          if (state.rounds === 10) {
            state.spawnedAt = rt.metrics().pollCount();
            spawn(function* () {
              state.ranAt = rt.metrics().pollCount();
              state.stop = true;
            });
          }
        }
        pong.notify();
      });
      const b = spawn(function* () {
        while (!state.stop && state.rounds < 1000) {
          yield* pong.wait();
          ping.notify();
        }
      });
      yield* a;
      b.abort();
      return { waitedPolls: state.ranAt - state.spawnedAt, rounds: state.rounds };
    }),
  );
  assert.ok(rounds < 1000, `the third task never ran during ${rounds} rounds`);
  // The LIFO slot runs at most 3 tasks in a row (Tokio's guard), so the third task runs within a
  // handful of polls, not after the whole event interval (61).
  assert.ok(waitedPolls > 0 && waitedPolls <= 6, `the third task waited ${waitedPolls} polls`);
});

test("an async task looping on yieldNow() keeps pace with generator tasks doing the same", async () => {
  // An async body goes on in a microtask after its poll: without rounds, a generator that stays
  // ready ran a whole batch (eventInterval = 61 ticks) per step of the async task.
  for (const gens of [1, 3]) {
    const { steps, asyncSteps } = await withRuntime((rt) =>
      rt.blockOn(function* () {
        const state = { stop: false, steps: new Array<number>(gens).fill(0), asyncSteps: 0 };
        const loops = state.steps.map((_, i) =>
          spawn(function* () {
            while (!state.stop) {
              state.steps[i]!++;
              yield* yieldNow();
            }
          }),
        );
        yield* spawn(async () => {
          while (state.asyncSteps < 200) {
            state.asyncSteps++;
            await yieldNow();
          }
          state.stop = true;
        });
        for (const h of loops) yield* h;
        return state;
      }),
    );
    for (const n of steps) assert.ok(n <= asyncSteps * 4, `${gens} generator(s): ${steps.join(", ")} steps against the async task's ${asyncSteps}`);
  }
});

test("an async task that awaits through helper async functions is not starved by a busy generator", async () => {
  const helper = async (depth: number): Promise<void> => {
    if (depth === 0) await yieldNow();
    else await helper(depth - 1);
  };
  const { genSteps, asyncSteps } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const state = { stop: false, genSteps: 0, asyncSteps: 0 };
      const loop = spawn(function* () {
        while (!state.stop) {
          state.genSteps++;
          yield* yieldNow();
        }
      });
      yield* spawn(async () => {
        while (state.asyncSteps < 200) {
          state.asyncSteps++;
          await helper(3);
        }
        state.stop = true;
      });
      yield* loop;
      return state;
    }),
  );
  // Before rounds: ~60 generator steps per async step. Now a few (the body's microtask chain
  // may outrun the round's extra hop, then it waits one more round).
  assert.ok(genSteps <= asyncSteps * 8, `${genSteps} generator steps against ${asyncSteps}`);
});

test("with the LIFO slot disabled a woken task goes to the back of the queue", async () => {
  const log = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const log: string[] = [];
        const flag = new Flag();
        const waiter = spawn(function* () {
          yield* flag.wait();
          log.push("woken");
        });
        const other = spawn(function* () {
          yield* yieldNow();
          yield* yieldNow();
          log.push("other");
        });
        const waker = spawn(function* () {
          yield* yieldNow();
          flag.notify();
          log.push("waker");
        });
        yield* waiter;
        yield* other;
        yield* waker;
        return log;
      }),
    Builder.newCurrentThread().disableLifoSlot(),
  );
  assert.equal(log, ["waker", "other", "woken"]);
});

test("a task woken by the running task runs next (LIFO slot)", async () => {
  const log = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const log: string[] = [];
      const flag = new Flag();
      const waiter = spawn(function* () {
        yield* flag.wait();
        log.push("woken");
      });
      const other = spawn(function* () {
        yield* yieldNow();
        yield* yieldNow();
        log.push("other");
      });
      const waker = spawn(function* () {
        yield* yieldNow();
        flag.notify();
        log.push("waker");
      });
      yield* waiter;
      yield* other;
      yield* waker;
      return log;
    }),
  );
  assert.equal(log, ["waker", "woken", "other"]);
});

test("the budget forces a task looping over ready leaves to yield after exactly 128 of them", async () => {
  const { seenByOther, forced, iterations } = await withRuntime(async (rt) => {
    const before = rt.metrics().budgetForcedYieldCount();
    const r = await rt.blockOn(function* () {
      const state = { iterations: 0, stop: false, seenByOther: -1 };
      const busy = spawn(function* () {
        while (!state.stop) {
          yield* consumeBudget();
          state.iterations++;
        }
      });
      const other = spawn(function* () {
        state.seenByOther = state.iterations;
        state.stop = true;
      });
      yield* other;
      yield* busy;
      return state;
    });
    return { ...r, forced: rt.metrics().budgetForcedYieldCount() - before };
  });
  assert.is(BUDGET, 128);
  assert.is(seenByOther, 128, "the other task ran after exactly 128 budget units");
  assert.is(forced, 1);
  assert.ok(iterations >= 128);
});

test("an async task's awaits of ready futures cost no poll of the task, and the budget still sends it back after 128", async () => {
  const awaits = 1000;
  const { polls, forced } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const before = rt.metrics().pollCount();
      const forcedBefore = rt.metrics().budgetForcedYieldCount();
      yield* spawn(async () => {
        for (let i = 0; i < awaits; i++) await consumeBudget();
      });
      return { polls: rt.metrics().pollCount() - before, forced: rt.metrics().budgetForcedYieldCount() - forcedBefore };
    }),
  );
  // Awaited in `then`, with what the task's last poll left of its budget: one poll to start, one
  // each time 128 units are spent, one when the function's promise settles.
  const budgetPolls = Math.floor(awaits / BUDGET);
  assert.ok(polls >= budgetPolls, `${polls} polls for ${awaits} awaits: the budget was not applied`);
  assert.ok(polls <= budgetPolls + 3, `${polls} polls for ${awaits} ready awaits`);
  assert.ok(forced >= 1, "no poll spent its whole budget");
});

test("an async task whose awaits keep finding their futures pending stops polling them in then()", async () => {
  // Pending at its first poll; ready once a host callback has woken it.
  let polls = 0;
  class Later extends Future<number> {
    #ready = false;
    #armed = false;
    override poll(cx: Context): Poll<number> {
      polls++;
      if (this.#ready) return 1;
      if (!this.#armed) {
        this.#armed = true;
        const waker = cx.waker;
        setImmediate(() => {
          this.#ready = true;
          waker.wake();
        });
      }
      return Pending;
    }
  }
  const awaits = 200;
  const sum = await withRuntime((rt) =>
    rt.blockOn(function* () {
      return yield* spawn(async () => {
        let sum = 0;
        for (let i = 0; i < awaits; i++) sum += await new Later();
        return sum;
      });
    }),
  );
  assert.is(sum, awaits);
  // Each future takes a poll that finds it pending and one after its wake. Polling it in then()
  // as well would add one per await; after a few pending ones that try is made only now and then.
  assert.ok(polls <= 2 * awaits + 16, `${polls} polls for ${awaits} awaits`);
});

test("an async task that spends little of its budget is never counted as forced to yield", async () => {
  const { out, forced } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const before = rt.metrics().budgetForcedYieldCount();
      const out = yield* spawn(async () => {
        // then() called while the body runs in its first poll, and awaits after it.
        const first = consumeBudget().then(() => 1);
        let sum = await first;
        for (let i = 0; i < 10; i++) sum += await ready(1);
        return sum;
      });
      return { out, forced: rt.metrics().budgetForcedYieldCount() - before };
    }),
  );
  assert.is(out, 11);
  assert.is(forced, 0);
});

test("a setImmediate callback runs while an async task spins on ready futures", async () => {
  const { firedAt, limit } = await withRuntime((rt) =>
    rt.blockOn(async () => {
      const limit = 1_000_000;
      let fired = false;
      setImmediate(() => (fired = true));
      let i = 0;
      for (; i < limit && !fired; i++) await consumeBudget();
      return { firedAt: i, limit };
    }),
  );
  assert.ok(firedAt < limit, "the host callback never ran while the task spun");
  // A host turn every eventInterval (61) ticks, a tick every BUDGET (128) ready awaits.
  assert.ok(firedAt <= 62 * BUDGET, `the host callback waited ${firedAt} awaits`);
});

test("a leaf written with pollProceed/madeProgress takes part in the budget", async () => {
  const { seenByOther } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const state = { iterations: 0, stop: false, seenByOther: -1 };
      // A leaf that is always ready but spends budget, as a never-empty channel would.
      const alwaysReady = () => consumeBudget();
      const busy = spawn(function* () {
        while (!state.stop) {
          yield* alwaysReady();
          state.iterations++;
        }
      });
      const other = spawn(function* () {
        state.seenByOther = state.iterations;
        state.stop = true;
      });
      yield* other;
      yield* busy;
      return state;
    }),
  );
  assert.is(seenByOther, BUDGET);
});

test("a setImmediate callback runs while a task spins on yieldNow", async () => {
  const { firedAt, limit } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const limit = 10_000;
      let fired = false;
      setImmediate(() => (fired = true));
      let i = 0;
      for (; i < limit && !fired; i++) yield* yieldNow();
      return { firedAt: i, limit };
    }),
  );
  assert.ok(firedAt < limit, "the host callback never ran while the task spun");
  assert.ok(firedAt <= 61 + 1, `the host callback waited ${firedAt} polls; eventInterval is 61`);
});

test("eventInterval bounds how many polls run before host callbacks get a turn", async () => {
  const firedAt = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        let fired = false;
        setImmediate(() => (fired = true));
        let i = 0;
        for (; i < 10_000 && !fired; i++) yield* yieldNow();
        return i;
      }),
    Builder.newCurrentThread().eventInterval(5),
  );
  assert.ok(firedAt >= 1 && firedAt <= 5, `the host callback waited ${firedAt} polls with eventInterval(5)`);
});

test("a host callback runs while two tasks keep each other busy", async () => {
  const { firedAt } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const state = { fired: false, rounds: 0 };
      setImmediate(() => (state.fired = true));
      const ping = new Flag();
      const pong = new Flag();
      const b = spawn(function* () {
        for (;;) {
          yield* pong.wait();
          ping.notify();
        }
      });
      while (!state.fired && state.rounds < 10_000) {
        pong.notify();
        yield* ping.wait();
        state.rounds++;
      }
      b.abort();
      return { firedAt: state.rounds };
    }),
  );
  assert.ok(firedAt < 10_000, "the host callback never ran");
});

/** Spawn `n` tasks that each log their name at every step; the log is the schedule. */
function scheduleLog(rt: Runtime, n = 6, steps = 3): Promise<string> {
  return rt.blockOn(function* () {
    const log: number[] = [];
    const hs = Array.from({ length: n }, (_, k) =>
      spawn(function* () {
        for (let s = 0; s < steps; s++) {
          log.push(k);
          yield* yieldNow();
        }
      }),
    );
    for (const h of hs) yield* h;
    return log.join("");
  });
}

test("a shuffled schedule with the same seed runs tasks in the same order", async () => {
  const seeded = () => Builder.newCurrentThread().rngSeed(1234).shuffleSchedule();
  const first = await withRuntime((rt) => scheduleLog(rt), seeded());
  const second = await withRuntime((rt) => scheduleLog(rt), seeded());
  assert.is(second, first);
});

test("shuffled schedules with different seeds run tasks in different orders", async () => {
  const orders = new Set<string>();
  for (let seed = 0; seed < 5; seed++) {
    orders.add(await withRuntime((rt) => scheduleLog(rt), Builder.newCurrentThread().rngSeed(seed).shuffleSchedule()));
  }
  assert.ok(orders.size >= 3, `only ${orders.size} distinct orders over 5 seeds`);
});

test("an unshuffled schedule is FIFO whatever the seed", async () => {
  const a = await withRuntime((rt) => scheduleLog(rt, 3, 2), Builder.newCurrentThread().rngSeed(1));
  const b = await withRuntime((rt) => scheduleLog(rt, 3, 2), Builder.newCurrentThread().rngSeed(2));
  assert.is(a, "012012");
  assert.is(b, "012012");
});

test("a task that wakes itself during its poll is polled again", async () => {
  const polls = await withRuntime((rt) =>
    rt.blockOn(function* () {
      let n = 0;
      yield* pollFn((cx) => {
        if (++n < 3) {
          cx.waker.wake();
          return Pending;
        }
        return undefined;
      });
      return n;
    }),
  );
  assert.is(polls, 3);
});

test.run();
