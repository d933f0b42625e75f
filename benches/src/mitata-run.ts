/**
 * Child process: the mitata run of every workload for a set of implementations.
 *
 * Usage: `node dist/src/mitata-run.js <out.json> [--timers] [--sync] [--macros | --macros-async]
 * <impl>…`; writes `{ benches, timers, sync, macros }` to out.json.
 *
 * `main.ts` runs this three times: once for every implementation but "tokio-ts async", with
 * `--timers` (the timer workloads, whose peers are plain Node's timers); once for "tokio-ts
 * async" alone; and once with `--sync` and no implementation (the sync workloads of src/sync/,
 * whose rows name their own implementations). An async body makes tokio-ts switch
 * AsyncLocalStorage on, and on Node 20 that installs promise hooks which slow every later
 * promise in the process — the peers' included (no sync row runs an async body in a runtime,
 * and the sync rows get a process of their own anyway). Each run first checks that every
 * runner computes the right thing (a bench of a broken workload is worse than none; for the
 * timer workloads, that each row really registers its n timers; for the sync workloads, that
 * each row delivers every message in order, counts every increment…, at its full size, then
 * at n = 4,096 and 1,024 — full size first, see checkSizes), then prints mitata's table and
 * writes the numbers.
 *
 * The macros workloads (src/macros/) run in two more processes: `--macros`, every row without
 * an async body; `--macros-async`, the rows that run an async body inside a runtime (they
 * switch AsyncLocalStorage on). Their check also asserts that no timer is left after a run.
 */
import { writeFileSync } from "node:fs";
import { bench, group, run } from "mitata";
import { IMPLS, shutdownTokioRuntime, sizeFor, type ImplName } from "./impl.js";
import { rowsFor, type MacroRow, type MacroWorkload } from "./macros/case.js";
import { MACRO_WORKLOADS } from "./macros/all.js";
import type { BenchResult, MacroBenchResult, SyncBenchResult, TimerBenchResult } from "./results.js";
import { syncRowSize, type SyncRow, type SyncWorkload } from "./sync/case.js";
import { SYNC_WORKLOADS } from "./sync/all.js";
import { checkTimerRow, rowSize, type TimerWorkload } from "./timers/case.js";
import { TIMER_WORKLOADS } from "./timers/all.js";
import { WORKLOADS } from "./workloads/all.js";

async function check(impls: readonly ImplName[]): Promise<void> {
  for (const w of WORKLOADS) {
    for (const impl of impls) {
      const runner = w.runners[impl];
      if (runner === undefined) continue;
      // At the measured size, not a small one first: see checkSizes.
      const n = sizeFor(w, impl);
      const out = await runner(n);
      if (w.id === "spawn-join" && out !== n) {
        throw new Error(`${w.id} / ${impl} returned ${String(out)}, expected ${n}`);
      }
    }
  }
}

/**
 * The sizes a row is checked at, the measured size first. A first run at a small size can leave
 * V8's code for a row slower for the rest of the process: the plain-promise row of oneshot
 * ping-pong measured ~800 ns per round trip after one run at n = 1,024, and ~530 ns when its
 * first run was at full size (tokio-ts rows and Effect's did not move). Checked small-first, the
 * peers were measured in that slower state.
 */
function checkSizes(full: number): number[] {
  return [full, 4_096, 1_024];
}

/** Run `row` at its full size and at two small sizes (in that order: see checkSizes), and check each result. */
async function checkSyncRow(w: SyncWorkload, row: SyncRow): Promise<void> {
  const full = syncRowSize(w, row);
  for (const n of checkSizes(full)) w.check(await row.runner(n), n);
  console.log(`check: ${w.id} / ${row.label}: right at n = ${full.toLocaleString("en-US")}, 4,096 and 1,024`);
}

/** As {@link checkSyncRow}, and the row's live timers must be back where they were after each run. */
async function checkMacroRow(w: MacroWorkload, row: MacroRow): Promise<void> {
  const full = syncRowSize(w, row);
  for (const n of checkSizes(full)) {
    const before = row.liveTimers?.() ?? 0;
    w.check(await row.runner(n), n);
    await null; // let the drivers' lazy re-arm run
    const left = (row.liveTimers?.() ?? 0) - before;
    if (left !== 0) throw new Error(`${w.id} / ${row.label}: ${left} timers left alive after a run of ${n}`);
  }
  const timers = row.liveTimers === undefined ? "" : ", no timer left";
  console.log(`check: ${w.id} / ${row.label}: right at n = ${full.toLocaleString("en-US")}, 4,096 and 1,024${timers}`);
}

const FLAGS = ["--timers", "--sync", "--macros", "--macros-async"];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const timers = args.includes("--timers");
  const sync = args.includes("--sync");
  const macrosAsync = args.includes("--macros-async");
  const macros = macrosAsync || args.includes("--macros");
  const [out, ...names] = args.filter((a) => !FLAGS.includes(a));
  if (out === undefined || (names.length === 0 && !timers && !sync && !macros)) {
    throw new TypeError("usage: mitata-run.js <out.json> [--timers] [--sync] [--macros | --macros-async] <impl>…");
  }
  const impls = names.map((name) => {
    if (!(IMPLS as readonly string[]).includes(name)) throw new RangeError(`unknown implementation ${name}`);
    return name as ImplName;
  });

  await check(impls);
  if (timers) for (const w of TIMER_WORKLOADS) for (const row of w.rows) await checkTimerRow(w, row);
  if (sync) for (const w of SYNC_WORKLOADS) for (const row of w.rows) await checkSyncRow(w, row);
  if (macros) for (const w of MACRO_WORKLOADS) for (const row of rowsFor(w, macrosAsync)) await checkMacroRow(w, row);

  const keys = new Map<string, { workload: string; impl: ImplName; n: number }>();
  for (const w of WORKLOADS) {
    if (!impls.some((impl) => w.runners[impl] !== undefined)) continue;
    group(`${w.title} (n = ${w.n.toLocaleString("en-US")})`, () => {
      for (const impl of impls) {
        const runner = w.runners[impl];
        if (runner === undefined) continue;
        const n = sizeFor(w, impl);
        const name = n === w.n ? `${w.id} · ${impl}` : `${w.id} · ${impl} (n = ${n})`;
        keys.set(name, { workload: w.id, impl, n });
        bench(name, () => runner(n));
      }
    });
  }

  const timerKeys = new Map<string, { workload: string; row: string; n: number }>();
  if (timers) {
    for (const w of TIMER_WORKLOADS) {
      group(`${w.title} (n = ${w.n.toLocaleString("en-US")})`, () => {
        for (const row of w.rows) {
          const n = rowSize(w, row);
          const name = n === w.n ? `${w.id} · ${row.label}` : `${w.id} · ${row.label} (n = ${n})`;
          timerKeys.set(name, { workload: w.id, row: row.label, n });
          bench(name, () => row.runner(n));
        }
      });
    }
  }

  const syncKeys = new Map<string, { workload: string; row: string; n: number }>();
  if (sync) {
    for (const w of SYNC_WORKLOADS) {
      group(`${w.title} (n = ${w.n.toLocaleString("en-US")})`, () => {
        for (const row of w.rows) {
          const n = syncRowSize(w, row);
          const name = n === w.n ? `${w.id} · ${row.label}` : `${w.id} · ${row.label} (n = ${n})`;
          syncKeys.set(name, { workload: w.id, row: row.label, n });
          bench(name, () => row.runner(n));
        }
      });
    }
  }

  const macroKeys = new Map<string, { workload: string; row: string; n: number }>();
  if (macros) {
    for (const w of MACRO_WORKLOADS) {
      const rows = rowsFor(w, macrosAsync);
      if (rows.length === 0) continue;
      group(`${w.title} (n = ${w.n.toLocaleString("en-US")})`, () => {
        for (const row of rows) {
          const n = syncRowSize(w, row);
          const name = n === w.n ? `${w.id} · ${row.label}` : `${w.id} · ${row.label} (n = ${n})`;
          macroKeys.set(name, { workload: w.id, row: row.label, n });
          bench(name, () => row.runner(n));
        }
      });
    }
  }

  const { benchmarks } = await run({ colors: false });
  const results: BenchResult[] = [];
  const timerResults: TimerBenchResult[] = [];
  const syncResults: SyncBenchResult[] = [];
  const macroResults: MacroBenchResult[] = [];
  for (const trial of benchmarks) {
    for (const r of trial.runs) {
      const s = r.stats;
      const stats =
        s === undefined
          ? { avg: NaN, p50: NaN, p99: NaN, min: NaN, max: NaN, samples: 0, error: String(r.error) }
          : { avg: s.avg, p50: s.p50, p99: s.p99, min: s.min, max: s.max, samples: s.samples.length };
      const key = keys.get(r.name);
      if (key !== undefined) results.push({ ...key, ...stats });
      const timerKey = timerKeys.get(r.name);
      if (timerKey !== undefined) timerResults.push({ ...timerKey, ...stats });
      const syncKey = syncKeys.get(r.name);
      if (syncKey !== undefined) syncResults.push({ ...syncKey, ...stats });
      const macroKey = macroKeys.get(r.name);
      if (macroKey !== undefined) macroResults.push({ ...macroKey, ...stats });
    }
  }
  writeFileSync(out, JSON.stringify({ benches: results, timers: timerResults, sync: syncResults, macros: macroResults }, null, 2));
  shutdownTokioRuntime();
}

await main();
