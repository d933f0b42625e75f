// TcpListener under random cancellation: accept() dropped by select / timeout / abort must never
// lose or duplicate a connection ("A connection is taken from the queue only in the poll that
// completes the future; if the future is dropped … the connection stays queued for the next
// accept()"). Also: async iteration ends on close, close() with pending accepts and queued
// connections (pending accepts fail ERR_SOCKET_CLOSED, queued clients read ECONNRESET), a burst
// of a few hundred connects, bind errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import { sleep, timeout } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { yieldNow } from "@tokio-ts/core";
import { readExact } from "@tokio-ts/io-driver";
import { TcpListener, TcpStream, type SocketAddr } from "@tokio-ts/net";
import { code, failsWith, guard, idOf, noRegistrations, openOf, openSockets, settleSockets, socketSeeds, throwsAt, u32, waitUntil, X } from "./support.js";

const BASE = openSockets();

/** Serve one accepted stream: read the client's 4-byte id, answer its low byte, close. */
function* serveOne(s: TcpStream, seen: Map<number, number>, ghosts: { n: number }): Generator<unknown, void, unknown> {
  const buf = new Uint8Array(4);
  try {
    yield* readExact(s, buf);
  } catch {
    ghosts.n++; // a client whose connect was dropped (EOF or reset before 4 bytes)
    s.close();
    return;
  }
  const id = idOf(buf);
  seen.set(id, (seen.get(id) ?? 0) + 1);
  yield* s.writeAll(new Uint8Array([id & 0xff]));
  s.close();
}

const MODES = ["plain", "select-sleep", "select-yield", "timeout", "timeout0"] as const;

test("accept dropped by select/timeout/abort at random: every connection accepted exactly once", async () => {
  await socketSeeds("accept-drop", { seeds: 25 * X, hangMs: 20_000, startPaused: true }, function* (seed) {
    const rng = new SeededRng(seed * 7 + 3);
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const addr = listener.localAddr();
    const n = rng.between(1, 40);
    const dropConnects = rng.below(3) === 0;
    const seen = new Map<number, number>();
    const ghosts = { n: 0 };
    let real = 0;
    const clients: JoinHandle<boolean>[] = [];
    for (let id = 0; id < n; id++) {
      const delay = rng.below(4);
      const drop = dropConnects && rng.below(4) === 0;
      if (!drop) real++;
      clients.push(spawn(function* () {
        if (delay > 0) yield* sleep(delay);
        if (drop) {
          // Dropped connect: "a dropped connect destroys the socket".
          const r = yield* select({ c: TcpStream.connect(addr), y: yieldNow() }, { biased: false });
          if (r.key === "c") r.value.close();
          return false;
        }
        const s = yield* TcpStream.connect(addr);
        yield* s.writeAll(u32(id));
        const ack = new Uint8Array(1);
        yield* readExact(s, ack);
        assert.is(ack[0], id & 0xff, `client ${id}: ack`);
        const more = yield* s.read(new Uint8Array(8));
        assert.is(more, 0, `client ${id}: EOF after the ack`);
        s.close();
        return true;
      }));
    }
    const handlers: JoinHandle<void>[] = [];
    let accepted = 0;
    const rngs = [1, 2, 3, 4].map((k) => new SeededRng(seed * 31 + k));
    const acceptor = (k: number): JoinHandle<void> =>
      spawn(function* () {
        const r = rngs[k % 4]!;
        for (;;) {
          const mode = MODES[r.below(MODES.length)]!;
          let got: [TcpStream, SocketAddr] | undefined;
          if (mode === "plain") got = yield* listener.accept();
          else if (mode === "select-sleep") {
            const s = yield* select({ a: listener.accept(), t: sleep(r.below(3)) });
            if (s.key === "a") got = s.value;
          } else if (mode === "select-yield") {
            const s = yield* select({ a: listener.accept(), t: yieldNow() });
            if (s.key === "a") got = s.value;
          } else {
            try {
              got = yield* timeout(mode === "timeout0" ? 0 : r.between(1, 3), listener.accept());
            } catch (e) {
              if ((e as Error).name !== "Elapsed") throw e;
            }
          }
          if (got !== undefined) {
            accepted++;
            const [s, peer] = got;
            assert.ok(peer.equals(s.peerAddr()), "accept's address is the stream's peerAddr()");
            handlers.push(spawn(serveOne(s, seen, ghosts)));
          }
        }
      });
    const nAcceptors = rng.between(1, 3);
    const acceptors: JoinHandle<void>[] = [];
    for (let k = 0; k < nAcceptors; k++) acceptors.push(acceptor(k));
    // A controller aborts acceptors at random (dropping their pending accept) and replaces them.
    let spins = 0;
    while (seen.size < real || [...seen.values()].some((c) => c !== 1)) {
      if (++spins > 20000) assert.unreachable(`stuck: seen ${seen.size}/${real}, accepted ${accepted}`);
      yield* sleep(rng.below(3));
      if (rng.below(4) === 0) {
        const i = rng.below(acceptors.length);
        acceptors[i]!.abort();
        acceptors[i] = acceptor(rng.below(4));
      }
      if ([...seen.values()].some((c) => c > 1)) break;
    }
    for (const [id, c] of seen) assert.is(c, 1, `connection ${id} accepted once`);
    assert.is(seen.size, real, "every real connection accepted");
    for (const h of clients) yield* h;
    for (const a of acceptors) a.abort();
    for (const h of handlers) yield* h;
    listener.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("async iteration yields every connection, then ends when the listener is closed", async () => {
  await forEachSeed(
    15 * X,
    (rt, seed) =>
      guard(rt.blockOn(async () => {
        const rng = new SeededRng(seed + 100);
        const listener = await TcpListener.bind("127.0.0.1:0");
        const n = rng.between(0, 12);
        const got: number[] = [];
        let ended = false;
        const server = spawn(async () => {
          for await (const s of listener) {
            const buf = new Uint8Array(4);
            await readExact(s, buf);
            got.push(idOf(buf));
            s.close();
          }
          ended = true;
        });
        for (let id = 0; id < n; id++) {
          const c = await TcpStream.connect(listener.localAddr());
          await c.writeAll(u32(id));
          if (rng.below(2) === 0) await sleep(rng.below(2));
          assert.is(await c.read(new Uint8Array(1)), 0, "EOF");
          c.close();
        }
        await waitUntilAsync(() => got.length === n);
        // The iterator now waits in accept(): close ends the loop (no error).
        if (rng.below(2) === 0) await sleep(1);
        listener.close();
        await server;
        assert.ok(ended, "loop ended");
        assert.equal(got, [...Array(n).keys()], "ids in connect order");
        // After close: accept() fails ERR_SOCKET_CLOSED; localAddr() throws ERR_SOCKET_CLOSED.
        try {
          await listener.accept();
          assert.unreachable("accept after close");
        } catch (e) {
          assert.is(code(e), "ERR_SOCKET_CLOSED");
        }
        throwsAt(() => listener.localAddr(), Error, "localAddr after close", "ERR_SOCKET_CLOSED");
        // iterating a closed listener ends at once
        let count = 0;
        for await (const _ of listener) count++;
        assert.is(count, 0);
      }), 10_000, `seed ${seed}`),
    { enableIo: true, enableTime: true },
  );
  await settleSockets(BASE, "after async iteration");
});

test("async-iterating tasks aborted at random: no connection lost, none accepted twice", async () => {
  await socketSeeds("async iteration aborts", { seeds: 20 * X, hangMs: 20_000 }, function* (seed) {
    const rng = new SeededRng(seed * 53 + 4);
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const addr = listener.localAddr();
    const n = rng.between(1, 30);
    const seen = new Map<number, number>();
    const ghosts = { n: 0 };
    const iterate = (): JoinHandle<void> =>
      spawn(async () => {
        for await (const s of listener) spawn(serveOne(s, seen, ghosts));
      });
    const its = [iterate(), iterate()];
    const clients: JoinHandle<void>[] = [];
    for (let id = 0; id < n; id++) {
      clients.push(spawn(function* () {
        yield* sleep(rng.below(4));
        const c = yield* TcpStream.connect(addr);
        yield* c.writeAll(u32(id));
        const b = new Uint8Array(1);
        yield* readExact(c, b);
        c.close();
      }));
    }
    let spins = 0;
    while (seen.size < n) {
      if (++spins > 20000) assert.unreachable(`stuck: ${seen.size}/${n} seen`);
      yield* sleep(rng.below(2));
      if (rng.below(3) === 0) {
        const k = rng.below(2);
        its[k]!.abort();
        its[k] = iterate();
      }
    }
    for (const c of clients) yield* c;
    for (const [id, c] of seen) assert.is(c, 1, `connection ${id} once`);
    listener.close();
    for (const h of its) {
      try {
        yield* h;
      } catch (e) {
        assert.is((e as Error).name, "JoinError");
      }
    }
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("connections that wrote, half-closed or reset while queued: accept() returns them with their bytes, then EOF or ECONNRESET", async () => {
  await socketSeeds("queued writers", { seeds: 10 * X, hangMs: 20_000 }, function* (seed) {
    const rng = new SeededRng(seed * 61 + 8);
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const addr = listener.localAddr();
    const n = rng.between(1, 8);
    const plan = Array.from({ length: n }, (_, id) => ({ id, len: rng.between(4, 200_000), end: (["fin", "open", "rst"] as const)[rng.below(3)]! }));
    const clients: TcpStream[] = [];
    for (const p of plan) {
      const c = yield* TcpStream.connect(addr);
      const data = new Uint8Array(p.len);
      data.set(u32(p.id));
      for (let i = 4; i < p.len; i++) data[i] = (p.id * 31 + i) & 0xff;
      if (p.end === "rst") {
        c.tryWrite(data.subarray(0, Math.min(p.len, 1000)));
        c.resetAndClose();
      } else {
        // the server is not reading yet: the kernel buffers hold at most a few hundred KiB
        const w = spawn(c.writeAll(data));
        if (p.end === "fin") spawn(function* () {
          yield* w;
          yield* c.shutdown();
        });
      }
      clients.push(c);
    }
    yield* sleep(rng.below(20));
    const byId = new Map<number, string>();
    for (let k = 0; k < n; k++) {
      const [s] = yield* listener.accept();
      const buf = new Uint8Array(65536);
      let got = 0;
      let id = -1;
      let end = "open";
      for (;;) {
        let m: number;
        try {
          const r = yield* select({ m: s.read(buf), t: sleep(40) });
          if (r.key === "t") break; // still open, nothing more
          m = r.value;
        } catch (e) {
          end = `error:${String(code(e))}`;
          break;
        }
        if (m === 0) {
          end = "fin";
          break;
        }
        if (got === 0 && m >= 4) id = idOf(buf);
        got += m;
      }
      if (id >= 0) {
        const p = plan[id]!;
        if (p.end === "fin") {
          assert.is(end, "fin", `client ${id}: EOF after its bytes`);
          assert.is(got, p.len, `client ${id}: every byte before EOF`);
        } else if (p.end === "open") {
          assert.is(end, "open");
          assert.is(got, p.len, `client ${id}: every byte`);
        }
        byId.set(id, end);
      } else {
        assert.ok(end === "error:ECONNRESET" || end === "fin", `a reset client reads as ${end} (got ${got} bytes)`);
      }
      s.close();
    }
    for (const p of plan) if (p.end !== "rst") assert.ok(byId.has(p.id), `client ${p.id} (${p.end}) accepted`);
    for (const c of clients) c.close();
    listener.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

async function waitUntilAsync(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !cond(); i++) await sleep(1);
  assert.ok(cond(), "condition never held");
}

test("close() with pending accepts and queued connections: accepts fail ERR_SOCKET_CLOSED, queued clients read ECONNRESET, accepted streams stay open", async () => {
  await socketSeeds("close-with-queue", { seeds: 20 * X }, function* (seed) {
    const rng = new SeededRng(seed * 13 + 5);
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const addr = listener.localAddr();
    const pendingAccepts = rng.between(0, 3);
    const queued = rng.between(0, 6);
    const keep = rng.between(0, 2); // connections accepted before the close
    const baseTcp = openOf("TCPSocketWrap");
    // accepted ones first
    const kept: [TcpStream, TcpStream][] = [];
    for (let i = 0; i < keep; i++) {
      const c = yield* TcpStream.connect(addr);
      const [s] = yield* listener.accept();
      kept.push([c, s]);
    }
    // queued connections: wait until Node accepted them (both ends are handles)
    const qs: TcpStream[] = [];
    for (let i = 0; i < queued; i++) qs.push(yield* TcpStream.connect(addr));
    yield* waitUntil(() => openOf("TCPSocketWrap") === baseTcp + 2 * keep + 2 * queued, "queued connections reach Node");
    // pending accepts only when nothing is queued (or they would take those connections)
    const accepts: JoinHandle<unknown>[] = [];
    if (queued === 0) {
      for (let i = 0; i < pendingAccepts; i++) accepts.push(spawn(failsWith(() => listener.accept(), "ERR_SOCKET_CLOSED", `pending accept ${i}`)));
      for (let i = 0; i < 3; i++) yield* yieldNow();
    }
    listener.close();
    listener.close(); // idempotent
    for (const a of accepts) yield* a;
    for (const c of qs) {
      try {
        const n = yield* c.read(new Uint8Array(16));
        assert.unreachable(`queued client read ${n}, expected ECONNRESET`);
      } catch (e) {
        assert.is(code(e), "ECONNRESET", `queued client: ${String(e)}`);
      }
      c.close();
    }
    // accepted streams stay open: exchange a byte both ways
    for (const [c, s] of kept) {
      yield* c.writeAll(new Uint8Array([7]));
      const b = new Uint8Array(1);
      yield* readExact(s, b);
      assert.is(b[0], 7);
      yield* s.writeAll(new Uint8Array([9]));
      yield* readExact(c, b);
      assert.is(b[0], 9);
      c.close();
      s.close();
    }
    // the port is released: a new listener can bind it
    const again = yield* TcpListener.bind(addr);
    again.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("a burst of a few hundred concurrent connects: each accepted once and served", async () => {
  await socketSeeds("burst", { seeds: 3 * X, hangMs: 20_000 }, function* (seed) {
    const rng = new SeededRng(seed + 9);
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const addr = listener.localAddr();
    const n = rng.between(200, 350);
    const seen = new Map<number, number>();
    const server = spawn(function* () {
      const hs: JoinHandle<void>[] = [];
      for (let i = 0; i < n; i++) {
        const [s] = yield* listener.accept();
        hs.push(spawn(function* () {
          const buf = new Uint8Array(4);
          yield* readExact(s, buf);
          const id = idOf(buf);
          seen.set(id, (seen.get(id) ?? 0) + 1);
          yield* s.writeAll(buf);
          s.close();
        }));
      }
      for (const h of hs) yield* h;
    });
    const clients: JoinHandle<void>[] = [];
    for (let id = 0; id < n; id++) {
      clients.push(spawn(function* () {
        const c = yield* TcpStream.connect(addr);
        yield* c.writeAll(u32(id));
        const buf = new Uint8Array(4);
        yield* readExact(c, buf);
        assert.is(idOf(buf), id);
        c.close();
      }));
    }
    for (const c of clients) yield* c;
    yield* server;
    assert.is(seen.size, n);
    for (const v of seen.values()) assert.is(v, 1);
    listener.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("bind errors: bad addresses at the call, EADDRINUSE from the future, a dropped bind releases the port", async () => {
  await socketSeeds("bind errors", { seeds: 5 * X }, function* () {
    throwsAt(() => TcpListener.bind("127.0.0.1"), TypeError, "no port");
    throwsAt(() => TcpListener.bind("127.0.0.1:70000"), RangeError, "port too big");
    throwsAt(() => TcpListener.bind("::1:80"), TypeError, "unbracketed v6");
    throwsAt(() => TcpListener.bind({ host: "127.0.0.1", port: -1 }), RangeError, "negative port");
    throwsAt(() => TcpListener.bind({ host: "", port: 1 }), TypeError, "empty host");
    throwsAt(() => TcpListener.bind(42 as never), TypeError, "number");
    const a = yield* TcpListener.bind("127.0.0.1:0");
    const port = a.localAddr().port;
    const e = yield* failsWith(() => TcpListener.bind(`127.0.0.1:${port}`), "EADDRINUSE", "second bind");
    assert.match((e as Error).message, `127.0.0.1:${port}`, "message names the address");
    // The failed bind left nothing registered besides `a`.
    a.close();
    // A bind dropped after its first poll closes its socket: the port is free again.
    const r = yield* select({ b: TcpListener.bind(`127.0.0.1:${port}`), y: yieldNow() }, { biased: true });
    if (r.key === "b") r.value.close();
    const b = yield* TcpListener.bind(`127.0.0.1:${port}`);
    assert.is(b.localAddr().port, port);
    b.close();
    yield* noRegistrations("bind errors");
  });
});

test.run();
