import { test } from "uvu";
import * as assert from "uvu/assert";
import { Builder, spawn } from "@tokio-ts/runtime";
import {
  copy,
  duplex,
  empty,
  flush,
  fromReadableStream,
  fromWritableStream,
  IoError,
  read,
  readToEnd,
  readToString,
  repeat,
  shutdown,
  sink,
  toReadableStream,
  toWritableStream,
  writeAll,
} from "../src/index.js";
import { Checksum, enc, makeData, prng, randInt, rejection } from "./util-helpers.js";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A ReadableStream of `data` in random chunks, counting bytes pulled from its source. */
function webSource(data: Uint8Array, seed: number, highWaterMark = 4096): ReadableStream<Uint8Array> & { pulled: number } {
  const rand = prng(seed);
  let off = 0;
  const state = { pulled: 0 };
  const rs = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (off >= data.length) return controller.close();
        const len = Math.min(randInt(rand, 1, 3000), data.length - off);
        controller.enqueue(data.slice(off, off + len));
        off += len;
        state.pulled += len;
      },
    },
    { highWaterMark, size: (c) => c.byteLength },
  );
  return Object.defineProperty(rs, "pulled", { get: () => state.pulled }) as ReadableStream<Uint8Array> & { pulled: number };
}

test("fromReadableStream: 1 MiB in random chunks, random read sizes, byte-exact", async () => {
  const data = makeData(1 << 20, 31);
  const reader = fromReadableStream(webSource(data, 1));
  const rand = prng(2);
  const buf = new Uint8Array(7000);
  const sum = new Checksum();
  for (;;) {
    const view = buf.subarray(0, randInt(rand, 1, buf.length));
    const n = await read(reader, view);
    if (n === 0) break;
    sum.update(view.subarray(0, n));
  }
  assert.equal(sum, Checksum.of(data));
});

test("fromReadableStream: backpressure — an unread stream is pulled only to its highWaterMark", async () => {
  const data = makeData(500_000, 3);
  const src = webSource(data, 4, 4096);
  const reader = fromReadableStream(src);
  for (let i = 0; i < 30; i++) await tick();
  assert.ok(src.pulled <= 4096 + 3000, `pulled ${src.pulled} with nobody reading`);
  assert.equal(Checksum.of(await readToEnd(reader)), Checksum.of(data));
});

test("fromReadableStream: the stream's error is thrown by the read, with the reason as cause", async () => {
  const reason = new Error("upstream reset");
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const rs = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c) });
  const reader = fromReadableStream(rs);
  ctrl.enqueue(enc.encode("ok"));
  const buf = new Uint8Array(8);
  assert.is(await read(reader, buf), 2);
  const pending = rejection(read(reader, buf));
  ctrl.error(reason);
  const e = (await pending) as IoError;
  assert.instance(e, IoError);
  assert.is(e.cause, reason);
});

test("fromReadableStream reads any bytes chunk (ArrayBuffer, typed array, DataView) and strings as UTF-8, as Readable.fromWeb does", async () => {
  const bytes = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
  const chunks: unknown[] = [
    "héllo ✓",
    bytes.buffer.slice(0, 2),
    new Uint16Array(bytes.buffer, 2, 1),
    new DataView(bytes.buffer, 4, 2),
    Buffer.from([6, 7]),
    new Uint8Array(0),
    "",
  ];
  const rs = new ReadableStream<unknown>({ start: (c) => (chunks.forEach((chunk) => c.enqueue(chunk)), c.close()) });
  const all = await readToEnd(fromReadableStream(rs as ReadableStream<string>));
  assert.equal([...all], [...enc.encode("héllo ✓"), 0, 1, 2, 3, 4, 5, 6, 7]);
  const text = new Blob(["grüße"]).stream().pipeThrough(new TextDecoderStream());
  assert.is(await readToString(fromReadableStream(text)), "grüße");
});

test("fromReadableStream: a chunk that is neither bytes nor a string is a TypeError naming it; cancel() stops reading", async () => {
  let reason: unknown;
  const rs = new ReadableStream<unknown>({ start: (c) => c.enqueue(42), cancel: (r) => void (reason = r) });
  const e = await rejection(read(fromReadableStream(rs as ReadableStream<Uint8Array>), new Uint8Array(4)));
  assert.instance(e, TypeError);
  assert.is((e as Error).message, "the ReadableStream gave a chunk that is not bytes or a string: number");
  assert.is(reason, e, "the stream is cancelled with that error");
  let cancelled: unknown;
  const endless = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(10)), cancel: (r) => void (cancelled = r) });
  const reader = fromReadableStream(endless);
  assert.is(await read(reader, new Uint8Array(4)), 4);
  await reader.cancel("enough");
  assert.is(cancelled, "enough");
  assert.is(await read(reader, new Uint8Array(4)), 0);
});

test("toReadableStream: a duplex read through a ReadableStream is byte-exact, chunks ≤ chunkSize", async () => {
  const data = makeData(1 << 20, 5);
  const [a, b] = duplex(3000);
  const writing = writeAll(a, data).then(() => shutdown(a));
  const sum = new Checksum();
  for await (const chunk of toReadableStream(b, { chunkSize: 2500 }) as unknown as AsyncIterable<Uint8Array>) {
    assert.ok(chunk.length <= 2500);
    sum.update(chunk);
  }
  await writing;
  assert.equal(sum, Checksum.of(data));
});

test("toReadableStream: backpressure — an endless reader is read only to the highWaterMark", async () => {
  let reads = 0;
  const src = repeat(1);
  const counting = { pollRead: (cx: never, buf: Uint8Array) => (reads++, src.pollRead(cx, buf)) };
  const rs = toReadableStream(counting, { highWaterMark: 8192, chunkSize: 1024 });
  for (let i = 0; i < 20; i++) await tick();
  assert.ok(reads <= 9, `read ${reads} times`);
  await rs.cancel();
});

test("toReadableStream: an unread stream holds less than highWaterMark + chunkSize bytes, read in whole chunks", async () => {
  for (const [highWaterMark, chunkSize] of [[100, 64], [10, 1000], [8192, 1000], [0, 5]] as const) {
    let bytes = 0;
    const src = repeat(1);
    const counting = {
      pollRead: (cx: never, buf: Uint8Array) => {
        const n = src.pollRead(cx, buf);
        if (typeof n === "number") bytes += n;
        return n;
      },
    };
    const rs = toReadableStream(counting, { highWaterMark, chunkSize });
    for (let i = 0; i < 20; i++) await tick();
    const label = `highWaterMark ${highWaterMark}, chunkSize ${chunkSize}`;
    assert.ok(bytes >= highWaterMark && bytes <= Math.max(0, highWaterMark + chunkSize - 1), `${label}: read ${bytes} bytes ahead`);
    assert.is(bytes % chunkSize, 0, `${label}: whole chunks`);
    const reader = rs.getReader();
    assert.is((await reader.read()).value!.byteLength, chunkSize);
    await reader.cancel();
  }
});

test("toReadableStream: the reader's error errors the stream", async () => {
  const failing = {
    pollRead: (): number => {
      throw new IoError("OTHER", "source failed");
    },
  };
  const e = (await rejection(new Response(toReadableStream(failing)).arrayBuffer())) as Error;
  assert.is(e.message, "source failed");
});

test("fromWritableStream: writes wait for backpressure, flush waits for the sink, shutdown closes", async () => {
  const data = makeData(200_000, 6);
  const sum = new Checksum();
  let closed = false;
  const ws = new WritableStream<Uint8Array>(
    {
      async write(chunk) {
        await new Promise((r) => setImmediate(r));
        sum.update(chunk);
      },
      close: () => void (closed = true),
    },
    { highWaterMark: 2048, size: (c) => c.byteLength },
  );
  const out = fromWritableStream(ws);
  const rand = prng(7);
  for (let off = 0; off < data.length; ) {
    const len = Math.min(randInt(rand, 1, 4000), data.length - off);
    await writeAll(out, data.subarray(off, off + len));
    off += len;
  }
  await flush(out);
  assert.equal(sum, Checksum.of(data), "flush waited until the sink took every chunk");
  assert.not.ok(closed);
  await shutdown(out);
  assert.ok(closed);
  assert.is(((await rejection(writeAll(out, enc.encode("late")))) as IoError).code, "BROKEN_PIPE");
});

test("fromWritableStream: the sink's error is thrown by the next write/flush, with the cause", async () => {
  const reason = new Error("disk full");
  const ws = new WritableStream<Uint8Array>({ write: () => Promise.reject(reason) });
  const out = fromWritableStream(ws);
  await writeAll(out, enc.encode("x"));
  const e = (await rejection(flush(out))) as IoError;
  assert.instance(e, IoError);
  assert.is(e.cause, reason);
});

test("toWritableStream: pipeTo into a duplex; close shuts the duplex down (peer reads EOF)", async () => {
  const data = makeData(400_000, 8);
  const [a, b] = duplex(1500);
  const reading = readToEnd(b).then((bytes) => bytes);
  await webSource(data, 9).pipeTo(toWritableStream(a));
  assert.equal(Checksum.of(await reading), Checksum.of(data));
});

test("toWritableStream: the writer's error errors the stream; a non-Uint8Array chunk is a TypeError", async () => {
  const [a, b] = duplex(8);
  b.close();
  const ws = toWritableStream(a);
  const w = ws.getWriter();
  assert.is(((await rejection(w.write(enc.encode("x")))) as IoError).code, "BROKEN_PIPE");
  const [c] = duplex(8);
  const w2 = toWritableStream(c).getWriter();
  assert.instance(await rejection(w2.write("text" as never)), TypeError);
});

test("toWritableStream: abort() drops a write stuck on a full writer, at once", async () => {
  const [a, b] = duplex(4);
  const ws = toWritableStream(a);
  const w = ws.getWriter();
  const stuck = rejection(w.write(new Uint8Array(100))); // only 4 bytes fit; nobody reads b
  await tick();
  await w.abort("stop");
  assert.is(await stuck, "stop");
  const buf = new Uint8Array(8);
  assert.is(await read(b, buf), 4, "the bytes written before the abort are there");
});

test("Web bridges inside a runtime: copy from a ReadableStream into a WritableStream via the protocol", async () => {
  const data = makeData(300_000, 10);
  const chunks: Uint8Array[] = [];
  const rt = Builder.newCurrentThread().build();
  const n = await rt.blockOn(function* () {
    const src = fromReadableStream(webSource(data, 11));
    const dst = fromWritableStream(new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) }));
    const copied = yield* spawn(copy(src, dst));
    yield* shutdown(dst);
    return copied;
  });
  await rt.shutdownTimeout(1000);
  assert.is(n, data.length);
  const all = new Uint8Array(data.length);
  let off = 0;
  for (const c of chunks) (all.set(c, off), (off += c.length));
  assert.equal(Checksum.of(all), Checksum.of(data));
});

test("readToString through toReadableStream → fromReadableStream round trip", async () => {
  const [a, b] = duplex(16);
  const writing = writeAll(a, enc.encode("round trip ✓")).then(() => shutdown(a));
  assert.is(await readToString(fromReadableStream(toReadableStream(b))), "round trip ✓");
  await writing;
});

test("Web bridges reject bad arguments, naming them", () => {
  const [a] = duplex(8);
  const named = (name: string, type: Function) => (e: unknown) => e instanceof type && (e as Error).message.startsWith(name);
  assert.throws(() => fromReadableStream({} as never), named("stream", TypeError));
  assert.throws(() => fromWritableStream(new ReadableStream() as never), named("stream", TypeError));
  assert.throws(() => toReadableStream(null as never), named("reader", TypeError));
  assert.throws(() => toReadableStream(a, { chunkSize: -5 }), named("options.chunkSize", RangeError));
  assert.throws(() => toWritableStream({} as never), named("writer", TypeError));
  assert.throws(() => toWritableStream(a, { highWaterMark: -1 }), named("options.highWaterMark", RangeError));
  assert.throws(() => toReadableStream(a, { highWaterMark: NaN }), named("options.highWaterMark", RangeError));
  assert.throws(() => toReadableStream(a, { highWaterMark: "64" as never }), named("options.highWaterMark", TypeError));
});

test("Web bridges take any highWaterMark the Streams spec takes: a fraction, and Infinity (queue everything)", async () => {
  const [a, b] = duplex(1 << 16);
  const writable = toWritableStream(a, { highWaterMark: 1.5 });
  const writer = writable.getWriter();
  await writer.write(enc.encode("half"));
  await writer.close();
  assert.is(await readToString(b), "half");
  // Infinity: the stream reads its reader to the end before anyone asks.
  let reads = 0;
  const counting = { pollRead: (_cx: unknown, buf: Uint8Array) => (reads++ < 3 ? (buf[0] = 7, 1) : 0) };
  const rs = toReadableStream(counting as never, { highWaterMark: Infinity });
  for (let i = 0; i < 10 && reads < 4; i++) await tick();
  assert.is(reads, 4, "read to EOF with no consumer");
  assert.equal([...new Uint8Array(await new Response(rs).arrayBuffer())], [7, 7, 7]);
});

test("Web bridges: options are undefined or an object with known keys only — null, a number or a typo is a TypeError", async () => {
  const error = (message: string) => (e: unknown) => e instanceof TypeError && (e as Error).message === message;
  assert.throws(() => toReadableStream(empty(), null as never), error("options must be an object or undefined, got null"));
  assert.throws(() => toReadableStream(empty(), 5 as never), error("options must be an object or undefined, got number 5"));
  assert.throws(() => toWritableStream(sink(), null as never), error("options must be an object or undefined, got null"));
  assert.throws(() => toWritableStream(sink(), [] as never), error("options must be an object or undefined, got an array"));
  assert.throws(() => toReadableStream(empty(), { chunksize: 10 } as never), error('toReadableStream: unknown option "chunksize" (known: highWaterMark, chunkSize)'));
  assert.throws(() => toWritableStream(sink(), { highwatermark: 10 } as never), error('toWritableStream: unknown option "highwatermark" (known: highWaterMark)'));
  await toReadableStream(empty(), undefined).cancel();
  await toWritableStream(sink(), undefined).close();
});

test("toReadableStream: a chunkSize above 2^30 is a RangeError naming it, not the engine's allocation error", () => {
  const error = (message: string) => (e: unknown) => e instanceof RangeError && (e as Error).message === message;
  assert.throws(() => toReadableStream(empty(), { chunkSize: 2 ** 40 }), error("options.chunkSize must be an integer number of bytes in 1..2^30, got 1099511627776"));
  assert.throws(() => toReadableStream(empty(), { chunkSize: 2 ** 30 + 1 }), error("options.chunkSize must be an integer number of bytes in 1..2^30, got 1073741825"));
});

test.run();
