/**
 * The records the child processes print or write and the report reads. Kept apart from the
 * child scripts, which run as soon as they are imported.
 */
import type { ImplName } from "./impl.js";

/** One mitata bench, in nanoseconds per iteration of `n` operations. */
export interface BenchResult {
  workload: string;
  impl: ImplName;
  n: number;
  avg: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
  samples: number;
  error?: string;
}

/** One spawn+join memory run; bytes and milliseconds. */
export interface MemoryResult {
  impl: ImplName;
  n: number;
  ms: number;
  baselineRss: number;
  peakRss: number;
  baselineHeap: number;
  peakHeap: number;
}

/** A memory run that did not produce a result (crashed, timed out). */
export interface MemoryFailure {
  impl: ImplName;
  n: number;
  error: string;
}

/** The conditions of the context-propagation table (see context-cost.ts). */
export const CONTEXT_MODES = ["off", "enabled", "run"] as const;
export type ContextMode = (typeof CONTEXT_MODES)[number];

/** One context-cost run: median milliseconds for `n` awaits. */
export interface ContextResult {
  mode: ContextMode;
  n: number;
  ms: number;
}

/** One mitata bench of a timer workload's row, in nanoseconds per iteration of `n` operations. */
export interface TimerBenchResult {
  workload: string;
  row: string;
  n: number;
  avg: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
  samples: number;
  error?: string;
}

/** The implementations of the awaited-sleeps run (see sleeps-run.ts). */
export const SLEEP_IMPLS = ["tokio-ts sleep", "node setTimeout promise", "node timers/promises"] as const;
export type SleepImpl = (typeof SLEEP_IMPLS)[number];

/**
 * One awaited-sleeps run: wall time from the first timer made to the last one awaited, and
 * lateness (completion − intended deadline) over all n sleeps; milliseconds.
 */
export interface SleepResult {
  impl: SleepImpl;
  n: number;
  totalMs: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
  /** How many completed before their intended deadline (negative lateness). */
  early: number;
}

/** An awaited-sleeps run that did not produce a result. */
export interface SleepFailure {
  impl: SleepImpl;
  n: number;
  error: string;
}

/** One mitata bench of a sync workload's row (src/sync/), in nanoseconds per iteration of `n` operations. */
export interface SyncBenchResult {
  workload: string;
  row: string;
  n: number;
  avg: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
  samples: number;
  error?: string;
}

/** One sync memory run (sync-memory-run.ts): one row of an mpsc workload at full size; bytes and milliseconds. */
export interface SyncMemoryResult {
  workload: string;
  row: string;
  n: number;
  ms: number;
  baselineRss: number;
  peakRss: number;
  baselineHeap: number;
  peakHeap: number;
}

/** A sync memory run that did not produce a result. */
export interface SyncMemoryFailure {
  workload: string;
  row: string;
  n: number;
  error: string;
}

/** One mitata bench of a macros workload's row (src/macros/), in nanoseconds per iteration of `n` operations. */
export type MacroBenchResult = SyncBenchResult;

/**
 * One macros memory run (macros-memory-run.ts): one row of the select workload at full size;
 * heap used after a full GC at the start (after a warm-up), after round n / 2 and after round
 * n (the run's state still alive); bytes and milliseconds.
 */
export interface MacroMemoryResult {
  workload: string;
  row: string;
  n: number;
  ms: number;
  startHeap: number;
  midHeap: number;
  endHeap: number;
  peakRss: number;
  /** Live timers after the run minus before it (0: every loser's timer was cleared). */
  timersLeft: number;
}

/** A macros memory run that did not produce a result. */
export interface MacroMemoryFailure {
  workload: string;
  row: string;
  n: number;
  error: string;
}

/**
 * One row timed in a fresh process (steps 3b, 3c and 6b: task-, timer- and
 * sync-process-run.ts): the median sample, in nanoseconds per operation, and every sample. The
 * row of a task workload is its implementation.
 */
export interface ProcessResult {
  workload: string;
  row: string;
  n: number;
  perOpNs: number;
  samplesNs: number[];
}

/** A fresh-process run that did not produce a result. */
export interface ProcessFailure {
  workload: string;
  row: string;
  n: number;
  error: string;
}
