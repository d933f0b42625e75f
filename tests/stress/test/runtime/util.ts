// Shared helpers of the stress tests (not a test file).
import * as assert from "uvu/assert";
import { forEachSeed, SeedFailure, type ForEachSeedOptions } from "@tokio-ts/test-util";
import type { Runtime } from "@tokio-ts/runtime";

/** forEachSeed, but a failure names the seed and the cause's own message (uvu hides causes). */
export async function seeds<R>(
  n: number | readonly number[],
  scenario: (rt: Runtime, seed: number) => R | PromiseLike<R>,
  options?: ForEachSeedOptions,
): Promise<Awaited<R>[]> {
  try {
    return await forEachSeed(n, scenario, options);
  } catch (e) {
    if (e instanceof SeedFailure) {
      const c = e.cause as { message?: string; stack?: string; expects?: unknown; actual?: unknown };
      const extra = c && typeof c === "object" && "expects" in c ? `\n  expected: ${JSON.stringify(c.expects)}\n  actual:   ${JSON.stringify(c.actual)}` : "";
      assert.unreachable(`seed ${e.seed}: ${c?.stack ?? String(c)}${extra}`);
    }
    throw e;
  }
}

/** A seed count, scaled by STRESS_MULT for long exploratory runs (default 1). */
export function n(count: number): number {
  return Math.max(1, Math.round(count * Number(process.env["STRESS_MULT"] ?? "1")));
}

/**
 * forEachSeed options with time on a paused clock. STRESS_RT="ei=1,gqi=2,nolifo" varies the
 * scheduler (event interval, global queue interval, LIFO slot) for exploratory runs.
 */
export function opts(extra: ForEachSeedOptions = {}): ForEachSeedOptions {
  const cfg = process.env["STRESS_RT"] ?? "";
  const own = extra.configure;
  return {
    enableTime: true,
    startPaused: true,
    ...extra,
    configure: (b) => {
      for (const part of cfg.split(",").filter(Boolean)) {
        const [k, v] = part.split("=");
        if (k === "ei") b = b.eventInterval(Number(v));
        else if (k === "gqi") b = b.globalQueueInterval(Number(v));
        else if (k === "nolifo") b = b.disableLifoSlot();
      }
      return own ? own(b) : b;
    },
  };
}
