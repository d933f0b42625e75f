// Model-based randomized test of oneshot: a sender that sends, closes, waits on closed() or is
// aborted, at a random moment; a receiver that races recv() in select loops (cancel safe),
// awaits itself under a timeout (dropping it closes the channel), closes, tries tryRecv, or is
// aborted. Invariants, from the order of the events (all synchronous): send succeeds iff the
// receiver had not closed/dropped; a receiver that completes gets the sent value, or RecvError
// "closed" iff no value was sent before it closed or the sender was dropped without sending;
// tx.closed() resolves only once the receiver is gone or the sender used; nothing hangs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow } from "@tokio-ts/runtime";
import { oneshot, RecvError } from "@tokio-ts/sync";
import { Elapsed, sleep, timeout } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { PAUSED, noDeadlock, fail } from "./support.js";

interface Log {
  sent: "no" | "ok" | "err";
  txDropped: boolean; // closed without sending (or aborted before sending)
  rxGone: boolean; // closed or dropped
  rxDropped: boolean;
  got: "none" | "value" | "closed";
}

test("oneshot: random send/close/abort against random recv races, timeouts, close and drop: outcomes agree with the order of events", async () => {
  const outcomes = new Map<string, number>();
  await forEachSeed(process.env["SEEDS"] ? JSON.parse(process.env["SEEDS"]) : 600, (rt, seed) => rt.blockOn(function* () {
    const rng = new SeededRng(seed * 2654435761 + 5);
    const [tx, rx] = oneshot.channel<number>();
    const L: Log = { sent: "no", txDropped: false, rxGone: false, rxDropped: false, got: "none" };
    const VALUE = 1000 + seed;
    let txStarted = false, rxStarted = false;
    yield* noDeadlock(`seed ${seed}`, function* () {
      const sender = spawn(function* () {
        txStarted = true;
        try {
          const mode = rng.below(4);
          if (mode === 0) {
            // do "work" while watching for the receiver to leave
            const r = yield* select({ gone: tx.closed(), work: sleep(rng.between(0, 6)) });
            if (r.key === "gone") { if (!L.rxGone) fail("closed() resolved while the receiver lives"); tx.close(); L.txDropped = true; return; }
          } else {
            yield* sleep(rng.between(0, 6));
          }
          if (mode === 3) { tx.close(); L.txDropped = true; return; }
          const wasGone = L.rxGone;
          const r = tx.send(VALUE);
          L.sent = r.ok ? "ok" : "err";
          if (r.ok === wasGone) fail(`send ok=${r.ok} with the receiver gone=${wasGone}`);
          if (!r.ok && r.error.value !== VALUE) fail("SendError lost its value");
          if (!tx.isClosed()) fail("a used sender is not closed");
          yield* tx.closed(); // ready at once: this sender was used
        } finally {
          if (L.sent === "no" && !L.txDropped) { tx.close(); L.txDropped = true; } // aborted
        }
      });
      const receiver = spawn(function* () {
        rxStarted = true;
        try {
          const races = rng.between(0, 4);
          for (let i = 0; i < races; i++) {
            const r = yield* select({ v: rx.recv(), t: sleep(rng.between(0, 3)) });
            if (r.key === "v") { L.got = "value"; if (r.value !== VALUE) fail(`recv gave ${r.value}`); return; }
          }
          const mode = rng.below(4);
          if (mode === 0) {
            try {
              const v = yield* timeout(rng.between(0, 8), rx); // on Elapsed the receiver is dropped
              if (v !== VALUE) fail(`got ${v}`);
              L.got = "value";
            } catch (e) {
              if (e instanceof Elapsed) { L.rxGone = true; L.rxDropped = true; return; }
              throw e;
            }
          } else if (mode === 1) {
            rx.close();
            L.rxGone = true;
            yield* sleep(rng.between(0, 3));
            const r = rx.tryRecv();
            if (r.ok) { if (r.value !== VALUE) fail("tryRecv value"); L.got = "value"; }
            else if (r.error.kind === "closed") L.got = "closed";
            else fail(`tryRecv after close said ${r.error.kind}`);
          } else if (mode === 2) {
            rx[Symbol.dispose]();
            L.rxGone = true; L.rxDropped = true;
          } else {
            const v = yield* rx;
            if (v !== VALUE) fail(`got ${v}`);
            L.got = "value";
          }
        } catch (e) {
          if (!(e instanceof RecvError) || e.kind !== "closed") throw e;
          L.got = "closed";
        } finally {
          if (L.got === "none" && !L.rxDropped) { L.rxGone = true; L.rxDropped = true; rx[Symbol.dispose](); } // aborted (maybe after close())
        }
      });
      if (rng.next() < 0.3) {
        yield* sleep(rng.between(0, 6));
        const h = rng.next() < 0.5 ? sender : receiver;
        if (h === sender ? txStarted : rxStarted) h.abort();
      }
      for (const h of [sender, receiver]) {
        try { yield* h; } catch (e) { if (!(e as { isCancelled?: () => boolean }).isCancelled?.()) throw e; }
      }
      if (!txStarted) { tx.close(); L.txDropped = true; }
      if (!rxStarted) { rx[Symbol.dispose](); L.rxGone = true; L.rxDropped = true; }
    });
    // The outcome follows from the events.
    if (L.got === "value" && L.sent !== "ok") fail(`seed ${seed}: received a value that was not sent (${JSON.stringify(L)})`);
    if (L.got === "closed" && L.sent === "ok" && !L.rxDropped) {
      // allowed only if the receiver had closed before the send (then the send failed: contradiction)
      fail(`seed ${seed}: "closed" although the value was sent (${JSON.stringify(L)})`);
    }
    if (L.sent === "ok" && L.got === "none" && !L.rxDropped) fail(`seed ${seed}: a sent value was never received (${JSON.stringify(L)})`);
    if (L.sent === "no" && !L.txDropped) fail(`seed ${seed}: the sender neither sent nor closed`);
    const key = `${L.sent}/${L.got}${L.rxDropped ? "/dropped" : ""}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    assert.ok(tx.isClosed());
    assert.ok(rx.isEmpty());
  }), PAUSED);
  // every kind of ending was exercised
  if (process.env["TRACE"]) console.log(outcomes);
  for (const k of ["ok/value", "err/none/dropped", "no/closed", "err/closed"]) assert.ok((outcomes.get(k) ?? 0) > 0, `${k} never happened: ${JSON.stringify([...outcomes])}`);
});

test.run();
