/**
 * `pnpm bench`: runs every benchmark and writes `RESULTS.md`, `ratios.svg` and the raw
 * `results.json` next to this package's package.json.
 *
 * Order, each step in child processes of its own (see mitata-run.ts for why):
 * 1. mitata over every workload for tokio-ts gen, node, effect and effection, and over the
 *    timer workloads (src/timers/);
 * 2. mitata over every workload for tokio-ts async (AsyncLocalStorage on);
 * 3. spawn+join of 1,000,000 tasks, one process per implementation, for time and peak memory;
 *    3b. spawn+join again, every implementation but Effection in a fresh process, 5 rounds
 *    with the implementations alternating (task-process-run.ts): at 1,000,000 tasks its time
 *    is mostly the garbage collector's, which depends on what ran before in the mitata process;
 *    3c. the rows of 1M timeouts created and cancelled likewise (timer-process-run.ts);
 * 4. the context-propagation cost table;
 * 5. 100,000 awaited sleeps in real time, 3 rounds of one process per implementation,
 *    alternating (sleeps-run.ts);
 * 6. mitata over the sync workloads (src/sync/: mpsc, oneshot, Mutex, Semaphore, broadcast);
 *    6b. oneshot ping-pong again at the issue's 1,000,000 round trips, every row in a fresh
 *    process, 5 rounds with the rows alternating (sync-process-run.ts): its target sits near
 *    its mark, and the mitata process's swings of the peer decide it;
 * 7. the mpsc 1→1 workloads at 5,000,000 messages and oneshot ping-pong at 1,000,000 round
 *    trips (the issue's sizes), one process per row, for time and peak memory
 *    (sync-memory-run.ts);
 * 8. mitata over the macros workloads (src/macros/: select, join), in two processes — the rows
 *    that run an async body inside a runtime apart, since they switch AsyncLocalStorage on;
 * 9. the select workload at 1,000,000 rounds, one process per row, for time and the heap after
 *    GC at the start, middle and end of the run (macros-memory-run.ts).
 *
 * Flags: `--render` rewrites RESULTS.md and ratios.svg from results.json without measuring;
 * `--timers-only` measures only the timer workloads and the awaited sleeps (step 1's timer
 * part and 5) and merges them into the existing results.json; `--sync-only` likewise
 * measures only steps 6, 6b and 7 (7 unless `--skip-memory`), `--sync-processes-only` only
 * 6b, `--task-processes-only` only 3b and 3c; `--macros-only` only steps 8 and 9 (9 unless
 * `--skip-memory`);
 * `--skip-memory` skips step 3 (and 7); `--full-effection` runs Effection's memory run at the full
 * count too (by default it runs at 100,000: at 1,000,000 it took 742 s and 15.5 GB of RSS on
 * the 2-core bench machine). `BENCH_MEMORY_N` changes the task count; `BENCH_SLEEPS_N` and
 * `BENCH_SLEEPS_ROUNDS` the awaited-sleeps size (100,000) and rounds (3);
 * `BENCH_SYNC_MEMORY_N` the size of every run of step 7 (by default the issue's); `BENCH_SYNC_PROCESS_ROUNDS` the
 * rounds of step 6b (5), `BENCH_TASK_PROCESS_ROUNDS` those of steps 3b and 3c (5); `BENCH_MACROS_MEMORY_N` the
 * round count of step 9 (the workload's full size, 1,000,000; a leaking row runs at its own
 * smaller size, or this one if smaller).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir, totalmem, type } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { IMPLS, type ImplName } from "./impl.js";
import { MACRO_MEMORY_WORKLOADS, MACRO_WORKLOADS } from "./macros/all.js";
import { renderMarkdown, renderSvg, type Report } from "./report.js";
import {
  CONTEXT_MODES,
  SLEEP_IMPLS,
  type BenchResult,
  type ContextResult,
  type MacroBenchResult,
  type MacroMemoryFailure,
  type MacroMemoryResult,
  type MemoryFailure,
  type MemoryResult,
  type ProcessFailure,
  type ProcessResult,
  type SleepFailure,
  type SleepResult,
  type SyncBenchResult,
  type SyncMemoryFailure,
  type SyncMemoryResult,
  type TimerBenchResult,
} from "./results.js";
import { SYNC_MEMORY_WORKLOADS, SYNC_PROCESS_WORKLOADS, SYNC_WORKLOADS } from "./sync/all.js";
import { syncIssueSize } from "./sync/case.js";
import { TIMER_PROCESS_WORKLOADS, TIMER_WORKLOADS } from "./timers/all.js";
import { rowSize } from "./timers/case.js";
import { TASK_PROCESS_IMPLS, TASK_PROCESS_WORKLOADS, workload as findWorkload } from "./workloads/all.js";

/** This package's directory (the compiled file is dist/src/main.js). */
const root = fileURLToPath(new URL("../../", import.meta.url));
const script = (name: string): string => fileURLToPath(new URL(`./${name}.js`, import.meta.url));

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line !== undefined) return line.slice(line.indexOf(":") + 1).trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return cpus()[0]?.model ?? "unknown";
}

function version(packageJson: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, packageJson), "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

/** Run a child Node process; returns its stdout, or an error message. */
function child(args: string[], options: { inherit?: boolean; timeoutMs?: number } = {}): { stdout: string; error?: string } {
  const result = spawnSync(process.execPath, args, {
    stdio: ["ignore", options.inherit === true ? "inherit" : "pipe", "inherit"],
    encoding: "utf8",
    timeout: options.timeoutMs,
    maxBuffer: 64 * 2 ** 20,
  });
  const stdout = result.stdout ?? "";
  if (result.error !== undefined) return { stdout, error: result.error.message };
  if (result.signal !== null) return { stdout, error: `killed by ${result.signal}` };
  if (result.status !== 0) return { stdout, error: `exit code ${String(result.status)}` };
  return { stdout };
}

function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as T;
}

interface MitataOut {
  benches: BenchResult[];
  timers: TimerBenchResult[];
  sync: SyncBenchResult[];
  macros: MacroBenchResult[];
}

/**
 * `macros`: measure the macros workloads' rows without an async body (`"plain"`) or only those
 * with one (`"async"`); see mitata-run.ts.
 */
function mitata(
  impls: readonly ImplName[],
  options: { dir: string; timers: boolean; sync?: boolean; macros?: "plain" | "async" },
): MitataOut {
  const sync = options.sync === true;
  const macros = options.macros;
  const suffix = `${sync ? "-sync" : ""}${macros === undefined ? "" : `-macros-${macros}`}`;
  const out = join(options.dir, `mitata-${impls.length}${suffix}.json`);
  const what = [
    ...impls,
    ...(options.timers ? ["timer workloads"] : []),
    ...(sync ? ["sync workloads"] : []),
    ...(macros === undefined ? [] : [macros === "async" ? "macros workloads (async-body rows)" : "macros workloads"]),
  ];
  console.log(`\n## mitata: ${what.join(", ")}\n`);
  const flags = [
    ...(options.timers ? ["--timers"] : []),
    ...(sync ? ["--sync"] : []),
    ...(macros === undefined ? [] : [macros === "async" ? "--macros-async" : "--macros"]),
  ];
  // --expose-gc: mitata then collects garbage with a real full GC before each benchmark; without
  // it mitata falls back to allocating a 1 GiB Uint8Array to provoke one, which leaves every row's
  // heap in a state set by the rows before it (a peer's time moved by 1.5× between runs).
  const { error } = child(["--expose-gc", script("mitata-run"), out, ...flags, ...impls], { inherit: true });
  if (error !== undefined) throw new Error(`the mitata run for ${what.join(", ")} failed: ${error}`);
  return JSON.parse(readFileSync(out, "utf8")) as MitataOut;
}

/** Smaller memory-run sizes for implementations that take minutes at the full count. */
const MEMORY_SIZES: Partial<Record<ImplName, number>> = { effection: 100_000 };

function memory(fullN: number, full: boolean): (MemoryResult | MemoryFailure)[] {
  const results: (MemoryResult | MemoryFailure)[] = [];
  for (const impl of IMPLS) {
    const n = full ? fullN : Math.min(fullN, MEMORY_SIZES[impl] ?? fullN);
    console.log(`memory: spawn+join of ${n.toLocaleString("en-US")} tasks, ${impl}…`);
    const args = ["--expose-gc", "--max-old-space-size=16384", script("memory-run"), impl, String(n)];
    const { stdout, error } = child(args, { timeoutMs: 15 * 60_000 });
    if (error !== undefined) {
      results.push({ impl, n, error });
      console.log(`  ${error}`);
      continue;
    }
    const result = lastJsonLine<MemoryResult>(stdout);
    console.log(`  ${(result.ms / 1e3).toFixed(2)} s, peak RSS ${(result.peakRss / 2 ** 20).toFixed(0)} MiB`);
    results.push(result);
  }
  return results;
}

/**
 * Step 7: every row of the workloads of SYNC_MEMORY_WORKLOADS at the issue's size (or at `n`,
 * when given), each in a process of its own.
 */
function syncMemory(nOverride: number | undefined): (SyncMemoryResult | SyncMemoryFailure)[] {
  const results: (SyncMemoryResult | SyncMemoryFailure)[] = [];
  for (const id of SYNC_MEMORY_WORKLOADS) {
    const workload = SYNC_WORKLOADS.find((w) => w.id === id)!;
    const n = nOverride ?? syncIssueSize(workload);
    for (const row of workload.rows) {
      console.log(`sync memory: ${workload.id}, ${n.toLocaleString("en-US")} ${workload.unit}s, ${row.label}…`);
      const args = ["--expose-gc", "--max-old-space-size=16384", script("sync-memory-run"), workload.id, row.label, String(n)];
      const { stdout, error } = child(args, { timeoutMs: 10 * 60_000 });
      if (error !== undefined) {
        results.push({ workload: workload.id, row: row.label, n, error });
        console.log(`  ${error}`);
        continue;
      }
      const result = lastJsonLine<SyncMemoryResult>(stdout);
      console.log(`  ${(result.ms / 1e3).toFixed(2)} s, peak RSS ${(result.peakRss / 2 ** 20).toFixed(0)} MiB`);
      results.push(result);
    }
  }
  return results;
}

/**
 * Steps 3b, 3c and 6b: each of `labels` (rows or implementations) once per round, each run a
 * fresh process of `args(label)` printing one result; the order rotates each round, so no row
 * always goes first. `failure` makes the record of a run that printed nothing.
 */
function alternatingProcesses(
  what: string,
  unit: string,
  labels: readonly string[],
  rounds: number,
  args: (label: string) => string[],
  failure: (label: string, error: string) => ProcessFailure,
): (ProcessResult | ProcessFailure)[] {
  const results: (ProcessResult | ProcessFailure)[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < labels.length; k++) {
      const label = labels[(round + k) % labels.length]!;
      const { stdout, error } = child(args(label), { timeoutMs: 10 * 60_000 });
      if (error !== undefined) {
        results.push(failure(label, error));
        console.log(`${what}, ${label}, round ${round + 1}: ${error}`);
        continue;
      }
      const result = lastJsonLine<ProcessResult>(stdout);
      console.log(`${what}, ${label}, round ${round + 1}: ${result.perOpNs.toFixed(1)} ns per ${unit}`);
      results.push(result);
    }
  }
  return results;
}

/** Step 3b: each implementation of TASK_PROCESS_IMPLS on each workload of TASK_PROCESS_WORKLOADS. */
function taskProcesses(rounds: number): (ProcessResult | ProcessFailure)[] {
  return TASK_PROCESS_WORKLOADS.flatMap((id) => {
    const { n, unit } = findWorkload(id);
    return alternatingProcesses(
      `task process: ${id}`,
      unit,
      TASK_PROCESS_IMPLS,
      rounds,
      (impl) => [script("task-process-run"), id, impl, String(n)],
      (impl, error) => ({ workload: id, row: impl, n, error }),
    );
  });
}

/** Step 3c: every row of each workload of TIMER_PROCESS_WORKLOADS. */
function timerProcesses(rounds: number): (ProcessResult | ProcessFailure)[] {
  return TIMER_PROCESS_WORKLOADS.flatMap((id) => {
    const workload = TIMER_WORKLOADS.find((w) => w.id === id)!;
    return alternatingProcesses(
      `timer process: ${id}`,
      workload.unit,
      workload.rows.map((row) => row.label),
      rounds,
      (label) => [script("timer-process-run"), id, label],
      (label, error) => ({ workload: id, row: label, n: rowSize(workload, workload.rows.find((r) => r.label === label)!), error }),
    );
  });
}

/** Step 6b: every row of each workload of SYNC_PROCESS_WORKLOADS, at the issue's size. */
function syncProcesses(rounds: number): (ProcessResult | ProcessFailure)[] {
  return SYNC_PROCESS_WORKLOADS.flatMap((id) => {
    const workload = SYNC_WORKLOADS.find((w) => w.id === id)!;
    const n = syncIssueSize(workload);
    return alternatingProcesses(
      `sync process: ${id}`,
      workload.unit,
      workload.rows.map((row) => row.label),
      rounds,
      (label) => [script("sync-process-run"), id, label, String(n)],
      (label, error) => ({ workload: id, row: label, n, error }),
    );
  });
}

/** Step 9: every row of the select workload at `n` rounds (a leaking row at its own smaller size), each in a process of its own. */
function macrosMemory(n: number | undefined): (MacroMemoryResult | MacroMemoryFailure)[] {
  const results: (MacroMemoryResult | MacroMemoryFailure)[] = [];
  for (const id of MACRO_MEMORY_WORKLOADS) {
    const workload = MACRO_WORKLOADS.find((w) => w.id === id)!;
    const full = n ?? workload.fullN ?? workload.n;
    for (const row of workload.rows) {
      const rounds = Math.min(full, row.memoryN ?? full);
      console.log(`macros memory: ${workload.id}, ${rounds.toLocaleString("en-US")} ${workload.unit}s, ${row.label}…`);
      const args = ["--expose-gc", "--max-old-space-size=16384", script("macros-memory-run"), workload.id, row.label, String(rounds)];
      const { stdout, error } = child(args, { timeoutMs: 10 * 60_000 });
      if (error !== undefined) {
        results.push({ workload: workload.id, row: row.label, n: rounds, error });
        console.log(`  ${error}`);
        continue;
      }
      const result = lastJsonLine<MacroMemoryResult>(stdout);
      const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
      console.log(
        `  ${(result.ms / 1e3).toFixed(2)} s, heap after GC ${mib(result.startHeap)} → ${mib(result.midHeap)} → ${mib(result.endHeap)}, ` +
          `${result.timersLeft} timers left`,
      );
      results.push(result);
    }
  }
  return results;
}

/** The macros workloads' mitata results: the plain process, then the async-body one. */
function macrosBenches(dir: string): MacroBenchResult[] {
  return [...mitata([], { dir, timers: false, macros: "plain" }).macros, ...mitata([], { dir, timers: false, macros: "async" }).macros];
}

/** The versions of the sync step's packages, for the machine table. */
function syncVersions(): Record<string, string> {
  return {
    "@tokio-ts/sync": version("../packages/sync/package.json"),
    "async-mutex": version("node_modules/async-mutex/package.json"),
    "async-sema": version("node_modules/async-sema/package.json"),
    "p-limit": version("node_modules/p-limit/package.json"),
  };
}

function context(n: number): ContextResult[] {
  return CONTEXT_MODES.map((mode) => {
    const { stdout, error } = child([script("context-cost"), mode, String(n)]);
    if (error !== undefined) throw new Error(`context-cost ${mode} failed: ${error}`);
    return lastJsonLine<ContextResult>(stdout);
  });
}

/**
 * The awaited-sleeps runs: `rounds` rounds, each running every implementation once in a fresh
 * process; the order rotates each round, so no implementation always goes first.
 */
function sleeps(n: number, rounds: number): (SleepResult | SleepFailure)[] {
  const results: (SleepResult | SleepFailure)[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < SLEEP_IMPLS.length; k++) {
      const impl = SLEEP_IMPLS[(round + k) % SLEEP_IMPLS.length]!;
      const { stdout, error } = child(["--expose-gc", script("sleeps-run"), impl, String(n)], { timeoutMs: 5 * 60_000 });
      if (error !== undefined) {
        results.push({ impl, n, error });
        console.log(`sleeps: ${impl}, round ${round + 1}: ${error}`);
        continue;
      }
      const result = lastJsonLine<SleepResult>(stdout);
      console.log(
        `sleeps: ${impl}, round ${round + 1}: total ${result.totalMs.toFixed(1)} ms, ` +
          `lateness p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`,
      );
      results.push(result);
    }
  }
  return results;
}

/**
 * The sections other tools measure (benches/results/*.md, e.g. `pnpm sizes`'s sizes.md), each
 * between `<!-- results/<file> -->` markers so that tool can also update its section in place.
 */
function resultSections(): string {
  const dir = join(root, "results");
  if (!existsSync(dir)) return "";
  return readdirSync(dir)
    .filter((file) => file.endsWith(".md"))
    .sort()
    .map((file) => `\n<!-- results/${file} -->\n${readFileSync(join(dir, file), "utf8").trim()}\n<!-- /results/${file} -->\n`)
    .join("");
}

function write(report: Report): void {
  writeFileSync(join(root, "results.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(root, "RESULTS.md"), renderMarkdown(report) + resultSections());
  writeFileSync(join(root, "ratios.svg"), renderSvg(report));
  console.log(`\nwrote ${join(root, "RESULTS.md")}, ratios.svg and results.json`);
}

function main(): void {
  const flags = new Set(process.argv.slice(2));
  if (flags.has("--render")) {
    write(JSON.parse(readFileSync(join(root, "results.json"), "utf8")) as Report);
    return;
  }
  const memoryN = Number(process.env["BENCH_MEMORY_N"] ?? 1_000_000);
  const sleepsN = Number(process.env["BENCH_SLEEPS_N"] ?? 100_000);
  const sleepRounds = Number(process.env["BENCH_SLEEPS_ROUNDS"] ?? 3);
  const syncMemoryEnv = process.env["BENCH_SYNC_MEMORY_N"];
  const syncMemoryN = syncMemoryEnv === undefined ? undefined : Number(syncMemoryEnv);
  const syncProcessRounds = Number(process.env["BENCH_SYNC_PROCESS_ROUNDS"] ?? 5);
  const taskProcessRounds = Number(process.env["BENCH_TASK_PROCESS_ROUNDS"] ?? 5);
  const macrosMemoryEnv = process.env["BENCH_MACROS_MEMORY_N"];
  const macrosMemoryN = macrosMemoryEnv === undefined ? undefined : Number(macrosMemoryEnv);
  const dir = mkdtempSync(join(tmpdir(), "tokio-ts-bench-"));
  try {
    if (flags.has("--timers-only")) {
      const report = JSON.parse(readFileSync(join(root, "results.json"), "utf8")) as Report;
      report.timers = mitata([], { dir, timers: true }).timers;
      report.sleeps = sleeps(sleepsN, sleepRounds);
      report.versions["@tokio-ts/time"] = version("../packages/time/package.json");
      write(report);
      return;
    }
    if (flags.has("--task-processes-only")) {
      const report = JSON.parse(readFileSync(join(root, "results.json"), "utf8")) as Report;
      report.taskProcesses = taskProcesses(taskProcessRounds);
      report.timerProcesses = timerProcesses(taskProcessRounds);
      write(report);
      return;
    }
    if (flags.has("--sync-processes-only")) {
      const report = JSON.parse(readFileSync(join(root, "results.json"), "utf8")) as Report;
      report.syncProcesses = syncProcesses(syncProcessRounds);
      write(report);
      return;
    }
    if (flags.has("--sync-only")) {
      const report = JSON.parse(readFileSync(join(root, "results.json"), "utf8")) as Report;
      report.sync = mitata([], { dir, timers: false, sync: true }).sync;
      report.syncProcesses = syncProcesses(syncProcessRounds);
      report.syncMemory = flags.has("--skip-memory") ? [] : syncMemory(syncMemoryN);
      Object.assign(report.versions, syncVersions());
      write(report);
      return;
    }
    if (flags.has("--macros-only")) {
      const report = JSON.parse(readFileSync(join(root, "results.json"), "utf8")) as Report;
      report.macros = macrosBenches(dir);
      report.macrosMemory = flags.has("--skip-memory") ? [] : macrosMemory(macrosMemoryN);
      report.versions["@tokio-ts/macros"] = version("../packages/macros/package.json");
      write(report);
      return;
    }
    const first = mitata(
      IMPLS.filter((i) => i !== "tokio-ts async"),
      { dir, timers: true },
    );
    const benches = [...first.benches, ...mitata(["tokio-ts async"], { dir, timers: false }).benches];
    const report: Report = {
      date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
      machine: { cpu: cpuModel(), cores: cpus().length, memoryBytes: totalmem(), os: `${type()} ${release()}` },
      node: process.version,
      versions: {
        "@tokio-ts/runtime": version("../packages/runtime/package.json"),
        "@tokio-ts/core": version("../packages/core/package.json"),
        "@tokio-ts/time": version("../packages/time/package.json"),
        effect: version("node_modules/effect/package.json"),
        effection: version("node_modules/effection/package.json"),
        mitata: version("node_modules/mitata/package.json"),
        ...syncVersions(),
        "@tokio-ts/macros": version("../packages/macros/package.json"),
      },
      benches,
      memory: flags.has("--skip-memory") ? [] : memory(memoryN, flags.has("--full-effection")),
      taskProcesses: taskProcesses(taskProcessRounds),
      timerProcesses: timerProcesses(taskProcessRounds),
      context: context(1_000_000),
      timers: first.timers,
      sleeps: sleeps(sleepsN, sleepRounds),
      sync: mitata([], { dir, timers: false, sync: true }).sync,
      syncProcesses: syncProcesses(syncProcessRounds),
      syncMemory: flags.has("--skip-memory") ? [] : syncMemory(syncMemoryN),
      macros: macrosBenches(dir),
      macrosMemory: flags.has("--skip-memory") ? [] : macrosMemory(macrosMemoryN),
    };
    write(report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
