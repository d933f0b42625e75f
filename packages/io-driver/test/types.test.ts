/**
 * Type tests: a user's own reader and writer implement `AsyncRead`, `AsyncBufRead` and
 * `AsyncWrite` from the exported types alone, and every utility takes them with the output
 * types it says (`@ts-expect-error` fails the build if the line compiles). The typed code runs
 * in the test below (no runtime needed: the readers never wait), so its results are checked too.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Pending, type Context, type Future, type Poll } from "@tokio-ts/core";
import {
  BufReader,
  BufWriter,
  copy,
  lines,
  read,
  readExact,
  readLine,
  readToEnd,
  readToString,
  writeAll,
  flush,
  shutdown,
  fillBuf,
  readF64Le,
  readI8,
  readU32,
  readU64,
  writeF64Le,
  writeI8,
  writeU64,
  ReadInt,
  WriteInt,
  type AsyncBufRead,
  type AsyncRead,
  type AsyncWrite,
} from "../src/index.js";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

/** Reads the bytes it was given, then EOF. */
class Bytes implements AsyncRead {
  #data: Uint8Array;
  constructor(text: string) {
    this.#data = new TextEncoder().encode(text);
  }
  pollRead(_cx: Context, buf: Uint8Array): Poll<number> {
    const n = Math.min(buf.length, this.#data.length);
    buf.set(this.#data.subarray(0, n));
    this.#data = this.#data.subarray(n);
    return n;
  }
}

/** A buffered reader written by hand. */
class Lines implements AsyncBufRead {
  #data: Uint8Array;
  constructor(text: string) {
    this.#data = new TextEncoder().encode(text);
  }
  pollFillBuf(): Poll<Uint8Array> {
    return this.#data;
  }
  consume(n: number): void {
    this.#data = this.#data.subarray(n);
  }
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    const filled = this.pollFillBuf();
    if (filled === Pending) return Pending;
    const n = Math.min(buf.length, filled.length);
    buf.set(filled.subarray(0, n));
    this.consume(n);
    void cx;
    return n;
  }
}

/** Collects what is written. */
class Collect implements AsyncWrite {
  readonly chunks: Uint8Array[] = [];
  closed = false;
  pollWrite(_cx: Context, data: Uint8Array): Poll<number> {
    this.chunks.push(data.slice());
    return data.length;
  }
  pollFlush(): Poll<void> {
    return undefined;
  }
  pollShutdown(): Poll<void> {
    this.closed = true;
    return undefined;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}

export async function userStreams(): Promise<unknown[]> {
  const buf = new Uint8Array(3);
  const n = await read(new Bytes("abcdef"), buf);
  expectType<Equals<typeof n, number>>();
  const exact = await readExact(new Bytes("xyz!"), new Uint8Array(3));
  const all = await readToEnd(new Bytes("all"));
  expectType<Equals<typeof all, Uint8Array>>();
  const text = await readToString(new Bytes("text"));
  expectType<Equals<typeof text, string>>();
  const line = await readLine(new Lines("one\ntwo\n"));
  expectType<Equals<typeof line, string>>();
  const buffered = new BufReader(new Bytes("a\nb\n"));
  expectType<Equals<ReturnType<typeof buffered.getRef>, Bytes>>();
  const it = lines(buffered);
  const first = await it.nextLine();
  expectType<Equals<typeof first, string | undefined>>();
  const out = new Collect();
  const copied = await copy(new Bytes("copy"), out);
  expectType<Equals<typeof copied, number>>();
  const writer = new BufWriter(out);
  expectType<Equals<ReturnType<typeof writer.getRef>, Collect>>();
  await writeAll(writer, new TextEncoder().encode("+more"));
  await flush(writer);
  await shutdown(out);
  return [n, exact, all.length, text, line, first, copied, out.text(), out.closed];
}

export async function typedStreams(): Promise<unknown[]> {
  const fut = readU32(new Bytes("\0\0\u0001\u0002"));
  expectType<Equals<typeof fut, ReadInt<number>>>();
  expectType<Equals<ReturnType<typeof readU32> extends Future<infer T> ? T : never, number>>();
  expectType<Equals<ReturnType<typeof readU64> extends Future<infer T> ? T : never, bigint>>();
  expectType<Equals<ReturnType<typeof writeU64> extends Future<infer T> ? T : never, void>>();
  expectType<Equals<Parameters<typeof writeU64>[1], bigint>>();
  const u32 = await fut;
  expectType<Equals<typeof u32, number>>();
  const u64 = await readU64(new Bytes("\0\0\0\0\0\0\u0001\0"));
  expectType<Equals<typeof u64, bigint>>();
  const i8 = await readI8(new Bytes("\u007f"));
  const out = new Collect();
  const wrote: WriteInt<bigint> = writeU64(out, 2n ** 63n);
  await wrote;
  await writeI8(out, -1);
  await writeF64Le(out, 0.5);
  const avail = await fillBuf(new Lines("ab\ncd"));
  expectType<Equals<typeof avail, Uint8Array>>();
  const back = await readF64Le(new Bytes("")).then(undefined, (e: unknown) => (e as Error).name);
  return [u32, u64, i8, Buffer.concat(out.chunks).toString("hex"), new TextDecoder().decode(avail), back];
}

export function misuse(): void {
  // @ts-expect-error readLine needs an AsyncBufRead: wrap the reader in a BufReader
  readLine(new Bytes(""));
  // @ts-expect-error a reader is not a writer
  writeAll(new Bytes(""), new Uint8Array(1));
  // @ts-expect-error a writer is not a reader
  copy(new Collect(), new Collect());
  // @ts-expect-error a 64-bit write takes a bigint, not a number
  writeU64(new Collect(), 1);
  // @ts-expect-error an 8-bit write takes a number, not a bigint
  writeI8(new Collect(), 1n);
  // @ts-expect-error a typed read needs a reader, not a writer
  readU32(new Collect());
  // @ts-expect-error fillBuf needs an AsyncBufRead: wrap the reader in a BufReader
  fillBuf(new Bytes(""));
  // @ts-expect-error pollRead returns a count or Pending, not a string
  const bad: AsyncRead = { pollRead: () => "x" };
  void bad;
}

test("a user's own reader and writer work with the utilities, with the outputs their types say", async () => {
  assert.type(misuse, "function");
  assert.equal(await userStreams(), [3, 3, 3, "text", "one\n", "a", 4, "copy+more", true]);
});

test("the typed reads and writes and fillBuf work on a user's own streams, with the types they say (bigint for 64 bits)", async () => {
  assert.equal(await typedStreams(), [0x0102, 256n, 127, "8000000000000000ff000000000000e03f", "ab\ncd", "IoError"]);
});

test.run();
