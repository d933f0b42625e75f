/**
 * Child process: one sync workload's row timed in a fresh process, so that no other row's heap
 * or JIT state touches it.
 *
 * Usage: `node dist/src/sync-process-run.js <workload id> <row label> [n] [warm-ups] [samples]`;
 * prints one JSON line, a {@link ProcessResult}. `n` defaults to the issue's size
 * (`issueN`; main.ts passes it).
 *
 * Why: in the one mitata process that runs every sync workload, a peer's time per operation
 * swings with the heap the earlier workloads left behind — the plain-promise row of oneshot
 * ping-pong read 499 ns and 762 ns per round trip in two runs of the same code, while the
 * tokio-ts gen row read 154 and 152. A target that sits near its mark is judged more fairly on
 * the median of several fresh processes (main.ts alternates the rows between rounds).
 *
 * Method: the row runs at `n` and at 1,024 and is checked; then `warm-ups` iterations at `n`
 * (default 10); then `samples` samples (default 7), each the mean of 3 iterations. The result
 * is the median sample, per operation.
 */
import { shutdownTokioRuntime } from "./impl.js";
import { sampleInProcess } from "./process-sample.js";
import type { ProcessResult } from "./results.js";
import { SYNC_WORKLOADS } from "./sync/all.js";
import { syncIssueSize } from "./sync/case.js";

async function main(): Promise<void> {
  const [id, label, size, warmArg, samplesArg] = process.argv.slice(2);
  const workload = SYNC_WORKLOADS.find((w) => w.id === id);
  if (workload === undefined) throw new RangeError(`unknown sync workload ${String(id)}`);
  const row = workload.rows.find((r) => r.label === label);
  if (row === undefined) throw new RangeError(`${workload.id} has no row ${String(label)}`);
  const n = Number(size ?? syncIssueSize(workload));
  const warmUps = Number(warmArg ?? 10);
  const sampleCount = Number(samplesArg ?? 7);
  // Full size first: a first run at a small size can leave a row's code slower for the rest of
  // the process (see checkSizes in mitata-run.ts).
  for (const k of [n, 1_024]) workload.check(await row.runner(k), k);
  const result: ProcessResult = {
    workload: workload.id,
    row: row.label,
    n,
    ...(await sampleInProcess(row.runner, n, warmUps, sampleCount)),
  };
  console.log(JSON.stringify(result));
  shutdownTokioRuntime();
}

await main();
