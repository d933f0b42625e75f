// Cancel safety of the io utilities, checked against what each function's doc comment
// promises (docs/api/io-driver.md). Futures are dropped at random points by `select` against a
// paused-clock `sleep`, by `timeout`, and by `abort()`; a feeder task writes the reference
// stream in random pieces with random pauses, so drops land before, between and in the middle
// of partial progress.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn } from "@tokio-ts/runtime";
import { Elapsed, sleep, timeout } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { yieldNow } from "@tokio-ts/core";
import {
  BufReader,
  BufWriter,
  chain,
  duplex,
  fillBuf,
  flush,
  IoError,
  lines,
  read,
  readExact,
  readI8,
  readLine,
  readToEnd,
  readU16,
  readU32,
  readU8,
  shutdown,
  take,
  write,
  writeAll,
  type AsyncRead,
  type AsyncWrite,
  type DuplexStream,
} from "@tokio-ts/io-driver";
import { assertStreamAt, byteAt, size, stream, stripLine, utf8 } from "./helpers.js";

const OPTS = { enableTime: true, startPaused: true } as const;

/** Write `total` bytes of stream `salt` in random pieces with random paused-clock pauses. */
function* feeder(w: AsyncWrite, salt: number, total: number, rng: SeededRng, maxChunk = 40) {
  let pos = 0;
  while (pos < total) {
    const len = Math.min(total - pos, rng.between(1, maxChunk));
    yield* writeAll(w, stream(salt, pos, len));
    pos += len;
    const r = rng.below(4);
    if (r === 0) yield* sleep(rng.between(1, 6));
    else if (r === 1) yield* yieldNow();
  }
  yield* shutdown(w);
}

/** Race `fut` against a sleep of 0..maxMs (or a timeout): the value, or undefined if dropped. */
function* race<T>(fut: PromiseLike<T> & { poll: unknown }, rng: SeededRng, maxMs = 5) {
  const ms = rng.between(0, maxMs);
  if (rng.below(2) === 0) {
    const r = yield* select({ op: fut as never as import("@tokio-ts/core").Future<T>, t: sleep(ms) });
    return r.key === "op" ? { value: r.value as T } : undefined;
  }
  try {
    return { value: (yield* timeout(ms, fut as never as import("@tokio-ts/core").Future<T>)) as T };
  } catch (e) {
    if (!(e instanceof Elapsed)) throw e;
    return undefined;
  }
}

test("cancel safe (doc: read, readU8, readI8, fillBuf, read of BufReader/take/chain): a dropped read consumed nothing", async () => {
  await forEachSeed(
    250,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 2 + 1);
        const total = rng.between(0, 3000);
        const [a, b] = duplex(rng.between(1, 200));
        const f = spawn(feeder(a, 7, total, new SeededRng(seed ^ 0x55)));
        const kind = rng.below(4);
        // The reader under test: the duplex itself, a BufReader over it, a take() past the end,
        // or a chain of two takes (the boundary falls in the middle).
        const cut = rng.between(0, total);
        const buffered = new BufReader(b, rng.between(1, 64));
        const src: AsyncRead =
          kind === 0 ? b : kind === 1 ? buffered : kind === 2 ? take(b, total + rng.between(0, 3)) : chain(take(buffered, cut), buffered);
        let pos = 0;
        let drops = 0;
        for (let guard = 0; guard < 100000; guard++) {
          const op = rng.below(kind === 1 ? 4 : 3);
          if (op === 0) {
            const buf = new Uint8Array(size(rng, 300));
            const r = yield* race(read(src, buf), rng);
            if (r === undefined) {
              drops++;
              continue;
            }
            if (r.value === 0) break;
            assertStreamAt(7, pos, buf.subarray(0, r.value), "read");
            pos += r.value;
          } else if (op === 1 && pos < total) {
            const r = yield* race(rng.below(2) === 0 ? readU8(src) : readI8(src), rng);
            if (r === undefined) {
              drops++;
              continue;
            }
            const byte = r.value < 0 ? r.value + 256 : r.value;
            assert.is(byte, byteAt(7, pos), `readU8/readI8 at ${pos}`);
            pos++;
          } else if (op === 3) {
            const r = yield* race(fillBuf(buffered), rng);
            if (r === undefined) {
              drops++;
              continue;
            }
            if (r.value.length === 0) break;
            assertStreamAt(7, pos, r.value, "fillBuf");
            const k = rng.between(0, r.value.length);
            buffered.consume(k);
            pos += k;
          }
        }
        yield* f;
        assert.is(pos, total, `every byte read exactly once (${drops} reads dropped)`);
      }),
    OPTS,
  );
});

test("cancel safe (doc: write): a dropped write wrote nothing; the peer sees exactly the completed writes", async () => {
  await forEachSeed(
    250,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 3 + 2);
        const maxBuf = rng.between(1, 100);
        const [a, b] = duplex(maxBuf);
        const total = rng.between(0, 2000);
        const rd = spawn(function* () {
          const rrng = new SeededRng(seed + 77);
          let pos = 0;
          for (;;) {
            if (rrng.below(2) === 0) yield* sleep(rrng.between(1, 6)); // a slow reader: writes block
            const buf = new Uint8Array(size(rrng, 80));
            const n = yield* read(b, buf);
            if (n === 0) return pos;
            assertStreamAt(8, pos, buf.subarray(0, n), "peer read");
            pos += n;
          }
        });
        let pos = 0;
        let drops = 0;
        const w: AsyncWrite = rng.below(2) === 0 ? a : new BufWriter(a, rng.between(1, 50));
        while (pos < total) {
          const data = stream(8, pos, Math.min(total - pos, size(rng, 3 * maxBuf)));
          const r = yield* race(write(w, data), rng);
          if (r === undefined) drops++;
          else {
            assert.ok(r.value >= 1 && r.value <= data.length);
            pos += r.value;
          }
          if (rng.below(5) === 0) {
            // flush and shutdown are cancel safe too: drop one, then finish it later.
            yield* race(flush(w), rng, 2);
          }
        }
        for (;;) {
          const r = yield* race(shutdown(w), rng, 2);
          if (r !== undefined) break;
        }
        assert.is(yield* rd, total, `the peer got exactly the completed writes (${drops} dropped)`);
      }),
    OPTS,
  );
});

test("not cancel safe (doc: readExact): a dropped readExact leaves the bytes it took in buf, and the stream moved past exactly those", async () => {
  await forEachSeed(
    250,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 5 + 3);
        const total = rng.between(0, 3000);
        const [a, b] = duplex(rng.between(1, 200));
        const f = spawn(feeder(a, 9, total, new SeededRng(seed ^ 0x77), 25));
        let pos = 0;
        let partial = 0;
        while (pos < total) {
          const buf = new Uint8Array(Math.min(total - pos, size(rng, 120))); // zeros: "not written"
          const r = yield* race(readExact(b, buf), rng, 4);
          if (r !== undefined) {
            assert.is(r.value, buf.length);
            assertStreamAt(9, pos, buf, "readExact");
            pos += buf.length;
            continue;
          }
          // The reference stream has no 0 byte: the filled prefix is the run of non-zero bytes.
          let k = 0;
          while (k < buf.length && buf[k] !== 0) k++;
          for (let i = k; i < buf.length; i++) assert.is(buf[i], 0, "bytes after the filled prefix untouched");
          assertStreamAt(9, pos, buf.subarray(0, k), "partial readExact");
          if (k > 0) partial++;
          pos += k;
        }
        assert.is(yield* read(b, new Uint8Array(4)), 0, "EOF right after the last byte");
        yield* f;
        return partial;
      }),
    OPTS,
  ).then((partials) => assert.ok(partials.some((p) => p > 0), "some drops happened after partial progress"));
});

test("not cancel safe (doc: readU16/readU32): a dropped typed read loses at most its own bytes, never duplicates or reorders", async () => {
  await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 7 + 5);
        const total = rng.between(0, 1500);
        const [a, b] = duplex(rng.between(1, 64));
        const f = spawn(feeder(a, 10, total, new SeededRng(seed ^ 0x99), 3));
        let lo = 0; // the stream position is in [lo, hi]
        let hi = 0;
        while (hi < total) {
          const wide = rng.below(2) === 0;
          const width = wide ? 4 : 2;
          if (total - hi < width) break;
          const r = yield* race(wide ? readU32(b) : readU16(b), rng, 3);
          if (r === undefined) {
            hi = Math.min(hi + width - 1, total); // 0..width-1 bytes lost
            continue;
          }
          // Which start positions in [lo, hi] explain the value?
          const ok: number[] = [];
          for (let p = lo; p <= hi && p + width <= total; p++) {
            let v = 0;
            for (let i = 0; i < width; i++) v = v * 256 + byteAt(10, p + i);
            if (v === r.value) ok.push(p);
          }
          assert.ok(ok.length > 0, `value ${r.value} is not the stream at any position in [${lo}, ${hi}]`);
          lo = ok[0]! + width;
          hi = ok[ok.length - 1]! + width;
        }
        // Drain: the rest must continue the stream from some position in [lo, hi].
        const rest = yield* readToEnd(b);
        let found = false;
        for (let p = lo; p <= hi && !found; p++) {
          if (p + rest.length !== total) continue;
          found = true;
          assertStreamAt(10, p, rest, "the rest");
        }
        assert.ok(found, `the rest (${rest.length} bytes) does not end the stream from [${lo}, ${hi}] (total ${total})`);
        yield* f;
      }),
    OPTS,
  );
});

/** Random text lines (with "\n" or "\r\n", the last maybe without). */
function randomLines(rng: SeededRng): string[] {
  const pool = ["a", "b", "é", "€", "😀", " ", "\r"];
  const out: string[] = [];
  const count = rng.between(1, 25);
  for (let i = 0; i < count; i++) {
    let s = "";
    for (let j = rng.between(0, 15); j > 0; j--) s += pool[rng.below(pool.length)];
    const term = i === count - 1 && rng.below(2) === 0 ? "" : rng.below(2) === 0 ? "\n" : "\r\n";
    if (s === "" && term === "") continue;
    out.push(s + term);
  }
  return out;
}

function* chopText(w: DuplexStream, text: string, rng: SeededRng) {
  const data = utf8(text);
  let pos = 0;
  while (pos < data.length) {
    const len = Math.min(data.length - pos, rng.between(1, 6));
    yield* writeAll(w, data.subarray(pos, pos + len));
    pos += len;
    if (rng.below(3) === 0) yield* sleep(rng.between(1, 4));
  }
  yield* shutdown(w);
}

test("cancel safe (doc: Lines.nextLine): dropped nextLine() calls lose nothing; every line comes out once, in order", async () => {
  await forEachSeed(
    250,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 11 + 1);
        const raw = randomLines(rng);
        const [a, b] = duplex(rng.between(1, 32));
        const f = spawn(chopText(a, raw.join(""), new SeededRng(seed + 5)));
        const it = lines(new BufReader(b, rng.between(1, 24)));
        const got: string[] = [];
        let drops = 0;
        for (let guard = 0; guard < 100000; guard++) {
          const r = yield* race(it.nextLine(), rng, 4);
          if (r === undefined) {
            drops++;
            continue;
          }
          if (r.value === undefined) break;
          got.push(r.value);
        }
        yield* f;
        assert.equal(got, raw.map(stripLine), `${drops} nextLine() dropped`);
      }),
    OPTS,
  );
});

test("not cancel safe (doc: readLine): a dropped readLine loses only a prefix of the current line; later lines are whole", async () => {
  await forEachSeed(
    250,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 17 + 1);
        const raw = randomLines(rng);
        const [a, b] = duplex(rng.between(1, 32));
        const f = spawn(chopText(a, raw.join(""), new SeededRng(seed + 7)));
        const reader = new BufReader(b, rng.between(1, 24));
        let i = 0; // index of the line being read
        let damaged = false; // a readLine of line i was dropped: it may come out truncated
        for (let guard = 0; guard < 100000; guard++) {
          let r: { value: string } | undefined;
          try {
            r = yield* race(readLine(reader), rng, 4);
          } catch (e) {
            // The drop may have cut a multi-byte character: the rest of that line is then not
            // UTF-8 (INVALID_DATA, its bytes consumed). Only after a drop.
            assert.ok(damaged && e instanceof IoError && e.code === "INVALID_DATA", `readLine failed: ${String(e)}`);
            i++;
            damaged = false;
            continue;
          }
          if (r === undefined) {
            damaged = true;
            continue;
          }
          if (r.value === "") break;
          // A dropped readLine may also have eaten whole lines before the current one... no: it
          // stops at the first "\n". So the value is a suffix of line i (whole if nothing lost).
          const want = raw[i];
          assert.ok(want !== undefined, `extra line ${JSON.stringify(r.value)}`);
          if (damaged) assert.ok(utf8(want).length >= utf8(r.value).length && want.endsWith(r.value), `${JSON.stringify(r.value)} is not a suffix of ${JSON.stringify(want)}`);
          else assert.is(r.value, want);
          i++;
          damaged = false;
        }
        // Lines dropped whole (their drop consumed the rest of the line, up to its "\n") are
        // skipped; at most one per drop, and never the order changed.
        assert.ok(i <= raw.length);
        yield* f;
      }),
    OPTS,
  );
});

test("not cancel safe (doc: writeAll): after dropped writeAll calls the peer sees, per call in order, a prefix of its data", async () => {
  await forEachSeed(
    250,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 19 + 1);
        const maxBuf = rng.between(1, 64);
        const [a, b] = duplex(maxBuf);
        const calls = rng.between(1, 60);
        const lens: number[] = [];
        const done: boolean[] = [];
        const rd = spawn(function* () {
          const rrng = new SeededRng(seed + 1);
          if (rrng.below(2) === 0) yield* sleep(rrng.between(1, 3));
          return yield* readToEnd(b);
        });
        for (let c = 0; c < calls; c++) {
          const len = size(rng, 3 * maxBuf);
          lens.push(len);
          const data = new Uint8Array(len).fill(1 + (c % 250)); // call c's bytes all say c
          const r = yield* race(writeAll(a, data), rng, 3);
          done.push(r !== undefined);
        }
        yield* shutdown(a);
        const got = yield* rd;
        // Parse: runs of one tag, tags increasing.
        let p = 0;
        for (let c = 0; c < calls; c++) {
          let k = 0;
          while (p + k < got.length && got[p + k] === 1 + (c % 250)) k++;
          if (done[c]) assert.is(k, lens[c], `completed call ${c} wrote all of its data`);
          else assert.ok(k <= lens[c]!, `dropped call ${c} wrote ${k} > ${lens[c]}`);
          p += k;
        }
        assert.is(p, got.length, "nothing but the calls' prefixes");
      }),
    OPTS,
  );
});

test("abort(): a task aborted in the middle of read() leaves every byte for the next reader", async () => {
  await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 23 + 1);
        const total = rng.between(0, 2000);
        const [a, b] = duplex(rng.between(1, 100));
        const f = spawn(feeder(a, 12, total, new SeededRng(seed ^ 0x11)));
        const state = { pos: 0 };
        for (let guard = 0; guard < 10000; guard++) {
          const h = spawn(function* () {
            for (;;) {
              const buf = new Uint8Array(size(rng, 200));
              const n = yield* read(b, buf);
              if (n === 0) return true;
              assertStreamAt(12, state.pos, buf.subarray(0, n), "read in aborted task");
              state.pos += n;
            }
          });
          yield* sleep(rng.between(0, 5));
          h.abort();
          let eof = false;
          try {
            eof = yield* h;
          } catch {
            // cancelled
          }
          if (eof) break;
        }
        yield* f;
        assert.is(state.pos, total);
      }),
    OPTS,
  );
});

test.run();
