import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { yieldNow } from "@tokio-ts/runtime";
import { blockingMetrics, spawnBlocking } from "../src/index.js";
import { blockThenMark, deferred, Gate, holding, runtime } from "./helpers.js";

test("threads start on demand, up to maxBlockingThreads, and hooks see them start", async () => {
  const started: number[] = [];
  const rt = runtime((b) => b.maxBlockingThreads(2).onThreadStart(({ threadId }) => started.push(threadId)));
  const gate = new Gate();
  const out = await rt.blockOn(async () => {
    const m = blockingMetrics();
    const idleAtFirst = m.numBlockingThreads();
    const handles = [1, 2, 3, 4].map((i) => spawnBlocking(blockThenMark, gate.buffer, i, i));
    while (gate.started < 2) await yieldNow();
    const threads = m.numBlockingThreads();
    gate.open();
    for (const h of handles) await h;
    return [idleAtFirst, threads];
  });
  await rt.shutdownTimeout(1_000);
  assert.equal(out, [0, 2]);
  assert.is(started.length, 2);
  assert.is.not(started[0], started[1]);
});

test("an idle thread exits after threadKeepAlive, and the next job starts a new one", async () => {
  const stopped = deferred<number>();
  const rt = runtime((b) => b.threadKeepAlive(30).onThreadStop(({ threadId }) => stopped.resolve(threadId)));
  const out = await rt.blockOn(async () => {
    const first = await spawnBlocking(() => 1);
    const busy = blockingMetrics().numBlockingThreads();
    await holding(stopped.promise);
    const afterKeepAlive = blockingMetrics().numBlockingThreads();
    const second = await spawnBlocking(() => 2);
    return [first, busy, afterKeepAlive, second, blockingMetrics().numBlockingThreads()];
  });
  await rt.shutdownTimeout(1_000);
  assert.equal(out, [1, 1, 0, 2, 1]);
});

test("threadKeepAlive(0), as Tokio allows: a thread exits once it is idle, and the next job starts a new one", async () => {
  const stopped = deferred<number>();
  const rt = runtime((b) => b.threadKeepAlive(0).onThreadStop(({ threadId }) => stopped.resolve(threadId)));
  const out = await rt.blockOn(async () => {
    const first = await spawnBlocking(() => 1);
    await holding(stopped.promise);
    const afterIdle = blockingMetrics().numBlockingThreads();
    const second = await spawnBlocking(() => 2);
    return [first, afterIdle, second];
  });
  await rt.shutdownTimeout(1_000);
  assert.equal(out, [1, 0, 2]);
});

test("shutdownTimeout waits for a running job to finish", async () => {
  const stopped = deferred();
  const rt = runtime((b) => b.onThreadStop(() => stopped.resolve()));
  const gate = new Gate();
  await rt.blockOn(async () => {
    spawnBlocking((b: SharedArrayBuffer) => {
      const w = new Int32Array(b);
      Atomics.store(w, 1, 1);
      Atomics.wait(w, 0, 0, 50); // runs ~50 ms
      Atomics.store(w, 2, 1);
    }, gate.buffer);
    while (gate.word(1) === 0) await yieldNow();
  });
  await rt.shutdownTimeout(10_000);
  assert.is(gate.word(2), 1, "the job finished before shutdown returned");
  assert.ok(rt.isShutdown());
  await holding(stopped.promise);
});

test("shutdownTimeout terminates a job that outlives the limit; queued jobs are dropped", async () => {
  const rt = runtime((b) => b.maxBlockingThreads(1));
  const gate = new Gate();
  const handles = await rt.blockOn(async () => {
    const running = spawnBlocking(blockThenMark, gate.buffer, 1, 1); // gate never opens
    const queued = spawnBlocking(blockThenMark, gate.buffer, 2, 2);
    while (gate.started === 0) await yieldNow();
    return [running, queued];
  });
  await rt.shutdownTimeout(20);
  const outcomes = await Promise.all(handles.map((h) => Promise.resolve(h).then(() => "ok", (e) => (e as Error).name)));
  assert.equal(outcomes, ["JoinError", "JoinError"]);
  assert.is(gate.word(1), 0);
  assert.is(gate.started, 1, "the queued job never started");
  const pool = blockingMetrics(rt.handle());
  assert.is(pool.numBlockingThreads(), 0);
});

test("shutdownBackground terminates busy workers at once", async () => {
  const stopped = deferred();
  const rt = runtime((b) => b.onThreadStop(() => stopped.resolve()));
  const gate = new Gate();
  await rt.blockOn(async () => {
    spawnBlocking(blockThenMark, gate.buffer, 1, 1); // gate never opens
    while (gate.started === 0) await yieldNow();
  });
  rt.shutdownBackground();
  await holding(stopped.promise);
  assert.is(blockingMetrics(rt.handle()).numBlockingThreads(), 0);
});

test("onThreadStop pairs with onThreadStart: a worker terminated by shutdown while it was still booting gets neither", async () => {
  const starts: number[] = [];
  const stops: number[] = [];
  const rt = runtime((b) =>
    b
      .maxBlockingThreads(2)
      .onThreadStart(({ threadId }) => void starts.push(threadId))
      .onThreadStop(({ threadId }) => void stops.push(threadId)),
  );
  await rt.blockOn(async () => {
    void spawnBlocking(() => 1);
    await Promise.resolve(); // the job is dispatched: its worker is booting
  });
  await rt.shutdownTimeout(0); // terminates it (the terminate resolves once it has exited)
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(stops, starts, `a stop for each start: starts [${starts}], stops [${stops}]`);
});

test("a program that used spawnBlocking exits by itself once idle (default keep-alive), its jobs' output printed", async () => {
  const script = fileURLToPath(new URL("./fixtures/idle-exit.js", import.meta.url));
  const out = await new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => {
    // The timeout only turns a hang into a failure; the program should be gone in well under a second.
    const child = execFile(process.execPath, [script], { timeout: 8_000 }, (_error, stdout) =>
      resolve({ code: child.exitCode, signal: child.signalCode, stdout }),
    );
  });
  assert.equal(out.code, 0);
  assert.is(out.signal, null);
  assert.equal(out.stdout.split("\n").sort(), ["", "first job", "result 42", "second job"]);
});

test("awaiting shutdownTimeout with nothing else alive completes (the workers hold the process until they exit)", async () => {
  const script = fileURLToPath(new URL("./fixtures/await-shutdown.js", import.meta.url));
  const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = execFile(process.execPath, [script], { timeout: 8_000 }, (_error, stdout) =>
      resolve({ code: child.exitCode, stdout }),
    );
  });
  assert.equal(out, { code: 0, stdout: "job done\nafter shutdown\n" });
});

test.run();
