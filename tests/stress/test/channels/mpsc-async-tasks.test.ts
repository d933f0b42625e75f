// Async-function tasks on a bounded channel, aborted at random moments and dropped through
// timeout(): an aborted async task sees CancelledError at its await of a tokio-ts future. The
// outcome each producer observes must be the truth: an `await tx.send(v)` (or reserve, or
// sendTimeout) that resolved means v is delivered; one that rejected (CancelledError, Elapsed,
// SendError) means v is never delivered. A consumer task, async too and also restarted after
// random aborts, must end up with exactly the confirmed messages, in order per producer, and
// every slot comes back.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import { mpsc, SendError, SendTimeoutError } from "@tokio-ts/sync";
import { Elapsed, sleep, timeout } from "@tokio-ts/time";
import { PAUSED, noDeadlock, fail } from "./support.js";

test("async-function producers and consumers, randomly aborted or timed out: what each await reported is what was delivered", async () => {
  let confirmedTotal = 0, cancelledSends = 0;
  await forEachSeed(process.env["SEEDS"] ? JSON.parse(process.env["SEEDS"]) : 400, (rt, seed) => rt.blockOn(function* () {
    const rng = new SeededRng(seed * 92821 + 17);
    const cap = rng.between(1, 3);
    const [tx0, rx] = mpsc.channel<number>(cap);
    const confirmed = new Set<number>();
    const notSent = new Set<number>();
    const got: number[] = [];
    let started = 0;
    yield* noDeadlock(`seed ${seed}`, function* () {
      const np = rng.between(1, 4);
      const producers: JoinHandle<void>[] = [];
      for (let p = 1; p <= np; p++) {
        const tx = tx0.clone();
        const pr = new SeededRng(seed * 3 + p);
        producers.push(spawn(async () => {
          started++;
          try {
            const n = pr.between(1, 12);
            for (let i = 0; i < n; i++) {
              const v = p * 1000 + i;
              const op = pr.below(4);
              try {
                if (op === 0) await tx.send(v);
                else if (op === 1) await timeout(pr.between(0, 3), tx.send(v));
                else if (op === 2) await tx.sendTimeout(v, sleep(pr.between(0, 3)));
                else {
                  const permit = await tx.reserve();
                  try { await sleep(pr.between(0, 2)); } catch (e) { permit.release(); throw e; }
                  permit.send(v);
                }
                confirmed.add(v);
              } catch (e) {
                notSent.add(v);
                if (e instanceof Elapsed || (e instanceof SendTimeoutError && e.kind === "timeout")) continue;
                if (e instanceof SendError || e instanceof SendTimeoutError) return;
                throw e; // CancelledError: the task was aborted
              }
              if (pr.next() < 0.3) await sleep(pr.between(0, 2));
            }
          } finally {
            tx.close();
          }
        }));
      }
      tx0.close();
      const consume = () => spawn(async () => {
        for (;;) {
          let v: number | undefined;
          try {
            v = rng.next() < 0.4 ? await timeout(rng.between(0, 3), rx.recv()) : await rx.recv();
          } catch (e) {
            if (e instanceof Elapsed) continue;
            throw e;
          }
          if (v === undefined) return;
          got.push(v);
          if (rng.next() < 0.3) await sleep(rng.between(0, 3));
        }
      });
      let consumer = consume();
      while (started < np) yield* sleep(0);
      for (let k = 0; k < 4; k++) {
        yield* sleep(rng.between(0, 4));
        const r = rng.next();
        if (r < 0.4) producers[rng.below(np)]!.abort();
        else if (r < 0.6 && !consumer.isFinished()) {
          consumer.abort();
          try { yield* consumer; } catch (e) { if (!(e as { isCancelled?: () => boolean }).isCancelled?.()) throw e; }
          consumer = consume();
        }
      }
      for (const h of producers) {
        try { yield* h; } catch (e) {
          if (!(e as { isCancelled?: () => boolean }).isCancelled?.()) throw e;
        }
      }
      yield* consumer;
    });
    for (const v of got) if (notSent.has(v)) fail(`seed ${seed}: ${v} was delivered although its await rejected`);
    assert.equal([...got].sort((a, b) => a - b), [...confirmed].sort((a, b) => a - b), `seed ${seed}: delivered == confirmed`);
    const last = new Map<number, number>();
    for (const v of got) {
      const p = Math.floor(v / 1000);
      if ((last.get(p) ?? -1) >= v) fail(`seed ${seed}: producer ${p} out of order at ${v}`);
      last.set(p, v);
    }
    assert.is(rx.capacity(), cap);
    confirmedTotal += confirmed.size;
    cancelledSends += notSent.size;
  }), PAUSED);
  assert.ok(confirmedTotal > 1000 && cancelledSends > 200, `${confirmedTotal} confirmed, ${cancelledSends} not sent`);
});

test.run();
