/**
 * Many jobs of mixed sizes and durations on 2–3 threads, so that the pool's rings fill up, jobs
 * wait in its queue, and idle workers steal queued jobs from busy ones; arguments small (inline
 * in the slot), large (sent as bytes), moved with transfer(), or SharedArrayBuffers; results
 * small, large, or moved back with transfer(); random aborts at random moments.
 *
 * Invariants: every job runs at most once; a job not aborted runs exactly once and its handle
 * gets *its* result (checked by content); an aborted job's handle is cancelled unless the job
 * had finished first; never more runs at once than threads; metrics idle at the end.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { yieldNow } from "@tokio-ts/runtime";
import { blockingMetrics, spawnBlocking, transfer } from "@tokio-ts/blocking";
import { RunLog, until, type Handle } from "./support.js";

/** Job: log a run, spin, return `id:length:` and `resultLen` characters derived from `text`. */
function echo(path: string, id: number, text: string, resultLen: number, spinMicros: number): string {
  const fs = (process as unknown as { getBuiltinModule(n: string): typeof import("node:fs") }).getBuiltinModule("node:fs");
  fs.appendFileSync(path, `S ${id} ${process.hrtime.bigint()}\n`);
  const end = performance.now() + spinMicros / 1000;
  while (performance.now() < end);
  fs.appendFileSync(path, `E ${id} ${process.hrtime.bigint()}\n`);
  return `${id}:${text.length}:${(text + "#").repeat(Math.ceil(resultLen / (text.length + 1))).slice(0, resultLen)}`;
}

/** Job: log a run; sum the bytes; return them doubled, moved back with transfer(). */
function bytesJob(path: string, id: number, bytes: Uint8Array): Uint8Array {
  const fs = (process as unknown as { getBuiltinModule(n: string): typeof import("node:fs") }).getBuiltinModule("node:fs");
  fs.appendFileSync(path, `S ${id} ${process.hrtime.bigint()}\n`);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i]! * 2) & 0xff;
  fs.appendFileSync(path, `E ${id} ${process.hrtime.bigint()}\n`);
  return (globalThis as unknown as { transfer<T>(v: T, l: unknown[]): T }).transfer(out, [out.buffer]);
}

/** Job: log a run; read a SharedArrayBuffer argument (shared, not copied). */
function sabJob(path: string, id: number, sab: SharedArrayBuffer): number {
  const fs = (process as unknown as { getBuiltinModule(n: string): typeof import("node:fs") }).getBuiltinModule("node:fs");
  fs.appendFileSync(path, `S ${id} ${process.hrtime.bigint()}\n`);
  const v = Atomics.add(new Int32Array(sab), 0, 1) + 1;
  fs.appendFileSync(path, `E ${id} ${process.hrtime.bigint()}\n`);
  return v * 1000 + id;
}

function expectedEcho(id: number, text: string, resultLen: number): string {
  return `${id}:${text.length}:${(text + "#").repeat(Math.ceil(resultLen / (text.length + 1))).slice(0, resultLen)}`;
}

async function runSeed(seed: number): Promise<void> {
  const rng = new SeededRng(seed * 101 + 5);
  const threads = rng.between(2, 3);
  const log = new RunLog(`mixed-${seed}`);
  try {
    await forEachSeed(
      [seed],
      async (rt) => {
        const n = rng.between(60, 250);
        const report = await rt.blockOn(async () => {
          const checks: Promise<string | undefined>[] = [];
          const handles: Handle[] = [];
          const aborted = new Set<number>();
          for (let id = 0; id < n; id++) {
            const kind = rng.below(10);
            let h: Handle;
            let check: (v: unknown) => string | undefined;
            if (kind < 7) {
              const text = String.fromCharCode(97 + (id % 26)).repeat(rng.below(3) === 0 ? rng.between(400, 3000) : rng.between(0, 40));
              const resultLen = rng.below(4) === 0 ? rng.between(500, 4000) : rng.between(0, 50);
              const spin = rng.below(8) === 0 ? rng.between(500, 2500) : rng.between(0, 50);
              h = spawnBlocking(echo, log.path, id, text, resultLen, spin);
              const want = expectedEcho(id, text, resultLen);
              check = (v) => (v === want ? undefined : `job ${id}: got ${String(v).slice(0, 40)}…, want ${want.slice(0, 40)}…`);
            } else if (kind < 9) {
              const bytes = new Uint8Array(rng.between(1, 5000)).map((_, i) => (i + id) & 0x7f);
              const want = bytes.map((b) => (b * 2) & 0xff);
              h = spawnBlocking(bytesJob, log.path, id, transfer(bytes, [bytes.buffer]));
              assert.is(bytes.length, 0, "the argument buffer moved");
              check = (v) => (v instanceof Uint8Array && v.length === want.length && v.every((b, i) => b === want[i]) ? undefined : `job ${id}: wrong bytes`);
            } else {
              const sab = new SharedArrayBuffer(4);
              h = spawnBlocking(sabJob, log.path, id, sab);
              check = (v) => (v === 1000 + id && Atomics.load(new Int32Array(sab), 0) === 1 ? undefined : `job ${id}: got ${String(v)}`);
            }
            handles.push(h);
            const mine = id;
            checks.push(
              (async () => {
                try {
                  return check(await h);
                } catch (e) {
                  const cancelled = (e as { isCancelled?: () => boolean }).isCancelled?.() === true;
                  if (cancelled && aborted.has(mine)) return undefined;
                  return `job ${mine}: ${cancelled ? "cancelled but not aborted" : String((e as Error).cause ?? e)}`;
                }
              })(),
            );
            // Random aborts of earlier jobs, at random moments.
            if (rng.below(12) === 0) {
              const victim = rng.below(handles.length);
              aborted.add(victim);
              handles[victim]!.abort();
            }
            if (rng.below(6) === 0) await yieldNow();
            if (rng.below(25) === 0) await new Promise<void>((r) => setTimeout(r, rng.between(0, 3)));
          }
          const problems = (await Promise.all(checks)).filter((p): p is string => p !== undefined);
          const m = blockingMetrics();
          await until(() => m.blockingQueueDepth() === 0 && m.numIdleBlockingThreads() === m.numBlockingThreads(), "the pool is idle");
          // Detached runs (aborted while running) may still be writing their end.
          await until(() => log.events().filter((e) => e.kind === "S").length === log.events().filter((e) => e.kind === "E").length, "every run ended");
          return { problems, aborted, threadsAfter: m.numBlockingThreads(), completed: m.completedBlockingJobsCount(), spawned: m.spawnedBlockingJobsCount() };
        });
        const where = `seed ${seed}, ${threads} threads, ${n} jobs`;
        assert.equal(report.problems, [], `${where}: every handle got its own outcome`);
        let ran = 0;
        for (let id = 0; id < n; id++) {
          const starts = log.starts(id);
          if (report.aborted.has(id)) assert.ok(starts <= 1, `${where}: aborted job ${id} ran ${starts} times`);
          else assert.is(starts, 1, `${where}: job ${id} runs exactly once`);
          ran += starts;
        }
        assert.ok(log.maxOverlap() <= threads, `${where}: ${log.maxOverlap()} runs at once`);
        assert.ok(report.threadsAfter <= threads, `${where}: ${report.threadsAfter} threads`);
        assert.is(report.spawned, n, `${where}: spawned`);
        assert.is(report.completed, ran, `${where}: completed = runs`);
      },
      { configure: (b) => b.maxBlockingThreads(threads) },
    );
  } finally {
    log.remove();
  }
}

test("mixed load with random aborts: at most one run per job, exactly one if not aborted, right results", async () => {
  for (let seed = 0; seed < 12; seed++) await runSeed(seed);
});

test.run();
