// The Node and Web Streams bridges at their edges, against what Node's own streams do: closing a
// bridge under a pending operation, a destroy while a write is in flight, a reader that fails
// after data, and highWaterMarks of 0 or counted in objects.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PassThrough, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  duplex,
  fromNodeReadable,
  fromNodeWritable,
  fromWritableStream,
  IoError,
  read,
  shutdown,
  toNodeReadable,
  toNodeWritable,
  writeAll,
  type AsyncRead,
} from "../src/index.js";
import { enc } from "./util-helpers.js";

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** How a promise settled within `turns` host turns: its value, its error's kind or code, or "pending". */
async function settled(p: PromiseLike<unknown>, turns = 20): Promise<unknown> {
  let out: unknown = "pending";
  p.then(
    (value) => (out = value),
    (error: unknown) => (out = (error as IoError).kind ?? (error as { code?: unknown }).code ?? String(error)),
  );
  for (let i = 0; i < turns && out === "pending"; i++) await tick();
  return out;
}

test("closing a NodeReader or NodeWriter fails what is pending on it (it waited for ever) and every later call", async () => {
  const source = new PassThrough();
  const reader = fromNodeReadable(source);
  const pending = read(reader, new Uint8Array(8));
  await tick();
  reader.close();
  assert.is(await settled(pending), "NOT_CONNECTED");
  source.end("late");
  assert.is(await settled(read(reader, new Uint8Array(8))), "NOT_CONNECTED");
  assert.is(source.listenerCount("readable"), 0);

  const sink = new Writable({ highWaterMark: 1, write(_chunk, _encoding, done) { setImmediate(done); } });
  const writer = fromNodeWritable(sink);
  const writing = writeAll(writer, new Uint8Array(64 * 1024));
  await tick();
  writer.close();
  assert.is(await settled(writing), "BROKEN_PIPE");
  assert.is(await settled(shutdown(writer)), "BROKEN_PIPE");
  assert.is(sink.listenerCount("drain"), 0);
});

test("fromNodeWritable: shutdown fails when the stream is destroyed while its final() runs ('finish' never came), as Node's end(cb)", async () => {
  const sink = new Writable({ write(_chunk, _encoding, done) { done(); }, final() {} });
  const closing = shutdown(fromNodeWritable(sink));
  await tick();
  sink.destroy();
  assert.is(await settled(closing), "BROKEN_PIPE");
});

test("fromNodeWritable: a highWaterMark of 0, or an objectMode stream's, does not split a write into tiny ones", async () => {
  for (const options of [{ highWaterMark: 0 }, { objectMode: true }]) {
    const sizes: number[] = [];
    const sink = new Writable({ ...options, write(chunk: Uint8Array, _encoding, done) { sizes.push(chunk.length); done(); } });
    await writeAll(fromNodeWritable(sink), new Uint8Array(4096));
    assert.equal(sizes, [4096], JSON.stringify(options));
  }
});

test("toNodeWritable: a destroy while a write is in flight tells that write's callback and the queued ones'", async () => {
  const [a] = duplex(4); // 4 bytes of room: a 10-byte write stays in flight
  const w = toNodeWritable(a);
  const outcome = (): Promise<unknown> => new Promise((resolve) => w.write(Buffer.alloc(10), (error) => resolve(error ? (error as { code?: string }).code : "ok")));
  const first = outcome();
  const second = outcome();
  await tick();
  w.destroy();
  assert.is(await settled(first), "ERR_STREAM_DESTROYED");
  assert.is(await settled(second), "ERR_STREAM_DESTROYED");
});

test("toNodeReadable: the bytes read before the reader's error reach a slow consumer, then the error", async () => {
  const parts = ["aaa", "bbb", "ccc"];
  const failing: AsyncRead = {
    pollRead(_cx, buf) {
      const next = parts.shift();
      if (next === undefined) throw new IoError("CONNECTION_RESET", "boom");
      buf.set(enc.encode(next));
      return next.length;
    },
  };
  // A slow consumer (a Writable of highWaterMark 1 that completes each write a turn later).
  let text = "";
  const slow = new Writable({
    highWaterMark: 1,
    write(chunk: Uint8Array, _encoding, done) {
      text += String(chunk);
      setImmediate(done);
    },
  });
  const error = await pipeline(toNodeReadable(failing), slow).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.is(text, "aaabbbccc");
  assert.is((error as IoError).kind, "CONNECTION_RESET");
});

test("fromWritableStream: a WritableStream with highWaterMark 0 takes one chunk at a time (its `ready` never resolves while idle)", async () => {
  const got: number[] = [];
  const stream = new WritableStream<Uint8Array>({ write(chunk) { got.push(chunk.length); } }, { highWaterMark: 0 });
  assert.is(await settled(writeAll(fromWritableStream(stream), new Uint8Array(10))), undefined);
  assert.equal(got, [10]);
});

test.run();
