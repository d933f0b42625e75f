import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, ContextError, noopWaker, Pending, pending, ready } from "@tokio-ts/core";
import { JoinError, spawn, TaskTracker, yieldNow } from "../src/index.js";
import { Flag, race, reportingTo, reportTurns, withRuntime } from "./helpers.js";

/** A generator body that waits for `flag`, then returns `value`. */
function waitsFor<T>(flag: Flag, value: T) {
  return function* () {
    yield* flag.wait();
    return value;
  };
}

test("wait() completes once the tracker is closed and every tracked task has ended", async () => {
  const log = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const tracker = new TaskTracker();
      const flags = [new Flag(), new Flag(), new Flag()];
      const handles = flags.map((flag, i) => tracker.spawn(waitsFor(flag, i)));
      const log: string[] = [`size ${tracker.size}`];
      const waiter = spawn(function* () {
        yield* tracker.wait();
        log.push(`wait done, size ${tracker.size}`);
      });
      flags[0]!.notify();
      flags[1]!.notify();
      yield* handles[0]!;
      yield* handles[1]!;
      log.push(`two ended, size ${tracker.size}`);
      flags[2]!.notify();
      yield* handles[2]!;
      for (let i = 0; i < 3; i++) yield* yieldNow();
      log.push(`all ended while open: waiter finished ${waiter.isFinished()}`);
      tracker.close();
      yield* waiter;
      return log;
    }),
  );
  assert.equal(log, ["size 3", "two ended, size 1", "all ended while open: waiter finished false", "wait done, size 0"]);
});

test("close() on an empty tracker lets wait() complete at once; close and reopen report whether they changed it", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const tracker = new TaskTracker();
      const first = tracker.close();
      const second = tracker.close();
      yield* tracker.wait();
      const reopened = tracker.reopen();
      const again = tracker.reopen();
      return { first, second, reopened, again, closed: tracker.isClosed(), empty: tracker.isEmpty() };
    }),
  );
  assert.equal(out, { first: true, second: false, reopened: true, again: false, closed: false, empty: true });
});

test("the tracker keeps nothing of a task that ended: 10,000 tasks later its size is 0", async () => {
  const size = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const tracker = new TaskTracker();
      for (let i = 0; i < 10_000; i++) {
        tracker.spawn(function* () {
          yield* yieldNow();
        });
      }
      const during = tracker.size;
      tracker.close();
      yield* tracker.wait();
      return [during, tracker.size];
    }),
  );
  assert.equal(size, [10_000, 0]);
});

test("an aborted task and a panicked one end their tracking; the panic of an unjoined tracked task is still reported", async () => {
  const reported: JoinError[] = [];
  const out = await withRuntime(
    async (rt) => {
      const out = await rt.blockOn(function* () {
        const tracker = new TaskTracker();
        const stuck = tracker.spawn(function* () {
          yield* pending();
        });
        tracker.spawn(function* () {
          yield* yieldNow();
          throw new Error("boom");
        });
        tracker.close();
        yield* yieldNow();
        stuck.abort();
        yield* tracker.wait();
        return tracker.size;
      });
      await reportTurns();
      return out;
    },
    reportingTo(reported),
  );
  assert.is(out, 0);
  assert.is(reported.length, 1);
  assert.ok(reported[0]!.isPanic());
  assert.match(reported[0]!.message, /panicked with message "boom"/);
});

test("a dropped await of a tracked task's handle does not end its tracking", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const tracker = new TaskTracker();
      const flag = new Flag();
      const h = tracker.spawn(waitsFor(flag, "late"));
      const lost = yield* race(h, ready("first"));
      const size = tracker.size;
      flag.notify();
      const value = yield* h;
      return { winner: lost.winner, size, value, after: tracker.size };
    }),
  );
  assert.equal(out, { winner: "b", size: 1, value: "late", after: 0 });
});

test("trackFuture counts a future until it completes, and a dropped one no longer", async () => {
  const out = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const tracker = new TaskTracker();
      const flag = new Flag();
      const tracked = tracker.trackFuture(flag.wait());
      const dropped = tracker.trackFuture(pending());
      const counted = tracker.size;
      dropped.cancel();
      const afterDrop = tracker.size;
      flag.notify();
      yield* tracked;
      tracker.close();
      yield* tracker.wait();
      const fromBody = tracker.trackFuture(function* () {
        return 7;
      });
      const bodyCounted = tracker.size;
      const seven = yield* fromBody;
      return { counted, afterDrop, bodyCounted, seven, end: tracker.size };
    }),
  );
  assert.equal(out, { counted: 2, afterDrop: 1, bodyCounted: 1, seven: 7, end: 0 });
});

test("spawn(tracker.trackFuture(body)) aborts the body as a task's own: cleanup that waits runs before wait() returns", async () => {
  const log = await withRuntime((rt) =>
    rt.blockOn(function* () {
      const tracker = new TaskTracker();
      const log: string[] = [];
      const h = spawn(
        tracker.trackFuture(function* () {
          try {
            yield* pending();
          } finally {
            yield* yieldNow(); // cleanup that waits
            log.push("cleanup done");
          }
        }),
      );
      yield* yieldNow();
      h.abort();
      tracker.close();
      yield* tracker.wait();
      log.push("wait returned");
      let kind: string | undefined;
      try {
        yield* h;
      } catch (e) {
        kind = (e as JoinError).kind;
      }
      log.push(`handle ${kind}`);
      return log;
    }),
  );
  assert.equal(log, ["cleanup done", "wait returned", "handle cancelled"]);
});

test("a tracked future that throws ends its tracking and passes the error on", async () => {
  const tracker = new TaskTracker();
  const boom = new Error("boom");
  const fut = tracker.trackFuture(async () => {
    throw boom;
  });
  let error: unknown;
  try {
    await fut;
  } catch (e) {
    error = e;
  }
  assert.is(error, boom);
  assert.is(tracker.size, 0);
});

test("a token counts until released, once, and `using` releases it", () => {
  const tracker = new TaskTracker();
  const token = tracker.token();
  {
    using scoped = tracker.token();
    assert.ok(scoped);
    assert.is(tracker.size, 2);
  }
  assert.is(tracker.size, 1);
  tracker.close();
  const wait = tracker.wait();
  const cx = new Context(noopWaker);
  assert.is(wait.poll(cx), Pending);
  token.release();
  token.release();
  assert.is(tracker.size, 0);
  assert.is(wait.poll(cx), undefined);
});

test("every wait completes, and a wait woken by the tracker emptying completes even if it is reopened before it is polled", () => {
  const tracker = new TaskTracker();
  const token = tracker.token();
  tracker.close();
  let wakes = 0;
  const cx = new Context({ wake: () => void wakes++ });
  const a = tracker.wait();
  const b = tracker.wait();
  assert.is(a.poll(cx), Pending);
  assert.is(b.poll(cx), Pending);
  token.release();
  assert.is(wakes, 2);
  tracker.reopen();
  assert.is(a.poll(cx), undefined);
  assert.is(b.poll(cx), undefined);
  const c = tracker.wait();
  assert.is(c.poll(cx), Pending, "a wait made after the reopen waits for the next close");
  c.cancel();
});

test("a wait made while the tracker is closed and empty, or before it became so, completes even if it is reopened before the first poll (tokio-util's notify_immediately_on_reopen)", () => {
  const cx = new Context(noopWaker);
  const tracker = new TaskTracker();
  tracker.close();
  const made = tracker.wait(); // closed and empty now
  tracker.reopen();
  assert.is(made.poll(cx), undefined, "ready: it was made while closed and empty");
  const before = tracker.wait(); // open now
  const token = tracker.token();
  tracker.close();
  token.release(); // closed and empty: a transition the unpolled wait saw
  tracker.reopen();
  assert.is(before.poll(cx), undefined, "ready: a transition came after it was made");
  const after = tracker.wait();
  assert.is(after.poll(cx), Pending, "made after the reopen, with no transition since: waits");
  after.cancel();
});

test("a throwing waker keeps no other wait from its wake-up; the error leaves the call that emptied the tracker", () => {
  const tracker = new TaskTracker();
  const token = tracker.token();
  tracker.close();
  const bad = new Context({
    wake() {
      throw new Error("waker panicked");
    },
  });
  let woken = 0;
  const good = new Context({ wake: () => void woken++ });
  const a = tracker.wait();
  const b = tracker.wait();
  assert.is(a.poll(bad), Pending);
  assert.is(b.poll(good), Pending);
  assert.throws(() => token.release(), /waker panicked/);
  assert.is(woken, 1);
  assert.is(b.poll(good), undefined);
});

test("a dropped wait leaves the tracker: a later transition wakes nobody stale", () => {
  const tracker = new TaskTracker();
  const token = tracker.token();
  tracker.close();
  let wakes = 0;
  const cx = new Context({ wake: () => void wakes++ });
  const dropped = tracker.wait();
  assert.is(dropped.poll(cx), Pending);
  dropped.cancel();
  token.release();
  assert.is(wakes, 0);
});

test("spawn outside a runtime throws the ContextError and counts nothing", () => {
  const tracker = new TaskTracker();
  assert.throws(
    () => tracker.spawn(function* () {}),
    (e: unknown) => e instanceof ContextError && /TaskTracker\.spawn\(\) needs a runtime/.test(e.message),
  );
  assert.is(tracker.size, 0);
});

test.run();
