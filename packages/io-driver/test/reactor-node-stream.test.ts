import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, ContextError, noopWaker, Pending, pollFn, type DriverHost, type Poll } from "@tokio-ts/core";
import { assertPending, mockTask } from "@tokio-ts/test-util";
import * as net from "node:net";
import { Interest, Ready } from "../src/interest.js";
import { IoDriver } from "../src/reactor/io-driver.js";
import { DEFAULT_READ_BUFFER_SIZE, MAX_READ_SLOT, NodeStream, RING_SLOTS, setAcceptedUserBuffers } from "../src/reactor/node-stream.js";
import { readyOf } from "../src/reactor/registration.js";

/** Await a poll function outside any runtime (futures are awaitable on their own). */
const drive = <T>(poll: (cx: Context) => Poll<T>): Promise<T> => pollFn(poll) as unknown as Promise<T>;
const tick = () => new Promise<void>((r) => setImmediate(r));
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed + (i >> 8)) & 0xff);

/** A plain node:net server on 127.0.0.1; `onConnection` gets each socket. */
async function server(onConnection: (s: net.Socket) => void): Promise<{ port: number; close(): void }> {
  const srv = net.createServer({ allowHalfOpen: true }, onConnection);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { port: (srv.address() as net.AddressInfo).port, close: () => srv.close() };
}

async function readAll(stream: NodeStream, sizes: () => number, onRead?: () => void): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    const buf = new Uint8Array(sizes());
    const n = await drive((cx) => stream.pollRead(cx, buf));
    onRead?.();
    if (n === 0) return Buffer.concat(parts);
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
}

/** {@link readAll}, also returning the most bytes the stream held queued after any read. */
async function readAllQueued(stream: NodeStream, sizes: () => number): Promise<{ got: Buffer; maxQueued: number }> {
  let maxQueued = 0;
  const got = await readAll(stream, sizes, () => {
    maxQueued = Math.max(maxQueued, stream.bufferedBytes);
  });
  return { got, maxQueued };
}

test("onread ring: tiny read slots never lose or reorder a byte, and at most RING_SLOTS slots are queued", async () => {
  const data = bytes(300_000, 1);
  const srv = await server((s) => s.end(data));
  const driver = new IoDriver();
  const stream = NodeStream.connect(driver, { host: "127.0.0.1", port: srv.port }, { readBufferSize: 7 });
  await drive((cx) => stream.pollConnected(cx));
  let i = 0;
  const { got, maxQueued } = await readAllQueued(stream, () => 1 + ((i++ * 7919) % 23));
  assert.ok(got.equals(Buffer.from(data)));
  assert.ok(maxQueued <= RING_SLOTS * 7, `queued ${maxQueued}`);
  stream.close();
  srv.close();
});

/** Accept one connection (with `pauseOnConnect`, as TcpListener does) whose client sends `data` and ends. */
async function acceptSending(data: Uint8Array, options?: { readBufferSize?: number }): Promise<NodeStream> {
  const driver = new IoDriver();
  return new Promise<NodeStream>((resolve) => {
    const srv = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (s) => {
      resolve(NodeStream.fromSocket(driver, s, options));
      srv.close();
    });
    srv.listen(0, "127.0.0.1", () => {
      const c = net.connect({ host: "127.0.0.1", port: (srv.address() as net.AddressInfo).port });
      c.end(data);
      c.on("close", () => undefined);
    });
  });
}

test("accepted sockets read into the onread ring: a reader that waits holds at most RING_SLOTS slots, and no byte is lost", async () => {
  const data = bytes(2_000_000, 3);
  const accepted = await acceptSending(data, { readBufferSize: 1000 });
  // nobody reads for a while: two slots fill and reading stops (the 'data' path queues up to a
  // whole 64 KiB chunk past its mark, so this bound tells the two apart)
  for (let k = 0; k < 30; k++) await tick();
  assert.ok(accepted.bufferedBytes > 0, "the first bytes were read");
  assert.ok(accepted.bufferedBytes <= RING_SLOTS * 1000, `queued ${accepted.bufferedBytes}`);
  let i = 0;
  const { got, maxQueued } = await readAllQueued(accepted, () => 1 + ((i++ * 7919) % 1500));
  assert.ok(got.equals(Buffer.from(data)));
  assert.ok(maxQueued <= RING_SLOTS * 1000, `queued ${maxQueued}`);
  accepted.close();
});

test("without readBufferSize, read slots grow while reads fill them, up to MAX_READ_SLOT; the bytes stay intact", async () => {
  const data = bytes(4_000_000, 4);
  for (const kind of ["accepted", "connected"] as const) {
    let stream: NodeStream;
    let srv: { close(): void } | undefined;
    if (kind === "accepted") {
      stream = await acceptSending(data);
    } else {
      const peer = await server((s) => s.end(data));
      srv = peer;
      stream = NodeStream.connect(new IoDriver(), { host: "127.0.0.1", port: peer.port });
      await drive((cx) => stream.pollConnected(cx));
    }
    const { got, maxQueued } = await readAllQueued(stream, () => 3000);
    // The peer sends far faster than 3,000-byte reads take it: the slots fill and grow.
    assert.ok(got.equals(Buffer.from(data)), kind);
    assert.ok(maxQueued > RING_SLOTS * DEFAULT_READ_BUFFER_SIZE, `${kind}: queued at most ${maxQueued}`);
    assert.ok(maxQueued <= RING_SLOTS * MAX_READ_SLOT, `${kind}: queued ${maxQueued}`);
    stream.close();
    srv?.close();
  }
});

test("a read into the ring tells the driver's host that its event loop ran (hostTurn), once per read", async () => {
  const data = bytes(100_000, 5);
  const srv = await server((s) => s.end(data));
  let turns = 0;
  const host = { hostTurn: () => void turns++ } as unknown as DriverHost;
  const stream = NodeStream.connect(new IoDriver(host), { host: "127.0.0.1", port: srv.port }, { readBufferSize: 4096 });
  await drive((cx) => stream.pollConnected(cx));
  assert.is(turns, 0, "connecting reads nothing");
  const got = await readAll(stream, () => 4096);
  assert.ok(got.equals(Buffer.from(data)));
  // 4 KiB slots: at least 25 reads, and not more turns than reads of at least one byte
  assert.ok(turns >= Math.ceil(data.length / 4096) && turns <= data.length, `turns ${turns}`);
  stream.close();
  srv.close();
});

test("accepted sockets ('data' path, a Node without the onread slots): the queue pauses the socket at readBufferSize and no byte is lost", async () => {
  const data = bytes(2_000_000, 2);
  const was = setAcceptedUserBuffers(false);
  let accepted: NodeStream;
  try {
    accepted = await acceptSending(data, { readBufferSize: 1000 });
  } finally {
    setAcceptedUserBuffers(was);
  }
  // nobody reads for a while: the queue stops growing (the socket is paused)
  for (let k = 0; k < 30; k++) await tick();
  assert.ok(accepted.bufferedBytes < data.length, "reading paused before the whole transfer was queued");
  assert.ok(accepted.socket.isPaused());
  const got = await readAll(accepted, () => 4096);
  assert.ok(got.equals(Buffer.from(data)));
  accepted.close();
});

test("big writes (recycled slabs): two streams at once, the writer reusing its array at once, each peer gets exactly its bytes", async () => {
  const total = 16_000_000; // more than loopback's socket buffers hold
  const received = new Map<number, Buffer[]>();
  const ended: Promise<void>[] = [];
  const srv = await server((s) => {
    const parts: Buffer[] = [];
    received.set(s.remotePort!, parts);
    // A reader that stops for a while after every MiB: the send buffers fill, and writes of
    // both streams stay in flight (asynchronous) at the same time, again and again.
    const stall = async () => {
      s.pause();
      for (let k = 0; k < 20; k++) await tick();
      s.resume();
    };
    let got = 0;
    ended.push(
      new Promise((r) => {
        s.on("data", (d: Buffer) => {
          parts.push(d);
          if ((got += d.length) >> 20 !== (got - d.length) >> 20) void stall();
        });
        s.on("end", () => (s.end(), r()));
      }),
    );
    void stall();
  });
  const driver = new IoDriver();
  const send = async (seed: number): Promise<{ port: number; data: Uint8Array }> => {
    const data = new Uint8Array(total);
    for (let k = 0; k < total; k++) data[k] = (k * 31 + seed + (k >> 8)) & 0xff;
    const stream = NodeStream.connect(driver, { host: "127.0.0.1", port: srv.port });
    await drive((cx) => stream.pollConnected(cx));
    const scratch = new Uint8Array(100_000);
    let i = seed;
    for (let at = 0; at < total; ) {
      const len = Math.min(total - at, 8192 + ((i++ * 7919) % 90_000));
      scratch.set(data.subarray(at, at + len));
      const n = await drive((cx) => stream.pollWrite(cx, scratch.subarray(0, len)));
      scratch.fill(0xee); // the caller may reuse its array as soon as pollWrite returns
      at += n;
    }
    await drive((cx) => stream.pollShutdown(cx));
    const port = stream.socket.localPort!;
    await readAll(stream, () => 1024); // the server ends after our FIN
    stream.close();
    return { port, data };
  };
  const sent = await Promise.all([send(5), send(6)]);
  await Promise.all(ended);
  for (const { port, data } of sent) assert.ok(Buffer.concat(received.get(port)!).equals(Buffer.from(data)), `stream from port ${port}`);
  srv.close();
});

test("EOF is reported only after every queued byte; then 0 forever", async () => {
  const data = bytes(5_000, 3); // fits in the read slots: the FIN is read while the bytes wait
  const srv = await server((s) => s.end(data));
  const stream = NodeStream.connect(new IoDriver(), { host: "127.0.0.1", port: srv.port });
  await drive((cx) => stream.pollConnected(cx));
  while (!stream.eof) await tick();
  assert.is(stream.bufferedBytes, data.length);
  const got = await readAll(stream, () => 1000);
  assert.ok(got.equals(Buffer.from(data)));
  assert.is(await drive((cx) => stream.pollRead(cx, new Uint8Array(10))), 0);
  stream.close();
  srv.close();
});

test("a reset after queued bytes: the bytes first, then ECONNRESET on every read", async () => {
  let peer!: net.Socket;
  const srv = await server((s) => {
    peer = s;
    s.write(bytes(100, 4));
  });
  const stream = NodeStream.connect(new IoDriver(), { host: "127.0.0.1", port: srv.port });
  await drive((cx) => stream.pollConnected(cx));
  while (stream.bufferedBytes < 100) await tick();
  peer.resetAndDestroy();
  while (!stream.closed) await tick();
  const buf = new Uint8Array(1000);
  assert.is(await drive((cx) => stream.pollRead(cx, buf)), 100);
  for (let k = 0; k < 2; k++) {
    await drive((cx) => stream.pollRead(cx, buf)).then(
      () => assert.unreachable("read after reset must fail"),
      (e: Error & { code?: string }) => assert.is(e.code, "ECONNRESET"),
    );
  }
  stream.close();
  srv.close();
});

test("pollShutdown sends FIN after the written bytes and keeps reading (half-close); pollFlush empties the buffer", async () => {
  const srv = await server((s) => {
    const parts: Buffer[] = [];
    s.on("data", (d: Buffer) => parts.push(d));
    s.on("end", () => s.end(Buffer.concat(parts).reverse()));
  });
  const stream = NodeStream.connect(new IoDriver(), { host: "127.0.0.1", port: srv.port });
  await drive((cx) => stream.pollConnected(cx));
  const data = bytes(200_000, 5);
  let off = 0;
  while (off < data.length) off += await drive((cx) => stream.pollWrite(cx, data.subarray(off)));
  await drive((cx) => stream.pollFlush(cx));
  assert.is(stream.socket.writableLength, 0);
  await drive((cx) => stream.pollShutdown(cx));
  await drive((cx) => stream.pollShutdown(cx)); // idempotent
  await drive((cx) => stream.pollWrite(cx, data)).then(
    () => assert.unreachable("write after shutdown"),
    (e: Error & { code?: string }) => assert.is(e.code, "EPIPE"),
  );
  const back = await readAll(stream, () => 65536);
  assert.ok(back.equals(Buffer.from(data).reverse()));
  stream.close();
  srv.close();
});

test("the registration leaves the driver when the socket closes; driver shutdown destroys sockets and wakes waiters", async () => {
  const srv = await server(() => undefined);
  const driver = new IoDriver();
  const a = NodeStream.connect(driver, { host: "127.0.0.1", port: srv.port });
  const b = NodeStream.connect(driver, { host: "127.0.0.1", port: srv.port });
  await drive((cx) => a.pollConnected(cx));
  await drive((cx) => b.pollConnected(cx));
  assert.is(driver.registrationCount, 2);
  const closed = new Promise((r) => a.socket.once("close", r));
  a.close();
  await closed;
  assert.is(driver.registrationCount, 1, "a closed socket is no longer tracked");
  const reader = mockTask(pollFn((cx) => b.pollRead(cx, new Uint8Array(4))));
  assertPending(reader.poll());
  driver.shutdown();
  assert.ok(reader.isWoken());
  assert.throws(() => reader.poll(), (e: unknown) => e instanceof ContextError);
  assert.ok(b.socket.destroyed);
  srv.close();
});

test("tryRead/tryWrite: EWOULDBLOCK clears readiness with the current event (Registration.readyEvent)", async () => {
  const srv = await server((s) => setImmediate(() => s.write("x")));
  const driver = new IoDriver();
  const stream = NodeStream.connect(driver, { host: "127.0.0.1", port: srv.port });
  await drive((cx) => stream.pollConnected(cx));
  const r = stream.registration;
  assert.throws(() => stream.tryRead(new Uint8Array(1)), (e: unknown) => (e as { code?: string }).code === "EWOULDBLOCK");
  assert.is(r.readiness & Ready.READABLE, 0);
  assert.is(readyOf(r.readyEvent(Interest.WRITABLE)), Ready.WRITABLE);
  await drive((cx) => {
    const e = r.pollReadReady(cx);
    return e;
  });
  const one = new Uint8Array(1);
  assert.is(stream.tryRead(one), 1);
  assert.is(one[0], "x".charCodeAt(0));
  assert.is(stream.tryWrite(new Uint8Array(3)), 3);
  stream.close();
  srv.close();
});

test("a read into an empty array returns 0 at once, without waiting or consuming", async () => {
  const srv = await server(() => undefined);
  const stream = NodeStream.connect(new IoDriver(), { host: "127.0.0.1", port: srv.port });
  await drive((cx) => stream.pollConnected(cx));
  const task = mockTask(pollFn((cx) => stream.pollRead(cx, new Uint8Array(0))));
  assert.is(task.poll(), 0);
  assert.is(stream.tryRead(new Uint8Array(0)), 0);
  stream.close();
  srv.close();
});

test("connect errors keep Node's code and address; readBufferSize is checked", async () => {
  const srv = await server(() => undefined);
  const port = srv.port;
  srv.close();
  await tick();
  const stream = NodeStream.connect(new IoDriver(), { host: "127.0.0.1", port });
  await drive((cx) => stream.pollConnected(cx)).then(
    () => assert.unreachable("connected to a closed port"),
    (e: Error & { code?: string }) => {
      assert.is(e.code, "ECONNREFUSED");
      assert.ok(e.message.includes(`127.0.0.1:${port}`));
    },
  );
  stream.close();
  assert.throws(() => NodeStream.connect(new IoDriver(), { host: "127.0.0.1", port }, { readBufferSize: 0 }), (e: unknown) => e instanceof RangeError);
});

test("connect and fromSocket check their arguments at the call, naming them", () => {
  const driver = new IoDriver();
  const typeErr = (fn: () => unknown, re: RegExp): void => {
    assert.throws(fn, (e: unknown) => e instanceof TypeError && re.test(e.message));
  };
  typeErr(() => NodeStream.connect(driver, null as never), /^connect must be Node's connect options .* got null/);
  typeErr(() => NodeStream.connect(driver, "127.0.0.1:80" as never), /^connect must be .* got string/);
  typeErr(() => NodeStream.connect(driver, [] as never), /^connect must be .* got an array/);
  typeErr(() => NodeStream.connect(driver, { host: "127.0.0.1", port: 1 }, { readBufferSize: "16" as never }), /^readBufferSize must be a number/);
  typeErr(() => NodeStream.fromSocket(driver, {} as never), /^socket must be a net\.Socket, got Object/);
  typeErr(() => NodeStream.fromSocket(driver, undefined as never), /^socket must be a net\.Socket, got undefined/);
});

test("small writes of one size, each different, arrive intact when some go to the OS at once and later ones wait in Node", async () => {
  // A write's chunk is refilled by the next write of its size only when Node handed it to the
  // OS at once; a chunk still in Node's hands (the peer stopped reading) must never change.
  let peer!: net.Socket;
  const received: Buffer[] = [];
  const srv = await server((s) => {
    peer = s;
    s.pause();
  });
  const stream = NodeStream.connect(new IoDriver(), { host: "127.0.0.1", port: srv.port });
  await drive((cx) => stream.pollConnected(cx));
  const size = 64;
  const numbered = (k: number): Uint8Array => {
    const chunk = new Uint8Array(size).fill(k & 0xff);
    new DataView(chunk.buffer).setUint32(0, k);
    return chunk;
  };
  const cx = new Context(noopWaker);
  let count = 0;
  let queuedInNode = 0;
  for (; count < 2_000_000; count++) {
    const out = stream.pollWrite(cx, numbered(count));
    if (out === Pending) break; // past the high-water mark: backpressure
    assert.is(out, size);
    if (stream.socket.writableLength > 0) queuedInNode++;
    if (count % 256 === 0) await tick();
  }
  assert.ok(queuedInNode > 100, `later writes waited in Node (${queuedInNode})`);
  assert.ok(count - queuedInNode > 100, "earlier writes went to the OS at once");
  peer.on("data", (d: Buffer) => received.push(d));
  const peerEnded = new Promise<void>((r) => peer.once("end", r));
  peer.resume();
  await drive((cx) => stream.pollShutdown(cx));
  await peerEnded;
  try {
    const got = Buffer.concat(received);
    assert.is(got.length, count * size);
    for (let k = 0; k < count; k++) {
      const at = k * size;
      if (!got.subarray(at, at + size).equals(numbered(k))) assert.unreachable(`write ${k} arrived changed`);
    }
  } finally {
    stream.close();
    peer.destroy();
    srv.close();
  }
});

test("flush after small writes waits for the bytes in flight to a peer that does not read, and completes once it reads", async () => {
  let peer!: net.Socket;
  const received: Buffer[] = [];
  const srv = await server((s) => {
    peer = s;
    s.pause(); // reads nothing until resumed: the bytes pile up in the kernel, then in Node
  });
  const stream = NodeStream.connect(new IoDriver(), { host: "127.0.0.1", port: srv.port });
  await drive((cx) => stream.pollConnected(cx));
  const chunk = bytes(1000, 3); // small writes: copied into fresh Buffers, no callback each
  let written = 0;
  const cx = new Context(noopWaker);
  for (let k = 0; k < 100_000 && stream.socket.writableLength === 0; k++) {
    const n = stream.pollWrite(cx, chunk);
    assert.is(n, chunk.length);
    written += n as number;
    await tick();
  }
  // Fill past the high-water mark too, so a write is Pending (backpressure) as well.
  for (let out = stream.pollWrite(cx, chunk); out !== Pending; out = stream.pollWrite(cx, chunk)) written += out;
  assert.ok(stream.socket.writableLength > 0, "bytes are in flight");
  const flusher = mockTask(pollFn((cx) => stream.pollFlush(cx)));
  assertPending(flusher.poll());
  for (let k = 0; k < 20; k++) await tick();
  assertPending(flusher.poll(), "the peer has read nothing");
  peer.on("data", (d: Buffer) => received.push(d));
  const peerEnded = new Promise<void>((r) => peer.once("end", r));
  peer.resume();
  await new Promise<void>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error("flush was never woken")), 10_000);
    const check = (): void => {
      if (flusher.isWoken()) {
        clearTimeout(guard);
        resolve();
      } else setImmediate(check);
    };
    check();
  });
  assert.is(flusher.poll(), undefined);
  assert.is(stream.socket.writableLength, 0);
  await drive((cx) => stream.pollShutdown(cx));
  await peerEnded;
  const got = Buffer.concat(received);
  assert.is(got.length, written);
  for (let at = 0; at < got.length; at += chunk.length) assert.ok(got.subarray(at, at + chunk.length).equals(chunk), `chunk at ${at}`);
  stream.close();
  peer.destroy();
  srv.close();
});

test.run();
