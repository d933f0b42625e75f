import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { select } from "@tokio-ts/macros";
import { sleep, timeout, Elapsed } from "@tokio-ts/time";
import { Notify } from "@tokio-ts/sync";

const OPTS = { enableTime: true, startPaused: true } as const;
const HANG = 1_000_000;

/**
 * Tokio's "Notify as a wake-up for a queue" pattern: a producer pushes items and calls
 * notifyOne() (sometimes notifyLast()); consumers drain the queue, then wait on notified() —
 * plainly, in a select against a sleep or another Notify, under a timeout, or after enable().
 * Some consumers are aborted. No item may be left behind with every surviving consumer waiting
 * (a lost wake-up shows as a hang), and every item is taken exactly once.
 */
function scenario(seed: number) {
  return function* () {
    const rng = new SeededRng(seed * 31337 + 5);
    const notify = new Notify();
    const other = new Notify();
    const items: number[] = [];
    const taken: number[] = [];
    let done = false;
    const nItems = rng.between(1, 40);
    const nCons = rng.between(1, 6);
    const handles: JoinHandle<void>[] = [];
    const abortable = new Set<number>();

    for (let c = 0; c < nCons; c++) {
      const crng = new SeededRng(seed * 1000 + c);
      const isAsync = crng.below(3) === 0;
      const waitOnce = (): { mode: number; d: number } => ({ mode: crng.below(6), d: crng.between(0, 5) });
      if (c > 0 && crng.below(3) === 0) abortable.add(c);
      if (!isAsync) {
        handles.push(
          spawn(function* () {
            for (;;) {
              while (items.length > 0) {
                taken.push(items.shift()!);
                if (crng.below(3) === 0) yield* yieldNow();
              }
              if (done) return;
              const w = waitOnce();
              if (w.mode === 0) yield* notify.notified();
              else if (w.mode === 1) yield* select({ n: notify.notified(), t: sleep(w.d) });
              else if (w.mode === 2) {
                try {
                  yield* timeout(w.d, notify.notified());
                } catch (e) {
                  if (!(e instanceof Elapsed)) throw e;
                }
              } else if (w.mode === 3) yield* select({ n: notify.notified(), o: other.notified() });
              else if (w.mode === 4) {
                // enable() first, then a yield before awaiting: a notification in between is kept
                using n = notify.notified();
                n.enable();
                yield* yieldNow();
                yield* n;
              } else yield* notify.notified();
            }
          }),
        );
      } else {
        handles.push(
          spawn(async () => {
            for (;;) {
              while (items.length > 0) taken.push(items.shift()!);
              if (done) return;
              const w = waitOnce();
              if (w.mode <= 1) await notify.notified();
              else if (w.mode <= 3) await select({ n: notify.notified(), t: sleep(w.d) });
              else {
                try {
                  await timeout(w.d, notify.notified());
                } catch (e) {
                  if (!(e instanceof Elapsed)) throw e;
                }
              }
            }
          }),
        );
      }
    }

    const producer = spawn(function* () {
      for (let i = 0; i < nItems; i++) {
        const r = rng.below(6);
        if (r === 0) yield* sleep(rng.between(1, 4));
        else if (r === 1) yield* yieldNow();
        items.push(i);
        if (rng.below(4) === 0) notify.notifyLast();
        else notify.notifyOne();
        if (rng.below(5) === 0) other.notifyWaiters();
        if (abortable.size > 0 && rng.below(8) === 0) {
          const v = [...abortable][rng.below(abortable.size)]!;
          handles[v]!.abort();
        }
      }
      yield* sleep(rng.between(0, 3));
      done = true;
      notify.notifyWaiters();
    });

    try {
      yield* timeout(HANG, function* () {
        yield* producer;
        for (let i = 0; i < handles.length; i++) {
          try {
            yield* handles[i]!;
          } catch (e) {
            if (!abortable.has(i)) throw e;
          }
        }
      });
    } catch (e) {
      if (e instanceof Elapsed) throw new Error(`seed ${seed}: hang (lost wake-up?) items left ${JSON.stringify(items)}, taken ${taken.length}/${nItems}, done ${done}`);
      throw e;
    }
    assert.equal(items, []);
    assert.equal([...taken].sort((a, b) => a - b), Array.from({ length: nItems }, (_, i) => i), "every item taken exactly once");
  };
}

test("notify: no lost wake-up when waits are dropped by select/timeout and consumers are aborted", async () => {
  await forEachSeed(500, (rt, seed) => rt.blockOn(scenario(seed)), OPTS);
});

test.run();
