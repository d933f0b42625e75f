// BufReader / BufWriter / readLine / lines / readUntil / readToString against a model, with
// random buffer capacities and random chunk boundaries (so "\r\n" and multi-byte UTF-8
// characters are split across reads).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { yieldNow } from "@tokio-ts/core";
import {
  BufReader,
  BufWriter,
  bytesReader,
  chain,
  copy,
  duplex,
  fillBuf,
  flush,
  IoError,
  lines,
  read,
  readExact,
  readLine,
  readToEnd,
  readToString,
  readUntil,
  shutdown,
  take,
  write,
  writeAll,
  type AsyncWrite,
} from "@tokio-ts/io-driver";
import { assertStreamAt, bytesEqual, ChoppyReader, concat, CountingWriter, size, stream, stripLine, utf8 } from "./helpers.js";

const OPTS = { enableTime: true, startPaused: true } as const;
const POOL = ["a", "b", "z", " ", "é", "€", "😀", "\r", "\t", "ß", "中"];

function randomText(rng: SeededRng, maxLen: number): string {
  let s = "";
  const len = rng.between(0, maxLen);
  for (let i = 0; i < len; i++) s += POOL[rng.below(POOL.length)];
  return s;
}

/** Raw lines, each with its terminator except maybe the last. */
function randomLines(rng: SeededRng): string[] {
  const count = rng.between(0, 30);
  const raw: string[] = [];
  for (let i = 0; i < count; i++) {
    const body = randomText(rng, rng.below(5) === 0 ? 200 : 12);
    const last = i === count - 1;
    const term = last && rng.below(2) === 0 ? "" : rng.below(2) === 0 ? "\n" : "\r\n";
    if (body === "" && term === "") continue; // no bytes: not a line
    raw.push(body + term);
  }
  return raw;
}


/** Write `data` into `w` in random pieces (so any byte boundary can be a chunk boundary). */
function* chop(w: AsyncWrite, data: Uint8Array, rng: SeededRng, maxChunk: number, end: boolean) {
  let pos = 0;
  while (pos < data.length) {
    const len = Math.min(data.length - pos, rng.between(1, maxChunk));
    yield* writeAll(w, data.subarray(pos, pos + len));
    pos += len;
    if (rng.below(3) === 0) yield* yieldNow();
    else if (rng.below(6) === 0) yield* sleep(1);
  }
  if (end) yield* shutdown(w);
}

test("readLine over BufReader(duplex): every line with its own \\n or \\r\\n, the last one without, then \"\" (random capacity and chunking)", async () => {
  await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 101 + 7);
        const raw = randomLines(rng);
        const [a, b] = duplex(rng.between(1, 64));
        const w = spawn(chop(a, utf8(raw.join("")), new SeededRng(seed), rng.between(1, 9), true));
        const reader = new BufReader(b, rng.between(1, 40));
        const got: string[] = [];
        for (;;) {
          const line = yield* readLine(reader);
          if (line === "") break;
          got.push(line);
        }
        yield* w;
        assert.equal(got, raw);
        assert.is(yield* readLine(reader), "", "EOF is sticky");
      }),
    OPTS,
  );
});

test("lines().nextLine and for-await: lines without their terminators; a lone \\r stays; EOF is undefined (random capacity and chunking)", async () => {
  await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 103 + 11);
        const raw = randomLines(rng);
        const [a, b] = duplex(rng.between(1, 64));
        const w = spawn(chop(a, utf8(raw.join("")), new SeededRng(seed + 1), rng.between(1, 9), true));
        const it = lines(new BufReader(b, rng.between(1, 40)));
        const got: string[] = [];
        for (let line; (line = yield* it.nextLine()) !== undefined; ) got.push(line);
        yield* w;
        assert.equal(got, raw.map(stripLine));
        assert.is(yield* it.nextLine(), undefined);
      }),
    OPTS,
  );
  // for await, outside any runtime (Lines works over an always-ready reader).
  for (let seed = 0; seed < 60; seed++) {
    const rng = new SeededRng(seed * 107 + 13);
    const raw = randomLines(rng);
    const got: string[] = [];
    for await (const line of lines(new BufReader(bytesReader(utf8(raw.join(""))), rng.between(1, 16)))) got.push(line);
    assert.equal(got, raw.map(stripLine), `seed ${seed}`);
  }
});

test("readToString: UTF-8 split at any byte boundary decodes whole; invalid UTF-8 is INVALID_DATA", async () => {
  await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 109 + 3);
        const text = randomText(rng, 400);
        const bytes = utf8(text);
        const mode = rng.below(3);
        let got: string;
        if (mode === 0) {
          got = yield* readToString(new ChoppyReader(bytes, rng, rng.between(1, 5)));
        } else if (mode === 1) {
          got = yield* readToString(new BufReader(new ChoppyReader(bytes, rng, rng.between(1, 5)), rng.between(1, 7)));
        } else {
          const [a, b] = duplex(rng.between(1, 16));
          const w = spawn(chop(a, bytes, new SeededRng(seed), rng.between(1, 5), true));
          got = yield* readToString(b);
          yield* w;
        }
        assert.is(got, text);
        // A broken sequence: a 4-byte character cut short, anywhere in the text.
        const cut = utf8("😀").subarray(0, rng.between(1, 3));
        const at = rng.between(0, bytes.length);
        const bad = concat([bytes.subarray(0, at), cut, rng.below(2) === 0 ? utf8("x") : new Uint8Array(0)]);
        try {
          yield* readToString(new ChoppyReader(bad, rng, 3));
          assert.unreachable("invalid UTF-8 decoded");
        } catch (e) {
          assert.instance(e, IoError);
          assert.is((e as IoError).code, "INVALID_DATA");
        }
      }),
    OPTS,
  );
});

test("readUntil over BufReader(ChoppyReader): records up to and including the delimiter, the tail without it, then empty", async () => {
  await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 113 + 1);
        const delim = rng.below(256);
        const data = new Uint8Array(rng.between(0, 600));
        for (let i = 0; i < data.length; i++) data[i] = rng.below(8) === 0 ? delim : rng.below(256);
        const expected: Uint8Array[] = [];
        let start = 0;
        for (let i = 0; i < data.length; i++) {
          if (data[i] === delim) {
            expected.push(data.subarray(start, i + 1));
            start = i + 1;
          }
        }
        if (start < data.length) expected.push(data.subarray(start));
        const reader = new BufReader(new ChoppyReader(data, rng, rng.between(1, 30)), rng.between(1, 50));
        const got: Uint8Array[] = [];
        for (;;) {
          const rec = yield* readUntil(reader, delim);
          if (rec.length === 0) break;
          got.push(rec);
        }
        assert.is(got.length, expected.length);
        for (let i = 0; i < got.length; i++) bytesEqual(got[i]!, expected[i]!, `record ${i}`);
      }),
    OPTS,
  );
});

test("BufReader with random capacity: read / readExact / fillBuf+consume / readToEnd interleaved give the stream exactly", async () => {
  await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 127 + 5);
        const total = rng.between(0, 5000);
        const [a, b] = duplex(rng.between(1, 2048));
        const w = spawn(chop(a, stream(77, 0, total), new SeededRng(seed), rng.between(1, 700), true));
        const reader = new BufReader(b, rng.between(1, 300));
        let pos = 0;
        for (;;) {
          const op = rng.below(6);
          if (op === 0 && pos < total) {
            const buf = new Uint8Array(Math.min(total - pos, size(rng, 900)));
            yield* readExact(reader, buf);
            assertStreamAt(77, pos, buf, "readExact");
            pos += buf.length;
          } else if (op === 1) {
            const avail = yield* fillBuf(reader);
            if (avail.length === 0) break;
            assert.ok(avail.length <= reader.capacity);
            assertStreamAt(77, pos, avail, "fillBuf");
            // fillBuf consumed nothing: a second one sees the same bytes.
            const again = yield* fillBuf(reader);
            assert.is(again.length, avail.length);
            const k = rng.between(0, avail.length);
            reader.consume(k);
            pos += k;
          } else if (op === 2 && rng.below(5) === 0) {
            const rest = yield* readToEnd(reader);
            assertStreamAt(77, pos, rest, "readToEnd");
            pos += rest.length;
            break;
          } else {
            const buf = new Uint8Array(size(rng, 700));
            const n = yield* read(reader, buf);
            if (n === 0) break;
            assertStreamAt(77, pos, buf.subarray(0, n), "read");
            pos += n;
          }
        }
        yield* w;
        assert.is(pos, total);
        assert.is(reader.buffer().length, 0);
      }),
    OPTS,
  );
});

test("BufWriter with random capacity: bytes arrive in order; after flush() every accepted byte reached the inner writer; shutdown flushes the rest", async () => {
  await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 131 + 9);
        const total = rng.between(0, 6000);
        const maxBuf = rng.between(1, 1500);
        const [a, b] = duplex(maxBuf);
        const inner = new CountingWriter(a);
        const out = new BufWriter(inner, rng.between(1, 400));
        const rd = spawn(function* () {
          const rrng = new SeededRng(seed + 3);
          let pos = 0;
          for (;;) {
            if (rrng.below(3) === 0) yield* sleep(1);
            const buf = new Uint8Array(size(rrng, 900));
            const n = yield* read(b, buf);
            if (n === 0) return pos;
            assertStreamAt(41, pos, buf.subarray(0, n), "read");
            pos += n;
          }
        });
        let accepted = 0;
        while (accepted < total) {
          const len = Math.min(total - accepted, size(rng, 1000));
          const data = stream(41, accepted, len);
          if (rng.below(2) === 0) {
            const n = yield* write(out, data);
            assert.ok(n >= 1 && n <= len);
            accepted += n;
          } else {
            yield* writeAll(out, data);
            accepted += len;
          }
          assert.ok(out.buffer().length <= out.capacity);
          assert.is(inner.count + out.buffer().length, accepted, "accepted = handed on + buffered");
          if (rng.below(4) === 0) {
            yield* flush(out);
            assert.is(out.buffer().length, 0);
            assert.is(inner.count, accepted, "flush handed every accepted byte on");
          }
        }
        yield* shutdown(out);
        assert.is(inner.count, total);
        assert.is(yield* rd, total);
      }),
    OPTS,
  );
});

test("take/chain as AsyncBufRead: lines, readLine and copy through them see the same bytes as the plain reader; take's limit counts consumed bytes", async () => {
  await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 137 + 1);
        const raw = randomLines(rng);
        const bytes = utf8(raw.join(""));
        const [a, b] = duplex(rng.between(1, 64));
        const w = spawn(chop(a, bytes, new SeededRng(seed + 2), rng.between(1, 9), true));
        const src = new BufReader(b, rng.between(1, 40));
        const cut = rng.between(0, bytes.length);
        const mode = rng.below(3);
        if (mode === 0) {
          // lines over chain(take(src, cut), src): the cut falls anywhere, even inside a character.
          const it = lines(chain(take(src, cut), src));
          const got: string[] = [];
          for (let line; (line = yield* it.nextLine()) !== undefined; ) got.push(line);
          assert.equal(got, raw.map(stripLine));
        } else if (mode === 1) {
          // copy(take(src, cut)) copies exactly `cut` bytes; the rest is still in src.
          const [c, d] = duplex(100000);
          const t = take(src, cut);
          assert.is(yield* copy(t, c), cut);
          assert.is(t.limit(), 0);
          yield* shutdown(c);
          const head = yield* readToEnd(d);
          const tail = yield* readToEnd(src);
          bytesEqual(concat([head, tail]), bytes, "copy(take) + rest");
          assert.is(head.length, cut);
        } else {
          // readLine through BufReader(take(b-side BufReader, cut)), then readLine on src.
          const t = take(src, cut);
          const inner = new BufReader(t, rng.between(1, 16));
          const parts: Uint8Array[] = [];
          for (;;) {
            const rec = yield* readUntil(inner, 0x0a);
            if (rec.length === 0) break;
            parts.push(rec);
          }
          assert.is(t.limit(), 0);
          parts.push(yield* readToEnd(src));
          bytesEqual(concat(parts), bytes, "take then rest");
        }
        yield* w;
      }),
    OPTS,
  );
});

test("lines(): a line that is not UTF-8 is INVALID_DATA and skipped; the next line comes out whole. readLine: same, its bytes consumed", async () => {
  await forEachSeed(
    100,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 139 + 1);
        const good1 = randomText(rng, 20).replace(/[\r]/g, "");
        const good2 = randomText(rng, 20).replace(/[\r]/g, "");
        const bad = concat([utf8(randomText(rng, 5)), new Uint8Array([0xff, 0xfe]), utf8(randomText(rng, 5))]);
        const data = concat([utf8(good1 + "\n"), bad, utf8("\r\n" + good2 + "\n")]);
        const useLines = rng.below(2) === 0;
        const [a, b] = duplex(rng.between(1, 16));
        const w = spawn(chop(a, data, new SeededRng(seed), rng.between(1, 5), true));
        const reader = new BufReader(b, rng.between(1, 12));
        const it = lines(reader);
        const next = function* () {
          return useLines ? yield* it.nextLine() : yield* readLine(reader);
        };
        assert.is(yield* next(), useLines ? good1 : good1 + "\n");
        try {
          yield* next();
          assert.unreachable("invalid line decoded");
        } catch (e) {
          assert.is((e as IoError).code, "INVALID_DATA");
        }
        assert.is(yield* next(), useLines ? good2 : good2 + "\n");
        assert.is(yield* next(), useLines ? undefined : "");
        yield* w;
      }),
    OPTS,
  );
});

/** A reader over `data` that fails on a random share of polls (consuming nothing then). */
class FlakyReader {
  pos = 0;
  failures = 0;
  constructor(
    readonly data: Uint8Array,
    readonly rng: SeededRng,
  ) {}
  pollRead(_cx: unknown, buf: Uint8Array): number {
    if (this.pos < this.data.length && this.rng.below(4) === 0) {
      this.failures++;
      throw new Error("flaky");
    }
    const n = Math.min(buf.length, this.data.length - this.pos, this.rng.between(1, 7));
    buf.set(this.data.subarray(this.pos, this.pos + n));
    this.pos += n;
    return n;
  }
}

test("lines() keeps the partial line across the reader's errors (doc: readLine loses it, lines keeps it for the next call)", async () => {
  await forEachSeed(
    200,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 149 + 1);
        const raw = randomLines(rng);
        const flaky = new FlakyReader(utf8(raw.join("")), rng);
        const it = lines(new BufReader(flaky, rng.between(1, 12)));
        const got: string[] = [];
        for (let guard = 0; guard < 100000; guard++) {
          let line: string | undefined;
          try {
            line = yield* it.nextLine();
          } catch (e) {
            assert.is((e as Error).message, "flaky");
            continue;
          }
          if (line === undefined) break;
          got.push(line);
        }
        assert.equal(got, raw.map(stripLine), `${flaky.failures} failures`);
      }),
    OPTS,
  );
});

test.run();
