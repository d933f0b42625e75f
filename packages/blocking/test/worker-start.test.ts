/**
 * Workers that cannot start: they exit before running any job. The pool must fail the jobs
 * that waited for them (or hand those to a worker that works) instead of restarting workers in
 * a loop with every job pending.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { JoinError, yieldNow, type Builder, type JoinHandle } from "@tokio-ts/runtime";
import * as blocking from "../src/index.js";
import { blockThenMark, deferred, Gate, withRuntime } from "./helpers.js";

/**
 * The pool's thread hooks: they count the threads that come online and that stop, and abort
 * the guarded handles once more threads stopped than `maxStops`. A pool that restarts failing
 * workers in a loop (what these tests check against) then fails the test instead of hanging it.
 */
class Threads {
  starts = 0;
  stops = 0;
  readonly #guarded: JoinHandle<unknown>[] = [];
  readonly #stopped = deferred();

  constructor(readonly maxStops: number) {}

  readonly configure = (b: Builder): Builder =>
    b
      .onThreadStart(() => this.starts++)
      .onThreadStop(() => {
        this.#stopped.resolve();
        if (++this.stops > this.maxStops) for (const h of this.#guarded) h.abort();
      });

  guard<T>(h: JoinHandle<T>): JoinHandle<T> {
    this.#guarded.push(h as JoinHandle<unknown>);
    return h;
  }

  /** Resolves when the first thread has stopped. */
  get firstStop(): Promise<void> {
    return this.#stopped.promise;
  }
}

/** What the handle gave: its value, or the JoinError it failed with. */
async function settle<T>(h: PromiseLike<T>): Promise<{ value: T } | { error: JoinError }> {
  try {
    return { value: await h };
  } catch (e) {
    return { error: e as JoinError };
  }
}

/** The WorkerExitError of a job whose worker could not start (asserted). */
function notStarted(outcome: { value: unknown } | { error: JoinError }, ErrorClass = blocking.WorkerExitError): blocking.WorkerExitError {
  assert.ok("error" in outcome, `the job did not fail: ${JSON.stringify(outcome)}`);
  const error = outcome.error;
  assert.instance(error, JoinError);
  assert.ok(error.isPanic(), `the job was not failed but ${error.message}`);
  assert.is(error.code, "ERR_TASK_PANICKED");
  const cause = error.cause as blocking.WorkerExitError;
  assert.instance(cause, ErrorClass);
  assert.is(cause.code, "ERR_BLOCKING_WORKER_EXITED");
  assert.match(cause.message, /^a worker thread for this blocking job could not start: it exited with code \d+ before it ran any job \(worker script file:\/\/.*\/internal\/worker\.js\)/);
  return cause;
}

/**
 * This package's built files copied to a temporary directory, the way an app bundle ships a
 * library: the test can take `internal/worker.js` — the program of the pool's workers — away,
 * as a bundle that does not ship it does, and put it back. The copy's `node_modules` links to
 * this package's, so it uses the same runtime as the test. Load it with `load()`; `dispose()`
 * deletes it.
 */
class PackageCopy {
  readonly dir = mkdtempSync(join(tmpdir(), "tokio-ts-blocking-"));
  readonly worker = join(this.dir, "src", "internal", "worker.js");

  constructor() {
    cpSync(fileURLToPath(new URL("../src/", import.meta.url)), join(this.dir, "src"), { recursive: true });
    writeFileSync(join(this.dir, "package.json"), JSON.stringify({ type: "module" }));
    symlinkSync(fileURLToPath(new URL("../../node_modules/", import.meta.url)), join(this.dir, "node_modules"), "dir");
  }

  load(): Promise<typeof blocking> {
    return import(pathToFileURL(join(this.dir, "src", "index.js")).href) as Promise<typeof blocking>;
  }

  removeWorker(): void {
    renameSync(this.worker, `${this.worker}.away`);
  }

  restoreWorker(): void {
    renameSync(`${this.worker}.away`, this.worker);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

test("the jobs waiting for workers that cannot start all fail with them, and a later job gets one fresh start", async () => {
  // (Not with a tiny threadResourceLimits: V8 may then abort this whole process while it
  // builds the worker's heap. A missing worker.js fails the same way, safely.)
  const copy = new PackageCopy();
  try {
    const pkg = await copy.load();
    copy.removeWorker();
    const threads = new Threads(3);
    await withRuntime(
      async (rt) => {
        const out = await rt.blockOn(async () => {
          const burst = [1, 2, 3, 4, 5].map((i) => threads.guard(pkg.spawnBlocking((x: number) => x, i)));
          const outcomes = await Promise.all(burst.map((h) => settle(h)));
          const stopsAfterBurst = threads.stops;
          const aliveAfterBurst = pkg.blockingMetrics().numBlockingThreads();
          const later = await settle(threads.guard(pkg.spawnBlocking(() => "later")));
          return { outcomes, stopsAfterBurst, aliveAfterBurst, later };
        });
        for (const outcome of out.outcomes) notStarted(outcome, pkg.WorkerExitError);
        assert.is(out.stopsAfterBurst, 2, "one start per thread of maxBlockingThreads(2), none repeated");
        assert.is(out.aliveAfterBurst, 0, "no worker is left starting");
        notStarted(out.later, pkg.WorkerExitError);
        assert.is(threads.stops, 3, "the later job had a worker of its own");
      },
      (b) => threads.configure(b.maxBlockingThreads(2)),
    );
  } finally {
    copy.dispose();
  }
});

test("an app that does not ship internal/worker.js gets the load error, not a hang; the pool works once the file is back", async () => {
  const copy = new PackageCopy();
  try {
    const pkg = await copy.load();
    copy.removeWorker();
    const threads = new Threads(1);
    await withRuntime(
      async (rt) => {
        const out = await rt.blockOn(async () => {
          const missing = await settle(threads.guard(pkg.spawnBlocking((a: number, b: number) => a * b, 6, 7)));
          copy.restoreWorker();
          const back = await settle(pkg.spawnBlocking((a: number, b: number) => a * b, 6, 7));
          return { missing, back };
        });
        const cause = notStarted(out.missing, pkg.WorkerExitError);
        assert.ok(cause.message.includes(pathToFileURL(copy.worker).href), cause.message);
        const loadError = cause.cause as Error & { code?: string };
        assert.is(loadError.code, "MODULE_NOT_FOUND");
        assert.ok(loadError.message.includes(copy.worker), loadError.message);
        assert.equal(out.back, { value: 42 });
        assert.is(threads.stops, 1);
      },
      (b) => threads.configure(b.maxBlockingThreads(1)),
    );
  } finally {
    copy.dispose();
  }
});

test("a worker that cannot start beside one that works hands its jobs to that one, and the pool does not start another", async () => {
  const copy = new PackageCopy();
  try {
    const pkg = await copy.load();
    const threads = new Threads(1);
    const gate = new Gate();
    await withRuntime(
      async (rt) => {
        const out = await rt.blockOn(async () => {
          const running = threads.guard(pkg.spawnBlocking(blockThenMark, gate.buffer, 1, 11));
          while (gate.started === 0) await yieldNow();
          copy.removeWorker();
          // No idle worker, one thread free: the pool starts a second worker, which cannot load.
          const waiting = threads.guard(pkg.spawnBlocking((x: number) => x * 2, 21));
          await threads.firstStop;
          const aliveAfterFailure = pkg.blockingMetrics().numBlockingThreads();
          // A job now finds no idle worker either: it waits for the one that works.
          const later = threads.guard(pkg.spawnBlocking((x: number) => x + 1, 1));
          await yieldNow();
          const aliveWithLater = pkg.blockingMetrics().numBlockingThreads();
          gate.open();
          const results = [await settle(running), await settle(waiting), await settle(later)];
          return { results, aliveAfterFailure, aliveWithLater };
        });
        assert.equal(out.results, [{ value: 11 }, { value: 42 }, { value: 2 }]);
        assert.is(out.aliveAfterFailure, 1, "no worker was started again for the job of the one that failed");
        assert.is(out.aliveWithLater, 1, "no worker was started for a later job while one works");
        assert.is(threads.stops, 1, "only the worker that could not start stopped");
      },
      (b) => threads.configure(b.maxBlockingThreads(2)),
    );
  } finally {
    copy.dispose();
  }
});

test.run();
