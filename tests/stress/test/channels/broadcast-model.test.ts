// Model-based randomized test of broadcast: several senders (clones) send at random moments,
// receivers subscribe at the start, late (tx.subscribe / rx.resubscribe) or never finish (they
// are disposed or aborted), read with recv/tryRecv, randomly dropped through timeout/select.
//
// Model: sends are synchronous, so the model's `tail` (values accepted so far) is exact at every
// point a task runs. Each receiver must see, from the tail at its subscription, every value in
// order, or a lag error whose count is exactly the number skipped: the next read then returns
// the oldest value kept (tail - capacity). `send` returns the number of live receivers; it
// fails only when there is none. Once every sender is gone each receiver drains what is left
// to it, then gets RecvError "closed".
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { broadcast, RecvError } from "@tokio-ts/sync";
import { sleep } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { PAUSED, noDeadlock, maybeTimeout, fail, trace } from "./support.js";

interface Model {
  cap: number; // rounded up to a power of two
  tail: number; // values accepted
  liveRx: number;
  liveTx: number;
  started: Set<string>;
  lags: number;
  closedSeen: number;
  spawnRx: (rx: broadcast.Receiver<number>) => void;
  /** The next position each live receiver reads. */
  cursors: Map<string, number>;
}

/** Values still to be read by some live receiver, among those the ring keeps. */
function modelLen(m: Model): number {
  let min = m.tail;
  for (const next of m.cursors.values()) min = Math.min(min, next);
  return m.tail - Math.max(min, m.tail - m.cap);
}

function roundUp(n: number): number {
  let r = 1;
  while (r < n) r *= 2;
  return r;
}

function* receiver(name: string, rx: broadcast.Receiver<number>, start: number, m: Model, rng: SeededRng): Generator<unknown, string, unknown> {
  using _rx = rx;
  m.started.add(name);
  let expected = start;
  try {
    const quitAfter = rng.next() < 0.2 ? rng.between(0, 15) : -1;
    for (let step = 0; ; step++) {
      if (step === quitAfter) return "quit"; // disposed by `using`
      if (rx.len !== m.tail - expected) fail(`${name}: len ${rx.len}, model ${m.tail - expected}`);
      const op = rng.below(4);
      let out: { v: number } | { lagged: number } | "closed" | "none";
      if (op === 3) {
        const r = rx.tryRecv();
        if (r.ok) out = { v: r.value };
        else if (r.error.kind === "lagged") out = { lagged: r.error.lagged };
        else if (r.error.kind === "closed") out = "closed";
        else { if (m.tail !== expected) fail(`${name}: tryRecv empty but ${m.tail - expected} unread`); out = "none"; yield* sleep(rng.between(0, 2)); }
      } else {
        try {
          if (op === 2) {
            const r = yield* select({ v: rx.recv(), t: sleep(rng.between(0, 2)) });
            out = r.key === "v" ? { v: r.value } : "none";
          } else {
            const r = yield* maybeTimeout(rng, 0.5, 2, rx.recv());
            out = r.ok ? { v: r.value } : "none";
          }
        } catch (e) {
          if (!(e instanceof RecvError)) throw e;
          out = e.kind === "lagged" ? { lagged: e.lagged } : "closed";
        }
      }
      if (rng.next() < 0.05) {
        // resubscribe: a new receiver from the current tail, whatever this one has left to read
        m.liveRx++;
        m.spawnRx(rx.resubscribe());
      }
      if (out === "none") continue;
      if (out === "closed") {
        if (m.liveTx !== 0) fail(`${name}: closed while ${m.liveTx} senders live`);
        if (expected !== m.tail) fail(`${name}: closed with ${m.tail - expected} values unread`);
        m.closedSeen++;
        return "closed";
      }
      if ("lagged" in out) {
        const oldest = m.tail - m.cap;
        trace(`${name} lagged ${out.lagged} expected=${expected} tail=${m.tail}`);
        if (out.lagged <= 0) fail(`${name}: lagged by ${out.lagged}`);
        if (expected + out.lagged !== oldest) fail(`${name}: lagged by ${out.lagged} from ${expected}, but the oldest kept is ${oldest}`);
        expected = oldest;
        m.cursors.set(name, expected);
        m.lags++;
        continue;
      }
      trace(`${name} got ${out.v}`);
      if (out.v !== expected) fail(`${name}: got ${out.v}, expected ${expected} (tail ${m.tail}, cap ${m.cap})`);
      if (m.tail - expected > m.cap) fail(`${name}: got ${out.v} although it was overwritten`);
      expected++;
      m.cursors.set(name, expected);
      if (rng.next() < 0.3) yield* sleep(rng.between(0, 3)); // a slow receiver lags
    }
  } finally {
    m.liveRx--;
    m.cursors.delete(name);
  }
}

test("broadcast: random senders, late/resubscribed receivers, random drops and aborts: in order, exact lag counts, closed after the rest", async () => {
  let lags = 0, closedSeen = 0, values = 0;
  await forEachSeed(process.env["SEEDS"] ? JSON.parse(process.env["SEEDS"]) : 800, (rt, seed) => rt.blockOn(function* () {
    const rng = new SeededRng(seed * 104729 + 7);
    const asked = rng.between(1, 5);
    const m: Model = { cap: roundUp(asked), tail: 0, liveRx: 1, liveTx: 1, started: new Set(), lags: 0, closedSeen: 0, spawnRx: () => {}, cursors: new Map() };
    const [tx0, rx0] = broadcast.channel<number>(asked);
    yield* noDeadlock(`seed ${seed}`, function* () {
      const rxTasks: JoinHandle<string>[] = [];
      let nrx = 0;
      const spawnRx = m.spawnRx = (rx: broadcast.Receiver<number>) => {
        const name = `R${nrx}`;
        m.cursors.set(name, m.tail);
        rxTasks.push(spawn(receiver(name, rx, m.tail, m, new SeededRng(seed * 7 + nrx++))));
      };
      spawnRx(rx0);
      // a watcher of closed(): resolves once no receiver is left
      // (the future outlives the sender it came from: closed() is about the receivers)
      const closedFut = tx0.closed();
      const closedWatch = spawn(function* () {
        yield* closedFut;
        return m.liveRx;
      });
      const senders: JoinHandle<void>[] = [];
      const nTx = rng.between(1, 3);
      for (let s = 0; s < nTx; s++) {
        const tx = tx0.clone();
        m.liveTx++;
        const sr = new SeededRng(seed * 11 + s);
        senders.push(spawn(function* () {
          using _tx = tx;
          try {
            const n = sr.between(0, 25);
            for (let i = 0; i < n; i++) {
              const r = tx.send(m.tail);
              if (r.ok) {
                if (m.liveRx === 0) fail("send succeeded with no receiver");
                if (r.value !== m.liveRx) fail(`send says ${r.value} receivers, model ${m.liveRx}`);
                m.tail++;
              } else {
                if (m.liveRx !== 0) fail(`send failed with ${m.liveRx} receivers`);
                if (r.error.value !== m.tail) fail("SendError lost its value");
              }
              if (tx.len !== modelLen(m)) fail(`tx.len ${tx.len}, model ${modelLen(m)} (tail ${m.tail}, cap ${m.cap}, cursors ${[...m.cursors.values()]})`);
              if (sr.next() < 0.1 && m.liveRx > 0) {
                // a late receiver: subscribe, or resubscribe from another receiver (same start: the tail)
                m.liveRx++;
                spawnRx(tx.subscribe());
              }
              const d = sr.next();
              if (d < 0.35) yield* sleep(sr.between(0, 2));
              else if (d < 0.6) yield* yieldNow();
            }
          } finally {
            m.liveTx--;
          }
        }));
      }
      tx0.close();
      m.liveTx--;
      // abort some receivers once they run (never R0)
      while (!m.started.has("R0")) yield* yieldNow();
      for (let k = 0; k < 3; k++) {
        yield* sleep(rng.between(0, 6));
        if (rxTasks.length > 1 && rng.next() < 0.4) {
          const i = rng.between(1, rxTasks.length - 1);
          // only abort a receiver that has started, or it would never be disposed (see report)
          if (m.started.has(`R${i}`)) rxTasks[i]!.abort();
        }
      }
      for (const h of senders) yield* h;
      for (const h of rxTasks) {
        try { yield* h; } catch (e) { if (!(e as { isCancelled?: () => boolean }).isCancelled?.()) throw e; }
      }
      if (m.liveRx !== 0) fail(`${m.liveRx} receivers left`);
      assert.is(yield* closedWatch, 0);
    });
    lags += m.lags; closedSeen += m.closedSeen; values += m.tail;
  }), PAUSED);
  assert.ok(lags > 30, `only ${lags} lags`);
  assert.ok(closedSeen > 100, `only ${closedSeen} closes seen`);
  assert.ok(values > 1000);
});

test.run();
