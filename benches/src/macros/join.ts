/**
 * Macros workload: `join` of 10 ready futures, n times.
 *
 * Source: the join benchmark (100,000 joins of 10 ready futures; target ≥ 2×
 * `Promise.all`). It measures the fixed cost of a join — building it, polling 10 branches,
 * the output tuple — since no branch ever waits: the shape of `join(cache.get(a),
 * cache.get(b), …)` when everything is cached.
 *
 * Join k adds up its ten outputs k, k + 1, …, k + 9; every row returns the sum over all n
 * joins, which the check compares with 10·n(n − 1)/2 + 45·n.
 * - tokio-ts rows: `join(ready(k), …, ready(k + 9))`, `yield*` in a generator task on a
 *   current-thread runtime (the baseline), or `await` in a plain async function with no
 *   runtime (the join is polled by a standalone driver on the microtask queue).
 * - node: `await Promise.all([...])` of 10 `Promise.resolve(k + j)`, and of 10 calls of an
 *   async function returning its argument.
 */
import { ready } from "@tokio-ts/core";
import { join } from "@tokio-ts/macros";
import { tokioRuntime } from "../impl.js";
import { TOKIO_ASYNC, TOKIO_GEN, type MacroWorkload } from "./case.js";

function tokioGen(n: number): Promise<number> {
  return tokioRuntime().blockOn(function* () {
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const [a, b, c, d, e, f, g, h, i, j] = yield* join(
        ready(k), ready(k + 1), ready(k + 2), ready(k + 3), ready(k + 4),
        ready(k + 5), ready(k + 6), ready(k + 7), ready(k + 8), ready(k + 9),
      );
      sum += a + b + c + d + e + f + g + h + i + j;
    }
    return sum;
  });
}

async function tokioAsync(n: number): Promise<number> {
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const [a, b, c, d, e, f, g, h, i, j] = await join(
      ready(k), ready(k + 1), ready(k + 2), ready(k + 3), ready(k + 4),
      ready(k + 5), ready(k + 6), ready(k + 7), ready(k + 8), ready(k + 9),
    );
    sum += a + b + c + d + e + f + g + h + i + j;
  }
  return sum;
}

async function promiseAllResolved(n: number): Promise<number> {
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const [a, b, c, d, e, f, g, h, i, j] = await Promise.all([
      Promise.resolve(k), Promise.resolve(k + 1), Promise.resolve(k + 2), Promise.resolve(k + 3), Promise.resolve(k + 4),
      Promise.resolve(k + 5), Promise.resolve(k + 6), Promise.resolve(k + 7), Promise.resolve(k + 8), Promise.resolve(k + 9),
    ]);
    sum += a + b + c + d + e + f + g + h + i + j;
  }
  return sum;
}

const value = async (x: number): Promise<number> => x;

async function promiseAllAsyncCalls(n: number): Promise<number> {
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const [a, b, c, d, e, f, g, h, i, j] = await Promise.all([
      value(k), value(k + 1), value(k + 2), value(k + 3), value(k + 4),
      value(k + 5), value(k + 6), value(k + 7), value(k + 8), value(k + 9),
    ]);
    sum += a + b + c + d + e + f + g + h + i + j;
  }
  return sum;
}

export const join10Ready: MacroWorkload = {
  id: "join-10-ready",
  title: "join of 10 ready futures",
  source: "issue target (100,000 joins, ≥ 2× `Promise.all`); Tokio's `join!` of ready futures",
  notes: [
    `**${TOKIO_GEN}**: \`yield* join(ready(k), …, ready(k + 9))\` in the \`blockOn\` body of a current-thread runtime`,
    `**${TOKIO_ASYNC}**: \`await join(ready(k), …)\` in a plain async function, no runtime`,
    "**node Promise.all · resolved promises**: `await Promise.all([Promise.resolve(k), …])`",
    "**node Promise.all · async calls**: `await Promise.all([f(k), …])`, `f` an async function returning its argument",
  ],
  n: 100_000,
  unit: "join",
  rows: [
    { label: TOKIO_GEN, role: "tokio-ts", runner: tokioGen },
    { label: TOKIO_ASYNC, role: "tokio-ts", runner: tokioAsync },
    { label: "node Promise.all · resolved promises", role: "peer", runner: promiseAllResolved },
    { label: "node Promise.all · async calls", role: "peer", runner: promiseAllAsyncCalls },
  ],
  check: (out, n) => {
    const expected = (10 * n * (n - 1)) / 2 + 45 * n;
    if (out !== expected) throw new Error(`join of 10 ready: sum ${String(out)}, expected ${expected}`);
  },
};
