import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { select } from "@tokio-ts/macros";
import { sleep, timeout, Elapsed } from "@tokio-ts/time";
import { RwLock, RwLockReadGuard, RwLockWriteGuard } from "@tokio-ts/sync";
import { checkFifo, checkNoBarging, fail, Log, queuedNow, Track, joinAllOrHang, spawnKiller } from "./support.js";

const OPTS = { enableTime: true, startPaused: true } as const;

/**
 * Random readers and writers (some writers downgrade), waits dropped by select/timeout, tasks
 * aborted while waiting and holding. Checks: a writer never overlaps a reader or another writer,
 * at most maxReaders readers, a downgraded guard reads what was written and no writer gets in
 * before it is released, FIFO grants (a queued writer holds back later readers), every task
 * ends, and at the end tryWrite succeeds.
 */
function scenario(seed: number) {
  return function* () {
    const rng = new SeededRng(seed * 15485863 + 11);
    const maxReaders = rng.below(3) === 0 ? undefined : rng.between(1, 4);
    const lock = maxReaders === undefined ? new RwLock({ v: 0 }) : new RwLock({ v: 0 }, maxReaders);
    const cap = maxReaders ?? 536_870_911;
    assert.is(lock.maxReaders, cap);
    const log = new Log();
    let nextId = 0;
    let readers = 0;
    let writers = 0;
    let writes = 0;
    let downgraded = 0; // readers that came from a downgrade and still hold
    const checkState = (where: string) => {
      if (writers > 1) fail(`${where}: ${writers} writers`, log);
      if (writers === 1 && readers > 0) fail(`${where}: a writer overlaps ${readers} readers`, log);
      if (readers > cap) fail(`${where}: ${readers} readers > maxReaders ${cap}`, log);
    };
    const nTasks = rng.between(2, 10);
    const handles: JoinHandle<void>[] = [];
    const aborted = new Set<number>();

    for (let t = 0; t < nTasks; t++) {
      const plan = Array.from({ length: rng.between(1, 4) }, () => ({
        write: rng.below(3) === 0,
        mode: rng.below(5), // 0,4 plain; 1 select; 2 timeout; 3 try*
        wait: rng.between(0, 6),
        hold: rng.between(0, 4),
        downgrade: rng.below(2) === 0,
        hold2: rng.between(0, 3),
      }));
      handles.push(
        spawn(function* () {
          for (const s of plan) {
            const id = nextId++;
            if (s.write) {
              let w: RwLockWriteGuard<{ v: number }> | undefined;
              if (s.mode === 3) {
                const r = lock.tryWrite();
                if (r.ok && queuedNow(log).size > 0) fail("tryWrite succeeded while waits were queued", log);
                if (r.ok) w = r.value;
              } else {
                const fut = new Track(lock.write(), id, log);
                if (s.mode === 1) {
                  const r = yield* select({ w: fut, t: sleep(s.wait) });
                  if (r.key === "w") w = r.value;
                } else if (s.mode === 2) {
                  try {
                    w = yield* timeout(s.wait, fut);
                  } catch (e) {
                    if (!(e instanceof Elapsed)) throw e;
                  }
                } else w = yield* fut;
              }
              if (w === undefined) continue;
              writers++;
              checkState("write acquired");
              let r: RwLockReadGuard<{ v: number }> | undefined;
              let wasWriter = true;
              try {
                const before = w.value.v;
                if (s.hold === 0) yield* yieldNow();
                else yield* sleep(s.hold);
                w.value = { v: before + 1 };
                writes++;
                if (s.downgrade) {
                  const written = w.value;
                  writers--;
                  wasWriter = false;
                  r = w.downgrade();
                  readers++;
                  downgraded++;
                  checkState("downgraded");
                  assert.is(r.value, written, "a downgraded guard reads the value written");
                  let threw = false;
                  try {
                    void w.value;
                  } catch {
                    threw = true;
                  }
                  assert.ok(threw, "the write guard is released by downgrade");
                  w.release(); // no-op
                  const seen = writes;
                  yield* sleep(s.hold2);
                  if (writes !== seen) fail("a writer got in while a downgraded read guard was held", log);
                  assert.is(r.value.v, before + 1);
                }
              } finally {
                if (wasWriter) writers--;
                w.release();
                if (r !== undefined) {
                  readers--;
                  downgraded--;
                  r.release();
                }
              }
            } else {
              let r: RwLockReadGuard<{ v: number }> | undefined;
              if (s.mode === 3) {
                const x = lock.tryRead();
                if (x.ok && queuedNow(log).size > 0) fail("tryRead succeeded while waits were queued (a queued writer must hold back new readers)", log);
                if (x.ok) r = x.value;
              } else {
                const fut = new Track(lock.read(), id, log);
                if (s.mode === 1) {
                  const x = yield* select({ r: fut, t: sleep(s.wait) });
                  if (x.key === "r") r = x.value;
                } else if (s.mode === 2) {
                  try {
                    r = yield* timeout(s.wait, fut);
                  } catch (e) {
                    if (!(e instanceof Elapsed)) throw e;
                  }
                } else r = yield* fut;
              }
              if (r === undefined) continue;
              readers++;
              checkState("read acquired");
              try {
                const v = r.value.v;
                if (s.hold === 0) yield* yieldNow();
                else yield* sleep(s.hold);
                if (r.value.v !== v) fail("the value changed under a read guard", log);
              } finally {
                readers--;
                r.release();
                r.release();
              }
            }
          }
        }),
      );
    }

    const killer = spawnKiller(rng, handles, aborted, 4);

    yield* joinAllOrHang(handles, aborted, killer, () => {
      fail(`hang: a task never finished (readers ${readers}, writers ${writers})`, log);
    });
    assert.is(readers, 0);
    assert.is(writers, 0);
    const w = lock.tryWrite();
    if (!w.ok) fail("tryWrite failed at the end: access leaked", log);
    assert.is(w.value.value.v, writes);
    w.value.release();
    checkFifo(log);
    checkNoBarging(log);
  };
}

test("rwlock: writers exclusive, readers ≤ maxReaders, downgrade atomic, FIFO, no leak under random drops and aborts", async () => {
  await forEachSeed(500, (rt, seed) => rt.blockOn(scenario(seed)), OPTS);
});

test.run();
