// Runtime shutdown with sockets in every state: listeners with pending accepts and queued
// connections, streams with pending reads and blocked writes, UDP sockets with pending receives,
// Unix listeners. After shutdown no host handle is left, tasks' finally blocks ran, futures
// awaited outside the runtime fail with the shutdown ContextError ("the runtime's shutdown closes
// the socket"; pending polls "throw the shutdown ContextError"), later calls fail too, and the
// Unix socket file is gone.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { Builder, spawn } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { ContextError, yieldNow } from "@tokio-ts/core";
import { TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream, lookupHost } from "@tokio-ts/net";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { code, guard, openOf, openSockets, rmTemp, settleSockets, tempDir, tick } from "./support.js";

const BASE = openSockets();

function outcome(p: PromiseLike<unknown>): Promise<string> {
  return Promise.resolve(p).then(
    () => "resolved",
    (e: unknown) => (e instanceof ContextError ? `ContextError:${String(code(e))}` : `${(e as Error)?.name}:${String(code(e))}`),
  );
}

const STATES = ["listener-pending-accept", "listener-queued", "stream-pending-read", "stream-blocked-write", "udp-pending-recv", "udp-queued", "unix-pending-accept", "unix-stream-read", "bind-in-progress", "connect-in-progress", "idle-stream"] as const;

test("runtime shutdown with sockets in every state: no handle left, pending futures fail with the shutdown ContextError, finally blocks run", async () => {
  const dir = tempDir();
  try {
    for (let seed = 0; seed < 24; seed++) {
      const rng = new SeededRng(seed * 97 + 1);
      const rt = Builder.newCurrentThread().enableIo().enableTime().rngSeed(seed).shuffleSchedule(true).build();
      const finallies: string[] = [];
      const outside: { what: string; p: Promise<string> }[] = [];
      const chosen = STATES.filter(() => rng.below(2) === 0);
      const unixPaths: string[] = [];
      const after: (() => PromiseLike<unknown>)[] = [];
      await guard(rt.blockOn(function* () {
        for (const st of chosen) {
          if (st === "listener-pending-accept") {
            const l = yield* TcpListener.bind("127.0.0.1:0");
            spawn(function* () {
              try {
                yield* l.accept();
              } finally {
                finallies.push(st);
              }
            });
            outside.push({ what: st, p: outcome(l.accept()) });
            after.push(() => l.accept());
          } else if (st === "listener-queued") {
            const l = yield* TcpListener.bind("127.0.0.1:0");
            const before = openOf("TCPSocketWrap");
            const c = yield* TcpStream.connect(l.localAddr());
            for (let i = 0; i < 200 && openOf("TCPSocketWrap") < before + 2; i++) yield* sleep(1);
            outside.push({ what: `${st} (client read)`, p: outcome(c.read(new Uint8Array(4))) });
          } else if (st === "stream-pending-read" || st === "stream-blocked-write" || st === "idle-stream") {
            const l = yield* TcpListener.bind("127.0.0.1:0");
            const c = yield* TcpStream.connect(l.localAddr());
            const [s] = yield* l.accept();
            l.close();
            if (st === "stream-pending-read") {
              spawn(function* () {
                try {
                  yield* s.read(new Uint8Array(4));
                } finally {
                  finallies.push(st);
                }
              });
              outside.push({ what: st, p: outcome(c.read(new Uint8Array(4))) });
              after.push(() => c.read(new Uint8Array(1)));
            } else if (st === "stream-blocked-write") {
              // nobody reads s: c's writes block once the buffers are full
              const big = new Uint8Array(1 << 20);
              spawn(function* () {
                try {
                  for (;;) yield* c.write(big);
                } finally {
                  finallies.push(st);
                }
              });
              for (let i = 0; i < 20; i++) yield* sleep(1);
              outside.push({ what: st, p: outcome(c.writable()) });
              after.push(() => c.write(new Uint8Array(1)));
            } else {
              after.push(() => s.readable());
            }
          } else if (st === "udp-pending-recv" || st === "udp-queued") {
            const u = yield* UdpSocket.bind("127.0.0.1:0");
            if (st === "udp-queued") {
              const v = yield* UdpSocket.bind("127.0.0.1:0");
              yield* v.sendTo(new Uint8Array(3), u.localAddr());
              for (let i = 0; i < 200 && u.queuedDatagrams === 0; i++) yield* sleep(1);
              after.push(() => v.send(new Uint8Array(1)));
            } else {
              spawn(function* () {
                try {
                  yield* u.recv(new Uint8Array(4));
                } finally {
                  finallies.push(st);
                }
              });
              outside.push({ what: st, p: outcome(u.recvFrom(new Uint8Array(4))) });
            }
            after.push(() => u.recv(new Uint8Array(4)));
          } else if (st === "unix-pending-accept" || st === "unix-stream-read") {
            const path = join(dir, `s${seed}-${unixPaths.length}.sock`);
            unixPaths.push(path);
            const l = yield* UnixListener.bind(path);
            if (st === "unix-pending-accept") {
              outside.push({ what: st, p: outcome(l.accept()) });
              after.push(() => l.accept());
            } else {
              const c = yield* UnixStream.connect(path);
              const [s] = yield* l.accept();
              outside.push({ what: st, p: outcome(s.read(new Uint8Array(4))) });
              after.push(() => c.read(new Uint8Array(4)));
            }
          } else if (st === "bind-in-progress") {
            // a bind polled once (Node listens asynchronously), then left pending in a task
            spawn(function* () {
              try {
                yield* TcpListener.bind("127.0.0.1:0");
                yield* sleep(1e9);
              } finally {
                finallies.push(st);
              }
            });
          } else {
            const l = yield* TcpListener.bind("127.0.0.1:0");
            spawn(function* () {
              try {
                yield* TcpStream.connect(l.localAddr());
                yield* sleep(1e9);
              } finally {
                finallies.push(st);
              }
            });
          }
        }
        for (let i = 0; i < rng.below(4); i++) yield* yieldNow();
      }), 10_000, `seed ${seed} setup`);
      await tick();
      if (rng.below(2) === 0) rt.shutdownBackground();
      else await rt.shutdownTimeout(1000);
      assert.ok(rt.isShutdown());
      for (const o of outside) {
        const out = await guard(o.p, 5000, `seed ${seed}: ${o.what}`);
        assert.is(out, "ContextError:ERR_RUNTIME_SHUTDOWN", `seed ${seed}: ${o.what} awaited outside the runtime`);
      }
      for (const f of after) {
        const out = await guard(outcome(f()), 5000, `seed ${seed}: call after shutdown`);
        assert.ok(out.startsWith("ContextError:") || out.endsWith(":ERR_SOCKET_CLOSED"), `seed ${seed}: a call after shutdown: ${out}`);
      }
      const expectFinally = chosen.filter((s) => ["listener-pending-accept", "stream-pending-read", "stream-blocked-write", "udp-pending-recv", "bind-in-progress", "connect-in-progress"].includes(s));
      assert.equal([...finallies].sort(), [...expectFinally].sort(), `seed ${seed}: finally blocks of the dropped tasks`);
      await settleSockets(BASE, `seed ${seed} (${chosen.join(",")})`);
      for (const p of unixPaths) assert.not.ok(existsSync(p), `seed ${seed}: ${p} removed at shutdown`);
    }
  } finally {
    rmTemp(dir);
  }
});

test("after shutdown: new sockets fail with ContextError; lookupHost still works (it needs no driver)", async () => {
  const rt = Builder.newCurrentThread().enableIo().enableTime().build();
  const h = rt.handle();
  await rt.shutdownTimeout(100);
  const out = await outcome(h.spawn(function* () {
    yield* TcpListener.bind("127.0.0.1:0");
  }));
  assert.ok(out !== "resolved", `spawn after shutdown: ${out}`);
  const outside = await outcome(TcpListener.bind("127.0.0.1:0"));
  assert.is(outside, "ContextError:ERR_NO_RUNTIME", "bind outside any runtime");
  const outsideUdp = await outcome(UdpSocket.bind("127.0.0.1:0"));
  assert.is(outsideUdp, "ContextError:ERR_NO_RUNTIME", "udp bind outside any runtime");
  const addrs = await lookupHost("localhost:80");
  assert.ok(addrs.some((a) => a.ip === "127.0.0.1" && a.port === 80), JSON.stringify(addrs));
  await settleSockets(BASE, "after shutdown binds");
});

test("lookupHost: every address form; a name needs a port (TypeError at the call); dropped lookups are harmless", async () => {
  for (const [arg, ip] of [["localhost:8080", "127.0.0.1"], [{ host: "localhost", port: 8080 }, "127.0.0.1"], ["127.0.0.1:8080", "127.0.0.1"], ["[::1]:8080", "::1"], [{ ip: "::1", port: 8080 }, "::1"]] as const) {
    const addrs = await lookupHost(arg as never);
    assert.ok(addrs.length >= 1);
    assert.ok(addrs.some((a) => a.ip === ip && a.port === 8080), `${JSON.stringify(arg)} -> ${JSON.stringify(addrs)}`);
  }
  for (const bad of ["localhost", "", "::1:80", ":80", "localhost:"]) {
    let threw: unknown;
    try {
      lookupHost(bad);
    } catch (e) {
      threw = e;
    }
    assert.ok(threw instanceof TypeError, `lookupHost(${JSON.stringify(bad)}): ${String(threw)}`);
  }
  let threw: unknown;
  try {
    lookupHost("localhost:65536");
  } catch (e) {
    threw = e;
  }
  assert.ok(threw instanceof RangeError, `port 65536: ${String(threw)}`);
  // dropped lookups inside a runtime (before and after their first poll), many at once
  const rt = Builder.newCurrentThread().enableTime().build();
  await rt.blockOn(function* () {
    for (let i = 0; i < 20; i++) {
      if (i % 2 === 0) lookupHost("localhost:1").cancel(); // dropped before its first poll: starts nothing
      else {
        const r = yield* select({ l: lookupHost("localhost:1"), y: yieldNow() }, { biased: true });
        if (r.key === "l") assert.ok(r.value.length >= 1);
      }
    }
    const all: string[] = [];
    const hs = Array.from({ length: 30 }, (_, i) => spawn(function* () {
      const a = yield* lookupHost(`localhost:${i + 1}`);
      all.push(a[0]!.toString());
    }));
    for (const h of hs) yield* h;
    assert.is(all.length, 30);
  });
  await rt.shutdownTimeout(100);
});

test.run();
