/**
 * Model test: every worker of the pool is held by a gated blocker, a random batch of jobs is
 * queued behind them (some in the pool's queue, some in the workers' rings), and a random subset
 * is aborted while none of them can have started — by `handle.abort()` (right after the call or
 * later), an AbortSignal, a JoinSet's `abortAll()` or disposal — while others only lose an await
 * (`timeout` / `select` drops the handle's await, which detaches nothing). Then the gate opens.
 *
 * Invariants (Tokio's `spawn_blocking` + tokio-ts README "Abort"):
 * - an aborted job that had not started never runs, and its handle is cancelled;
 * - every other job runs exactly once and its handle gets its own result or error (right class,
 *   message and properties, AggregateError's `errors`, thrown non-errors as is);
 * - never more jobs run at once than `maxBlockingThreads`;
 * - with one thread, the jobs start in submission order (FIFO);
 * - afterwards the metrics are back to idle: queue depth 0, every thread idle, completed count
 *   = jobs that ran, threads ≤ max.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { JoinSet, spawn, yieldNow } from "@tokio-ts/runtime";
import { select } from "@tokio-ts/macros";
import { timeout } from "@tokio-ts/time";
import { blockingMetrics, spawnBlocking } from "@tokio-ts/blocking";
import { blocker, describe, expected, hostTurns, KINDS, Shared, until, work, type Handle } from "./support.js";

type Cancel = "none" | "abortNow" | "abortLater" | "signal" | "set" | "setDispose" | "dropAwait";
const CANCELS: Cancel[] = ["none", "none", "none", "abortNow", "abortLater", "signal", "set", "setDispose", "dropAwait"];

interface Planned {
  readonly id: number;
  readonly kind: string;
  readonly cancel: Cancel;
}

function scenario(seed: number) {
  const rng = new SeededRng(seed * 7919 + 1);
  const threads = rng.between(1, 3);
  const n = rng.between(8, 30);
  const plan: Planned[] = Array.from({ length: n }, (_, id) => ({
    id,
    kind: KINDS[rng.below(KINDS.length)]!,
    cancel: CANCELS[rng.below(CANCELS.length)]!,
  }));
  return { rng, threads, plan };
}

test("queued blocking jobs: aborted ones never run, the others run once with their own outcome", async () => {
  for (let s = 0; s < 30; s++) await runSeed(s);
});

async function runSeed(oneSeed: number): Promise<void> {
  await forEachSeed(
    [oneSeed],
    async (rt, seed) => {
      const { rng, threads, plan } = scenario(seed);
      const shared = new Shared();
      try {
        const report = await rt.blockOn(async () => {
          const blockers = Array.from({ length: threads }, (_, i) => spawnBlocking(blocker, shared.buffer, 1000 + i, 5_000));
          // Every worker holds a blocker from here on, so no job below can start before the gate opens.
          await until(() => shared.started() === threads, "every blocker runs");
          const controller = new AbortController();
          const set = new JoinSet<unknown>();
          const disposedSet = new JoinSet<unknown>();
          const handles: Handle[] = [];
          const laterAborts: Handle[] = [];
          for (const p of plan) {
            let h: Handle;
            if (p.cancel === "signal") h = spawnBlocking.with({ signal: controller.signal }, work, p.id, p.kind, 20);
            else h = spawnBlocking(work, p.id, p.kind, rng.below(3) === 0 ? 300 : 20);
            handles.push(h);
            if (p.cancel === "abortNow") h.abort();
            if (p.cancel === "abortLater") laterAborts.push(h);
            if (p.cancel === "set") set.spawn(h);
            if (p.cancel === "setDispose") disposedSet.spawn(h);
            if (rng.below(4) === 0) await yieldNow(); // let some batches reach the rings
          }
          // Let the dispatch run (jobs go into rings / stay queued), in a seed-dependent number of turns.
          await hostTurns(rng.below(3));
          const depth = blockingMetrics().blockingQueueDepth();
          // Lose the await of some handles: the job stays (only an abort removes it).
          for (const p of plan) {
            if (p.cancel !== "dropAwait") continue;
            const h = handles[p.id]!;
            if (rng.below(2) === 0) {
              let elapsed = false;
              try {
                await timeout(1, h);
              } catch {
                elapsed = true;
              }
              assert.ok(elapsed, `job ${p.id} cannot finish before the gate opens`);
            } else {
              const r = await select({ job: h, other: spawn(async () => "other") }, { biased: false });
              assert.is(r.key, "other", `job ${p.id} cannot finish before the gate opens`);
            }
          }
          for (const h of rng.shuffle(laterAborts)) {
            h.abort();
            if (rng.below(2) === 0) await yieldNow();
          }
          controller.abort();
          set.abortAll();
          disposedSet[Symbol.dispose]();
          // Every outcome is awaited from now on (no unjoined panic).
          const outcomes = handles.map((h, i) => (plan[i]!.cancel === "set" ? null : describe(h)));
          const setOutcomes: string[] = [];
          const setDrained = (async () => {
            while (!set.isEmpty()) setOutcomes.push(await describe(set.joinNext()));
          })();
          await hostTurns(rng.below(3));
          // Still nothing of ours started.
          assert.is(shared.order().length, 0, "no job started while the workers were held");
          shared.open();
          for (const b of blockers) await b;
          const results = await Promise.all(outcomes);
          await setDrained;
          const m = blockingMetrics();
          await until(() => m.blockingQueueDepth() === 0 && m.numIdleBlockingThreads() === m.numBlockingThreads(), "the pool is idle");
          return {
            results,
            setOutcomes,
            depth,
            threadsAfter: m.numBlockingThreads(),
            spawned: m.spawnedBlockingJobsCount(),
            completed: m.completedBlockingJobsCount(),
          };
        });

        const cancelledKinds: Cancel[] = ["abortNow", "abortLater", "signal", "set", "setDispose"];
        let ran = 0;
        for (const p of plan) {
          const cancelled = cancelledKinds.includes(p.cancel);
          const runs = shared.runs(p.id);
          const where = `seed ${seed}, threads ${threads}, job ${p.id} (${p.kind}, ${p.cancel})`;
          if (cancelled) {
            assert.is(runs, 0, `${where}: an aborted job that had not started must never run`);
            if (p.cancel !== "set") assert.is(report.results[p.id], "cancelled", where);
          } else {
            assert.is(runs, 1, `${where}: runs exactly once; outcome ${report.results[p.id]}`);
            assert.is(report.results[p.id], expected(p.id, p.kind), where);
            ran++;
          }
        }
        assert.equal(report.setOutcomes, plan.filter((p) => p.cancel === "set").map(() => "cancelled"), `seed ${seed}: set outcomes`);
        assert.ok(shared.maxActive() <= threads, `seed ${seed}: ${shared.maxActive()} jobs ran at once with ${threads} threads`);
        if (threads === 1) {
          const fifo = plan.filter((p) => shared.runs(p.id) === 1).map((p) => p.id);
          assert.equal(shared.order(), fifo, `seed ${seed}: one thread starts the queued jobs in FIFO order`);
        }
        assert.ok(report.threadsAfter <= threads, `seed ${seed}: ${report.threadsAfter} threads > max ${threads}`);
        assert.is(report.spawned, plan.length + threads, `seed ${seed}: spawned count`);
        assert.is(report.completed, ran + threads, `seed ${seed}: completed count = jobs that ran`);
      } finally {
        shared.open();
      }
    },
    { enableTime: true, configure: (b) => b.maxBlockingThreads(scenario(oneSeed).threads) },
  );
}

test.run();
