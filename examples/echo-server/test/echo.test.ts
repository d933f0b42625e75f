import { test } from "uvu";
import * as assert from "uvu/assert";
import { read, readExact, readToEnd, shutdown, writeAll } from "@tokio-ts/io-driver";
import { select } from "@tokio-ts/macros";
import { TcpListener, TcpStream } from "@tokio-ts/net";
import { spawn, yieldNow } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { talk } from "../src/client.js";
import { echo, serve } from "../src/server.js";
import { prng, run, startEcho } from "./helpers.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

test("the demo client gets each line back", async () => {
  await run(function* () {
    const server = yield* startEcho();
    const echoes = yield* talk(server.listener.localAddr(), ["hello", "", "world ✓"]);
    assert.equal(echoes, ["hello", "", "world ✓"]);
    yield* server.stop();
    assert.equal(server.errors, []);
  });
});

/** Bytes through the echo server (1 GiB unless ECHO_TEST_BYTES says otherwise). */
const TOTAL = Number(process.env.ECHO_TEST_BYTES ?? 2 ** 30);

test(`${(TOTAL / 2 ** 20).toFixed(0)} MiB through the echo server, random write and read sizes, every byte checked`, async () => {
  await run(function* () {
    const server = yield* startEcho();
    const stream = yield* TcpStream.connect({ host: "127.0.0.1", port: server.port });
    // The data is a random block of a prime length, repeated: a lost, duplicated or reordered
    // chunk anywhere shifts the pattern and is caught at its first byte.
    const random = prng(0xec40);
    const block = new Uint8Array(1_048_573);
    for (let i = 0; i < block.length; i++) block[i] = (random() * 256) | 0;
    const sizes = prng(7);
    const writer = spawn(function* () {
      let sent = 0;
      const chunk = new Uint8Array(256 * 1024);
      while (sent < TOTAL) {
        const n = Math.min(TOTAL - sent, 1 + Math.floor(sizes() * chunk.length));
        for (let i = 0, p = sent % block.length; i < n; i++, p++) {
          if (p === block.length) p = 0;
          chunk[i] = block[p]!;
        }
        yield* writeAll(stream, chunk.subarray(0, n));
        sent += n;
      }
      yield* shutdown(stream);
      return sent;
    });
    const readSizes = prng(11);
    const buf = new Uint8Array(256 * 1024);
    let received = 0;
    let p = 0;
    for (;;) {
      const n = yield* read(stream, buf.subarray(0, 1 + Math.floor(readSizes() * buf.length)));
      if (n === 0) break;
      for (let i = 0; i < n; i++, p++) {
        if (p === block.length) p = 0;
        if (buf[i] !== block[p]) throw new Error(`byte ${received + i} differs: got ${buf[i]}, expected ${block[p]}`);
      }
      received += n;
    }
    assert.is(yield* writer, TOTAL);
    assert.is(received, TOTAL);
    stream.close();
    yield* server.stop();
    assert.equal(server.errors, []);
  });
});

test("half-close: the client shuts its write side and still reads every echoed byte, then EOF", async () => {
  await run(function* () {
    const server = yield* startEcho();
    const stream = yield* TcpStream.connect({ host: "127.0.0.1", port: server.port });
    const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => i * 31);
    // Write everything before reading anything: the server's writes back wait for us.
    const writer = spawn(function* () {
      yield* writeAll(stream, data);
      yield* shutdown(stream);
    });
    const back = yield* readToEnd(stream);
    yield* writer;
    assert.is(back.length, data.length);
    assert.ok(back.every((b, i) => b === data[i]));
    stream.close();
    yield* server.stop();
  });
});

test("a client that resets mid-stream ends its connection with ECONNRESET on the server, no hang", async () => {
  await run(function* () {
    const server = yield* startEcho();
    const stream = yield* TcpStream.connect({ host: "127.0.0.1", port: server.port });
    yield* writeAll(stream, encoder.encode("ping"));
    yield* readExact(stream, new Uint8Array(4));
    stream.resetAndClose();
    // The server's connection task ends with the error; the server keeps serving others.
    assert.equal(yield* talk(server.listener.localAddr(), ["still here"]), ["still here"]);
    yield* server.stop();
    assert.is(server.errors.length, 1);
    assert.is((server.errors[0] as { code?: string }).code, "ECONNRESET");
  });
});

test("a server that resets mid-stream fails the client's read with ECONNRESET, no hang", async () => {
  await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const accepting = spawn(function* () {
      const [socket] = yield* listener.accept();
      yield* readExact(socket, new Uint8Array(4));
      socket.resetAndClose();
    });
    const stream = yield* TcpStream.connect(listener.localAddr());
    yield* writeAll(stream, encoder.encode("ping"));
    yield* accepting;
    let error: unknown;
    try {
      yield* readToEnd(stream);
    } catch (e) {
      error = e;
    }
    assert.is((error as { code?: string } | undefined)?.code, "ECONNRESET");
    stream.close();
    listener.close();
  });
});

test("accept() dropped by select loses no connection", async () => {
  await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const N = 50;
    const clients = Array.from({ length: N }, (_, i) =>
      spawn(function* () {
        const stream = yield* TcpStream.connect(listener.localAddr());
        try {
          yield* writeAll(stream, encoder.encode(`client ${i}\n`));
          yield* shutdown(stream);
          return decoder.decode(yield* readToEnd(stream));
        } finally {
          stream.close();
        }
      }),
    );
    // The accept races a branch that wins whenever no connection is ready yet, so most
    // accept() futures are dropped pending — none of them may take a connection with it.
    let accepted = 0;
    let dropped = 0;
    const served = [];
    while (accepted < N) {
      const r = yield* select({ accepted: listener.accept(), idle: yieldNow() });
      if (r.key === "idle") {
        dropped++;
        continue;
      }
      accepted++;
      const [socket] = r.value;
      served.push(
        spawn(function* () {
          try {
            return yield* echo(socket, { bufferSize: 1024 });
          } finally {
            socket.close();
          }
        }),
      );
    }
    const replies: string[] = [];
    for (const c of clients) replies.push(yield* c);
    for (const s of served) yield* s;
    listener.close();
    assert.equal(replies.sort(), Array.from({ length: N }, (_, i) => `client ${i}\n`).sort());
    assert.ok(dropped > 0, "some accepts were dropped while pending");
  });
});

test("a client that sends without reading: the server's memory stays bounded, nothing is lost", async () => {
  await run(function* () {
    const server = yield* startEcho();
    const stream = yield* TcpStream.connect({ host: "127.0.0.1", port: server.port });
    const memoryBefore = process.memoryUsage().arrayBuffers;
    const chunk = new Uint8Array(64 * 1024).fill(42);
    let sent = 0;
    const LIMIT = 512 * 2 ** 20;
    const writer = spawn(function* () {
      while (sent < LIMIT) {
        yield* writeAll(stream, chunk);
        sent += chunk.length;
      }
    });
    // Wait until the writer stalls: the server stopped reading because its echo waits for us,
    // and the kernel's buffers in both directions are full. (Real timers as a wait, not a
    // measurement: the assertion is on bytes.)
    let last = -1;
    while (sent !== last) {
      last = sent;
      yield* sleep(200);
    }
    assert.ok(sent < 64 * 2 ** 20, `the writer stalled after ${sent} bytes`);
    const grown = process.memoryUsage().arrayBuffers - memoryBefore;
    assert.ok(grown < 64 * 2 ** 20, `buffers grew by ${grown} bytes`);
    // Now read: the writer resumes, and every byte comes back.
    writer.abort();
    let received = 0;
    const buf = new Uint8Array(64 * 1024);
    const closing = spawn(() => shutdown(stream));
    for (;;) {
      const n = yield* read(stream, buf);
      if (n === 0) break;
      received += n;
    }
    yield* closing;
    assert.ok(received >= sent, `received ${received} of ${sent}`);
    stream.close();
    yield* server.stop();
  });
});

test("clear errors: a client to a closed port gets ECONNREFUSED naming it; a second server on a used port EADDRINUSE", async () => {
  await run(function* () {
    const server = yield* startEcho();
    const addr = server.listener.localAddr();
    let bindError: unknown;
    try {
      yield* TcpListener.bind(addr);
    } catch (e) {
      bindError = e;
    }
    assert.is((bindError as { code?: string }).code, "EADDRINUSE");
    assert.match(String((bindError as Error).message), String(addr.port));
    yield* server.stop();
    let connectError: unknown;
    try {
      yield* talk(addr, ["anyone?"]);
    } catch (e) {
      connectError = e;
    }
    assert.is((connectError as { code?: string }).code, "ECONNREFUSED");
    assert.match(String((connectError as Error).message), `127.0.0.1:${addr.port}`);
  });
});

test("shutdown: idle connections are closed (the client reads EOF) and serve() returns", async () => {
  await run(function* () {
    const server = yield* startEcho();
    const idle = yield* TcpStream.connect({ host: "127.0.0.1", port: server.port });
    const busy = yield* TcpStream.connect({ host: "127.0.0.1", port: server.port });
    yield* writeAll(busy, encoder.encode("last words"));
    const back = new Uint8Array(10);
    yield* readExact(busy, back);
    assert.is(decoder.decode(back), "last words");
    yield* server.stop();
    assert.is((yield* readToEnd(idle)).length, 0);
    assert.is((yield* readToEnd(busy)).length, 0);
    idle.close();
    busy.close();
    assert.equal(server.errors, []);
  });
});

test("bad options are refused at the call", async () => {
  await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    try {
      assert.throws(() => serve(listener, { bufferSize: 0 }).next(), RangeError);
    } finally {
      listener.close();
    }
  });
});

test.run();
