import { test } from "uvu";
import * as assert from "uvu/assert";
import { CancelledError, Context, fromAsync, fromPromise, Pending, pending, ready } from "@tokio-ts/core";
import { Builder, JoinError, spawn, yieldNow, type JoinHandle } from "../src/index.js";
import { setTimeout as delay } from "node:timers/promises";
import { collectingUncaught, Flag, hostTurn, race, rejection, reportingTo, reportTurns, stalled, withRuntime } from "./helpers.js";

test("a task that throws rejects its handle with a panic JoinError keeping the thrown value", async () => {
  const boom = new Error("boom");
  const { error, id } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const h = spawn(function* () {
        yield* yieldNow();
        throw boom;
      });
      try {
        yield* h;
      } catch (error) {
        return { error, id: h.id };
      }
      return { error: undefined, id: h.id };
    }),
  );
  assert.instance(error, JoinError);
  const e = error as JoinError;
  assert.ok(e.isPanic());
  assert.not.ok(e.isCancelled());
  assert.is(e.cause, boom);
  assert.is(e.id, id);
  assert.is(e.kind, "panic");
  assert.is(e.code, "ERR_TASK_PANICKED");
  assert.is(e.name, "JoinError");
  assert.is(e.message, `task ${id} panicked with message "boom"`);
  assert.is(e.intoPanic(), boom);
});

test("an async task that rejects rejects its handle with a panic JoinError", async () => {
  const error = await withRuntime((rt) =>
    rt.blockOn(async () => {
      const h = spawn(async () => {
        await Promise.resolve();
        throw "a string";
      });
      return rejection(h);
    }),
  );
  assert.instance(error, JoinError);
  assert.ok((error as JoinError).isPanic());
  assert.is((error as JoinError).cause, "a string");
  assert.match((error as JoinError).message, 'panicked with message "a string"');
});

test("an async task's await of the handle of a task that already panicked rejects with its JoinError, which is then not reported", async () => {
  const reported: JoinError[] = [];
  const boom = new Error("done before the await");
  const caught = await withRuntime(
    (rt) =>
      rt.blockOn(async () => {
        const h = spawn(function* () {
          throw boom;
        });
        await yieldNow(); // h runs and panics
        await yieldNow();
        assert.ok(h.isFinished());
        try {
          await h; // complete already: polled in then(), where it throws
          return undefined;
        } catch (error) {
          await fromPromise(reportTurns);
          return error;
        }
      }),
    reportingTo(reported, Builder.newCurrentThread()),
  );
  assert.instance(caught, JoinError);
  assert.is((caught as JoinError).cause, boom);
  assert.equal(reported, [], "the panic was handed over, yet reported as unhandled");
});

test("a task that throws a value without text of its own panics with Tokio's \"task N panicked\", keeping the value as cause", async () => {
  const plain = { reason: "no message" };
  const { errors, ids } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const errors: unknown[] = [];
      const ids: number[] = [];
      for (const value of [plain, null, undefined, 42]) {
        const h = spawn(function* () {
          throw value;
        });
        ids.push(h.id);
        try {
          yield* h;
        } catch (error) {
          errors.push(error);
        }
      }
      return { errors, ids };
    }),
  );
  const [object, nul, undef, number] = errors as JoinError[];
  assert.is(object!.message, `task ${ids[0]} panicked`);
  assert.is(object!.cause, plain);
  assert.is(nul!.message, `task ${ids[1]} panicked`);
  assert.ok("cause" in nul! && nul!.cause === null);
  assert.is(undef!.message, `task ${ids[2]} panicked`);
  assert.ok("cause" in undef! && undef!.cause === undefined);
  assert.is(number!.message, `task ${ids[3]} panicked with message "42"`);
  assert.is(JoinError.panic(9, Object.create(null)).message, "task 9 panicked");
});

test("aborting a task before its first poll means its body never runs", async () => {
  const { ran, error, id } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      let ran = false;
      const h = spawn(function* () {
        ran = true;
      });
      h.abort();
      let error: unknown;
      try {
        yield* h;
      } catch (e) {
        error = e;
      }
      return { ran, error, id: h.id };
    }),
  );
  assert.not.ok(ran);
  assert.instance(error, JoinError);
  assert.ok((error as JoinError).isCancelled());
  assert.is((error as JoinError).code, "ERR_TASK_CANCELLED");
  assert.is((error as JoinError).message, `task ${id} was cancelled`);
});

test("aborting an async task before its first poll means its function is never called", async () => {
  const { called, cancelled } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      let called = false;
      const h = spawn(async () => {
        called = true;
      });
      h.abort();
      try {
        yield* h;
        return { called, cancelled: false };
      } catch (e) {
        return { called, cancelled: (e as JoinError).isCancelled() };
      }
    }),
  );
  assert.not.ok(called);
  assert.ok(cancelled);
});

test("aborting a suspended generator task runs its finally blocks and the handle reports cancelled", async () => {
  const { log, cancelled } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const log: string[] = [];
      const h = spawn(function* () {
        try {
          log.push("started");
          yield* pending();
          log.push("not reached");
        } finally {
          log.push("finally");
        }
      });
      yield* yieldNow();
      h.abort();
      try {
        yield* h;
        return { log, cancelled: false };
      } catch (e) {
        return { log, cancelled: (e as JoinError).isCancelled() };
      }
    }),
  );
  assert.equal(log, ["started", "finally"]);
  assert.ok(cancelled);
});

test("a generator's finally block may still await while its task is being aborted", async () => {
  const log = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const log: string[] = [];
      const h = spawn(function* () {
        try {
          yield* pending();
        } finally {
          yield* yieldNow();
          log.push("cleanup after await");
        }
      });
      yield* yieldNow();
      h.abort();
      try {
        yield* h;
      } catch (e) {
        log.push((e as JoinError).isCancelled() ? "cancelled" : "other");
      }
      return log;
    }),
  );
  assert.equal(log, ["cleanup after await", "cancelled"]);
});

test("aborting a completed task has no effect: the handle still gives its output", async () => {
  const { out, finished } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const h = spawn(function* () {
        return "finished";
      });
      while (!h.isFinished()) yield* yieldNow();
      h.abort();
      return { out: yield* h, finished: h.isFinished() };
    }),
  );
  assert.is(out, "finished");
  assert.ok(finished);
});

test("aborting an async task rejects its current await with CancelledError and fires its AbortSignal", async () => {
  const seen = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const seen: { caught?: unknown; aborted?: boolean; reason?: unknown; joined?: unknown } = {};
      let signalRef: AbortSignal | undefined;
      const h = spawn(async (signal: AbortSignal) => {
        signalRef = signal;
        signal.addEventListener("abort", () => (seen.aborted = true));
        try {
          await pending();
        } catch (e) {
          seen.caught = e;
        }
      });
      yield* yieldNow();
      yield* yieldNow();
      h.abort();
      try {
        yield* h;
      } catch (e) {
        seen.joined = e;
      }
      seen.reason = signalRef?.reason;
      return seen;
    }),
  );
  assert.instance(seen.caught, CancelledError);
  assert.is((seen.caught as CancelledError).code, "ERR_CANCELLED");
  assert.ok(seen.aborted, "the signal fired");
  assert.instance(seen.reason, CancelledError);
  assert.instance(seen.joined, JoinError);
  assert.ok((seen.joined as JoinError).isCancelled());
});

test("an aborted async task that lets the CancelledError propagate is reported as cancelled, not as a panic", async () => {
  const error = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const h = spawn(async () => {
        await pending();
      });
      yield* yieldNow();
      yield* yieldNow();
      h.abort();
      try {
        yield* h;
      } catch (e) {
        return e;
      }
      return undefined;
    }),
  );
  assert.instance(error, JoinError);
  assert.is((error as JoinError).kind, "cancelled", `got ${(error as Error).message}`);
});

test("an aborted async task that passed its signal to a Node API is cancelled, not a panic: the API's AbortError carries the CancelledError", async () => {
  const reported: JoinError[] = [];
  const out = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const fromNode = spawn(async (signal) => delay(3_600_000, "late", { signal })); // rejects with Node's AbortError
        const detached = spawn(async (signal) => delay(3_600_000, "late", { signal }));
        const wrapped = spawn(async (signal) => {
          try {
            await delay(3_600_000, "late", { signal });
          } catch (e) {
            throw new Error("cleanup failed", { cause: e }); // not a cancellation: a panic
          }
        });
        yield* yieldNow();
        fromNode.abort();
        detached.abort();
        wrapped.abort();
        let fromNodeError: unknown;
        try {
          yield* fromNode;
        } catch (e) {
          fromNodeError = e;
        }
        let wrappedError: unknown;
        try {
          yield* wrapped;
        } catch (e) {
          wrappedError = e;
        }
        for (let i = 0; i < 10 && !detached.isFinished(); i++) yield* fromPromise(hostTurn);
        for (let i = 0; i < 3; i++) yield* fromPromise(hostTurn); // room for a (wrong) report
        return { fromNodeError, wrappedError, detachedDone: detached.isFinished() };
      }),
    Builder.newCurrentThread().onUnhandledPanic((e) => reported.push(e)),
  );
  assert.instance(out.fromNodeError, JoinError);
  assert.is((out.fromNodeError as JoinError).kind, "cancelled", `got ${(out.fromNodeError as Error).message}`);
  assert.instance(out.wrappedError, JoinError);
  assert.is((out.wrappedError as JoinError).kind, "panic");
  assert.ok(out.detachedDone);
  assert.equal(reported.map((e) => e.message), [], "the detached aborted task is not reported");
});

test("a runtime shutting down with an async task waiting on a Node API with its signal reports no panic", async () => {
  const reported: JoinError[] = [];
  await withRuntime(
    async (rt) => {
      await rt.blockOn(function* () {
        spawn(async (signal) => delay(3_600_000, "late", { signal }));
        yield* yieldNow();
      });
      await rt.shutdownTimeout(Infinity);
      for (let i = 0; i < 3; i++) await hostTurn(); // the unwinding ends; room for a (wrong) report
    },
    Builder.newCurrentThread().onUnhandledPanic((e) => reported.push(e)),
  );
  assert.equal(reported.map((e) => e.message), []);
});

test("every await of a future after abort in an async task rejects with CancelledError, so cleanup after a caught one runs", async () => {
  const { errors, after, error } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const errors: unknown[] = [];
      const after: string[] = [];
      const h = spawn(async () => {
        try {
          try {
            await pending();
          } catch (e) {
            errors.push(e);
          }
          try {
            await ready(1); // best-effort cleanup that awaits: rejects too
          } catch (e) {
            errors.push(e);
          }
        } finally {
          after.push("finally ran");
        }
      });
      yield* yieldNow();
      yield* yieldNow();
      h.abort();
      let error: unknown;
      try {
        yield* h;
      } catch (e) {
        error = e;
      }
      return { errors, after, error };
    }),
  );
  assert.is(errors.length, 2);
  assert.ok(errors.every((e) => e instanceof CancelledError));
  assert.equal(after, ["finally ran"]);
  assert.instance(error, JoinError);
  assert.is((error as JoinError).kind, "cancelled");
});

test("an aborted async task's cleanup may await and catch up to 100 times, and its finally still runs; the 101st await never settles", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const log: string[] = [];
      let rejected = 0;
      const run = (awaits: number) =>
        spawn(async () => {
          try {
            await pending();
          } catch {
            rejected++; // the first of the awaits told of the cancellation
          }
          try {
            for (let i = 1; i < awaits; i++) {
              try {
                await ready(i); // cleanup that awaits: each rejects at once
              } catch {
                rejected++;
              }
            }
          } finally {
            log.push(`finally after ${awaits}`);
          }
        });
      const hundred = run(100);
      const more = run(101);
      yield* yieldNow();
      hundred.abort();
      more.abort();
      for (const h of [hundred, more]) {
        try {
          yield* h;
        } catch {}
      }
      return { log, rejected };
    }),
  );
  assert.equal(out.log, ["finally after 100"], "the task that awaited a 101st time stopped there");
  assert.is(out.rejected, 200);
});

test("an aborted async task whose loop catches every error and goes on ends as cancelled; the runtime and the host go on", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      let iterations = 0;
      const worker = spawn(async () => {
        for (;;) {
          iterations++;
          try {
            await pending();
          } catch {
            // log and keep serving: a port of Tokio's `Err(e) => { eprintln!(…); continue }`
          }
        }
      });
      yield* yieldNow();
      worker.abort();
      let kind: string | undefined;
      try {
        yield* worker;
      } catch (e) {
        kind = (e as JoinError).kind;
      }
      let hostTurns = 0;
      for (let i = 0; i < 5; i++) {
        yield* fromPromise(hostTurn);
        hostTurns++;
      }
      return { kind, hostTurns, iterations };
    }),
  );
  assert.is(out.kind, "cancelled");
  assert.is(out.hostTurns, 5);
  assert.ok(out.iterations <= 102, `the loop stopped at its 101st await after the abort, ran ${out.iterations} times`);
});

test("a runtime shutting down with an async task that catches every error and loops ends, and the loop stops", async () => {
  let iterations = 0;
  await withRuntime(async (rt) => {
    await rt.blockOn(function* () {
      spawn(async () => {
        for (;;) {
          iterations++;
          try {
            await pending();
          } catch {}
        }
      });
      yield* yieldNow();
    });
    await rt.shutdownTimeout(Infinity);
    for (let i = 0; i < 5; i++) await hostTurn();
  });
  assert.ok(iterations <= 102, `ran ${iterations} times`);
});

test("isFinished is false while the task runs and true once it completed", async () => {
  const states = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const flag = new Flag();
      const h = spawn(function* () {
        yield* flag.wait();
      });
      yield* yieldNow();
      const before = h.isFinished();
      flag.notify();
      yield* h;
      return [before, h.isFinished()];
    }),
  );
  assert.equal(states, [false, true]);
});

test("an AbortHandle aborts the task without owning its output", async () => {
  const { cancelled, sameId } = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const h = spawn(function* () {
        yield* pending();
      });
      const abort = h.abortHandle();
      yield* yieldNow();
      abort.abort();
      try {
        yield* h;
        return { cancelled: false, sameId: abort.id === h.id };
      } catch (e) {
        return { cancelled: (e as JoinError).isCancelled() && abort.isFinished(), sameId: abort.id === h.id };
      }
    }),
  );
  assert.ok(cancelled);
  assert.ok(sameId);
});

test("a completed handle can be awaited again and gives the same output", async () => {
  const outs = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const h = spawn(function* () {
        return { n: 1 };
      });
      const a = yield* h;
      const b = yield* h;
      return [a, b];
    }),
  );
  assert.is(outs[0], outs[1]);
});

test("two tasks awaiting the same handle are both woken when the task completes", async () => {
  const outs = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const flag = new Flag();
      const target: JoinHandle<string> = spawn(function* () {
        yield* flag.wait();
        return "shared";
      });
      const w1 = spawn(function* () {
        return yield* target;
      });
      const w2 = spawn(function* () {
        return yield* target;
      });
      yield* yieldNow();
      yield* yieldNow();
      flag.notify();
      // Bounded wait instead of joining, so that a lost wake-up fails the test instead of hanging it.
      for (let i = 0; i < 20 && !(w1.isFinished() && w2.isFinished()); i++) yield* yieldNow();
      const finished = [w1.isFinished(), w2.isFinished()];
      w1.abort();
      w2.abort();
      return finished;
    }),
  );
  assert.equal(outs, [true, true], "both awaiting tasks completed");
});

test("task ids are unique across tasks", async () => {
  const ids = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const hs = [0, 1, 2, 3].map(() => spawn(ready(0)));
      for (const h of hs) yield* h;
      return hs.map((h) => h.id);
    }),
  );
  assert.is(new Set(ids).size, 4);
});

test("a joiner's waker that throws (a foreign executor that polls at once) stalls nothing: the other joiners are woken, queued tasks run, the error is uncaught", async () => {
  const boom = new Error("foreign waker failed");
  await collectingUncaught(async (uncaught) => {
    await withRuntime(async (rt) => {
      const h = rt.spawn(function* () {
        return 1;
      });
      const queued = rt.spawn(function* () {
        yield* yieldNow();
        return 2;
      });
      let woken = 0;
      const failing = new Context({
        wake() {
          throw boom;
        },
      });
      const counting = new Context({
        wake() {
          woken++;
        },
      });
      assert.is(h.poll(failing), Pending);
      assert.is(h.poll(counting), Pending);
      const out = await Promise.race([queued.then((v) => `queued task returned ${v}`), stalled()]);
      assert.is(out, "queued task returned 2");
      assert.is(woken, 1, "the joiner after the throwing one was not woken");
      assert.is(h.poll(counting), 1);
    });
    await hostTurn();
    assert.equal(uncaught, [boom]);
  });
});


test("a handle awaited and dropped again and again, with a new waker each time (a select loop), keeps no waker per drop", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const gate = new Flag();
      const h = spawn(function* () {
        yield* gate.wait();
        return "done";
      });
      const wakes: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const cx = new Context({ wake: () => void wakes.push(i) });
        if (h.poll(cx) !== Pending) throw new Error("the task finished early");
        h.cancel(); // the await is dropped: its waker must not stay behind
      }
      const early = wakes.length;
      wakes.length = 0;
      gate.notify();
      const output = yield* h;
      return { output, early, atCompletion: wakes.length };
    }),
  );
  assert.is(out.output, "done");
  assert.ok(out.early <= 1000, `each dropped await's waker is woken at most once when let go (${out.early})`);
  assert.ok(out.atCompletion <= 1, `at completion at most one stale waker is left to wake, not one per drop (${out.atCompletion})`);
});

test("dropping one await of a handle loses no other task's await of it", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const gate = new Flag();
      const h = spawn(function* () {
        yield* gate.wait();
        return "done";
      });
      const other = spawn(function* () {
        return yield* h; // a live await of the same handle, from another task
      });
      yield* yieldNow(); // `other` is now waiting on h
      for (let i = 0; i < 3; i++) {
        if (h.poll(new Context({ wake() {} })) !== Pending) throw new Error("the task finished early");
        h.cancel();
      }
      gate.notify();
      return yield* other;
    }),
  );
  assert.is(out, "done");
});

test("a panic is reported when the handle's only await lost a race and was dropped, and nobody joins it again", async () => {
  const reported: JoinError[] = [];
  const boom = new Error("after the race");
  const { id, winner } = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const gate = new Flag();
        const h = spawn(function* () {
          yield* gate.wait();
          throw boom;
        });
        // The handle is polled once (it is pending), then dropped when the other branch wins.
        const { winner } = yield* race(h, ready("other"));
        gate.notify();
        yield* fromPromise(reportTurns);
        return { id: h.id, winner };
      }),
    reportingTo(reported),
  );
  assert.is(winner, "b");
  assert.equal(
    reported.map((e) => [e.id, e.cause]),
    [[id, boom]],
  );
});

test("a panic is reported when the async future awaiting the handle was dropped", async () => {
  const reported: JoinError[] = [];
  const boom = new Error("awaited by a dropped future");
  const id = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const gate = new Flag();
        const h = spawn(function* () {
          yield* gate.wait();
          throw boom;
        });
        // `await h` inside an async future that loses a race: dropping the future drops its await.
        const waiter = fromAsync(async () => {
          try {
            await h;
          } catch {}
        });
        const other = new Flag();
        spawn(function* () {
          for (let i = 0; i < 3; i++) yield* fromPromise(hostTurn); // the waiter is awaiting h by then
          other.notify();
        });
        const { winner } = yield* race(waiter, other.wait());
        assert.is(winner, "b");
        gate.notify();
        yield* fromPromise(reportTurns);
        return h.id;
      }),
    reportingTo(reported),
  );
  assert.equal(
    reported.map((e) => [e.id, e.cause]),
    [[id, boom]],
  );
});

test("a panic is not reported when an async task awaits the handle and catches the error", async () => {
  const reported: JoinError[] = [];
  const caught = await withRuntime(
    (rt) =>
      rt.blockOn(async () => {
        const h = spawn(function* () {
          yield* yieldNow();
          throw new Error("caught");
        });
        let caught: unknown;
        try {
          await h;
        } catch (error) {
          caught = error;
        }
        await reportTurns(); // room for a (wrong) report
        return caught;
      }),
    reportingTo(reported),
  );
  assert.instance(caught, JoinError);
  assert.equal(reported, []);
});

test("a panic is not reported when the waiting joiner only gets to run after the host turn", async () => {
  const reported: JoinError[] = [];
  // With eventInterval(1) and no LIFO slot, the joiner woken by the panic is polled in a drain
  // that comes after the report's host callback: its await still counts.
  const caught = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const h = spawn(function* () {
          yield* yieldNow();
          throw new Error("joined late");
        });
        try {
          yield* h;
        } catch (error) {
          yield* fromPromise(reportTurns); // room for a (wrong) report
          return error;
        }
        return undefined;
      }),
    reportingTo(reported, Builder.newCurrentThread().eventInterval(1).disableLifoSlot()),
  );
  assert.instance(caught, JoinError);
  assert.equal(reported, []);
});

for (const eventInterval of [61, 1]) {
test(`a panic is not reported when the task that joins it first runs behind more ready tasks than eventInterval (${eventInterval})`, async () => {
  const reported: JoinError[] = [];
  const got = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const h = spawn(function* () {
          throw new Error("joined behind a crowd");
        });
        for (let i = 0; i < 300; i++) {
          spawn(function* () {
            yield* yieldNow();
          });
        }
        const joiner = spawn(function* () {
          try {
            yield* h;
            return "ok";
          } catch (e) {
            return e instanceof JoinError && e.isPanic() ? "got the panic" : String(e);
          }
        });
        const out = yield* joiner;
        yield* fromPromise(reportTurns); // room for a (wrong) report
        return out;
      }),
    reportingTo(reported, Builder.newCurrentThread().eventInterval(eventInterval)),
  );
  assert.is(got, "got the panic");
  assert.equal(reported, [], "joined: not reported");
});
}

test("a panic nobody joins is still reported while the runtime stays busy (a bounded number of host turns later)", async () => {
  const reported: JoinError[] = [];
  await withRuntime(async (rt) => {
    let spinning = true;
    rt.spawn(function* () {
      while (spinning) yield* yieldNow(); // always ready: the run queue never empties
    });
    rt.spawn(function* () {
      throw new Error("nobody joins me");
    });
    for (let turn = 0; turn < 40 && reported.length === 0; turn++) await hostTurn();
    spinning = false;
  }, reportingTo(reported));
  assert.is(reported.length, 1);
  assert.match((reported[0]!.cause as Error).message, /nobody joins me/);
});

test("a handle joined after its panic was reported still rejects with that panic", async () => {
  const reported: JoinError[] = [];
  const boom = new Error("joined after the report");
  const joined = await withRuntime(
    (rt) =>
      rt.blockOn(function* () {
        const h = spawn(function* () {
          throw boom;
        });
        yield* fromPromise(reportTurns);
        try {
          yield* h;
        } catch (error) {
          return error;
        }
        return undefined;
      }),
    reportingTo(reported),
  );
  assert.is(reported.length, 1);
  assert.is(joined, reported[0]);
  assert.is((joined as JoinError).cause, boom);
});


/** How a handle ended: "ok", "cancelled" or "panic: <message>". */
async function endOf(handle: JoinHandle<unknown>): Promise<string> {
  try {
    await handle;
    return "ok";
  } catch (e) {
    if (!(e instanceof JoinError)) return `not a JoinError: ${String(e)}`;
    return e.isPanic() ? `panic: ${(e.cause as Error).message}` : "cancelled";
  }
}

for (const eventInterval of [61, 1]) {
  for (const form of ["async function", "function returning a promise"] as const) {
    test(`an async task aborted after its function already threw ends as that panic, whatever the schedule (${form}, eventInterval ${eventInterval})`, async () => {
      const reported: JoinError[] = [];
      await withRuntime(async (rt) => {
        let self: JoinHandle<never> | undefined;
        const body = async (): Promise<never> => {
          await Promise.resolve();
          self!.abort(); // seen by the runtime only after the function has settled
          throw new Error("boom");
        };
        self = rt.spawn(form === "async function" ? body : () => body());
        assert.is(await endOf(self), "panic: boom");
      }, reportingTo(reported, Builder.newCurrentThread().eventInterval(eventInterval)));
      assert.is(reported.length, 0, "joined: not reported");
    });
  }
}

test("an async task aborted after its function already threw is that panic on a busy runtime too (more ready tasks than eventInterval)", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      for (let i = 0; i < 100; i++) {
        spawn(function* () {
          for (let j = 0; j < 5; j++) yield* yieldNow();
        });
      }
      let self: JoinHandle<never> | undefined;
      self = spawn(async (): Promise<never> => {
        await yieldNow();
        self!.abort();
        throw new Error("boom");
      });
      return yield* fromPromise(endOf(self));
    }),
  );
  assert.is(out, "panic: boom");
});

test("yield* of one handle from several generator tasks at once gives each the output; a dropped one leaves the handle usable", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const h = spawn(async () => {
        await fromPromise(gate);
        return 7;
      });
      // The first joiner waits on the handle as its own iterator, and is dropped while it waits
      // (its task aborted); the others, waiting at the same time, get the shared iterator.
      const dropped = spawn(function* () {
        return yield* h;
      });
      const joiners = [1, 2, 3].map((k) =>
        spawn(function* () {
          return (yield* h) * k;
        }),
      );
      yield* yieldNow();
      dropped.abort();
      yield* yieldNow();
      release();
      const outputs: number[] = [];
      for (const j of joiners) outputs.push(yield* j);
      const again = yield* h; // every waiter is gone: the handle is joined once more
      const droppedError = yield* fromPromise(rejection(dropped));
      return { outputs, again, cancelled: droppedError instanceof JoinError && droppedError.isCancelled() };
    }),
  );
  assert.equal(out, { outputs: [7, 14, 21], again: 7, cancelled: true });
});

test("yield* of a handle stepped by hand (outside a runtime's task) yields the handle once, then returns what it is resumed with", async () => {
  await withRuntime(async (rt) => {
    const h = rt.spawn(function* () {
      return "done";
    });
    const gen = (function* () {
      return yield* h;
    })();
    const first = gen.next();
    assert.is(first.done, false);
    assert.is(first.value, h, "the handle itself is yielded, for the stepper to poll");
    const output = await h;
    assert.equal(gen.next(output), { done: true, value: "done" });
    // Once more: the handle is not left marked as waited on.
    const again = (function* () {
      return yield* h;
    })();
    assert.is(again.next().value, h);
    assert.equal(again.next("x"), { done: true, value: "x" });
  });
});

test.run();
