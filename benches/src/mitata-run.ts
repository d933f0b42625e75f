/**
 * Child process: the mitata run of every workload for a set of implementations.
 *
 * Usage: `node dist/src/mitata-run.js <out.json> <impl>…`
 *
 * `main.ts` runs this twice: once for every implementation but "tokio-ts async", then once for
 * "tokio-ts async" alone. An async body makes tokio-ts switch AsyncLocalStorage on, and on
 * Node 20 that installs promise hooks which slow every later promise in the process — the
 * peers' included. Each run first checks that every runner computes the right thing (a bench
 * of a broken workload is worse than none), then prints mitata's table and writes the numbers.
 */
import { writeFileSync } from "node:fs";
import { bench, group, run } from "mitata";
import { IMPLS, shutdownTokioRuntime, sizeFor, type ImplName } from "./impl.js";
import type { BenchResult } from "./results.js";
import { WORKLOADS } from "./workloads/all.js";

async function check(impls: readonly ImplName[]): Promise<void> {
  for (const w of WORKLOADS) {
    for (const impl of impls) {
      const runner = w.runners[impl];
      if (runner === undefined) continue;
      const out = await runner(1_000);
      if (w.id === "spawn-join" && out !== 1_000) {
        throw new Error(`${w.id} / ${impl} returned ${String(out)}, expected 1000`);
      }
    }
  }
}

async function main(): Promise<void> {
  const [out, ...names] = process.argv.slice(2);
  if (out === undefined || names.length === 0) throw new TypeError("usage: mitata-run.js <out.json> <impl>…");
  const impls = names.map((name) => {
    if (!(IMPLS as readonly string[]).includes(name)) throw new RangeError(`unknown implementation ${name}`);
    return name as ImplName;
  });

  await check(impls);

  const keys = new Map<string, { workload: string; impl: ImplName; n: number }>();
  for (const w of WORKLOADS) {
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

  const { benchmarks } = await run({ colors: false });
  const results: BenchResult[] = [];
  for (const trial of benchmarks) {
    for (const r of trial.runs) {
      const key = keys.get(r.name);
      if (key === undefined) continue;
      if (r.stats === undefined) {
        results.push({ ...key, avg: NaN, p50: NaN, p99: NaN, min: NaN, max: NaN, samples: 0, error: String(r.error) });
        continue;
      }
      const s = r.stats;
      results.push({ ...key, avg: s.avg, p50: s.p50, p99: s.p99, min: s.min, max: s.max, samples: s.samples.length });
    }
  }
  writeFileSync(out, JSON.stringify(results, null, 2));
  shutdownTokioRuntime();
}

await main();
