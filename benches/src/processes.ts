/**
 * Reading the fresh-process runs (steps 3b, 3c and 6b) for the report: each row's times, the
 * ratio of two rows' medians, and how many rounds ran.
 */
import { median } from "./format.js";
import type { ProcessFailure, ProcessResult } from "./results.js";

export type ProcessRun = ProcessResult | ProcessFailure;

export function isProcessResult(r: ProcessRun): r is ProcessResult {
  return !("error" in r);
}

/** Every time per operation of `row` of `workload`, in round order. */
export function processTimes(runs: readonly ProcessRun[] | undefined, workload: string, row: string): number[] {
  return (runs ?? []).filter(isProcessResult).filter((r) => r.workload === workload && r.row === row).map((r) => r.perOpNs);
}

/** How many runs of `row` of `workload` failed. */
export function processFailures(runs: readonly ProcessRun[] | undefined, workload: string, row: string): number {
  return (runs ?? []).filter((r) => r.workload === workload && r.row === row && !isProcessResult(r)).length;
}

/** `row`'s median time per operation over `versus`'s, or NaN. */
export function processRatio(runs: readonly ProcessRun[] | undefined, workload: string, row: string, versus: string): number {
  return median(processTimes(runs, workload, row)) / median(processTimes(runs, workload, versus));
}

/** How many rounds ran on `workload`: the most results of one of `rows`. */
export function processRounds(runs: readonly ProcessRun[] | undefined, workload: string, rows: readonly string[]): number {
  return Math.max(0, ...rows.map((row) => processTimes(runs, workload, row).length));
}

/** "a, b, c ns" for a table cell, with the count of failed runs if any. */
export function eachProcess(runs: readonly ProcessRun[] | undefined, workload: string, row: string): string {
  const failed = processFailures(runs, workload, row);
  return processTimes(runs, workload, row).map((t) => t.toFixed(0)).join(", ") + (failed > 0 ? ` (${failed} failed)` : "") + " ns";
}
