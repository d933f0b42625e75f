import { test } from "uvu";
import * as assert from "uvu/assert";
import { Builder, spawn } from "@tokio-ts/runtime";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import type { Context } from "@tokio-ts/core";
import {
  bytesReader,
  BytesReader,
  bytesWriter,
  BytesWriter,
  copy,
  flush,
  IoError,
  isAsyncBufRead,
  isAsyncWrite,
  lines,
  read,
  readExact,
  readLine,
  readToEnd,
  readToString,
  readUntil,
  shutdown,
  write,
  writeAll,
} from "../src/index.js";
import { dec, enc, makeData, prng, randInt, rejection } from "./util-helpers.js";

const noopCx = { waker: { wake() {} }, budget: Infinity, forcedYields: 0 } as Context;

test("bytesReader reads the bytes in order across reads, then EOF (0) on every read", async () => {
  const reader = bytesReader(enc.encode("hello world"));
  assert.instance(reader, BytesReader);
  assert.is(reader.remaining, 11);
  assert.is(reader.position, 0);
  const buf = new Uint8Array(4);
  assert.is(await read(reader, buf), 4);
  assert.is(dec.decode(buf), "hell");
  assert.is(reader.remaining, 7);
  assert.is(reader.position, 4);
  assert.is(await read(reader, buf), 4);
  assert.is(dec.decode(buf), "o wo");
  assert.is(await read(reader, buf), 3);
  assert.is(dec.decode(buf.subarray(0, 3)), "rld");
  assert.is(reader.remaining, 0);
  assert.is(await read(reader, buf), 0, "EOF");
  assert.is(await read(reader, buf), 0, "still EOF");
  assert.is(reader.position, 11);
});

test("bytesReader is an AsyncBufRead: pollFillBuf is a view of what is left, consume(n) advances (capped at the end)", () => {
  const data = enc.encode("abcdef");
  const reader = bytesReader(data);
  assert.ok(isAsyncBufRead(reader));
  const view = reader.pollFillBuf(noopCx) as Uint8Array;
  assert.is(dec.decode(view), "abcdef");
  assert.is(view.buffer, data.buffer, "a view of the caller's array, not a copy");
  reader.consume(2);
  assert.is(dec.decode(reader.pollFillBuf(noopCx) as Uint8Array), "cdef");
  assert.is(reader.remaining, 4);
  reader.consume(100);
  assert.is((reader.pollFillBuf(noopCx) as Uint8Array).length, 0, "empty at EOF");
  assert.is(reader.remaining, 0);
  assert.throws(() => reader.consume(-1), RangeError);
  assert.throws(() => reader.consume("1" as never), (e: unknown) => e instanceof TypeError && (e as Error).message.startsWith("n"));
});

test("bytesReader does not copy the caller's array: a change to unread bytes shows in the next read", async () => {
  const data = enc.encode("abcd");
  const reader = bytesReader(data);
  data[3] = 0x7a; // "z"
  assert.is(dec.decode(await readToEnd(reader)), "abcz");
});

test("readLine, lines and readUntil work on a bytesReader directly", async () => {
  assert.is(await readLine(bytesReader(enc.encode("one\ntwo"))), "one\n");
  const all: string[] = [];
  for await (const line of lines(bytesReader(enc.encode("a\r\nb\nc")))) all.push(line);
  assert.equal(all, ["a", "b", "c"]);
  const r = bytesReader(enc.encode("k=v;rest"));
  assert.is(dec.decode(await readUntil(r, 0x3b)), "k=v;");
  assert.is(await readToString(r), "rest");
});

test("framing over bytesReader: a length-prefixed frame parses, and a truncated one is UNEXPECTED_EOF", async () => {
  const frame = new Uint8Array([0, 5, ...enc.encode("hello")]);
  const reader = bytesReader(frame);
  const header = new Uint8Array(2);
  await readExact(reader, header);
  const body = new Uint8Array((header[0]! << 8) | header[1]!);
  await readExact(reader, body);
  assert.is(dec.decode(body), "hello");
  assert.is(await read(reader, header), 0);

  const truncated = bytesReader(frame.subarray(0, 4));
  await readExact(truncated, header);
  const e = await rejection(readExact(truncated, new Uint8Array(5)));
  assert.instance(e, IoError);
  assert.is((e as IoError).code, "UNEXPECTED_EOF");
});

test("bytesReader never waits: every poll is ready, at EOF too, and keeps no waker", () => {
  let wakes = 0;
  const cx = { waker: { wake: () => wakes++ }, budget: Infinity, forcedYields: 0 } as unknown as Context;
  const reader = bytesReader(new Uint8Array(3));
  const buf = new Uint8Array(2);
  assert.is(reader.pollRead(cx, buf), 2);
  assert.is(reader.pollRead(cx, buf), 1);
  assert.is(reader.pollRead(cx, buf), 0);
  assert.is((reader.pollFillBuf(cx) as Uint8Array).length, 0);
  assert.is(wakes, 0);
});

test("coop: a read of a bytesReader spends one budget unit, and with no budget left it yields", () => {
  const spent = mockTask(read(bytesReader(new Uint8Array(8)), new Uint8Array(4)), { budget: 10 });
  assertReady(spent.poll(), 4);
  assert.is(spent.budgetRemaining, 9);
  const starved = mockTask(read(bytesReader(new Uint8Array(8)), new Uint8Array(4)), { budget: 0 });
  assertPending(starved.poll());
  assert.ok(starved.isWoken());
  assert.is(starved.forcedYields, 1);
});

test("coop: a task reading a large bytesReader one byte at a time yields to the others, in a runtime", async () => {
  const rt = Builder.newCurrentThread().build();
  const log = await rt.blockOn(function* () {
    const order: string[] = [];
    const other = spawn(function* () {
      order.push("other ran");
    });
    const src = bytesReader(new Uint8Array(1000));
    const buf = new Uint8Array(1);
    while ((yield* read(src, buf)) > 0);
    order.push("reader done");
    yield* other;
    return order;
  });
  await rt.shutdownTimeout(1000);
  assert.equal(log, ["other ran", "reader done"]);
});

test("bytesWriter appends every write whole, in order; length, bytes() and clear()", async () => {
  const out = bytesWriter();
  assert.instance(out, BytesWriter);
  assert.ok(isAsyncWrite(out));
  assert.is(out.length, 0);
  assert.is(out.bytes().length, 0);
  assert.is(await write(out, enc.encode("abc")), 3);
  await writeAll(out, enc.encode("def"));
  assert.is(await write(out, new Uint8Array(0)), 0);
  assert.is(out.length, 6);
  assert.is(dec.decode(out.bytes()), "abcdef");
  out.clear();
  assert.is(out.length, 0);
  assert.is(out.bytes().length, 0);
  await writeAll(out, enc.encode("xy"));
  assert.is(dec.decode(out.bytes()), "xy", "writes after clear() start from the beginning");
});

test("bytesWriter.bytes() is a copy: later writes and changes to it do not alias", async () => {
  const out = bytesWriter();
  await writeAll(out, enc.encode("abcd"));
  const first = out.bytes();
  first[0] = 0x7a;
  await writeAll(out, enc.encode("efgh"));
  assert.is(dec.decode(first), "zbcd");
  assert.is(dec.decode(out.bytes()), "abcdefgh");
  const data = enc.encode("ij");
  await writeAll(out, data);
  data[0] = 0;
  assert.is(dec.decode(out.bytes()), "abcdefghij", "the writer copies what it is given");
});

test("bytesWriter grows across many writes of random sizes (and one large one) and keeps every byte", async () => {
  const data = makeData(300_000, 7);
  const rand = prng(11);
  const out = bytesWriter();
  let pos = 0;
  while (pos < 100_000) {
    const n = randInt(rand, 1, 700);
    assert.is(await write(out, data.subarray(pos, pos + n)), n);
    pos += n;
  }
  await writeAll(out, data.subarray(pos));
  assert.is(out.length, data.length);
  assert.equal(out.bytes(), data);
});

test("bytesWriter: flush and shutdown are ready at once; a write after shutdown is BROKEN_PIPE and the bytes stay", async () => {
  const out = bytesWriter();
  assertReady(mockTask(write(out, enc.encode("ok"))).poll(), 2);
  assertReady(mockTask(flush(out)).poll(), undefined);
  assertReady(mockTask(shutdown(out)).poll(), undefined);
  const e = await rejection(write(out, enc.encode("late")));
  assert.instance(e, IoError);
  assert.is((e as IoError).code, "BROKEN_PIPE");
  out.clear();
  assert.is(((await rejection(writeAll(out, enc.encode("x")))) as IoError).code, "BROKEN_PIPE", "clear() does not reopen");
  await flush(out);
});

test("copy from a bytesReader into a bytesWriter is byte-exact", async () => {
  const data = makeData(50_000, 3);
  const out = bytesWriter();
  assert.is(await copy(bytesReader(data), out), 50_000);
  assert.equal(out.bytes(), data);
});

test("bad input: TypeError naming the argument", () => {
  const isTypeError = (name: string) => (e: unknown) => e instanceof TypeError && (e as Error).message.startsWith(name);
  assert.throws(() => bytesReader("abc" as never), isTypeError("data"));
  assert.throws(() => bytesReader(new ArrayBuffer(4) as never), isTypeError("data"));
  assert.throws(() => bytesReader([1, 2] as never), isTypeError("data"));
  assert.throws(() => bytesReader(undefined as never), isTypeError("data"));
  assert.throws(() => bytesReader(new Uint8Array(1)).pollRead(noopCx, [0] as never), isTypeError("buf"));
  assert.throws(() => bytesWriter().pollWrite(noopCx, "text" as never), isTypeError("data"));
  assert.is(bytesReader(Buffer.from("a Buffer is a Uint8Array")).remaining, 24);
});

test.run();
