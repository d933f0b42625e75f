/**
 * Child process: one measured run of a sync workload's row at the issue's size (`issueN`: for
 * mpsc 5,000,000 messages, for oneshot 1,000,000 round trips), reporting wall time and peak
 * memory.
 *
 * Usage: `node --expose-gc dist/src/sync-memory-run.js <workload id> <row label> <n>`; prints
 * one JSON line.
 *
 * Each row gets its own process, so that neither another row's heap nor its JIT state changes
 * its numbers. As in memory-run.ts: peak RSS is the kernel's high-water mark
 * (`resourceUsage().maxRSS`); peak heap is the largest `heapUsed` seen by a 5 ms sampler, by
 * the row's probe (every 65,536 operations: a run that is one long microtask chain never lets
 * the sampler run) and right after the run; both are also given above the baseline taken
 * after a warm-up run at 8,192 (a multiple of every workload's task count) and a full GC. The
 * result is checked like the mitata run's.
 */
import { performance } from "node:perf_hooks";
import { shutdownTokioRuntime } from "./impl.js";
import type { SyncMemoryResult } from "./results.js";
import { SYNC_WORKLOADS } from "./sync/all.js";
import { syncIssueSize } from "./sync/case.js";

async function main(): Promise<void> {
  const [id, label, size] = process.argv.slice(2);
  const workload = SYNC_WORKLOADS.find((w) => w.id === id);
  if (workload === undefined) throw new RangeError(`unknown sync workload ${String(id)}`);
  const row = workload.rows.find((r) => r.label === label);
  if (row === undefined) throw new RangeError(`${workload.id} has no row ${String(label)}`);
  const n = Number(size ?? syncIssueSize(workload));
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc");

  const warmUp = 8_192;
  workload.check(await row.runner(warmUp), warmUp);
  gc();
  gc();
  const baseline = process.memoryUsage();
  let peakHeap = baseline.heapUsed;
  const sample = (): void => {
    const used = process.memoryUsage().heapUsed;
    if (used > peakHeap) peakHeap = used;
  };
  const sampler = setInterval(sample, 5);

  const start = performance.now();
  const out = await row.runner(n, sample);
  const ms = performance.now() - start;
  sample();
  clearInterval(sampler);
  workload.check(out, n);

  const result: SyncMemoryResult = {
    workload: workload.id,
    row: row.label,
    n,
    ms,
    baselineRss: baseline.rss,
    peakRss: process.resourceUsage().maxRSS * 1024,
    baselineHeap: baseline.heapUsed,
    peakHeap,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  shutdownTokioRuntime();
}

await main();
