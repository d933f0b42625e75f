/**
 * Workers that die under a job (`process.exit(code)` in the job, or a module whose loading
 * exits the thread) and modules that fail to load, mixed at random with ordinary jobs on 1–3
 * threads.
 *
 * Invariants (README "Errors", WorkerExitError):
 * - only the job that was running fails, with a panicked JoinError whose cause is a
 *   WorkerExitError (code ERR_BLOCKING_WORKER_EXITED, the exit code);
 * - the jobs queued behind it run on a new worker, each exactly once, with their own result;
 * - a module that throws while loading, does not parse, or lacks the export fails only its
 *   job (the right error class and message), and the worker goes on with the next job;
 * - the completed-jobs count counts the jobs that returned or threw, not the crashed ones;
 *   every worker started is stopped at shutdown; the pool is idle afterwards.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { yieldNow } from "@tokio-ts/runtime";
import { blockingMetrics, spawnBlocking, transfer, WorkerExitError } from "@tokio-ts/blocking";
import { describe, logged, RunLog, until, type Handle } from "./support.js";

const moduleUrl = (source: string): string => `data:text/javascript,${encodeURIComponent(source)}`;
const THROWS_AT_LOAD = moduleUrl(`throw new RangeError("refuses to load"); export function f() { return 1; }`);
const SYNTAX_ERROR = moduleUrl(`export function f( { return 1; }`);
const EXITS_AT_LOAD = moduleUrl(`process.exit(7); export function f() { return 1; }`);
const FINE = moduleUrl(`export function twice(x) { return 2 * x; } export const notFn = 1;`);

type Kind = "ok" | "exit" | "exitAtLoad" | "throwsAtLoad" | "syntax" | "noExport" | "notFn" | "module";
const KINDS: Kind[] = ["ok", "ok", "ok", "ok", "exit", "exitAtLoad", "throwsAtLoad", "syntax", "noExport", "notFn", "module"];

/** Job: log a start, then exit the worker thread with `code`. */
function exitJob(path: string, id: number, code: number): never {
  const fs = (process as unknown as { getBuiltinModule(n: string): typeof import("node:fs") }).getBuiltinModule("node:fs");
  fs.appendFileSync(path, `S ${id} ${process.hrtime.bigint()}\n`);
  process.exit(code);
}

function expectedOutcome(kind: Kind, id: number): RegExp | string {
  switch (kind) {
    case "ok":
      return `ok ${id * 10}`;
    case "module":
      return `ok ${2 * id}`;
    case "exit":
      return `panic WorkerExitError:WorkerExitError:the worker thread running this blocking job exited with code ${100 + id} before the job finished:ERR_BLOCKING_WORKER_EXITED:exit ${100 + id}`;
    case "exitAtLoad":
      return /^panic WorkerExitError:WorkerExitError:the worker thread running this blocking job exited with code 7 .*:exit 7$/;
    case "throwsAtLoad":
      return "panic RangeError:RangeError:refuses to load";
    case "syntax":
      return /^panic SyntaxError:SyntaxError:.*failed to load/;
    case "noExport":
      return /^panic TypeError:TypeError:spawnBlocking: module .* has no export named "nope"$/;
    case "notFn":
      return /^panic TypeError:TypeError:spawnBlocking: export "notFn" of module .* is not a function \(it is number\)$/;
  }
}

async function runSeed(seed: number): Promise<void> {
  const rng = new SeededRng(seed * 17 + 3);
  const threads = rng.between(1, 3);
  const log = new RunLog(`crash-${seed}`);
  let started = 0;
  let stopped = 0;
  try {
    await forEachSeed(
      [seed],
      async (rt) => {
        const plan = Array.from({ length: rng.between(8, 24) }, (_, id) => ({ id, kind: KINDS[rng.below(KINDS.length)]! }));
        const report = await rt.blockOn(async () => {
          const outcomes: Promise<string>[] = [];
          for (const { id, kind } of plan) {
            let h: Handle;
            switch (kind) {
              case "ok":
                h = spawnBlocking(logged, log.path, id, rng.between(0, 300));
                break;
              case "exit":
                h = spawnBlocking(exitJob, log.path, id, 100 + id);
                break;
              case "exitAtLoad":
                h = spawnBlocking({ module: EXITS_AT_LOAD, export: "f" });
                break;
              case "throwsAtLoad":
                h = spawnBlocking({ module: THROWS_AT_LOAD, export: "f" });
                break;
              case "syntax":
                h = spawnBlocking({ module: SYNTAX_ERROR, export: "f" });
                break;
              case "noExport":
                h = spawnBlocking({ module: FINE, export: "nope" });
                break;
              case "notFn":
                h = spawnBlocking({ module: FINE, export: "notFn" });
                break;
              case "module":
                h = spawnBlocking({ module: FINE, export: "twice" }, id);
                break;
            }
            outcomes.push(describe(h));
            if (rng.below(3) === 0) await yieldNow();
          }
          const results = await Promise.all(outcomes);
          const m = blockingMetrics();
          await until(() => m.blockingQueueDepth() === 0 && m.numIdleBlockingThreads() === m.numBlockingThreads(), "the pool is idle");
          return { results, completed: m.completedBlockingJobsCount(), spawned: m.spawnedBlockingJobsCount(), threadsAfter: m.numBlockingThreads() };
        });
        const where = `seed ${seed}, ${threads} thread(s)`;
        for (const { id, kind } of plan) {
          const want = expectedOutcome(kind, id);
          const got = report.results[id]!;
          if (typeof want === "string") assert.is(got, want, `${where}, job ${id} (${kind})`);
          else assert.ok(want.test(got), `${where}, job ${id} (${kind}): ${got}`);
          if (kind === "ok") assert.is([log.starts(id), log.ends(id)].join(), "1,1", `${where}, job ${id}: runs exactly once`);
          if (kind === "exit") assert.is(log.starts(id), 1, `${where}, job ${id}: the crashing job ran once (not retried)`);
        }
        const crashed = plan.filter((p) => p.kind === "exit" || p.kind === "exitAtLoad").length;
        assert.is(report.spawned, plan.length, `${where}: spawned count`);
        assert.is(report.completed, plan.length - crashed, `${where}: completed count leaves out the crashed jobs`);
        assert.ok(report.threadsAfter <= threads, `${where}: ${report.threadsAfter} threads`);
      },
      {
        configure: (b) =>
          b
            .maxBlockingThreads(threads)
            .onThreadStart(() => started++)
            .onThreadStop(() => stopped++),
      },
    );
    assert.is(stopped, started, `seed ${seed}: every started worker stopped`);
  } finally {
    log.remove();
  }
}

test("workers that exit under a job, and modules that fail to load: only that job fails", async () => {
  for (let seed = 0; seed < 16; seed++) await runSeed(seed);
});

test("a WorkerExitError is the cause, with its exit code, for process.exit(0) too", async () => {
  await forEachSeed(1, (rt) =>
    rt.blockOn(async () => {
      for (const code of [0, 3]) {
        try {
          await spawnBlocking((c: number) => process.exit(c), code);
          assert.unreachable("the job cannot return");
        } catch (e) {
          const cause = (e as { cause?: unknown }).cause;
          assert.instance(cause, WorkerExitError);
          assert.is((cause as WorkerExitError).exitCode, code);
          assert.is((cause as WorkerExitError).code, "ERR_BLOCKING_WORKER_EXITED");
        }
      }
      assert.is(await spawnBlocking(() => "still works"), "still works");
    }),
  );
});

/**
 * FOUND A BUG: a job whose arguments travel on its own channel (moved with transfer(), or a
 * SharedArrayBuffer) that was given to an idle worker which then dies — of an error left behind
 * by the previous job, before taking the new one — fails with WorkerExitError ("the worker
 * thread running this blocking job exited … before the job finished") although it never
 * started; a job with plain arguments in the same place is requeued and runs on a new worker.
 */
for (const argument of ["transfer", "SharedArrayBuffer", "plain"] as const) {
  test(`a job (${argument} argument) given to a worker that dies before taking it: plain arguments run on a new worker, moved ones fail saying so`, async () => {
    await forEachSeed(
      2,
      (rt) =>
        rt.blockOn(async () => {
          const flag = new SharedArrayBuffer(4);
          // Returns at once, leaving a callback that signals, keeps the thread busy, then throws.
          await spawnBlocking((f: SharedArrayBuffer) => {
            setImmediate(() => {
              Atomics.store(new Int32Array(f), 0, 1);
              const end = Date.now() + 150;
              while (Date.now() < end);
              throw new Error("late error of the previous job");
            });
            return 1;
          }, flag);
          await until(() => Atomics.load(new Int32Array(flag), 0) === 1, "the late callback runs");
          let h: Handle;
          if (argument === "transfer") {
            const bytes = new Uint8Array([1, 2, 3, 4]);
            h = spawnBlocking((b: Uint8Array) => b.length, transfer(bytes, [bytes.buffer]));
          } else if (argument === "SharedArrayBuffer") {
            h = spawnBlocking((b: SharedArrayBuffer) => b.byteLength, new SharedArrayBuffer(4));
          } else {
            h = spawnBlocking((n: number) => n, 4);
          }
          const got = await describe(h);
          if (argument === "plain") assert.is(got, "ok 4", "the job never started on the dying worker: it runs on another");
          else assert.match(got, /exited with code 1 before it started the job, and the job's arguments went with it/, "cannot be moved: its arguments went to the dead worker");
        }),
      { configure: (b) => b.maxBlockingThreads(1) },
    );
  });
}

test.run();
