// Mutex.runExclusive / Semaphore.runWithPermit dropped while fn runs. Docs: "Dropped while fn
// runs, it drops fn's future; a generator or future fn stops there and the lock is released,
// but a promise cannot be stopped, so an fn that returned one keeps the lock until that promise
// settles".
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow } from "@tokio-ts/runtime";
import { select } from "@tokio-ts/macros";
import { sleep, timeout, Elapsed } from "@tokio-ts/time";
import { Mutex, Semaphore } from "@tokio-ts/sync";

const OPTS = { enableTime: true, startPaused: true } as const;

test("runExclusive: a generator fn dropped by timeout releases the lock at once (control)", async () => {
  await forEachSeed(5, (rt) =>
    rt.blockOn(function* () {
      const m = new Mutex(0);
      let fin = false;
      try {
        yield* timeout(5, m.runExclusive(function* () {
          try {
            yield* sleep(100);
          } finally {
            fin = true;
          }
        }));
      } catch (e) {
        assert.instance(e, Elapsed);
      }
      assert.ok(fin);
      assert.not.ok(m.isLocked());
    }),
  OPTS);
});

test("runExclusive: an async fn dropped by timeout keeps the lock until its promise settles (documented)", async () => {
  await forEachSeed(5, (rt) =>
    rt.blockOn(function* () {
      const m = new Mutex(0);
      let inside = false;
      try {
        yield* timeout(5, m.runExclusive(async () => {
          inside = true;
          try {
            await sleep(100);
          } finally {
            inside = false;
          }
        }));
      } catch (e) {
        assert.instance(e, Elapsed);
      }
      const g = yield* m.lock();
      assert.not.ok(inside, "the next holder never runs beside the async fn");
      g.release();
    }),
  OPTS);
});

test("runExclusive: an fn returning a future (sleep), dropped by timeout inside a task, releases the lock at once", async () => {
  await forEachSeed(5, (rt) =>
    rt.blockOn(function* () {
      const m = new Mutex(0);
      try {
        yield* timeout(5, m.runExclusive(() => sleep(1_000_000)));
      } catch (e) {
        assert.instance(e, Elapsed);
      }
      yield* yieldNow();
      assert.not.ok(m.isLocked(), "the future fn was dropped: the lock is free");
      const g = yield* timeout(10, m.lock()); // Elapsed here = the lock is still held by the dropped call
      g.release();
    }),
  OPTS);
});

test("runWithPermit: an fn returning a future (sleep), dropped by select inside a task, gives the permit back at once", async () => {
  await forEachSeed(5, (rt) =>
    rt.blockOn(function* () {
      const sem = new Semaphore(1);
      const r = yield* select({ run: sem.runWithPermit(() => sleep(1_000_000)), t: sleep(5) });
      assert.is(r.key, "t");
      yield* yieldNow();
      assert.is(sem.availablePermits(), 1);
    }),
  OPTS);
});

test("runExclusive/runWithPermit fuzz: every style of fn, random drops: never two holders, nothing held at the end", async () => {
  await forEachSeed(150, (rt, seed) =>
    rt.blockOn(function* () {
      const rng = new SeededRng(seed + 31);
      const m = new Mutex(0);
      const sem = new Semaphore(rng.between(1, 3));
      const cap = sem.availablePermits();
      let inM = 0;
      let inS = 0;
      const handles = [];
      for (let t = 0; t < rng.between(2, 8); t++) {
        const style = rng.below(3);
        const useSem = rng.below(2) === 0;
        const hold = rng.between(0, 6);
        const limit = rng.between(0, 8);
        const enter = () => {
          if (useSem) {
            if (++inS > cap) throw new Error(`seed ${seed}: ${inS} permit holders > ${cap}`);
          } else if (++inM > 1) throw new Error(`seed ${seed}: two mutex holders`);
        };
        const leave = () => (useSem ? inS-- : inM--);
        const fnGen = function* () {
          enter();
          try {
            yield* sleep(hold);
          } finally {
            leave();
          }
        };
        const fnAsync = async () => {
          enter();
          try {
            await sleep(hold);
          } finally {
            leave();
          }
        };
        handles.push(
          spawn(function* () {
            const call = style === 0 ? fnGen : fnAsync;
            const fut = useSem ? sem.runWithPermit(call) : m.runExclusive(call);
            try {
              yield* timeout(limit, fut);
            } catch (e) {
              if (!(e instanceof Elapsed)) throw e;
            }
          }),
        );
      }
      for (const h of handles) yield* h;
      yield* sleep(20);
      assert.is(inM + inS, 0);
      assert.not.ok(m.isLocked());
      assert.is(sem.availablePermits(), cap);
    }),
  OPTS);
});

test.run();
