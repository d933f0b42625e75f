import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed } from "@tokio-ts/test-util";
import { Handle, yieldNow, type JoinError, type JoinHandle } from "@tokio-ts/runtime";
import { blockingMetrics, spawnBlocking, WorkerExitError } from "../src/index.js";

type Kind = "tiny" | "big" | "shared" | "throws" | "slow" | "exits";
// "exits" is rare: each one costs a worker start-up (tens of ms of CPU).
const KINDS: readonly Kind[] = ["tiny", "tiny", "tiny", "tiny", "big", "big", "shared", "shared", "throws", "slow", "slow", "tiny", "tiny", "tiny", "throws", "exits"];

interface Entry {
  readonly kind: Kind;
  readonly i: number;
  readonly handle: JoinHandle<unknown>;
  aborted: boolean;
}

function spawnKind(kind: Kind, i: number, terminate: boolean, shared: SharedArrayBuffer): JoinHandle<unknown> {
  const spawn = <A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): JoinHandle<unknown> =>
    terminate ? spawnBlocking.with({ terminateOnAbort: true }, fn, ...args) : spawnBlocking(fn, ...args);
  switch (kind) {
    case "tiny":
      return spawn((x: number) => x * 2, i);
    case "big":
      return spawn((s: string, x: number) => s.length + x, "y".repeat(2_000), i);
    case "shared":
      return spawn((b: SharedArrayBuffer, x: number) => Atomics.add(new Int32Array(b), 0, 1) * 0 + x, shared, i);
    case "throws":
      return spawn((x: number) => {
        throw new RangeError(`bad ${x}`);
      }, i);
    case "slow":
      return spawn((x: number) => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
        return x;
      }, i);
    case "exits":
      return spawn(() => process.exit(7));
  }
}

/** What a job that was not aborted must end with. */
function expected(kind: Kind, i: number): string {
  switch (kind) {
    case "tiny":
      return `ok ${i * 2}`;
    case "big":
      return `ok ${2_000 + i}`;
    case "shared":
    case "slow":
      return `ok ${i}`;
    case "throws":
      return `panic RangeError bad ${i}`;
    case "exits":
      return "panic WorkerExitError 7";
  }
}

async function outcome(h: JoinHandle<unknown>): Promise<string> {
  try {
    return `ok ${String(await h)}`;
  } catch (e) {
    const error = e as JoinError;
    if (error.isCancelled()) return "cancelled";
    const cause = error.cause as Error;
    return cause instanceof WorkerExitError ? `panic WorkerExitError ${cause.exitCode}` : `panic ${cause.name} ${cause.message}`;
  }
}

test("under seeded schedules, jobs of every kind with random aborts: each ends as it must, nothing is lost", async () => {
  await forEachSeed(
    4,
    async (rt) => {
      const shared = new SharedArrayBuffer(4);
      return rt.blockOn(async () => {
        const random = (n: number) => Handle.current().randomBelow(n);
        const entries: Entry[] = [];
        for (let i = 0; i < 120; i++) {
          const kind = KINDS[random(KINDS.length)]!;
          entries.push({ kind, i, handle: spawnKind(kind, i, random(4) === 0, shared), aborted: false });
          if (random(10) === 0) await yieldNow();
          if (random(6) === 0) {
            const victim = entries[random(entries.length)]!;
            victim.handle.abort();
            victim.aborted = true;
          }
        }
        const outcomes = await Promise.all(entries.map((e) => outcome(e.handle)));
        for (const [n, e] of entries.entries()) {
          const got = outcomes[n]!;
          if (e.aborted) {
            // An abort may come after the job finished; then the job's own outcome stands.
            if (got !== "cancelled") assert.is(got, expected(e.kind, e.i), `job ${e.i} (${e.kind}, aborted)`);
          } else {
            assert.is(got, expected(e.kind, e.i), `job ${e.i} (${e.kind})`);
          }
        }
        const m = blockingMetrics();
        assert.is(m.blockingQueueDepth(), 0);
        assert.ok(m.numBlockingThreads() <= 2);
      });
    },
    { configure: (b) => b.maxBlockingThreads(2) },
  );
});

test.run();
