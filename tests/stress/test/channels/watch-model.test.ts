// Model-based randomized test of watch: senders (clones) change the value with send,
// sendModify, sendIfModified (sometimes reporting no change) and sendReplace; receivers (cloned,
// subscribed late, aborted) wait with changed()/waitFor(), randomly dropped through
// timeout/select, and read with borrow/borrowAndUpdate/hasChanged/markChanged.
//
// The value is the version number of the last announced change, so it increases with each
// change. Invariants: after changed() the value is newer than the one last marked seen (a
// change is never reported twice), waitFor returns a value that satisfies its predicate and is
// not older than the value at the call, hasChanged() agrees with the model, and once every
// sender is gone each receiver has seen the final value before changed() fails with "closed".
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { watch, RecvError } from "@tokio-ts/sync";
import { sleep } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { PAUSED, noDeadlock, maybeTimeout, fail } from "./support.js";

interface Model {
  version: number; // == the value
  liveTx: number;
  liveRx: number;
  started: Set<string>;
  finals: number;
  changes: number;
}

function* receiver(name: string, rx: watch.Receiver<number>, seenAtStart: number, m: Model, rng: SeededRng): Generator<unknown, string, unknown> {
  using _rx = rx;
  m.started.add(name);
  let seen = seenAtStart; // the value last marked as seen
  let forced = false; // markChanged(): the next changed() may return the same value
  try {
    const quitAfter = rng.next() < 0.15 ? rng.between(0, 10) : -1;
    for (let step = 0; ; step++) {
      if (step === quitAfter) return "quit";
      const hc = rx.hasChanged();
      if (m.liveTx === 0) { if (hc.ok) fail(`${name}: hasChanged ok after close`); }
      else if (!hc.ok || hc.value !== (forced || m.version !== seen)) fail(`${name}: hasChanged ${JSON.stringify(hc)} with seen ${seen}, version ${m.version}, forced ${forced}`);
      const op = rng.below(7);
      try {
        if (op <= 2) {
          const fut = rx.changed();
          const r = op === 0 ? yield* maybeTimeout(rng, 0.5, 3, fut) : op === 1 ? { ok: (yield* select({ c: fut, t: sleep(rng.between(0, 3)) })).key === "c" } : { ok: (yield* fut, true) };
          if (!r.ok) continue;
          const v = rx.borrow();
          if (v !== m.version) fail(`${name}: borrow ${v}, model ${m.version}`);
          if (forced ? v < seen : v <= seen) fail(`${name}: changed() fired for ${v} after seeing ${seen} (forced ${forced})`);
          seen = v;
          forced = false;
          m.changes++;
        } else if (op === 3) {
          const k = rng.between(2, 4);
          const atCall = m.version;
          const r = yield* maybeTimeout(rng, 0.5, 4, rx.waitFor((x) => x % k === 0));
          if (!r.ok) { rx.borrowAndUpdate(); seen = m.version; forced = false; continue; } // it marked what it checked: resync
          if (r.value % k !== 0) fail(`${name}: waitFor returned ${r.value}, not a multiple of ${k}`);
          if (r.value < atCall) fail(`${name}: waitFor returned ${r.value}, older than ${atCall} at the call`);
          rx.borrowAndUpdate(); // resync: waitFor marks what it checked
          seen = m.version; forced = false;
        } else if (op === 4) {
          const v = rx.borrowAndUpdate();
          if (v !== m.version) fail(`${name}: borrowAndUpdate ${v}, model ${m.version}`);
          seen = v; forced = false;
          yield* sleep(rng.between(0, 2));
        } else if (op === 5) {
          rx.markChanged();
          forced = true;
        } else {
          yield* sleep(rng.between(0, 3));
        }
      } catch (e) {
        if (!(e instanceof RecvError) || e.kind !== "closed") throw e;
        if (m.liveTx !== 0) fail(`${name}: closed while ${m.liveTx} senders live`);
        const last = rx.borrow();
        if (last !== m.version) fail(`${name}: final borrow ${last}, model ${m.version}`);
        if (op <= 2 && !forced && seen !== m.version) fail(`${name}: changed() failed "closed" before reporting the final value ${m.version} (seen ${seen})`);
        m.finals++;
        return "closed";
      }
    }
  } finally {
    m.liveRx--;
  }
}

test("watch: random senders and receivers with random drops and aborts: no change reported twice, none missed at the end, hasChanged/waitFor agree with the model", async () => {
  let finals = 0, changes = 0;
  await forEachSeed(process.env["SEEDS"] ? JSON.parse(process.env["SEEDS"]) : 800, (rt, seed) => rt.blockOn(function* () {
    const rng = new SeededRng(seed * 15485863 + 3);
    const m: Model = { version: 0, liveTx: 1, liveRx: 1, started: new Set(), finals: 0, changes: 0 };
    const [tx0, rx0] = watch.channel<number>(0);
    yield* noDeadlock(`seed ${seed}`, function* () {
      const rxTasks: JoinHandle<string>[] = [];
      let nrx = 0;
      const spawnRx = (rx: watch.Receiver<number>, seen: number) => {
        const name = `R${nrx}`;
        rxTasks.push(spawn(receiver(name, rx, seen, m, new SeededRng(seed * 3 + nrx++))));
      };
      spawnRx(rx0, 0);
      const closedFut = tx0.closed();
      const closedWatch = spawn(function* () {
        try { yield* closedFut; return "no receivers"; } catch { return "senders gone"; }
      });
      const senders: JoinHandle<void>[] = [];
      const nTx = rng.between(1, 3);
      for (let s = 0; s < nTx; s++) {
        const tx = tx0.clone();
        m.liveTx++;
        const sr = new SeededRng(seed * 19 + s);
        senders.push(spawn(function* () {
          using _tx = tx;
          try {
            const n = sr.between(0, 20);
            for (let i = 0; i < n; i++) {
              const next = m.version + 1;
              const op = sr.below(5);
              if (op === 0) {
                const r = tx.send(next);
                if (r.ok !== (m.liveRx > 0)) fail(`send ok=${r.ok} with ${m.liveRx} receivers`);
                if (r.ok) m.version = next;
              } else if (op === 1) {
                tx.sendModify((c) => { c.value = next; });
                m.version = next;
              } else if (op === 2) {
                const change = sr.next() < 0.6;
                const r = tx.sendIfModified((c) => { if (change) c.value = next; return change; });
                if (r !== change) fail("sendIfModified returned something else than modify");
                if (change) m.version = next;
              } else if (op === 3) {
                const old = tx.sendReplace(next);
                if (old !== m.version) fail(`sendReplace gave back ${old}, model ${m.version}`);
                m.version = next;
              } else if (m.liveRx > 0) {
                // a late receiver, from the sender or as a clone of... the sender's view: current value seen
                m.liveRx++;
                spawnRx(tx.subscribe(), m.version);
              }
              if (tx.borrow() !== m.version) fail(`sender borrow ${tx.borrow()}, model ${m.version}`);
              if (tx.receiverCount() !== m.liveRx) fail(`receiverCount ${tx.receiverCount()}, model ${m.liveRx}`);
              const d = sr.next();
              if (d < 0.35) yield* sleep(sr.between(0, 3));
              else if (d < 0.6) yield* yieldNow();
            }
          } finally {
            m.liveTx--;
          }
        }));
      }
      tx0.close();
      m.liveTx--;
      while (!m.started.has("R0")) yield* yieldNow();
      for (let k = 0; k < 3; k++) {
        yield* sleep(rng.between(0, 6));
        const i = rng.between(0, rxTasks.length - 1);
        if (i > 0 && rng.next() < 0.4 && m.started.has(`R${i}`)) rxTasks[i]!.abort();
      }
      for (const h of senders) yield* h;
      for (const h of rxTasks) {
        try { yield* h; } catch (e) { if (!(e as { isCancelled?: () => boolean }).isCancelled?.()) throw e; }
      }
      if (m.liveRx !== 0) fail(`${m.liveRx} receivers left`);
      const how = yield* closedWatch;
      if (how !== "no receivers" && how !== "senders gone") fail(how);
    });
    finals += m.finals; changes += m.changes;
  }), PAUSED);
  assert.ok(finals > 100, `only ${finals} receivers saw the close`);
  assert.ok(changes > 1000, `only ${changes} changes seen`);
});

test.run();
