/**
 * A paused clock does not auto-advance while a blocking job is queued or running (Tokio inhibits
 * auto-advance while `spawn_blocking` tasks run), and resumes once the last job ends.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fromPromise } from "@tokio-ts/core";
import { Instant, sleep, timeout } from "@tokio-ts/time";
import { spawnBlocking } from "../src/index.js";
import { blockThenMark, Gate, withRuntime } from "./helpers.js";

const hostTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Resolve once `gate` counts a started job; a real-time guard only so a failure cannot hang. */
async function started(gate: Gate): Promise<void> {
  const give = Date.now() + 10_000;
  while (gate.started === 0) {
    if (Date.now() > give) throw new Error("the blocking job never started");
    await hostTurn();
  }
}

/** `promise`, or a rejection after 10 s of real time: a guard against a hang, not a timing. */
function guarded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} never completed`)), 10_000);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

test("a timeout around a running blocking job on a paused clock gets the job's result, with no virtual time spent", async () => {
  const gate = new Gate();
  await withRuntime(
    async (rt) => {
      const run = rt.blockOn(function* () {
        const start = Instant.now();
        const out = yield* timeout(1_000, spawnBlocking(blockThenMark, gate.buffer, 1, 7));
        return { out, elapsed: start.elapsed() };
      });
      let settled = false;
      void run.then(
        () => (settled = true),
        () => (settled = true),
      );
      await started(gate);
      // The runtime is idle now, waiting on the job: auto-advance would fire the timeout here.
      for (let i = 0; i < 20; i++) await hostTurn();
      assert.not.ok(settled, "nothing completes while the job is blocked");
      gate.open();
      assert.equal(await guarded(run, "the blockOn"), { out: 7, elapsed: 0 });
    },
    (b) => b.enableTime().startPaused(true),
  );
});

test("auto-advance resumes when an aborted (detached) running job ends: a sleep elsewhere then completes", async () => {
  const gate = new Gate();
  await withRuntime(
    async (rt) => {
      let slept = false;
      const run = rt.blockOn(function* () {
        const job = spawnBlocking(blockThenMark, gate.buffer, 1, 7);
        while (gate.started === 0) yield* fromPromise(hostTurn());
        job.abort(); // running: it goes on, and nobody will be woken when it ends
        const start = Instant.now();
        yield* sleep(100);
        slept = true;
        return start.elapsed();
      });
      await started(gate);
      for (let i = 0; i < 20; i++) await hostTurn();
      assert.not.ok(slept, "the clock stays put while the detached job runs");
      gate.open();
      assert.is(await guarded(run, "the sleep"), 100);
    },
    (b) => b.enableTime().startPaused(true),
  );
});

test.run();
