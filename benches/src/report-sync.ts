/**
 * The `@tokio-ts/sync` part of RESULTS.md and of the chart: the issue-4 targets, a table per
 * sync workload, and the memory runs at the issue's sizes.
 *
 * Every ratio is a row's time per operation over that of the workload's `tokio-ts · gen task`
 * row (see sync/case.ts for why that is the baseline); the tables and the targets also give
 * each peer's ratio over the `tokio-ts · async fn` row. Above 1, tokio-ts is that many times
 * faster.
 */
import { formatBytes, formatNs, formatRate, median } from "./format.js";
import type { Report } from "./report.js";
import { eachProcess, processFailures, processRatio, processRounds, processTimes } from "./processes.js";
import type { SyncBenchResult, SyncMemoryFailure, SyncMemoryResult } from "./results.js";
import { syncIssueSize, TOKIO_ASYNC, TOKIO_GEN, type SyncWorkload } from "./sync/case.js";
import { SYNC_MEMORY_WORKLOADS, SYNC_PROCESS_WORKLOADS, SYNC_WORKLOADS } from "./sync/all.js";

function findSync(report: Report, workload: string, row: string): SyncBenchResult | undefined {
  return report.sync?.find((b) => b.workload === workload && b.row === row && b.error === undefined);
}

function perOp(r: SyncBenchResult | undefined): number {
  return r === undefined ? NaN : r.avg / r.n;
}

/** `row`'s time per operation over `versus`'s (by default the gen-task row), or NaN. */
export function syncRatio(report: Report, workload: string, row: string, versus: string = TOKIO_GEN): number {
  return perOp(findSync(report, workload, row)) / perOp(findSync(report, workload, versus));
}

function ratioText(ratio: number): string {
  if (!Number.isFinite(ratio)) return "—";
  return ratio >= 1 ? `**${ratio.toFixed(2)}× faster**` : `**${(1 / ratio).toFixed(2)}× slower**`;
}

// ---------------------------------------------------------------- targets

interface SyncTarget {
  text: string;
  workload: string;
  peer: string;
  /** The ratio (peer over tokio-ts, per operation) the target asks for. */
  atLeast: number;
}

const SYNC_TARGETS: SyncTarget[] = [
  ...["mpsc-bounded-1to1", "mpsc-bounded-4to1", "mpsc-unbounded-1to1"].flatMap((id): SyncTarget[] => {
    const w = SYNC_WORKLOADS.find((x) => x.id === id)!;
    const effect = id.includes("unbounded") ? "effect Queue.unbounded" : "effect Queue.bounded";
    return [
      { text: `${w.title}: ≥ 1.5× the plain promise queue`, workload: id, peer: "promise queue", atLeast: 1.5 },
      { text: `${w.title}: ≥ 4× Effect 4's \`${effect.slice("effect ".length)}\``, workload: id, peer: effect, atLeast: 4 },
    ];
  }),
  { text: "oneshot ping-pong: ≥ 4× plain promises", workload: "oneshot-ping-pong", peer: "plain promises", atLeast: 4 },
  { text: "Mutex, 8 tasks: ≥ 20× async-mutex", workload: "mutex-8-tasks", peer: "async-mutex", atLeast: 20 },
  { text: "Semaphore(4), 64 tasks: ≥ 2× async-sema", workload: "semaphore-4-of-64", peer: "async-sema", atLeast: 2 },
  { text: "broadcast 1→16: ≥ 2× a plain async ring", workload: "broadcast-1to16", peer: "plain async ring", atLeast: 2 },
];

/** The size step 6b ran `workload` at (the issue's, unless the results say otherwise). */
function processSize(report: Report, workload: string): number {
  const run = (report.syncProcesses ?? []).find((r) => r.workload === workload);
  return run?.n ?? syncIssueSize(SYNC_WORKLOADS.find((x) => x.id === workload)!);
}

/** How many rounds step 6b ran on `workload`. */
function syncProcessRounds(report: Report, workload: string): number {
  const w = SYNC_WORKLOADS.find((x) => x.id === workload)!;
  return processRounds(report.syncProcesses, workload, w.rows.map((row) => row.label));
}

/** The issue-4 targets, judged on the gen-task row, with the async-fn row's ratio beside it. */
export function syncTargetRows(report: Report): string[] {
  const cell = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "—");
  const met = (r: number, atLeast: number): string => (!Number.isFinite(r) ? "—" : r >= atLeast ? "yes" : "**no**");
  const lines = [
    `| target | ${TOKIO_GEN} (baseline) | met | ${TOKIO_ASYNC} | met |`,
    "| --- | ---: | :---: | ---: | :---: |",
  ];
  for (const t of SYNC_TARGETS) {
    const gen = syncRatio(report, t.workload, t.peer, TOKIO_GEN);
    const async = syncRatio(report, t.workload, t.peer, TOKIO_ASYNC);
    lines.push(`| ${t.text} | ${cell(gen)} | ${met(gen, t.atLeast)} | ${cell(async)} | ${met(async, t.atLeast)} |`);
    if (!SYNC_PROCESS_WORKLOADS.includes(t.workload)) continue;
    const rounds = syncProcessRounds(report, t.workload);
    if (rounds === 0) continue;
    const w = SYNC_WORKLOADS.find((x) => x.id === t.workload)!;
    const size = `${processSize(report, t.workload).toLocaleString("en-US")} ${w.unit}s`;
    const genP = processRatio(report.syncProcesses, t.workload, t.peer, TOKIO_GEN);
    const asyncP = processRatio(report.syncProcesses, t.workload, t.peer, TOKIO_ASYNC);
    lines.push(
      `| ${t.text} — ${size} per iteration, median of ${rounds} fresh processes per row | ${cell(genP)} | ${met(genP, t.atLeast)} | ${cell(asyncP)} | ${met(asyncP, t.atLeast)} |`,
    );
  }
  return lines;
}

/** The fresh-process table of `w` (step 6b), or nothing if it was not run. */
function syncProcessTable(report: Report, w: SyncWorkload): string[] {
  const rounds = syncProcessRounds(report, w.id);
  if (rounds === 0) return [];
  const lines = [
    `Each row again in ${rounds} fresh processes at ${processSize(report, w.id).toLocaleString("en-US")} ${w.unit}s per`,
    "iteration (the issue's count), the rows alternating (`sync-process-run.ts`: checked at that size and at 1,024,",
    "10 warm-up iterations, then 7 samples of 3 iterations each; a process's time is its median sample). The",
    "ratios compare the medians over the processes.",
    "",
    `| row | median per ${w.unit} | each process | ${TOKIO_GEN} is | ${TOKIO_ASYNC} is |`,
    "| --- | ---: | --- | --- | --- |",
  ];
  const runs = report.syncProcesses;
  for (const row of w.rows) {
    const times = processTimes(runs, w.id, row.label);
    if (times.length === 0 && processFailures(runs, w.id, row.label) === 0) continue;
    const vsGen = row.label === TOKIO_GEN ? "baseline" : ratioText(processRatio(runs, w.id, row.label, TOKIO_GEN));
    const vsAsync = row.label === TOKIO_ASYNC ? "—" : ratioText(processRatio(runs, w.id, row.label, TOKIO_ASYNC));
    lines.push(`| ${row.label} | ${formatNs(median(times))} | ${eachProcess(runs, w.id, row.label)} | ${vsGen} | ${vsAsync} |`);
  }
  return lines;
}

// ---------------------------------------------------------------- tables

function syncTable(report: Report, w: SyncWorkload): string[] {
  const lines = [
    `| row | n / iter | time / iter (avg) | p50 | p99 | per ${w.unit} | ${w.unit}s/s | ${TOKIO_GEN} is | ${TOKIO_ASYNC} is |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
  ];
  for (const row of w.rows) {
    const r = report.sync?.find((b) => b.workload === w.id && b.row === row.label);
    if (r === undefined) continue;
    if (r.error !== undefined) {
      lines.push(`| ${row.label} | ${r.n.toLocaleString("en-US")} | failed: ${r.error} | | | | | | |`);
      continue;
    }
    const label = row.role === "context" ? `${row.label} (context)` : row.label;
    const vsGen = row.label === TOKIO_GEN ? "baseline" : ratioText(syncRatio(report, w.id, row.label, TOKIO_GEN));
    const vsAsync = row.label === TOKIO_ASYNC ? "—" : ratioText(syncRatio(report, w.id, row.label, TOKIO_ASYNC));
    const op = perOp(r);
    lines.push(
      `| ${label} | ${r.n.toLocaleString("en-US")} | ${formatNs(r.avg)} | ${formatNs(r.p50)} | ${formatNs(r.p99)} | ` +
        `${formatNs(op)} | ${formatRate(1e9 / op)} | ${vsGen} | ${vsAsync} |`,
    );
  }
  return lines;
}

function isSyncMemoryResult(r: SyncMemoryResult | SyncMemoryFailure): r is SyncMemoryResult {
  return !("error" in r);
}

function syncMemoryTable(report: Report, workload: string): string[] {
  const unit = SYNC_WORKLOADS.find((x) => x.id === workload)!.unit;
  const runs = (report.syncMemory ?? []).filter((m) => m.workload === workload);
  if (runs.length === 0) return [];
  const lines = [
    `| row | ${unit}s | time | per ${unit} | ${unit}s/s | peak RSS | RSS above baseline | peak heap used | heap above baseline |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const m of runs) {
    if (!isSyncMemoryResult(m)) {
      lines.push(`| ${m.row} | ${m.n.toLocaleString("en-US")} | did not finish: ${m.error} | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${m.row} | ${m.n.toLocaleString("en-US")} | ${(m.ms / 1e3).toFixed(2)} s | ${formatNs((m.ms * 1e6) / m.n)} | ` +
        `${formatRate((m.n / m.ms) * 1e3)} | ${formatBytes(m.peakRss)} | ${formatBytes(m.peakRss - m.baselineRss)} | ` +
        `${formatBytes(m.peakHeap)} | ${formatBytes(m.peakHeap - m.baselineHeap)} |`,
    );
  }
  return lines;
}

/** The "Sync" section of RESULTS.md; empty for a report without sync results. */
export function syncSection(report: Report): string[] {
  if (report.sync === undefined) return [];
  const out: string[] = [
    "## Sync (`@tokio-ts/sync`)",
    "",
    "The sync workloads run under mitata in a process of their own (no AsyncLocalStorage hooks:",
    "no row runs an async body inside a tokio-ts runtime). tokio-ts is measured twice in each:",
    `**${TOKIO_GEN}** (generator tasks spawned on a current-thread runtime, \`yield*\`) and`,
    `**${TOKIO_ASYNC}** (the same primitives from plain async functions, no runtime: each`,
    "`await` of a tokio-ts future is polled by a standalone driver on the microtask queue).",
    `Ratios are per operation against **${TOKIO_GEN}**, the baseline — how tokio-ts is meant to`,
    "be used, and the baseline of the rest of this file — and, in the last column, against",
    `**${TOKIO_ASYNC}**, the like-for-like comparison with the plain-Node peers (which are plain`,
    "async functions). Before measuring, every row runs at its full size, then at n = 4,096 and",
    "1,024, and is checked (full size first: until 2026-12-07 the small sizes ran first, and one",
    "first run at n = 1,024 left the plain-promise row of oneshot ping-pong ~1.5× slower for the",
    "rest of the process, which flattered tokio-ts): every message received, in order per",
    "producer; the counter equal to the",
    "number of increments (and no two critical sections overlapping); every broadcast value",
    "read by all 16 consumers in order. Shapes and the peers' code:",
    "[sync/mpsc.ts](src/sync/mpsc.ts), [sync/oneshot.ts](src/sync/oneshot.ts),",
    "[sync/mutex.ts](src/sync/mutex.ts), [sync/semaphore.ts](src/sync/semaphore.ts),",
    "[sync/broadcast.ts](src/sync/broadcast.ts), [sync/promise-queue.ts](src/sync/promise-queue.ts),",
    "[sync/async-ring.ts](src/sync/async-ring.ts). One mitata iteration is smaller than the",
    "issue's totals (n / iter below); the mpsc and oneshot runs at the issue's counts are in",
    "[the memory tables](#at-the-issues-sizes-time-and-peak-memory).",
    "",
  ];
  for (const w of SYNC_WORKLOADS) {
    out.push(`### ${w.title}`, "", `Source: ${w.source}.`, "", ...w.notes.map((n) => `- ${n}`), "", ...syncTable(report, w), "");
    const processes = syncProcessTable(report, w);
    if (processes.length > 0) out.push(...processes, "");
  }
  if ((report.syncMemory ?? []).length > 0) {
    out.push(
      "### At the issue's sizes: time and peak memory",
      "",
      "One run per row at the issue's count, each in its own process (`--expose-gc`), after a",
      "warm-up run at 8,192 and a full GC (the baseline). Peak RSS is the kernel's high-water",
      "mark; peak heap is the largest `heapUsed` seen by a 5 ms sampler and by a probe every",
      "65,536 operations (a run that is one microtask chain starves the sampler). Time is one",
      "run, not a mitata mean.",
      "",
    );
    for (const id of SYNC_MEMORY_WORKLOADS) {
      const w = SYNC_WORKLOADS.find((x) => x.id === id)!;
      const runs = (report.syncMemory ?? []).filter((m) => m.workload === id);
      const size = (runs[0]?.n ?? syncIssueSize(w)).toLocaleString("en-US");
      out.push(`#### ${w.title}, ${size} ${w.unit}s`, "");
      if (w.memoryNotes !== undefined) out.push(...w.memoryNotes, "");
      out.push(...syncMemoryTable(report, id), "");
    }
  }
  return out;
}

/** The chart's bars for the sync peers (context rows and tokio-ts variants get none). */
export function syncChartRows(report: Report): { label: string; ratio: number }[] {
  const rows: { label: string; ratio: number }[] = [];
  for (const w of SYNC_WORKLOADS) {
    for (const row of w.rows) {
      if (row.role !== "peer") continue;
      const r = syncRatio(report, w.id, row.label);
      if (Number.isFinite(r)) rows.push({ label: `${w.title} · ${row.label}`, ratio: r });
    }
  }
  return rows;
}
