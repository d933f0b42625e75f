/**
 * The `@tokio-ts/macros` part of RESULTS.md and of the chart: the issue-5 targets, a table per
 * macros workload, and the select memory runs.
 *
 * As for the sync workloads (report-sync.ts): every ratio is a row's time per operation over
 * that of the workload's `tokio-ts · gen task` row, and the tables and targets give each
 * peer's ratio over the `tokio-ts · async fn` row too. Above 1, tokio-ts is that many times
 * faster.
 *
 * "Flat memory" is judged on the memory runs: heap used after a full GC at round n is within
 * {@link FLAT_BYTES} of the heap at round n / 2 — at 1,000,000 rounds, less than ~2 bytes
 * retained per round over the second half.
 */
import { formatBytes, formatNs, formatRate } from "./format.js";
import type { Report } from "./report.js";
import type { MacroBenchResult, MacroMemoryFailure, MacroMemoryResult } from "./results.js";
import { TOKIO_ASYNC, TOKIO_GEN, type MacroWorkload } from "./macros/case.js";
import { MACRO_MEMORY_WORKLOADS, MACRO_WORKLOADS } from "./macros/all.js";

/** The most the heap may grow over the second half of a memory run and still count as flat. */
const FLAT_BYTES = 2 ** 20;

function findMacro(report: Report, workload: string, row: string): MacroBenchResult | undefined {
  return report.macros?.find((b) => b.workload === workload && b.row === row && b.error === undefined);
}

function perOp(r: MacroBenchResult | undefined): number {
  return r === undefined ? NaN : r.avg / r.n;
}

/** `row`'s time per operation over `versus`'s (by default the gen-task row), or NaN. */
function macroRatio(report: Report, workload: string, row: string, versus: string = TOKIO_GEN): number {
  return perOp(findMacro(report, workload, row)) / perOp(findMacro(report, workload, versus));
}

function ratioText(ratio: number): string {
  if (!Number.isFinite(ratio)) return "—";
  return ratio >= 1 ? `**${ratio.toFixed(2)}× faster**` : `**${(1 / ratio).toFixed(2)}× slower**`;
}

function isMemoryResult(r: MacroMemoryResult | MacroMemoryFailure): r is MacroMemoryResult {
  return !("error" in r);
}

function memoryRun(report: Report, workload: string, row: string): MacroMemoryResult | undefined {
  return (report.macrosMemory ?? []).filter(isMemoryResult).find((m) => m.workload === workload && m.row === row);
}

function isFlat(m: MacroMemoryResult): boolean {
  return m.endHeap - m.midHeap <= FLAT_BYTES && m.timersLeft === 0;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const kib = (bytes: number): string => `${bytes >= 0 ? "+" : "−"}${(Math.abs(bytes) / 1024).toFixed(0)} KiB`;

// ---------------------------------------------------------------- targets

const SELECT = "select-recv-sleep";
const JOIN = "join-10-ready";
const NODE_SELECT = "node Promise.race + AbortController";

/** The issue-5 targets, judged on the gen-task row, with the async-fn row beside it. */
export function macrosTargetRows(report: Report): string[] {
  const cell = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "—");
  const met = (ok: boolean | undefined): string => (ok === undefined ? "—" : ok ? "yes" : "**no**");
  const atLeast = (r: number, k: number): boolean | undefined => (Number.isFinite(r) ? r >= k : undefined);
  const lines = [
    `| target | ${TOKIO_GEN} (baseline) | met | ${TOKIO_ASYNC} | met |`,
    "| --- | ---: | :---: | ---: | :---: |",
  ];
  const speed = (text: string, workload: string, peer: string, k: number): void => {
    const gen = macroRatio(report, workload, peer, TOKIO_GEN);
    const async = macroRatio(report, workload, peer, TOKIO_ASYNC);
    lines.push(`| ${text} | ${cell(gen)} | ${met(atLeast(gen, k))} | ${cell(async)} | ${met(atLeast(async, k))} |`);
  };
  speed("select (ready recv vs pending sleep): ≥ 5× `Promise.race` + `timers/promises` + `AbortController`", SELECT, NODE_SELECT, 5);
  const flat = (row: string): [string, string] => {
    const m = memoryRun(report, SELECT, row);
    if (m === undefined) return ["—", "—"];
    return [`${mib(m.startHeap)} → ${mib(m.midHeap)} → ${mib(m.endHeap)}`, met(isFlat(m))];
  };
  const n = memoryRun(report, SELECT, TOKIO_GEN)?.n ?? 1_000_000;
  const [genFlat, genMet] = flat(TOKIO_GEN);
  const [asyncFlat, asyncMet] = flat(TOKIO_ASYNC);
  lines.push(
    `| select: flat memory over ${n.toLocaleString("en-US")} rounds (heap after GC, start → middle → end; ≤ 1 MiB growth over the second half, no timer left) | ${genFlat} | ${genMet} | ${asyncFlat} | ${asyncMet} |`,
  );
  speed("join of 10 ready futures: ≥ 2× `Promise.all` of 10 resolved promises", JOIN, "node Promise.all · resolved promises", 2);
  speed("join of 10 ready futures: ≥ 2× `Promise.all` of 10 async calls", JOIN, "node Promise.all · async calls", 2);
  return lines;
}

// ---------------------------------------------------------------- tables

function macroTable(report: Report, w: MacroWorkload): string[] {
  const lines = [
    `| row | n / iter | time / iter (avg) | p50 | p99 | per ${w.unit} | ${w.unit}s/s | ${TOKIO_GEN} is | ${TOKIO_ASYNC} is |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
  ];
  for (const row of w.rows) {
    const r = report.macros?.find((b) => b.workload === w.id && b.row === row.label);
    if (r === undefined) continue;
    if (r.error !== undefined) {
      lines.push(`| ${row.label} | ${r.n.toLocaleString("en-US")} | failed: ${r.error} | | | | | | |`);
      continue;
    }
    const label = row.role === "context" ? `${row.label} (context)` : row.label;
    const vsGen = row.label === TOKIO_GEN ? "baseline" : ratioText(macroRatio(report, w.id, row.label, TOKIO_GEN));
    const vsAsync = row.label === TOKIO_ASYNC ? "—" : ratioText(macroRatio(report, w.id, row.label, TOKIO_ASYNC));
    const op = perOp(r);
    lines.push(
      `| ${label} | ${r.n.toLocaleString("en-US")} | ${formatNs(r.avg)} | ${formatNs(r.p50)} | ${formatNs(r.p99)} | ` +
        `${formatNs(op)} | ${formatRate(1e9 / op)} | ${vsGen} | ${vsAsync} |`,
    );
  }
  return lines;
}

function memoryTable(report: Report, workload: string): string[] {
  const runs = (report.macrosMemory ?? []).filter((m) => m.workload === workload);
  if (runs.length === 0) return [];
  const lines = [
    "| row | rounds | time | per round | rounds/s | heap after GC: start | middle | end | end − middle | per round, 2nd half | timers left | peak RSS | flat |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
  ];
  for (const m of runs) {
    if (!isMemoryResult(m)) {
      lines.push(`| ${m.row} | ${m.n.toLocaleString("en-US")} | did not finish: ${m.error} | | | | | | | | | | |`);
      continue;
    }
    const growth = m.endHeap - m.midHeap;
    lines.push(
      `| ${m.row} | ${m.n.toLocaleString("en-US")} | ${(m.ms / 1e3).toFixed(2)} s | ${formatNs((m.ms * 1e6) / m.n)} | ` +
        `${formatRate((m.n / m.ms) * 1e3)} | ${mib(m.startHeap)} | ${mib(m.midHeap)} | ${mib(m.endHeap)} | ${kib(growth)} | ` +
        `${(growth / (m.n - (m.n >> 1))).toFixed(1)} B | ${m.timersLeft} | ${formatBytes(m.peakRss)} | ${isFlat(m) ? "yes" : "**no**"} |`,
    );
  }
  return lines;
}

/** The "Macros" section of RESULTS.md; empty for a report without macros results. */
export function macrosSection(report: Report): string[] {
  if (report.macros === undefined) return [];
  const out: string[] = [
    "## Macros (`@tokio-ts/macros`)",
    "",
    "The macros workloads run under mitata in two processes of their own: every row but one, then",
    `the select \`${TOKIO_ASYNC}\` row alone — \`sleep\` needs the runtime's clock, so that row is an`,
    "async body inside `rt.blockOn(async () => …)`, which switches AsyncLocalStorage on, and its",
    "promise hooks would slow every later row (see [How it runs](#how-it-runs)). In the join",
    `workload, \`${TOKIO_ASYNC}\` is a plain async function with no runtime. Ratios are per operation`,
    `against **${TOKIO_GEN}**, the baseline, and against **${TOKIO_ASYNC}** in the last column.`,
    "Before measuring, every row runs at its full size, then at n = 4,096 and 1,024 (full size first:",
    "a first run at a small size left the plain-promise rows slower for the rest of the process)",
    "and is checked: every",
    "message received once and in order, by the `msg` branch; join outputs summing to",
    "10·n(n − 1)/2 + 45·n; and, for the select rows, the live timer count (the time driver's",
    "`timerCount`; Node's `getActiveResourcesInfo()` \"Timeout\" entries) back where it was after",
    "each run. Shapes and the peers' code: [macros/select.ts](src/macros/select.ts),",
    "[macros/join.ts](src/macros/join.ts).",
    "",
  ];
  for (const w of MACRO_WORKLOADS) {
    out.push(`### ${w.title}`, "", `Source: ${w.source}.`, "", ...w.notes.map((n) => `- ${n}`), "", ...macroTable(report, w), "");
  }
  if ((report.macrosMemory ?? []).length > 0) {
    for (const id of MACRO_MEMORY_WORKLOADS) {
      const w = MACRO_WORKLOADS.find((x) => x.id === id)!;
      const n = w.fullN ?? w.n;
      out.push(
        `### ${w.title}: ${n.toLocaleString("en-US")} rounds, time and memory over the run`,
        "",
        "One run per row, each in its own process (`--expose-gc`), after a 10,000-round warm-up",
        "([macros-memory-run.ts](src/macros-memory-run.ts)). Heap used is sampled after a full GC",
        "before the run, and from inside the run after round n / 2 and after round n, while",
        "everything the run holds is still reachable; \"flat\" means the heap grew by at most 1 MiB",
        "over the second half and no timer was left. Time is one run (its two GCs included), not",
        "a mitata mean. The never-settling `Promise.race` runs at a smaller n: its heap grows by",
        "one retained reaction per round (nodejs/node#17469), which is the point of the row.",
        "",
        ...memoryTable(report, id),
        "",
      );
    }
  }
  return out;
}

/** The chart's bars for the macros peers (context rows and tokio-ts variants get none). */
export function macrosChartRows(report: Report): { label: string; ratio: number }[] {
  const rows: { label: string; ratio: number }[] = [];
  for (const w of MACRO_WORKLOADS) {
    for (const row of w.rows) {
      if (row.role !== "peer") continue;
      const r = macroRatio(report, w.id, row.label);
      if (Number.isFinite(r)) rows.push({ label: `${w.title} · ${row.label}`, ratio: r });
    }
  }
  return rows;
}
