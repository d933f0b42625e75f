import { test } from "uvu";
import { getEventListeners } from "node:events";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as assert from "uvu/assert";
import { pending } from "@tokio-ts/core";
import { JoinError, JoinSet, spawn, yieldNow } from "@tokio-ts/runtime";
import { blockingMetrics, spawnBlocking } from "../src/index.js";
import { blockThenMark, deferred, Gate, runtime, withRuntime } from "./helpers.js";

async function outcome(h: PromiseLike<unknown>): Promise<string> {
  try {
    return `ok ${String(await h)}`;
  } catch (e) {
    return (e as JoinError).isCancelled() ? "cancelled" : `panic ${String((e as JoinError).cause)}`;
  }
}

test("abort of a queued job removes it: it never runs, and the jobs around it do", async () => {
  await withRuntime(
    async (rt) => {
      const gate = new Gate();
      const out = await rt.blockOn(async () => {
        const first = spawnBlocking(blockThenMark, gate.buffer, 1, 11);
        const queued = spawnBlocking(blockThenMark, gate.buffer, 2, 22); // waits behind `first`
        const last = spawnBlocking(blockThenMark, gate.buffer, 3, 33);
        await yieldNow();
        queued.abort();
        gate.open();
        return [await outcome(first), await outcome(queued), await outcome(last)];
      });
      assert.equal(out, ["ok 11", "cancelled", "ok 33"]);
      assert.is(gate.word(2), 0, "the aborted job did not run");
    },
    (b) => b.maxBlockingThreads(1),
  );
});

/** A job that counts its runs in word `at` of `buffer`. */
function countRun(buffer: SharedArrayBuffer, at: number): number {
  return Atomics.add(new Int32Array(buffer), at, 1) + 1;
}

test("a job aborted right after the call never runs, even with idle workers and the runtime busy: abort(), an aborted signal, JoinSet abortAll/dispose", async () => {
  await withRuntime(
    async (rt) => {
      const gate = new Gate();
      const out = await rt.blockOn(async () => {
        await Promise.all([spawnBlocking(() => 0), spawnBlocking(() => 0)]); // two idle workers
        // More ready tasks than eventInterval: the runtime goes to the host (where a worker may
        // start a job) before it polls the aborted jobs' tasks again.
        const busy = Array.from({ length: 200 }, () =>
          spawn(async () => {
            await yieldNow();
          }),
        );
        const aborted = spawnBlocking(countRun, gate.buffer, 1);
        aborted.abort();
        const signalled = spawnBlocking.with({ signal: AbortSignal.abort() }, countRun, gate.buffer, 2);
        const set = new JoinSet<number>();
        set.spawn(spawnBlocking(countRun, gate.buffer, 3));
        set.abortAll();
        const disposed = new JoinSet<number>();
        disposed.spawn(spawnBlocking(countRun, gate.buffer, 4));
        disposed[Symbol.dispose]();
        const kept = spawnBlocking(countRun, gate.buffer, 5);
        for (const h of busy) await h;
        const outcomes = [await outcome(aborted), await outcome(signalled), await outcome(set.joinNext().then((v) => v))];
        outcomes.push(await outcome(kept));
        return outcomes;
      });
      assert.equal(out, ["cancelled", "cancelled", "cancelled", "ok 1"]);
      assert.equal([1, 2, 3, 4].map((i) => gate.word(i)), [0, 0, 0, 0], "no aborted job ran");
      assert.is(gate.word(5), 1);
    },
    (b) => b.maxBlockingThreads(2),
  );
});

test("jobs given to a JoinSet are its tasks: disposing the set removes the queued ones, which never run", async () => {
  await withRuntime(
    async (rt) => {
      const gate = new Gate();
      const out = await rt.blockOn(async () => {
        const handles = [1, 2, 3].map((i) => spawnBlocking(blockThenMark, gate.buffer, i, i * 11));
        {
          using set = new JoinSet<number>();
          for (const h of handles) set.spawn(h);
          await yieldNow();
        } // disposed: the running job is cancelled (it runs on), the queued two are removed
        gate.open();
        return Promise.all(handles.map(outcome));
      });
      assert.equal(out, ["cancelled", "cancelled", "cancelled"]);
      assert.is(gate.word(2), 0, "the second job never ran");
      assert.is(gate.word(3), 0, "the third job never ran");
    },
    (b) => b.maxBlockingThreads(1),
  );
});

test("aborted queued jobs do not stay in the pool's queue: their arguments are let go with no other job submitted", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  await withRuntime(
    async (rt) => {
      const gate = new Gate();
      const alive = await rt.blockOn(async () => {
        const blocker = spawnBlocking(blockThenMark, gate.buffer, 1, 1);
        const refs: WeakRef<object>[] = [];
        // In a function of its own: the async frame would keep the last argument in a register.
        const submit = (n: number) => {
          const arg = { n };
          refs.push(new WeakRef(arg));
          return spawnBlocking((a: { n: number }) => a.n, arg); // queued behind the blocker
        };
        let handles = Array.from({ length: 100 }, (_, i) => submit(i));
        await yieldNow();
        for (const h of handles) h.abort();
        for (const h of handles) assert.is(await outcome(h), "cancelled");
        handles = [];
        gate.open();
        assert.is(await outcome(blocker), "ok 1");
        // Until the worker has gone past the aborted jobs of its ring and they were reaped.
        for (let i = 0; i < 1000 && blockingMetrics().numIdleBlockingThreads() !== 1; i++) await tick();
        assert.is(blockingMetrics().numIdleBlockingThreads(), 1);
        for (let i = 0; i < 4; i++) {
          gc();
          await tick();
        }
        return refs.filter((r) => r.deref() !== undefined).length;
      });
      assert.is(alive, 0, "the pool still holds the arguments of aborted jobs");
    },
    (b) => b.maxBlockingThreads(1),
  );
});

test("abort of a job already queued in a worker's ring: the worker skips it", async () => {
  await withRuntime(
    async (rt) => {
      const gate = new Gate();
      const out = await rt.blockOn(async () => {
        const blocker = spawnBlocking(blockThenMark, gate.buffer, 1, 1);
        const note = (letter: string) => {
          const g = globalThis as { __log?: string };
          g.__log = (g.__log ?? "") + letter;
        };
        const jobs = ["a", "b", "c"].map((letter) => spawnBlocking(note, letter));
        while (gate.started === 0) await yieldNow();
        const depthBefore = blockingMetrics().blockingQueueDepth();
        jobs[0]!.abort(); // right behind the running blocker, in the ring
        await yieldNow(); // the abort takes effect when the task is next run
        const depthAfter = blockingMetrics().blockingQueueDepth();
        gate.open();
        const outcomes = [await outcome(blocker), ...(await Promise.all(jobs.map(outcome)))];
        const log = await spawnBlocking(() => (globalThis as { __log?: string }).__log);
        return { outcomes, log, depthBefore, depthAfter };
      });
      assert.equal(out, { outcomes: ["ok 1", "cancelled", "ok undefined", "ok undefined"], log: "bc", depthBefore: 3, depthAfter: 2 });
    },
    (b) => b.maxBlockingThreads(1),
  );
});

test("abort of a running job (default) cancels the handle; the job runs to completion and its result is dropped", async () => {
  await withRuntime(
    async (rt) => {
      const gate = new Gate();
      const out = await rt.blockOn(async () => {
        const running = spawnBlocking(blockThenMark, gate.buffer, 1, 7);
        while (gate.started === 0) await yieldNow();
        running.abort();
        const result = await outcome(running);
        gate.open();
        // Same thread (max 1): the next job runs after the detached one has finished.
        const next = await spawnBlocking((b: SharedArrayBuffer) => Atomics.load(new Int32Array(b), 1), gate.buffer);
        return [result, next, blockingMetrics().completedBlockingJobsCount()];
      });
      assert.equal(out, ["cancelled", 7, 2]);
    },
    (b) => b.maxBlockingThreads(1),
  );
});

test("abort of a running job with terminateOnAbort terminates its worker; the pool starts another for the next job", async () => {
  const stopped = deferred<number>();
  await withRuntime(
    async (rt) => {
      const gate = new Gate();
      const out = await rt.blockOn(async () => {
        const forever = spawnBlocking.with(
          { terminateOnAbort: true },
          (b: SharedArrayBuffer) => {
            const w = new Int32Array(b);
            Atomics.store(w, 1, 1);
            Atomics.wait(w, 5, 0); // never notified
            Atomics.store(w, 2, 1);
          },
          gate.buffer,
        );
        const behind = spawnBlocking((x: number) => x + 1, 41);
        while (gate.word(1) === 0) await yieldNow(); // it is running
        forever.abort();
        const first = await outcome(forever);
        const threadId = await stopped.promise;
        return [first, await outcome(behind), typeof threadId, gate.word(2)];
      });
      assert.equal(out, ["cancelled", "ok 42", "number", 0]);
    },
    (b) => b.maxBlockingThreads(1).onThreadStop(({ threadId }) => stopped.resolve(threadId)),
  );
});

test("terminateOnAbort on a job still queued just removes it (no worker is terminated)", async () => {
  let stops = 0;
  await withRuntime(
    async (rt) => {
      const gate = new Gate();
      const out = await rt.blockOn(async () => {
        const first = spawnBlocking(blockThenMark, gate.buffer, 1, 1);
        const queued = spawnBlocking.with({ terminateOnAbort: true }, blockThenMark, gate.buffer, 2, 2);
        await yieldNow();
        queued.abort();
        gate.open();
        return [await outcome(first), await outcome(queued), stops, gate.word(2)];
      });
      assert.equal(out, ["ok 1", "cancelled", 0, 0]);
    },
    (b) => b.maxBlockingThreads(1).onThreadStop(() => stops++),
  );
});

test("a job that finished before its abort keeps its result", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(async () => {
      const h = spawnBlocking.with({ terminateOnAbort: true }, () => "done");
      const value = await h;
      h.abort();
      return [value, await outcome(h)];
    });
    assert.equal(out, ["done", "ok done"]);
  });
});

test("spawnBlocking.with({ signal }): the signal's abort aborts the job (with terminateOnAbort, its worker stops); an aborted signal means it never runs; no listener stays", async () => {
  const stopped = deferred<number>();
  await withRuntime(
    async (rt) => {
      const gate = new Gate();
      const out = await rt.blockOn(async () => {
        const controller = new AbortController();
        const forever = spawnBlocking.with(
          { terminateOnAbort: true, signal: controller.signal },
          (b: SharedArrayBuffer) => {
            const w = new Int32Array(b);
            Atomics.store(w, 1, 1);
            Atomics.wait(w, 5, 0); // never notified
          },
          gate.buffer,
        );
        while (gate.word(1) === 0) await yieldNow(); // it is running
        controller.abort();
        const aborted = await outcome(forever);
        await stopped.promise; // its worker was terminated
        const never = spawnBlocking.with({ signal: controller.signal }, () => 1);
        const already = await outcome(never);
        const done = new AbortController();
        const listeners = { added: 0, removed: 0 };
        const add = done.signal.addEventListener.bind(done.signal);
        const remove = done.signal.removeEventListener.bind(done.signal);
        done.signal.addEventListener = ((...a: Parameters<typeof add>) => (listeners.added++, add(...a))) as typeof add;
        done.signal.removeEventListener = ((...a: Parameters<typeof remove>) => (listeners.removed++, remove(...a))) as typeof remove;
        const finished = await outcome(spawnBlocking.with({ signal: done.signal }, (x: number) => x * 2, 21));
        return [aborted, already, finished, listeners];
      });
      assert.equal(out, ["cancelled", "cancelled", "ok 42", { added: 1, removed: 1 }]);
    },
    (b) => b.maxBlockingThreads(1).onThreadStop(({ threadId }) => stopped.resolve(threadId)),
  );
});

test("one signal shared by 50 jobs in flight holds one listener (no leak warning), aborts every queued job, and none stays", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => void warnings.push(w.name);
  process.on("warning", onWarning);
  try {
    await withRuntime(
      async (rt) => {
        const gate = new Gate();
        const out = await rt.blockOn(async () => {
          const controller = new AbortController();
          const first = spawnBlocking.with({ signal: controller.signal }, blockThenMark, gate.buffer, 1, 11);
          const queued = Array.from({ length: 49 }, () => spawnBlocking.with({ signal: controller.signal }, (x: number) => x, 1));
          await yieldNow();
          const during = getEventListeners(controller.signal, "abort").length;
          controller.abort();
          gate.open();
          const outcomes = await Promise.all([first, ...queued].map(outcome));
          const kept = new AbortController();
          const fine = await Promise.all(Array.from({ length: 20 }, (_, i) => spawnBlocking.with({ signal: kept.signal }, (x: number) => x, i)));
          return { during, cancelled: outcomes.filter((o) => o === "cancelled").length, fine: fine.length, after: getEventListeners(kept.signal, "abort").length };
        });
        assert.equal(out, { during: 1, cancelled: 50, fine: 20, after: 0 });
      },
      (b) => b.maxBlockingThreads(1),
    );
  } finally {
    process.off("warning", onWarning);
  }
  assert.equal(warnings, []);
});

test("a job spawned with a signal while its runtime shuts down (from a finally) leaves no listener on the signal", async () => {
  const controller = new AbortController();
  const rt = runtime();
  let handle: PromiseLike<unknown> | undefined;
  rt.spawn(function* () {
    try {
      yield* pending();
    } finally {
      handle = spawnBlocking.with({ signal: controller.signal }, () => 1); // spawned over: cancelled at once
    }
  });
  await rt.blockOn(function* () {
    yield* yieldNow();
  });
  await rt.shutdownTimeout(1000);
  assert.is(await outcome(handle!), "cancelled");
  assert.is(getEventListeners(controller.signal, "abort").length, 0);
});

test("spawnBlocking.with rejects a signal that is not an AbortSignal", async () => {
  await withRuntime(async (rt) => {
    await rt.blockOn(function* () {
      assert.throws(() => spawnBlocking.with({ signal: {} as never }, () => 1), (e: unknown) => e instanceof TypeError && /signal must be an AbortSignal, got object/.test((e as Error).message));
    });
  });
});


test.run();
