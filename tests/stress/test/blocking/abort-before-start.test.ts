/**
 * A blocking job aborted before it started must never run — also when a worker is idle and
 * free to take it at once.
 *
 * Docs: README "Abort": "`handle.abort()` on a job that has not started removes it";
 * JobOptions#signal: "a signal already aborted means the job never runs"; JoinSet#spawn: "disposing
 * or `abortAll` aborts it — Tokio's `JoinSet::spawn_blocking` (a blocking job not yet started
 * never runs)"; JoinHandle#abort: "A task that has not started never runs". Tokio: an abort
 * of a `spawn_blocking` task that has not started yet keeps it from ever running.
 *
 * The scenario: idle workers, some other ready tasks on the runtime (a seed-dependent number
 * of them, spinning briefly), then jobs aborted in the same synchronous step that submitted
 * them. FOUND A BUG: the job is handed to the pool (and dispatched to an idle worker by a
 * microtask) at the call, while the abort only reaches the pool when the runtime next polls the
 * job's task — after the other ready tasks, by which time the worker has started it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { JoinSet, spawn } from "@tokio-ts/runtime";
import { spawnBlocking } from "@tokio-ts/blocking";
import { blocker, describe, Shared, until, work, type Handle } from "./support.js";

type How = "abort" | "signal" | "abortAll" | "dispose";
const HOWS: How[] = ["abort", "signal", "abortAll", "dispose"];

async function scenario(seed: number, hows: readonly How[]): Promise<void> {
  const rng = new SeededRng(seed + 101);
  const threads = rng.between(1, 2);
  await forEachSeed(
    [seed],
    async (rt) => {
      const shared = new Shared();
      try {
        const plan = await rt.blockOn(async () => {
          // Warm workers that know the shared buffer, then idle.
          const warm = Array.from({ length: threads }, (_, i) => spawnBlocking(blocker, shared.buffer, i, 5_000));
          await until(() => shared.started() === threads, "the workers are up");
          shared.open();
          for (const h of warm) await h;
          const others = Array.from({ length: rng.between(0, 300) }, () =>
            spawn(async () => {
              const end = performance.now() + 0.02;
              while (performance.now() < end);
            }),
          );
          const plan: { id: number; how: How | "none" }[] = [];
          const outcomes: Promise<string>[] = [];
          for (let id = 0; id < 6; id++) {
            const how: How | "none" = rng.below(3) === 0 ? "none" : hows[rng.below(hows.length)]!;
            plan.push({ id, how });
            let h: Handle;
            if (how === "signal") {
              h = spawnBlocking.with({ signal: AbortSignal.abort() }, work, id, "value", 0);
            } else {
              h = spawnBlocking(work, id, "value", 0);
              if (how === "abort") h.abort();
              if (how === "abortAll" || how === "dispose") {
                const set = new JoinSet<unknown>();
                set.spawn(h);
                if (how === "abortAll") set.abortAll();
                else set[Symbol.dispose]();
              }
            }
            outcomes.push(describe(h));
          }
          for (const o of others) await o;
          const got = await Promise.all(outcomes);
          for (const p of plan) assert.is(got[p.id], p.how === "none" ? `ok ${JSON.stringify({ id: p.id, square: p.id * p.id })}` : "cancelled");
          // A job that did start runs to completion (it is detached): give it the time to show.
          await new Promise((r) => setTimeout(r, 5));
          return plan;
        });
        for (const p of plan) {
          assert.is(
            shared.runs(p.id),
            p.how === "none" ? 1 : 0,
            `seed ${seed}, ${threads} thread(s): job ${p.id} aborted by ${p.how} before it started ran ${shared.runs(p.id)} time(s)`,
          );
        }
      } finally {
        shared.open();
      }
    },
    { configure: (b) => b.maxBlockingThreads(threads) },
  );
}

test("handle.abort() in the call's synchronous step: the job never runs", async () => {
  for (let seed = 0; seed < 10; seed++) await scenario(seed, ["abort"]);
});

test("an already-aborted AbortSignal: the job never runs", async () => {
  for (let seed = 0; seed < 10; seed++) await scenario(seed, ["signal"]);
});

test("JoinSet abortAll() / dispose in the call's synchronous step: the job never runs", async () => {
  for (let seed = 0; seed < 10; seed++) await scenario(seed, ["abortAll", "dispose"]);
});

test("mixed: aborted-before-start jobs never run, the others run once", async () => {
  for (let seed = 0; seed < 10; seed++) await scenario(seed, HOWS);
});

test.run();
