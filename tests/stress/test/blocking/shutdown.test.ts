/**
 * Runtime shutdown with blocking jobs running and queued.
 *
 * Docs (Runtime#shutdownTimeout, #shutdownBackground, README "Pool settings"): shutdownTimeout(ms)
 * drops queued jobs (they never run), waits up to `ms` for running ones, then terminates their
 * workers, and resolves once every worker is gone; shutdownBackground terminates at once. A
 * job whose handle was dropped (detached) is waited for like any running one. Idle workers
 * never keep the process alive; the process exits by itself.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { timeout } from "@tokio-ts/time";
import { blockingMetrics, spawnBlocking } from "@tokio-ts/blocking";
import { describe, logged, loggedBlocker, RunLog, Shared, until, type Handle } from "./support.js";

type Mode = "timeoutKills" | "timeoutWaits" | "background";

async function runSeed(seed: number, mode: Mode): Promise<void> {
  const rng = new SeededRng(seed * 13 + mode.length);
  const threads = rng.between(1, 3);
  const log = new RunLog(`shutdown-${mode}-${seed}`);
  const shared = new Shared();
  let started = 0;
  let stopped = 0;
  let opener: NodeJS.Timeout | undefined;
  try {
    await forEachSeed(
      [seed],
      async (rt) => {
        // Every thread is held by a gated job, so the quick jobs are all still queued at shutdown.
        const running = threads;
        const queuedCount = rng.between(0, 12);
        const { outcomes, detached } = await rt.blockOn(async () => {
          const handles: Handle[] = [];
          for (let id = 0; id < running; id++) handles.push(spawnBlocking(loggedBlocker, shared.buffer, log.path, id, 5_000));
          // A few quick jobs while the gated ones hold their workers (into the rings or the queue).
          for (let id = running; id < running + queuedCount; id++) handles.push(spawnBlocking(logged, log.path, id, 50));
          await until(() => shared.started() === running, "the gated jobs run");
          // One gated job loses its await (detached, not aborted): it must still be waited for.
          let detached = false;
          if (rng.below(2) === 0) {
            try {
              await timeout(1, handles[0]!);
            } catch {
              detached = true;
            }
          }
          return { outcomes: handles.map((h) => describe(h)), detached };
        });
        const t0 = Date.now();
        if (mode === "timeoutKills") await rt.shutdownTimeout(rng.between(0, 30));
        else if (mode === "timeoutWaits") {
          opener = setTimeout(() => shared.open(), 20);
          await rt.shutdownTimeout(5_000);
        } else {
          rt.shutdownBackground();
          await until(() => stopped === started, "every worker stopped after shutdownBackground").catch((e: Error) => {
            throw new Error(`${e.message}: ${started} started, ${stopped} stopped, ${blockingMetrics(rt.handle()).numBlockingThreads()} alive`);
          });
        }
        const took = Date.now() - t0;
        const where = `seed ${seed}, ${mode}, ${threads} thread(s), ${running} gated, ${queuedCount} queued`;
        assert.ok(rt.isShutdown(), where);
        assert.ok(took < 2_000, `${where}: shutdown took ${took} ms`);
        assert.is(stopped, started, `${where}: every started worker stopped`);
        assert.is(blockingMetrics(rt.handle()).numBlockingThreads(), 0, `${where}: no thread left`);
        const results = await Promise.all(outcomes);
        for (let id = 0; id < running; id++) {
          assert.is(log.starts(id), 1, `${where}: gated job ${id} ran once`);
          assert.is(log.ends(id), mode === "timeoutWaits" ? 1 : 0, `${where}: gated job ${id} ${mode === "timeoutWaits" ? "finished" : "was terminated"}`);
          if (!(id === 0 && detached)) assert.is(results[id], "cancelled", `${where}: gated job ${id}'s task was dropped at shutdown`);
        }
        for (let id = running; id < running + queuedCount; id++) {
          assert.is(log.starts(id), 0, `${where}: job ${id}, queued at shutdown, never runs`);
          assert.is(results[id], "cancelled", `${where}: job ${id}'s task was dropped at shutdown`);
        }
      },
      {
        enableTime: true,
        configure: (b) =>
          b
            .maxBlockingThreads(threads)
            .onThreadStart(() => started++)
            .onThreadStop(() => stopped++),
      },
    );
  } finally {
    clearTimeout(opener);
    shared.open();
    log.remove();
  }
}

test("shutdownTimeout(ms) with jobs running past ms: queued ones never run, running ones are terminated", async () => {
  for (let seed = 0; seed < 8; seed++) await runSeed(seed, "timeoutKills");
});

test("shutdownTimeout(ms) lets running jobs (detached ones too) finish within ms", async () => {
  for (let seed = 0; seed < 6; seed++) await runSeed(seed, "timeoutWaits");
});

test("shutdownBackground terminates running jobs at once", async () => {
  for (let seed = 0; seed < 6; seed++) await runSeed(seed, "background");
});

/** Run `body` (an ES module source) in a child process; it must exit by itself within the bound. */
function child(body: string): { status: number | null; out: string; ms: number } {
  // Next to the compiled tests, so that the child resolves the same packages.
  const file = fileURLToPath(new URL(`./child-${process.pid}.mjs`, import.meta.url));
  writeFileSync(file, body);
  try {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 4_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}`.trim(), ms: Date.now() - t0 };
  } finally {
    rmSync(file, { force: true });
  }
}

const PRELUDE = `import { Builder } from "@tokio-ts/runtime"; import { spawnBlocking } from "@tokio-ts/blocking";
const rt = Builder.newCurrentThread().maxBlockingThreads(2).build();
const stuck = () => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); };
const busy = (ms) => { const end = Date.now() + ms; while (Date.now() < end); return ms; };`;

test("the process exits by itself: idle workers (keep-alive 10 s) hold nothing", () => {
  const r = child(`${PRELUDE} console.log(String(await rt.blockOn(async () => (await spawnBlocking(busy, 1)) + (await spawnBlocking(busy, 2)))));`);
  assert.is(r.out, "3");
  assert.is(r.status, 0);
  assert.ok(r.ms < 3_000, `took ${r.ms} ms`);
});

test("the process exits by itself after a detached job ends (and not before)", () => {
  const r = child(`${PRELUDE} await rt.blockOn(async () => { spawnBlocking((ms) => { const end = Date.now() + ms; while (Date.now() < end); console.log("job done"); }, 100); });`);
  assert.is(r.out, "job done");
  assert.is(r.status, 0);
});

test("the process exits by itself after shutdownBackground with a job stuck forever", () => {
  const r = child(`${PRELUDE} await rt.blockOn(async () => { spawnBlocking(stuck); spawnBlocking(stuck); spawnBlocking(stuck); await new Promise((r) => setTimeout(r, 50)); }); rt.shutdownBackground(); console.log("bye");`);
  assert.is(r.out, "bye");
  assert.is(r.status, 0);
});

test("the process exits by itself after shutdownTimeout with a job stuck forever", () => {
  const r = child(`${PRELUDE} await rt.blockOn(async () => { spawnBlocking(stuck); spawnBlocking(busy, 5); await new Promise((r) => setTimeout(r, 50)); }); await rt.shutdownTimeout(20); console.log("bye");`);
  assert.is(r.out, "bye");
  assert.is(r.status, 0);
});

test.run();
