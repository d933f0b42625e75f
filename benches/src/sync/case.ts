/**
 * What every sync workload exports (src/sync/). Like a timer workload (../timers/case.ts), a
 * sync workload compares a few named rows against one of them, its baseline; unlike one, every
 * row is asynchronous (it runs concurrent tasks that hand values to each other) and returns
 * what it computed, which {@link SyncWorkload.check} verifies before anything is measured.
 *
 * tokio-ts is measured twice in every workload, and both rows are reported:
 * - `tokio-ts · async fn`: `@tokio-ts/sync` used from plain async functions, no runtime (each
 *   `await` of a tokio-ts future is polled by a standalone driver on the microtask queue);
 * - `tokio-ts · gen task`: the same primitives in generator tasks (`yield*`) spawned on a
 *   current-thread tokio-ts runtime.
 * The baseline is the gen-task row: it is how tokio-ts is meant to be used (tasks on a
 * runtime, as Tokio's benches run), it is the baseline of every other table in RESULTS.md,
 * and Effect's rows run on Effect's own fiber runtime too. The async-fn row is the
 * like-for-like comparison with the plain-Node peers (a hand-written promise queue,
 * async-mutex, async-sema, p-limit: all plain async functions), so every table and the targets
 * give its ratio as well.
 *
 * No row here runs an async body inside a tokio-ts runtime, so AsyncLocalStorage's promise
 * hooks are never switched on in the sync process (see ../mitata-run.ts).
 */

/** The label of the tokio-ts row in generator tasks on a runtime: every sync workload's baseline. */
export const TOKIO_GEN = "tokio-ts · gen task";
/** The label of the tokio-ts row in plain async functions, without a runtime. */
export const TOKIO_ASYNC = "tokio-ts · async fn";

/** One row of a sync workload. */
export interface SyncRow {
  /** Its name in the table and the chart. */
  label: string;
  /**
   * One run of `n` operations; resolves to what the workload's check verifies. `probe`
   * (optional; the memory runs pass it) is called every 65,536 operations, so that they can
   * sample the heap while a microtask chain keeps the host loop from turning.
   */
  runner: (n: number, probe?: () => void) => Promise<unknown>;
  /** A smaller size for a row too slow at the workload's `n` (time per operation compares). */
  n?: number;
  /**
   * `tokio-ts`: a tokio-ts variant (ratio in the table, no bar in the chart); `peer`: another
   * implementation of the same operation (ratio and bar); `context`: not the same operation
   * (e.g. synchronous delivery), shown for scale only (ratio in the table, no bar).
   */
  role: "tokio-ts" | "peer" | "context";
}

/** A sync workload: its name, where it comes from, its size, its rows and its check. */
export interface SyncWorkload {
  id: string;
  title: string;
  /** What it reproduces (the issue's benchmark, a Tokio bench). */
  source: string;
  /** What the rows do, one line each, for the report. */
  notes: string[];
  /** The size of one mitata iteration (messages, round trips, increments…). */
  n: number;
  /**
   * The issue's own count for this benchmark (5,000,000 messages, 1,000,000 round trips), where
   * one mitata iteration is smaller. The memory runs (step 7) and the fresh-process runs (step
   * 6b) use it; without it they use `n`.
   */
  issueN?: number;
  /** What the memory table of this workload needs said (report paragraphs, markdown lines). */
  memoryNotes?: string[];
  /** What `n` counts ("message", "round trip", "increment"). */
  unit: string;
  rows: SyncRow[];
  /** Throws unless `out`, a row's result for size `n`, is right. */
  check: (out: unknown, n: number) => void;
}

/** The size of one mitata iteration of `row` of `workload`. */
export function syncRowSize(workload: SyncWorkload, row: SyncRow): number {
  return row.n ?? workload.n;
}

/** The size `workload` runs at in its memory and fresh-process runs: the issue's count. */
export function syncIssueSize(workload: SyncWorkload): number {
  return workload.issueN ?? workload.n;
}

/** A check for rows that resolve to a count: it must equal `n`. */
export function expectCount(what: string): (out: unknown, n: number) => void {
  return (out, n) => {
    if (out !== n) throw new Error(`${what}: got ${String(out)}, expected ${n}`);
  };
}

/** Throw unless `actual === expected`: the in-loop order checks every row makes. */
export function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new Error(`${what}: got ${String(actual)}, expected ${String(expected)}`);
}
