/**
 * Timer workload: read the clock N times.
 *
 * Source: the issue's `Instant.now()` cost vs `performance.now()`; Tokio's benches/time_now.rs
 * (`Instant::now()` inside a runtime).
 *
 * `Instant.now()` inside a task asks the task's runtime for its time driver and reads the
 * driver's clock (so that it honours pause and advance), then allocates the Instant; outside a
 * runtime it reads `performance.now()` and allocates. The sum of the readings is returned so
 * that no loop is optimised away. The in-task rows each run one `blockOn` of N reads, whose
 * own cost (~µs) is noise at N = 1,000,000.
 */
import { performance } from "node:perf_hooks";
import { Instant } from "@tokio-ts/time";
import { tokioPausedRuntime, tokioTimeRuntime } from "../impl.js";
import type { TimerWorkload } from "./case.js";

function instantSum(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Instant.now().asMillis();
  return sum;
}

function performanceSum(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += performance.now();
  return sum;
}

export const instantNow: TimerWorkload = {
  id: "instant-now",
  title: "Instant.now() × 1M",
  source: "issue (`Instant.now()` vs `performance.now()`); Tokio benches/time_now.rs",
  notes: [
    "**in a task**: inside a generator task on a runtime with `enableTime()` (one `blockOn` per 1,000,000 reads)",
    "**paused clock**: the same on a runtime built with `startPaused(true)` (no host clock read)",
    "**outside a runtime**: a plain loop; `Instant.now()` falls back to `performance.now()`",
  ],
  n: 1_000_000,
  unit: "call",
  baseline: "Instant.now() · in a task",
  checkOutput: (out) => {
    if (typeof out !== "number" || !Number.isFinite(out) || out <= 0) throw new Error(`expected a positive sum, got ${String(out)}`);
  },
  rows: [
    {
      label: "Instant.now() · in a task",
      role: "tokio-ts",
      runner: (n) =>
        tokioTimeRuntime().blockOn(function* () {
          return instantSum(n);
        }),
    },
    {
      label: "performance.now() · in a task",
      role: "peer",
      runner: (n) =>
        tokioTimeRuntime().blockOn(function* () {
          return performanceSum(n);
        }),
    },
    {
      label: "Instant.now() · in a task, paused clock",
      role: "tokio-ts",
      runner: (n) =>
        tokioPausedRuntime().blockOn(function* () {
          return instantSum(n);
        }),
    },
    { label: "Instant.now() · outside a runtime", role: "tokio-ts", runner: instantSum },
    {
      label: "performance.now() · outside a runtime",
      role: "peer",
      versus: "Instant.now() · outside a runtime",
      runner: performanceSum,
    },
  ],
};
