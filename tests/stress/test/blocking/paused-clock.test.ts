/**
 * Blocking jobs under a paused clock. Workers run in real time; the docs (README "With a paused
 * clock", BlockingPool#holdsPark) say: while any job is queued or running, a paused clock does not
 * auto-advance (Tokio inhibits auto-advance while spawn_blocking tasks run); auto-advance resumes
 * when the last job ends, also a job whose handle was aborted while it ran.
 *
 * Checked here, over seeds:
 * - `timeout(ms, job)` around a job that takes real time does not expire in virtual time;
 * - a `sleep` beside a gated job completes only after the job ends, at exactly its deadline;
 * - the same for a job aborted while it runs (detached) — and, with terminateOnAbort, the clock
 *   moves again once the worker is killed, without the job ever ending;
 * - jobs aborted while queued do not hold the clock.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow } from "@tokio-ts/runtime";
import { Instant, sleep, timeout } from "@tokio-ts/time";
import { spawnBlocking } from "@tokio-ts/blocking";
import { blocker, describe, Shared } from "./support.js";

const spinJob = (ms: number, value: number): number => {
  const end = performance.now() + ms;
  while (performance.now() < end);
  return value;
};

test("timeout around a job that takes real time does not expire in paused time", async () => {
  await forEachSeed(
    12,
    (rt, seed) =>
      rt.blockOn(async () => {
        const rng = new SeededRng(seed);
        const limit = rng.between(1, 50);
        const t0 = Instant.now();
        const v = await timeout(limit, spawnBlocking(spinJob, rng.between(2, 15), seed));
        assert.is(v, seed);
        assert.is(Instant.now().durationSince(t0), 0, "no virtual time passed while the job ran");
        // With no job left, auto-advance works again.
        await sleep(1000);
        assert.is(Instant.now().durationSince(t0), 1000);
      }),
    { enableTime: true, startPaused: true },
  );
});

type Variant = "running" | "abortedRunning" | "killed" | "abortedQueued";

async function sleeperBesideJob(seed: number, variant: Variant): Promise<void> {
  await forEachSeed(
    [seed],
    async (rt) => {
      const rng = new SeededRng(seed * 5 + variant.length);
      const shared = new Shared();
      const deadline = rng.between(1, 10_000);
      let sleptAtOpen: boolean | undefined;
      let opener: NodeJS.Timeout | undefined;
      let done = false;
      try {
        const out = await rt.blockOn(async () => {
          const t0 = Instant.now();
          const job =
            variant === "killed"
              ? spawnBlocking.with({ terminateOnAbort: true }, blocker, shared.buffer, 1, 5_000)
              : spawnBlocking(blocker, shared.buffer, 1, 5_000);
          const queued = variant === "abortedQueued" ? spawnBlocking(spinJob, 0, 2) : undefined;
          const sleeper = spawn(async () => {
            await sleep(deadline);
            done = true;
            return Instant.now().durationSince(t0);
          });
          // Wait for the job to run: in paused time, sleep(0) is a plain yield.
          while (shared.started() === 0) {
            await sleep(0);
            await new Promise<void>((r) => setTimeout(r, 1));
          }
          // The gate opens from the host, in real time, while the runtime is idle.
          opener = setTimeout(() => {
            sleptAtOpen = done;
            shared.open();
          }, 20);
          if (variant === "abortedRunning" || variant === "killed") job.abort();
          if (queued !== undefined) queued.abort();
          await yieldNow();
          const jobOutcome = describe(job);
          const queuedOutcome = queued === undefined ? undefined : describe(queued);
          const elapsed = await sleeper;
          return { elapsed, job: await jobOutcome, queued: await queuedOutcome };
        });
        const where = `seed ${seed}, ${variant}`;
        assert.is(out.elapsed, deadline, `${where}: the sleep ends exactly at its deadline`);
        if (variant === "killed") {
          assert.is(out.job, "cancelled", where);
          // The killed job never ends, so nothing holds the clock: the sleep may finish before the gate opens.
        } else {
          assert.is(sleptAtOpen, false, `${where}: the clock must not move while the job runs`);
          assert.is(out.job, variant === "abortedRunning" ? "cancelled" : "ok 1", where);
        }
        if (variant === "abortedQueued") assert.is(out.queued, "cancelled", where);
      } finally {
        clearTimeout(opener);
        shared.open();
      }
    },
    { enableTime: true, startPaused: true, configure: (b) => b.maxBlockingThreads(1) },
  );
}

test("a sleep beside a running job ends only after the job, at its deadline", async () => {
  for (let seed = 0; seed < 4; seed++) await sleeperBesideJob(seed, "running");
});

test("a job aborted while it runs still holds the clock until it ends", async () => {
  for (let seed = 0; seed < 4; seed++) await sleeperBesideJob(seed, "abortedRunning");
});

test("a job aborted while queued behind a running one holds nothing more than the running one", async () => {
  for (let seed = 0; seed < 4; seed++) await sleeperBesideJob(seed, "abortedQueued");
});

test("a running job killed by terminateOnAbort lets the clock move again", async () => {
  for (let seed = 0; seed < 4; seed++) await sleeperBesideJob(seed, "killed");
});

test.run();
