/**
 * Timer workload: an `interval(1)` ticked N times on a paused clock — the timer machinery's
 * own cost, with no real waiting.
 *
 * Source: the "`interval` of 1 ms ticked 10,000 times with `Burst` in paused time
 * (pure overhead)". The shape of a test that runs a periodic job in virtual time.
 *
 * - tokio-ts interval · auto-advance: every `tick()` after the first finds its deadline 1 ms
 *   ahead; the task parks, the runtime goes idle and auto-advance (checked from a
 *   `setImmediate`, see the runtime's scheduler) moves the paused clock to the deadline, fires
 *   the wheel entry and wakes the task. One host turn per tick.
 * - tokio-ts interval · Burst catch-up: after the first tick, `advance(n - 1)` moves the clock
 *   past every deadline, and `Burst` then completes the n - 1 missed ticks back to back
 *   without parking: the cost of `tick()` and the in-place `reset` of its sleep alone.
 * - setImmediate promise (context, not a peer): N × `await new Promise((r) =>
 *   setImmediate(r))`, one host turn each. Node has no paused clock (a `setInterval(…, 1)`
 *   waits for real milliseconds), so this only shows what one host turn costs on this machine.
 *
 * Each tokio-ts row checks that its ticks span exactly n - 1 ms of virtual time.
 */
import { interval, advance, type Instant } from "@tokio-ts/time";
import { tokioPausedRuntime } from "../impl.js";
import type { TimerWorkload } from "./case.js";

function checkSpan(first: Instant, last: Instant, n: number): number {
  const span = last.durationSince(first);
  if (span !== n - 1) throw new Error(`${n} ticks of interval(1) spanned ${span} ms, expected ${n - 1}`);
  return n;
}

export const intervalTicks: TimerWorkload = {
  id: "interval-ticks",
  title: "interval(1) × 10,000 ticks, paused clock",
  source: "issue (`interval` of 1 ms ticked 10,000 times with `Burst` in paused time)",
  notes: [
    "**auto-advance**: each tick parks the task; the idle runtime's auto-advance (from a `setImmediate`) moves the clock 1 ms and fires it",
    "**Burst catch-up**: `advance(n - 1)` first, then every tick is already due (`tick()` + in-place reset only)",
    "**setImmediate promise**: context, not a peer (Node has no paused clock): what one host turn costs",
  ],
  n: 10_000,
  unit: "tick",
  baseline: "tokio-ts interval · auto-advance",
  checkOutput: (out, n) => {
    if (out !== n) throw new Error(`expected ${n} ticks, got ${String(out)}`);
  },
  rows: [
    {
      label: "tokio-ts interval · auto-advance",
      role: "tokio-ts",
      runner: (n) =>
        tokioPausedRuntime().blockOn(function* () {
          const iv = interval(1);
          const first = yield* iv.tick();
          let last = first;
          for (let i = 1; i < n; i++) last = yield* iv.tick();
          return checkSpan(first, last, n);
        }),
    },
    {
      label: "tokio-ts interval · Burst catch-up",
      role: "tokio-ts",
      runner: (n) =>
        tokioPausedRuntime().blockOn(function* () {
          const iv = interval(1);
          const first = yield* iv.tick();
          yield* advance(n - 1);
          let last = first;
          for (let i = 1; i < n; i++) last = yield* iv.tick();
          return checkSpan(first, last, n);
        }),
    },
    {
      label: "setImmediate promise",
      role: "context",
      runner: async (n) => {
        for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
        return n;
      },
    },
  ],
};
