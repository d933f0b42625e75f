// Model-based randomized test of the unbounded mpsc channel, with weak senders, closed()
// watchers and a consumer that mixes recv/recvMany/tryRecv and a hand-written future over
// pollRecv, randomly dropped, and that may close() or drop the receiver at a random moment.
//
// Model: sends are synchronous and logged at once, so the log is the queue order. The consumer
// receives exactly a prefix of the log (all of it unless it dropped the receiver); a send
// fails iff the receiver closed/dropped; upgrade() gives a sender iff one is open; closed()
// resolves once the receiver closed or dropped; every task ends.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { mpsc } from "@tokio-ts/sync";
import { Future, Pending, type Context, type Poll } from "@tokio-ts/core";
import { sleep } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { PAUSED, noDeadlock, maybeTimeout, fail } from "./support.js";

/** A hand-written receive over pollRecv (Tokio's poll_recv in a custom future). */
class PollRecv<T> extends Future<T | undefined> {
  constructor(private readonly rx: mpsc.UnboundedReceiver<T>) { super(); }
  override poll(cx: Context): Poll<T | undefined> {
    return this.rx.pollRecv(cx);
  }
}

interface Model {
  pushed: number[];
  strong: number;
  rxClosed: boolean;
  started: Set<number>;
}

test("unbounded mpsc: producers, weak senders, closed() watchers and a consumer with random drops, close and drop: received is the queue order (a prefix once dropped)", async () => {
  let total = 0, drops = 0;
  await forEachSeed(process.env["SEEDS"] ? JSON.parse(process.env["SEEDS"]) : 800, (rt, seed) => rt.blockOn(function* () {
    const rng = new SeededRng(seed * 48271 + 11);
    const [tx0, rx] = mpsc.unboundedChannel<number>();
    const m: Model = { pushed: [], strong: 1, rxClosed: false, started: new Set() };
    const weak = tx0.downgrade();
    let dropped = false;
    const got = yield* noDeadlock(`seed ${seed}`, function* () {
      const producers: JoinHandle<void>[] = [];
      const np = rng.between(1, 4);
      for (let p = 1; p <= np; p++) {
        const tx = tx0.clone();
        m.strong++;
        const pr = new SeededRng(seed * 5 + p);
        producers.push(spawn(function* () {
          m.started.add(p);
          let cur: mpsc.UnboundedSender<number> | undefined = tx;
          try {
            const n = pr.between(0, 20);
            for (let i = 0; i < n && cur !== undefined; i++) {
              const v = p * 1000 + i;
              const r = cur.send(v);
              if (r.ok === m.rxClosed) fail(`send ok=${r.ok} with the receiver closed=${m.rxClosed}`);
              if (!r.ok) { if (r.error.value !== v) fail("SendError lost its value"); break; }
              m.pushed.push(v);
              const op = pr.below(6);
              if (op === 0) yield* sleep(pr.between(0, 3));
              else if (op === 1) yield* yieldNow();
              else if (op === 2) {
                // wait for the receiver to go, or give up
                const c = cur.closed();
                const r2 = yield* select({ c, t: sleep(pr.between(0, 3)) });
                if (r2.key === "c" && !m.rxClosed) fail("closed() resolved while the receiver is open");
                if (r2.key === "c") break;
              } else if (op === 3) {
                // hand over to an upgraded weak sender
                const up = weak.upgrade();
                if ((up === undefined) !== (m.strong === 0)) fail(`upgrade gave ${up} with ${m.strong} strong`);
                if (up !== undefined) {
                  m.strong++;
                  cur.close();
                  m.strong--;
                  cur = up;
                }
              }
              if (cur.strongCount() !== m.strong) fail(`strongCount ${cur.strongCount()}, model ${m.strong}`);
            }
          } finally {
            if (cur !== undefined) { cur.close(); m.strong--; }
          }
        }));
      }
      tx0.close();
      m.strong--;
      const consumer = spawn(function* () {
        const got: number[] = [];
        const endAt = rng.next() < 0.5 ? rng.between(0, 25) : -1;
        const dropIt = rng.next() < 0.5;
        for (let step = 0; ; step++) {
          if (step === endAt) {
            m.rxClosed = true;
            if (dropIt) { rx[Symbol.dispose](); dropped = true; drops++; return got; }
            rx.close();
          }
          const op = rng.below(5);
          if (op === 0) {
            const r = yield* maybeTimeout(rng, 0.5, 3, rx.recv());
            if (!r.ok) continue;
            if (r.value === undefined) return got;
            got.push(r.value);
          } else if (op === 1) {
            const buf: number[] = [];
            const r = yield* maybeTimeout(rng, 0.5, 3, rx.recvMany(buf, rng.between(1, 5)));
            if (!r.ok) { if (buf.length) fail("dropped recvMany filled the buffer"); continue; }
            if (r.value === 0) return got;
            got.push(...buf);
          } else if (op === 2) {
            const r = yield* select({ v: new PollRecv(rx), t: sleep(rng.between(0, 3)) });
            if (r.key === "t") continue;
            if (r.value === undefined) return got;
            got.push(r.value);
          } else if (op === 3) {
            const r = rx.tryRecv();
            if (r.ok) got.push(r.value);
            else if (r.error.kind === "disconnected") return got;
            else yield* sleep(1);
          } else {
            const r = yield* new PollRecv(rx);
            if (r === undefined) return got;
            got.push(r);
          }
        }
      });
      while (m.started.size < np) yield* yieldNow();
      for (const h of producers) if (rng.next() < 0.2) { yield* sleep(rng.between(0, 4)); h.abort(); }
      for (const h of producers) {
        try { yield* h; } catch (e) { if (!(e as { isCancelled?: () => boolean }).isCancelled?.()) throw e; }
      }
      return yield* consumer;
    });
    total += got.length;
    if (dropped) assert.equal(got, m.pushed.slice(0, got.length), `seed ${seed}: a prefix of the queue order`);
    else assert.equal(got, m.pushed, `seed ${seed}: the queue order`);
    assert.is(m.strong, 0);
    assert.is(weak.upgrade(), undefined);
    assert.is(rx.senderWeakCount(), 1);
    weak[Symbol.dispose]();
    assert.is(rx.senderWeakCount(), 0);
    assert.is(rx.senderStrongCount(), 0);
    if (!dropped) assert.is(yield* rx.recv(), undefined);
  }), PAUSED);
  assert.ok(total > 1000, `${total}`);
  assert.ok(drops > 30);
});

test.run();
