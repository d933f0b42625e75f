/**
 * Abort of running blocking jobs, with and without `terminateOnAbort`, mixed with short jobs
 * queued behind them (in the same worker's ring or in the pool's queue) and random aborts of
 * short jobs.
 *
 * Invariants (README "Abort", JobOptions#terminateOnAbort, WorkerExitError):
 * - a running job aborted without terminateOnAbort runs to completion, but its handle is
 *   cancelled as soon as the runtime next runs (before the job ends);
 * - one aborted with terminateOnAbort stops (never reaches its end) and its handle is
 *   cancelled; the pool starts another worker and the jobs queued behind it run there;
 * - every job runs at most once; every job not aborted runs exactly once with its own result;
 * - never more runs at once than maxBlockingThreads;
 * - every worker started is stopped by the end (onThreadStart / onThreadStop balance) and the
 *   metrics are back to idle.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { yieldNow } from "@tokio-ts/runtime";
import { blockingMetrics, spawnBlocking } from "@tokio-ts/blocking";
import { describe, logged, loggedBlocker, RunLog, Shared, until, type Handle } from "./support.js";

type Kind = "hold" | "kill" | "short";
interface Planned {
  readonly id: number;
  readonly kind: Kind;
  /** Abort it: long jobs once they run, short ones at a random point. */
  readonly abort: boolean;
}

async function runSeed(seed: number): Promise<void> {
  const rng = new SeededRng(seed * 31 + 7);
  const threads = rng.between(1, 3);
  const log = new RunLog(`running-abort-${seed}`);
  let started = 0;
  let stopped = 0;
  const shared = new Shared();
  try {
    await forEachSeed(
      [seed],
      async (rt) => {
        const longs = rng.between(1, threads);
        const plan: Planned[] = [];
        for (let id = 0; id < longs; id++) plan.push({ id, kind: rng.below(2) === 0 ? "hold" : "kill", abort: rng.below(4) !== 0 });
        for (let id = longs; id < longs + rng.between(4, 16); id++) plan.push({ id, kind: "short", abort: rng.below(4) === 0 });
        const report = await rt.blockOn(async () => {
          const handles: Handle[] = [];
          const outcomes: Promise<string>[] = [];
          for (const p of plan) {
            let h: Handle;
            if (p.kind === "hold") h = spawnBlocking(loggedBlocker, shared.buffer, log.path, p.id, 5_000);
            else if (p.kind === "kill") h = spawnBlocking.with({ terminateOnAbort: true }, loggedBlocker, shared.buffer, log.path, p.id, 5_000);
            else h = spawnBlocking(logged, log.path, p.id, rng.between(0, 500));
            handles.push(h);
            outcomes.push(describe(h));
            if (rng.below(3) === 0) await yieldNow();
          }
          // The long jobs each have a worker (they take only idle ones): wait until all run.
          await until(() => shared.started() === longs, "the long jobs run");
          const shortAborts = rng.shuffle(plan.filter((p) => p.kind === "short" && p.abort));
          for (const p of plan.filter((q) => q.kind !== "short" && q.abort)) {
            handles[p.id]!.abort();
            if (shortAborts.length !== 0 && rng.below(2) === 0) handles[shortAborts.pop()!.id]!.abort();
            if (rng.below(2) === 0) await yieldNow();
          }
          for (const p of shortAborts) handles[p.id]!.abort();
          await yieldNow();
          await yieldNow();
          // The aborted long jobs' handles are cancelled now, while the jobs still run or are being killed.
          const finishedEarly = plan.filter((p) => p.kind !== "short" && p.abort).map((p) => handles[p.id]!.isFinished());
          shared.open();
          const results = await Promise.all(outcomes);
          const m = blockingMetrics();
          await until(() => plan.filter((p) => p.kind === "hold").every((p) => log.ends(p.id) === 1), "the held jobs ended");
          await until(() => m.blockingQueueDepth() === 0 && m.numIdleBlockingThreads() === m.numBlockingThreads() && m.numBlockingThreads() <= threads, "the pool is idle");
          return { results, finishedEarly, threadsAfter: m.numBlockingThreads() };
        });
        const where = `seed ${seed}, ${threads} thread(s)`;
        assert.ok(report.finishedEarly.every((f) => f), `${where}: an aborted running job's handle is cancelled at once`);
        for (const p of plan) {
          const what = `${where}, job ${p.id} (${p.kind}${p.abort ? ", aborted" : ""})`;
          const starts = log.starts(p.id);
          const ends = log.ends(p.id);
          if (p.kind === "kill" && p.abort) {
            assert.is(report.results[p.id], "cancelled", what);
            assert.is(starts, 1, `${what}: started once`);
            assert.is(ends, 0, `${what}: terminated, it never reached its end`);
          } else if (p.kind === "hold" && p.abort) {
            assert.is(report.results[p.id], "cancelled", what);
            assert.is([starts, ends].join(), "1,1", `${what}: runs to completion once`);
          } else if (p.abort) {
            // Aborted at a random point: it may have finished first (then its handle has the result).
            if (report.results[p.id] !== "cancelled") assert.is(report.results[p.id], `ok ${p.id * 10}`, what);
            assert.ok(starts <= 1 && ends === starts, `${what}: at most one run (${starts} starts, ${ends} ends)`);
          } else {
            assert.is(report.results[p.id], `ok ${p.id * 10}`, what);
            assert.is([starts, ends].join(), "1,1", `${what}: runs exactly once`);
          }
        }
        assert.ok(log.maxOverlap() <= threads, `${where}: ${log.maxOverlap()} jobs ran at once`);
        assert.ok(report.threadsAfter <= threads, `${where}: ${report.threadsAfter} threads alive`);
      },
      {
        configure: (b) =>
          b
            .maxBlockingThreads(threads)
            .onThreadStart(() => started++)
            .onThreadStop(() => stopped++),
      },
    );
    // forEachSeed shut the runtime down (shutdownTimeout(Infinity)): every worker is gone.
    assert.is(stopped, started, `seed ${seed}: every started worker stopped (${started} started, ${stopped} stopped)`);
  } finally {
    shared.open();
    log.remove();
  }
}

test("abort of running jobs (detach or terminate) with jobs queued behind them", async () => {
  for (let seed = 0; seed < 20; seed++) await runSeed(seed);
});

test.run();
