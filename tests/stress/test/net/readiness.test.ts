// readable()/writable()/ready(interest) futures of TcpStream and UnixStream dropped at random,
// with tryRead/tryWrite: readiness is never lost (Tokio's tick rule: readiness that arrives
// between a failed tryRead and the next readable() is kept), every byte arrives in order, EOF is
// seen, nothing hangs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn } from "@tokio-ts/runtime";
import { sleep, timeout } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { yieldNow } from "@tokio-ts/core";
import { Interest, Ready, TcpListener, TcpStream, UnixListener, UnixStream, WouldBlockError } from "@tokio-ts/net";
import { join } from "node:path";
import { checkStreamAt, noRegistrations, socketSeeds, streamBytes, throwsAt, X } from "./support.js";

type S = TcpStream | UnixStream;

function* pair(unix: boolean, dir: string, seed: number): Generator<unknown, [S, S, () => void], unknown> {
  if (unix) {
    const path = join(dir, `r${seed}.sock`);
    const l = yield* UnixListener.bind(path);
    const c = yield* UnixStream.connect(path);
    const [s] = yield* l.accept();
    return [c, s, () => l.close()];
  }
  const l = yield* TcpListener.bind("127.0.0.1:0");
  const c = yield* TcpStream.connect(l.localAddr());
  const [s] = yield* l.accept();
  return [c, s, () => l.close()];
}

/** Wait for read readiness in a random way, possibly dropping the future. */
function* waitRead(s: S, r: SeededRng): Generator<unknown, void, unknown> {
  const m = r.below(6);
  if (m === 0) yield* s.readable();
  else if (m === 1) yield* select({ r: s.readable(), y: yieldNow() });
  else if (m === 2) yield* select({ r: s.readable(), t: sleep(r.below(3)) });
  else if (m === 3) {
    try {
      yield* timeout(r.below(2), s.ready(Interest.READABLE));
    } catch (e) {
      if ((e as Error).name !== "Elapsed") throw e;
    }
  } else if (m === 4) {
    const bits = yield* s.ready(Interest.READABLE);
    assert.ok(Ready.isReadable(bits) || Ready.isReadClosed(bits) || Ready.isError(bits), `ready(READABLE) bits ${bits}`);
  } else {
    // the select drops the readable() future in the same poll in which it may have completed
    yield* select({ a: s.readable(), b: s.readable() });
  }
}

function* waitWrite(s: S, r: SeededRng): Generator<unknown, void, unknown> {
  const m = r.below(4);
  if (m === 0) yield* s.writable();
  else if (m === 1) yield* select({ w: s.writable(), y: yieldNow() });
  else if (m === 2) yield* select({ w: s.writable(), t: sleep(r.below(3)) });
  else {
    const bits = yield* s.ready(Interest.WRITABLE);
    assert.ok(Ready.isWritable(bits) || Ready.isWriteClosed(bits) || Ready.isError(bits), `ready(WRITABLE) bits ${bits}`);
  }
}

test("tryRead/tryWrite with readiness futures dropped at random: every byte arrives in order, then EOF, no hang", async () => {
  await socketSeeds("readiness", { seeds: 24 * X, hangMs: 30_000, startPaused: true }, function* (seed, dir) {
    const rng = new SeededRng(seed * 41 + 9);
    const unix = seed % 2 === 1;
    const [a, b, closeListener] = yield* pair(unix, dir, seed);
    closeListener();
    const total = rng.below(4) === 0 ? rng.between(0, 100) : rng.between(1000, 600_000);
    const slowReader = rng.below(2) === 0;
    const writer = spawn(function* () {
      const r = new SeededRng(seed + 5);
      let pos = 0;
      while (pos < total) {
        const k = Math.min(total - pos, r.below(3) === 0 ? r.between(1, 16) : r.between(1, r.below(4) === 0 ? 200_000 : 3000));
        const chunk = streamBytes(seed, pos, k);
        const how = r.below(3);
        if (how === 0) {
          pos += yield* a.write(chunk);
        } else {
          try {
            pos += a.tryWrite(chunk);
          } catch (e) {
            if (!(e instanceof WouldBlockError)) throw e;
            yield* waitWrite(a, r);
          }
        }
        if (r.below(8) === 0) yield* sleep(r.below(3));
      }
      yield* a.shutdown();
    });
    const r = new SeededRng(seed + 6);
    let got = 0;
    let spins = 0;
    for (;;) {
      if (++spins > 400_000) assert.unreachable(`reader stuck at ${got}/${total}`);
      const buf = new Uint8Array(r.below(3) === 0 ? r.between(1, 32) : r.between(1, r.below(4) === 0 ? 100_000 : 4096));
      let n: number;
      try {
        n = b.tryRead(buf);
      } catch (e) {
        if (!(e instanceof WouldBlockError)) throw e;
        yield* waitRead(b, r);
        continue;
      }
      if (n === 0) break;
      checkStreamAt(seed, got, buf.subarray(0, n), "tryRead");
      got += n;
      if (slowReader && r.below(4) === 0) yield* sleep(r.below(3));
    }
    assert.is(got, total, "every byte, then EOF");
    yield* writer;
    // after EOF: tryRead keeps returning 0, readable() resolves at once
    assert.is(b.tryRead(new Uint8Array(4)), 0);
    yield* timeout(1000, b.readable());
    a.close();
    b.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("tick rule: bytes arriving between a WouldBlock tryRead and readable() are not lost", async () => {
  await socketSeeds("tick rule", { seeds: 10 * X }, function* (seed, dir) {
    const unix = seed % 2 === 1;
    const [a, b, closeListener] = yield* pair(unix, dir, seed);
    closeListener();
    const buf = new Uint8Array(64);
    for (let i = 0; i < 8; i++) {
      throwsAt(() => b.tryRead(buf), WouldBlockError, "nothing queued yet");
      assert.is(a.tryWrite(new Uint8Array([i + 1, i + 2])), 2);
      yield* sleep(5); // real time: the bytes arrive while nobody waits on readable()
      yield* timeout(2000, b.readable()); // must not time out
      const n = b.tryRead(buf);
      assert.is(n, 2);
      assert.is(buf[0], i + 1);
      // and with ready(): readiness a ready() future saw, then dropped, is not consumed
      throwsAt(() => b.tryRead(buf), WouldBlockError, "drained (clears the readiness)");
      a.tryWrite(new Uint8Array([9]));
      yield* select({ r: b.ready(Interest.READABLE), y: sleep(5) }, { biased: false });
      yield* timeout(2000, b.readable());
      assert.is(b.tryRead(buf), 1);
    }
    // peek does not consume readiness either
    throwsAt(() => b.tryRead(buf), WouldBlockError, "drained");
    a.tryWrite(new Uint8Array([1, 2, 3]));
    const pk = new Uint8Array(8);
    assert.is(yield* b.peek(pk), 3);
    yield* timeout(2000, b.readable());
    assert.is(b.tryRead(buf), 3);
    a.close();
    b.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("readiness futures of a closed stream fail ERR_SOCKET_CLOSED; ready() checks its interest at the call", async () => {
  await socketSeeds("closed readiness", { seeds: 6 * X }, function* (seed) {
    const [a, b, closeListener] = yield* pair(false, "", seed);
    closeListener();
    throwsAt(() => a.ready(0), RangeError, "ready(0)");
    throwsAt(() => a.ready(8 as never), RangeError, "ready(8)");
    const pending = spawn(function* () {
      try {
        yield* b.readable();
        return "resolved";
      } catch (e) {
        return String((e as { code?: unknown }).code);
      }
    });
    yield* yieldNow();
    b.close();
    const out = yield* pending;
    assert.is(out, "ERR_SOCKET_CLOSED", "pending readable() after close");
    for (const f of [() => b.readable(), () => b.writable(), () => b.ready(Interest.READABLE)]) {
      try {
        yield* f();
        assert.unreachable("readiness of a closed stream resolved");
      } catch (e) {
        assert.is((e as { code?: unknown }).code, "ERR_SOCKET_CLOSED");
      }
    }
    a.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("several tasks peeking at one stream at once are all woken when bytes arrive (Tokio's peek takes &self)", async () => {
  await socketSeeds("several tasks peeking", { seeds: 6 * X }, function* (seed, dir) {
    const rng = new SeededRng(seed + 21);
    const [a, b, closeListener] = yield* pair(seed % 2 === 1, dir, seed);
    closeListener();
    const k = rng.between(2, 4);
    const peekers = Array.from({ length: k }, (_, i) =>
      spawn(function* () {
        const buf = new Uint8Array(8);
        // 1 s of real time is "never" on loopback
        const r = yield* select({ p: b.peek(buf), t: sleep(1000) });
        return r.key === "p" ? r.value : `peeker ${i} of ${k} never woken`;
      }),
    );
    yield* sleep(5); // every peek is pending
    yield* a.writeAll(new Uint8Array([1, 2, 3]));
    const outs: unknown[] = [];
    for (const p of peekers) outs.push(yield* p);
    for (const o of outs) assert.is(o, 3);
    a.close();
    b.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test.run();
