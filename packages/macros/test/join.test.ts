import { test } from "uvu";
import * as assert from "uvu/assert";
import { fromGenerator, pending, ready, type Future } from "@tokio-ts/core";
import { Builder, spawn, taskId, yieldNow, type Runtime } from "@tokio-ts/runtime";
import { mpsc, oneshot, Semaphore } from "@tokio-ts/sync";
import { assertPending, assertReady, assertReadyErr, mockTask } from "@tokio-ts/test-util";
import { Instant, sleep } from "@tokio-ts/time";
import { join, tryJoin } from "../src/index.js";
import { Probe, SelfWaking } from "./probe.js";

/** Build a runtime with a paused clock, run `body`, always shut the runtime down. */
async function withRuntime<R>(body: (rt: Runtime) => Promise<R>): Promise<R> {
  const rt = Builder.newCurrentThread().enableTime().startPaused(true).build();
  try {
    return await body(rt);
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
}

test("join waits for every future and returns the outputs in argument order", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const start = Instant.now();
      const outputs = yield* join(
        function* () {
          yield* sleep(30);
          return "slow";
        },
        async () => {
          await sleep(10);
          return 2;
        },
        sleep(20),
        ready(true),
      );
      return { outputs, elapsed: start.elapsed() };
    }),
  );
  assert.equal(out, { outputs: ["slow", 2, undefined, true], elapsed: 30 });
});

test("join polls only the branches that were woken", () => {
  const p = [new Probe("p0"), new Probe("p1"), new Probe("p2")] as const;
  const task = mockTask(join(...p));
  const polls = () => p.map((probe) => probe.polls);
  assertPending(task.poll());
  assert.equal(polls(), [1, 1, 1], "the first poll polls every branch");

  // A poll with nothing woken polls nothing.
  assertPending(task.poll());
  assert.equal(polls(), [1, 1, 1]);

  p[1].wake(); // spurious: p1 stays pending
  assert.ok(task.isWoken(), "a branch's wake wakes the task");
  assertPending(task.poll());
  assert.equal(polls(), [1, 2, 1]);

  p[2].resolve("c");
  assertPending(task.poll());
  assert.equal(polls(), [1, 2, 2]);

  // Several wakes of one branch before the next poll: polled once.
  p[0].wake();
  p[0].wake();
  p[0].resolve("a");
  assertPending(task.poll());
  assert.equal(polls(), [2, 2, 2]);

  p[1].resolve("b");
  assertReady(task.poll(), ["a", "b", "c"]);
  assert.equal(polls(), [2, 3, 2]);
  assert.equal(
    p.map((probe) => probe.cancels),
    [0, 0, 0],
  );
});

test("a branch that wakes itself during its poll is polled again at the next poll, not in a loop", () => {
  const self = new SelfWaking();
  const other = new Probe("other");
  const task = mockTask(join(self, other));
  assertPending(task.poll());
  assert.ok(task.isWoken());
  assert.equal([self.polls, other.polls], [1, 1]);
  assertPending(task.poll());
  assert.equal([self.polls, other.polls], [2, 1]);
  task.drop();
  assert.is(other.cancels, 1);
});

test("each poll of a join starts at the next branch, as Tokio's: 1,2,3 then 2,3,1 then 3,1,2 then 1,2,3", async () => {
  const order = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const order: number[] = [];
      const branch = (x: number) =>
        function* () {
          for (let i = 0; i < 4; i++) {
            order.push(x);
            yield* yieldNow();
          }
        };
      yield* join(branch(1), branch(2), branch(3));
      return order;
    }),
  );
  assert.equal(order, [1, 2, 3, 2, 3, 1, 3, 1, 2, 1, 2, 3]);
});

for (const [name, combinator] of [["join", join], ["tryJoin", tryJoin]] as const) {
  test(`${name}: a branch that is always ready does not starve another of the budget`, async () => {
    const out = await withRuntime((rt) =>
      rt.blockOn(function* () {
        const permits = new Semaphore(1);
        let greedyRounds = 0;
        let politeDone = false;
        let greedyRoundsWhenPoliteDone = -1;
        yield* combinator(
          function* () {
            // Always ready: each acquire spends budget and never waits.
            while (!politeDone && greedyRounds < 10_000) {
              (yield* permits.acquire()).release();
              greedyRounds++;
            }
          },
          function* () {
            for (let i = 0; i < 5; i++) (yield* permits.acquire()).release();
            greedyRoundsWhenPoliteDone = greedyRounds;
            politeDone = true;
          },
        );
        return greedyRoundsWhenPoliteDone;
      }),
    );
    // The polite branch goes first at the second poll, once the greedy one has spent one budget.
    assert.ok(out >= 0 && out <= 2 * 128, `the polite branch finished after ${out} greedy rounds`);
  });
}

test("the branches share the task's budget: once it is spent they yield, and the rest run at the next poll", () => {
  const [tx, rx1] = mpsc.unboundedChannel<number>();
  const [tx2, rx2] = mpsc.unboundedChannel<number>();
  const [tx3, rx3] = mpsc.unboundedChannel<number>();
  tx.send(1);
  tx2.send(2);
  tx3.send(3);
  const task = mockTask(join(rx1.recv(), rx2.recv(), rx3.recv()), { budget: 2 });
  assertPending(task.poll());
  assert.is(task.budgetRemaining, 0);
  assert.is(task.forcedYields, 1);
  assert.ok(task.isWoken(), "the leaf out of budget woke the task through its branch");
  assertReady(task.poll(), [1, 2, 3]);
  assert.is(task.budgetRemaining, 1);
});

test("join runs its branches inside the calling task: nothing is spawned", async () => {
  const ids = await withRuntime(async (rt) => {
    // What a blockOn body adds to the count by itself (whether the runtime counts it or not).
    const emptyBefore = rt.metrics().spawnedTasksCount();
    await rt.blockOn(function* () {});
    const perBlockOn = rt.metrics().spawnedTasksCount() - emptyBefore;
    const spawnedBefore = rt.metrics().spawnedTasksCount();
    const ids = await rt.blockOn(function* () {
      const outer = taskId();
      const inner = yield* join(
        function* () {
          yield* sleep(1);
          return taskId();
        },
        async () => {
          await sleep(2);
          return taskId();
        },
      );
      return [outer, ...inner];
    });
    assert.is(rt.metrics().spawnedTasksCount(), spawnedBefore + perBlockOn, "no task but the blockOn body's");
    return ids;
  });
  assert.is(new Set(ids).size, 1, `task ids ${ids}`);
});

test("join runs every branch to completion even when one fails, then fails with that error", () => {
  const bad = new Probe<number>("bad");
  const slow = new Probe("slow");
  const task = mockTask(join(bad, slow));
  assertPending(task.poll());
  bad.fail(new RangeError("bad branch"));
  assertPending(task.poll(), "join waits for the other branch");
  assert.is(slow.cancels, 0);
  slow.resolve("done");
  assertReadyErr(() => task.poll(), (e) => e instanceof RangeError && e.message === "bad branch");
  assert.equal([bad.polls, slow.polls], [2, 2]);
});

test("join with several failures fails with an AggregateError of them in argument order", () => {
  const p = [new Probe("p0"), new Probe("p1"), new Probe("p2")] as const;
  const task = mockTask(join(...p));
  assertPending(task.poll());
  p[2].fail(new Error("third"));
  p[0].fail(new Error("first"));
  p[1].resolve("ok");
  const error = assertReadyErr(() => task.poll(), AggregateError) as AggregateError;
  assert.is(error.message, "join: 2 of 3 futures failed");
  assert.equal(
    error.errors.map((e: Error) => e.message),
    ["first", "third"],
  );
});

test("tryJoin fails at the first error and drops the rest at once (generator finally runs, waiter removed)", () => {
  const log: string[] = [];
  const waiting = new Probe("waiting");
  const done = new Probe("done");
  const bad = new Probe<number>("bad");
  const task = mockTask(
    tryJoin(
      waiting,
      fromGenerator(function* () {
        try {
          yield* pending();
        } finally {
          log.push("gen finally");
        }
      }),
      done,
      bad,
    ),
  );
  assertPending(task.poll());
  done.resolve("finished");
  assertPending(task.poll());
  bad.fail(new Error("boom"));
  assertReadyErr(() => task.poll(), /boom/);
  assert.equal(log, ["gen finally"]);
  assert.equal([waiting.cancels, done.cancels, bad.cancels], [1, 0, 0], "only the pending branches are dropped");
  assert.is(waiting.waker, undefined);
});

test("tryJoin in a runtime: the first failure reaches the caller at once, the slow branch's timer is gone", async () => {
  const log: string[] = [];
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const start = Instant.now();
      try {
        yield* tryJoin(
          function* () {
            try {
              yield* sleep(1000);
            } finally {
              log.push("slow finally");
            }
          },
          async () => {
            await sleep(10);
            throw new Error("fast failure");
          },
        );
      } catch (error) {
        return { message: (error as Error).message, at: start.elapsed() };
      }
      return undefined;
    }),
  );
  assert.equal(out, { message: "fast failure", at: 10 });
  assert.equal(log, ["slow finally"]);
});

test("tryJoin returns every output when no branch fails", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(async () => {
      return await tryJoin(sleep(5), async () => "a", ready(3));
    }),
  );
  assert.equal(out, [undefined, "a", 3]);
});

test("dropping a join drops the branches still pending, not those that completed", () => {
  const pendingProbe = new Probe("pending");
  const doneProbe = new Probe("done");
  const task = mockTask(join(pendingProbe, doneProbe));
  assertPending(task.poll());
  doneProbe.resolve("x");
  assertPending(task.poll());
  task.drop();
  assert.equal([pendingProbe.cancels, doneProbe.cancels], [1, 0]);
  // A wake after the drop is ignored.
  pendingProbe.resolve("late");
});

test("join() and tryJoin() of nothing are ready at once with []", () => {
  assertReady(mockTask(join()).poll(), []);
  assertReady(mockTask(tryJoin()).poll(), []);
});

test("a join that completed cannot be polled again", () => {
  const fut = join(ready(1));
  assertReady(mockTask(fut).poll(), [1]);
  assertReadyErr(() => mockTask(fut).poll(), /join future was polled after it completed/);
});

test("join and tryJoin work with no runtime, in a plain async function with sync primitives", async () => {
  const [tx1, rx1] = oneshot.channel<number>();
  const [tx2, rx2] = mpsc.channel<string>(1);
  const joined = (async () => join(rx1, rx2.recv()))();
  await Promise.resolve();
  tx1.send(1);
  await Promise.resolve();
  await tx2.send("two");
  assert.equal(await joined, [1, "two"]);

  const [tx3, rx3] = oneshot.channel<number>();
  tx3.send(3);
  assert.equal(await tryJoin(rx3, ready("x")), [3, "x"]);
});

test("join rejects bad input at the call with a TypeError that names the argument", () => {
  const bad = join as unknown as (...futures: unknown[]) => Future<unknown>;
  assert.throws(() => bad(ready(1), 2), (e: unknown) => e instanceof TypeError && /join: argument 2 must be a future/.test(e.message));
  assert.throws(() => bad(ready(1), async function* () {}), (e: unknown) => e instanceof TypeError && /^join: argument 2: async generator functions are not supported/.test(e.message));
  const badTry = tryJoin as unknown as (...futures: unknown[]) => Future<unknown>;
  assert.throws(() => badTry(Promise.resolve(1)), (e: unknown) => e instanceof TypeError && /tryJoin: argument 1 .*promise/.test(e.message));
});

test("join of a spawned task's handle and local work: the handle is just another future", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const handle = spawn(function* () {
        yield* sleep(5);
        return "spawned";
      });
      return yield* join(handle, sleep(1));
    }),
  );
  assert.equal(out, ["spawned", undefined]);
});

test.run();
