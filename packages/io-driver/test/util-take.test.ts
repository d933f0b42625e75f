import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import { Pending, type Context, type Poll } from "@tokio-ts/core";
import {
  BufReader,
  copy,
  duplex,
  isAsyncBufRead,
  read,
  readExact,
  readLine,
  readToEnd,
  repeat,
  sink,
  take,
  Take,
  writeAll,
  type AsyncRead,
} from "../src/index.js";
import { dec, enc, makeData, rejection } from "./util-helpers.js";

/** A reader over one array that counts its pollRead calls and keeps the buffers it was given. */
class Bytes implements AsyncRead {
  calls = 0;
  readonly given: Uint8Array[] = [];
  #pos = 0;
  constructor(private readonly data: Uint8Array) {}
  pollRead(_cx: Context, buf: Uint8Array): Poll<number> {
    this.calls++;
    this.given.push(buf);
    const n = Math.min(buf.length, this.data.length - this.#pos);
    buf.set(this.data.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return n;
  }
}

const noopCx = { waker: { wake() {} }, budget: Infinity, forcedYields: 0 } as Context;

test("take reads at most limit bytes, then EOF; the rest stays in the inner reader", async () => {
  const inner = new Bytes(enc.encode("hello world"));
  const t = take(inner, 4);
  assert.instance(t, Take);
  const buf = new Uint8Array(6);
  assert.is(await read(t, buf), 4);
  assert.equal(Array.from(buf), [...enc.encode("hell"), 0, 0]);
  assert.is(t.limit(), 0);
  assert.is(await read(t, buf), 0, "EOF at the limit");
  assert.is(dec.decode(await readToEnd(t.intoInner())), "o world");
});

test("take at its limit reports EOF at once, without polling an inner reader that would wait", () => {
  let polls = 0;
  const waiting: AsyncRead = {
    pollRead() {
      polls++;
      return Pending;
    },
  };
  const zero = take(waiting, 0);
  assertReady(mockTask(read(zero, new Uint8Array(8))).poll(), 0);
  assertReady(mockTask(read(zero, new Uint8Array(0))).poll(), 0);
  assert.is(polls, 0, "the inner reader was never polled");
  const [a, b] = duplex(64);
  assertReady(mockTask(writeAll(a, enc.encode("abcdef"))).poll());
  const t = take(b, 4);
  const buf = new Uint8Array(8);
  assertReady(mockTask(read(t, buf)).poll(), 4);
  assertReady(mockTask(read(t, buf)).poll(), 0); // b still holds "ef" and is open, yet the Take is at EOF
  const rest = new Uint8Array(2);
  assertReady(mockTask(readExact(b, rest)).poll(), 2);
  assert.is(dec.decode(rest), "ef", "the Take did not read past its limit");
});

test("take: a pending read is woken by the inner reader and then reads only up to the limit", () => {
  const [a, b] = duplex(64);
  const t = take(b, 3);
  const buf = new Uint8Array(8);
  const task = mockTask(read(t, buf));
  assertPending(task.poll());
  assert.is(t.limit(), 3, "a Pending read counts nothing");
  assertReady(mockTask(writeAll(a, enc.encode("abcdef"))).poll());
  assert.ok(task.isWoken());
  assertReady(task.poll(), 3);
  assert.is(dec.decode(buf.subarray(0, 3)), "abc");
  assert.is(buf[3], 0, "nothing written past the limit");
  assert.is(t.limit(), 0);
});

test("take counts down across reads that return less than asked, and ends early at the inner EOF", async () => {
  const [a, b] = duplex(64);
  const t = take(b, 10);
  await writeAll(a, enc.encode("abc"));
  assert.is(await read(t, new Uint8Array(64)), 3);
  assert.is(t.limit(), 7);
  await writeAll(a, enc.encode("de"));
  a.close();
  assert.is(dec.decode(await readToEnd(t)), "de");
  assert.is(t.limit(), 5, "the inner reader ended before the limit");
});

test("setLimit starts a new count, also after the Take reached EOF", async () => {
  const t = take(repeat(0x61), 2);
  assert.is(dec.decode(await readToEnd(t)), "aa");
  t.setLimit(3);
  assert.is(t.limit(), 3);
  assert.is(dec.decode(await readToEnd(t)), "aaa");
  t.setLimit(1);
  t.setLimit(0);
  assert.is(await read(t, new Uint8Array(4)), 0);
});

test("take hands the caller's buffer through while it fits, and reuses one view when re-polled", () => {
  let ready = false;
  const given: Uint8Array[] = [];
  const inner: AsyncRead = {
    pollRead(_cx, buf) {
      given.push(buf);
      if (!ready) return Pending;
      buf.fill(1);
      return buf.length;
    },
  };
  const t = take(inner, 5);
  const small = new Uint8Array(4);
  assert.is(t.pollRead(noopCx, small), Pending);
  assert.is(given[0], small, "a buffer within the limit is passed as is");
  const big = new Uint8Array(16);
  assert.is(t.pollRead(noopCx, big), Pending);
  assert.is(t.pollRead(noopCx, big), Pending);
  assert.is(given[1]!.length, 5);
  assert.is(given[1]!.buffer, big.buffer);
  assert.is(given[2], given[1], "the re-poll reused the view of the same buffer and limit");
  ready = true;
  assert.is(t.pollRead(noopCx, big), 5);
  assert.is(given[3], given[1]);
  assert.equal(Array.from(big.subarray(0, 6)), [1, 1, 1, 1, 1, 0]);
});

test("take over a BufReader is an AsyncBufRead: readLine stops at the limit, the BufReader keeps the rest", async () => {
  const inner = new BufReader(new Bytes(enc.encode("hello\nworld\n")), 64);
  const t = take(inner, 8);
  assert.ok(isAsyncBufRead(t));
  assert.not.ok(isAsyncBufRead(take(new Bytes(new Uint8Array(1)), 8)), "a Take over a plain reader has no pollFillBuf");
  assert.is(await readLine(t), "hello\n");
  assert.is(await readLine(t), "wo", "cut at the limit");
  assert.is(await readLine(t), "");
  assert.is(await readLine(inner), "rld\n");
});

test("take pollFillBuf shows at most limit bytes, and consuming more cannot raise the limit", () => {
  const inner = new BufReader(new Bytes(enc.encode("abcdefgh")), 64);
  const t = take(inner, 3);
  assert.is(dec.decode(assertReady(t.pollFillBuf(noopCx))), "abc");
  t.consume(100);
  assert.is(t.limit(), 0);
  assert.is(assertReady(t.pollFillBuf(noopCx)).length, 0, "EOF at the limit");
  assert.is(dec.decode(inner.buffer()), "defgh", "only 3 bytes were consumed from the inner reader");
  t.setLimit(2);
  t.consume(1);
  assert.is(dec.decode(assertReady(t.pollFillBuf(noopCx))), "e");
  let polls = 0;
  const waiting = new BufReader({
    pollRead: () => {
      polls++;
      return Pending;
    },
  });
  assert.is(assertReady(take(waiting, 0).pollFillBuf(noopCx)).length, 0, "EOF at a zero limit");
  assert.is(polls, 0, "without polling an inner reader that would wait");
});

test("copy from a take copies exactly limit bytes, with and without a BufReader", async () => {
  const data = makeData(50_000, 21);
  assert.is(await copy(take(new Bytes(data), 12_345), sink()), 12_345);
  const buffered = new BufReader(new Bytes(data), 1000);
  assert.is(await copy(take(buffered, 20_001), sink()), 20_001);
  assert.is((await readToEnd(buffered)).length, 50_000 - 20_001);
});

test("take fails when the inner reader claims more bytes than the buffer it was given", async () => {
  const liar: AsyncRead = { pollRead: (_cx, _buf) => 10 };
  const e = await rejection(read(take(liar, 4), new Uint8Array(8)));
  assert.instance(e, RangeError);
  assert.match((e as Error).message, /returned 10 bytes .* 4-byte buffer/);
});

test("take's inner reader errors reach the caller", async () => {
  const failing: AsyncRead = {
    pollRead() {
      throw new Error("boom");
    },
  };
  assert.is(((await rejection(read(take(failing, 4), new Uint8Array(4)))) as Error).message, "boom");
});

test("take, setLimit and consume reject bad arguments with errors that name them", () => {
  const named = (cls: Function, name: string) => (e: unknown) => e instanceof cls && (e as Error).message.startsWith(name);
  assert.throws(() => take(sink() as never, 1), named(TypeError, "reader"));
  assert.throws(() => take(repeat(0), -1), named(RangeError, "limit"));
  assert.throws(() => take(repeat(0), 1.5), named(RangeError, "limit"));
  assert.throws(() => take(repeat(0), NaN), named(RangeError, "limit"));
  assert.throws(() => take(repeat(0), Infinity), named(RangeError, "limit"));
  assert.throws(() => take(repeat(0), "3" as never), named(TypeError, "limit"));
  const t = take(repeat(0), 3);
  assert.throws(() => t.setLimit(-2), named(RangeError, "limit"));
  assert.is(t.limit(), 3, "a rejected setLimit changes nothing");
  assert.throws(() => t.pollRead(noopCx, [0, 0] as never), named(TypeError, "buf"));
  const bt = take(new BufReader(repeat(0)), 3);
  assert.throws(() => bt.consume(-1), named(RangeError, "n"));
  assert.is(bt.limit(), 3);
});

test.run();
