// Task-locals under random programs: nested scopes of two keys, across yieldNow/sleep, inside
// join and select branches (losers dropped), async and generator bodies, spawned tasks (which
// do not inherit a scope), many tasks binding the same key concurrently. At every step each
// key reads exactly what the enclosing scopes of *this* future bound.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, taskLocal, tryTaskId, Handle, type JoinHandle } from "@tokio-ts/runtime";
import { fromAsync, type Future } from "@tokio-ts/core";
import { sleep } from "@tokio-ts/time";
import { join, select } from "@tokio-ts/macros";
import { seeds, n, opts } from "./util.js";

const KEYS = [taskLocal<string>("A"), taskLocal<string>("B")] as const;

type Node =
  | { k: "wait"; ms: number }
  | { k: "scope"; key: 0 | 1; val: string; body: Node[]; async: boolean }
  | { k: "join"; branches: Node[][] }
  | { k: "select"; branches: Node[][] }
  | { k: "spawn"; body: Node[] };

type Env = readonly [string | undefined, string | undefined];
/** the id of the task the code runs in, filled in once spawn returned its handle */
type Tid = { v?: number | undefined };

let checks = 0;

function gen(rng: SeededRng, depth: number, tag: string): Node[] {
  const out: Node[] = [];
  const len = rng.between(1, depth > 2 ? 2 : 4);
  for (let i = 0; i < len; i++) {
    const r = depth > 3 ? 0 : rng.below(10);
    if (r < 4) out.push({ k: "wait", ms: rng.next() < 0.5 ? 0 : rng.between(1, 20) });
    else if (r < 7)
      out.push({ k: "scope", key: rng.below(2) as 0 | 1, val: `${tag}.${i}`, body: gen(rng, depth + 1, `${tag}.${i}`), async: rng.next() < 0.3 });
    else if (r < 8) out.push({ k: "join", branches: [gen(rng, depth + 1, `${tag}j`), gen(rng, depth + 1, `${tag}k`)] });
    else if (r < 9) out.push({ k: "select", branches: [gen(rng, depth + 1, `${tag}s`), gen(rng, depth + 1, `${tag}t`)] });
    else out.push({ k: "spawn", body: gen(rng, depth + 1, `${tag}p`) });
  }
  return out;
}

// Failures are collected, not thrown: a check in a dropped select loser (an async body that
// goes on to its next await) must not be swallowed with the loser.
const failures: string[] = [];

function check(env: Env, where: string, tid: Tid): void {
  checks++;
  if (tid.v !== undefined && tryTaskId() !== tid.v) failures.push(`${where}: taskId() is ${tryTaskId()}, expected ${tid.v}`);
  for (let i = 0; i < 2; i++) {
    const got = KEYS[i]!.tryGet();
    if (got !== env[i]) failures.push(`${where}: key ${KEYS[i]!.name} is ${got}, expected ${env[i]}`);
  }
}

function wait(ms: number): Future<void> {
  return ms === 0 ? yieldNow() : sleep(ms);
}

function* run(nodes: Node[], env: Env, spawned: JoinHandle<void>[], tid: Tid): Generator<unknown, void, unknown> {
  check(env, "start", tid);
  for (const node of nodes) {
    switch (node.k) {
      case "wait":
        yield* wait(node.ms);
        break;
      case "scope": {
        const inner: Env = node.key === 0 ? [node.val, env[1]] : [env[0], node.val];
        yield* KEYS[node.key].scope(node.val, node.async ? () => runAsync(node.body, inner, spawned, tid) : () => run(node.body, inner, spawned, tid));
        break;
      }
      case "join":
        yield* join(...node.branches.map((b) => () => run(b, env, spawned, tid)));
        break;
      case "select":
        yield* select({ a: () => run(node.branches[0]!, env, spawned, tid), b: () => run(node.branches[1]!, env, spawned, tid) });
        break;
      case "spawn":
        // a spawned task does not inherit the scope (Tokio's task_local!)
        {
          const t2: Tid = {};
          const h = spawn(() => run(node.body, [undefined, undefined], spawned, t2));
          t2.v = h.id;
          spawned.push(h);
        }
        break;
    }
    check(env, `after ${node.k}`, tid);
  }
}

async function runAsync(nodes: Node[], env: Env, spawned: JoinHandle<void>[], tid: Tid): Promise<void> {
  check(env, "async start", tid);
  for (const node of nodes) {
    switch (node.k) {
      case "wait":
        // also plain promises: the context must survive them too
        if (node.ms % 3 === 1) await Promise.resolve();
        else if (node.ms % 3 === 2) await new Promise<void>((r) => setImmediate(r));
        else await wait(node.ms);
        break;
      case "scope": {
        const inner: Env = node.key === 0 ? [node.val, env[1]] : [env[0], node.val];
        await KEYS[node.key].scope(node.val, node.async ? () => runAsync(node.body, inner, spawned, tid) : () => run(node.body, inner, spawned, tid));
        break;
      }
      case "join":
        await join(...node.branches.map((b) => () => runAsync(b, env, spawned, tid)));
        break;
      case "select":
        await select({ a: () => runAsync(node.branches[0]!, env, spawned, tid), b: fromAsync(() => runAsync(node.branches[1]!, env, spawned, tid)) });
        break;
      case "spawn":
        {
          const t2: Tid = {};
          const h = spawn(async () => runAsync(node.body, [undefined, undefined], spawned, t2));
          t2.v = h.id;
          spawned.push(h);
        }
        break;
    }
    check(env, `async after ${node.k}`, tid);
  }
}

test("task-locals: random nested scopes across awaits, join, select, spawn, many tasks", async () => {
  await seeds(
    n(600),
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed + 1000);
        failures.length = 0;
        const spawned: JoinHandle<void>[] = [];
        const tasks = rng.between(1, 5);
        for (let t = 0; t < tasks; t++) {
          const prog = gen(rng, 0, `t${t}`);
          // half the tasks start inside a scope bound by their own body
          const t2: Tid = {};
          let h: JoinHandle<void>;
          if (rng.next() < 0.5) {
            const v = `root${t}`;
            h = spawn(() => KEYS[0].scope(v, () => run(prog, [v, undefined], spawned, t2)));
          } else if (rng.next() < 0.5) {
            h = spawn(async () => runAsync(prog, [undefined, undefined], spawned, t2));
          } else h = spawn(() => run(prog, [undefined, undefined], spawned, t2));
          t2.v = h.id;
          spawned.push(h);
        }
        // and the root itself runs one inside a scope of its own
        const rootTid: Tid = { v: tryTaskId() };
        yield* KEYS[1].scope("rootB", () => run(gen(rng, 1, "r"), [undefined, "rootB"], spawned, rootTid));
        check([undefined, undefined], "root after its scope", rootTid);
        for (let i = 0; i < spawned.length; i++) yield* spawned[i]!;
        assert.is(Handle.current().metrics().numAliveTasks(), 0);
        yield* sleep(1);
        assert.equal(failures, []);
      }),
    opts(),
  );
  if (process.env["STATS"]) console.log({ checks });
});

test.run();
