import { test } from "uvu";
import * as assert from "uvu/assert";
import { Pending } from "@tokio-ts/core";
import { mockTask, SeededRng, forEachSeed, type MockTask } from "@tokio-ts/test-util";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { select } from "@tokio-ts/macros";
import { sleep, timeout, Elapsed } from "@tokio-ts/time";
import { CancellationToken, type CancellationTokenDropGuard } from "@tokio-ts/sync";

/** The model: a forest; a signal is a root node that only abort() cancels. */
interface MNode {
  parent: MNode | undefined;
  children: Set<MNode>;
  cancelled: boolean;
  isSignal: boolean;
}
const mk = (parent: MNode | undefined, isSignal = false): MNode => {
  const n: MNode = { parent, children: new Set(), cancelled: false, isSignal };
  if (parent) {
    if (parent.cancelled) {
      n.cancelled = true;
      n.parent = undefined;
    } else parent.children.add(n);
  }
  return n;
};
const mCancel = (n: MNode): void => {
  if (n.cancelled) return;
  const stack = [n];
  for (let t = stack.pop(); t; t = stack.pop()) {
    if (t.cancelled) continue;
    t.cancelled = true;
    t.parent?.children.delete(t);
    t.parent = undefined;
    for (const c of t.children) stack.push(c);
    t.children.clear();
  }
};
const mDispose = (n: MNode): void => {
  if (n.cancelled) return;
  const p = n.parent;
  if (p === undefined) return; // a root keeps its children
  for (const c of n.children) {
    c.parent = p;
    p.children.add(c);
  }
  n.children.clear();
  p.children.delete(n);
  n.parent = undefined;
};

interface Tok {
  m: MNode;
  t: CancellationToken;
  waits: MockTask<void>[];
  guard?: CancellationTokenDropGuard | undefined;
  sig?: AbortSignal;
}

function run(seed: number, ops: number): void {
  const rng = new SeededRng(seed);
  const toks: Tok[] = [];
  const sigs: { m: MNode; c: AbortController }[] = [];
  const trace: string[] = [];
  const check = (cond: boolean, msg: string) => {
    if (!cond) throw new Error(`seed ${seed}: ${msg}\ntrace: ${trace.join("; ")}`);
  };
  const verify = () => {
    toks.forEach((k, i) => {
      check(k.t.isCancelled() === k.m.cancelled, `token #${i}: isCancelled ${k.t.isCancelled()}, model ${k.m.cancelled}`);
      for (const w of k.waits) {
        if (w.isDone()) continue;
        if (k.m.cancelled) {
          check(w.isWoken() || w.pollCount === 0, `token #${i}: a pending cancelled() was not woken`);
          check(w.poll() !== Pending, `token #${i}: cancelled() pending after cancellation`);
        } else check(!w.isWoken(), `token #${i}: cancelled() woken while not cancelled`);
      }
      if (k.sig) check(k.sig.aborted === k.m.cancelled, `token #${i}: signal.aborted ${k.sig.aborted}, model ${k.m.cancelled}`);
    });
  };
  for (let step = 0; step < ops; step++) {
    const op = rng.below(12);
    const pickTok = () => toks[rng.below(toks.length)]!;
    if (op === 0 || toks.length === 0) {
      toks.push({ m: mk(undefined), t: new CancellationToken(), waits: [] });
      trace.push(`root#${toks.length - 1}`);
    } else if (op <= 2) {
      const p = pickTok();
      toks.push({ m: mk(p.m), t: p.t.childToken(), waits: [] });
      trace.push(`child#${toks.length - 1}<-#${toks.indexOf(p)}`);
    } else if (op === 3) {
      if (sigs.length === 0 || rng.below(3) === 0) sigs.push({ m: mk(undefined, true), c: new AbortController() });
      const s = sigs[rng.below(sigs.length)]!;
      toks.push({ m: mk(s.m), t: CancellationToken.fromSignal(s.c.signal), waits: [] });
      trace.push(`fromSignal#${toks.length - 1}<-sig${sigs.indexOf(s)}`);
    } else if (op === 4) {
      const k = pickTok();
      trace.push(`cancel#${toks.indexOf(k)}`);
      mCancel(k.m);
      k.t.cancel();
    } else if (op === 5) {
      const k = pickTok();
      trace.push(`dispose#${toks.indexOf(k)}`);
      mDispose(k.m);
      k.t[Symbol.dispose]();
    } else if (op === 6) {
      const k = pickTok();
      const w = mockTask(k.t.cancelled());
      const r = w.poll();
      check((r !== Pending) === k.m.cancelled, `cancelled() first poll on #${toks.indexOf(k)}`);
      k.waits.push(w);
    } else if (op === 7) {
      const k = pickTok();
      const live = k.waits.filter((w) => !w.isDone());
      if (live.length) live[rng.below(live.length)]!.drop();
    } else if (op === 8) {
      const k = pickTok();
      k.sig = k.t.toSignal();
      check(k.t.signal === k.sig, "toSignal() is the same signal every time");
    } else if (op === 9) {
      const k = pickTok();
      if (k.guard === undefined) k.guard = k.t.dropGuard();
      else if (rng.below(2) === 0) {
        trace.push(`guard-dispose#${toks.indexOf(k)}`);
        mCancel(k.m);
        k.guard[Symbol.dispose]();
        k.guard[Symbol.dispose]();
        k.guard = undefined;
      } else {
        check(k.guard.disarm() === k.t, "disarm returns the token");
        check(k.guard.disarm() === undefined, "disarm twice");
        k.guard[Symbol.dispose]();
        k.guard = undefined;
      }
    } else if (op === 10 && sigs.length) {
      const s = sigs[rng.below(sigs.length)]!;
      trace.push(`abort sig${sigs.indexOf(s)}`);
      mCancel(s.m);
      s.c.abort(new Error("why"));
    } else {
      const k = pickTok();
      // A child of a cancelled token is born cancelled; of a live one, not.
      const c = k.t.childToken();
      check(c.isCancelled() === k.m.cancelled, "child born cancelled iff parent cancelled");
      c[Symbol.dispose]();
    }
    verify();
  }
}

test("cancellation-token: random child/fromSignal/cancel/dispose/dropGuard/abort sequences match the tree model", () => {
  for (let seed = 0; seed < 1500; seed++) run(seed, 40);
  for (let seed = 0; seed < 100; seed++) run(50_000 + seed, 250);
});

const OPTS = { enableTime: true, startPaused: true } as const;

test("cancellation-token: tasks waiting via cancelled()/runUntilCancelled/select all end after a random cancel of an ancestor", async () => {
  await forEachSeed(200, (rt, seed) =>
    rt.blockOn(function* () {
      const rng = new SeededRng(seed + 777);
      const root = new CancellationToken();
      const mids = Array.from({ length: rng.between(1, 3) }, () => root.childToken());
      const handles: JoinHandle<string>[] = [];
      const finallies: string[] = [];
      let starts = 0;
      const n = rng.between(1, 10);
      for (let i = 0; i < n; i++) {
        const tok = rng.below(3) === 0 ? root : mids[rng.below(mids.length)]!.childToken();
        const mode = rng.below(4);
        const d = rng.between(0, 20);
        handles.push(
          spawn(function* () {
            if (mode === 0) {
              yield* tok.cancelled();
              return "cancelled";
            }
            if (mode === 1) {
              const out = yield* tok.runUntilCancelled(function* () {
                starts++;
                try {
                  yield* sleep(d);
                  return "work";
                } finally {
                  finallies.push("f");
                }
              });
              return out ?? "stopped";
            }
            if (mode === 2) {
              // drop the wait a few times first
              for (let k = 0; k < 3; k++) {
                const r = yield* select({ c: tok.cancelled(), t: sleep(1) });
                if (r.key === "c") return "cancelled";
              }
              yield* tok.cancelled();
              return "cancelled";
            }
            try {
              yield* timeout(d, tok.cancelled());
              return "cancelled";
            } catch (e) {
              if (!(e instanceof Elapsed)) throw e;
              yield* tok.cancelled();
              return "cancelled-late";
            }
          }),
        );
      }
      yield* sleep(rng.between(0, 10));
      if (rng.below(2) === 0) {
        for (const m of mids) m[Symbol.dispose](); // children move up to root
      }
      yield* yieldNow();
      root.cancel();
      const outs: string[] = [];
      yield* timeout(1_000_000, function* () {
        for (const h of handles) outs.push(yield* h);
      });
      for (const o of outs) assert.ok(["cancelled", "cancelled-late", "work", "stopped"].includes(o));
      assert.is(finallies.length, starts, "every runUntilCancelled body that started ran its finally");
    }),
  OPTS);
});

test.run();
