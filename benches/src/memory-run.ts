/**
 * Child process: one measured spawn+join of N tasks (the 1,000,000) for one
 * implementation, reporting wall time and peak memory.
 *
 * Usage: `node --expose-gc dist/src/memory-run.js <impl> <n>`; prints one JSON line.
 *
 * Each implementation gets its own process, so that neither the heap another one left behind
 * nor promise hooks switched on by another (tokio-ts async bodies turn AsyncLocalStorage on)
 * change its numbers. Peak RSS is the kernel's high-water mark (`resourceUsage().maxRSS`);
 * peak heap is the largest `heapUsed` seen by a 5 ms sampler, by the workload's probe (called
 * once all N tasks are spawned, which is when most are alive, even if the host loop never gets
 * a turn), and right after the run. Both are also given above the baseline taken after a
 * warm-up run and a full GC.
 */
import { performance } from "node:perf_hooks";
import { IMPLS, shutdownTokioRuntime, type ImplName } from "./impl.js";
import type { MemoryResult } from "./results.js";
import { spawnJoin } from "./workloads/spawn-join.js";

async function main(): Promise<void> {
  const [name, size] = process.argv.slice(2);
  if (!(IMPLS as readonly string[]).includes(name ?? "")) throw new RangeError(`unknown implementation ${String(name)}`);
  const impl = name as ImplName;
  const n = Number(size ?? 1_000_000);
  const runner = spawnJoin.runners[impl];
  if (runner === undefined) throw new RangeError(`${impl} has no spawn-join runner`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc");

  await runner(10_000);
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
  const out = await runner(n, sample);
  const ms = performance.now() - start;
  sample();
  clearInterval(sampler);
  if (out !== n) throw new Error(`${impl} returned ${String(out)}, expected ${n}`);

  const result: MemoryResult = {
    impl,
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
