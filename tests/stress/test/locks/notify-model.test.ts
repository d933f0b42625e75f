import { test } from "uvu";
import * as assert from "uvu/assert";
import { Pending } from "@tokio-ts/core";
import { mockTask, SeededRng, type MockTask } from "@tokio-ts/test-util";
import { Notify, type Notified } from "@tokio-ts/sync";

/**
 * Tokio's Notify as a plain model: one stored permit at most, a FIFO of queued waiters,
 * notifyWaiters() wakes the queued ones and every Notified created before it.
 */
type MState = "init" | "waiting" | "done" | "dropped";
interface MNotified {
  state: MState;
  epoch: number; // notifyWaiters calls at creation
  handed: "none" | "fifo" | "lifo" | "all";
  hasWaker: boolean;
}
class Model {
  permit = false;
  calls = 0;
  queue: MNotified[] = [];

  create(): MNotified {
    return { state: "init", epoch: this.calls, handed: "none", hasWaker: false };
  }
  /** poll or enable: whether ready. */
  pollNotified(n: MNotified, withWaker: boolean): boolean {
    if (n.state === "init") {
      if (this.calls !== n.epoch) return ((n.state = "done"), true);
      if (this.permit) {
        this.permit = false;
        n.state = "done";
        return true;
      }
      n.state = "waiting";
      n.hasWaker = withWaker;
      this.queue.push(n);
      return false;
    }
    if (n.state === "waiting") {
      if (n.handed !== "none") {
        n.handed = "none";
        n.state = "done";
        return true;
      }
      if (withWaker) n.hasWaker = true;
      return false;
    }
    if (n.state === "done") return true;
    throw new Error("model: used after drop");
  }
  /** Returns the waiter woken (if any). */
  notifyOne(lifo: boolean): MNotified | undefined {
    const w = lifo ? this.queue.pop() : this.queue.shift();
    if (w === undefined) {
      this.permit = true;
      return undefined;
    }
    w.handed = lifo ? "lifo" : "fifo";
    return w;
  }
  notifyWaiters(): MNotified[] {
    this.calls++;
    const q = this.queue;
    this.queue = [];
    for (const w of q) w.handed = "all";
    return q;
  }
  drop(n: MNotified): MNotified | undefined {
    const prev = n.state;
    n.state = "dropped";
    if (prev !== "waiting") return undefined;
    const i = this.queue.indexOf(n);
    if (i >= 0) this.queue.splice(i, 1);
    const h = n.handed;
    n.handed = "none";
    if (h === "fifo" || h === "lifo") return this.notifyOne(h === "lifo");
    return undefined;
  }
}

interface Pair {
  m: MNotified;
  n: Notified;
  task: MockTask<void>;
  polled: boolean;
}

function run(seed: number, ops: number): void {
  const rng = new SeededRng(seed);
  const notify = new Notify();
  const model = new Model();
  const live: Pair[] = [];
  const trace: string[] = [];
  const check = (cond: boolean, msg: string) => {
    if (!cond) throw new Error(`seed ${seed}: ${msg}\ntrace: ${trace.join("; ")}`);
  };
  const expectWoken = (w: MNotified | undefined) => {
    if (w === undefined) return;
    const p = live.find((x) => x.m === w)!;
    if (p.polled) check(p.task.isWoken(), `the waiter notified (#${live.indexOf(p)}) was not woken`);
  };
  for (let step = 0; step < ops; step++) {
    const op = rng.below(10);
    const pick = (): Pair | undefined => {
      const alive = live.filter((p) => p.m.state !== "dropped" && p.m.state !== "done");
      return alive.length === 0 ? undefined : alive[rng.below(alive.length)];
    };
    if (op <= 1 || live.length === 0) {
      const n = notify.notified();
      live.push({ m: model.create(), n, task: mockTask(n), polled: false });
      trace.push(`new#${live.length - 1}`);
    } else if (op === 2) {
      const p = pick();
      if (!p) continue;
      trace.push(`poll#${live.indexOf(p)}`);
      const exp = model.pollNotified(p.m, true);
      const got = p.task.poll() !== Pending;
      p.polled = true;
      check(got === exp, `poll#${live.indexOf(p)}: got ready=${got}, model ${exp}`);
    } else if (op === 3) {
      const p = pick();
      if (!p) continue;
      trace.push(`enable#${live.indexOf(p)}`);
      const exp = model.pollNotified(p.m, false);
      const got = p.n.enable();
      check(got === exp, `enable#${live.indexOf(p)}: got ${got}, model ${exp}`);
    } else if (op === 4 || op === 5) {
      const lifo = op === 5;
      trace.push(lifo ? "notifyLast" : "notifyOne");
      const w = model.notifyOne(lifo);
      if (lifo) notify.notifyLast();
      else notify.notifyOne();
      expectWoken(w);
    } else if (op === 6) {
      trace.push("notifyWaiters");
      const ws = model.notifyWaiters();
      notify.notifyWaiters();
      for (const w of ws) expectWoken(w);
    } else {
      const p = pick();
      if (!p) continue;
      trace.push(`drop#${live.indexOf(p)}`);
      const w = model.drop(p.m);
      p.n.cancel();
      expectWoken(w);
    }
  }
  // Settle: every live one, enabled now, must agree with the model, then notifyWaiters frees all.
  for (const p of live) {
    if (p.m.state === "dropped" || p.m.state === "done") continue;
    const exp = model.pollNotified(p.m, false);
    check(p.n.enable() === exp, `final enable#${live.indexOf(p)}: model ${exp}`);
  }
  // The stored permit agrees: a fresh notified() takes it iff the model has it.
  const fresh = notify.notified();
  const mf = model.create();
  check(fresh.enable() === model.pollNotified(mf, false), `final permit: model permit ${model.permit}`);
  model.notifyWaiters();
  notify.notifyWaiters();
  for (const p of live) if (p.m.state === "waiting") check(p.n.enable(), "notifyWaiters left a waiter behind");
  check(fresh.enable(), "notifyWaiters left the fresh waiter behind");
}

test("notify: random notifyOne/notifyLast/notifyWaiters/enable/poll/drop sequences match Tokio's model", () => {
  for (let seed = 0; seed < 3000; seed++) run(seed, 40);
});

test("notify: a dropped waiter that was handed notifyOne passes it on (long sequences)", () => {
  for (let seed = 0; seed < 300; seed++) run(100_000 + seed, 300);
});

test.run();
