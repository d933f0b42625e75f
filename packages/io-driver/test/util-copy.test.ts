import { test } from "uvu";
import * as assert from "uvu/assert";
import { Builder, spawn } from "@tokio-ts/runtime";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import {
  BufReader,
  BufWriter,
  copy,
  copyBidirectional,
  copyBidirectionalWithSizes,
  DEFAULT_BUF_SIZE,
  duplex,
  empty,
  IoError,
  read,
  readExact,
  readToEnd,
  repeat,
  shutdown,
  sink,
  split,
  write,
  writeAll,
  type AsyncRead,
  type AsyncWrite,
  type DuplexStream,
} from "../src/index.js";
import type { Context, Poll } from "@tokio-ts/core";
import { Checksum, dec, enc, makeData, prng, randInt, rejection } from "./util-helpers.js";

test("copy moves every byte and returns the total (8 KiB buffer path)", async () => {
  const data = makeData(300_000, 3);
  const [a, b] = duplex(1500);
  const [c, d] = duplex(999);
  const writing = writeAll(a, data).then(() => shutdown(a));
  const copying = copy(b, c).then(async (n) => {
    await shutdown(c);
    return n;
  });
  const out = await readToEnd(d);
  assert.is(await copying, data.length);
  await writing;
  assert.equal(Checksum.of(out), Checksum.of(data));
});

test("copy from a BufReader uses its buffer (copy_buf) and returns the total", async () => {
  const data = makeData(100_000, 4);
  const [a, b] = duplex(4096);
  const [c, d] = duplex(4096);
  const writing = writeAll(a, data).then(() => shutdown(a));
  const copying = copy(new BufReader(b, 1000), c).then(async (n) => (await shutdown(c), n));
  const out = await readToEnd(d);
  assert.is(await copying, 100_000);
  await writing;
  assert.equal(out, data);
});

test("copy flushes the writer at EOF (a BufWriter's bytes are written)", async () => {
  const [c, d] = duplex(1 << 16);
  const out = new BufWriter(c);
  const n = await copy(new BufReader(new Uint8ArrayReader(enc.encode("buffered tail"))), out);
  assert.is(n, 13);
  assert.is(out.buffer().length, 0);
  await shutdown(c);
  assert.is(dec.decode(await readToEnd(d)), "buffered tail");
});

test("copy flushes the writer while the reader waits, so a peer is not left waiting", () => {
  const [a, b] = duplex(64);
  const [c, d] = duplex(64);
  const out = new BufWriter(c);
  const task = mockTask(copy(b, out));
  mockTask(write(a, enc.encode("partial"))).poll();
  assertPending(task.poll());
  const buf = new Uint8Array(16);
  const n = mockTask(read(d, buf)).poll();
  assert.is(n, 7, "the copied bytes were flushed through the BufWriter");
  task.drop();
});

test("copy of empty() is 0; copy into sink() counts", async () => {
  assert.is(await copy(empty(), sink()), 0);
  const [a, b] = duplex(100);
  const writing = writeAll(a, new Uint8Array(12_345)).then(() => shutdown(a));
  assert.is(await copy(b, sink()), 12_345);
  await writing;
});

test("copy fails with WRITE_ZERO when the writer takes nothing, and with the writer's error", async () => {
  const zero: AsyncWrite = { pollWrite: (): Poll<number> => 0, pollFlush: () => undefined, pollShutdown: () => undefined };
  assert.is(((await rejection(copy(repeat(1), zero))) as IoError).code, "WRITE_ZERO");
  const [c, d] = duplex(8);
  d.close();
  assert.is(((await rejection(copy(repeat(1), c))) as IoError).code, "BROKEN_PIPE");
});

test("copyBidirectional: totals both ways, and each side's write is shut down when its reader ends", async () => {
  const rt = Builder.newCurrentThread().build();
  const result = await rt.blockOn(function* () {
    const [client, proxyIn] = duplex(512);
    const [proxyOut, server] = duplex(300);
    const proxy = spawn(copyBidirectional(proxyIn, proxyOut));
    const up = makeData(50_000, 8);
    const down = makeData(70_001, 9);
    const serverTask = spawn(function* () {
      const got = yield* readToEnd(server); // ends because the proxy shut its write side
      yield* writeAll(server, down);
      yield* shutdown(server);
      return got;
    });
    const clientRead = spawn(readToEnd(client));
    yield* writeAll(client, up);
    yield* shutdown(client);
    const atServer = yield* serverTask;
    const atClient = yield* clientRead;
    const totals = yield* proxy;
    return { totals, ok: Checksum.of(atServer).hash === Checksum.of(up).hash && Checksum.of(atClient).hash === Checksum.of(down).hash };
  });
  await rt.shutdownTimeout(1000);
  assert.equal(result.totals, [50_000, 70_001]);
  assert.ok(result.ok);
});

test("copyBidirectional fails with the first error (a closed peer)", async () => {
  const [a, aPeer] = duplex(64);
  const [b, bPeer] = duplex(64);
  bPeer.close();
  await writeAll(aPeer, enc.encode("x"));
  const e = (await rejection(copyBidirectional(a, b))) as IoError;
  assert.is(e.code, "BROKEN_PIPE");
});

/** A duplex end that records the length of every buffer it is asked to read into. */
class ReadSizes implements AsyncRead, AsyncWrite {
  readonly sizes = new Set<number>();
  constructor(readonly inner: DuplexStream) {}
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    this.sizes.add(buf.length);
    return this.inner.pollRead(cx, buf);
  }
  pollWrite(cx: Context, data: Uint8Array): Poll<number> {
    return this.inner.pollWrite(cx, data);
  }
  pollFlush(cx: Context): Poll<void> {
    return this.inner.pollFlush(cx);
  }
  pollShutdown(cx: Context): Poll<void> {
    return this.inner.pollShutdown(cx);
  }
}

/** Proxy `up` from client to server and `down` back through `proxy(a, b)`; returns what arrived and the totals. */
async function throughProxy(up: Uint8Array, down: Uint8Array, proxy: (a: ReadSizes, b: ReadSizes) => PromiseLike<[number, number]>) {
  const [client, aEnd] = duplex(333);
  const [bEnd, server] = duplex(444);
  const a = new ReadSizes(aEnd);
  const b = new ReadSizes(bEnd);
  // Futures are lazy: then() starts each one, so the three run beside the writes below.
  const totals = proxy(a, b).then((t) => t);
  const atServer = readToEnd(server).then((got) => got);
  const atClient = readToEnd(client).then((got) => got);
  await writeAll(client, up);
  await shutdown(client);
  await writeAll(server, down);
  await shutdown(server);
  return { totals: await totals, atServer: await atServer, atClient: await atClient, aSizes: [...a.sizes], bSizes: [...b.sizes] };
}

test("copyBidirectionalWithSizes reads a→b through an aToBSize buffer and b→a through a bToASize one", async () => {
  const up = makeData(10_000, 41);
  const down = makeData(3_333, 42);
  const r = await throughProxy(up, down, (a, b) => copyBidirectionalWithSizes(a, b, { aToB: 7, bToA: 1 }));
  assert.equal(r.totals, [10_000, 3_333]);
  assert.equal(Checksum.of(r.atServer), Checksum.of(up));
  assert.equal(Checksum.of(r.atClient), Checksum.of(down));
  assert.equal(r.aSizes, [7], "every read of a (the a→b direction) was into 7 bytes");
  assert.equal(r.bSizes, [1], "every read of b (the b→a direction) was into 1 byte");
});

test("copyBidirectional shares the implementation with 8 KiB buffers both ways", async () => {
  const r = await throughProxy(makeData(20_000, 43), makeData(5, 44), (a, b) => copyBidirectional(a, b));
  assert.equal(r.totals, [20_000, 5]);
  assert.equal(r.aSizes, [DEFAULT_BUF_SIZE]);
  assert.equal(r.bSizes, [DEFAULT_BUF_SIZE]);
});

test("copyBidirectionalWithSizes: a BufReader side copies from its own buffer, not a buffer of the given size", async () => {
  const up = makeData(5_000, 45);
  const r = await throughProxy(up, new Uint8Array(0), (a, b) => copyBidirectionalWithSizes(new BufReader(a, 64), b, { aToB: 3, bToA: 5 }));
  assert.equal(r.totals, [5_000, 0]);
  assert.equal(r.atServer, up);
  assert.equal(r.aSizes, [64], "the BufReader's 64-byte buffer, not 3");
  assert.equal(r.bSizes, [5]);
});

test("copyBidirectionalWithSizes shuts b down when a ends, keeps copying b→a, and fails with the first error", async () => {
  const [client, a] = duplex(64);
  const [b, server] = duplex(64);
  const proxy = mockTask(copyBidirectionalWithSizes(a, b, { aToB: 2, bToA: 3 }));
  await shutdown(client);
  assertPending(proxy.poll());
  assert.is((await readToEnd(server)).length, 0, "the proxy shut b's write side down after a's EOF");
  assertReady(mockTask(writeAll(server, enc.encode("quux"))).poll());
  assertPending(proxy.poll());
  const back = new Uint8Array(4);
  assertReady(mockTask(readExact(client, back)).poll(), 4);
  assert.is(dec.decode(back), "quux");
  server.close();
  assert.equal(assertReady(proxy.poll()), [0, 4]);
  const [c2, a2] = duplex(64);
  const [b2, s2] = duplex(64);
  s2.close();
  await writeAll(c2, enc.encode("x"));
  assert.is(((await rejection(copyBidirectionalWithSizes(a2, b2, { aToB: 1, bToA: 1 }))) as IoError).code, "BROKEN_PIPE");
});

test("copyBidirectionalWithSizes rejects bad sizes and streams with errors that name them", () => {
  const [a] = duplex(8);
  const [b] = duplex(8);
  const named = (cls: Function, name: string) => (e: unknown) => e instanceof cls && (e as Error).message.startsWith(name);
  assert.throws(() => copyBidirectionalWithSizes(a, b, { aToB: 0, bToA: 1 }), named(RangeError, "sizes.aToB"));
  assert.throws(() => copyBidirectionalWithSizes(a, b, { aToB: 1, bToA: 0 }), named(RangeError, "sizes.bToA"));
  assert.throws(() => copyBidirectionalWithSizes(a, b, { aToB: 1.5, bToA: 1 }), named(RangeError, "sizes.aToB"));
  assert.throws(() => copyBidirectionalWithSizes(a, b, { aToB: 8, bToA: NaN }), named(RangeError, "sizes.bToA"));
  assert.throws(() => copyBidirectionalWithSizes(a, b, { aToB: 2 ** 31, bToA: 8 }), named(RangeError, "sizes.aToB"));
  assert.throws(() => copyBidirectionalWithSizes(a, b, { aToB: "8" as never, bToA: 8 }), named(TypeError, "sizes.aToB"));
  assert.throws(() => copyBidirectionalWithSizes(a, b, { aToB: 8, bToA: undefined as never }), named(TypeError, "sizes.bToA"));
  assert.throws(() => copyBidirectionalWithSizes(repeat(1) as never, b, { aToB: 8, bToA: 8 }), named(TypeError, "a"));
  assert.throws(() => copyBidirectionalWithSizes(a, sink() as never, { aToB: 8, bToA: 8 }), named(TypeError, "b"));
  assert.throws(() => copyBidirectionalWithSizes(a, b, undefined as never), named(TypeError, "sizes"));
  assert.throws(() => copyBidirectionalWithSizes(a, b, 8 as never), named(TypeError, "sizes"));
});

test("split halves used from two tasks: an echo over a duplex, with random sizes", async () => {
  const data = makeData(500_000, 12);
  const rt = Builder.newCurrentThread().build();
  const echoed = await rt.blockOn(function* () {
    const [client, server] = duplex(700);
    const [srd, swr] = split(server);
    const echo = spawn(function* () {
      const n = yield* copy(srd, swr);
      yield* shutdown(swr);
      return n;
    });
    const [crd, cwr] = split(client);
    const writer = spawn(function* () {
      const rand = prng(5);
      for (let off = 0; off < data.length; ) {
        const len = Math.min(randInt(rand, 1, 2000), data.length - off);
        yield* writeAll(cwr, data.subarray(off, off + len));
        off += len;
      }
      yield* shutdown(cwr);
    });
    const back = yield* readToEnd(crd);
    yield* writer;
    return { back, n: yield* echo, same: crd.unsplit(cwr) === client };
  });
  await rt.shutdownTimeout(1000);
  assert.is(echoed.n, data.length);
  assert.ok(echoed.same);
  assert.equal(Checksum.of(echoed.back), Checksum.of(data));
});

test("split: unsplit checks the pair; bad arguments are TypeErrors", () => {
  const [a, b] = duplex(8);
  const [ar] = split(a);
  const [, bw] = split(b);
  assert.throws(() => ar.unsplit(bw), TypeError);
  assert.throws(() => split(repeat(0) as never), (e: unknown) => e instanceof TypeError && (e as Error).message.startsWith("stream"));
  assert.throws(() => copy(sink() as never, sink()), (e: unknown) => e instanceof TypeError && (e as Error).message.startsWith("reader"));
  assert.throws(() => copy(empty(), repeat(1) as never), (e: unknown) => e instanceof TypeError && (e as Error).message.startsWith("writer"));
  assert.throws(() => copyBidirectional(a, repeat(1) as never), (e: unknown) => e instanceof TypeError && (e as Error).message.startsWith("b"));
});

test("readExact through split halves of the same stream in one task", async () => {
  const [a, b] = duplex(16);
  const [rd, wr] = split(a);
  await writeAll(b, enc.encode("1234"));
  const buf = new Uint8Array(4);
  await readExact(rd, buf);
  await writeAll(wr, buf);
  await shutdown(wr);
  assert.is(dec.decode(await readToEnd(b)), "1234");
});

test("coop: an endless copy (repeat → sink) shares the thread and stops when its task is aborted", async () => {
  const rt = Builder.newCurrentThread().build();
  const ran = await rt.blockOn(function* () {
    const endless = spawn(copy(repeat(0), sink()));
    let turns = 0;
    for (let i = 0; i < 5; i++) {
      yield* spawn(function* () {
        turns++;
      });
    }
    endless.abort();
    const error = yield* spawn(async () => {
      try {
        await endless;
        return undefined;
      } catch (e) {
        return e;
      }
    });
    return { turns, error };
  });
  await rt.shutdownTimeout(1000);
  assert.is(ran.turns, 5, "the other tasks ran while the copy was busy");
  assert.ok((ran.error as Error | undefined)?.name === "JoinError", "the aborted copy was cancelled");
});

/** A reader over one array (for copy tests that need a non-duplex source). */
class Uint8ArrayReader {
  #pos = 0;
  constructor(private readonly data: Uint8Array) {}
  pollRead(_cx: Context, buf: Uint8Array): Poll<number> {
    const n = Math.min(buf.length, this.data.length - this.#pos);
    buf.set(this.data.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return n;
  }
}

test.run();
