// TcpSocket: option setters check their values at the call (TypeError / RangeError /
// UnsupportedError), getters report what was set, a socket is used once, and a listener or
// stream made with random options works (echo) and carries the options it documents.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn } from "@tokio-ts/runtime";
import { readExact } from "@tokio-ts/io-driver";
import { select } from "@tokio-ts/macros";
import { yieldNow } from "@tokio-ts/core";
import { TcpListener, TcpSocket, TcpStream, UnsupportedError } from "@tokio-ts/net";
import { checkStreamAt, failsWith, noRegistrations, socketSeeds, streamBytes, throwsAt, X } from "./support.js";


test("TcpSocket setters reject bad values at the call; getters report the defaults and what was set", () => {
  const s = TcpSocket.newV4();
  assert.is(s.keepalive(), false);
  assert.is(s.nodelay(), false);
  assert.is(s.linger(), null);
  assert.is(s.reuseaddr(), true);
  assert.is(s.reuseport(), false);
  assert.is(s.sendBufferSize(), 16384);
  assert.is(s.recvBufferSize(), 16384);
  throwsAt(() => s.setReuseaddr(false), UnsupportedError, "setReuseaddr(false)", "ERR_UNSUPPORTED");
  s.setReuseaddr(true);
  const [maj = 0, min = 0] = process.versions.node.split(".").map(Number);
  const hasReusePort = maj > 23 || (maj === 23 && min >= 1) || (maj === 22 && min >= 12);
  if (hasReusePort) {
    s.setReuseport(true);
    assert.is(s.reuseport(), true);
    s.setReuseport(false);
  } else throwsAt(() => s.setReuseport(true), UnsupportedError, "setReuseport(true) on old Node");
  s.setReuseport(false);
  for (const bad of [1, "true", null, undefined]) {
    throwsAt(() => s.setKeepalive(bad as never), TypeError, `setKeepalive(${String(bad)})`);
    throwsAt(() => s.setNodelay(bad as never), TypeError, `setNodelay(${String(bad)})`);
    throwsAt(() => s.setReuseaddr(bad as never), TypeError, `setReuseaddr(${String(bad)})`);
    throwsAt(() => s.setReuseport(bad as never), TypeError, `setReuseport(${String(bad)})`);
  }
  for (const bad of ["1", null, undefined, 1n]) {
    throwsAt(() => s.setSendBufferSize(bad as never), TypeError, `setSendBufferSize(${String(bad)})`);
    throwsAt(() => s.setRecvBufferSize(bad as never), TypeError, `setRecvBufferSize(${String(bad)})`);
  }
  for (const bad of [0, -1, 1.5, NaN, Infinity, 2 ** 30 + 1]) {
    throwsAt(() => s.setSendBufferSize(bad), RangeError, `setSendBufferSize(${bad})`);
    throwsAt(() => s.setRecvBufferSize(bad), RangeError, `setRecvBufferSize(${bad})`);
  }
  for (const bad of ["0", undefined, true, {}]) throwsAt(() => s.setLinger(bad as never), TypeError, `setLinger(${String(bad)})`);
  for (const bad of [-1, NaN, 2 ** 31, Infinity]) throwsAt(() => s.setLinger(bad), RangeError, `setLinger(${bad})`);
  // the failed calls changed nothing
  assert.is(s.sendBufferSize(), 16384);
  assert.is(s.linger(), null);
  s.setKeepalive(true);
  s.setNodelay(true);
  s.setLinger(0);
  s.setSendBufferSize(1);
  s.setRecvBufferSize(2 ** 30);
  assert.is(s.keepalive(), true);
  assert.is(s.nodelay(), true);
  assert.is(s.linger(), 0);
  assert.is(s.sendBufferSize(), 1);
  assert.is(s.recvBufferSize(), 2 ** 30);
  s.setLinger(null);
  assert.is(s.linger(), null);
  // bind: family and shape checks
  throwsAt(() => s.bind("[::1]:0"), TypeError, "v6 address on a v4 socket");
  throwsAt(() => TcpSocket.newV6().bind("127.0.0.1:0"), TypeError, "v4 address on a v6 socket");
  throwsAt(() => s.bind("127.0.0.1:65536"), RangeError, "bind port too big");
  s.bind("127.0.0.1:0");
  // listen: backlog checks at the call, and they leave the socket unused
  for (const bad of ["1", null, undefined]) throwsAt(() => s.listen(bad as never), TypeError, `listen(${String(bad)})`);
  for (const bad of [-1, 1.5, NaN, 2 ** 31]) throwsAt(() => s.listen(bad), RangeError, `listen(${bad})`);
  // connect: address checks at the call
  throwsAt(() => TcpSocket.newV4().connect("127.0.0.1:0"), RangeError, "connect port 0");
  throwsAt(() => TcpSocket.newV4().connect("nohostport"), TypeError, "connect without port");
});

test("listen(backlog)/connect with random options: echo works, options reach the streams, a socket is used once", async () => {
  await socketSeeds("options echo", { seeds: 20 * X, hangMs: 20_000 }, function* (seed) {
    const rng = new SeededRng(seed * 17 + 1);
    const srv = TcpSocket.newV4();
    const keep = rng.below(2) === 0;
    const nodelay = rng.below(2) === 0;
    srv.setKeepalive(keep);
    srv.setNodelay(nodelay);
    if (rng.below(2) === 0) srv.setSendBufferSize(rng.between(1, 1 << 20));
    if (rng.below(2) === 0) srv.setRecvBufferSize(rng.between(1, 1 << 17));
    srv.bind("127.0.0.1:0");
    const listener = yield* srv.listen(rng.between(0, 4096));
    throwsAt(() => srv.listen(16), TypeError, "listen twice");
    throwsAt(() => srv.connect("127.0.0.1:1"), TypeError, "connect after listen");
    const addr = listener.localAddr();
    assert.is(addr.ip, "127.0.0.1");
    const cli = TcpSocket.newV4();
    const cnodelay = rng.below(2) === 0;
    const linger = rng.below(3) === 0 ? null : rng.below(2) === 0 ? 0 : rng.between(1, 5000);
    cli.setNodelay(cnodelay);
    cli.setKeepalive(rng.below(2) === 0);
    cli.setLinger(linger);
    if (rng.below(2) === 0) cli.setSendBufferSize(rng.between(1, 1 << 20));
    if (rng.below(2) === 0) cli.setRecvBufferSize(rng.between(1, 1 << 17));
    if (rng.below(2) === 0) cli.bind("127.0.0.1:0");
    const total = rng.between(1, 300_000);
    const server = spawn(function* () {
      const [s] = yield* listener.accept();
      assert.is(s.nodelay(), nodelay, "accepted stream has the listener's nodelay");
      const buf = new Uint8Array(rng.between(1, 70000));
      for (;;) {
        const n = yield* s.read(buf);
        if (n === 0) break;
        yield* s.writeAll(buf.subarray(0, n));
      }
      yield* s.shutdown();
      s.close();
    });
    const c = yield* cli.connect(addr);
    throwsAt(() => cli.connect(addr), TypeError, "connect twice");
    assert.is(c.nodelay(), cnodelay, "connected stream has the socket's nodelay");
    assert.is(c.linger(), linger, "connected stream has the socket's linger");
    assert.ok(c.peerAddr().equals(addr));
    const data = streamBytes(seed, 0, total);
    const writer = spawn(function* () {
      let pos = 0;
      while (pos < total) {
        const k = Math.min(total - pos, rng.between(1, 100_000));
        yield* c.writeAll(data.subarray(pos, pos + k));
        pos += k;
      }
      yield* c.shutdown();
    });
    let got = 0;
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = yield* c.read(buf);
      if (n === 0) break;
      checkStreamAt(seed, got, buf.subarray(0, n), "echo");
      got += n;
    }
    assert.is(got, total, "every byte echoed");
    yield* writer;
    yield* server;
    c.close();
    listener.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("TcpSocket errors come from the futures: EADDRINUSE on listen and on a bound connect, ECONNREFUSED; a dropped connect leaves nothing", async () => {
  await socketSeeds("socket errors", { seeds: 5 * X }, function* () {
    const a = yield* TcpListener.bind("127.0.0.1:0");
    const port = a.localAddr().port;
    const s = TcpSocket.newV4();
    s.bind(`127.0.0.1:${port}`);
    const e = yield* failsWith(() => s.listen(8), "EADDRINUSE", "listen on a used port");
    assert.match((e as Error).message, String(port));
    // a free port for the refused connect: bind one, close it
    const tmp = yield* TcpListener.bind("127.0.0.1:0");
    const dead = tmp.localAddr();
    tmp.close();
    yield* failsWith(() => TcpSocket.newV4().connect(dead), "ECONNREFUSED", "connect to a closed port");
    yield* failsWith(() => TcpStream.connect(dead), "ECONNREFUSED", "TcpStream.connect to a closed port");
    // connect from a bound local port that a connected stream already uses
    const c1 = TcpSocket.newV4();
    c1.bind("127.0.0.1:0");
    const s1 = yield* c1.connect(a.localAddr());
    const [acc] = yield* a.accept();
    const c2 = TcpSocket.newV4();
    c2.bind(s1.localAddr());
    // the same 4-tuple again: Linux says EADDRNOTAVAIL (SO_REUSEADDR lets the bind pass)
    try {
      yield* c2.connect(a.localAddr());
      assert.unreachable("connect from a used local address succeeded");
    } catch (e) {
      assert.ok(["EADDRINUSE", "EADDRNOTAVAIL"].includes(String((e as { code?: unknown }).code)), String(e));
    }
    // a connect dropped after its first poll
    const r = yield* select({ c: TcpSocket.newV4().connect(a.localAddr()), y: yieldNow() }, { biased: true });
    if (r.key === "c") r.value.close();
    s1.close();
    acc.close();
    a.close();
    // any connection the dropped connect made is queued and reset by close(); nothing left
    yield* noRegistrations("errors");
  });
});

test.run();
