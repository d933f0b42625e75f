import { test } from "uvu";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as assert from "uvu/assert";
import { Builder, spawn } from "@tokio-ts/runtime";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import { fromAsync, Pending, type Context, type Poll } from "@tokio-ts/core";
import {
  BufReader,
  BufWriter,
  duplex,
  flush,
  IoError,
  lines,
  read,
  readLine,
  readUntil,
  readToEnd,
  shutdown,
  write,
  writeAll,
  type AsyncRead,
  type AsyncWrite,
} from "../src/index.js";
import { dec, enc, makeData, prng, randInt, rejection } from "./util-helpers.js";

/** A reader over fixed chunks, counting how many pollRead calls reach it. */
class Chunks implements AsyncRead {
  calls = 0;
  constructor(private readonly chunks: Uint8Array[]) {}
  pollRead(_cx: Context, buf: Uint8Array): Poll<number> {
    this.calls++;
    const chunk = this.chunks[0];
    if (chunk === undefined) return 0;
    const n = Math.min(buf.length, chunk.length);
    buf.set(chunk.subarray(0, n));
    if (n === chunk.length) this.chunks.shift();
    else this.chunks[0] = chunk.subarray(n);
    return n;
  }
}

/** A writer that records every pollWrite/pollFlush/pollShutdown it receives. */
class Recorder implements AsyncWrite {
  readonly log: string[] = [];
  readonly bytes: number[] = [];
  blocked = false;
  pollWrite(_cx: Context, data: Uint8Array): Poll<number> {
    if (this.blocked) return Pending;
    this.log.push(`write ${data.length}`);
    this.bytes.push(...data);
    return data.length;
  }
  pollFlush(): Poll<void> {
    this.log.push("flush");
    return undefined;
  }
  pollShutdown(): Poll<void> {
    this.log.push("shutdown");
    return undefined;
  }
}

test("BufReader turns many small reads into one read of the inner reader", async () => {
  const inner = new Chunks([enc.encode("abcdefghij")]);
  const r = new BufReader(inner, 16);
  const one = new Uint8Array(1);
  let text = "";
  for (let i = 0; i < 10; i++) {
    assert.is(await read(r, one), 1);
    text += String.fromCharCode(one[0]!);
  }
  assert.is(text, "abcdefghij");
  assert.is(inner.calls, 1);
  assert.is(await read(r, one), 0);
});

test("BufReader reads straight into a caller buffer at least as large as its own", async () => {
  const inner = new Chunks([enc.encode("0123456789")]);
  const r = new BufReader(inner, 4);
  const big = new Uint8Array(8);
  assert.is(await read(r, big), 8, "bypassed the 4-byte buffer");
  assert.is(dec.decode(big), "01234567");
  assert.is(r.buffer().length, 0);
});

test("BufReader pollFillBuf/consume expose and advance the buffered bytes", () => {
  const r = new BufReader(new Chunks([enc.encode("hello")]), 8);
  const cx = { waker: { wake() {} }, budget: Infinity, forcedYields: 0 } as Context;
  const view = r.pollFillBuf(cx) as Uint8Array;
  assert.is(dec.decode(view), "hello");
  r.consume(2);
  assert.is(dec.decode(r.buffer()), "llo");
  r.consume(100);
  assert.is(r.buffer().length, 0);
  assert.is((r.pollFillBuf(cx) as Uint8Array).length, 0, "EOF");
});

test("BufReader passes writes through to an inner AsyncWrite", async () => {
  const [a, b] = duplex(64);
  const r = new BufReader(b);
  await writeAll(r, enc.encode("back"));
  await shutdown(r);
  assert.is(dec.decode(await readToEnd(a)), "back");
  const readOnly = new BufReader(new Chunks([]));
  await rejection(writeAll(readOnly, enc.encode("x"))).then((e) => assert.instance(e, TypeError));
});

test("readLine returns each line with its \\n (and \\r), then the tail, then \"\"", async () => {
  const [a, b] = duplex(5);
  const writing = writeAll(a, enc.encode("first\r\nsecond\nno newline")).then(() => shutdown(a));
  const r = new BufReader(b, 4);
  assert.is(await readLine(r), "first\r\n");
  assert.is(await readLine(r), "second\n");
  assert.is(await readLine(r), "no newline");
  assert.is(await readLine(r), "");
  await writing;
});

test("readLine rejects invalid UTF-8 with INVALID_DATA; the next line reads fine", async () => {
  const r = new BufReader(new Chunks([new Uint8Array([0xc3, 0x28, 0x0a]), enc.encode("ok\n")]));
  const e = (await rejection(readLine(r))) as IoError;
  assert.is(e.code, "INVALID_DATA");
  assert.is(await readLine(r), "ok\n");
});

test("readUntil returns the bytes through the delimiter, then the tail, then an empty array", async () => {
  const r = new BufReader(new Chunks([enc.encode("hello world")]));
  assert.is(dec.decode(await readUntil(r, 0x20)), "hello ");
  assert.is(dec.decode(await readUntil(r, 0x20)), "world");
  assert.equal(await readUntil(r, 0x20), new Uint8Array(0));
});

test("readUntil across buffer fills and chunks that arrive later (capacity 2, a duplex)", () => {
  const [a, b] = duplex(8);
  const r = new BufReader(b, 2);
  const t = mockTask(readUntil(r, 3));
  assertPending(t.poll());
  assertReady(mockTask(writeAll(a, new Uint8Array([0, 1, 2]))).poll());
  assert.ok(t.isWoken());
  assertPending(t.poll()); // [0, 1, 2] kept, the delimiter not seen yet
  assertReady(mockTask(writeAll(a, new Uint8Array([3, 1, 0]))).poll());
  assert.equal(Array.from(assertReady(t.poll())), [0, 1, 2, 3]);
  const one = mockTask(readUntil(r, 1));
  assert.equal(Array.from(assertReady(one.poll())), [1]);
  a.close();
  const tail = mockTask(readUntil(r, 8));
  assert.equal(Array.from(assertReady(tail.poll())), [0]);
  const end = mockTask(readUntil(r, 9));
  assert.equal(Array.from(assertReady(end.poll())), []);
});

test("readUntil returns its own copy: the next read does not change it", async () => {
  const r = new BufReader(new Chunks([enc.encode("a,b,")]));
  const first = await readUntil(r, 0x2c);
  const second = await readUntil(r, 0x2c);
  assert.is(dec.decode(first), "a,");
  assert.is(dec.decode(second), "b,");
});

test("a reader error mid-line: lines() keeps the partial line for the next call; readLine() loses it", async () => {
  const flaky = (): AsyncRead => {
    const steps: (Uint8Array | "error")[] = [enc.encode("Hello Wor"), "error", enc.encode("ld\n")];
    return {
      pollRead(_cx, buf) {
        const step = steps.shift();
        if (step === undefined) return 0;
        if (step === "error") throw new Error("boom");
        buf.set(step);
        return step.length;
      },
    };
  };
  const it = lines(new BufReader(flaky()));
  assert.is(((await rejection(it.nextLine())) as Error).message, "boom");
  assert.is(await it.nextLine(), "Hello World");
  const r = new BufReader(flaky());
  assert.is(((await rejection(readLine(r))) as Error).message, "boom");
  assert.is(await readLine(r), "ld\n");
});

test("a next() of lines' async iterator that is given up on loses nothing, and the iteration goes on", async () => {
  const [a, b] = duplex(64);
  const it = lines(new BufReader(b))[Symbol.asyncIterator]();
  const loser = mockTask(fromAsync(() => it.next()));
  assertPending(loser.poll());
  await new Promise((resolve) => setImmediate(resolve)); // the await of nextLine() is registered
  loser.drop(); // as a select does to its losing branch
  await writeAll(a, enc.encode("one\ntwo\n"));
  a.close();
  assert.equal(await it.next(), { done: false, value: "one" });
  assert.equal(await it.next(), { done: false, value: "two" });
  assert.equal(await it.next(), { done: true, value: undefined });
});

test("lines strips \\n and \\r\\n, keeps empty lines, and iterates with for await", async () => {
  const r = new BufReader(new Chunks([enc.encode("a\r\n\nb"), enc.encode("c\r"), enc.encode("\nlast")]), 3);
  const got: string[] = [];
  for await (const line of lines(r)) got.push(line);
  assert.equal(got, ["a", "", "bc", "last"]);
});

test("lines: nextLine is cancel safe — a partial line survives a dropped call", () => {
  const [a, b] = duplex(64);
  const it = lines(new BufReader(b));
  assertReady(mockTask(write(a, enc.encode("hel"))).poll(), 3);
  const first = mockTask(it.nextLine());
  assertPending(first.poll());
  first.drop();
  assertReady(mockTask(write(a, enc.encode("lo\r\nworld\n"))).poll(), 10);
  assertReady(mockTask(it.nextLine()).poll(), "hello");
  assertReady(mockTask(it.nextLine()).poll(), "world");
  a.close();
  assertReady(mockTask(it.nextLine()).poll(), undefined);
  assertReady(mockTask(it.nextLine()).poll(), undefined);
});

test("lines lets go of the buffer one long line grew once that line is read (Tokio's Lines keeps nothing)", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const external = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return process.memoryUsage().arrayBuffers;
  };
  const baseline = await external();
  // One 16 MiB line, then short ones: the line spans many fills, so it is gathered in Lines' buffer.
  const it = lines(new BufReader(new Chunks([new Uint8Array(16 << 20).fill(0x61), enc.encode("\nshort\nlast\n")]), 64 * 1024));
  assert.is((assertReady(mockTask(it.nextLine(), { budget: Infinity }).poll()) as string).length, 16 << 20);
  assertReady(mockTask(it.nextLine()).poll(), "short");
  const kept = (await external()) - baseline;
  assert.ok(kept < 4 << 20, `the reader still holds ${(kept / 2 ** 20).toFixed(1)} MiB after the long line`);
  assertReady(mockTask(it.nextLine()).poll(), "last");
  assertReady(mockTask(it.nextLine()).poll(), undefined);
});

test("10,000 random lines through duplex + BufReader + lines arrive in order (runtime)", async () => {
  const rand = prng(42);
  const sent: string[] = [];
  for (let i = 0; i < 10_000; i++) sent.push("x".repeat(randInt(rand, 0, 300)) + i);
  const rt = Builder.newCurrentThread().build();
  const got = await rt.blockOn(function* () {
    const [a, b] = duplex(1024);
    spawn(function* () {
      const out = new BufWriter(a, 512);
      for (let i = 0; i < sent.length; i++) yield* writeAll(out, enc.encode(sent[i] + (i % 2 ? "\r\n" : "\n")));
      yield* shutdown(out);
    });
    const it = lines(new BufReader(b, 100));
    const lns: string[] = [];
    for (let l = yield* it.nextLine(); l !== undefined; l = yield* it.nextLine()) lns.push(l);
    return lns;
  });
  await rt.shutdownTimeout(1000);
  assert.is(got.length, sent.length);
  assert.equal(got, sent);
});

test("BufWriter buffers small writes, writes them on flush, then flushes the inner writer", async () => {
  const inner = new Recorder();
  const w = new BufWriter(inner, 8);
  await writeAll(w, enc.encode("abc"));
  await writeAll(w, enc.encode("de"));
  assert.equal(inner.log, [], "nothing reached the inner writer yet");
  assert.is(dec.decode(w.buffer()), "abcde");
  await flush(w);
  assert.equal(inner.log, ["write 5", "flush"]);
});

test("BufWriter: a write that does not fit flushes the buffer first; a large write bypasses the buffer", async () => {
  const inner = new Recorder();
  const w = new BufWriter(inner, 8);
  await writeAll(w, enc.encode("12345"));
  await writeAll(w, enc.encode("6789"));
  assert.equal(inner.log, ["write 5"], "the buffer was written before the new data");
  await writeAll(w, makeData(20, 1));
  assert.equal(inner.log, ["write 5", "write 4", "write 20"], "buffered bytes first, then the large write straight through");
  assert.is(w.buffer().length, 0);
});

test("BufWriter shutdown writes the buffer, then shuts the inner writer down (order kept)", async () => {
  const inner = new Recorder();
  const w = new BufWriter(inner, 64);
  await writeAll(w, enc.encode("tail"));
  await shutdown(w);
  assert.equal(inner.log, ["write 4", "shutdown"]);
  assert.is(dec.decode(new Uint8Array(inner.bytes)), "tail");
});

test("BufWriter flush waits while the inner writer is full, keeping the bytes", () => {
  const inner = new Recorder();
  const w = new BufWriter(inner, 8);
  assertReady(mockTask(write(w, enc.encode("abc"))).poll(), 3);
  inner.blocked = true;
  const f = mockTask(flush(w));
  assertPending(f.poll());
  inner.blocked = false;
  assertReady(f.poll());
  assert.equal(inner.log, ["write 3", "flush"]);
});

test("BufReader/BufWriter/readLine/lines reject bad arguments, naming them", () => {
  const [a] = duplex(4);
  const named = (name: string, type: Function) => (e: unknown) => e instanceof type && (e as Error).message.startsWith(name);
  assert.throws(() => new BufReader({} as never), named("inner", TypeError));
  assert.throws(() => new BufReader(a, 0), named("capacity", RangeError));
  assert.throws(() => new BufReader(a, -8), named("capacity", RangeError));
  assert.throws(() => new BufReader(a, NaN), named("capacity", RangeError));
  assert.throws(() => new BufReader(a, "8" as never), named("capacity", TypeError));
  assert.throws(() => new BufWriter({ pollRead() {} } as never), named("inner", TypeError));
  assert.throws(() => new BufWriter(a, 2.5), named("capacity", RangeError));
  assert.throws(() => readLine(a as never), (e: unknown) => e instanceof TypeError && /BufReader/.test((e as Error).message));
  assert.throws(() => lines(null as never), named("reader", TypeError));
});

test("BufReader/BufWriter: a capacity above 2^30 is a RangeError naming it, not the engine's allocation error", () => {
  const [a] = duplex(4);
  const error = (message: string) => (e: unknown) => e instanceof RangeError && (e as Error).message === message;
  assert.throws(() => new BufReader(a, 2 ** 40), error("capacity must be an integer number of bytes in 1..2^30, got 1099511627776"));
  assert.throws(() => new BufWriter(a, 2 ** 40), error("capacity must be an integer number of bytes in 1..2^30, got 1099511627776"));
  assert.throws(() => new BufWriter(a, 2 ** 30 + 1), error("capacity must be an integer number of bytes in 1..2^30, got 1073741825"));
});

test.run();
