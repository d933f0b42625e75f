import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { spawn } from "@tokio-ts/runtime";
import { TcpListener, TcpStream, type TcpStream as Stream } from "../src/index.js";
import { pattern, rng, run } from "./helpers.js";

const TOTAL = 32 * 1024 * 1024;

/** Echo with random read sizes and random write sizes (partial writes). */
function* echo(stream: Stream, seed: number) {
  const next = rng(seed);
  const buf = new Uint8Array(96 * 1024);
  for (;;) {
    const n = yield* stream.read(buf.subarray(0, 1 + next(buf.length)));
    if (n === 0) break;
    let off = 0;
    while (off < n) off += yield* stream.write(buf.subarray(off, off + 1 + next(n - off)));
  }
  yield* stream.shutdown();
}

test("32 MiB echoed byte-exact with random read and write sizes (sha-256 of both ends)", async () => {
  const [sent, received, count] = await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const server = spawn(function* () {
      const [stream] = yield* listener.accept();
      yield* echo(stream, 7);
      stream.close();
    });
    const client = yield* TcpStream.connect(listener.localAddr());
    const source = pattern(new Uint8Array(1 << 20), 42);
    const writer = spawn(function* () {
      const next = rng(99);
      const hash = createHash("sha256");
      let written = 0;
      while (written < TOTAL) {
        const start = written % source.length;
        const len = Math.min(1 + next(100_000), source.length - start, TOTAL - written);
        const chunk = source.subarray(start, start + len);
        const n = yield* client.write(chunk);
        hash.update(chunk.subarray(0, n));
        written += n;
      }
      yield* client.shutdown();
      return hash.digest("hex");
    });
    const next = rng(5);
    const hash = createHash("sha256");
    const buf = new Uint8Array(128 * 1024);
    let count = 0;
    for (;;) {
      const n = yield* client.read(buf.subarray(0, 1 + next(buf.length)));
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      count += n;
    }
    const sent = yield* writer;
    yield* server;
    client.close();
    listener.close();
    return [sent, hash.digest("hex"), count] as const;
  }, 60_000);
  assert.is(count, TOTAL);
  assert.is(received, sent);
});

test("tiny read buffers (1 byte) never lose or reorder a byte", async () => {
  const data = pattern(new Uint8Array(200_000), 3);
  const got = await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const server = spawn(function* () {
      const [stream] = yield* listener.accept();
      yield* stream.writeAll(data);
      yield* stream.shutdown();
      const one = new Uint8Array(1);
      const back: number[] = [];
      for (let n; (n = yield* stream.read(one)) > 0; ) back.push(one[0]!);
      stream.close();
      return back.length;
    });
    const client = yield* TcpStream.connect(listener.localAddr());
    const out = new Uint8Array(data.length);
    const one = new Uint8Array(1);
    let i = 0;
    for (let n; (n = yield* client.read(one)) > 0; ) out[i++] = one[0]!;
    yield* client.writeAll(data.subarray(0, 70_000));
    yield* client.shutdown();
    const echoed = yield* server;
    client.close();
    listener.close();
    return { out, i, echoed };
  });
  assert.is(got.i, data.length);
  assert.is(got.echoed, 70_000);
  assert.ok(Buffer.from(got.out).equals(Buffer.from(data)));
});

test.run();
