// JoinSet under random operations, against a model of which task ids must come back and how:
// spawn, abort of one task, abortAll, detachAll, shutdown, dispose, joinNextWithId (also raced
// and dropped by a select, also from several tasks at once), tryJoinNext. Each id comes back
// at most once, exactly the members come back, with the right outcome; panics the set lets go
// of are reported as unhandled, and only those; every task ends.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, JoinError, JoinSet, Handle, type AbortHandle, type JoinHandle } from "@tokio-ts/runtime";
import { fromPromise } from "@tokio-ts/core";
import { sleep } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { seeds, n, opts } from "./util.js";

interface T {
  i: number;
  id: number;
  ah: AbortHandle;
  async: boolean;
  throws: boolean;
  steps: number[];
  started: boolean;
  finallyRuns: number;
  /** finished (returned, threw, cancelled) — set when seen finished */
  abortedUnfinished: boolean;
  where: "set" | "joined" | "detached" | "discarded";
  /** something the task itself does to its set after step `at` (then it yields once) */
  inner?: { at: number; act: () => void };
}

type Out = { ok: number } | { cancelled: true } | { panic: string };

function* gen(t: T): Generator<unknown, number, unknown> {
  t.started = true;
  try {
    for (let s = 0; s < t.steps.length; s++) {
      const ms = t.steps[s]!;
      if (ms === 0) yield* yieldNow();
      else yield* sleep(ms);
      if (t.inner?.at === s) {
        t.inner.act();
        yield* yieldNow();
      }
    }
    if (t.throws) throw new Error(`boom ${t.i}`);
    return t.i;
  } finally {
    t.finallyRuns++;
  }
}

async function asy(t: T): Promise<number> {
  t.started = true;
  try {
    for (const ms of t.steps) {
      if (ms === 0) await yieldNow();
      else await sleep(ms);
    }
    return t.i;
  } finally {
    t.finallyRuns++;
  }
}

function expectedOut(t: T): Out {
  if (t.abortedUnfinished) return { cancelled: true };
  return t.throws ? { panic: `boom ${t.i}` } : { ok: t.i };
}

const reported: number[] = [];
const stats = { received: 0, spawned: 0, lost: 0, cancelled: 0, panics: 0 };

test("JoinSet: random spawn/abort/abortAll/detachAll/shutdown/dispose/joinNext against a model", async () => {
  await seeds(
    process.env["SEED"] ? [Number(process.env["SEED"])] : n(600),
    (rt, seed) =>
      rt.blockOn(function* () {
        reported.length = 0;
        const rng = new SeededRng(seed * 31 + 5);
        let set = new JoinSet<number>();
        const all: T[] = [];
        const byId = new Map<number, T>();
        const lostPanics = new Set<number>(); // ids whose panic the set let go of unjoined
        let lostJoin = false;
        let shuttingDown = false;
        const bg: JoinHandle<void>[] = []; // a failed joinAll consumed outputs the model cannot name
        let next = 0;

        const spawnOne = (): void => {
          const isAsync = rng.next() < 0.3;
          const t: T = {
            i: next++,
            id: -1,
            ah: undefined as unknown as AbortHandle,
            async: isAsync,
            throws: !isAsync && rng.next() < 0.25,
            steps: Array.from({ length: rng.between(0, 4) }, () => (rng.next() < 0.5 ? 0 : rng.between(1, 15))),
            started: false,
            finallyRuns: 0,
            abortedUnfinished: false,
            where: "set",
          };
          if (!t.async && t.steps.length > 0 && rng.next() < 0.2) {
            const kind = rng.below(3);
            t.inner = {
              at: rng.below(t.steps.length),
              act: () => {
                if (t.where !== "set") return; // only while in the current set
                if (kind === 0) {
                  for (const m of members()) if (!m.ah.isFinished()) m.abortedUnfinished = true;
                  set.abortAll(); // itself included
                } else if (kind === 1) {
                  const m = members();
                  abortOne(m[rng.below(m.length)]!);
                } else spawnOne();
              },
            };
          }
          if (rng.next() < 0.15) {
            // a JoinHandle given to the set: the set takes that task
            oplog.push(`adopt ${t.i}`);
            const h = t.async ? spawn(() => asy(t)) : spawn(() => gen(t));
            t.ah = set.spawn(h);
            assert.is(t.ah.id, h.id);
            assert.throws(() => set.spawn(h), TypeError);
          } else t.ah = t.async ? set.spawn(() => asy(t)) : set.spawn(() => gen(t));
          t.id = t.ah.id;
          all.push(t);
          oplog.push(`spawned ${t.i} id ${t.id}`);
          stats.spawned++;
          byId.set(t.id, t);
        };
        const members = (): T[] => all.filter((t) => t.where === "set");
        const abortOne = (t: T): void => {
          if (!t.ah.isFinished()) t.abortedUnfinished = true;
          t.ah.abort();
        };
        const received = (id: number, out: Out, how: string): void => {
          const t = byId.get(id);
          assert.ok(t, `${how}: unknown id ${id}`);
          // A joinNext of another task that waits while shutdown() runs may take a task the
          // shutdown would have discarded (each completed task goes to one waiter).
          if (t!.where === "discarded" && shuttingDown && how.startsWith("background")) lostPanics.delete(t!.id);
          else assert.is(t!.where, "set", `${how}: task ${t!.i} (id ${id}) came back while ${t!.where}`);
          t!.where = "joined";
          oplog.push(`received ${t!.i} via ${how}`);
          stats.received++;
          if ("cancelled" in out) stats.cancelled++;
          if ("panic" in out) stats.panics++;
          assert.equal(out, expectedOut(t!), `${how}: task ${t!.i} ${JSON.stringify({ ...t, ah: undefined })}`);
        };
        const oplog: string[] = [];
        const check = (): void => {
          assert.is(set.size, members().length, `size ${set.size} vs model ${members().length}: ${oplog.join("; ")} / ${JSON.stringify(all.map((t) => ({ ...t, ah: undefined, inner: t.inner?.at })))}`);
          assert.is(set.isEmpty(), members().length === 0);
        };
        function* joinOne(): Generator<unknown, [number, Out] | undefined, unknown> {
          try {
            const r = yield* set.joinNextWithId();
            if (r === undefined) return undefined;
            return [r[0], { ok: r[1] }];
          } catch (e) {
            assert.instance(e, JoinError);
            const je = e as JoinError;
            return [je.id, je.isCancelled() ? { cancelled: true } : { panic: (je.cause as Error).message }];
          }
        }

        const ops = rng.between(5, 40);
        for (let k = 0; k < ops; k++) {
          const op = rng.below(100);
          oplog.push(`op ${op}`);
          if (op < 30) {
            spawnOne();
          } else if (op < 40) {
            const m = members();
            if (m.length > 0) abortOne(m[rng.below(m.length)]!);
          } else if (op < 55) {
            // joinNextWithId, maybe raced against a sleep (a dropped join loses nothing)
            if (rng.next() < 0.5) {
              const s = yield* select({ j: joinOne(), t: sleep(rng.between(0, 10)) }, { biased: rng.next() < 0.5 });
              if (s.key === "j") {
                if (s.value === undefined) assert.is(members().length, 0, "joinNext said empty");
                else received(s.value[0], s.value[1], "joinNext in select");
              }
            } else {
              const r = yield* joinOne();
              if (r === undefined) assert.is(members().length, 0, "joinNext said empty");
              else received(r[0], r[1], "joinNext");
            }
          } else if (op < 62) {
            // tryJoinNext: only a task that has finished already
            let id: number | undefined;
            let out: Out | undefined;
            try {
              const before = new Set(members().map((t) => t.id));
              const v = set.tryJoinNext();
              if (v !== undefined) {
                // which one? the one that left the set
                out = { ok: v };
                const t = all.find((t) => t.where === "set" && t.i === v);
                assert.ok(t, `tryJoinNext gave ${v}, not a member's output`);
                id = t!.id;
                assert.ok(before.has(id));
                assert.ok(t!.ah.isFinished(), "tryJoinNext gave the output of an unfinished task");
              }
            } catch (e) {
              assert.instance(e, JoinError);
              const je = e as JoinError;
              id = je.id;
              out = je.isCancelled() ? { cancelled: true } : { panic: (je.cause as Error).message };
            }
            if (id !== undefined) received(id, out!, "tryJoinNext");
          } else if (op < 67) {
            for (const t of members()) if (!t.ah.isFinished()) t.abortedUnfinished = true;
            set.abortAll();
          } else if (op < 70) {
            for (const t of members()) {
              t.where = "detached";
              if (t.throws && !t.abortedUnfinished) lostPanics.add(t.id);
            }
            oplog.push("detachAll");
            set.detachAll();
          } else if (op < 73) {
            for (const t of members()) {
              if (!t.ah.isFinished()) t.abortedUnfinished = true;
              t.where = "discarded";
              if (t.throws && !t.abortedUnfinished) lostPanics.add(t.id);
            }
            shuttingDown = true;
            yield* set.shutdown();
            shuttingDown = false;
            for (const t of all) if (t.where === "discarded") assert.ok(t.ah.isFinished(), `shutdown returned before task ${t.i} ended`);
          } else if (op < 76) {
            for (const t of members()) {
              if (!t.ah.isFinished()) t.abortedUnfinished = true;
              t.where = "detached";
              if (t.throws && !t.abortedUnfinished) lostPanics.add(t.id);
            }
            set[Symbol.dispose]();
            set = new JoinSet<number>();
          } else if (op < 82) {
            // several joiners at once: each finished task goes to one of them
            const k2 = rng.between(2, 4);
            const js: JoinHandle<void>[] = [];
            for (let j = 0; j < k2; j++)
              js.push(
                spawn(function* () {
                  const r = yield* joinOne();
                  // (told to the model at once, so that other joiners see it)
                  if (r !== undefined) received(r[0], r[1], "concurrent joinNext");
                }),
              );
            for (const j of js) yield* j;
          } else if (op < 86) {
            // a joiner left waiting in the background, across the next operations
            const s = set;
            oplog.push("bg joiner");
            bg.push(
              spawn(function* () {
                let r: [number, Out] | undefined;
                try {
                  const v = yield* s.joinNextWithId();
                  r = v === undefined ? undefined : [v[0], { ok: v[1] }];
                } catch (e) {
                  assert.instance(e, JoinError);
                  const je = e as JoinError;
                  r = [je.id, je.isCancelled() ? { cancelled: true } : { panic: (je.cause as Error).message }];
                }
                if (r === undefined) {
                  oplog.push(`bg joiner got undefined; size ${s.size}`);
                  if (s === set) {
                    const left = members().map((t) => ({ ...t, ah: undefined, inner: t.inner?.at, fin: t.ah.isFinished() }));
                    assert.is(left.length, 0, `seed ${seed}: a background joinNext said empty while the set has tasks: ${JSON.stringify(left)}; ops: ${oplog.join("; ")}`);
                  }
                } else received(r[0], r[1], "background joinNext");
              }),
            );
          } else if (op < 91) {
            yield* sleep(rng.between(1, 12));
          } else {
            yield* yieldNow();
          }
          oplog.push(`size ${set.size}`);
          check();
        }
        // background joiners: a few still wait; let those with something to take take it
        yield* sleep(50);
        // sometimes joinAll first
        if (rng.next() < 0.3) {
          const m = members();
          const failing = (): T[] => m.filter((t) => t.throws || t.abortedUnfinished); // (tasks may abort others meanwhile)
          try {
            const outs = yield* set.joinAll();
            assert.is(failing().length, 0, `joinAll succeeded though ${failing().map((t) => t.i)} fail`);
            m.push(...all.filter((t) => t.where === "set" && !m.includes(t))); // spawned by a member meanwhile
            assert.equal([...outs].sort((a, b) => a - b), m.map((t) => t.i).sort((a, b) => a - b));
            for (const t of m) t.where = "joined";
          } catch (e) {
            assert.instance(e, JoinError);
            const t = byId.get((e as JoinError).id)!;
            assert.ok(failing().includes(t) || !m.includes(t), `joinAll failed with task ${t?.i}, not a failing one`);
            assert.equal((e as JoinError).isCancelled() ? { cancelled: true } : { panic: ((e as JoinError).cause as Error).message }, expectedOut(t));
            // the rest were aborted and stay in the set; outputs joined so far are lost
            for (const x of members()) {
              if (!x.ah.isFinished()) x.abortedUnfinished = true;
            }
            t.where = "joined";
            lostJoin = true;
          }
        }
        // drain what is left
        for (;;) {
          const r = yield* joinOne();
          if (r === undefined) break;
          received(r[0], r[1], "final drain");
        }
        // every background joiner ends once the set is empty (none hangs)
        const bgDone = yield* select({ all: function* () { for (const b of bg) yield* b; }, hang: sleep(100_000) });
        assert.is(bgDone.key, "all", `seed ${seed}: a background joinNext still waits on an empty set`);
        // a failed joinAll consumed outputs before it failed: those tasks are gone unnamed
        if (lostJoin) for (const t of all) if (t.where === "set") t.where = "joined";
        check();
        assert.is(set.tryJoinNext(), undefined);
        // detached tasks run on to their end
        for (let w = 0; w < 100 && all.some((t) => !t.ah.isFinished()); w++) yield* sleep(5);
        for (const t of all) {
          if (lostJoin && t.where === "set") t.where = "joined"; // consumed by the failed joinAll
          assert.ok(t.ah.isFinished(), `task ${t.i} never ended`);
          if (t.started) assert.is(t.finallyRuns, 1, `task ${t.i}: finally ran ${t.finallyRuns} times`);
          else assert.is(t.finallyRuns, 0);
          if (t.where === "set") assert.unreachable(`task ${t.i} still in the set`);
        }
        // panics the set let go of are reported, and only those (a host turn or two later)
        for (let h = 0; h < 3; h++) yield* fromPromise(() => new Promise<void>((r) => setImmediate(r)));
        assert.equal([...reported].sort((a, b) => a - b), [...lostPanics].sort((a, b) => a - b), "unhandled panic reports");
        assert.is(Handle.current().metrics().numAliveTasks(), 0);
        stats.lost += lostPanics.size;
      }),
    opts({
            failOnUnhandledPanic: false,
      configure: (b) => b.onUnhandledPanic((e) => reported.push(e.id)),
    }),
  );
  if (process.env["STATS"]) console.log(stats);
});

test.run();
