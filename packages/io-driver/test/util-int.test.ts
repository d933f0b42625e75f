import { test } from "uvu";
import * as assert from "uvu/assert";
import { Builder } from "@tokio-ts/runtime";
import { Elapsed, timeout } from "@tokio-ts/time";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import { Pending, type Context, type Future, type Poll, type Waker } from "@tokio-ts/core";
import {
  BufReader,
  bytesReader,
  bytesWriter,
  duplex,
  fillBuf,
  FillBuf,
  IoError,
  readExact,
  readF32,
  readF32Le,
  readF64,
  readF64Le,
  readI16,
  readI16Le,
  readI32,
  readI32Le,
  readI64,
  readI64Le,
  readI8,
  ReadInt,
  readU16,
  readU16Le,
  readU32,
  readU32Le,
  readU64,
  readU64Le,
  readU8,
  shutdown,
  writeAll,
  writeF32,
  writeF32Le,
  writeF64,
  writeF64Le,
  writeI16,
  writeI16Le,
  writeI32,
  writeI32Le,
  writeI64,
  writeI64Le,
  writeI8,
  WriteInt,
  writeU16,
  writeU16Le,
  writeU32,
  writeU32Le,
  writeU64,
  writeU64Le,
  writeU8,
  type AsyncRead,
  type AsyncWrite,
} from "../src/index.js";
import { dec, enc, rejection } from "./util-helpers.js";

/** One typed kind: our read and write, Node's Buffer read and write of the same kind, and its boundary values. */
interface Kind<T> {
  name: string;
  size: number;
  read(reader: AsyncRead): Future<T>;
  write(writer: AsyncWrite, n: T): Future<void>;
  bufRead(buf: Buffer): T;
  bufWrite(buf: Buffer, n: T): void;
  values: T[];
}
/** Type-check one kind, then erase its type so all kinds fit one table. */
const kind = <T>(k: Kind<T>): Kind<unknown> => k as unknown as Kind<unknown>;

const F32_MAX = 3.4028234663852886e38;
const F32_MIN_SUBNORMAL = 1.401298464324817e-45;
const floats = [0, -0, 1.5, -2.25, NaN, Infinity, -Infinity];
const f32s = [...floats, Math.fround(Math.PI), F32_MAX, -F32_MAX, F32_MIN_SUBNORMAL];
const f64s = [...floats, Math.PI, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 2];
const u16s = [0, 1, 0x1234, 0x7fff, 0x8000, 0xffff];
const i16s = [0, 1, -1, 0x1234, 0x7fff, -0x8000];
const u32s = [0, 1, 0x12345678, 0x7fffffff, 0x80000000, 0xffffffff];
const i32s = [0, 1, -1, 0x12345678, 2 ** 31 - 1, -(2 ** 31)];
const u64s = [0n, 1n, 0x0102030405060708n, 2n ** 63n, 2n ** 64n - 1n];
const i64s = [0n, 1n, -1n, 0x0102030405060708n, 2n ** 63n - 1n, -(2n ** 63n)];

const kinds: Kind<unknown>[] = [
  kind<number>({ name: "U8", size: 1, read: readU8, write: writeU8, bufRead: (b) => b.readUInt8(0), bufWrite: (b, n) => b.writeUInt8(n), values: [0, 1, 0x7f, 0x80, 0xff] }),
  kind<number>({ name: "I8", size: 1, read: readI8, write: writeI8, bufRead: (b) => b.readInt8(0), bufWrite: (b, n) => b.writeInt8(n), values: [0, 1, -1, 127, -128] }),
  kind<number>({ name: "U16", size: 2, read: readU16, write: writeU16, bufRead: (b) => b.readUInt16BE(0), bufWrite: (b, n) => b.writeUInt16BE(n), values: u16s }),
  kind<number>({ name: "U16Le", size: 2, read: readU16Le, write: writeU16Le, bufRead: (b) => b.readUInt16LE(0), bufWrite: (b, n) => b.writeUInt16LE(n), values: u16s }),
  kind<number>({ name: "I16", size: 2, read: readI16, write: writeI16, bufRead: (b) => b.readInt16BE(0), bufWrite: (b, n) => b.writeInt16BE(n), values: i16s }),
  kind<number>({ name: "I16Le", size: 2, read: readI16Le, write: writeI16Le, bufRead: (b) => b.readInt16LE(0), bufWrite: (b, n) => b.writeInt16LE(n), values: i16s }),
  kind<number>({ name: "U32", size: 4, read: readU32, write: writeU32, bufRead: (b) => b.readUInt32BE(0), bufWrite: (b, n) => b.writeUInt32BE(n), values: u32s }),
  kind<number>({ name: "U32Le", size: 4, read: readU32Le, write: writeU32Le, bufRead: (b) => b.readUInt32LE(0), bufWrite: (b, n) => b.writeUInt32LE(n), values: u32s }),
  kind<number>({ name: "I32", size: 4, read: readI32, write: writeI32, bufRead: (b) => b.readInt32BE(0), bufWrite: (b, n) => b.writeInt32BE(n), values: i32s }),
  kind<number>({ name: "I32Le", size: 4, read: readI32Le, write: writeI32Le, bufRead: (b) => b.readInt32LE(0), bufWrite: (b, n) => b.writeInt32LE(n), values: i32s }),
  kind<bigint>({ name: "U64", size: 8, read: readU64, write: writeU64, bufRead: (b) => b.readBigUInt64BE(0), bufWrite: (b, n) => b.writeBigUInt64BE(n), values: u64s }),
  kind<bigint>({ name: "U64Le", size: 8, read: readU64Le, write: writeU64Le, bufRead: (b) => b.readBigUInt64LE(0), bufWrite: (b, n) => b.writeBigUInt64LE(n), values: u64s }),
  kind<bigint>({ name: "I64", size: 8, read: readI64, write: writeI64, bufRead: (b) => b.readBigInt64BE(0), bufWrite: (b, n) => b.writeBigInt64BE(n), values: i64s }),
  kind<bigint>({ name: "I64Le", size: 8, read: readI64Le, write: writeI64Le, bufRead: (b) => b.readBigInt64LE(0), bufWrite: (b, n) => b.writeBigInt64LE(n), values: i64s }),
  kind<number>({ name: "F32", size: 4, read: readF32, write: writeF32, bufRead: (b) => b.readFloatBE(0), bufWrite: (b, n) => b.writeFloatBE(n), values: f32s }),
  kind<number>({ name: "F32Le", size: 4, read: readF32Le, write: writeF32Le, bufRead: (b) => b.readFloatLE(0), bufWrite: (b, n) => b.writeFloatLE(n), values: f32s }),
  kind<number>({ name: "F64", size: 8, read: readF64, write: writeF64, bufRead: (b) => b.readDoubleBE(0), bufWrite: (b, n) => b.writeDoubleBE(n), values: f64s }),
  kind<number>({ name: "F64Le", size: 8, read: readF64Le, write: writeF64Le, bufRead: (b) => b.readDoubleLE(0), bufWrite: (b, n) => b.writeDoubleLE(n), values: f64s }),
];

/** What Node's Buffer writes for `n` of kind `k`. */
function nodeBytes(k: Kind<unknown>, n: unknown): Uint8Array {
  const buf = Buffer.alloc(k.size);
  k.bufWrite(buf, n);
  return Uint8Array.from(buf);
}

/**
 * A reader of `data` that gives at most `perCall` bytes per pollRead and, when `gated`, one
 * chunk per {@link release} (Pending in between, with the waker stored). Records the length of
 * each buffer it is handed.
 */
class Trickle implements AsyncRead {
  readonly asked: number[] = [];
  #data: Uint8Array;
  #open: number;
  #waker: Waker | undefined;
  constructor(data: Uint8Array, readonly perCall = 1, readonly gated = false) {
    this.#data = data;
    this.#open = gated ? 0 : Infinity;
  }
  get remaining(): number {
    return this.#data.length;
  }
  release(): void {
    this.#open++;
    const w = this.#waker;
    this.#waker = undefined;
    w?.wake();
  }
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    this.asked.push(buf.length);
    if (this.#open === 0) {
      this.#waker = cx.waker;
      return Pending;
    }
    this.#open--;
    const n = Math.min(buf.length, this.perCall, this.#data.length);
    buf.set(this.#data.subarray(0, n));
    this.#data = this.#data.subarray(n);
    return n;
  }
}

/** A writer that takes at most `perCall` bytes per pollWrite, and records what it took. */
class Dribble implements AsyncWrite {
  readonly taken: number[] = [];
  readonly offered: number[] = [];
  constructor(readonly perCall = 1) {}
  pollWrite(_cx: Context, data: Uint8Array): Poll<number> {
    this.offered.push(data.length);
    const n = Math.min(data.length, this.perCall);
    for (let i = 0; i < n; i++) this.taken.push(data[i]!);
    return n;
  }
  pollFlush(): Poll<void> {
    return undefined;
  }
  pollShutdown(): Poll<void> {
    return undefined;
  }
}

const same = (a: unknown, b: unknown, what: string) => assert.ok(Object.is(a, b), `${what}: expected ${String(b)}, got ${String(a)}`);

test("every typed write puts the bytes Node's Buffer writes (both byte orders, boundary values, NaN and the infinities)", async () => {
  for (const k of kinds) {
    for (const v of k.values) {
      const out = bytesWriter();
      await k.write(out, v);
      assert.equal(out.bytes(), nodeBytes(k, v), `write${k.name}(${String(v)})`);
    }
  }
});

test("every typed read decodes the bytes as Node's Buffer reads them, and reads no byte past its value", async () => {
  for (const k of kinds) {
    for (const v of k.values) {
      const bytes = nodeBytes(k, v);
      const reader = bytesReader(Uint8Array.from([...bytes, 0xee]));
      const got = await k.read(reader);
      same(got, k.bufRead(Buffer.from(bytes)), `read${k.name} of ${String(v)}`);
      same(got, v, `read${k.name} round trip`);
      assert.is(reader.remaining, 1, `read${k.name} left the next byte`);
    }
  }
});

test("the byte order of each pair differs (big-endian unless Le, as Tokio)", async () => {
  const out = bytesWriter();
  await writeU16(out, 0x0102);
  await writeU16Le(out, 0x0102);
  await writeU32(out, 0x01020304);
  await writeU32Le(out, 0x01020304);
  await writeU64(out, 0x0102030405060708n);
  await writeU64Le(out, 0x0102030405060708n);
  assert.equal([...out.bytes()], [1, 2, 2, 1, 1, 2, 3, 4, 4, 3, 2, 1, 1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1]);
  const r = bytesReader(Uint8Array.from([0x80, 0x01, 0x80, 0x01]));
  assert.is(await readU16(r), 0x8001);
  assert.is(await readI16Le(r), 0x0180);
});

test("every kind round-trips through a small duplex (each value split across writes and reads), back to back", async () => {
  const [a, b] = duplex(3);
  const writing = (async () => {
    for (const k of kinds) for (const v of k.values) await k.write(a, v);
    await shutdown(a);
  })();
  const reading = (async () => {
    for (const k of kinds) {
      for (const v of k.values) same(await k.read(b), v, `read${k.name}`);
    }
  })();
  await Promise.all([writing, reading]); // a failure of either fails the test (not an unhandled rejection)
  const e = await rejection(readU8(b));
  assert.instance(e, IoError);
});

test("64-bit integers are bigints beyond 2^53, exactly", async () => {
  const big = 2n ** 64n - 1n;
  const out = bytesWriter();
  await writeU64(out, big);
  await writeI64Le(out, -(2n ** 63n) + 1n);
  assert.equal([...out.bytes().subarray(0, 8)], [255, 255, 255, 255, 255, 255, 255, 255]);
  const r = bytesReader(out.bytes());
  const u = await readU64(r);
  assert.is(typeof u, "bigint");
  assert.is(u, big);
  assert.is(await readI64Le(r), -(2n ** 63n) + 1n);
});

test("a value split across reads: a reader that gives one byte per poll resolves readU32 on the fourth, with the bytes in order", () => {
  const reader = new Trickle(Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01]), 1, true);
  const task = mockTask(readU32(reader));
  assertPending(task.poll());
  for (let i = 0; i < 3; i++) {
    reader.release();
    assert.ok(task.isWoken(), "the reader's wake-up reaches the task");
    assertPending(task.poll(), `pending after ${i + 1} byte(s)`);
  }
  reader.release();
  assertReady(task.poll(), 0xdeadbeef);
  assert.equal(reader.asked, [4, 4, 3, 3, 2, 2, 1, 1], "each call asks for exactly the missing bytes");
  assert.is(reader.remaining, 1, "the byte after the value stays in the reader");
});

test("a value split across reads of every size: readU64 and readF64Le over a one-byte-per-call reader", async () => {
  const bytes = nodeBytes(kinds.find((k) => k.name === "U64")!, 0x1122334455667788n);
  assert.is(await readU64(new Trickle(bytes)), 0x1122334455667788n);
  const pi = new Uint8Array(8);
  new DataView(pi.buffer).setFloat64(0, Math.PI, true);
  assert.is(await readF64Le(new Trickle(pi, 3)), Math.PI);
});

test("EOF in the middle of a value is the UNEXPECTED_EOF IoError that readExact throws", async () => {
  const e = await rejection(readU32(bytesReader(Uint8Array.from([1, 2, 3]))));
  assert.instance(e, IoError);
  assert.is((e as IoError).code, "UNEXPECTED_EOF");
  const fromReadExact = await rejection(readExact(bytesReader(Uint8Array.from([1, 2, 3])), new Uint8Array(4)));
  assert.is((e as IoError).message, (fromReadExact as IoError).message);
  for (const k of kinds) {
    const partial = nodeBytes(k, k.values[1]).subarray(0, k.size - 1);
    const err = await rejection(k.read(bytesReader(partial)));
    assert.is((err as IoError).code, "UNEXPECTED_EOF", `read${k.name} of ${partial.length} bytes`);
  }
});

test("EOF on a duplex after a shutdown mid-value: the pending readU16 fails, not hangs", async () => {
  const [a, b] = duplex(8);
  const reading = rejection(readU16(b));
  await writeU8(a, 7);
  await shutdown(a);
  const e = await reading;
  assert.is((e as IoError).code, "UNEXPECTED_EOF");
});

test("a writer that takes one byte per call gets the whole value, each call offered exactly the bytes left", () => {
  const w = new Dribble(1);
  assertReady(mockTask(writeI32Le(w, -2)).poll(), undefined);
  assert.equal(w.taken, [0xfe, 0xff, 0xff, 0xff]);
  assert.equal(w.offered, [4, 3, 2, 1]);
  const w3 = new Dribble(3);
  assertReady(mockTask(writeF64(w3, -0)).poll(), undefined);
  assert.equal(w3.taken, [0x80, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(w3.offered, [8, 5, 2]);
});

test("a typed write to a writer that takes 0 bytes is WRITE_ZERO; to a closed duplex, BROKEN_PIPE", async () => {
  const zero: AsyncWrite = { pollWrite: () => 0, pollFlush: () => undefined, pollShutdown: () => undefined };
  assert.is(((await rejection(writeU16(zero, 1))) as IoError).code, "WRITE_ZERO");
  const [a, b] = duplex(8);
  b.close();
  assert.is(((await rejection(writeU8(a, 1))) as IoError).code, "BROKEN_PIPE");
});

test("bad values throw at the call (before any poll), naming n: RangeError out of range or not an integer, TypeError for the wrong type", () => {
  const out = bytesWriter();
  const names = (cls: typeof RangeError | typeof TypeError) => (e: unknown) => e instanceof cls && (e as Error).message.startsWith("n must be");
  const ranges: [string, () => unknown][] = [
    ["writeU8(256)", () => writeU8(out, 256)],
    ["writeU8(-1)", () => writeU8(out, -1)],
    ["writeU8(1.5)", () => writeU8(out, 1.5)],
    ["writeU8(NaN)", () => writeU8(out, NaN)],
    ["writeU8(Infinity)", () => writeU8(out, Infinity)],
    ["writeI8(128)", () => writeI8(out, 128)],
    ["writeI8(-129)", () => writeI8(out, -129)],
    ["writeU16(-1)", () => writeU16(out, -1)],
    ["writeU16Le(65536)", () => writeU16Le(out, 65536)],
    ["writeI16(32768)", () => writeI16(out, 32768)],
    ["writeI16Le(-32769)", () => writeI16Le(out, -32769)],
    ["writeU32(2**32)", () => writeU32(out, 2 ** 32)],
    ["writeU32Le(-1)", () => writeU32Le(out, -1)],
    ["writeI32(2**31)", () => writeI32(out, 2 ** 31)],
    ["writeI32Le(-(2**31)-1)", () => writeI32Le(out, -(2 ** 31) - 1)],
    ["writeU64(-1n)", () => writeU64(out, -1n)],
    ["writeU64Le(2n**64n)", () => writeU64Le(out, 2n ** 64n)],
    ["writeI64(2n**63n)", () => writeI64(out, 2n ** 63n)],
    ["writeI64Le(-(2n**63n)-1n)", () => writeI64Le(out, -(2n ** 63n) - 1n)],
  ];
  for (const [what, call] of ranges) assert.throws(call, names(RangeError), what);
  const types: [string, () => unknown][] = [
    ['writeU8("1")', () => writeU8(out, "1" as never)],
    ["writeU8(1n)", () => writeU8(out, 1n as never)],
    ["writeI32(undefined)", () => writeI32(out, undefined as never)],
    ["writeU64(5)", () => writeU64(out, 5 as never)],
    ['writeI64Le("5")', () => writeI64Le(out, "5" as never)],
    ["writeF32(1n)", () => writeF32(out, 1n as never)],
    ['writeF64Le("1.5")', () => writeF64Le(out, "1.5" as never)],
    ["writeF64(null)", () => writeF64(out, null as never)],
  ];
  for (const [what, call] of types) assert.throws(call, names(TypeError), what);
  assert.is(out.length, 0, "nothing was written");
  assert.match(String(catchOf(() => writeU16(out, 70000))), /0\.\.65535/, "the message says the range");
  assert.match(String(catchOf(() => writeU64(out, 1 as never))), /bigint/, "the message says a bigint is needed");
});

test("every integer kind refuses min - 1 and max + 1 (RangeError), and the other numeric type (TypeError), at the call", () => {
  const out = bytesWriter();
  const isError = (cls: typeof RangeError | typeof TypeError) => (e: unknown) => e instanceof cls && (e as Error).message.startsWith("n must be");
  for (const k of kinds) {
    const bigints = typeof k.values[0] === "bigint";
    assert.throws(() => k.write(out, bigints ? 1 : 1n), isError(TypeError), `write${k.name} of the wrong type`);
    if (k.name.startsWith("F")) continue;
    const sorted = [...(k.values as (number | bigint)[])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const [min, max] = [sorted[0]!, sorted[sorted.length - 1]!];
    const below = typeof min === "bigint" ? min - 1n : min - 1;
    const above = typeof max === "bigint" ? max + 1n : max + 1;
    assert.throws(() => k.write(out, below), isError(RangeError), `write${k.name}(${below})`);
    assert.throws(() => k.write(out, above), isError(RangeError), `write${k.name}(${above})`);
  }
  assert.is(out.length, 0, "nothing was written");
});

test("the boundary values themselves are accepted at the call", () => {
  const out = bytesWriter();
  for (const call of [
    () => writeU8(out, 255),
    () => writeI8(out, -128),
    () => writeU16(out, 65535),
    () => writeI16(out, -32768),
    () => writeU32(out, 2 ** 32 - 1),
    () => writeI32(out, -(2 ** 31)),
    () => writeU64(out, 2n ** 64n - 1n),
    () => writeI64(out, -(2n ** 63n)),
    () => writeF32(out, 1e40),
  ]) {
    assert.instance(call(), WriteInt);
  }
});

test("writeF32 rounds to the nearest f32 (as Math.fround): 1e40 is written as Infinity", async () => {
  const out = bytesWriter();
  await writeF32(out, 1e40);
  await writeF32(out, 0.1);
  const r = bytesReader(out.bytes());
  assert.is(await readF32(r), Infinity);
  assert.is(await readF32(r), Math.fround(0.1));
});

test("a bad reader or writer is a TypeError naming it", () => {
  const isTypeError = (name: string) => (e: unknown) => e instanceof TypeError && (e as Error).message.startsWith(name);
  const [a] = duplex(4);
  for (const k of kinds) {
    assert.throws(() => k.read({} as never), isTypeError("reader"), `read${k.name}`);
    assert.throws(() => k.write(bytesReader(new Uint8Array(0)) as never, k.values[0]), isTypeError("writer"), `write${k.name}`);
  }
  assert.throws(() => readU8({} as never), isTypeError("reader"));
  assert.throws(() => readU64(null as never), isTypeError("reader"));
  assert.throws(() => readF64Le(new Uint8Array(8) as never), isTypeError("reader"));
  assert.throws(() => writeU8({ pollWrite() {} } as never, 1), isTypeError("writer"));
  assert.throws(() => writeI64(undefined as never, 1n), isTypeError("writer"));
  assert.throws(() => writeF32(bytesReader(new Uint8Array(0)) as never, 1), isTypeError("writer"));
  assert.throws(() => fillBuf(a as never), (e: unknown) => isTypeError("reader")(e) && /BufReader/.test((e as Error).message));
  assert.throws(() => fillBuf(null as never), isTypeError("reader"));
});

test("fillBuf gives the buffered bytes without consuming them; consume(n) moves on; empty at EOF", async () => {
  const reader = bytesReader(enc.encode("hello"));
  const first = await fillBuf(reader);
  assert.is(dec.decode(first), "hello");
  assert.is(dec.decode(await fillBuf(reader)), "hello", "still there: nothing was consumed");
  reader.consume(2);
  assert.is(dec.decode(await fillBuf(reader)), "llo");
  reader.consume(3);
  assert.is((await fillBuf(reader)).length, 0, "empty at EOF");
  assert.is((await fillBuf(reader)).length, 0, "and again");
});

test("fillBuf over a BufReader waits for bytes, fills once, and the rest is read after consume", async () => {
  const [a, b] = duplex(64);
  const reader = new BufReader(b);
  const task = mockTask(fillBuf(reader));
  assertPending(task.poll());
  await writeAll(a, enc.encode("key:value"));
  assert.ok(task.isWoken());
  const buf = assertReady(task.poll());
  assert.is(dec.decode(buf), "key:value");
  reader.consume(buf.indexOf(0x3a) + 1);
  assert.is(dec.decode(assertReady(mockTask(fillBuf(reader)).poll())), "value", "the rest, from the same fill");
  reader.consume(5);
  await shutdown(a);
  assert.is((await fillBuf(reader)).length, 0, "empty at EOF");
});

test("fillBuf's result is the reader's own buffer (a view, not a copy)", async () => {
  const data = enc.encode("abc");
  const view = await fillBuf(bytesReader(data));
  assert.is(view.buffer, data.buffer);
});

test("cancel safety of readU8: a readU8 dropped while pending takes nothing, and the next read gets the byte", () => {
  const [a, b] = duplex(8);
  const dropped = mockTask(readU8(b));
  assertPending(dropped.poll());
  dropped.drop();
  assertReady(mockTask(writeU8(a, 0x2a)).poll(), undefined);
  assertReady(mockTask(readU8(b)).poll(), 0x2a);
  const droppedI8 = mockTask(readI8(b));
  assertPending(droppedI8.poll());
  droppedI8.drop();
  assertReady(mockTask(writeU8(a, 0xff)).poll(), undefined);
  assertReady(mockTask(readI8(b)).poll(), -1);
});

test("cancel safety of readU8 under timeout on the paused clock: the byte sent after the timeout is read next", async () => {
  const rt = Builder.newCurrentThread().enableTime().startPaused(true).build();
  const got = await rt.blockOn(function* () {
    const [a, b] = duplex(8);
    let elapsed: unknown;
    try {
      yield* timeout(100, readU8(b));
    } catch (e) {
      elapsed = e;
    }
    assert.instance(elapsed, Elapsed);
    yield* writeU8(a, 200);
    return yield* timeout(100, readU8(b));
  });
  await rt.shutdownTimeout(1000);
  assert.is(got, 200);
});

test("cancel: a wider read dropped after part of its value loses that part, as documented", () => {
  const [a, b] = duplex(8);
  const dropped = mockTask(readU16(b));
  assertReady(mockTask(writeU8(a, 0x01)).poll(), undefined);
  assertPending(dropped.poll(), "one byte of two");
  dropped.drop();
  assertReady(mockTask(writeU16(a, 0x0203)).poll(), undefined);
  assertReady(mockTask(readU16(b)).poll(), 0x0203); // the 0x01 is gone
});

test("cancel: a writeU8 dropped while the writer is full wrote nothing; a wider write dropped mid-value sent its prefix", () => {
  const [a, b] = duplex(1);
  assertReady(mockTask(writeU8(a, 1)).poll(), undefined);
  const dropped = mockTask(writeU8(a, 2));
  assertPending(dropped.poll(), "the pipe is full");
  dropped.drop();
  assertReady(mockTask(readU8(b)).poll(), 1);
  const reading = mockTask(readU8(b));
  assertPending(reading.poll(), "the dropped byte was never written");
  const wide = mockTask(writeU16(a, 0x0304));
  assertPending(wide.poll(), "one byte of two went in");
  wide.drop();
  assert.ok(reading.isWoken());
  assertReady(reading.poll(), 3); // the prefix was sent
});

test("coop: a typed read spends one unit per reader call that made progress, and yields (Pending, self-wake) when out of budget", () => {
  const spent = mockTask(readU32(new Trickle(Uint8Array.from([0, 0, 0, 9]))), { budget: 10 });
  assertReady(spent.poll(), 9);
  assert.is(spent.budgetRemaining, 6, "four calls");
  const reader = new Trickle(Uint8Array.from([0, 0, 0, 9]));
  const starved = mockTask(readU32(reader), { budget: 3 });
  assertPending(starved.poll());
  assert.ok(starved.isWoken());
  assert.is(starved.forcedYields, 1);
  assert.is(reader.remaining, 1, "three bytes were taken before the budget ran out");
  assertReady(starved.poll(), 9); // the bytes already taken are kept across polls
  const none = mockTask(readU8(bytesReader(new Uint8Array(1))), { budget: 0 });
  assertPending(none.poll());
  assert.is(none.forcedYields, 1);
});

test("coop: the EOF call spends a unit too (as readExact)", () => {
  const task = mockTask(readU8(bytesReader(new Uint8Array(0))), { budget: 5 });
  assert.throws(() => task.poll(), (e: unknown) => (e as IoError).code === "UNEXPECTED_EOF");
  assert.is(task.budgetRemaining, 4);
});

test("coop: a typed write spends one unit per writer call that took bytes, and yields when out of budget", () => {
  const w = new Dribble(1);
  const spent = mockTask(writeU64(w, 1n), { budget: 100 });
  assertReady(spent.poll(), undefined);
  assert.is(spent.budgetRemaining, 92);
  const w2 = new Dribble(1);
  const starved = mockTask(writeU16Le(w2, 0x0102), { budget: 1 });
  assertPending(starved.poll());
  assert.ok(starved.isWoken());
  assert.is(starved.forcedYields, 1);
  assert.equal(w2.taken, [0x02]);
  assertReady(starved.poll(), undefined);
  assert.equal(w2.taken, [0x02, 0x01]);
});

test("coop: fillBuf spends one unit, and yields when out of budget", () => {
  const spent = mockTask(fillBuf(bytesReader(new Uint8Array(3))), { budget: 10 });
  assert.is(assertReady(spent.poll()).length, 3);
  assert.is(spent.budgetRemaining, 9);
  const starved = mockTask(fillBuf(bytesReader(new Uint8Array(3))), { budget: 0 });
  assertPending(starved.poll());
  assert.ok(starved.isWoken());
  assert.is(starved.forcedYields, 1);
});

test("a reader whose pollRead polls another typed read (nested) gets its own bytes, not the inner read's", () => {
  const inner = bytesReader(Uint8Array.from([0x11, 0x22, 0x33, 0x44]));
  let innerValue: unknown;
  const outer: AsyncRead = {
    pollRead(cx, buf) {
      buf.fill(0xab); // the outer bytes go in first …
      innerValue = assertReady(readU32(inner).poll(cx)); // … then a typed read runs inside this call
      return buf.length;
    },
  };
  assertReady(mockTask(readU16(outer)).poll(), 0xabab);
  assert.is(innerValue, 0x11223344);
});

test("a writer whose pollWrite runs another typed write before copying gets the outer bytes", () => {
  const innerOut = bytesWriter();
  const seen: number[] = [];
  const outer: AsyncWrite = {
    pollWrite(cx, data) {
      assertReady(writeU32(innerOut, 0x11223344).poll(cx)); // a typed write inside this call …
      seen.push(...data); // … then the outer writer copies its data
      return data.length;
    },
    pollFlush: () => undefined,
    pollShutdown: () => undefined,
  };
  assertReady(mockTask(writeU16(outer, 0xabcd)).poll(), undefined);
  assert.equal(seen, [0xab, 0xcd]);
  assert.equal([...innerOut.bytes()], [0x11, 0x22, 0x33, 0x44]);
});

test("no array is allocated per call: every reader call is handed the same scratch memory, also after a reader threw", () => {
  const memory = new Set<ArrayBufferLike>();
  const recording: AsyncRead = {
    pollRead(_cx, buf) {
      memory.add(buf.buffer);
      buf.fill(1);
      return 1;
    },
  };
  assertReady(mockTask(readU32(recording)).poll(), 0x01010101);
  assertReady(mockTask(readU8(recording)).poll(), 1);
  assert.throws(() => mockTask(readU32({ pollRead: () => { throw new Error("boom"); } })).poll(), /boom/);
  assertReady(mockTask(readF64(recording)).poll());
  assert.is(memory.size, 1, "one scratch array for every call, given back after the throw");
  const offered = new Set<ArrayBufferLike>();
  const w: AsyncWrite = {
    pollWrite: (_cx, data) => (offered.add(data.buffer), 1),
    pollFlush: () => undefined,
    pollShutdown: () => undefined,
  };
  assertReady(mockTask(writeU64(w, 7n)).poll(), undefined);
  assert.throws(() => mockTask(writeU16({ ...w, pollWrite: () => { throw new Error("boom"); } }, 1)).poll(), /boom/);
  assertReady(mockTask(writeI32Le(w, -7)).poll(), undefined);
  assert.equal([...offered], [...memory], "the writes share it too");
});

test("the futures are the exported classes", () => {
  assert.instance(readU8(bytesReader(new Uint8Array(1))), ReadInt);
  assert.instance(readF64Le(bytesReader(new Uint8Array(1))), ReadInt);
  assert.instance(writeI64(bytesWriter(), 0n), WriteInt);
  assert.instance(fillBuf(bytesReader(new Uint8Array(1))), FillBuf);
});

function catchOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

test.run();
