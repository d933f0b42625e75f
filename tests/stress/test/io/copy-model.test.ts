// copy / copyBidirectional / split / empty / sink / repeat / take / chain against the byte
// model: what comes out is what went in, counts are right, EOF and half-close propagate.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { join } from "@tokio-ts/macros";
import { Pending, yieldNow, type Context, type Poll } from "@tokio-ts/core";
import {
  BufReader,
  BufWriter,
  chain,
  copy,
  copyBidirectional,
  copyBidirectionalWithSizes,
  duplex,
  empty,
  IoError,
  read,
  readExact,
  readToEnd,
  repeat,
  shutdown,
  sink,
  split,
  take,
  write,
  writeAll,
  type AsyncRead,
  type AsyncWrite,
  type DuplexStream,
} from "@tokio-ts/io-driver";
import { assertStreamAt, ChoppyReader, CountingWriter, size, stream } from "./helpers.js";

const OPTS = { enableTime: true, startPaused: true } as const;

function* feed(w: AsyncWrite, salt: number, total: number, rng: SeededRng, end = true) {
  let pos = 0;
  while (pos < total) {
    const len = Math.min(total - pos, size(rng, 3000));
    if (rng.below(2) === 0) pos += yield* write(w, stream(salt, pos, len));
    else {
      yield* writeAll(w, stream(salt, pos, len));
      pos += len;
    }
    const r = rng.below(5);
    if (r === 0) yield* sleep(rng.between(1, 3));
    else if (r === 1) yield* yieldNow();
  }
  if (end) yield* shutdown(w);
  return pos;
}

function* drain(r: AsyncRead, salt: number, rng: SeededRng) {
  let pos = 0;
  for (;;) {
    if (rng.below(6) === 0) yield* sleep(rng.between(1, 3));
    const buf = new Uint8Array(size(rng, 4000));
    const n = yield* read(r, buf);
    if (n === 0) return pos;
    assertStreamAt(salt, pos, buf.subarray(0, n), "drain");
    pos += n;
  }
}

test("copy: every byte, in order, the right count, flushed at the end (duplex / BufReader / ChoppyReader → duplex / BufWriter)", async () => {
  await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 37 + 1);
        const total = rng.between(0, 30000);
        const [a, b] = duplex(rng.between(1, 5000));
        const [c, d] = duplex(rng.between(1, 5000));
        const kind = rng.below(3);
        let src: AsyncRead;
        let feeder;
        if (kind === 2) {
          src = new ChoppyReader(stream(4, 0, total), new SeededRng(seed), rng.between(1, 9000));
        } else {
          feeder = spawn(feed(a, 4, total, new SeededRng(seed + 1)));
          src = kind === 0 ? b : new BufReader(b, rng.between(1, 10000));
        }
        const counted = new CountingWriter(c);
        const dst: AsyncWrite = rng.below(2) === 0 ? counted : new BufWriter(counted, rng.between(1, 10000));
        const drainer = spawn(drain(d, 4, new SeededRng(seed + 2)));
        const n = yield* copy(src, dst);
        assert.is(n, total);
        assert.is(counted.count, total, "copy flushed the writer before it resolved");
        yield* shutdown(dst);
        if (feeder) yield* feeder;
        assert.is(yield* drainer, total);
      }),
    OPTS,
  );
});

test("copyBidirectional: a proxy between two duplex pairs forwards both ways, propagates each half-close separately, and counts", async () => {
  await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 41 + 3);
        const [client, proxyIn] = duplex(rng.between(1, 4000));
        const [proxyOut, server] = duplex(rng.between(1, 4000));
        const up = rng.below(6) === 0 ? 0 : rng.between(1, 20000);
        const down = rng.below(6) === 0 ? 0 : rng.between(1, 20000);
        const wrap = (s: DuplexStream) => (rng.below(3) === 0 ? new BufReader(s, rng.between(1, 3000)) : s);
        const pa = wrap(proxyIn);
        const pb = wrap(proxyOut);
        const proxy = spawn(
          rng.below(2) === 0 ? copyBidirectional(pa, pb) : copyBidirectionalWithSizes(pa, pb, { aToB: rng.between(1, 9000), bToA: rng.between(1, 9000) }),
        );
        // Each end writes its stream and shuts down, at its own pace, while reading the other's.
        const [cr, cw] = split(client);
        const [sr, sw] = split(server);
        const tasks = [
          spawn(feed(cw, 61, up, new SeededRng(seed + 1))),
          spawn(drain(sr, 61, new SeededRng(seed + 2))),
          spawn(feed(sw, 62, down, new SeededRng(seed + 3))),
          spawn(drain(cr, 62, new SeededRng(seed + 4))),
        ];
        const got: number[] = [];
        for (const t of tasks) got.push(yield* t);
        assert.equal(got, [up, up, down, down]);
        assert.equal(yield* proxy, [up, down]);
      }),
    OPTS,
  );
});

test("copyBidirectional: one side half-closes early; the other direction keeps flowing to the end", async () => {
  await forEachSeed(
    150,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 43 + 7);
        const [client, proxyIn] = duplex(rng.between(1, 512));
        const [proxyOut, server] = duplex(rng.between(1, 512));
        const proxy = spawn(copyBidirectional(proxyIn, proxyOut));
        const down = rng.between(1, 10000);
        // The client sends nothing and shuts down at once.
        yield* shutdown(client);
        // The server sees EOF first, then sends its whole stream.
        assert.is((yield* readToEnd(server)).length, 0);
        const s = spawn(feed(server, 63, down, new SeededRng(seed)));
        assert.is(yield* drain(client, 63, new SeededRng(seed + 9)), down);
        yield* s;
        assert.equal(yield* proxy, [0, down]);
      }),
    OPTS,
  );
});

test("empty / sink / repeat / take / chain: counts and contents", async () => {
  await forEachSeed(
    100,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 47 + 1);
        assert.is((yield* readToEnd(empty())).length, 0);
        assert.is(yield* read(empty(), new Uint8Array(8)), 0);
        assert.is(yield* write(empty(), new Uint8Array(5)), 5);
        const n = rng.between(0, 50000);
        const byte = rng.below(256);
        assert.is(yield* copy(take(repeat(byte), n), sink()), n);
        const buf = new Uint8Array(size(rng, 5000));
        assert.is(yield* read(repeat(byte), buf), buf.length, "repeat fills the whole buffer");
        assert.ok(buf.every((x) => x === byte));
        const all = yield* readToEnd(chain(take(repeat(1), rng.between(0, 300)), chain(empty(), take(repeat(2), rng.between(0, 300)))));
        let i = 0;
        while (i < all.length && all[i] === 1) i++;
        while (i < all.length && all[i] === 2) i++;
        assert.is(i, all.length, "chain: first's bytes, then second's");
        // A sink takes anything, whole.
        const data = new Uint8Array(size(rng, 100000));
        assert.is(yield* write(sink(), data), data.length);
        // readExact beyond a take's limit is UNEXPECTED_EOF.
        const lim = rng.between(0, 100);
        try {
          yield* readExact(take(repeat(0), lim), new Uint8Array(lim + 1));
          assert.unreachable("readExact past the limit");
        } catch (e) {
          assert.is((e as IoError).code, "UNEXPECTED_EOF");
        }
      }),
    OPTS,
  );
});

class ZeroWriter implements AsyncWrite {
  pollWrite(_cx: Context, _data: Uint8Array): Poll<number> {
    return 0;
  }
  pollFlush(): Poll<void> {
    return undefined;
  }
  pollShutdown(): Poll<void> {
    return undefined;
  }
}

class FailingReader implements AsyncRead {
  n = 0;
  constructor(readonly after: number) {}
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    if (this.n >= this.after) throw new Error("boom");
    if (this.n % 2 === 1) {
      this.n++;
      cx.waker.wake();
      return Pending;
    }
    this.n++;
    buf[0] = 1;
    return 1;
  }
}

test("copy errors: WRITE_ZERO for a writer that takes nothing; the reader's error rejects copy and copyBidirectional", async () => {
  await forEachSeed(
    30,
    (rt, seed) =>
      rt.blockOn(function* () {
        try {
          yield* copy(take(repeat(1), 10), new ZeroWriter());
          assert.unreachable();
        } catch (e) {
          assert.is((e as IoError).code, "WRITE_ZERO");
        }
        try {
          yield* copy(new FailingReader(seed % 7), sink());
          assert.unreachable();
        } catch (e) {
          assert.is((e as Error).message, "boom");
        }
        const [x, y] = duplex(16);
        void y;
        const r = yield* join(
          (function* () {
            try {
              yield* copy(new FailingReader(3), x);
              return "no";
            } catch (e) {
              return (e as Error).message;
            }
          })(),
          sleep(1),
        );
        assert.is(r[0], "boom");
      }),
    OPTS,
  );
});

test.run();
