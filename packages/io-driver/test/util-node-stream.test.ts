import { test } from "uvu";
import * as assert from "uvu/assert";
import { createReadStream, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createGunzip, gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Builder, spawn } from "@tokio-ts/runtime";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import {
  bytesReader,
  duplex,
  empty,
  errorKind,
  flush,
  fromNodeReadable,
  fromNodeWritable,
  IoError,
  read,
  readToEnd,
  readToString,
  repeat,
  shutdown,
  sink,
  toNodeReadable,
  toNodeWritable,
  toReadableStream,
  toWritableStream,
  writeAll,
  type AsyncRead,
} from "../src/index.js";
import type { Context, Poll } from "@tokio-ts/core";
import { Checksum, dec, enc, makeData, prng, randInt, rejection } from "./util-helpers.js";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A Readable producing `data` in random-size chunks, counting bytes handed to Node. */
function source(data: Uint8Array, seed: number, highWaterMark = 16 * 1024): Readable & { produced: number } {
  const rand = prng(seed);
  let off = 0;
  const r = new Readable({
    highWaterMark,
    read() {
      if (off >= data.length) return void this.push(null);
      const len = Math.min(randInt(rand, 1, 5000), data.length - off);
      const chunk = Buffer.from(data.subarray(off, off + len));
      off += len;
      (r as Readable & { produced: number }).produced += len;
      setImmediate(() => this.push(chunk));
    },
  }) as Readable & { produced: number };
  r.produced = 0;
  return r;
}

/** A Writable that collects bytes, completing each write on a later turn. */
function collector(highWaterMark = 1024): Writable & { sum: Checksum; maxBuffered: number; finals: number } {
  const w = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      w.sum.update(chunk);
      w.maxBuffered = Math.max(w.maxBuffered, w.writableLength);
      setImmediate(cb);
    },
    final(cb) {
      w.finals++;
      cb();
    },
  }) as Writable & { sum: Checksum; maxBuffered: number; finals: number };
  w.sum = new Checksum();
  w.maxBuffered = 0;
  w.finals = 0;
  return w;
}

test("fromNodeReadable: 2 MiB in random chunks read with random buffer sizes arrives byte-exact", async () => {
  const data = makeData(2 << 20, 21);
  const reader = fromNodeReadable(source(data, 1));
  const rand = prng(2);
  const buf = new Uint8Array(9000);
  const sum = new Checksum();
  for (;;) {
    const view = buf.subarray(0, randInt(rand, 1, buf.length));
    const n = await read(reader, view);
    if (n === 0) break;
    sum.update(view.subarray(0, n));
  }
  assert.equal(sum, Checksum.of(data));
});

test("fromNodeReadable: backpressure — an unread stream is not drained past its highWaterMark", async () => {
  const data = makeData(1 << 20, 3);
  const src = source(data, 4, 4096);
  const reader = fromNodeReadable(src);
  for (let i = 0; i < 50; i++) await tick();
  assert.ok(src.produced <= 4096 + 5000, `produced ${src.produced} bytes with nobody reading`);
  assert.equal(Checksum.of(await readToEnd(reader)), Checksum.of(data));
});

test("fromNodeReadable: string chunks are UTF-8 bytes; EOF repeats", async () => {
  const reader = fromNodeReadable(Readable.from(["héllo ", "wörld"], { objectMode: true }));
  assert.is(await readToString(reader), "héllo wörld");
  assert.is(await read(reader, new Uint8Array(4)), 0);
});

test("fromNodeReadable: the stream's error is thrown by the read as an IoError with the cause", async () => {
  const boom = new Error("disk on fire");
  const src = new Readable({ read() {} });
  src.push(Buffer.from("partial"));
  const reader = fromNodeReadable(src);
  const buf = new Uint8Array(64);
  assert.is(dec.decode(buf.subarray(0, await read(reader, buf))), "partial");
  const pending = rejection(read(reader, buf));
  src.destroy(boom);
  const e = (await pending) as IoError;
  assert.instance(e, IoError);
  assert.is(e.code, "OTHER");
  assert.is(e.cause, boom);
});

test("fromNodeReadable: a destroy before the end is an error, not a silent EOF", async () => {
  const src = new Readable({ read() {} });
  const reader = fromNodeReadable(src);
  const pending = rejection(read(reader, new Uint8Array(4)));
  src.destroy();
  const e = (await pending) as IoError;
  assert.instance(e, IoError);
  assert.is(e.code, "UNEXPECTED_EOF");
  assert.match(e.message, /premature close/i);
});

test("fromNodeWritable: a stream destroyed under a pending write is BROKEN_PIPE", async () => {
  const w = new Writable({ highWaterMark: 4, write: () => {} }); // never completes a write
  const out = fromNodeWritable(w);
  const pending = rejection(writeAll(out, new Uint8Array(64)));
  await tick();
  w.destroy();
  const e = (await pending) as IoError;
  assert.is(e.code, "BROKEN_PIPE");
});

test("toNodeReadable: a duplex read through a Node Readable (for await) is byte-exact", async () => {
  const data = makeData(1 << 20, 5);
  const [a, b] = duplex(3000);
  const writing = (async () => {
    await writeAll(a, data);
    await shutdown(a);
  })();
  const sum = new Checksum();
  for await (const chunk of toNodeReadable(b, { chunkSize: 4000 })) sum.update(chunk);
  await writing;
  assert.equal(sum, Checksum.of(data));
});

test("toNodeReadable: backpressure — an endless reader is not read past the highWaterMark", async () => {
  let reads = 0;
  const counting: AsyncRead = {
    pollRead(cx: Context, buf: Uint8Array): Poll<number> {
      reads++;
      return repeat(7).pollRead(cx, buf);
    },
  };
  const readable = toNodeReadable(counting, { highWaterMark: 8192, chunkSize: 1024 });
  readable.on("readable", () => {}); // start flowing into the buffer, but consume nothing
  for (let i = 0; i < 20; i++) await tick();
  assert.ok(readable.readableLength <= 8192 + 1024, `buffered ${readable.readableLength}`);
  assert.ok(reads <= 10, `read ${reads} times`);
  readable.destroy();
});

test("toNodeReadable: the reader's error destroys the stream with that error", async () => {
  const [a, b] = duplex(8);
  const failing: AsyncRead = {
    pollRead(cx: Context, buf: Uint8Array): Poll<number> {
      const n = b.pollRead(cx, buf);
      if (n === 0) throw new IoError("OTHER", "source failed");
      return n;
    },
  };
  await writeAll(a, enc.encode("abc"));
  a.close();
  const readable = toNodeReadable(failing);
  const e = (await rejection(pipeline(readable, new Writable({ write: (_c, _e, cb) => cb() })))) as IoError;
  assert.is(e.message, "source failed");
});

test("fromNodeWritable: writes wait for drain (memory bounded), bytes arrive exact, shutdown ends it", async () => {
  const data = makeData(300_000, 6);
  const sink = collector(1024);
  const out = fromNodeWritable(sink);
  const rand = prng(7);
  for (let off = 0; off < data.length; ) {
    const len = Math.min(randInt(rand, 1, 4000), data.length - off);
    await writeAll(out, data.subarray(off, off + len));
    off += len;
  }
  await flush(out);
  assert.is(sink.writableLength, 0, "flush waited for every write callback");
  assert.ok(sink.maxBuffered <= 2048, `buffered up to ${sink.maxBuffered} bytes`);
  assert.is(sink.finals, 0);
  await shutdown(out);
  assert.is(sink.finals, 1);
  assert.ok(sink.writableFinished);
  assert.equal(sink.sum, Checksum.of(data));
  const e = (await rejection(writeAll(out, enc.encode("late")))) as IoError;
  assert.is(e.code, "BROKEN_PIPE");
});

test("fromNodeWritable: the stream's error is thrown as an IoError with the cause (no crash)", async () => {
  const boom = new Error("EPIPE-ish");
  const w = new Writable({ write: (_c, _e, cb) => setImmediate(() => cb(boom)) });
  const out = fromNodeWritable(w);
  await writeAll(out, enc.encode("x"));
  const e = (await rejection(flush(out))) as IoError;
  assert.instance(e, IoError);
  assert.is(e.cause, boom);
  assert.is(((await rejection(writeAll(out, enc.encode("y")))) as IoError).cause, boom);
});

test("fromNodeWritable: a host EPIPE (stdout piped into a reader that exited) is BROKEN_PIPE, with the cause", async () => {
  const epipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE", errno: -32, syscall: "write" });
  const w = new Writable({ write: (_c, _e, cb) => setImmediate(() => cb(epipe)) });
  const out = fromNodeWritable(w);
  await writeAll(out, enc.encode("x"));
  const e = (await rejection(flush(out))) as IoError;
  assert.instance(e, IoError);
  assert.is(e.kind, "BROKEN_PIPE");
  assert.is(e.cause, epipe);
});

test("fromNodeReadable: a file stream's ENOENT is an IoError of kind NOT_FOUND, with the cause", async () => {
  const missing = join(tmpdir(), `tokio-ts-missing-${process.pid}-${Date.now()}`, "nothing.txt");
  const input = fromNodeReadable(createReadStream(missing));
  const e = (await rejection(readToEnd(input))) as IoError;
  assert.instance(e, IoError);
  assert.is(e.kind, "NOT_FOUND");
  assert.is(errorKind(e), "NOT_FOUND");
  assert.is((e.cause as { code?: string }).code, "ENOENT");
  assert.match(e.message, /ENOENT/);
});

test("errorKind: Node's system errors read as Tokio's ErrorKind; anything else is OTHER", () => {
  const sys = (code: string) => Object.assign(new Error(`connect ${code}`), { code, syscall: "connect" });
  assert.is(errorKind(sys("ECONNREFUSED")), "CONNECTION_REFUSED");
  assert.is(errorKind(sys("ECONNRESET")), "CONNECTION_RESET");
  assert.is(errorKind(sys("EADDRINUSE")), "ADDR_IN_USE");
  assert.is(errorKind(sys("EACCES")), "PERMISSION_DENIED");
  assert.is(errorKind(sys("EPERM")), "PERMISSION_DENIED");
  assert.is(errorKind(sys("ETIMEDOUT")), "TIMED_OUT");
  assert.is(errorKind(sys("EAGAIN")), "WOULD_BLOCK");
  assert.is(errorKind(sys("ERR_SOCKET_CLOSED")), "OTHER");
  assert.is(errorKind(new DOMException("timed out", "TimeoutError")), "TIMED_OUT");
  assert.is(errorKind(new IoError("WRITE_ZERO", "x")), "WRITE_ZERO");
  assert.is(errorKind(new Error("plain")), "OTHER");
  assert.is(errorKind(undefined), "OTHER");
  assert.is(errorKind({ code: 5 }), "OTHER");
});

test("toNodeWritable: pipeline into a duplex; end() shuts the duplex down (the peer reads EOF)", async () => {
  const data = makeData(500_000, 8);
  const [a, b] = duplex(2000);
  const reading = readToEnd(b).then((bytes) => bytes); // then() starts the lazy future
  await pipeline(source(data, 9), toNodeWritable(a, { highWaterMark: 4096 }));
  assert.equal(Checksum.of(await reading), Checksum.of(data));
});

test("toNodeWritable inside a runtime: a task reads what Node writes", async () => {
  const rt = Builder.newCurrentThread().build();
  const text = await rt.blockOn(function* () {
    const [a, b] = duplex(4);
    const w = toNodeWritable(a);
    w.write("hello ");
    w.end("from node");
    const reader = spawn(readToString(b));
    return yield* reader;
  });
  await rt.shutdownTimeout(1000);
  assert.is(text, "hello from node");
});

test("toNodeWritable: the writer's error errors the Writable", async () => {
  const [a, b] = duplex(8);
  b.close();
  const e = (await rejection(pipeline(Readable.from([Buffer.from("x")]), toNodeWritable(a)))) as IoError;
  assert.is(e.code, "BROKEN_PIPE");
});

test("Node bridges reject bad arguments, naming them", () => {
  const [a] = duplex(8);
  const named = (name: string, type: Function) => (e: unknown) => e instanceof type && (e as Error).message.startsWith(name);
  assert.throws(() => fromNodeReadable({} as never), named("stream", TypeError));
  assert.throws(() => fromNodeWritable(new Readable() as never), named("stream", TypeError));
  assert.throws(() => toNodeReadable({} as never), named("reader", TypeError));
  assert.throws(() => toNodeReadable(a, { chunkSize: 0 }), named("options.chunkSize", RangeError));
  assert.throws(() => toNodeReadable(a, { highWaterMark: -1 }), named("options.highWaterMark", RangeError));
  assert.throws(() => toNodeWritable(repeat(0) as never), named("writer", TypeError));
  assert.throws(() => toNodeWritable(a, { highWaterMark: NaN }), named("options.highWaterMark", RangeError));
});

test("Node bridges: options are undefined or an object with known keys only — null, a number or a typo is a TypeError", () => {
  const error = (message: string) => (e: unknown) => e instanceof TypeError && (e as Error).message === message;
  assert.throws(() => toNodeReadable(empty(), null as never), error("options must be an object or undefined, got null"));
  assert.throws(() => toNodeReadable(empty(), 5 as never), error("options must be an object or undefined, got number 5"));
  assert.throws(() => toNodeReadable(empty(), Promise.resolve({ chunkSize: 1 }) as never), error("options must be an object or undefined, got a promise (await it first)"));
  assert.throws(() => toNodeWritable(sink(), null as never), error("options must be an object or undefined, got null"));
  assert.throws(() => toNodeWritable(sink(), "fast" as never), error('options must be an object or undefined, got string "fast"'));
  assert.throws(() => toNodeReadable(empty(), { chunksize: 10 } as never), error('toNodeReadable: unknown option "chunksize" (known: highWaterMark, chunkSize)'));
  assert.throws(() => toNodeWritable(sink(), { chunkSize: 10 } as never), error('toNodeWritable: unknown option "chunkSize" (known: highWaterMark)'));
  toNodeReadable(empty(), undefined).destroy();
  toNodeWritable(sink(), undefined).destroy();
});

test("toNodeReadable: a chunkSize above 2^30 is a RangeError naming it, not the engine's allocation error", () => {
  const error = (message: string) => (e: unknown) => e instanceof RangeError && (e as Error).message === message;
  assert.throws(() => toNodeReadable(empty(), { chunkSize: 2 ** 40 }), error("options.chunkSize must be an integer number of bytes in 1..2^30, got 1099511627776"));
  assert.throws(() => toNodeReadable(empty(), { chunkSize: 2 ** 30 + 1 }), error("options.chunkSize must be an integer number of bytes in 1..2^30, got 1073741825"));
});

test("fromNodeReadable starts no read of the stream until it is polled (a stdin never read does not keep the process alive)", async () => {
  let reads = 0;
  const stream = new Readable({
    read() {
      reads++;
      if (reads === 1) setImmediate(() => this.push(Buffer.from("hi")));
    },
  });
  const reader = fromNodeReadable(stream);
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(reads, 0, "made: no read yet");
  const task = mockTask(read(reader, new Uint8Array(8)));
  assertPending(task.poll());
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(reads >= 1, "polled: the stream is read");
  assert.ok(task.isWoken());
  assertReady(task.poll(), 2);
  reader.close();
  assert.is(stream.listenerCount("readable"), 0, "close() detaches");
});

test("the Node and Web bridges' options may be given as undefined: the defaults apply", async () => {
  const given: { highWaterMark?: number; chunkSize?: number } = {};
  const readable = toNodeReadable(bytesReader(enc.encode("ababab")), { highWaterMark: given.highWaterMark, chunkSize: given.chunkSize });
  assert.is((await readable.toArray()).map((c: Buffer) => c.toString()).join(""), "ababab");
  const [a, b] = duplex(64);
  const writable = toNodeWritable(a, { highWaterMark: given.highWaterMark });
  writable.end("x");
  assert.is(await readToString(b), "x");
  const web = toReadableStream(bytesReader(enc.encode("cc")), { highWaterMark: undefined, chunkSize: undefined });
  assert.is(await new Response(web).text(), "cc");
  const [c, d] = duplex(64);
  const ws = toWritableStream(c, { highWaterMark: undefined }).getWriter();
  await ws.write(enc.encode("y"));
  await ws.close();
  assert.is(await readToString(d), "y");
});

test("a write, flush or shutdown on a Node stream destroyed with an error (before its 'error' event) fails with that error, not a bare BROKEN_PIPE", async () => {
  const reset = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
  for (const op of ["write", "flush", "shutdown"] as const) {
    const stream = new PassThrough();
    stream.on("error", () => {});
    const writer = fromNodeWritable(stream);
    const error = reset();
    stream.destroy(error); // 'error' follows a tick later
    const e = await rejection(op === "write" ? writeAll(writer, enc.encode("x")) : op === "flush" ? flush(writer) : shutdown(writer));
    assert.instance(e, IoError, op);
    assert.is(errorKind(e), "CONNECTION_RESET", op);
    assert.is((e as IoError).cause, error, op);
  }
});

test("shutdown of process.stdout succeeds when stdout is a file (Node resets writableFinished as stdio closes)", () => {
  const dir = mkdtempSync(join(tmpdir(), "tokio-ts-stdout-"));
  try {
    const out = join(dir, "out.txt");
    const fd = openSync(out, "w");
    const index = new URL("../src/index.js", import.meta.url).href;
    const program = `
      import { fromNodeWritable, shutdown, writeAll } from ${JSON.stringify(index)};
      const w = fromNodeWritable(process.stdout);
      await writeAll(w, new TextEncoder().encode("hi\\n"));
      try { await shutdown(w); process.stderr.write("shutdown ok"); }
      catch (e) { process.stderr.write("shutdown failed: " + e.message); process.exitCode = 1; }
    `;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", program], { stdio: ["ignore", fd, "pipe"], encoding: "utf8", timeout: 30_000 });
    closeSync(fd);
    assert.is(run.stderr, "shutdown ok");
    assert.is(run.status, 0);
    assert.is(readFileSync(out, "utf8"), "hi\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("reading a gunzip stream of cut-short data fails with UNEXPECTED_EOF, and of corrupt data with INVALID_DATA (as flate2 reports them)", async () => {
  const packed = gzipSync(makeData(4096, 3));
  const readAll = async (input: Uint8Array) => {
    const gunzip = createGunzip();
    gunzip.end(input);
    return rejection(readToEnd(fromNodeReadable(gunzip)));
  };
  const cut = await readAll(packed.subarray(0, packed.length - 10));
  assert.instance(cut, IoError);
  assert.is(errorKind(cut), "UNEXPECTED_EOF");
  assert.is(((cut as IoError).cause as { code?: string }).code, "Z_BUF_ERROR");
  const corrupt = Uint8Array.from(packed);
  corrupt.fill(0xff, 20, 60);
  const bad = await readAll(corrupt);
  assert.is(errorKind(bad), "INVALID_DATA");
  assert.is(((bad as IoError).cause as { code?: string }).code, "Z_DATA_ERROR");
});

test.run();
