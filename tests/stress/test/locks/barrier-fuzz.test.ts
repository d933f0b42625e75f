import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { select } from "@tokio-ts/macros";
import { sleep, timeout, Elapsed } from "@tokio-ts/time";
import { Barrier, type BarrierWaitResult } from "@tokio-ts/sync";
import { fail, Log, Track, HANG, spawnKiller } from "./support.js";

const OPTS = { enableTime: true, startPaused: true } as const;

/**
 * Tasks wait on a Barrier(n) for several rounds; some waits are dropped by select/timeout
 * (tokio-ts: a dropped wait no longer counts), some tasks are aborted. A filler tops the
 * barrier up until every task is done. Checks: every release is one leader arriving to find
 * exactly n-1 pending waits, which it wakes at once; results say isLeader accordingly;
 * waiting() never reaches n; every task ends.
 */
function scenario(seed: number) {
  return function* () {
    const rng = new SeededRng(seed * 7 + 99991);
    const n = rng.between(1, 5);
    const barrier = new Barrier(n);
    assert.is(barrier.n, n);
    const log = new Log();
    let nextId = 0;
    const results = new Map<number, BarrierWaitResult>();
    const handles: JoinHandle<void>[] = [];
    const aborted = new Set<number>();
    const nTasks = rng.between(1, 8);

    function* waitOn(mode: number, d: number): Generator<unknown, void, unknown> {
      const id = nextId++;
      const fut = new Track(barrier.wait(), id, log);
      let r: BarrierWaitResult | undefined;
      if (mode === 1) {
        const x = yield* select({ b: fut, t: sleep(d) });
        if (x.key === "b") r = x.value;
      } else if (mode === 2) {
        try {
          r = yield* timeout(d, fut);
        } catch (e) {
          if (!(e instanceof Elapsed)) throw e;
        }
      } else r = yield* fut;
      if (barrier.waiting() >= n) fail(`waiting() ${barrier.waiting()} >= n ${n}`, log);
      if (r !== undefined) results.set(id, r);
    }

    for (let t = 0; t < nTasks; t++) {
      const plan = Array.from({ length: rng.between(1, 4) }, () => ({ mode: rng.below(3), d: rng.between(0, 5), gap: rng.between(0, 3) }));
      handles.push(
        spawn(function* () {
          for (const s of plan) {
            yield* waitOn(s.mode, s.d);
            if (s.gap === 0) yield* yieldNow();
            else yield* sleep(s.gap);
          }
        }),
      );
    }
    const killer = spawnKiller(rng, handles, aborted, 3);
    const fillers: JoinHandle<void>[] = [];
    try {
      yield* timeout(HANG, function* () {
        for (let guard = 0; ; guard++) {
          if (guard > 10_000) fail("filler loop did not converge", log);
          if (handles.every((h) => h.isFinished()) && killer.isFinished()) break;
          if (barrier.waiting() > 0) fillers.push(spawn(waitOn(0, 0)));
          yield* sleep(1);
        }
        for (let i = 0; i < handles.length; i++) {
          try {
            yield* handles[i]!;
          } catch (e) {
            if (!aborted.has(i)) throw e;
          }
        }
        // Fillers still pending: complete their generation.
        while (barrier.waiting() > 0) {
          const missing = n - barrier.waiting();
          for (let i = 0; i < missing; i++) fillers.push(spawn(waitOn(0, 0)));
          yield* sleep(1);
        }
        for (const f of fillers) yield* f;
      });
    } catch (e) {
      if (e instanceof Elapsed) fail(`hang: waiting() ${barrier.waiting()} of n ${n}`, log);
      throw e;
    }
    assert.is(barrier.waiting(), 0);

    // Every leader's first-poll "ready" is preceded, with nothing in between, by exactly n-1
    // wakes of distinct pending waits; no wake happens anywhere else.
    const ev = log.events;
    const wokenBy = new Map<number, number>();
    for (let i = 0; i < ev.length; i++) {
      const e = ev[i]!;
      if (e.kind !== "ready" || !e.first) continue;
      const r = results.get(e.id);
      if (r !== undefined && !r.isLeader) fail(`wait ${e.id} completed at its first poll but is not the leader`, log);
      const group = new Set<number>();
      for (let j = i - 1; j >= 0 && ev[j]!.kind === "wake"; j--) group.add(ev[j]!.id);
      if (group.size !== n - 1) fail(`leader ${e.id} released ${group.size} waits, expected ${n - 1}`, log);
      for (const id of group) {
        if (wokenBy.has(id)) fail(`wait ${id} released twice`, log);
        wokenBy.set(id, e.id);
      }
    }
    for (const e of ev) {
      if (e.kind === "wake" && !wokenBy.has(e.id)) fail(`wait ${e.id} woken outside a release`, log);
      if (e.kind === "ready" && !e.first) {
        if (!wokenBy.has(e.id)) fail(`wait ${e.id} completed without a release`, log);
        const r = results.get(e.id);
        if (r !== undefined && r.isLeader) fail(`follower ${e.id} reported isLeader`, log);
      }
      if (e.kind === "cancel" && e.state === "queued" && !wokenBy.has(e.id)) {
        // dropped before release: fine, it withdrew
      }
    }
  };
}

test("barrier: one leader per generation of exactly n pending waits, reusable, dropped waits withdraw", async () => {
  await forEachSeed(500, (rt, seed) => rt.blockOn(scenario(seed)), OPTS);
});

test.run();
