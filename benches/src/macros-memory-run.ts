/**
 * Child process: one run of a macros workload's row at the full size (for select,
 * 1,000,000 rounds), reporting wall time and the heap over the run.
 *
 * Usage: `node --expose-gc dist/src/macros-memory-run.js <workload id> <row label> <n>`;
 * prints one JSON line.
 *
 * The question is whether memory stays flat: a select that drops its losers holds nothing
 * from one round to the next, while `Promise.race` against a never-settling promise keeps one
 * reaction per round alive (nodejs/node#17469). So the heap is sampled after a full GC three
 * times: before the run (after a 10,000-round warm-up), after round n / 2 and after round n,
 * the last two from inside the run (the row's probe) so that whatever the run retains is still
 * reachable. The GCs inside the run are part of its time, as they are for every row. The
 * result is checked like the mitata run's, and so is the live timer count.
 */
import { performance } from "node:perf_hooks";
import { shutdownTokioRuntime } from "./impl.js";
import { MACRO_WORKLOADS } from "./macros/all.js";
import type { MacroMemoryResult } from "./results.js";

async function main(): Promise<void> {
  const [id, label, size] = process.argv.slice(2);
  const workload = MACRO_WORKLOADS.find((w) => w.id === id);
  if (workload === undefined) throw new RangeError(`unknown macros workload ${String(id)}`);
  const row = workload.rows.find((r) => r.label === label);
  if (row === undefined) throw new RangeError(`${workload.id} has no row ${String(label)}`);
  const n = Number(size ?? workload.n);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc");

  workload.check(await row.runner(10_000), 10_000);
  await null;
  const timersBefore = row.liveTimers?.() ?? 0;
  gc();
  gc();
  const startHeap = process.memoryUsage().heapUsed;
  const samples: number[] = [];
  const probe = (): void => {
    gc();
    samples.push(process.memoryUsage().heapUsed);
  };

  const start = performance.now();
  const out = await row.runner(n, probe);
  const ms = performance.now() - start;
  workload.check(out, n);
  await null;
  if (samples.length !== 2) throw new Error(`${row.label}: ${samples.length} heap samples, expected 2`);

  const result: MacroMemoryResult = {
    workload: workload.id,
    row: row.label,
    n,
    ms,
    startHeap,
    midHeap: samples[0]!,
    endHeap: samples[1]!,
    peakRss: process.resourceUsage().maxRSS * 1024,
    timersLeft: (row.liveTimers?.() ?? 0) - timersBefore,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  shutdownTokioRuntime();
}

await main();
