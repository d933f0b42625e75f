// The bridges to and from Node streams and Web Streams, with random chunk sizes and
// highWaterMarks: bytes out == bytes in, EOF at the end, errors of the right class, reads
// dropped by select lose nothing, and the bridges do not pull far ahead of their consumer.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PassThrough, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import {
  copy,
  duplex,
  fromNodeReadable,
  fromNodeWritable,
  fromReadableStream,
  fromWritableStream,
  IoError,
  read,
  readToEnd,
  repeat,
  shutdown,
  toNodeReadable,
  toNodeWritable,
  toReadableStream,
  toWritableStream,
  write,
  writeAll,
} from "@tokio-ts/io-driver";
import { assertStreamAt, bytesEqual, concat, CountingReader, size, stream } from "./helpers.js";

const OPTS = { enableTime: true, startPaused: true } as const;

/** Split `data` into random chunks. */
function chunks(data: Uint8Array, rng: SeededRng, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = 0; p < data.length; ) {
    const n = Math.min(data.length - p, rng.between(1, max));
    out.push(data.slice(p, p + n));
    p += n;
  }
  return out;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

test("fromNodeReadable: random chunks from a PassThrough (random highWaterMark), random read sizes, reads dropped by select: exact bytes, then EOF", async () => {
  await forEachSeed(
    120,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 53 + 1);
        const data = stream(21, 0, rng.between(0, 20000));
        const pass = new PassThrough({ highWaterMark: rng.between(1, 4096) });
        const parts = chunks(data, rng, 3000);
        // Feed from outside the runtime, with host turns in between.
        void (async () => {
          for (const c of parts) {
            if (!pass.write(c)) await new Promise((r) => pass.once("drain", r));
            if (rng.below(3) === 0) await tick();
          }
          pass.end();
        })();
        const src = fromNodeReadable(pass);
        let pos = 0;
        for (let guard = 0; guard < 100000; guard++) {
          const buf = new Uint8Array(size(rng, 5000));
          const r = yield* select({ op: read(src, buf), t: sleep(rng.between(0, 2)) });
          if (r.key === "t") continue;
          if (r.value === 0) break;
          assertStreamAt(21, pos, buf.subarray(0, r.value), "fromNodeReadable");
          pos += r.value;
        }
        assert.is(pos, data.length);
        src.close();
      }),
    OPTS,
  );
});

test("fromNodeReadable: a stream destroyed before its end is UNEXPECTED_EOF, a stream error is an IoError with the cause", async () => {
  await forEachSeed(
    20,
    (rt, seed) =>
      rt.blockOn(function* () {
        const pass = new PassThrough();
        const src = fromNodeReadable(pass);
        pass.write(stream(1, 0, 10));
        const buf = new Uint8Array(100);
        assert.is(yield* read(src, buf), 10);
        const boom = new Error("boom");
        if (seed % 2 === 0) pass.destroy();
        else pass.destroy(boom);
        try {
          yield* read(src, buf);
          assert.unreachable("read after destroy");
        } catch (e) {
          assert.instance(e, IoError);
          if (seed % 2 === 0) assert.is((e as IoError).code, "UNEXPECTED_EOF");
          else assert.is((e as IoError).cause, boom);
        }
      }),
    OPTS,
  );
});

test("fromNodeWritable: writes and dropped writes to a slow Writable (random highWaterMark) arrive exactly; shutdown waits for 'finish'", async () => {
  await forEachSeed(
    120,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 59 + 1);
        const total = rng.between(0, 20000);
        const got: Uint8Array[] = [];
        let finished = false;
        const hwm = rng.between(1, 4096);
        const sinkStream = new Writable({
          highWaterMark: hwm,
          write(chunk: Buffer, _enc, cb) {
            got.push(new Uint8Array(chunk));
            if (rng.below(2) === 0) setImmediate(cb);
            else cb();
          },
          final(cb) {
            finished = true;
            cb();
          },
        });
        const out = fromNodeWritable(sinkStream);
        let pos = 0;
        while (pos < total) {
          const data = stream(22, pos, Math.min(total - pos, size(rng, 6000)));
          const r = yield* select({ op: write(out, data), t: sleep(rng.between(0, 2)) });
          if (r.key === "op") {
            assert.ok(r.value >= 1 && r.value <= Math.max(hwm, 1), `one write takes at most the highWaterMark (${r.value} > ${hwm})`);
            pos += r.value;
          }
        }
        yield* shutdown(out);
        assert.ok(finished, "shutdown resolved after 'finish'");
        bytesEqual(concat(got), stream(22, 0, total), "collected");
        try {
          yield* write(out, new Uint8Array(1));
          assert.unreachable("write after shutdown");
        } catch (e) {
          assert.is((e as IoError).code, "BROKEN_PIPE");
        }
      }),
    OPTS,
  );
});

test("toNodeReadable(duplex) consumed by Node (random chunkSize/highWaterMark): exact bytes then 'end'; it pulls at most highWaterMark + chunkSize ahead", async () => {
  await forEachSeed(
    100,
    (rt, seed) =>
      rt.blockOn(async () => {
        const rng = new SeededRng(seed * 61 + 1);
        const total = rng.between(0, 30000);
        const [a, b] = duplex(rng.between(1, 8000));
        const counted = new CountingReader(b);
        const chunkSize = rng.between(1, 5000);
        const hwm = rng.between(1, 8000);
        const readable = toNodeReadable(counted, { chunkSize, highWaterMark: hwm });
        const w = spawn(function* () {
          let pos = 0;
          while (pos < total) {
            const n = Math.min(total - pos, size(rng, 4000));
            yield* writeAll(a, stream(23, pos, n));
            pos += n;
          }
          yield* shutdown(a);
        });
        // Do not read for a while: the bridge must stop pulling.
        readable.pause();
        for (let i = 0; i < 5; i++) await tick();
        assert.ok(counted.count <= hwm + chunkSize, `pulled ${counted.count} bytes ahead (hwm ${hwm}, chunk ${chunkSize})`);
        const parts: Uint8Array[] = [];
        for await (const c of readable) {
          // (Node's async iterator joins what is buffered: a chunk may exceed chunkSize.)
          parts.push(c as Buffer);
          if (rng.below(4) === 0) await tick();
        }
        await w;
        bytesEqual(concat(parts), stream(23, 0, total), "toNodeReadable");
      }),
    OPTS,
  );
});

test("toNodeWritable(duplex) fed by pipeline(Readable.from(chunks)): exact bytes, then EOF once end() shut the duplex down", async () => {
  await forEachSeed(
    100,
    (rt, seed) =>
      rt.blockOn(async () => {
        const rng = new SeededRng(seed * 67 + 1);
        const data = stream(24, 0, rng.between(0, 30000));
        const [a, b] = duplex(rng.between(1, 4000));
        const reader = spawn(function* () {
          const rrng = new SeededRng(seed);
          let pos = 0;
          for (;;) {
            if (rrng.below(3) === 0) yield* sleep(1);
            const buf = new Uint8Array(size(rrng, 3000));
            const n = yield* read(b, buf);
            if (n === 0) return pos;
            assertStreamAt(24, pos, buf.subarray(0, n), "toNodeWritable");
            pos += n;
          }
        });
        await pipeline(Readable.from(chunks(data, rng, 5000)), toNodeWritable(a, { highWaterMark: rng.between(1, 8000) }));
        assert.is(await reader, data.length);
      }),
    OPTS,
  );
});

test("Web Streams: fromReadableStream (random chunks, reads dropped by select) and toReadableStream (random chunkSize) round trip exactly", async () => {
  await forEachSeed(
    120,
    (rt, seed) =>
      rt.blockOn(async () => {
        const rng = new SeededRng(seed * 71 + 1);
        const data = stream(25, 0, rng.between(0, 30000));
        const parts = chunks(data, rng, 4000);
        let i = 0;
        const source = new ReadableStream<Uint8Array>({
          async pull(ctrl) {
            if (rng.below(3) === 0) await tick();
            if (i < parts.length) ctrl.enqueue(parts[i++]!);
            else ctrl.close();
          },
        });
        const [a, b] = duplex(rng.between(1, 5000));
        const pump = spawn(function* () {
          const src = fromReadableStream(source);
          // Copy with dropped reads in between.
          let pos = 0;
          for (;;) {
            const buf = new Uint8Array(size(rng, 5000));
            const r = yield* select({ op: read(src, buf), t: sleep(rng.between(0, 2)) });
            if (r.key === "t") continue;
            if (r.value === 0) break;
            yield* writeAll(a, buf.subarray(0, r.value));
            pos += r.value;
          }
          yield* shutdown(a);
          return pos;
        });
        const chunkSize = rng.between(1, 6000);
        const out = toReadableStream(b, { chunkSize, highWaterMark: rng.between(0, 8000) });
        const got: Uint8Array[] = [];
        const rd = out.getReader();
        for (;;) {
          const { done, value } = await rd.read();
          if (done) break;
          assert.ok(value.length >= 1 && value.length <= chunkSize);
          got.push(value);
        }
        assert.is(await pump, data.length);
        bytesEqual(concat(got), data, "web round trip");
      }),
    OPTS,
  );
});

test("Web Streams: fromWritableStream to a slow sink (random highWaterMark) and toWritableStream fed by pipeTo: exact bytes; shutdown/close end both", async () => {
  await forEachSeed(
    100,
    (rt, seed) =>
      rt.blockOn(async () => {
        const rng = new SeededRng(seed * 73 + 1);
        const total = rng.between(0, 30000);
        // 1. fromWritableStream: our writes into a slow WritableStream.
        const got: Uint8Array[] = [];
        let closed = false;
        const ws = new WritableStream<Uint8Array>(
          {
            async write(c) {
              if (rng.below(2) === 0) await tick();
              got.push(c.slice());
            },
            close() {
              closed = true;
            },
          },
          { highWaterMark: rng.between(1, 8) },
        );
        await rt.handle().spawn(function* () {
          const out = fromWritableStream(ws);
          let pos = 0;
          while (pos < total) {
            const data = stream(26, pos, Math.min(total - pos, size(rng, 5000)));
            const r = yield* select({ op: write(out, data), t: sleep(rng.between(0, 2)) });
            if (r.key === "op") pos += r.value;
          }
          yield* shutdown(out);
        });
        assert.ok(closed);
        bytesEqual(concat(got), stream(26, 0, total), "fromWritableStream");
        // 2. toWritableStream: a ReadableStream piped into a duplex, read by a task.
        const [a, b] = duplex(rng.between(1, 4000));
        const reader = spawn(function* () {
          return yield* readToEnd(b);
        });
        const parts = chunks(stream(27, 0, total), rng, 3000);
        await ReadableStream.from(parts).pipeTo(toWritableStream(a, { highWaterMark: rng.between(0, 9000) }));
        bytesEqual(await reader, stream(27, 0, total), "toWritableStream");
      }),
    OPTS,
  );
});

test("toReadableStream / toNodeReadable over an endless reader: cancel / destroy stop the reading", async () => {
  for (let seed = 0; seed < 20; seed++) {
    const rng = new SeededRng(seed);
    const r1 = new CountingReader(repeat(1));
    const rs = toReadableStream(r1, { chunkSize: rng.between(1, 1000), highWaterMark: rng.between(0, 5000) });
    const rd = rs.getReader();
    await rd.read();
    await rd.cancel();
    const after = r1.count;
    for (let i = 0; i < 5; i++) await tick();
    assert.is(r1.count, after, "no read after cancel");
    const r2 = new CountingReader(repeat(1));
    const ns = toNodeReadable(r2, { chunkSize: rng.between(1, 1000) });
    ns.read(0);
    await tick();
    ns.destroy();
    await tick();
    const after2 = r2.count;
    for (let i = 0; i < 5; i++) await tick();
    assert.is(r2.count, after2, "no read after destroy");
  }
  // and a copy from a Node Readable to a Node Writable through the protocol
  const data = stream(28, 0, 50000);
  const got: Buffer[] = [];
  const w = new Writable({
    write(c: Buffer, _e, cb) {
      got.push(c);
      cb();
    },
  });
  const n = await copy(fromNodeReadable(Readable.from(chunks(data, new SeededRng(1), 7000))), fromNodeWritable(w));
  assert.is(n, data.length);
  bytesEqual(concat(got), data, "copy node→node");
});

test.run();
