import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, ContextError, fromPromise, Pending, pending } from "@tokio-ts/core";
import { JoinError, JoinSet, spawn, yieldNow } from "../src/index.js";
import { collectingUncaught, Flag, reportingTo, reportTurns, stalled, withRuntime } from "./helpers.js";

/** A task body (generator object) that yields `n` times, then returns `value`. */
function* yieldsThenReturns<T>(n: number, value: T): Generator<unknown, T, any> {
  for (let i = 0; i < n; i++) yield* yieldNow();
  return value;
}

/** The same as a generator function. */
function after<T>(n: number, value: T) {
  return function* () {
    return yield* yieldsThenReturns(n, value);
  };
}

test("joinNext gives outputs in completion order, not spawn order", async () => {
  const order = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const set = new JoinSet<string>();
      set.spawn(after(5, "slow"));
      set.spawn(after(0, "fast"));
      set.spawn(after(2, "medium"));
      const order: string[] = [];
      for (let v; (v = yield* set.joinNext()) !== undefined; ) order.push(v);
      return order;
    }),
  );
  assert.equal(order, ["fast", "medium", "slow"]);
});

test("JoinSet.spawn takes generator objects and joins them in completion order", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const set = new JoinSet<string>();
      set.spawn(yieldsThenReturns(3, "slow"));
      set.spawn(yieldsThenReturns(0, "fast"));
      return [yield* set.joinNext(), yield* set.joinNext(), yield* set.joinNext()];
    }),
  );
  assert.equal(out, ["fast", "slow", undefined]);
});

test("joinNext on an empty set is undefined at once", async () => {
  const out = await withRuntime((rt) => rt.blockOn(function* () {
    return yield* new JoinSet<number>().joinNext();
  }));
  assert.is(out, undefined);
});

test("size counts running and finished-but-unjoined tasks and drops joined ones", async () => {
  const sizes = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const set = new JoinSet<number>();
      set.spawn(after(0, 1));
      set.spawn(after(3, 2));
      const sizes = [set.size];
      yield* set.joinNext();
      sizes.push(set.size);
      yield* set.joinNext();
      sizes.push(set.size, set.isEmpty() ? 1 : 0);
      return sizes;
    }),
  );
  assert.equal(sizes, [2, 1, 0, 1]);
});

test("disposing a JoinSet with `using` aborts its tasks, running their finally blocks", async () => {
  const log = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const log: string[] = [];
      {
        using set = new JoinSet<void>();
        for (const name of ["a", "b"]) {
          set.spawn(function* () {
            try {
              yield* pending();
            } finally {
              log.push(`finally ${name}`);
            }
          });
        }
        yield* yieldNow();
      }
      yield* yieldNow();
      return log.sort();
    }),
  );
  assert.equal(log, ["finally a", "finally b"]);
});

test("joinNext rejects with the JoinError of a task that threw, and the task leaves the set", async () => {
  const { error, size } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const set = new JoinSet<number>();
      set.spawn(function* () {
        throw new Error("member failed");
      });
      try {
        yield* set.joinNext();
        return { error: undefined, size: set.size };
      } catch (error) {
        return { error, size: set.size };
      }
    }),
  );
  assert.instance(error, JoinError);
  assert.ok((error as JoinError).isPanic());
  assert.is(size, 0);
});

test("abortAll aborts every task; joinNext then reports each as cancelled", async () => {
  const kinds = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const set = new JoinSet<void>();
      set.spawn(function* () {
        yield* pending();
      });
      set.spawn(function* () {
        yield* pending();
      });
      yield* yieldNow();
      set.abortAll();
      const kinds: string[] = [];
      for (;;) {
        try {
          if ((yield* set.joinNext()) === undefined && set.isEmpty()) break;
        } catch (e) {
          kinds.push((e as JoinError).kind);
        }
      }
      return kinds;
    }),
  );
  assert.equal(kinds, ["cancelled", "cancelled"]);
});

test("tryJoinNext takes a finished output without waiting, undefined when none is finished", async () => {
  const outs = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const set = new JoinSet<string>();
      set.spawn(after(0, "done"));
      const before = set.tryJoinNext();
      for (let i = 0; i < 3; i++) yield* yieldNow();
      return [before, set.tryJoinNext(), set.tryJoinNext()];
    }),
  );
  assert.equal(outs, [undefined, "done", undefined]);
});

test("joinAll returns every output in completion order", async () => {
  const all = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const set = new JoinSet<number>();
      set.spawn(after(4, 1));
      set.spawn(after(1, 2));
      set.spawn(after(2, 3));
      return yield* set.joinAll();
    }),
  );
  assert.equal(all, [2, 3, 1]);
});

test("joinAll rejects with the first failure and aborts the remaining tasks", async () => {
  const { error, finallyRan } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      let finallyRan = false;
      const set = new JoinSet<number>();
      set.spawn(function* () {
        try {
          yield* pending();
          return 0;
        } finally {
          finallyRan = true;
        }
      });
      set.spawn(function* () {
        yield* yieldNow();
        throw new Error("fail fast");
      });
      let error: unknown;
      try {
        yield* set.joinAll();
      } catch (e) {
        error = e;
      }
      yield* yieldNow();
      return { error, finallyRan };
    }),
  );
  assert.instance(error, JoinError);
  assert.is(((error as JoinError).cause as Error).message, "fail fast");
  assert.ok(finallyRan);
});

test("detachAll empties the set and the tasks run on to completion", async () => {
  const { size, done } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const state = { done: false };
      const set = new JoinSet<void>();
      set.spawn(function* () {
        yield* yieldNow();
        state.done = true;
      });
      set.detachAll();
      const size = set.size;
      for (let i = 0; i < 5; i++) yield* yieldNow();
      return { size, done: state.done };
    }),
  );
  assert.is(size, 0);
  assert.ok(done);
});

test("a task detached by detachAll never comes out of the set's joinNext, even once the set is used again", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const set = new JoinSet<string>();
      set.spawn(yieldsThenReturns(1, "detached"));
      set.detachAll();
      set.spawn(yieldsThenReturns(3, "kept"));
      const first = yield* set.joinNext();
      const second = yield* set.joinNext();
      return { first, second, size: set.size };
    }),
  );
  assert.equal(out, { first: "kept", second: undefined, size: 0 });
});

test("two tasks waiting in joinNext on one set each get a completed task: no wake-up is lost", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const set = new JoinSet<string>();
      const first = new Flag();
      const second = new Flag();
      set.spawn(function* () {
        yield* first.wait();
        return "first";
      });
      set.spawn(function* () {
        yield* second.wait();
        return "second";
      });
      const a = spawn(function* () {
        return yield* set.joinNext();
      });
      const b = spawn(function* () {
        return yield* set.joinNext();
      });
      for (let i = 0; i < 3; i++) yield* yieldNow();
      first.notify();
      for (let i = 0; i < 3; i++) yield* yieldNow();
      second.notify();
      for (let i = 0; i < 5; i++) yield* yieldNow();
      const outputs: (string | undefined)[] = [];
      for (const h of [a, b]) if (h.isFinished()) outputs.push(yield* h);
      return { a: a.isFinished(), b: b.isFinished(), outputs: outputs.sort(), size: set.size };
    }),
  );
  assert.equal(out, { a: true, b: true, outputs: ["first", "second"], size: 0 });
});

test("detachAll completes a pending joinNext with undefined", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const set = new JoinSet<void>();
      set.spawn(pending());
      const waiter = spawn(function* () {
        return yield* set.joinNext();
      });
      yield* yieldNow();
      set.detachAll();
      for (let i = 0; i < 3; i++) yield* yieldNow();
      return { finished: waiter.isFinished(), value: waiter.isFinished() ? yield* waiter : "pending" };
    }),
  );
  assert.equal(out, { finished: true, value: undefined });
});

test("shutdown aborts every task and resolves once all completed, leaving the set empty", async () => {
  const { log, size } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const log: string[] = [];
      const set = new JoinSet<void>();
      set.spawn(function* () {
        try {
          yield* pending();
        } finally {
          log.push("finally");
        }
      });
      yield* yieldNow();
      yield* set.shutdown();
      return { log, size: set.size };
    }),
  );
  assert.equal(log, ["finally"]);
  assert.is(size, 0);
});

test("joinNextWithId gives the task id with the output", async () => {
  const { pair, id } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const set = new JoinSet<string>();
      const abort = set.spawn(after(0, "x"));
      return { pair: yield* set.joinNextWithId(), id: abort.id };
    }),
  );
  assert.equal(pair, [id, "x"]);
});

test("JoinSet.spawn outside a runtime throws ContextError ERR_NO_RUNTIME", () => {
  const set = new JoinSet<void>();
  assert.throws(() => set.spawn(function* () {}), (e: unknown) => e instanceof ContextError && e.code === "ERR_NO_RUNTIME");
});

test("a waiting joinNext whose waker throws (a foreign executor) does not keep the other waiting joinNext from being woken", async () => {
  const boom = new Error("foreign waker failed");
  await collectingUncaught(async (uncaught) => {
    const seen = await withRuntime((rt) =>
      Promise.race([
        rt.blockOn(function* () {
          const set = new JoinSet<number>();
          set.spawn(after(2, 7));
          let woken = 0;
          const failing = set.joinNext();
          const waiting = set.joinNext();
          const counting = new Context({
            wake() {
              woken++;
            },
          });
          assert.is(
            failing.poll(
              new Context({
                wake() {
                  throw boom;
                },
              }),
            ),
            Pending,
          );
          assert.is(waiting.poll(counting), Pending);
          while (woken === 0 && set.tryJoinNext() === undefined) yield* yieldNow();
          return { woken, out: waiting.poll(counting) };
        }),
        stalled(),
      ]),
    );
    assert.equal(seen, { woken: 1, out: 7 });
    assert.equal(uncaught, [boom]);
  });
});

/** A set member that waits for `gate`, then throws `error`. */
function throwsWhenOpened(gate: Flag, error: Error) {
  return function* (): Generator<unknown, never, unknown> {
    yield* gate.wait();
    throw error;
  };
}

/** A set member that waits forever and throws `error` from its finally block when aborted. */
function throwsWhenAborted(error: Error) {
  return function* (): Generator<unknown, never, unknown> {
    try {
      yield* pending();
    } finally {
      throw error;
    }
  };
}

test("a task detached by detachAll is reported when it panics later, as any detached task", async () => {
  const reported: JoinError[] = [];
  const boom = new Error("after detachAll");
  const id = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const gate = new Flag();
        const set = new JoinSet<void>();
        const task = set.spawn(throwsWhenOpened(gate, boom));
        yield* yieldNow();
        set.detachAll();
        gate.notify();
        yield* fromPromise(reportTurns);
        return task.id;
      }),
    reportingTo(reported),
  );
  assert.equal(
    reported.map((e) => [e.id, e.cause]),
    [[id, boom]],
  );
});

test("detachAll reports a task that had panicked and was waiting in the set to be joined", async () => {
  const reported: JoinError[] = [];
  const boom = new Error("finished before detachAll");
  const { id, before } = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const set = new JoinSet<void>();
        const task = set.spawn(function* () {
          throw boom;
        });
        yield* yieldNow();
        yield* fromPromise(reportTurns);
        const before = reported.length; // a member's panic waits for the set's caller to join it
        set.detachAll();
        yield* fromPromise(reportTurns);
        return { id: task.id, before };
      }),
    reportingTo(reported),
  );
  assert.is(before, 0);
  assert.equal(
    reported.map((e) => [e.id, e.cause]),
    [[id, boom]],
  );
});

test("shutdown reports the panics it discards: one from before it, one thrown from a finally while aborted", async () => {
  const reported: JoinError[] = [];
  const early = new Error("panicked before shutdown");
  const inFinally = new Error("thrown from finally while aborted");
  const { ids, size } = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const set = new JoinSet<void>();
        const a = set.spawn(function* () {
          throw early;
        });
        const b = set.spawn(throwsWhenAborted(inFinally));
        yield* yieldNow();
        yield* set.shutdown();
        yield* fromPromise(reportTurns);
        return { ids: [a.id, b.id], size: set.size };
      }),
    reportingTo(reported),
  );
  assert.is(size, 0);
  assert.equal(
    reported.map((e) => [e.id, e.cause]).sort((x, y) => (x[0] as number) - (y[0] as number)),
    [
      [ids[0], early],
      [ids[1], inFinally],
    ],
  );
});

test("disposing a set reports a member that panics while it is aborted", async () => {
  const reported: JoinError[] = [];
  const boom = new Error("thrown from finally after dispose");
  const id = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        let id = 0;
        {
          using set = new JoinSet<void>();
          id = set.spawn(throwsWhenAborted(boom)).id;
          yield* yieldNow();
        }
        yield* yieldNow();
        yield* fromPromise(reportTurns);
        return id;
      }),
    reportingTo(reported),
  );
  assert.equal(
    reported.map((e) => [e.id, e.cause]),
    [[id, boom]],
  );
});

test("disposing a set reports a member that had panicked and was never joined", async () => {
  const reported: JoinError[] = [];
  const boom = new Error("never joined");
  const id = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        let id = 0;
        {
          using set = new JoinSet<void>();
          id = set.spawn(function* () {
            throw boom;
          }).id;
          yield* yieldNow();
        }
        yield* fromPromise(reportTurns);
        return id;
      }),
    reportingTo(reported),
  );
  assert.equal(
    reported.map((e) => [e.id, e.cause]),
    [[id, boom]],
  );
});

test("a member's panic that joinNext, tryJoinNext or joinAll hands over is not reported", async () => {
  const reported: JoinError[] = [];
  const causes = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const causes: unknown[] = [];
        const set = new JoinSet<void>();
        for (const how of ["joinNext", "tryJoinNext", "joinAll"]) {
          set.spawn(function* () {
            throw new Error(how);
          });
          yield* yieldNow();
          try {
            if (how === "joinNext") yield* set.joinNext();
            else if (how === "tryJoinNext") set.tryJoinNext();
            else yield* set.joinAll();
          } catch (error) {
            causes.push((error as JoinError).cause);
          }
        }
        yield* set.shutdown();
        yield* fromPromise(reportTurns); // room for a (wrong) report
        return causes.map((c) => (c as Error).message);
      }),
    reportingTo(reported),
  );
  assert.equal(causes, ["joinNext", "tryJoinNext", "joinAll"]);
  assert.equal(reported, []);
});

test("a JoinHandle given to set.spawn joins the set itself: disposing the set aborts that task (Tokio's spawn_blocking on a set)", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const log: string[] = [];
      const h = spawn(function* () {
        try {
          yield* pending();
        } finally {
          log.push("aborted task's finally");
        }
      });
      const done = spawn(function* () {
        return 7;
      });
      yield* yieldNow();
      let sameHandle: boolean;
      {
        using set = new JoinSet<number | void>();
        sameHandle = set.spawn(h) === h;
        set.spawn(done);
        assert.is(set.size, 2);
        assert.is(yield* set.joinNext(), 7, "a finished task's output is joined");
      }
      yield* yieldNow();
      return { log, finished: h.isFinished(), sameHandle };
    }),
  );
  assert.equal(out, { log: ["aborted task's finally"], finished: true, sameHandle: true });
});

test("a task in one set cannot be given to another: TypeError at the call", async () => {
  await withRuntime((rt) =>
    rt.blockOn(function* () {
      const first = new JoinSet<void>();
      const h = first.spawn(function* () {
        yield* pending();
      });
      const second = new JoinSet<void>();
      assert.throws(() => second.spawn(h as never), (e: unknown) => e instanceof TypeError && /in a JoinSet already/.test(e.message));
      assert.is(second.size, 0);
      first.abortAll();
      yield* yieldNow();
      return undefined;
    }),
  );
});

test("a finished task is in one set at a time too: given twice it is a TypeError; once joined out, another set may take it", async () => {
  await withRuntime((rt) =>
    rt.blockOn(function* () {
      const h = spawn(function* () {
        return "old";
      });
      yield* h; // finished
      const a = new JoinSet<string>();
      a.spawn(h);
      assert.throws(() => a.spawn(h), (e: unknown) => e instanceof TypeError && /in a JoinSet already/.test(e.message), "the same set");
      const b = new JoinSet<string>();
      assert.throws(() => b.spawn(h as never), (e: unknown) => e instanceof TypeError && /in a JoinSet already/.test(e.message), "another set");
      assert.is(a.size, 1);
      assert.is(yield* a.joinNext(), "old");
      assert.is(yield* a.joinNext(), undefined, "no stale copy");
      b.spawn(h as never);
      assert.is(yield* b.joinNext(), "old", "joined out of the first set, it may join another");
      return undefined;
    }),
  );
});

test("tryJoinNextWithId tells \"none completed yet\" from a task that returned undefined", async () => {
  await withRuntime((rt) =>
    rt.blockOn(function* () {
      const set = new JoinSet<void>();
      assert.is(set.tryJoinNextWithId(), undefined, "empty");
      const h = set.spawn(function* () {});
      assert.is(set.tryJoinNextWithId(), undefined, "not completed yet");
      for (let i = 0; i < 3; i++) yield* yieldNow();
      assert.equal(set.tryJoinNextWithId(), [h.id, undefined]);
      assert.ok(set.isEmpty());
      const failing = set.spawn(function* () {
        throw new Error("boom");
      });
      for (let i = 0; i < 3; i++) yield* yieldNow();
      assert.throws(() => set.tryJoinNextWithId(), (e: unknown) => e instanceof JoinError && e.id === failing.id && e.isPanic());
    }),
  );
});

test.run();
