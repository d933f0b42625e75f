import { test } from "uvu";
import * as assert from "uvu/assert";
import { Builder, spawn } from "@tokio-ts/runtime";
import { assertPending, assertReady, assertReadyErr, mockTask } from "@tokio-ts/test-util";
import { duplex, IoError, read, readExact, readToEnd, shutdown, write, writeAll } from "../src/index.js";
import { Checksum, dec, enc, makeData, prng, randInt, rejection } from "./util-helpers.js";

test("what one end writes the other reads, in both directions", async () => {
  const [a, b] = duplex(64);
  await writeAll(a, enc.encode("ping"));
  await writeAll(b, enc.encode("pong!"));
  const buf = new Uint8Array(16);
  assert.is(dec.decode(buf.subarray(0, await read(b, buf))), "ping");
  assert.is(dec.decode(buf.subarray(0, await read(a, buf))), "pong!");
});

test("a writer to a full duplex is Pending until the reader reads, then resumes", () => {
  const [a, b] = duplex(8);
  const w = mockTask(write(a, enc.encode("0123456789")));
  assertReady(w.poll(), 8); // only maxBufSize bytes fit
  const full = mockTask(write(a, enc.encode("xy")));
  assertPending(full.poll());
  assertPending(full.poll());
  assert.is(full.wakeCount, 0);
  const buf = new Uint8Array(3);
  assertReady(mockTask(read(b, buf)).poll(), 3);
  assert.is(dec.decode(buf), "012");
  assert.ok(full.isWoken(), "reading freed room and woke the writer");
  assertReady(full.poll(), 2);
  const rest = new Uint8Array(16);
  assertReady(mockTask(read(b, rest)).poll(), 7);
  assert.is(dec.decode(rest.subarray(0, 7)), "34567xy");
});

test("a reader of an empty duplex is Pending and woken exactly once by a write", () => {
  const [a, b] = duplex(8);
  const r = mockTask(read(b, new Uint8Array(4)));
  assertPending(r.poll());
  assertReady(mockTask(write(a, enc.encode("hi"))).poll(), 2);
  assert.is(r.wakeCount, 1);
  assertReady(r.poll(), 2);
});

test("shutdown is a half-close: the peer reads the rest then EOF, and can still write back", async () => {
  const [a, b] = duplex(1024);
  await writeAll(a, enc.encode("request"));
  await shutdown(a);
  assert.is(dec.decode(await readToEnd(b)), "request");
  assert.is(await read(b, new Uint8Array(4)), 0, "EOF again");
  await writeAll(b, enc.encode("reply"));
  await shutdown(b);
  assert.is(dec.decode(await readToEnd(a)), "reply");
});

test("closing one end: the peer gets EOF after the buffered bytes, and BROKEN_PIPE on write", () => {
  const [a, b] = duplex(16);
  const pendingRead = mockTask(read(a, new Uint8Array(4)));
  assertPending(pendingRead.poll());
  assertReady(mockTask(write(a, enc.encode("last"))).poll(), 4);
  b.close();
  assert.ok(pendingRead.isWoken(), "a reader waiting on the closed end is woken");
  assertReady(pendingRead.poll(), 0);
  const buf = new Uint8Array(8);
  // b's own read side: the bytes a wrote are still there (Tokio keeps them), then EOF.
  const e = assertReadyErr(() => mockTask(write(a, enc.encode("more"))).poll(), IoError) as IoError;
  assert.is(e.code, "BROKEN_PIPE");
  assert.is(e.kind, "BROKEN_PIPE");
  assert.match(e.message, /the other end of the duplex stream is closed/);
  assertReady(mockTask(read(b, buf)).poll(), 4);
  assertReady(mockTask(read(b, buf)).poll(), 0);
});

test("a write after this end's own shutdown is BROKEN_PIPE that names this end, not the peer", async () => {
  const [a] = duplex(16);
  await shutdown(a);
  const e = (await rejection(writeAll(a, enc.encode("late")))) as IoError;
  assert.is(e.kind, "BROKEN_PIPE");
  assert.match(e.message, /this end of the duplex stream was shut down for writing/);
});

test("a writer waiting on a full duplex is woken with BROKEN_PIPE when the reader closes", () => {
  const [a, b] = duplex(4);
  assertReady(mockTask(write(a, enc.encode("full"))).poll(), 4);
  const w = mockTask(writeAll(a, enc.encode("more")));
  assertPending(w.poll());
  {
    using _gone = b;
  }
  assert.ok(w.isWoken());
  assertReadyErr(() => w.poll(), IoError);
});

test("readExact fails with UNEXPECTED_EOF when the stream ends early, keeping what it read", async () => {
  const [a, b] = duplex(16);
  await writeAll(a, enc.encode("abc"));
  a.close();
  const buf = new Uint8Array(5);
  const e = (await rejection(readExact(b, buf))) as IoError;
  assert.instance(e, IoError);
  assert.is(e.code, "UNEXPECTED_EOF");
  assert.is(dec.decode(buf.subarray(0, 3)), "abc");
});

test("empty buffers: a 0-byte read returns 0 at once, a 0-byte write returns 0", () => {
  const [a, b] = duplex(4);
  assertReady(mockTask(read(b, new Uint8Array(0))).poll(), 0);
  assertReady(mockTask(write(a, new Uint8Array(0))).poll(), 0);
});

test("4 MiB with random read/write sizes through a small duplex arrives byte-exact (runtime, two tasks)", async () => {
  const data = makeData(4 << 20, 7);
  const expected = Checksum.of(data);
  const rt = Builder.newCurrentThread().build();
  const got = await rt.blockOn(function* () {
    const [a, b] = duplex(1000);
    const writer = spawn(function* () {
      const rand = prng(1);
      for (let off = 0; off < data.length; ) {
        const len = Math.min(randInt(rand, 1, 3000), data.length - off);
        const n = yield* write(a, data.subarray(off, off + len));
        off += n;
      }
      yield* shutdown(a);
    });
    const reader = spawn(function* () {
      const rand = prng(2);
      const sum = new Checksum();
      const buf = new Uint8Array(4096);
      for (;;) {
        const view = buf.subarray(0, randInt(rand, 1, 4096));
        const n = yield* read(b, view);
        if (n === 0) return sum;
        sum.update(view.subarray(0, n));
      }
    });
    yield* writer;
    return yield* reader;
  });
  await rt.shutdownTimeout(1000);
  assert.is(got.count, expected.count);
  assert.is(got.hash, expected.hash);
});

test("1 MiB through a duplex from plain async functions, without a runtime", async () => {
  const data = makeData(1 << 20, 11);
  const [a, b] = duplex(777);
  const writing = (async () => {
    const rand = prng(3);
    for (let off = 0; off < data.length; ) {
      const len = Math.min(randInt(rand, 1, 5000), data.length - off);
      await writeAll(a, data.subarray(off, off + len));
      off += len;
    }
    await shutdown(a);
  })();
  const all = await readToEnd(b);
  await writing;
  assert.is(all.length, data.length);
  assert.is(Checksum.of(all).hash, Checksum.of(data).hash);
});

test("duplex rejects a bad maxBufSize with a RangeError/TypeError naming it", () => {
  for (const bad of [0, -1, 1.5, NaN, Infinity]) assert.throws(() => duplex(bad), (e: unknown) => e instanceof RangeError && /maxBufSize/.test((e as Error).message));
  assert.throws(() => duplex("8" as never), (e: unknown) => e instanceof TypeError && /maxBufSize/.test((e as Error).message));
});

test.run();
