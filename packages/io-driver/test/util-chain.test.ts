import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import type { Context, Poll } from "@tokio-ts/core";
import {
  BufReader,
  chain,
  Chain,
  copy,
  duplex,
  empty,
  isAsyncBufRead,
  read,
  readLine,
  readToEnd,
  readToString,
  repeat,
  sink,
  take,
  writeAll,
  type AsyncRead,
} from "../src/index.js";
import { dec, enc, makeData, rejection } from "./util-helpers.js";

/** A reader over one array, handing out at most `chunk` bytes per read. */
class Bytes implements AsyncRead {
  #pos = 0;
  constructor(
    private readonly data: Uint8Array,
    private readonly chunk = Infinity,
  ) {}
  pollRead(_cx: Context, buf: Uint8Array): Poll<number> {
    const n = Math.min(buf.length, this.chunk, this.data.length - this.#pos);
    buf.set(this.data.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return n;
  }
}

test("chain reads the first reader to EOF, then the second", async () => {
  const c = chain(new Bytes(enc.encode("hello ")), new Bytes(enc.encode("world")));
  assert.instance(c, Chain);
  assert.is(await readToString(c), "hello world");
});

test("chain: the read that meets the first reader's EOF returns the second's bytes in the same poll", () => {
  const [a, first] = duplex(64);
  assertReady(mockTask(writeAll(a, enc.encode("ab"))).poll());
  a.close();
  const c = chain(first, new Bytes(enc.encode("cd")));
  const buf = new Uint8Array(8);
  assertReady(mockTask(read(c, buf)).poll(), 2);
  assert.is(dec.decode(buf.subarray(0, 2)), "ab");
  assertReady(mockTask(read(c, buf)).poll(), 2); // not 0: no EOF between the two readers
  assert.is(dec.decode(buf.subarray(0, 2)), "cd");
  assertReady(mockTask(read(c, buf)).poll(), 0);
});

test("chain waits on the first reader while it is open, even when the second has bytes", () => {
  const [a, first] = duplex(64);
  const c = chain(first, repeat(0x7a));
  const buf = new Uint8Array(4);
  const task = mockTask(read(c, buf));
  assertPending(task.poll());
  assertReady(mockTask(writeAll(a, enc.encode("x"))).poll());
  assert.ok(task.isWoken());
  assertReady(task.poll(), 1);
  assert.is(buf[0], 0x78, "the first reader's byte, not the second's");
});

test("chain: a read into an empty buffer returns 0 and does not skip the first reader", async () => {
  const c = chain(new Bytes(enc.encode("first")), new Bytes(enc.encode("second")));
  assert.is(await read(c, new Uint8Array(0)), 0);
  assert.is(await readToString(c), "firstsecond");
});

test("chain of large inputs read in small chunks is byte-exact, and copy counts both", async () => {
  const x = makeData(30_000, 31);
  const y = makeData(20_000, 32);
  const all = await readToEnd(chain(new Bytes(x, 777), new Bytes(y, 555)));
  assert.equal(all, Uint8Array.from([...x, ...y]));
  assert.is(await copy(chain(new Bytes(x), chain(empty(), new Bytes(y))), sink()), 50_000);
});

test("chain getRef and intoInner give [first, second]", () => {
  const [, b] = duplex(8);
  const r = repeat(1);
  const c = chain(b, r);
  const [x, y] = c.getRef();
  assert.is(x, b);
  assert.is(y, r);
  const [p, q] = c.intoInner();
  assert.is(p, b);
  assert.is(q, r);
});

test("chain of two BufReaders is an AsyncBufRead: readLine runs across the boundary", async () => {
  const c = chain(new BufReader(new Bytes(enc.encode("ab"))), new BufReader(new Bytes(enc.encode("c\nd"))));
  assert.ok(isAsyncBufRead(c));
  assert.not.ok(isAsyncBufRead(chain(new BufReader(repeat(0)), repeat(0))), "only when both readers are buffered");
  assert.is(await readLine(c), "abc\n");
  assert.is(await readLine(c), "d");
  assert.is(await readLine(c), "");
});

test("chain pollFillBuf shows the first buffer, then the second; consume goes to the one shown", () => {
  const cx = { waker: { wake() {} }, budget: Infinity, forcedYields: 0 } as Context;
  const first = new BufReader(new Bytes(enc.encode("12")));
  const second = new BufReader(new Bytes(enc.encode("345")));
  const c = chain(first, second);
  assert.is(dec.decode(assertReady(c.pollFillBuf(cx))), "12");
  c.consume(1);
  assert.is(dec.decode(first.buffer()), "2");
  c.consume(1);
  assert.is(dec.decode(assertReady(c.pollFillBuf(cx))), "345");
  c.consume(2);
  assert.is(dec.decode(second.buffer()), "5");
});

test("chain with take: a header in front of a bounded body", async () => {
  const [a, b] = duplex(64);
  await writeAll(a, enc.encode("bodyNEXT"));
  const msg = chain(new Bytes(enc.encode("len=4;")), take(b, 4));
  assert.is(await readToString(msg), "len=4;body");
  const rest = new Uint8Array(4);
  assert.is(await read(b, rest), 4);
  assert.is(dec.decode(rest), "NEXT");
});

test("chain: either reader's error reaches the caller", async () => {
  const failing: AsyncRead = {
    pollRead() {
      throw new Error("boom");
    },
  };
  assert.is(((await rejection(readToEnd(chain(failing, empty())))) as Error).message, "boom");
  assert.is(((await rejection(readToEnd(chain(new Bytes(enc.encode("ok")), failing)))) as Error).message, "boom");
});

test("chain rejects bad arguments with TypeErrors that name them", () => {
  const named = (name: string) => (e: unknown) => e instanceof TypeError && (e as Error).message.startsWith(name);
  assert.throws(() => chain(sink() as never, empty()), named("first"));
  assert.throws(() => chain(empty(), {} as never), named("second"));
  assert.throws(() => chain(empty(), empty()).pollRead({} as Context, "abc" as never), named("buf"));
});

test.run();
