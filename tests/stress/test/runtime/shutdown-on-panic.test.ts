// unhandledPanic("shutdownRuntime") with random tasks: the first panic (in virtual time)
// shuts the runtime down at once, blockOn rejects with an error whose cause is that thrown
// value, no task runs past that time, every generator's finally runs once, nothing is alive.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn, JoinError, type JoinHandle } from "@tokio-ts/runtime";
import { pending } from "@tokio-ts/core";
import { sleep, Instant } from "@tokio-ts/time";
import { seeds, n, opts } from "./util.js";

interface R {
  i: number;
  at: number;
  panics: boolean;
  started: boolean;
  done: boolean;
  finallyRuns: number;
  h?: JoinHandle<number>;
  joined: boolean;
}

test("unhandledPanic shutdownRuntime: the first panic stops everything, every finally once", async () => {
  await seeds(
    n(600),
    async (rt, seed) => {
      const rng = new SeededRng(seed * 5 + 1);
      const rs: R[] = [];
      const times = new Set<number>();
      const k = rng.between(1, 12);
      for (let i = 0; i < k; i++) {
        let at: number;
        do at = rng.between(1, 100) * 10;
        while (times.has(at));
        times.add(at);
        rs.push({ i, at, panics: rng.next() < 0.4, started: false, done: false, finallyRuns: 0, joined: rng.next() < 0.3 });
      }
      if (!rs.some((r) => r.panics)) rs[rs.length - 1]!.panics = true;
      let t0 = 0;
      let rootFinally = 0;
      const p = rt.blockOn(function* () {
        t0 = Instant.now().asMillis();
        try {
          for (const r of rs) {
            r.h = spawn(function* () {
              r.started = true;
              try {
                yield* sleep(r.at);
                if (Instant.now().asMillis() - t0 !== r.at) throw new Error(`late ${r.i}`);
                if (r.panics) throw new Error(`p${r.i}`);
                r.done = true;
                return r.i;
              } finally {
                r.finallyRuns++;
              }
            });
          }
          // some are joined by the root: joining does not stop the shutdown (as Tokio)
          for (const r of rs) if (r.joined) spawn(function* () { try { yield* r.h!; } catch { /* cancelled or panic */ } });
          yield* pending();
        } finally {
          rootFinally++;
        }
      });
      const first = rs.filter((r) => r.panics).sort((a, b) => a.at - b.at)[0];
      try {
        await p;
        assert.unreachable("blockOn resolved");
      } catch (e) {
        if (first === undefined) {
          // no panic: nothing shuts down; the root waits for ever. Not this branch: see below.
          assert.unreachable(String(e));
        }
        assert.ok(e instanceof Error, String(e));
        assert.is(((e as Error).cause as Error)?.message, `p${first.i}`, `seed ${seed}: ${String(e)} cause ${String((e as Error).cause)}`);
      }
      await new Promise<void>((r) => setImmediate(r));
      assert.ok(rt.isShutdown());
      assert.is(rootFinally, 1);
      for (const r of rs) {
        assert.is(r.finallyRuns, r.started ? 1 : 0, `seed ${seed} task ${r.i}`);
        assert.is(r.done, r.at < first!.at, `seed ${seed} task ${r.i} at ${r.at}, first panic at ${first!.at}`);
        assert.ok(r.h!.isFinished());
        try {
          assert.is(await r.h!, r.i);
        } catch (e) {
          assert.instance(e, JoinError);
          if ((e as JoinError).isPanic()) assert.is(r, first);
        }
      }
      assert.is(rt.metrics().numAliveTasks(), 0);
    },
    opts({
            failOnUnhandledPanic: false,
      configure: (b) => b.unhandledPanic("shutdownRuntime").onUnhandledPanic(() => {}),
    }),
  );
});

test.run();
