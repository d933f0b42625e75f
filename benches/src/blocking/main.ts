/**
 * Blocking-pool benchmark (issue #6): `spawnBlocking` against piscina, tinypool and workerpool,
 * every pool with 2 threads, in one process run.
 *
 * - tiny: 20,000 jobs `x + 1`, all submitted at once, then all awaited;
 * - cpu: 200 jobs that each spin ~5 ms, all submitted at once; the ideal is 2 threads ×
 *   200 jobs/s = 400 jobs/s;
 * - start-up: from constructing the pool (tokio-ts: building the runtime) until the first jobs'
 *   results arrive, with both threads asked for (the pools' minThreads = 2; for tokio-ts two
 *   jobs at once); median of STARTUP_ROUNDS fresh pools per kind, the kinds interleaved.
 *
 * Each throughput workload runs WARMUP times unmeasured, then RUNS times; the table shows the
 * median. Plain timing loops (mitata's per-iteration model does not fit a 20,000-job batch).
 * Writes benches/results/blocking.md. Run: `node benches/dist/src/blocking/main.js`.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { Piscina } from "piscina";
import { Tinypool } from "tinypool";
import workerpool from "workerpool";
import { Builder, type Runtime } from "@tokio-ts/runtime";
import { spawnBlocking } from "@tokio-ts/blocking";
import { inc, spin } from "./jobs.js";

const THREADS = 2;
const TINY = 20_000;
const CPU = 200;
const CPU_MS = 5;
const WARMUP = 2;
const RUNS = 5;
const STARTUP_ROUNDS = 5;

interface Pool {
  readonly name: string;
  /** Run `count` jobs of `kind` (all submitted, then all awaited); resolves with the sum of results. */
  run(kind: "inc" | "spin", count: number): Promise<number>;
  close(): Promise<void>;
}

const peerScript = new URL("./peer-worker.js", import.meta.url);
const workerpoolScript = new URL("./workerpool-worker.js", import.meta.url);

function argOf(kind: "inc" | "spin", i: number): number {
  return kind === "inc" ? i : CPU_MS;
}

function tokio(): Pool {
  const rt: Runtime = Builder.newCurrentThread().maxBlockingThreads(THREADS).build();
  return {
    name: "tokio-ts spawnBlocking",
    run: (kind, count) =>
      rt.blockOn(function* () {
        const fn = kind === "inc" ? inc : spin;
        const handles = new Array(count);
        for (let i = 0; i < count; i++) handles[i] = spawnBlocking(fn, argOf(kind, i));
        let sum = 0;
        for (let i = 0; i < count; i++) sum += (yield* handles[i]) as number;
        return sum;
      }),
    close: () => rt.shutdownTimeout(1_000),
  };
}

function piscina(): Pool {
  const pool = new Piscina({ filename: peerScript.href, minThreads: THREADS, maxThreads: THREADS });
  return {
    name: "piscina 5.3.2",
    run: async (kind, count) => {
      const all = new Array<Promise<number>>(count);
      for (let i = 0; i < count; i++) all[i] = pool.run(argOf(kind, i), { name: kind });
      return (await Promise.all(all)).reduce((a, b) => a + b, 0);
    },
    close: () => pool.destroy(),
  };
}

function tinypool(): Pool {
  const pool = new Tinypool({ filename: peerScript.href, minThreads: THREADS, maxThreads: THREADS });
  return {
    name: "tinypool 2.2.0",
    run: async (kind, count) => {
      const all = new Array<Promise<number>>(count);
      for (let i = 0; i < count; i++) all[i] = pool.run(argOf(kind, i), { name: kind });
      return (await Promise.all(all)).reduce((a, b) => a + b, 0);
    },
    close: () => pool.destroy(),
  };
}

function workerpoolPool(): Pool {
  const pool = workerpool.pool(workerpoolScript.pathname, { minWorkers: THREADS, maxWorkers: THREADS, workerType: "thread" });
  return {
    name: "workerpool 10.0.3",
    run: async (kind, count) => {
      const all = new Array<Promise<number>>(count);
      for (let i = 0; i < count; i++) all[i] = pool.exec(kind, [argOf(kind, i)]) as unknown as Promise<number>;
      return (await Promise.all(all)).reduce((a, b) => a + b, 0);
    },
    close: async () => {
      await pool.terminate();
    },
  };
}

const makers: (() => Pool)[] = [tokio, piscina, tinypool, workerpoolPool];

/** Start-up: a fresh pool until both threads answered a first job. */
async function startup(make: () => Pool): Promise<number> {
  const t0 = performance.now();
  const pool = make();
  await pool.run("inc", THREADS);
  const ms = performance.now() - t0;
  await pool.close();
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function measure(pool: Pool, kind: "inc" | "spin", count: number): Promise<number> {
  const expected = kind === "inc" ? (count * (count + 1)) / 2 : NaN;
  for (let i = 0; i < WARMUP; i++) await pool.run(kind, count);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const sum = await pool.run(kind, count);
    times.push(performance.now() - t0);
    if (kind === "inc" && sum !== expected) throw new Error(`${pool.name}: wrong sum ${sum}, expected ${expected}`);
  }
  return median(times);
}

interface Row {
  name: string;
  startupMs: number;
  tinyMs: number;
  cpuMs: number;
}

// Start-up: five fresh pools of each kind, interleaved so that no pool alone pays the process's
// first worker start (cold caches); the median of each.
const startups = makers.map(() => [] as number[]);
for (let round = 0; round < STARTUP_ROUNDS; round++) {
  for (const [i, make] of makers.entries()) startups[i]!.push(await startup(make));
}

const loadBefore = loadavg()[0]!;
const rows: Row[] = [];
for (const [i, make] of makers.entries()) {
  const startupMs = median(startups[i]!);
  const pool = make();
  await pool.run("inc", THREADS); // threads up before timing
  const tinyMs = await measure(pool, "inc", TINY);
  const cpuMs = await measure(pool, "spin", CPU);
  await pool.close();
  rows.push({ name: pool.name, startupMs, tinyMs, cpuMs });
  console.log(`${pool.name}: start-up ${startupMs.toFixed(1)} ms, tiny ${tinyMs.toFixed(1)} ms, cpu ${cpuMs.toFixed(1)} ms`);
}

const loadAfter = loadavg()[0]!;
const ours = rows[0]!;
const rate = (count: number, ms: number) => (count / ms) * 1000;
const fmtRate = (r: number) => (r >= 1000 ? `${(r / 1000).toFixed(1)} k/s` : `${r.toFixed(0)} /s`);
const piscinaRow = rows.find((r) => r.name.startsWith("piscina"))!;
const tinyRatio = rate(TINY, ours.tinyMs) / rate(TINY, piscinaRow.tinyMs);
const ideal = THREADS * (1000 / CPU_MS);
const cpuEfficiency = rate(CPU, ours.cpuMs) / ideal;

const lines: string[] = [];
lines.push("## Blocking pool (issue #6)");
lines.push("");
lines.push(
  `Node ${process.version}, ${THREADS} threads per pool, one process run; medians of ${RUNS} runs after ${WARMUP} warm-ups. ` +
    `Tiny: ${TINY.toLocaleString("en")} jobs \`x + 1\` submitted at once; CPU: ${CPU} jobs spinning ${CPU_MS} ms ` +
    `(ideal ${ideal} jobs/s). Start-up: fresh pool until both threads answered a first job (median of ${STARTUP_ROUNDS} pools). ` +
    "Ratios are tokio-ts's throughput over the peer's (>1: tokio-ts faster). " +
    `Machine load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after: other processes on the ` +
    "2 cores lower the CPU rows of every pool alike.",
);
lines.push("");
lines.push("| pool | start-up | tiny jobs | tiny: tokio-ts ratio | CPU jobs | CPU: of ideal | CPU: tokio-ts ratio |");
lines.push("|---|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  const tinyRate = rate(TINY, r.tinyMs);
  const cpuRate = rate(CPU, r.cpuMs);
  lines.push(
    `| ${r.name} | ${r.startupMs.toFixed(1)} ms | ${fmtRate(tinyRate)} | ${(rate(TINY, ours.tinyMs) / tinyRate).toFixed(2)}× | ` +
      `${fmtRate(cpuRate)} | ${(cpuRate / ideal).toFixed(3)} | ${(rate(CPU, ours.cpuMs) / cpuRate).toFixed(3)}× |`,
  );
}
lines.push("");
lines.push("| target (issue #6) | measured | met |");
lines.push("|---|---:|:---:|");
lines.push(`| tiny jobs ≥ 10× piscina's throughput | ${tinyRatio.toFixed(1)}× | ${tinyRatio >= 10 ? "yes" : "no"} |`);
lines.push(`| CPU jobs ≥ 0.95 of ideal (${ideal} jobs/s) | ${cpuEfficiency.toFixed(3)} | ${cpuEfficiency >= 0.95 ? "yes" : "no"} |`);
lines.push("");
const out = new URL("../../../results/blocking.md", import.meta.url);
mkdirSync(new URL(".", out), { recursive: true });
writeFileSync(out, lines.join("\n"));
console.log(lines.join("\n"));
