/**
 * Workload: one task yields to its scheduler N times.
 *
 * Source: Tokio's `yield_many` (benches/rt_multi_threaded.rs: 200 tasks × 1,000
 * `yield_now()`), here as the issue states it: 1,000,000 `yieldNow()` in one task, reported as
 * yields per second (target ≥ 5M/s).
 *
 * What "yield" means in each implementation:
 * - tokio-ts gen / async: `yield* yieldNow()` / `await yieldNow()` — back of the run queue.
 * - node: `await null` — one trip through the microtask queue.
 * - effect: `yield* Effect.yieldNow` — back of the fiber scheduler's queue.
 * - effection: Effection 4 has no yield operation; the nearest is an `action` that resolves
 *   at once, which sends the routine back through Effection's reducer queue.
 */
import { yieldNow } from "@tokio-ts/runtime";
import { Effect } from "effect";
import * as effection from "effection";
import { tokioRuntime, type Workload } from "../impl.js";

const noop = (): void => {};
const effectionYield: effection.Operation<void> = effection.action<void>((resolve) => {
  resolve();
  return noop;
});

export const yieldMany: Workload = {
  id: "yield-many",
  title: "yieldNow × 1M in one task",
  source: "issue target; Tokio benches/rt_multi_threaded.rs `yield_many`",
  n: 1_000_000,
  unit: "yield",
  runners: {
    "tokio-ts gen": (n) =>
      tokioRuntime().blockOn(function* () {
        for (let i = 0; i < n; i++) yield* yieldNow();
      }),

    "tokio-ts async": (n) =>
      tokioRuntime().blockOn(async () => {
        for (let i = 0; i < n; i++) await yieldNow();
      }),

    node: async (n) => {
      for (let i = 0; i < n; i++) await null;
    },

    effect: (n) =>
      Effect.runPromise(
        Effect.gen(function* () {
          for (let i = 0; i < n; i++) yield* Effect.yieldNow;
        }),
      ),

    effection: (n) =>
      effection.run(function* () {
        for (let i = 0; i < n; i++) yield* effectionYield;
      }),
  },
};
