/**
 * What every workload exports: one runner per implementation, so that the mitata run, the
 * memory runs and the report all name the same things the same way.
 */
import { Builder, type Runtime } from "@tokio-ts/runtime";

/** The implementations, in the order the tables list them. */
export const IMPLS = ["tokio-ts gen", "tokio-ts async", "node", "effect", "effection"] as const;
export type ImplName = (typeof IMPLS)[number];

/** The implementation every ratio is taken against. */
export const BASELINE: ImplName = "tokio-ts gen";

/**
 * One run of a workload. `probe` (optional) is called once at the point of most live tasks, so
 * that the memory runs can sample the heap there even when the host loop never gets a turn.
 */
export type Runner = (n: number, probe?: () => void) => Promise<unknown>;

/** A workload: its name, where it comes from, its sizes, and a runner per implementation. */
export interface Workload {
  id: string;
  title: string;
  /** What it reproduces (a Tokio bench, the target). */
  source: string;
  /** The size of one mitata iteration. */
  n: number;
  /**
   * A smaller size for an implementation too slow to sample at `n` in reasonable time; the
   * report compares time per operation, and says where a size differs.
   */
  sizes?: Partial<Record<ImplName, number>>;
  /** What `n` counts, for ops/s ("task", "yield", "ping-pong"). */
  unit: string;
  runners: Partial<Record<ImplName, Runner>>;
}

/** The size of one mitata iteration of `workload` for `impl`. */
export function sizeFor(workload: Workload, impl: ImplName): number {
  return workload.sizes?.[impl] ?? workload.n;
}

let runtime: Runtime | undefined;
let timeRuntime: Runtime | undefined;
let pausedRuntime: Runtime | undefined;

/** The process's one tokio-ts runtime, built on first use (Tokio's benches build one per bench). */
export function tokioRuntime(): Runtime {
  runtime ??= Builder.newCurrentThread().name("bench").build();
  return runtime;
}

/**
 * A runtime with timers (`enableTime()`), real clock: the timer workloads'. Kept apart from
 * {@link tokioRuntime} so that the task workloads run exactly as before, without a driver.
 */
export function tokioTimeRuntime(): Runtime {
  timeRuntime ??= Builder.newCurrentThread().name("bench-time").enableTime().build();
  return timeRuntime;
}

/** A runtime with timers and a paused clock (`startPaused(true)`): auto-advance workloads. */
export function tokioPausedRuntime(): Runtime {
  pausedRuntime ??= Builder.newCurrentThread().name("bench-paused").enableTime().startPaused(true).build();
  return pausedRuntime;
}

/** Shut down every runtime built here, so the process can exit. */
export function shutdownTokioRuntime(): void {
  for (const rt of [runtime, timeRuntime, pausedRuntime]) rt?.shutdownBackground();
  runtime = timeRuntime = pausedRuntime = undefined;
}
