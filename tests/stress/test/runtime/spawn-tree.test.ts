// Nested spawns: a random tree of generator and async tasks; each node spawns children, sleeps,
// aborts some children, joins others (summing their outputs) and detaches the rest. Aborting a
// parent does not abort its children (they are detached, as in Tokio) — they run on to their
// end. Each node's output is its value plus what its joined children gave; a child aborted
// before it finished gives "cancelled"; every finally runs once; every task ends.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, JoinError, Handle, type JoinHandle } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { seeds, n, opts } from "./util.js";

interface Node {
  id: number;
  value: number;
  async: boolean;
  kids: Node[];
  plan: ("join" | "abort" | "detach")[]; // per child
  sleeps: number[];
  h?: JoinHandle<number>;
  started: boolean;
  finallyRuns: number;
  abortedUnfinished: boolean;
  out?: { ok: number } | { cancelled: true };
  got: Map<number, { ok: number } | { cancelled: true }>; // what it saw from each joined child
}

function build(rng: SeededRng, depth: number, all: Node[]): Node {
  const node: Node = {
    id: all.length,
    value: rng.between(1, 100),
    async: rng.next() < 0.3,
    kids: [],
    plan: [],
    sleeps: Array.from({ length: rng.between(0, 2) }, () => rng.between(0, 20)),
    started: false,
    finallyRuns: 0,
    abortedUnfinished: false,
    got: new Map(),
  };
  all.push(node);
  const k = depth >= 3 ? 0 : rng.between(0, 3);
  for (let i = 0; i < k; i++) {
    node.kids.push(build(rng, depth + 1, all));
    const r = rng.below(10);
    node.plan.push(r < 6 ? "join" : r < 8 ? "abort" : "detach");
  }
  return node;
}

function spawnNode(node: Node, rng: SeededRng): JoinHandle<number> {
  const h = node.async
    ? spawn(async () => {
        node.started = true;
        try {
          for (const k of node.kids) k.h = spawnNode(k, rng);
          let sum = node.value;
          for (const ms of node.sleeps) await (ms === 0 ? yieldNow() : sleep(ms));
          for (let i = 0; i < node.kids.length; i++) {
            const k = node.kids[i]!;
            if (node.plan[i] === "abort") {
              // (an async child may have run to its end before its task saw it: see
              // async-abort-settled; abort only generator children here)
              if (!k.h!.isFinished()) k.abortedUnfinished = true;
              k.h!.abort();
            }
          }
          for (let i = 0; i < node.kids.length; i++) {
            const k = node.kids[i]!;
            if (node.plan[i] === "detach") continue;
            try {
              const v = await k.h!;
              node.got.set(k.id, { ok: v });
              sum += v;
            } catch (e) {
              assert.ok(e instanceof JoinError && e.isCancelled(), String(e));
              node.got.set(k.id, { cancelled: true });
            }
          }
          return sum;
        } finally {
          node.finallyRuns++;
        }
      })
    : spawn(function* () {
        node.started = true;
        try {
          for (const k of node.kids) k.h = spawnNode(k, rng);
          let sum = node.value;
          for (const ms of node.sleeps) yield* ms === 0 ? yieldNow() : sleep(ms);
          for (let i = 0; i < node.kids.length; i++) {
            const k = node.kids[i]!;
            if (node.plan[i] === "abort") {
              if (!k.h!.isFinished()) k.abortedUnfinished = true;
              k.h!.abort();
            }
          }
          for (let i = 0; i < node.kids.length; i++) {
            const k = node.kids[i]!;
            if (node.plan[i] === "detach") continue;
            try {
              const v = yield* k.h!;
              node.got.set(k.id, { ok: v });
              sum += v;
            } catch (e) {
              assert.ok(e instanceof JoinError && e.isCancelled(), String(e));
              node.got.set(k.id, { cancelled: true });
            }
          }
          return sum;
        } finally {
          node.finallyRuns++;
        }
      });
  return h;
}

test("a random tree of nested spawns, aborts and joins", async () => {
  await seeds(
    n(800),
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 19 + 2);
        const all: Node[] = [];
        const roots = Array.from({ length: rng.between(1, 3) }, () => build(rng, 0, all));
        // async children are never aborted (see the comment above): make their plan join
        for (const nd of all) nd.kids.forEach((k, i) => k.async && nd.plan[i] === "abort" && (nd.plan[i] = "join"));
        for (const r of roots) r.h = spawnNode(r, rng);
        // the controller aborts a few random generator nodes at random times
        const aborts = rng.between(0, 3);
        for (let a = 0; a < aborts; a++) {
          yield* sleep(rng.between(0, 30));
          const cands = all.filter((x) => x.h !== undefined && !x.async);
          if (cands.length === 0) continue;
          const x = cands[rng.below(cands.length)]!;
          if (!x.h!.isFinished()) x.abortedUnfinished = true;
          x.h!.abort();
        }
        // wait for every task (children of aborted parents run on, detached)
        for (let w = 0; w < 200 && all.some((x) => x.h === undefined || !x.h.isFinished()); w++) yield* sleep(10);
        for (const x of all) {
          const ctx = `seed ${seed} node ${x.id}`;
          if (x.h === undefined) {
            // its parent was aborted before spawning it
            assert.not.ok(x.started, ctx);
            continue;
          }
          assert.ok(x.h.isFinished(), `${ctx}: never ended`);
          try {
            x.out = { ok: yield* x.h };
          } catch (e) {
            assert.ok(e instanceof JoinError && e.isCancelled(), `${ctx}: ${String(e)}`);
            x.out = { cancelled: true };
          }
          assert.is(x.finallyRuns, x.started ? 1 : 0, `${ctx}: finally ran ${x.finallyRuns} times`);
          assert.is("cancelled" in x.out, x.abortedUnfinished, `${ctx}: outcome ${JSON.stringify(x.out)}, aborted unfinished ${x.abortedUnfinished}`);
        }
        for (const x of all) {
          if (x.out === undefined || !("ok" in x.out)) continue;
          let want = x.value;
          for (const k of x.kids) {
            const g = x.got.get(k.id);
            if (g === undefined) continue; // detached
            assert.equal(g, k.out, `seed ${seed}: node ${x.id} saw ${JSON.stringify(g)} from child ${k.id}, whose outcome is ${JSON.stringify(k.out)}`);
            if ("ok" in g) want += g.ok;
          }
          assert.is(x.out.ok, want, `seed ${seed}: node ${x.id} sum`);
        }
        assert.is(Handle.current().metrics().numAliveTasks(), 0);
      }),
    opts(),
  );
});

test.run();
