// The channels outside any runtime (plain async functions, futures polled on the microtask
// queue): a seeded random mix of producers and a consumer whose recv() is dropped by select
// against yieldNow(), on bounded and unbounded mpsc: every sent message is received once, in
// order per producer; every slot comes back; every function ends.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { yieldNow } from "@tokio-ts/core";
import { mpsc, SendError } from "@tokio-ts/sync";
import { select } from "@tokio-ts/macros";
import { fail } from "./support.js";

/** Settle `p`, or fail after `turns` turns of the event loop (a hang, not a timing). */
async function noHang<T>(what: string, p: Promise<T>, turns = 2000): Promise<T> {
  let done = false;
  const guard = (async () => {
    for (let i = 0; i < turns && !done; i++) await new Promise((r) => setImmediate(r));
    if (!done) throw new Error(`hang: ${what} did not finish within ${turns} event-loop turns`);
  })();
  try { return await Promise.race([p, guard as Promise<never>]); } finally { done = true; await guard.catch(() => {}); }
}

async function pause(rng: SeededRng): Promise<void> {
  const n = rng.below(4);
  for (let i = 0; i < n; i++) { if (rng.next() < 0.5) await null; else await yieldNow(); }
}

for (const kind of ["bounded", "unbounded"] as const) {
  test(`${kind} mpsc without a runtime: random producers, a consumer whose recv is dropped by select, close: every sent message once, FIFO per producer`, async () => {
    let total = 0;
    for (let seed = 0; seed < Number(process.env["NSEEDS"] ?? 200); seed++) {
      const rng = new SeededRng(seed * 69069 + (kind === "bounded" ? 1 : 2));
      const cap = rng.between(1, 3);
      const [tx0, rx] = kind === "bounded" ? mpsc.channel<number>(cap) : mpsc.unboundedChannel<number>();
      const pushed: number[] = [];
      const got: number[] = [];
      const producer = async (id: number, tx: typeof tx0, pr: SeededRng) => {
        try {
          const n = pr.between(0, 15);
          for (let i = 0; i < n; i++) {
            const v = id * 1000 + i;
            if (tx instanceof mpsc.Sender) {
              const op = pr.below(3);
              if (op === 0) { await tx.send(v); pushed.push(v); }
              else if (op === 1) { const r = tx.trySend(v); if (r.ok) pushed.push(v); else if (r.error.kind === "closed") return; }
              else { const p = await tx.reserve(); await pause(pr); if (pr.next() < 0.8) { p.send(v); pushed.push(v); } else p.release(); }
            } else {
              const r = tx.send(v);
              if (!r.ok) return;
              pushed.push(v);
            }
            await pause(pr);
          }
        } catch (e) {
          if (!(e instanceof SendError)) throw e;
        } finally {
          tx.close();
        }
      };
      const consumer = async () => {
        const closeAt = rng.next() < 0.3 ? rng.between(0, 20) : -1;
        for (let step = 0; ; step++) {
          if (step === closeAt) rx.close();
          const op = rng.below(3);
          if (op === 0) {
            const r = await select({ m: rx.recv(), y: yieldNow() });
            if (r.key === "y") continue;
            if (r.value === undefined) return;
            got.push(r.value);
          } else if (op === 1) {
            const buf: number[] = [];
            const n = await rx.recvMany(buf, rng.between(1, 4));
            if (n === 0) return;
            got.push(...buf);
          } else {
            const v = await rx.recv();
            if (v === undefined) return;
            got.push(v);
          }
          await pause(rng);
        }
      };
      const np = rng.between(1, 3);
      const ps: Promise<void>[] = [];
      for (let p = 1; p <= np; p++) ps.push(producer(p, tx0.clone(), new SeededRng(seed * 3 + p)));
      tx0.close();
      await noHang(`seed ${seed}`, Promise.all([...ps, consumer()]));
      // An await resumes a microtask after the push, so the log is not the queue order here:
      // the same messages, and each producer's in its order.
      assert.equal([...got].sort((a, b) => a - b), [...pushed].sort((a, b) => a - b), `seed ${seed}: same messages`);
      const last = new Map<number, number>();
      for (const v of got) {
        const p = Math.floor(v / 1000);
        if ((last.get(p) ?? -1) >= v) fail(`seed ${seed}: producer ${p} out of order at ${v}`);
        last.set(p, v);
      }
      if (rx instanceof mpsc.Receiver) assert.is(rx.capacity(), cap);
      total += got.length;
      if (got.some((v, i) => got.indexOf(v) !== i)) fail("duplicate");
    }
    assert.ok(total > 500, `${total}`);
  });
}

test.run();
