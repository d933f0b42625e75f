// Shared helpers for the channel stress tests (not a test file itself).
import { Elapsed, timeout } from "@tokio-ts/time";
import type { SeededRng } from "@tokio-ts/test-util";
import type { Future } from "@tokio-ts/core";

/** Options for forEachSeed: a fresh runtime per seed, shuffled run queue, paused clock. */
export const PAUSED = { enableTime: true, startPaused: true } as const;

/**
 * Run `body` under a long virtual deadline: with the paused clock, time auto-advances when every
 * task is idle, so a lost wake-up (a deadlock) turns into this failure instead of a hang.
 */
export function* noDeadlock<T>(what: string, body: () => Generator<unknown, T, unknown>): Generator<unknown, T, unknown> {
  try {
    return yield* timeout(3_600_000, body);
  } catch (e) {
    if (e instanceof Elapsed) throw new Error(`deadlock: ${what} did not finish within an hour of virtual time`);
    throw e;
  }
}

/** Maybe wrap `fut` in a random timeout (ms in [0, maxMs]); `undefined` means it elapsed. */
export function* maybeTimeout<T>(rng: SeededRng, p: number, maxMs: number, fut: Future<T>): Generator<unknown, { ok: true; value: T } | { ok: false }, unknown> {
  if (rng.next() >= p) return { ok: true, value: yield* fut };
  try {
    return { ok: true, value: yield* timeout(rng.between(0, maxMs), fut) };
  } catch (e) {
    if (e instanceof Elapsed) return { ok: false };
    throw e;
  }
}

export function fail(msg: string): never {
  throw new Error(msg);
}

/** Debug trace, printed only when TRACE is set in the environment. */
export const TRACE = process.env["TRACE"] !== undefined;
export function trace(...args: unknown[]): void {
  if (TRACE) console.log(...args);
}
