// Model-based randomized test of the bounded mpsc channel: several producers using every send
// path (send, trySend, reserve/permit, reserveMany, tryReserve, reserveOwned, sendTimeout), each
// randomly dropped through `timeout`/`select` on the paused clock or aborted, against one
// consumer (itself aborted and replaced at random) mixing recv/recvMany/tryRecv with random
// cancellation, that may close or drop the receiver at a random moment.
//
// Model: every message is pushed into the queue synchronously at the moment its producer learns
// it was sent (send resolved, trySend ok, permit.send) and the producer logs it right then, so
// the log is the queue order. With one receiver, the received sequence must equal that log
// exactly: nothing lost, nothing duplicated, FIFO, and no message whose send was dropped or
// failed. Capacity: queued + slots held by permits never exceed the capacity, and every slot
// comes back at the end.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { mpsc, SendError, SendTimeoutError } from "@tokio-ts/sync";
import { sleep } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { PAUSED, noDeadlock, maybeTimeout, fail, trace } from "./support.js";

/** A larger variant for soak runs (BIG=1 in the environment); the default stays small and fast. */
const BIG = process.env["BIG"] !== undefined;

interface Model {
  cap: number;
  /** Messages in the order they entered the queue. */
  pushed: number[];
  /** Messages whose send was dropped, failed or never made. */
  notSent: Set<number>;
  /** Slots held right now by permits of producers (Permit, PermitIterator, OwnedPermit). */
  held: number;
  maxSeenQueued: number;
  /** Producers that began to run (a task aborted before its first poll never runs its finally). */
  started: number;
  /** The consumer dropped the receiver. */
  dropped: boolean;
}

function checkCapacity(m: Model, rx: mpsc.Receiver<number>, where: string): void {
  const len = rx.len;
  const free = rx.capacity();
  if (len > m.cap) fail(`${where}: ${len} queued in a channel of capacity ${m.cap}`);
  if (free < 0) fail(`${where}: negative capacity ${free}`);
  if (len + m.held + free > m.cap) fail(`${where}: queued ${len} + held ${m.held} + free ${free} > capacity ${m.cap}`);
  m.maxSeenQueued = Math.max(m.maxSeenQueued, len);
}

function* producer(id: number, tx: mpsc.Sender<number>, rx: mpsc.Receiver<number>, m: Model, rng: SeededRng): Generator<unknown, string, unknown> {
  using _tx = tx;
  m.started++;
  let seq = 0;
  let inflight: number | undefined; // a message whose send future is pending
  try {
    const ops = rng.between(2, BIG ? 60 : 14);
    for (let i = 0; i < ops; i++) {
      const v = id * 1000 + seq++;
      const op = rng.below(9);
      trace(`P${id} op${op} v=${v} len=${rx.len} cap=${rx.capacity()} held=${m.held}`);
      if (op === 0 || op === 1) {
        // send, maybe dropped by a timeout
        inflight = v;
        let r: { ok: boolean };
        try {
          r = yield* maybeTimeout(rng, 0.5, 3, tx.send(v));
        } catch (e) {
          inflight = undefined;
          if (!(e instanceof SendError)) throw e;
          if (e.value !== v) fail(`SendError carries ${String(e.value)}, not ${v}`);
          m.notSent.add(v);
          return "closed";
        }
        inflight = undefined;
        if (r.ok) m.pushed.push(v);
        else m.notSent.add(v);
      } else if (op === 2) {
        // send raced against a sleep in a select
        inflight = v;
        let r;
        try {
          r = yield* select({ s: tx.send(v), t: sleep(rng.between(0, 3)) });
        } catch (e) {
          inflight = undefined;
          if (!(e instanceof SendError)) throw e;
          m.notSent.add(v);
          return "closed";
        }
        inflight = undefined;
        if (r.key === "s") m.pushed.push(v);
        else m.notSent.add(v);
      } else if (op === 3) {
        const r = tx.trySend(v);
        if (r.ok) m.pushed.push(v);
        else {
          m.notSent.add(v);
          if (r.error.value !== v) fail("TrySendError lost its value");
          if (r.error.kind === "closed") return "closed";
        }
      } else if (op === 4) {
        // reserve, hold the permit across a sleep, then send or release
        let r;
        try {
          r = yield* maybeTimeout(rng, 0.4, 3, tx.reserve());
        } catch (e) {
          if (!(e instanceof SendError)) throw e;
          m.notSent.add(v);
          return "closed";
        }
        if (!r.ok) { m.notSent.add(v); continue; }
        using permit = r.value;
        m.held++;
        checkCapacity(m, rx, "after reserve");
        try {
          if (rng.next() < 0.5) yield* sleep(rng.between(0, 3));
          if (rng.next() < 0.75) { permit.send(v); m.pushed.push(v); } else { permit.release(); m.notSent.add(v); }
        } finally {
          m.held--; // aborted while sleeping: `using` releases the permit
        }
      } else if (op === 5) {
        // reserveMany(k): send some, give the rest back
        const k = rng.between(0, m.cap);
        let r;
        try {
          r = yield* maybeTimeout(rng, 0.4, 3, tx.reserveMany(k));
        } catch (e) {
          if (!(e instanceof SendError)) throw e;
          m.notSent.add(v);
          return "closed";
        }
        if (!r.ok) { m.notSent.add(v); continue; }
        using permits = r.value;
        if (permits.length !== k) fail(`reserveMany(${k}) gave ${permits.length} slots`);
        m.held += k;
        checkCapacity(m, rx, "after reserveMany");
        let used = 0;
        try {
          if (rng.next() < 0.3) yield* sleep(rng.between(0, 2));
          const n = rng.between(0, k);
          m.notSent.add(v);
          for (let j = 0; j < n; j++) {
            const w = id * 1000 + seq++;
            if (j % 2 === 0) permits.send(w);
            else { const p = permits.next(); if (p.done) fail("iterator ran out"); p.value.send(w); }
            used++;
            m.held--;
            m.pushed.push(w);
          }
        } finally {
          m.held -= k - used;
        }
        permits.release();
      } else if (op === 6) {
        const r = tx.tryReserve();
        if (!r.ok) { m.notSent.add(v); if (r.error.kind === "closed") return "closed"; continue; }
        m.held++;
        r.value.send(v);
        m.held--;
        m.pushed.push(v);
      } else if (op === 7) {
        // sendTimeout with a sleep deadline
        inflight = v;
        try {
          yield* tx.sendTimeout(v, sleep(rng.between(0, 3)));
          inflight = undefined;
          m.pushed.push(v);
        } catch (e) {
          inflight = undefined;
          if (!(e instanceof SendTimeoutError)) throw e;
          if (e.value !== v) fail("SendTimeoutError lost its value");
          m.notSent.add(v);
          if (e.kind === "closed") return "closed";
        }
      } else {
        // reserveOwned, then send from the same task after a yield
        let r;
        try {
          r = yield* maybeTimeout(rng, 0.3, 3, tx.reserveOwned());
        } catch (e) {
          if (!(e instanceof SendError)) throw e;
          m.notSent.add(v);
          return "closed";
        }
        if (!r.ok) { m.notSent.add(v); continue; }
        using owned = r.value;
        m.held++;
        try {
          yield* yieldNow();
          owned.send(v);
          m.pushed.push(v);
        } finally {
          m.held--;
        }
      }
      if (rng.next() < 0.3) yield* sleep(rng.between(0, 2));
      else if (rng.next() < 0.3) yield* yieldNow();
    }
    trace(`P${id} done`);
    return "done";
  } finally {
    trace(`P${id} exits inflight=${inflight}`);
    if (inflight !== undefined) m.notSent.add(inflight); // aborted while its send was pending
  }
}

function* consumer(rx: mpsc.Receiver<number>, m: Model, rng: SeededRng, got: number[]): Generator<unknown, number[], unknown> {
  const closeAfter = rng.next() < 0.5 ? rng.between(0, 20) : -1;
  const dropIt = rng.next() < 0.4;
  for (let step = 0; ; step++) {
    if (step === closeAfter) {
      if (dropIt) { rx[Symbol.dispose](); m.dropped = true; return got; } // drop the receiver: the rest is discarded
      rx.close();
    }
    checkCapacity(m, rx, "consumer");
    const op = rng.below(6);
    trace(`C op${op} len=${rx.len} cap=${rx.capacity()} held=${m.held} closed=${rx.isClosed()}`);
    if (op === 0) {
      const r = yield* maybeTimeout(rng, 0.5, 3, rx.recv());
      if (!r.ok) continue;
      if (r.value === undefined) break;
      got.push(r.value);
    } else if (op === 1) {
      const r = yield* select({ m: rx.recv(), t: sleep(rng.between(0, 2)) });
      if (r.key === "t") continue;
      if (r.value === undefined) break;
      got.push(r.value);
    } else if (op === 2) {
      const buf: number[] = [];
      const limit = rng.between(1, m.cap + 1);
      const r = yield* maybeTimeout(rng, 0.5, 3, rx.recvMany(buf, limit));
      if (!r.ok) { if (buf.length !== 0) fail("a dropped recvMany added to the buffer"); continue; }
      if (r.value !== buf.length) fail(`recvMany said ${r.value} but added ${buf.length}`);
      if (r.value > limit) fail("recvMany exceeded its limit");
      if (r.value === 0) break;
      got.push(...buf);
    } else if (op === 3) {
      const r = rx.tryRecv();
      if (r.ok) got.push(r.value);
      else if (r.error.kind === "disconnected") break;
      else yield* sleep(1);
    } else {
      // a slow consumer: let the producers fill the channel
      yield* sleep(rng.between(0, 3));
      const r = yield* rx.recv();
      if (r === undefined) break;
      got.push(r);
    }
  }
  return got;
}

test("bounded mpsc: random producers and cancellations against one consumer: received == pushed (FIFO, no loss, no dup, no dropped send delivered), capacity conserved", async () => {
  let aborts = 0, consumerAborts = 0, msgs = 0, drops = 0;
  await forEachSeed(process.env["SEEDS"] ? JSON.parse(process.env["SEEDS"]) : 800, (rt, seed) => rt.blockOn(function* () {
    const rng = new SeededRng(seed * 7919 + 1);
    const cap = rng.between(1, BIG ? 9 : 4);
    const m: Model = { cap, pushed: [], notSent: new Set(), held: 0, maxSeenQueued: 0, started: 0, dropped: false };
    const [tx, rx] = mpsc.channel<number>(cap);
    const got = yield* noDeadlock(`seed ${seed}`, function* () {
      const nprod = rng.between(1, BIG ? 8 : 4);
      const producers: JoinHandle<string>[] = [];
      for (let p = 1; p <= nprod; p++) producers.push(spawn(producer(p, tx.clone(), rx, m, new SeededRng(seed * 31 + p))));
      tx.close();
      // Abort only started producers: a generator aborted before its first poll never runs,
      // so its `using` would never close the sender it was given (see the report).
      while (m.started < nprod) yield* yieldNow();
      // One consumer at a time; an aborted consumer is replaced by a new one on the same
      // receiver: its pending receive was dropped and took nothing.
      const got: number[] = [];
      let nc = 0;
      let cons = spawn(consumer(rx, m, new SeededRng(seed * 17 + nc++), got));
      // randomly abort some producers and consumers
      for (const h of producers) {
        if (rng.next() < 0.25) { yield* sleep(rng.between(0, 4)); h.abort(); aborts++; }
        if (rng.next() < 0.2 && !cons.isFinished()) {
          yield* sleep(rng.between(0, 3));
          cons.abort();
          try { yield* cons; } catch (e) { if (!(e as { isCancelled?: () => boolean }).isCancelled?.()) throw e; }
          consumerAborts++;
          if (!m.dropped) cons = spawn(consumer(rx, m, new SeededRng(seed * 17 + nc++), got));
        }
      }
      for (const h of producers) {
        try { yield* h; } catch (e) { if (!(e as { isCancelled?: () => boolean }).isCancelled?.()) throw e; }
      }
      try { yield* cons; } catch (e) { if (!(e as { isCancelled?: () => boolean }).isCancelled?.()) throw e; }
      return got;
    });
    msgs += got.length;
    // received == pushed, in order
    if (m.dropped) assert.equal(got, m.pushed.slice(0, got.length), `seed ${seed}: received is not a prefix of the queue order`);
    else assert.equal(got, m.pushed, `seed ${seed}: received sequence differs from the queue order`);
    for (const v of got) if (m.notSent.has(v)) fail(`seed ${seed}: ${v} was delivered though its send was dropped/failed`);
    assert.is(m.held, 0);
    assert.is(rx.capacity(), cap, `seed ${seed}: every slot is back`);
    assert.is(rx.len, 0);
    assert.is(rx.senderStrongCount(), 0);
    assert.is(rx.tryRecv().ok, false);
    assert.is(yield* rx.recv(), undefined);
    if (m.dropped) drops++;
  }), PAUSED);
  assert.ok(msgs > 1000, `only ${msgs} messages`);
  assert.ok(aborts > 50);
  assert.ok(consumerAborts > 30, `${consumerAborts} consumer aborts`);
  assert.ok(drops > 30, `${drops} drops`);
});

test.run();
