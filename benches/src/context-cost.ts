/**
 * Child process: the cost of context propagation on the current Node — a plain async function
 * doing N `await null`, under three conditions, each in its own process:
 *
 * - `off`: AsyncLocalStorage never used in the process;
 * - `enabled`: an AsyncLocalStorage has been used once (`run()` entered and left), so its
 *   promise hooks are installed, but the loop runs outside any `run()`;
 * - `run`: the loop runs inside `als.run(store, …)`.
 *
 * Usage: `node dist/src/context-cost.js <mode> <n>`; prints one JSON line with the median of
 * 7 timed runs after 2 warm-up runs. This is what a tokio-ts async body pays on top of a
 * generator body (DESIGN.md §3, "Context").
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { performance } from "node:perf_hooks";
import { CONTEXT_MODES, type ContextMode, type ContextResult } from "./results.js";

async function loop(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await null;
}

async function main(): Promise<void> {
  const [name, size] = process.argv.slice(2);
  if (!(CONTEXT_MODES as readonly string[]).includes(name ?? "")) {
    throw new RangeError(`mode must be one of ${CONTEXT_MODES.join(", ")}`);
  }
  const mode = name as ContextMode;
  const n = Number(size ?? 1_000_000);

  let once: (f: () => Promise<void>) => Promise<void> = (f) => f();
  if (mode !== "off") {
    const als = new AsyncLocalStorage<{ id: number }>();
    await als.run({ id: 0 }, () => loop(1));
    if (mode === "run") once = (f) => als.run({ id: 1 }, f);
  }

  const times: number[] = [];
  for (let rep = 0; rep < 9; rep++) {
    const start = performance.now();
    await once(() => loop(n));
    if (rep >= 2) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const result: ContextResult = { mode, n, ms: times[Math.floor(times.length / 2)]! };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
