// Runtime shutdown with tasks in every state: not yet polled, suspended in their body (sleep,
// yieldNow, a channel, pending), suspended in the awaiting `finally` of an abort, completed,
// async bodies, JoinSet and TaskTracker members, a finally that spawns or aborts. Every
// generator `finally` runs exactly once (also the part after an await there), every handle
// says cancelled unless the task completed first, nothing is left alive.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, JoinError, JoinSet, TaskTracker, Builder, type JoinHandle, type Runtime } from "@tokio-ts/runtime";
import { pending, type Future } from "@tokio-ts/core";
import { sleep } from "@tokio-ts/time";
import { oneshot } from "@tokio-ts/sync";
import { seeds, n, opts } from "./util.js";

interface Rec {
  i: number;
  started: boolean;
  completed: boolean;
  finallyRuns: number;
  finallyDone: number;
  async: boolean;
  h?: JoinHandle<number> | undefined;
  inSet: boolean;
  desc?: string;
  trace?: string;
}

type Wait = { kind: "sleep"; ms: number } | { kind: "yield" } | { kind: "pending" } | { kind: "recv"; rx: Future<unknown> };

function waitFut(w: Wait): Future<unknown> {
  switch (w.kind) {
    case "sleep":
      return sleep(w.ms);
    case "yield":
      return yieldNow();
    case "pending":
      return pending();
    case "recv":
      return w.rx;
  }
}

function* body(r: Rec, waits: Wait[], finallyWait: Wait | undefined, onFinally: (() => void) | undefined): Generator<unknown, number, unknown> {
  r.started = true;
  try {
    for (const w of waits) yield* waitFut(w);
    r.completed = true;
    return r.i;
  } finally {
    r.finallyRuns++;
    try {
      onFinally?.();
      if (finallyWait !== undefined) yield* waitFut(finallyWait);
    } finally {
      r.finallyDone++;
    }
  }
}

async function asyncBody(r: Rec, waits: Wait[]): Promise<number> {
  r.started = true;
  try {
    for (const w of waits) {
      r.trace = (r.trace ?? "") + `await ${w.kind};`;
      await waitFut(w);
      r.trace += `done;`;
    }
    r.completed = true;
    return r.i;
  } catch (e) {
    r.trace += `caught ${(e as Error)?.name};`;
    throw e;
  } finally {
    r.finallyRuns++;
    r.finallyDone++;
  }
}

async function outcome(h: JoinHandle<number>): Promise<string> {
  try {
    return `ok ${await h}`;
  } catch (e) {
    if (!(e instanceof JoinError)) return `not a JoinError: ${String(e)}`;
    return e.isCancelled() ? "cancelled" : `panic ${String((e.cause as Error)?.message ?? e.cause)}`;
  }
}

async function scenario(rt: Runtime, seed: number, fromInside: boolean): Promise<void> {
  const rng = new SeededRng(seed * 101 + (fromInside ? 1 : 2));
  const recs: Rec[] = [];
  const lateSpawns: JoinHandle<unknown>[] = [];
  const senders: oneshot.Sender<number>[] = [];
  const set = { s: undefined as JoinSet<number> | undefined };
  const tracker = new TaskTracker();
  let trackerWaitDone = false;
  let rootFinally = 0;
  const randWait = (): Wait => {
    const k = rng.below(4);
    if (k === 0) return { kind: "sleep", ms: rng.between(1, 100_000) };
    if (k === 1) return { kind: "yield" };
    if (k === 2) return { kind: "pending" };
    const [tx, rx] = oneshot.channel<number>();
    (tx as unknown as { owner: number }).owner = recs.length;
    senders.push(tx);
    return { kind: "recv", rx };
  };
  const log: string[] = [];
  const spawnOne = (): Rec => {
    const r: Rec = { i: recs.length, started: false, completed: false, finallyRuns: 0, finallyDone: 0, async: rng.next() < 0.25, inSet: false };
    recs.push(r);
    const waits = Array.from({ length: rng.between(0, 3) }, randWait);
    const fw = rng.next() < 0.4 ? randWait() : undefined;
    let onFinally: (() => void) | undefined;
    if (rng.next() < 0.2) {
      // a finally block that spawns (possibly on a runtime being shut down) or aborts another
      const other = recs[rng.below(recs.length)]!;
      const me = r.i;
      onFinally = rng.next() < 0.5 ? () => { log.push(`${me} finally spawns`); lateSpawns.push(spawn(function* () { yield* yieldNow(); })); } : () => { log.push(`${me} finally aborts ${other.i}`); other.h?.abort(); };
    }
    r.desc = `${waits.map((w) => w.kind).join(",")} | finally: ${fw?.kind ?? "-"} ${onFinally ? "onFinally" : ""}`;
    const mk = r.async ? () => asyncBody(r, waits) : () => body(r, waits, fw, onFinally);
    const where = rng.below(4);
    r.desc += ` where=${["set", "tracker", "spawn", "spawn"][where]}`;
    if (where === 0) {
      set.s ??= new JoinSet<number>();
      set.s.spawn(mk);
      r.inSet = true;
    } else if (where === 1) {
      r.h = tracker.spawn(mk);
    } else {
      r.h = spawn(mk);
    }
    return r;
  };

  let insideShutdown: Promise<void> | undefined;
  let stop!: () => void;
  const stopped = new Promise<void>((res) => (stop = res));
  const root = rt.blockOn(function* () {
    try {
      // Use a timer first: without one, a finally block's sleep during shutdown panics
      // (shutdown-finally-sleep.test.ts checks that bug on its own).
      yield* sleep(1);
      const n0 = rng.between(2, 16);
      for (let i = 0; i < n0; i++) spawnOne();
      spawn(function* () {
        yield* tracker.wait();
        trackerWaitDone = true;
      });
      const steps = rng.between(0, 12);
      for (let s = 0; s < steps; s++) {
        const op = rng.below(6);
        if (op === 0) { spawnOne(); log.push(`root spawns ${recs.length - 1}`); }
        else if (op === 1 && recs.length > 0) { const x = recs[rng.below(recs.length)]!; log.push(`root aborts ${x.i}`); x.h?.abort(); }
        else if (op === 2 && senders.length > 0) { const tx = senders.splice(rng.below(senders.length), 1)[0]!; log.push(`root sends to ${(tx as unknown as { owner: number }).owner}`); tx.send(1); }
        else if (op === 3) { const ms = rng.between(1, 50_000); log.push(`root sleeps ${ms}`); yield* sleep(ms); }
        else { log.push("root yields"); yield* yieldNow(); }
      }
      if (rng.next() < 0.3) tracker.close();
      // tasks that have not started yet at shutdown
      const fresh = rng.between(0, 3);
      for (let i = 0; i < fresh; i++) spawnOne();
      log.push("shutdown");
      if (fromInside) {
        // from inside a poll: it happens right after it
        if (rng.next() < 0.5) rt.shutdownBackground();
        else insideShutdown = rt.shutdownTimeout(0);
        // the root is being dropped: this wait never completes
      } else stop();
      yield* pending();
      return 0;
    } finally {
      rootFinally++;
    }
  });
  if (!fromInside) {
    await stopped;
    for (let t = rng.below(3); t > 0; t--) await new Promise<void>((r) => setImmediate(r));
    await rt.shutdownTimeout(0);
  }
  try {
    await root;
    assert.unreachable("blockOn resolved");
  } catch (e) {
    assert.instance(e, JoinError, `blockOn rejected with ${String(e)}`);
    assert.ok((e as JoinError).isCancelled());
  }
  await insideShutdown;
  assert.ok(rt.isShutdown());
  // async bodies unwind after the shutdown completed their tasks (documented): let them
  await new Promise<void>((r) => setImmediate(r));
  assert.is(rootFinally, 1);
  assert.is(rt.metrics().numAliveTasks(), 0, "tasks alive after shutdown");
  if (process.env["DUMP"]) for (const r of recs) console.log(JSON.stringify({ ...r, h: undefined }));
  for (const r of recs) {
    const ctx = `${log.join("; ")}\n seed ${seed} ${fromInside ? "inside" : "outside"} task ${r.i} ${JSON.stringify({ ...r, h: undefined })}`;
    if (r.started) {
      assert.is(r.finallyRuns, 1, `finally ran ${r.finallyRuns} times: ${ctx}`);
      assert.is(r.finallyDone, 1, `the end of finally ran ${r.finallyDone} times: ${ctx}`);
    } else {
      assert.is(r.finallyRuns, 0, ctx);
    }
    if (r.h !== undefined) {
      assert.ok(r.h.isFinished(), `not finished: ${ctx}`);
      const o = await outcome(r.h);
      if (o !== "cancelled") assert.ok(o === `ok ${r.i}` && r.completed, `handle gave ${o}: ${ctx}`);
    }
  }
  for (const h of lateSpawns) {
    assert.ok(h.isFinished());
  }
  assert.is(tracker.size, 0, "tracker still counts tasks after shutdown");
  set.s?.[Symbol.dispose]();
}

test("shutdownBackground or shutdownTimeout from inside a task: every finally once, every handle settled, nothing alive", async () => {
  await seeds(process.env["SEED"] ? [Number(process.env["SEED"])] : n(600), (rt, seed) => scenario(rt, seed, true), opts());
});

test("shutdownTimeout from the host at a random turn: every finally once, every handle settled, nothing alive", async () => {
  await seeds(process.env["SEED"] ? [Number(process.env["SEED"])] : n(600), (rt, seed) => scenario(rt, seed, false), opts());
});

test("a runtime shut down with a pending blockOn and sleeping tasks leaves the process free to exit", async () => {
  const rt = Builder.newCurrentThread().enableTime().build();
  const p = rt.blockOn(function* () {
    spawn(function* () {
      yield* sleep(3_600_000);
    });
    yield* sleep(3_600_000);
  });
  await new Promise<void>((r) => setImmediate(r));
  await rt.shutdownTimeout(0);
  await p.then(
    () => assert.unreachable(),
    (e: unknown) => assert.ok(e instanceof JoinError && e.isCancelled()),
  );
});

test.run();
