import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { select } from "@tokio-ts/macros";
import { sleep, timeout, Elapsed } from "@tokio-ts/time";
import { Mutex, MutexGuard, TryLockError } from "@tokio-ts/sync";
import { checkFifo, checkNoBarging, fail, Log, queuedNow, Track, joinAllOrHang, spawnKiller } from "./support.js";

const OPTS = { enableTime: true, startPaused: true } as const;

type Step = { mode: number; wait: number; hold: number };

/**
 * Random generator and async tasks take a Mutex by lock() (plain, in a select against a sleep,
 * under a timeout), tryLock() and runExclusive() (generator and async fn, sometimes dropped by a
 * timeout while the fn runs); random tasks are aborted while waiting or holding. Checks: never
 * two holders, FIFO grants among lock() waits, the value counts exactly the completed critical
 * sections, every task ends, and the mutex is free at the end.
 */
function scenario(seed: number) {
  return function* () {
    const rng = new SeededRng(seed * 104729 + 3);
    const m = new Mutex({ n: 0 });
    const log = new Log();
    let nextId = 0;
    let inside = 0;
    let completed = 0;
    let maxQueue = 0;
    const enter = () => {
      inside++;
      if (inside !== 1) fail(`mutual exclusion violated: ${inside} holders`, log);
      if (!m.isLocked()) fail("isLocked() false while held", log);
    };
    const nTasks = rng.between(2, 9);
    const handles: JoinHandle<number>[] = [];
    const aborted = new Set<number>();

    const plans: Step[][] = [];
    for (let t = 0; t < nTasks; t++) {
      plans.push(Array.from({ length: rng.between(1, 4) }, () => ({ mode: rng.below(7), wait: rng.between(0, 6), hold: rng.between(0, 4) })));
    }

    function* holdGen(g: MutexGuard<{ n: number }>, hold: number): Generator<unknown, void, unknown> {
      enter();
      try {
        const before = g.value.n;
        if (hold === 0) yield* yieldNow();
        else yield* sleep(hold);
        g.value = { n: before + 1 };
        completed++;
      } finally {
        inside--;
      }
    }

    for (let t = 0; t < nTasks; t++) {
      const plan = plans[t]!;
      const useAsync = rng.below(3) === 0;
      if (!useAsync) {
        handles.push(
          spawn(function* () {
            let got = 0;
            for (const s of plan) {
              const id = nextId++;
              if (s.mode === 5) {
                // runExclusive with a generator fn, possibly dropped by a timeout while it runs
                try {
                  yield* timeout(s.wait + 2, m.runExclusive(function* (g) { yield* holdGen(g, s.hold); }));
                  got++;
                } catch (e) {
                  if (!(e instanceof Elapsed)) throw e;
                }
                continue;
              }
              if (s.mode === 6) {
                const r = m.tryLock();
                if (r.ok && queuedNow(log).size > 0) fail("tryLock succeeded while lock() waits were queued", log);
                if (!r.ok) {
                  assert.instance(r.error, TryLockError);
                  continue;
                }
                const g = r.value;
                try {
                  yield* holdGen(g, s.hold);
                  got++;
                } finally {
                  g.release();
                }
                continue;
              }
              const fut = new Track(m.lock(), id, log);
              let g: MutexGuard<{ n: number }> | undefined;
              if (s.mode === 1) {
                const r = yield* select({ g: fut, t: sleep(s.wait) });
                if (r.key === "g") g = r.value;
              } else if (s.mode === 2) {
                try {
                  g = yield* timeout(s.wait, fut);
                } catch (e) {
                  if (!(e instanceof Elapsed)) throw e;
                }
              } else g = yield* fut;
              if (g === undefined) continue;
              try {
                yield* holdGen(g, s.hold);
                got++;
              } finally {
                g.release();
                g.release();
              }
              let threw = false;
              try {
                void g.value;
              } catch {
                threw = true;
              }
              assert.ok(threw, "value after release throws");
            }
            return got;
          }),
        );
      } else {
        handles.push(
          spawn(async () => {
            let got = 0;
            for (const s of plan) {
              const id = nextId++;
              if (s.mode === 5 || s.mode === 6) {
                try {
                  await timeout(
                    s.wait + 2,
                    m.runExclusive(async (g) => {
                      enter();
                      try {
                        const before = g.value.n;
                        await sleep(s.hold);
                        g.value = { n: before + 1 };
                        completed++;
                      } finally {
                        inside--;
                      }
                    }),
                  );
                  got++;
                } catch (e) {
                  if (!(e instanceof Elapsed)) throw e;
                }
                continue;
              }
              const fut = new Track(m.lock(), id, log);
              let g: MutexGuard<{ n: number }> | undefined;
              if (s.mode === 1) {
                const r = await select({ g: fut, t: sleep(s.wait) });
                if (r.key === "g") g = r.value;
              } else if (s.mode === 2) {
                try {
                  g = await timeout(s.wait, fut);
                } catch (e) {
                  if (!(e instanceof Elapsed)) throw e;
                }
              } else g = await fut;
              if (g === undefined) continue;
              enter();
              try {
                const before = g.value.n;
                await sleep(s.hold);
                g.value = { n: before + 1 };
                completed++;
                got++;
              } finally {
                inside--;
                g.release();
              }
            }
            return got;
          }),
        );
      }
    }

    const killer = spawnKiller(rng, handles, aborted, 4);

    yield* joinAllOrHang(handles, aborted, killer, () => {
      fail(`hang: a task never finished (locked ${m.isLocked()}, inside ${inside})`, log);
    });
    // Async functions whose promise cannot be stopped may still be finishing: give them a turn.
    yield* sleep(10);
    assert.is(inside, 0);
    if (m.isLocked()) fail("mutex still locked at the end", log);
    const r = m.tryLock();
    if (!r.ok) fail("tryLock failed at the end", log);
    assert.is(r.value.value.n, completed, "the value counts the completed critical sections");
    r.value.release();
    checkFifo(log);
    checkNoBarging(log);
    void maxQueue;
    return completed;
  };
}

test("mutex: mutual exclusion, FIFO, no leaked lock under random select/timeout drops and aborts (generator and async tasks)", async () => {
  const done = await forEachSeed(500, (rt, seed) => rt.blockOn(scenario(seed)), OPTS);
  assert.ok(done.reduce((a, b) => a + b, 0) > 1000, "the scenarios completed many critical sections");
});

test.run();
