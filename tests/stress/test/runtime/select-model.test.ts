// select / join / tryJoin under random branches, against a model of when each branch becomes
// ready (paused clock): ready futures, sleeps, generator and async bodies with side effects at
// each step, mpsc recv and Semaphore acquire completed by other tasks, pending, disabled
// branches, nested selects. Checks: the winner is one of the branches ready first (the first
// of them in declaration order when biased); the select ends at that time; a loser's later
// side effects never happen and its `finally` runs once; a recv loser loses no message, an
// acquire loser holds no permit, a sleep loser leaves no timer; join returns every output in
// order at the latest time; tryJoin fails with the first error and drops the rest.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn, Handle, type JoinHandle } from "@tokio-ts/runtime";
import { pending, ready, type Future } from "@tokio-ts/core";
import { sleep, Instant } from "@tokio-ts/time";
import { TIME } from "@tokio-ts/time/driver";
import { select, join, tryJoin } from "@tokio-ts/macros";
import { mpsc, Semaphore, type SemaphorePermit } from "@tokio-ts/sync";
import { seeds, n, opts } from "./util.js";

type Br =
  | { k: "ready"; id: number }
  | { k: "sleep"; id: number; t: number }
  | { k: "gen"; id: number; steps: number[]; throws: boolean }
  | { k: "async"; id: number; steps: number[]; throws: boolean }
  | { k: "recv"; id: number; t: number }
  | { k: "acquire"; id: number; t: number }
  | { k: "pending"; id: number }
  | { k: "disabled"; id: number }
  | { k: "select"; id: number; kids: Br[]; biased: boolean };

// When a branch is ready: [time, class]; class 1 = an async body's value, seen a microtask
// after its last await (documented on Timeout), so after class-0 branches of the same time.
type Key = [number, number];
const NEVER: Key = [Infinity, 0];
const cmp = (a: Key, b: Key): number => (a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1]);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function keyOf(b: Br): Key {
  switch (b.k) {
    case "ready":
      return [0, 0];
    case "sleep":
    case "recv":
    case "acquire":
      return [b.t, 0];
    case "gen":
      return [sum(b.steps), 0];
    case "async":
      return [sum(b.steps), 1];
    case "pending":
    case "disabled":
      return NEVER;
    case "select": {
      let best = NEVER;
      for (const k of b.kids) if (k.k !== "disabled" && cmp(keyOf(k), best) < 0) best = keyOf(k);
      return best;
    }
  }
}

interface World {
  rng: SeededRng;
  nextId: number;
  nextIndirect: number; // unique times ≡ 5 (mod 10) for events made by other tasks
  effects: { id: number; step: number; t: number }[];
  finallies: Map<number, number>;
  started: Set<number>;
  helpers: JoinHandle<void>[];
  channels: Map<number, { tx: mpsc.Sender<number>; rx: mpsc.Receiver<number>; sent: number[] }>;
  sems: Map<number, { sem: Semaphore; added: number }>;
  start: number;
  errors: string[];
}

const now = (): number => Instant.now().asMillis();

function genBranch(w: World, depth: number, allowNever: boolean): Br {
  const id = w.nextId++;
  const r = w.rng.below(100);
  const steps = (): number[] => Array.from({ length: w.rng.between(0, 3) }, () => w.rng.between(1, 5) * 10);
  if (r < 12) return { k: "ready", id };
  if (r < 30) return { k: "sleep", id, t: w.rng.between(1, 10) * 10 };
  if (r < 45) return { k: "gen", id, steps: steps(), throws: w.rng.next() < 0.2 };
  if (r < 55) return { k: "async", id, steps: steps(), throws: w.rng.next() < 0.2 };
  if (r < 68) return { k: "recv", id, t: w.rng.next() < 0.25 ? 0 : w.rng.next() < 0.15 && allowNever ? Infinity : (w.nextIndirect += 10) };
  if (r < 78) return { k: "acquire", id, t: w.rng.next() < 0.25 ? 0 : w.rng.next() < 0.15 && allowNever ? Infinity : (w.nextIndirect += 10) };
  if (r < 84 && allowNever) return { k: "pending", id };
  if (r < 90) return { k: "disabled", id };
  if (depth < 2) {
    const kids = Array.from({ length: w.rng.between(1, 4) }, () => genBranch(w, depth + 1, allowNever));
    if (!kids.some((k) => keyOf(k)[0] < Infinity)) kids.push({ k: "sleep", id: w.nextId++, t: w.rng.between(1, 10) * 10 });
    return { k: "select", id, kids, biased: w.rng.next() < 0.5 };
  }
  return { k: "sleep", id, t: w.rng.between(1, 10) * 10 };
}

function* genBody(w: World, b: { id: number; steps: number[]; throws: boolean }): Generator<unknown, number, unknown> {
  w.started.add(b.id);
  try {
    for (let i = 0; i < b.steps.length; i++) {
      yield* sleep(b.steps[i]!);
      w.effects.push({ id: b.id, step: i, t: now() - w.start });
    }
    if (b.throws) throw new Error(`e${b.id}`);
    return b.id;
  } finally {
    w.finallies.set(b.id, (w.finallies.get(b.id) ?? 0) + 1);
  }
}

async function asyncBody(w: World, b: { id: number; steps: number[]; throws: boolean }): Promise<number> {
  w.started.add(b.id);
  try {
    for (let i = 0; i < b.steps.length; i++) {
      await sleep(b.steps[i]!);
      w.effects.push({ id: b.id, step: i, t: now() - w.start });
    }
    if (b.throws) throw new Error(`e${b.id}`);
    return b.id;
  } finally {
    w.finallies.set(b.id, (w.finallies.get(b.id) ?? 0) + 1);
  }
}

/** Make the future (or function, or disabled value) of a branch; sets up its helpers. */
function make(w: World, b: Br): unknown {
  switch (b.k) {
    case "ready":
      return ready(b.id);
    case "sleep":
      return sleep(b.t);
    case "gen":
      return () => genBody(w, b);
    case "async":
      return () => asyncBody(w, b);
    case "recv": {
      const [tx, rx] = mpsc.channel<number>(4);
      const c = { tx, rx, sent: [] as number[] };
      w.channels.set(b.id, c);
      if (b.t === 0) {
        c.sent.push(b.id);
        tx.trySend(b.id);
      } else if (b.t < Infinity) {
        const t = b.t;
        w.helpers.push(
          spawn(function* () {
            yield* sleep(t);
            c.sent.push(b.id);
            yield* tx.send(b.id);
            // a second message later: it must stay in the channel whoever wins
            yield* sleep(1000);
            c.sent.push(b.id + 100000);
            yield* tx.send(b.id + 100000);
          }),
        );
      }
      return rx.recv();
    }
    case "acquire": {
      const sem = new Semaphore(b.t === 0 ? 1 : 0);
      const s = { sem, added: b.t === 0 ? 1 : 0 };
      w.sems.set(b.id, s);
      if (b.t > 0 && b.t < Infinity) {
        const t = b.t;
        w.helpers.push(
          spawn(function* () {
            yield* sleep(t);
            s.added++;
            sem.addPermits(1);
          }),
        );
      }
      return sem.acquire();
    }
    case "pending":
      return pending();
    case "disabled":
      return w.rng.next() < 0.5 ? false : w.rng.next() < 0.5 ? null : undefined;
    case "select": {
      const branches: Record<string, unknown> = {};
      b.kids.forEach((k, i) => (branches[`b${i}`] = make(w, k)));
      return select(branches as never, { biased: b.biased });
    }
  }
}

/** Check a select's result against the model; returns the winner's key time. */
function checkSelect(w: World, kids: Br[], biased: boolean, res: { key: string; value: unknown } | undefined, err: unknown, where: string): void {
  const enabled = kids.map((k, i) => [k, i] as const).filter(([k]) => k.k !== "disabled");
  let best = NEVER;
  for (const [k] of enabled) if (cmp(keyOf(k), best) < 0) best = keyOf(k);
  const cands = enabled.filter(([k]) => cmp(keyOf(k), best) === 0).map(([, i]) => i);
  let winner: number;
  if (err !== undefined) {
    // the winner threw: it is a gen/async that throws (or a nested select whose winner threw)
    const m = /^e(\d+)$/.exec((err as Error).message ?? "");
    if (!m) {
      w.errors.push(`${where}: select threw ${String(err)}`);
      return;
    }
    const id = Number(m[1]);
    winner = kids.findIndex((k) => k.id === id || (k.k === "select" && contains(k, id)));
  } else winner = Number(res!.key.slice(1));
  if (!cands.includes(winner)) {
    w.errors.push(`${where}: winner b${winner} (${JSON.stringify(kids[winner])}) not among the first ready ${JSON.stringify(cands)}: ${JSON.stringify(kids)}`);
    return;
  }
  if (biased && best[1] === 0 && winner !== cands[0]) w.errors.push(`${where}: biased select chose b${winner}, not the first ready b${cands[0]}`);
  const wb = kids[winner]!;
  if (err === undefined) {
    const v = res!.value;
    if (wb.k === "ready" || wb.k === "gen" || wb.k === "async") {
      if (v !== wb.id) w.errors.push(`${where}: value ${String(v)} for ${JSON.stringify(wb)}`);
    } else if (wb.k === "recv") {
      if (v !== wb.id) w.errors.push(`${where}: recv gave ${String(v)}, expected ${wb.id}`);
    } else if (wb.k === "acquire") {
      (v as SemaphorePermit).release();
    } else if (wb.k === "select") {
      checkSelect(w, wb.kids, wb.biased, v as { key: string; value: unknown }, undefined, `${where}/b${winner}`);
    }
    if (wb.k === "gen" || wb.k === "async") if (wb.throws) w.errors.push(`${where}: a throwing branch returned`);
  } else if (wb.k === "select") {
    checkSelect(w, wb.kids, wb.biased, undefined, err, `${where}/b${winner}`);
  }
}

function contains(b: Br, id: number): boolean {
  return b.k === "select" && b.kids.some((k) => k.id === id || contains(k, id));
}

function all(b: Br): Br[] {
  return b.k === "select" ? [b, ...b.kids.flatMap(all)] : [b];
}

/** After the whole thing ended at time `end` (ms since start): side effects and finallies. */
function checkEffects(w: World, brs: Br[], end: number, where: string): void {
  for (const b of brs.flatMap(all)) {
    if (b.k !== "gen" && b.k !== "async") continue;
    let cum = 0;
    for (let i = 0; i < b.steps.length; i++) {
      cum += b.steps[i]!;
      const happened = w.effects.some((e) => e.id === b.id && e.step === i);
      if (happened && cum > end) w.errors.push(`${where}: dropped branch ${b.id} (${b.k}) went on: step ${i} at ${cum} > end ${end}`);
      if (!happened && cum < end && w.started.has(b.id)) w.errors.push(`${where}: branch ${b.id} step ${i} at ${cum} < ${end} did not happen`);
    }
    const f = w.finallies.get(b.id) ?? 0;
    if (f !== (w.started.has(b.id) ? 1 : 0)) w.errors.push(`${where}: branch ${b.id} (${b.k}) finally ran ${f} times (started ${w.started.has(b.id)})`);
  }
}

function* checkLeftovers(w: World, where: string, received: Map<number, number>): Generator<unknown, void, unknown> {
  for (const h of w.helpers) yield* h;
  for (const [id, c] of w.channels) {
    const left: number[] = [];
    for (;;) {
      const r = c.rx.tryRecv();
      if (!r.ok) break;
      left.push(r.value);
    }
    const want = c.sent.filter((m) => received.get(id) !== m);
    if (JSON.stringify(left) !== JSON.stringify(want)) w.errors.push(`${where}: channel ${id}: left ${JSON.stringify(left)}, expected ${JSON.stringify(want)} (a recv loser took a message?)`);
  }
  for (const [id, s] of w.sems) {
    if (s.sem.availablePermits() !== s.added) w.errors.push(`${where}: semaphore ${id}: ${s.sem.availablePermits()} permits, ${s.added} added (a dropped acquire kept one?)`);
  }
  const timers = Handle.current().driver(TIME).timerCount;
  if (timers !== 0) w.errors.push(`${where}: ${timers} timers still registered`);
}

function newWorld(seed: number, salt: number): World {
  return {
    rng: new SeededRng(seed * 7 + salt),
    nextId: 1,
    nextIndirect: 5,
    effects: [],
    finallies: new Map(),
    started: new Set(),
    helpers: [],
    channels: new Map(),
    sems: new Map(),
    start: 0,
    errors: [],
  };
}

function recvWinners(kids: Br[], res: { key: string; value: unknown } | undefined, into: Map<number, number>): void {
  if (res === undefined) return;
  const wb = kids[Number(res.key.slice(1))];
  if (wb === undefined) return;
  if (wb.k === "recv") into.set(wb.id, res.value as number);
  if (wb.k === "select") recvWinners(wb.kids, res.value as { key: string; value: unknown }, into);
}

test("select: winner, timing, dropped losers (side effects, messages, permits, timers)", async () => {
  await seeds(
    process.env["SEED"] ? [Number(process.env["SEED"])] : n(1000),
    (rt, seed) =>
      rt.blockOn(function* () {
        const w = newWorld(seed, 1);
        yield* sleep(1); // the clock at a whole ms, the driver made
        const count = w.rng.between(1, 6);
        const kids = Array.from({ length: count }, () => genBranch(w, 0, true));
        if (!kids.some((k) => keyOf(k)[0] < Infinity)) kids.push({ k: "sleep", id: w.nextId++, t: w.rng.between(1, 10) * 10 });
        const biased = w.rng.next() < 0.5;
        w.start = now();
        const branches: Record<string, unknown> = {};
        kids.forEach((k, i) => (branches[`b${i}`] = make(w, k)));
        let res: { key: string; value: unknown } | undefined;
        let err: unknown;
        try {
          res = (yield* select(branches as never, { biased })) as { key: string; value: unknown };
        } catch (e) {
          err = e;
        }
        const end = now() - w.start;
        const where = `seed ${seed} (${biased ? "biased" : "random"}) ${JSON.stringify(kids)}`;
        const best = keyOf({ k: "select", id: 0, kids, biased });
        if (end !== best[0]) w.errors.push(`${where}: ended at ${end}, expected ${best[0]}`);
        checkSelect(w, kids, biased, res, err, where);
        // time passes: a dropped loser must not go on
        yield* sleep(500);
        for (let i = 0; i < 3; i++) yield* sleep(1);
        checkEffects(w, kids, end, where);
        const got = new Map<number, number>();
        recvWinners(kids, res, got);
        yield* checkLeftovers(w, where, got);
        assert.equal(w.errors, []);
        assert.is(Handle.current().metrics().numAliveTasks(), 0);
      }),
    opts(),
  );
});

test("select in a loop over the same channels: no message lost or duplicated", async () => {
  await seeds(
    n(600),
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed + 99);
        const chans = Array.from({ length: rng.between(1, 4) }, () => mpsc.channel<number>(rng.between(1, 4)));
        const total = rng.between(1, 40);
        const producers = chans.map(([tx], c) =>
          spawn(function* () {
            for (let i = 0; i < total; i++) {
              if (rng.next() < 0.5) yield* sleep(rng.between(1, 7));
              yield* tx.send(c * 1000 + i);
            }
            tx.close();
          }),
        );
        const got: number[][] = chans.map(() => []);
        const open = chans.map(() => true);
        while (open.some((o) => o)) {
          const br: Record<string, unknown> = {};
          chans.forEach(([, rx], c) => (br[`c${c}`] = open[c] && rx.recv()));
          br["t"] = sleep(rng.between(1, 5)); // often wins: the receives are dropped
          const r = (yield* select(br as never, { biased: rng.next() < 0.3 })) as { key: string; value: number | undefined };
          if (r.key === "t") continue;
          const c = Number(r.key.slice(1));
          if (r.value === undefined) open[c] = false;
          else got[c]!.push(r.value);
        }
        for (const p of producers) yield* p;
        chans.forEach((_, c) => assert.equal(got[c], Array.from({ length: total }, (_, i) => c * 1000 + i), `seed ${seed} channel ${c}`));
        assert.is(Handle.current().driver(TIME).timerCount, 0);
      }),
    opts(),
  );
});

function genJoinBranch(w: World, allowNever: boolean): Br {
  for (;;) {
    const b = genBranch(w, 1, allowNever);
    if (b.k !== "disabled" && b.k !== "select") return b;
  }
}

test("join: every output in order, at the latest time; failures after all finished", async () => {
  await seeds(
    n(800),
    (rt, seed) =>
      rt.blockOn(function* () {
        const w = newWorld(seed, 2);
        yield* sleep(1);
        const brs = Array.from({ length: w.rng.between(1, 6) }, () => genJoinBranch(w, false));
        w.start = now();
        const futs = brs.map((b) => make(w, b));
        let out: unknown[] | undefined;
        let err: unknown;
        try {
          out = (yield* join(...(futs as Future<unknown>[]))) as unknown[];
        } catch (e) {
          err = e;
        }
        const end = now() - w.start;
        const where = `seed ${seed} ${JSON.stringify(brs)}`;
        const latest = Math.max(0, ...brs.map((b) => keyOf(b)[0]));
        if (end !== latest) w.errors.push(`${where}: join ended at ${end}, expected ${latest}`);
        const throwing = brs.filter((b) => (b.k === "gen" || b.k === "async") && b.throws);
        if (throwing.length === 0) {
          if (err !== undefined) w.errors.push(`${where}: join threw ${String(err)}`);
          else
            brs.forEach((b, i) => {
              const v = out![i];
              if ((b.k === "ready" || b.k === "gen" || b.k === "async" || b.k === "recv") && v !== b.id) w.errors.push(`${where}: output ${i} is ${String(v)}`);
              if (b.k === "acquire") (v as SemaphorePermit).release();
            });
        } else if (throwing.length === 1) {
          if ((err as Error)?.message !== `e${throwing[0]!.id}`) w.errors.push(`${where}: join threw ${String(err)}`);
        } else {
          const msgs = err instanceof AggregateError ? err.errors.map((e: Error) => e.message) : [];
          if (JSON.stringify(msgs) !== JSON.stringify(throwing.map((b) => `e${b.id}`))) w.errors.push(`${where}: join threw ${String(err)} ${JSON.stringify(msgs)}`);
        }
        if (err !== undefined) {
          // outputs are lost: give the permits back by hand is impossible; count them as taken
          for (const b of brs) if (b.k === "acquire") w.sems.get(b.id)!.added--;
        }
        checkEffects(w, brs, Infinity, where);
        const got = new Map<number, number>();
        brs.forEach((b) => b.k === "recv" && got.set(b.id, b.id));
        yield* checkLeftovers(w, where, got);
        assert.equal(w.errors, []);
      }),
    opts(),
  );
});

test("tryJoin: the first failure drops the rest at once; without one, every output", async () => {
  await seeds(
    n(800),
    (rt, seed) =>
      rt.blockOn(function* () {
        const w = newWorld(seed, 3);
        yield* sleep(1);
        const brs = Array.from({ length: w.rng.between(1, 6) }, () => genJoinBranch(w, true));
        const throwing = brs.filter((b) => (b.k === "gen" || b.k === "async") && b.throws);
        // a branch that never completes needs a failure to end the join
        if (throwing.length === 0 && brs.some((b) => keyOf(b)[0] === Infinity)) brs.push({ k: "gen", id: w.nextId++, steps: [w.rng.between(1, 9) * 10], throws: true });
        const errs = brs.filter((b) => (b.k === "gen" || b.k === "async") && b.throws);
        w.start = now();
        const futs = brs.map((b) => make(w, b));
        let out: unknown[] | undefined;
        let err: unknown;
        try {
          out = (yield* tryJoin(...(futs as Future<unknown>[]))) as unknown[];
        } catch (e) {
          err = e;
        }
        const end = now() - w.start;
        const where = `seed ${seed} ${JSON.stringify(brs)}`;
        if (errs.length === 0) {
          const latest = Math.max(0, ...brs.map((b) => keyOf(b)[0]));
          if (end !== latest) w.errors.push(`${where}: ended at ${end}, expected ${latest}`);
          if (err !== undefined) w.errors.push(`${where}: threw ${String(err)}`);
          else
            brs.forEach((b, i) => {
              if (b.k === "acquire") (out![i] as SemaphorePermit).release();
              else if (b.k !== "sleep" && out![i] !== b.id) w.errors.push(`${where}: output ${i} is ${String(out![i])}`);
            });
        } else {
          let first = NEVER;
          for (const b of errs) if (cmp(keyOf(b), first) < 0) first = keyOf(b);
          const firsts = errs.filter((b) => cmp(keyOf(b), first) === 0).map((b) => `e${b.id}`);
          if (!firsts.includes((err as Error)?.message)) w.errors.push(`${where}: threw ${String(err)}, expected one of ${JSON.stringify(firsts)}`);
          if (end !== first[0]) w.errors.push(`${where}: failed at ${end}, expected ${first[0]}`);
          // branches that completed before the failure keep what they took: their outputs are lost
          for (const b of brs) {
            if (b.k !== "acquire") continue;
            const sm = w.sems.get(b.id)!;
            if (keyOf(b)[0] < end) sm.added--;
            // ready at the very time of the failure: it may or may not have been polled first
            else if (keyOf(b)[0] === end && sm.sem.availablePermits() === sm.added - 1) sm.added--;
          }
        }
        yield* sleep(500);
        checkEffects(w, brs, end, where);
        const got = new Map<number, number>();
        // receives that completed (before the failure, or all without one) took their message
        for (const b of brs) if (b.k === "recv" && keyOf(b)[0] <= end) got.set(b.id, b.id);
        // a recv at exactly the failure time may or may not have been taken: accept either
        for (const b of brs) if (b.k === "recv" && keyOf(b)[0] === end && errs.length > 0) {
          const c = w.channels.get(b.id)!;
          const r = c.rx.tryRecv();
          if (r.ok && r.value !== b.id) w.errors.push(`${where}: channel ${b.id} gave ${r.value}`);
          if (!r.ok) continue;
          got.delete(b.id);
          c.sent.splice(c.sent.indexOf(b.id), 1);
        }
        yield* checkLeftovers(w, where, got);
        assert.equal(w.errors, []);
      }),
    opts(),
  );
});

test.run();
