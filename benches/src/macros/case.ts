/**
 * What every macros workload exports (src/macros/): the shape of a sync workload
 * (../sync/case.ts) — named rows compared with the `tokio-ts · gen task` row, each row
 * returning what it computed for {@link MacroWorkload.check} — plus two things the macros need:
 *
 * - `asyncBody`: the row runs an async body inside a tokio-ts runtime (`sleep` needs the
 *   runtime's clock, so `select` with a timeout from an async function has to run in
 *   `rt.blockOn(async () => …)`). That switches AsyncLocalStorage on, whose promise hooks slow
 *   every later promise in the process (../mitata-run.ts), so these rows are measured in a
 *   process of their own, after the others.
 * - `liveTimers`: how many timers of this row's kind are alive; the check asserts the count is
 *   back where it was after a run (a select that leaves its losing timer armed is wrong).
 */
import type { SyncRow, SyncWorkload } from "../sync/case.js";

export { TOKIO_ASYNC, TOKIO_GEN } from "../sync/case.js";

/** One row of a macros workload. `probe` is called at the middle and at the end of a run (see {@link MacroWorkload}). */
export interface MacroRow extends SyncRow {
  asyncBody?: boolean;
  liveTimers?: () => number;
  /** The size of its memory run, if not the workload's `fullN` (a row that leaks). */
  memoryN?: number;
}

/**
 * A macros workload. A row's `probe`, when given, is called twice while the run's state is
 * still alive: after round n / 2 and after round n, so that the memory runs
 * (../macros-memory-run.ts) can take a heap sample after GC at the middle and at the end.
 */
export interface MacroWorkload extends SyncWorkload {
  rows: MacroRow[];
  /** The full size, run once per row in a process of its own (the memory runs), if any. */
  fullN?: number;
}

/** Which rows a mitata process measures: those without an async body, or only those with one. */
export function rowsFor(w: MacroWorkload, asyncBody: boolean): MacroRow[] {
  return w.rows.filter((r) => (r.asyncBody === true) === asyncBody);
}

/** Calls `probe` after rounds n / 2 and n: `tick(i)` after round i (1-based). */
export function midAndEnd(n: number, probe: (() => void) | undefined): (round: number) => void {
  if (probe === undefined) return () => {};
  const mid = n >> 1;
  return (round) => {
    if (round === mid || round === n) probe();
  };
}

/** Live Node timers (`Timeout` entries of `process.getActiveResourcesInfo()`). */
export function nodeTimers(): number {
  let count = 0;
  for (const kind of process.getActiveResourcesInfo()) if (kind === "Timeout") count++;
  return count;
}
