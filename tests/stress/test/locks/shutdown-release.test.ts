// Runtime shutdown drops every task: generator tasks run their finally blocks, async tasks see
// CancelledError at their pending await. Whatever they held or were queued for goes back.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn } from "@tokio-ts/runtime";
import { Mutex, RwLock, Semaphore } from "@tokio-ts/sync";
import { sleep } from "@tokio-ts/time";

test("shutdown with tasks holding and queued on a Semaphore, RwLock and Mutex: everything is given back", async () => {
  const res = await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed + 123);
        const total = rng.between(1, 5);
        const sem = new Semaphore(total);
        const lock = new RwLock(0, rng.between(1, 3));
        const m = new Mutex(0);
        for (let i = 0; i < rng.between(1, 10); i++) {
          const k = rng.between(1, total);
          const w = rng.below(2) === 0;
          if (rng.below(2) === 0)
            spawn(async () => {
              const p = await sem.acquireMany(k);
              try {
                const g = w ? await lock.write() : await lock.read();
                try {
                  const mg = await m.lock();
                  try {
                    await sleep(1_000_000);
                  } finally {
                    mg.release();
                  }
                } finally {
                  g.release();
                }
              } finally {
                p.release();
              }
            });
          else
            spawn(function* () {
              const p = yield* sem.acquireMany(k);
              try {
                const g = w ? yield* lock.write() : yield* lock.read();
                try {
                  yield* m.runExclusive(function* () {
                    yield* sleep(1_000_000);
                  });
                } finally {
                  g.release();
                }
              } finally {
                p.release();
              }
            });
        }
        yield* sleep(rng.between(0, 3));
        return { sem, total, lock, m };
      }),
    { enableTime: true, startPaused: true },
  );
  await new Promise((r) => setImmediate(r));
  res.forEach(({ sem, total, lock, m }, seed) => {
    assert.is(sem.availablePermits(), total, `seed ${seed}: semaphore permits back`);
    const w = lock.tryWrite();
    assert.ok(w.ok, `seed ${seed}: rwlock free`);
    assert.not.ok(m.isLocked(), `seed ${seed}: mutex free`);
  });
});

test.run();
