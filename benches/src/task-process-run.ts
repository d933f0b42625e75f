/**
 * Child process: one implementation of a task workload (src/workloads/) timed in a fresh
 * process, as sync-process-run.ts does for the sync rows.
 *
 * Usage: `node dist/src/task-process-run.js <workload id> <impl> [n] [warm-ups] [samples]`;
 * prints one JSON line, a {@link ProcessResult}. `n` defaults to the workload's (for
 * spawn+join, the issue's 1,000,000 tasks).
 *
 * Why: in step 1's mitata process every implementation runs after the others have filled and
 * left the heap, and spawn+join at 1,000,000 tasks is mostly the garbage collector's work (each
 * live task is copied by a scavenge), so its time per task there depends on what ran before.
 * A target near its mark is judged as well on the median of fresh processes (main.ts
 * alternates the implementations between rounds).
 *
 * Method: the run at `n` and at 1,024 must return its size (every task joined, every output
 * summed); then `warm-ups` iterations at `n` (default 10); then `samples` samples (default 7),
 * each the mean of 3 iterations. The result is the median sample, per operation.
 */
import { IMPLS, shutdownTokioRuntime, type ImplName } from "./impl.js";
import { sampleInProcess } from "./process-sample.js";
import type { ProcessResult } from "./results.js";
import { TASK_PROCESS_WORKLOADS, workload as findWorkload } from "./workloads/all.js";

async function main(): Promise<void> {
  const [id, name, size, warmArg, samplesArg] = process.argv.slice(2);
  const workload = findWorkload(String(id));
  if (!TASK_PROCESS_WORKLOADS.includes(workload.id)) throw new RangeError(`${workload.id} is not timed in fresh processes`);
  if (!(IMPLS as readonly string[]).includes(name ?? "")) throw new RangeError(`unknown implementation ${String(name)}`);
  const impl = name as ImplName;
  const runner = workload.runners[impl];
  if (runner === undefined) throw new RangeError(`${workload.id} has no ${impl} runner`);
  const n = Number(size ?? workload.n);
  const warmUps = Number(warmArg ?? 10);
  const sampleCount = Number(samplesArg ?? 7);
  // Full size first (see checkSizes in mitata-run.ts).
  for (const k of [n, 1_024]) {
    const out = await runner(k);
    if (out !== k) throw new Error(`${workload.id} / ${impl} returned ${String(out)}, expected ${k}`);
  }
  const result: ProcessResult = {
    workload: workload.id,
    row: impl,
    n,
    ...(await sampleInProcess(runner, n, warmUps, sampleCount)),
  };
  console.log(JSON.stringify(result));
  shutdownTokioRuntime();
}

await main();
