import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { select } from "@tokio-ts/macros";
import { sleep, timeout, Elapsed } from "@tokio-ts/time";
import { AcquireError, Semaphore, SemaphorePermit } from "@tokio-ts/sync";
import { checkFifo, checkNoBarging, fail, Log, Track, joinAllOrHang } from "./support.js";

const OPTS = { enableTime: true, startPaused: true } as const;
const stats: Record<string, number> = {};
const count = (k: string, n = 1) => void (stats[k] = (stats[k] ?? 0) + n);

/**
 * Random tasks acquire random counts (≤ base) with random hold times; some waits are dropped by
 * select/timeout, some tasks are aborted while waiting or holding; a controller adds and
 * forgets extra permits. Checks: held ≤ total at all times, FIFO grants, every task ends, and at
 * the end available == total and nothing is queued.
 */
function scenario(seed: number, withClose: boolean) {
  return function* () {
    const rng = new SeededRng(seed * 7919 + (withClose ? 1 : 0));
    const base = rng.between(1, 5);
    const sem = new Semaphore(base);
    let total = base;
    let held = 0;
    let maxHeld = 0;
    const log = new Log();
    let nextId = 0;
    let closed = false;
    const closedIds = new Set<number>();
    const zero = new Set<number>();
    const nTasks = rng.between(2, 10);
    const handles: JoinHandle<string>[] = [];
    const aborted = new Set<number>();

    const onAcquired = (p: SemaphorePermit, k: number) => {
      assert.is(p.numPermits(), k);
      held += k;
      maxHeld = Math.max(maxHeld, held);
      if (held > total) fail(`held ${held} > total ${total}`, log);
    };

    for (let t = 0; t < nTasks; t++) {
      const rounds = rng.between(1, 4);
      const plan = Array.from({ length: rounds }, () => ({
        k: rng.below(10) === 0 ? 0 : rng.between(1, base),
        mode: rng.below(4), // 0 plain, 1 select vs sleep, 2 timeout, 3 acquire()
        wait: rng.between(0, 6),
        hold: rng.between(0, 5),
        how: rng.below(5), // 0..2 release, 3 forget+addPermits, 4 split+merge+release
      }));
      handles.push(
        spawn(function* () {
          let outcome = "";
          for (const step of plan) {
            const id = nextId++;
            const k = step.mode === 3 ? 1 : step.k;
            if (k === 0) zero.add(id);
            const fut = new Track(step.mode === 3 ? sem.acquire() : sem.acquireMany(k), id, log);
            let permit: SemaphorePermit | undefined;
            try {
              if (step.mode === 1) {
                const r = yield* select({ p: fut, t: sleep(step.wait) });
                if (r.key === "p") permit = r.value;
              } else if (step.mode === 2) {
                try {
                  permit = yield* timeout(step.wait, fut);
                } catch (e) {
                  if (!(e instanceof Elapsed)) throw e;
                }
              } else {
                permit = yield* fut;
              }
            } catch (e) {
              if (e instanceof AcquireError) {
                if (!closed) fail(`AcquireError while open (wait ${id})`, log);
                closedIds.add(id);
                outcome += "C";
                continue;
              }
              throw e;
            }
            if (permit === undefined) {
              outcome += "T";
              continue;
            }
            onAcquired(permit, k);
            let counted = k;
            try {
              if (step.hold === 0) yield* yieldNow();
              else yield* sleep(step.hold);
              if (step.how === 3) {
                permit.forget();
                held -= k;
                counted = 0;
                total -= k;
                sem.addPermits(k);
                total += k;
              } else if (step.how === 4 && k >= 2) {
                const part = permit.split(1)!;
                assert.is(part.numPermits(), 1);
                assert.is(permit.numPermits(), k - 1);
                assert.is(permit.split(k), undefined);
                permit.merge(part);
                assert.is(part.numPermits(), 0);
                assert.is(permit.numPermits(), k);
                part.release(); // no-op: merged away
              }
            } finally {
              held -= counted;
              permit.release();
              permit.release(); // idempotent
            }
            outcome += "A";
          }
          return outcome;
        }),
      );
    }

    // Controller: extra permits come and go; random aborts; maybe close.
    const controller = spawn(function* () {
      const steps = rng.between(0, 6);
      let extra = 0;
      for (let i = 0; i < steps; i++) {
        yield* sleep(rng.between(0, 4));
        const what = rng.below(4);
        if (what === 0) {
          const n = rng.between(1, 3);
          sem.addPermits(n);
          total += n;
          extra += n;
        } else if (what === 1 && extra > 0) {
          const removed = sem.forgetPermits(rng.between(1, extra));
          assert.ok(removed <= extra);
          total -= removed;
          extra -= removed;
        } else {
          const victim = rng.below(handles.length);
          aborted.add(victim);
          handles[victim]!.abort();
        }
      }
      if (withClose) {
        yield* sleep(rng.between(0, 8));
        closed = true;
        sem.close();
        assert.ok(sem.isClosed());
        const t = sem.tryAcquire();
        assert.ok(!t.ok && t.error.kind === "closed");
      }
    });

    yield* joinAllOrHang(handles, aborted, controller, () => {
      fail(`hang: a task never finished (held ${held}, available ${sem.availablePermits()}, total ${total})`, log);
    });
    assert.is(held, 0, "nothing held at the end");
    if (sem.availablePermits() !== total) fail(`available ${sem.availablePermits()} != total ${total}`, log);
    if (!closed) {
      const all = sem.tryAcquireMany(total);
      if (!all.ok) fail(`tryAcquireMany(total=${total}) failed at the end: ${all.error.kind}`, log);
      all.value.release();
    }
    checkFifo(log, closedIds);
    checkNoBarging(log, zero);
    const woke = new Set<number>();
    for (const e of log.events) {
      count(e.kind + ("state" in e ? ":" + e.state : ""));
      if (e.kind === "wake") woke.add(e.id);
      if (e.kind === "cancel" && woke.has(e.id)) count("dropped after grant");
    }
    count("aborted", aborted.size);
    count("maxHeld=total", maxHeld === total ? 1 : 0);
    return maxHeld;
  };
}

test("semaphore: permits conserved, never over-granted, FIFO, under random cancellation and aborts", async () => {
  await forEachSeed(500, (rt, seed) => rt.blockOn(scenario(seed, false)), OPTS);
});

test("semaphore: close() fails every queued and later acquire, held permits stay valid", async () => {
  await forEachSeed(300, (rt, seed) => rt.blockOn(scenario(seed, true)), OPTS);
});

test.after(() => { if (process.env.STATS) console.log(stats); });
test.run();
