/**
 * Timer workload: create N timeouts with random 1–60 s deadlines, then cancel every one.
 *
 * Source: the first time benchmark (1,000,000 timeouts created and cancelled; target
 * ≥ 3× `setTimeout` + `clearTimeout`). It is the life of most timeouts in a server: armed
 * around a request, cancelled when the response comes first. All N are alive at once before
 * the first is cancelled, so the cost includes a wheel (or heap) holding N entries.
 *
 * The deadlines are the same for every row: integers in [1,000, 60,000] ms from the seeded
 * generator in ../prng.ts.
 *
 * - tokio-ts sleep: in a generator task on a runtime with `enableTime()`, `sleep(ms)` polled
 *   once with a no-op waker (which is what registers it in the wheel, as Tokio's first poll
 *   does), then `cancel()` (the drop).
 * - tokio-ts timeout(pending()): the same through `timeout(ms, pending())`, the shape of a
 *   guarded call (the inner future polled first, then the sleep).
 * - node setTimeout + clearTimeout: a `Timeout` host object per timer in Node's per-duration
 *   lists, cleared with `clearTimeout`.
 * - node timers/promises + AbortSignal: `setTimeout(ms, undefined, { signal })` from
 *   `node:timers/promises` with an `AbortController` each, aborted (the promise rejects with
 *   an AbortError, caught). Sampled at 10,000: on Node 20 it costs ~25 µs per timer and one
 *   iteration at 1,000,000 took 92 s and ran out of a 4 GB heap on the next.
 *
 * Before measuring, each row runs once at full size and the check asserts that the live timer
 * count (the driver's `timerCount`; Node's `getActiveResourcesInfo()` "Timeout" entries) rose
 * by exactly n and fell back.
 */
import { setTimeout as setTimeoutPromise } from "node:timers/promises";
import { Context, noopWaker, pending } from "@tokio-ts/core";
import { sleep, timeout, type Sleep, type Timeout } from "@tokio-ts/time";
import { TIME } from "@tokio-ts/time/driver";
import { tokioTimeRuntime } from "../impl.js";
import { uniformInts } from "../prng.js";
import type { TimerWorkload } from "./case.js";

const N = 1_000_000;
const deadlines = uniformInts({ n: N, min: 1_000, max: 60_000 });
/** The context of the one poll that registers each timer; its waker is never called. */
const cx = new Context(noopWaker);
const noop = (): void => {};

function tokioTimers(): number {
  return tokioTimeRuntime().handle().driver(TIME).timerCount;
}

function nodeTimers(): number {
  let count = 0;
  for (const kind of process.getActiveResourcesInfo()) if (kind === "Timeout") count++;
  return count;
}

export const timerCancel: TimerWorkload = {
  id: "timer-cancel",
  title: "1M timeouts created and cancelled",
  source: "issue target (≥ 3× setTimeout + clearTimeout); random 1–60 s deadlines, all alive before the first cancel",
  notes: [
    "**tokio-ts sleep**: `sleep(ms)` polled once (registers it in the wheel), then `cancel()` (the drop)",
    "**tokio-ts timeout(pending())**: the same through `timeout(ms, pending())`",
    "**node setTimeout + clearTimeout**: a host `Timeout` per timer",
    "**node timers/promises + AbortSignal**: `setTimeout(ms, undefined, { signal })`, each controller aborted; at n = 10,000 (~25 µs per timer on Node 20; 1,000,000 took 92 s, then ran out of heap)",
  ],
  n: N,
  unit: "timer",
  baseline: "tokio-ts sleep",
  rows: [
    {
      label: "tokio-ts sleep",
      role: "tokio-ts",
      liveTimers: tokioTimers,
      runner: (n, probe) =>
        tokioTimeRuntime().blockOn(function* () {
          const sleeps: Sleep[] = new Array(n);
          for (let i = 0; i < n; i++) {
            const s = sleep(deadlines[i]!);
            s.poll(cx);
            sleeps[i] = s;
          }
          probe?.();
          for (let i = 0; i < n; i++) sleeps[i]!.cancel();
        }),
    },
    {
      label: "tokio-ts timeout(pending())",
      role: "tokio-ts",
      liveTimers: tokioTimers,
      runner: (n, probe) =>
        tokioTimeRuntime().blockOn(function* () {
          const timeouts: Timeout<never>[] = new Array(n);
          for (let i = 0; i < n; i++) {
            const t = timeout(deadlines[i]!, pending());
            t.poll(cx);
            timeouts[i] = t;
          }
          probe?.();
          for (let i = 0; i < n; i++) timeouts[i]!.cancel();
        }),
    },
    {
      label: "node setTimeout + clearTimeout",
      role: "peer",
      liveTimers: nodeTimers,
      runner: (n, probe) => {
        const handles: NodeJS.Timeout[] = new Array(n);
        for (let i = 0; i < n; i++) handles[i] = setTimeout(noop, deadlines[i]);
        probe?.();
        for (let i = 0; i < n; i++) clearTimeout(handles[i]);
      },
    },
    {
      label: "node timers/promises + AbortSignal",
      role: "peer",
      n: 10_000,
      liveTimers: nodeTimers,
      // async: the n rejections are handled before the returned promise settles.
      runner: async (n, probe) => {
        const controllers: AbortController[] = new Array(n);
        for (let i = 0; i < n; i++) {
          const controller = new AbortController();
          setTimeoutPromise(deadlines[i], undefined, { signal: controller.signal }).catch(noop);
          controllers[i] = controller;
        }
        probe?.();
        for (let i = 0; i < n; i++) controllers[i]!.abort();
      },
    },
  ],
};
