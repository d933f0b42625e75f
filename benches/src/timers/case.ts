/**
 * What every timer workload exports. Unlike the task workloads (one runner per implementation
 * of IMPLS), a timer workload compares a few named rows — `tokio-ts sleep`, `node setTimeout +
 * clearTimeout`, `performance.now()` — against one of them, its baseline (a tokio-ts row).
 *
 * They run under mitata in the same process as the plain-Node, Effect and Effection rows of
 * the task workloads (the process without AsyncLocalStorage's promise hooks).
 */

/** One row of a timer workload. */
export interface TimerRow {
  /** Its name in the table and the chart. */
  label: string;
  /**
   * One run of `n` operations; sync rows stay sync, so mitata does not time a promise. `probe`
   * (optional) is called once at the point of most live timers.
   */
  runner: (n: number, probe?: () => void) => unknown;
  /** A smaller size for a row too slow (or too hungry) at the workload's `n`. */
  n?: number;
  /**
   * How many timers of this implementation are alive now. The check before measuring runs the
   * row once at its full size and asserts that this count rose by exactly `n` at the probe
   * and fell back afterwards: a workload that never registered its timers is worse than none.
   */
  liveTimers?: () => number;
  /**
   * `tokio-ts`: a tokio-ts variant (ratio in the table, no bar in the chart); `peer`: another
   * implementation of the same operation (ratio and bar); `context`: not the same operation,
   * shown for scale only (no ratio, no bar).
   */
  role: "tokio-ts" | "peer" | "context";
  /** The label of the row this one's ratio is taken against, if not the workload's baseline. */
  versus?: string;
}

/** A timer workload: its name, where it comes from, its size, its rows and its baseline. */
export interface TimerWorkload {
  id: string;
  title: string;
  /** What it reproduces (the benchmark, a Tokio bench). */
  source: string;
  /** What the rows do, one line each, for the report. */
  notes: string[];
  /** The size of one mitata iteration. */
  n: number;
  /** What `n` counts ("timer", "call", "tick"). */
  unit: string;
  /** The label of the row every ratio is taken against. */
  baseline: string;
  rows: TimerRow[];
  /** Throws unless `out`, a row's result at size `n`, is right. */
  checkOutput?: (out: unknown, n: number) => void;
}

/** The size of one mitata iteration of `row` of `workload`. */
export function rowSize(workload: TimerWorkload, row: TimerRow): number {
  return row.n ?? workload.n;
}

/**
 * Run `row` once at full size and check its output, and that its live timer count rose by
 * exactly n at the probe and fell back afterwards.
 */
export async function checkTimerRow(w: TimerWorkload, row: TimerRow): Promise<void> {
  const n = rowSize(w, row);
  const what = `${w.id} / ${row.label}`;
  const live = row.liveTimers;
  const before = live?.() ?? 0;
  let peak = NaN;
  const out = await row.runner(n, () => {
    peak = live?.() ?? NaN;
  });
  w.checkOutput?.(out, n);
  if (live === undefined) return;
  await null; // let the drivers' lazy re-arm run
  const after = live();
  if (peak - before !== n) throw new Error(`${what}: ${peak - before} timers alive at the probe, expected ${n}`);
  if (after !== before) throw new Error(`${what}: ${after - before} timers left alive after cancelling`);
  console.log(`check: ${what}: ${n.toLocaleString("en-US")} timers registered, all cancelled`);
}
