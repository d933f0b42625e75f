import { test } from "uvu";
import type { Future } from "@tokio-ts/core";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { select } from "@tokio-ts/macros";
import { sleep, timeout, Elapsed } from "@tokio-ts/time";
import { err, ok, OnceCell, SetError, type Result } from "@tokio-ts/sync";
import { joinAllOrHang, spawnKiller } from "./support.js";

const OPTS = { enableTime: true, startPaused: true } as const;

class InitFailed extends Error {}

/**
 * Callers race getOrInit/getOrTryInit with initializers of every style (generator, async with
 * AbortSignal, sync, promise) that take random time and sometimes fail; callers are dropped by
 * select/timeout while waiting or while their own init runs, and tasks are aborted; set() and
 * take() are mixed in. Checks: at most one init runs at a time, an init runs only while the cell
 * is empty, a dropped init's async signal aborts, every getOrInit that returns sees the value the
 * cell holds (the one a completed init or set produced), every task ends.
 */
function scenario(seed: number) {
  return function* () {
    const rng = new SeededRng(seed * 2654435761 + 17);
    const cell = new OnceCell<number>();
    let running = 0;
    let nextVal = 1;
    let current: number | undefined; // the model's value
    const produced = new Set<number>();
    let inits = 0;
    const problems: string[] = [];
    const handles: JoinHandle<void>[] = [];
    const aborted = new Set<number>();
    const nTasks = rng.between(1, 8);

    const makeInit = (style: number, d: number, failIt: boolean, isTry: boolean) => {
      // An async init that is dropped unwinds a microtask later (see the separate test below),
      // so only generator and sync inits take part in the "one at a time" count here.
      const counted = style !== 1;
      const begin = () => {
        if (counted) running++;
        inits++;
        if (running > 1) problems.push(`${running} initializers run at once`);
        if (running > 1) throw new Error(`seed ${seed}: ${running} initializers run at once`);
        if (cell.initialized()) problems.push(`init runs while the cell is full`);
        if (cell.initialized()) throw new Error(`seed ${seed}: init runs while the cell holds ${cell.get()}`);
        const set = cell.set(-1);
        assert.ok(!set.ok && set.error instanceof SetError && set.error.kind === "initializing" && set.error.value === -1, "set() while initializing");
      };
      const finish = (): number => {
        const v = nextVal++;
        if (!failIt) produced.add(v);
        return v;
      };
      const wrap = (v: number): number | Result<number, string> => {
        if (isTry) return failIt ? err("nope") : ok(v);
        if (failIt) throw new InitFailed("init failed");
        return v;
      };
      if (style === 0)
        return function* () {
          begin();
          try {
            if (d > 0) yield* sleep(d);
            else yield* yieldNow();
            return wrap(finish());
          } finally {
            running--;
          }
        };
      if (style === 1)
        return async (signal: AbortSignal) => {
          begin();
          try {
            await sleep(d);
            return wrap(finish());
          } catch (e) {
            if (!(e instanceof InitFailed) && !signal.aborted) problems.push(`async init rejected (${String(e)}) without its signal aborted`);
            throw e;
          }
        };
      // sync
      return () => {
        begin();
        running--;
        return wrap(finish());
      };
    };

    for (let t = 0; t < nTasks; t++) {
      const plan = Array.from({ length: rng.between(1, 3) }, () => ({
        op: rng.below(10), // 0..5 getOrInit, 6..7 getOrTryInit, 8 set, 9 take
        style: rng.below(3),
        d: rng.between(0, 6),
        fail: rng.below(4) === 0,
        mode: rng.below(3), // 0 plain, 1 select, 2 timeout
        w: rng.between(0, 6),
        gap: rng.between(0, 3),
      }));
      handles.push(
        spawn(function* () {
          for (const s of plan) {
            if (s.op === 8) {
              const v = nextVal++;
              const r = cell.set(v);
              if (r.ok) {
                if (current !== undefined) throw new Error(`seed ${seed}: set succeeded over ${current}`);
                current = v;
                produced.add(v);
              } else if (r.error.kind === "alreadyInitialized") assert.ok(cell.initialized());
              else assert.ok(!cell.initialized());
              continue;
            }
            if (s.op === 9) {
              const was = cell.get();
              const took = cell.take();
              assert.is(took, was);
              if (took !== undefined) {
                assert.is(took, current);
                current = undefined;
              }
              continue;
            }
            const isTry = s.op >= 6;
            const init = makeInit(s.style, s.d, s.fail, isTry);
            const fut: Future<number | Result<number, string>> = isTry ? cell.getOrTryInit<string>(init as () => Result<number, string>) : cell.getOrInit(init as () => number);
            let out: number | Result<number, string> | undefined;
            try {
              if (s.mode === 1) {
                const r = yield* select({ v: fut, t: sleep(s.w) });
                if (r.key === "v") out = r.value;
              } else if (s.mode === 2) {
                try {
                  out = yield* timeout(s.w, fut);
                } catch (e) {
                  if (!(e instanceof Elapsed)) throw e;
                }
              } else out = yield* fut;
            } catch (e) {
              if (!(e instanceof InitFailed)) throw e;
              assert.ok(!isTry && s.fail, "only a failing init of this caller rejects it");
              continue;
            }
            if (out === undefined) continue;
            let v: number;
            if (typeof out === "number") v = out;
            else if (out.ok) v = out.value;
            else {
              assert.ok(isTry && s.fail, "only a failing try-init of this caller gives err");
              continue;
            }
            if (!produced.has(v)) throw new Error(`seed ${seed}: getOrInit returned ${v}, never produced by a successful init`);
            if (current === undefined) current = v;
            if (v !== current) throw new Error(`seed ${seed}: getOrInit returned ${v}, but the cell holds ${current}`);
            assert.is(cell.get(), v);
            if (s.gap === 0) yield* yieldNow();
            else yield* sleep(s.gap);
          }
        }),
      );
    }
    const killer = spawnKiller(rng, handles, aborted, 3);
    yield* joinAllOrHang(handles, aborted, killer, () => {
      throw new Error(`seed ${seed}: hang (running ${running}, initialized ${cell.initialized()})`);
    });
    yield* sleep(10);
    if (problems.length) throw new Error(`seed ${seed}: ${problems.join("; ")}`);
    assert.is(running, 0, "no initializer left running");
    assert.is(cell.get(), current);
    // The cell is usable: if empty, an init now runs at once.
    const v = yield* cell.getOrInit(() => 12345);
    assert.is(v, current ?? 12345);
    return inits;
  };
}

test("once-cell: one initializer at a time, dropped or failed inits hand over, every caller sees the one value", async () => {
  await forEachSeed(500, (rt, seed) => rt.blockOn(scenario(seed)), OPTS);
});

test("once-cell: getOrInit whose init is dropped mid-way lets the next waiting caller run its init", async () => {
  await forEachSeed(30, (rt) =>
    rt.blockOn(function* () {
      const cell = new OnceCell<string>();
      const log: string[] = [];
      const a = spawn(function* () {
        try {
          yield* timeout(5, cell.getOrInit(function* () {
            log.push("a:start");
            try {
              yield* sleep(100);
              return "a";
            } finally {
              log.push("a:finally");
            }
          }));
        } catch (e) {
          assert.instance(e, Elapsed);
          return "timed out";
        }
        return "a finished";
      });
      while (!log.includes("a:start")) yield* yieldNow();
      const b = spawn(function* () {
        return yield* cell.getOrInit(function* () {
          log.push("b:start");
          yield* sleep(1);
          return "b";
        });
      });
      assert.is(yield* a, "timed out");
      assert.is(yield* b, "b");
      assert.equal(log, ["a:start", "a:finally", "b:start"]);
      assert.is(cell.get(), "b");
    }),
  OPTS);
});

test.run();
