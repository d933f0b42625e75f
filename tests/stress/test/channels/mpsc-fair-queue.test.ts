// Waiting senders of a bounded channel are served in the order they started waiting, and a
// send or reserve dropped while it waits (timeout, select, abort) sends nothing and lets the
// next one in line proceed (Tokio: "send ... uses a queue to ensure that calls to send and
// reserve complete in the order they were requested"). With capacity 1 and a consumer that
// takes one message at a time, the delivery order is then exactly the waiting order minus the
// dropped ones.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import { mpsc } from "@tokio-ts/sync";
import { sleep } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { PAUSED, noDeadlock, maybeTimeout, fail } from "./support.js";

test("capacity 1: senders and reservers waiting in line, randomly dropped or aborted, deliver in line order and the dropped ones deliver nothing", async () => {
  let dropped = 0, delivered = 0;
  await forEachSeed(process.env["SEEDS"] ? JSON.parse(process.env["SEEDS"]) : 600, (rt, seed) => rt.blockOn(function* () {
    const rng = new SeededRng(seed * 7777 + 13);
    const [tx, rx] = mpsc.channel<number>(1);
    tx.trySend(-1); // full: everyone below waits in line
    const line: number[] = []; // in the order their first poll queued them
    const ok = new Set<number>();
    const started = new Set<number>();
    const got: number[] = yield* noDeadlock(`seed ${seed}`, function* () {
      const n = rng.between(2, 10);
      const hs: JoinHandle<void>[] = [];
      for (let i = 0; i < n; i++) {
        const sr = new SeededRng(seed * 101 + i);
        const mine = tx.clone();
        hs.push(spawn(function* () {
          using t = mine;
          started.add(i);
          if (sr.next() < 0.5) yield* sleep(sr.between(0, 3)); // join the line at a random moment
          const op = sr.below(3);
          line.push(i); // the poll below queues it at once: the channel is full or someone waits
          if (op === 0) {
            const r = yield* maybeTimeout(sr, 0.4, 6, t.send(i));
            if (r.ok) ok.add(i);
          } else if (op === 1) {
            const r = yield* select({ s: t.send(i), t: sleep(sr.between(0, 6)) });
            if (r.key === "s") ok.add(i);
          } else {
            const r = yield* maybeTimeout(sr, 0.4, 6, t.reserve());
            if (r.ok) {
              using p = r.value;
              if (sr.next() < 0.5) yield* sleep(sr.between(0, 2)); // holds the only slot meanwhile
              if (sr.next() < 0.8) { p.send(i); ok.add(i); }
            }
          }
        }));
      }
      tx.close();
      const got: number[] = [];
      const consumer = spawn(function* () {
        for (;;) {
          yield* sleep(rng.between(0, 2)); // slow: the line builds up
          const v = yield* rx.recv();
          if (v === undefined) return;
          got.push(v);
        }
      });
      for (let k = 0; k < 2; k++) {
        yield* sleep(rng.between(0, 5));
        const i = rng.below(n);
        if (started.has(i) && rng.next() < 0.5) hs[i]!.abort();
      }
      for (const h of hs) {
        try { yield* h; } catch (e) { if (!(e as { isCancelled?: () => boolean }).isCancelled?.()) throw e; }
      }
      for (let i = 0; i < n; i++) if (!started.has(i)) fail("a sender never ran (and its handle was never closed)");
      yield* consumer;
      return got;
    });
    assert.is(got[0], -1);
    const expected = line.filter((i) => ok.has(i));
    assert.equal(got.slice(1), expected, `seed ${seed}: line ${JSON.stringify(line)}`);
    dropped += line.length - expected.length;
    delivered += expected.length;
    assert.is(rx.capacity(), 1);
  }), PAUSED);
  assert.ok(dropped > 100 && delivered > 300, `${dropped} dropped, ${delivered} delivered`);
});

test.run();
