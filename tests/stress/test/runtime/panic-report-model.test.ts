// Unhandled-panic reporting under random joiners: a task that throws is reported (once) iff
// no await of its handle took the JoinError or was still pending at the report; dropped awaits
// (a select that lost, an aborted joiner task) count for nothing; tracked tasks are reported
// as detached ones; a late join after a report still gets the JoinError.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, JoinError, TaskTracker, Handle, type JoinHandle } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { seeds, n, opts } from "./util.js";

const reported: number[] = [];

interface P {
  i: number;
  h: JoinHandle<number>;
  panics: boolean;
  at: number; // when it ends (ms after start)
  holder: boolean; // some await is held to the end (started before the end, never dropped)
}

test("panics are reported iff no await of the handle received them", async () => {
  await seeds(
    process.env["SEED"] ? [Number(process.env["SEED"])] : n(800),
    (rt, seed) =>
      rt.blockOn(function* () {
        reported.length = 0;
        const rng = new SeededRng(seed * 3 + 11);
        const tracker = new TaskTracker();
        const ps: P[] = [];
        const joiners: JoinHandle<void>[] = [];
        const k = rng.between(1, 10);
        for (let i = 0; i < k; i++) {
          const at = rng.between(0, 10) * 10;
          const panics = rng.next() < 0.6;
          const body = function* (): Generator<unknown, number, unknown> {
            if (at > 0) yield* sleep(at);
            if (panics) throw new Error(`p${i}`);
            return i;
          };
          const h = rng.next() < 0.3 ? tracker.spawn(body) : spawn(body);
          const p: P = { i, h, panics, at, holder: false };
          ps.push(p);
          const nj = rng.between(0, 3);
          for (let j = 0; j < nj; j++) {
            const kind = rng.below(3);
            // strictly before or after the end, never at it
            let dropAt = at + 5 + rng.between(-3, 3) * 10;
            if (dropAt <= 0) dropAt = at + 5;
            if (kind === 0) {
              // an await held to the end
              p.holder = true;
              joiners.push(
                spawn(function* () {
                  try {
                    assert.is(yield* h, i);
                    assert.not.ok(panics);
                  } catch (e) {
                    assert.ok(e instanceof JoinError && e.isPanic() && (e.cause as Error).message === `p${i}`);
                  }
                }),
              );
            } else if (kind === 1) {
              // an await dropped by a select that loses before the end (or that wins after it)
              const d = Math.max(0, dropAt);
              if (d > at) p.holder = true;
              joiners.push(
                spawn(function* () {
                  try {
                    yield* select({ h, t: sleep(d) }, { biased: true });
                  } catch (e) {
                    assert.ok(e instanceof JoinError && e.isPanic());
                  }
                }),
              );
            } else {
              // a joiner task aborted before the end (or after it)
              const d = Math.max(0, dropAt);
              if (d > at) p.holder = true;
              const jh = spawn(function* () {
                try {
                  yield* h;
                } catch (e) {
                  assert.ok(e instanceof JoinError && e.isPanic());
                }
              });
              joiners.push(jh);
              joiners.push(
                spawn(function* () {
                  if (d > 0) yield* sleep(d);
                  jh.abort();
                }),
              );
            }
          }
        }
        tracker.close();
        yield* sleep(200);
        for (let t = 0; t < 3; t++) yield* sleep(1);
        for (const j of joiners) {
          try {
            yield* j;
          } catch (e) {
            assert.ok((e as JoinError).isCancelled());
          }
        }
        const want = ps.filter((p) => p.panics && !p.holder).map((p) => p.h.id).sort((a, b) => a - b);
        const got = [...reported].sort((a, b) => a - b);
        assert.equal(got, want, `seed ${seed}: reported panics ${JSON.stringify(ps.map((p) => ({ i: p.i, panics: p.panics, at: p.at, holder: p.holder, id: p.h.id })))}`);
        // a late join still gets the JoinError, and is not reported again
        for (const p of ps) {
          try {
            assert.is(yield* p.h, p.i);
            assert.not.ok(p.panics);
          } catch (e) {
            assert.ok(p.panics && e instanceof JoinError && e.isPanic());
          }
        }
        yield* tracker.wait();
        yield* sleep(10);
        yield* yieldNow();
        assert.equal([...reported].sort((a, b) => a - b), want, "reported twice");
        assert.is(Handle.current().metrics().numAliveTasks(), 0);
      }),
    opts({
            failOnUnhandledPanic: false,
      configure: (b) => b.onUnhandledPanic((e) => reported.push(e.id)),
    }),
  );
});

test.run();
