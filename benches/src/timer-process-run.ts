/**
 * Child process: one row of a timer workload (src/timers/) timed in a fresh process, as
 * sync-process-run.ts does for the sync rows.
 *
 * Usage: `node dist/src/timer-process-run.js <workload id> <row label> [warm-ups] [samples]`;
 * prints one JSON line, a {@link ProcessResult}. The size is the row's (`n`, else the
 * workload's).
 *
 * Why: the `setTimeout` + `clearTimeout` row of 1M timeouts created and cancelled read 533–734
 * ns per timer in the mitata process of different runs, and 585–787 ns in fresh processes of
 * one run. A target near its mark is judged as well on the median of fresh processes (main.ts
 * alternates the rows between rounds).
 *
 * Method: one run at the row's size, checked as the mitata run checks it (`checkTimerRow`: its
 * output, its live timers up by n at the probe and back after); then `warm-ups` iterations (default 10); then `samples` samples (default
 * 7), each the mean of 3 iterations. The result is the median sample, per operation.
 */
import { shutdownTokioRuntime } from "./impl.js";
import { sampleInProcess } from "./process-sample.js";
import type { ProcessResult } from "./results.js";
import { TIMER_PROCESS_WORKLOADS, TIMER_WORKLOADS } from "./timers/all.js";
import { checkTimerRow, rowSize } from "./timers/case.js";

async function main(): Promise<void> {
  const [id, label, warmArg, samplesArg] = process.argv.slice(2);
  const workload = TIMER_WORKLOADS.find((w) => w.id === id);
  if (workload === undefined || !TIMER_PROCESS_WORKLOADS.includes(workload.id)) {
    throw new RangeError(`no timer workload ${String(id)} is timed in fresh processes`);
  }
  const row = workload.rows.find((r) => r.label === label);
  if (row === undefined) throw new RangeError(`${workload.id} has no row ${String(label)}`);
  const n = rowSize(workload, row);
  await checkTimerRow(workload, row);
  const result: ProcessResult = {
    workload: workload.id,
    row: row.label,
    n,
    ...(await sampleInProcess(row.runner, n, Number(warmArg ?? 10), Number(samplesArg ?? 7))),
  };
  console.log(JSON.stringify(result));
  shutdownTokioRuntime();
}

await main();
