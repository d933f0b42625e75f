// Several receive futures on one mpsc receiver at once (JavaScript lets tasks share the
// receiver; chan.ts is written for it: "a push notifies the head waiter only, so each message
// wakes one receive future"). Invariants: every message is received exactly once, and once the
// channel is closed and drained every pending receive completes (undefined / 0 / loop ends).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng, mockTask, assertPending, assertReady } from "@tokio-ts/test-util";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { mpsc } from "@tokio-ts/sync";
import { sleep } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { PAUSED, noDeadlock, maybeTimeout } from "./support.js";

for (const kind of ["bounded", "unbounded"] as const) {
  test(`${kind} (hand-stepped): the receive that takes the last message of a closed channel wakes the other waiting receives`, () => {
    for (const how of ["recv", "tryRecv", "recvMany"] as const) {
      const [tx, rx] = kind === "bounded" ? mpsc.channel<number>(4) : mpsc.unboundedChannel<number>();
      const a = mockTask(rx.recv());
      const b = mockTask(rx.recv());
      assertPending(a.poll());
      assertPending(b.poll());
      if (tx instanceof mpsc.Sender) tx.trySend(1); else tx.send(1); // wakes a only
      tx.close();
      if (how === "recv") assertReady(a.poll(), 1);
      else if (how === "tryRecv") assert.equal(rx.tryRecv(), { ok: true, value: 1 });
      else { const buf: number[] = []; assertReady(mockTask(rx.recvMany(buf, 8)).poll(), 1); }
      assert.ok(b.isWoken(), `${how} took the last message of a closed channel: b must be woken to see the end`);
      assertReady(b.poll(), undefined);
      a.drop();
    }
  });

  test(`${kind}: two waiting recv(), one message, then the last sender closes: the second recv resolves undefined`, async () => {
    await forEachSeed(20, (rt) => rt.blockOn(function* () {
      const [tx, rx] = kind === "bounded" ? mpsc.channel<string>(4) : mpsc.unboundedChannel<string>();
      const a = spawn(function* () { return yield* rx.recv(); });
      const b = spawn(function* () { return yield* rx.recv(); });
      for (let i = 0; i < 4; i++) yield* yieldNow();
      if (tx instanceof mpsc.Sender) tx.trySend("m"); else tx.send("m");
      tx.close();
      yield* sleep(1000);
      const finished = [a.isFinished(), b.isFinished()];
      a.abort(); b.abort();
      assert.equal(finished, [true, true], "every recv() completes once the channel is closed and drained");
    }), PAUSED);
  });

  test(`${kind}: rx.close() with a message that woke one of two waiting recv(): the other still ends`, async () => {
    await forEachSeed(20, (rt) => rt.blockOn(function* () {
      const [tx, rx] = kind === "bounded" ? mpsc.channel<string>(4) : mpsc.unboundedChannel<string>();
      const a = spawn(function* () { return yield* rx.recv(); });
      const b = spawn(function* () { return yield* rx.recv(); });
      for (let i = 0; i < 4; i++) yield* yieldNow();
      if (tx instanceof mpsc.Sender) tx.trySend("m"); else tx.send("m");
      rx.close();
      yield* sleep(1000);
      const finished = [a.isFinished(), b.isFinished()];
      a.abort(); b.abort();
      tx.close();
      assert.equal(finished, [true, true]);
    }), PAUSED);
  });

  test(`${kind}: a pool of workers sharing the receiver (recv, recvMany, select/timeout drops, aborts) gets every message once and every worker ends`, async () => {
    await forEachSeed(150, (rt, seed) => rt.blockOn(function* () {
      const rng = new SeededRng(seed + 101);
      const cap = rng.between(1, 3);
      const [tx, rx] = kind === "bounded" ? mpsc.channel<number>(cap) : mpsc.unboundedChannel<number>();
      const sent: number[] = [];
      const got: number[] = [];
      yield* noDeadlock(`seed ${seed}`, function* () {
        const workers: JoinHandle<void>[] = [];
        const nw = rng.between(2, 4);
        for (let w = 0; w < nw; w++) {
          const wr = new SeededRng(seed * 13 + w);
          workers.push(spawn(function* () {
            for (;;) {
              const op = wr.below(3);
              if (op === 0) {
                const r = yield* maybeTimeout(wr, 0.4, 2, rx.recv());
                if (!r.ok) continue;
                if (r.value === undefined) return;
                got.push(r.value);
              } else if (op === 1) {
                const buf: number[] = [];
                const r = yield* maybeTimeout(wr, 0.4, 2, rx.recvMany(buf, wr.between(1, 3)));
                if (!r.ok) continue;
                if (r.value === 0) return;
                got.push(...buf);
              } else {
                const r = yield* select({ m: rx.recv(), t: sleep(wr.between(0, 2)) });
                if (r.key === "t") continue;
                if (r.value === undefined) return;
                got.push(r.value);
              }
              if (wr.next() < 0.3) yield* sleep(wr.between(0, 2));
            }
          }));
        }
        const n = rng.between(1, 30);
        for (let i = 0; i < n; i++) {
          if (tx instanceof mpsc.Sender) yield* tx.send(i); else tx.send(i);
          sent.push(i);
          if (rng.next() < 0.08) workers[rng.between(1, nw - 1)]!.abort(); // worker 0 is never aborted
          if (rng.next() < 0.3) yield* sleep(rng.between(0, 2));
          else if (rng.next() < 0.3) yield* yieldNow();
        }
        tx.close();
        for (const h of workers) {
          try { yield* h; } catch (e) { if (!(e as { isCancelled?: () => boolean }).isCancelled?.()) throw e; }
        }
      });
      assert.equal([...got].sort((a, b) => a - b), sent, `seed ${seed}: every message exactly once`);
    }), PAUSED);
  });
}

test("async-function workers sharing the receiver with for await all end after the last sender closes (no runtime)", async () => {
  for (let seed = 0; seed < 30; seed++) {
    const rng = new SeededRng(seed + 9);
    const [tx, rx] = seed % 2 === 0 ? mpsc.channel<number>(8) : mpsc.unboundedChannel<number>();
    const got: number[] = [];
    let ended = 0;
    const nw = rng.between(2, 4);
    const workers = Array.from({ length: nw }, async () => {
      for await (const job of rx) { got.push(job); for (let i = rng.below(3); i > 0; i--) await null; }
      ended++;
    });
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r)); // every worker waits
    const n = rng.between(1, 6);
    for (let i = 0; i < n; i++) {
      if (tx instanceof mpsc.Sender) tx.trySend(i); else tx.send(i);
      if (rng.next() < 0.3) await null;
    }
    tx.close();
    for (let i = 0; i < 50 && ended < nw; i++) await new Promise((r) => setImmediate(r));
    assert.is(ended, nw, `seed ${seed}: ${nw - ended} of ${nw} workers never saw the end of the channel`);
    await Promise.all(workers);
    assert.equal(got.sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  }
});

test.run();
