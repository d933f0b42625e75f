import { test } from "uvu";
import * as assert from "uvu/assert";
import { ContextError } from "@tokio-ts/core";
import { Builder, JoinSet, spawn, yieldNow } from "@tokio-ts/runtime";
import { assertPending, mockTask } from "@tokio-ts/test-util";
import { timeout } from "@tokio-ts/time";
import { errorKind, SocketAddr, TcpListener, TcpStream } from "../src/index.js";
import { fromAsync, fromPromise } from "@tokio-ts/core";
import { hasCode, openSockets, run, tick } from "./helpers.js";

const enc = (s: string) => new TextEncoder().encode(s);

test("an accept dropped while it waits loses no connection: the next accept gets it", async () => {
  await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const dropped = mockTask(listener.accept());
    assertPending(dropped.poll());
    const client = yield* TcpStream.connect(listener.localAddr());
    dropped.drop(); // the connection may already be queued: it must stay there
    const [stream, peer] = yield* listener.accept();
    assert.is(peer.port, client.localAddr().port);
    stream.close();
    client.close();
    listener.close();
  });
});

test("a next() of the listener's async iterator that is given up on loses no connection, and the iteration goes on", async () => {
  await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const it = listener[Symbol.asyncIterator]();
    const dropped = mockTask(fromAsync(() => it.next()));
    assertPending(dropped.poll());
    yield* fromPromise(tick()); // the await of accept() is registered
    dropped.drop(); // as a select does to its losing branch
    const client = yield* TcpStream.connect(listener.localAddr());
    const next = yield* fromPromise(it.next());
    assert.is(next.done, false);
    const stream = next.value!;
    assert.is(stream.peerAddr().port, client.localAddr().port);
    stream.close();
    client.close();
    listener.close();
    assert.equal(yield* fromPromise(it.next()), { done: true, value: undefined });
  });
});

test("accepts cancelled by timeout() lose no connection (50 clients, every one served)", async () => {
  const ids = await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const addr = listener.localAddr();
    const clients = new JoinSet<void>();
    for (let i = 0; i < 50; i++) {
      clients.spawn(function* () {
        const s = yield* TcpStream.connect(addr);
        yield* s.writeAll(enc(`${i}\n`));
        yield* s.shutdown();
        const buf = new Uint8Array(1);
        while ((yield* s.read(buf)) > 0);
        s.close();
      });
    }
    const seen = new Set<string>();
    let elapsed = 0;
    while (seen.size < 50) {
      let accepted: [TcpStream, SocketAddr];
      try {
        accepted = yield* timeout(1, listener.accept());
      } catch (e) {
        elapsed++;
        continue;
      }
      const [stream] = accepted;
      const buf = new Uint8Array(16);
      let text = "";
      for (let n; (n = yield* stream.read(buf)) > 0; ) text += new TextDecoder().decode(buf.subarray(0, n));
      seen.add(text.trim());
      stream.close();
    }
    while ((yield* clients.joinNext()) !== undefined);
    listener.close();
    return { seen, elapsed };
  });
  assert.is(ids.seen.size, 50);
  for (let i = 0; i < 50; i++) assert.ok(ids.seen.has(String(i)));
});

test("the listener is an async iterable of streams, ending when closed", async () => {
  const n = await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const addr = listener.localAddr();
    const server = spawn(async () => {
      let count = 0;
      for await (const stream of listener) {
        count++;
        stream.close();
        if (count === 3) listener.close();
      }
      return count;
    });
    for (let i = 0; i < 3; i++) (yield* TcpStream.connect(addr)).close();
    return yield* server;
  });
  assert.is(n, 3);
});

test("close() fails pending accepts with ERR_SOCKET_CLOSED and frees the port", async () => {
  await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const addr = listener.localAddr();
    const waiting = spawn(function* () {
      try {
        yield* listener.accept();
        return "accepted";
      } catch (e) {
        return e;
      }
    });
    yield* yieldNow(); // the waiting task polls accept() and waits
    yield* yieldNow();
    listener.close();
    const error = yield* waiting;
    assert.ok(hasCode(error, "ERR_SOCKET_CLOSED"), String(error));
    assert.throws(() => listener.localAddr(), (e: unknown) => hasCode(e, "ERR_SOCKET_CLOSED"));
    const again = yield* TcpListener.bind(addr); // the port is free again
    again.close();
  });
});

test("close() resets connections queued but never accepted: their clients read ECONNRESET, not EOF", async () => {
  const error = await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const before = openSockets().filter((r) => r === "TCPSocketWrap").length;
    const client = yield* TcpStream.connect(listener.localAddr());
    // Wait until Node has taken the connection off the backlog into the listener's queue
    // (the accepted socket is a second TCPSocketWrap): closing must not turn it into a clean EOF.
    for (let i = 0; i < 500 && openSockets().filter((r) => r === "TCPSocketWrap").length < before + 2; i++) {
      yield* fromPromise(tick());
    }
    listener.close();
    try {
      const n = yield* client.read(new Uint8Array(8));
      return `read ${n}`;
    } catch (e) {
      return e;
    } finally {
      client.close();
    }
  });
  assert.ok(hasCode(error, "ECONNRESET"), String(error));
});

test("binding a used port fails with EADDRINUSE naming the address", async () => {
  const error = await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const addr = listener.localAddr();
    try {
      (yield* TcpListener.bind(addr)).close();
      return "bound twice";
    } catch (e) {
      return e;
    } finally {
      listener.close();
    }
  });
  assert.ok(hasCode(error, "EADDRINUSE"), String(error));
  assert.is(errorKind(error), "ADDR_IN_USE");
  assert.match((error as Error).message, /127\.0\.0\.1:\d+/);
});

test("connecting to a closed port fails with ECONNREFUSED naming the address", async () => {
  const [error, port] = await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const port = listener.localAddr().port;
    listener.close();
    try {
      (yield* TcpStream.connect({ ip: "127.0.0.1", port })).close();
      return ["connected", port] as const;
    } catch (e) {
      return [e, port] as const;
    }
  });
  assert.ok(hasCode(error, "ECONNREFUSED"), String(error));
  assert.is(errorKind(error), "CONNECTION_REFUSED");
  assert.ok((error as Error).message.includes(`127.0.0.1:${port}`), (error as Error).message);
});

test("invalid addresses are TypeError/RangeError at the call, naming the argument", () => {
  const typeError = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof TypeError && /addr/.test(e.message));
  const rangeError = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof RangeError && /addr/.test(e.message));
  typeError(() => TcpStream.connect("localhost"));
  typeError(() => TcpStream.connect(42 as never));
  typeError(() => TcpStream.connect({ host: "", port: 1 }));
  typeError(() => TcpListener.bind("::1:80"));
  typeError(() => TcpListener.bind(null as never));
  rangeError(() => TcpStream.connect("127.0.0.1:70000"));
  rangeError(() => TcpStream.connect("127.0.0.1:0"));
  rangeError(() => TcpListener.bind({ host: "127.0.0.1", port: -1 }));
});

test("without enableIo() the error says which builder call is missing; outside a runtime, that a runtime is needed", async () => {
  const rt = Builder.newCurrentThread().enableTime().build();
  let error: unknown;
  try {
    await rt.blockOn(function* () {
      yield* TcpListener.bind("127.0.0.1:0");
    });
  } catch (e) {
    error = e;
  }
  await rt.shutdownTimeout(100);
  assert.ok(error instanceof ContextError, String(error));
  assert.match((error as Error).message, /enableIo\(\)/);
  let outside: unknown;
  try {
    await TcpStream.connect("127.0.0.1:9");
  } catch (e) {
    outside = e;
  }
  assert.ok(outside instanceof ContextError, String(outside));
  assert.match((outside as Error).message, /TcpStream\.connect\(\)/);
});

test("1,000 concurrent connections are accepted and served", async () => {
  const total = await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const addr = listener.localAddr();
    const server = spawn(function* () {
      const handlers = new JoinSet<void>();
      for (let i = 0; i < 1000; i++) {
        const [stream] = yield* listener.accept();
        handlers.spawn(function* () {
          const buf = new Uint8Array(64);
          for (let n; (n = yield* stream.read(buf)) > 0; ) yield* stream.writeAll(buf.subarray(0, n));
          yield* stream.shutdown();
          stream.close();
        });
      }
      while ((yield* handlers.joinNext()) !== undefined);
    });
    const clients = new JoinSet<number>();
    for (let i = 0; i < 1000; i++) {
      clients.spawn(function* () {
        const s = yield* TcpStream.connect(addr);
        const msg = enc(`client ${i}`);
        yield* s.writeAll(msg);
        yield* s.shutdown();
        const buf = new Uint8Array(64);
        let got = 0;
        for (let n; (n = yield* s.read(buf)) > 0; ) got += n;
        s.close();
        return got === msg.length ? 1 : 0;
      });
    }
    let ok = 0;
    for (let r; (r = yield* clients.joinNext()) !== undefined; ) ok += r as number;
    yield* server;
    listener.close();
    return ok;
  }, 60_000);
  assert.is(total, 1000);
});

test.run();
