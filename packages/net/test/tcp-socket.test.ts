import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "@tokio-ts/runtime";
import { TcpListener, TcpSocket, TcpStream, UnsupportedError, errorKind, lookupHost } from "../src/index.js";
import { hasCode, run } from "./helpers.js";

test("TcpSocket: bind + listen, then connect from a socket bound to a local address", async () => {
  await run(function* () {
    const socket = TcpSocket.newV4();
    socket.setKeepalive(true);
    socket.setNodelay(true);
    socket.bind("127.0.0.1:0");
    const listener = yield* socket.listen(128);
    const addr = listener.localAddr();
    assert.is(addr.ip, "127.0.0.1");
    const accepting = spawn(listener.accept());
    const clientSocket = TcpSocket.newV4();
    clientSocket.bind({ ip: "127.0.0.1", port: 0 });
    clientSocket.setSendBufferSize(4096);
    clientSocket.setRecvBufferSize(1024);
    const client = yield* clientSocket.connect(addr);
    const [server, peer] = yield* accepting;
    assert.ok(server.noDelay(), "accepted streams inherit nodelay");
    assert.is(peer.port, client.localAddr().port);
    const io = (client as unknown as { io: { socket: { writableHighWaterMark: number } } }).io;
    assert.is(io.socket.writableHighWaterMark, 4096, "the send buffer size is the stream's high-water mark");
    const data = new Uint8Array(100_000).fill(9);
    yield* server.writeAll(data);
    yield* server.shutdown();
    const buf = new Uint8Array(4096);
    let got = 0;
    for (let n; (n = yield* client.read(buf)) > 0; ) {
      assert.ok(n <= 2 * 1024, "at most the two read slots of the receive buffer size are queued");
      got += n;
    }
    assert.is(got, data.length);
    client.close();
    server.close();
    listener.close();
  });
});

test("TcpSocket options report what Node honours", () => {
  const socket = TcpSocket.newV4();
  socket.setReuseaddr(true);
  assert.is(socket.reuseaddr(), process.platform !== "win32");
  assert.throws(() => socket.setReuseaddr(false), (e: unknown) => e instanceof UnsupportedError && e.code === "ERR_UNSUPPORTED");
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const hasReusePort = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  if (hasReusePort) {
    socket.setReuseport(true);
    assert.is(socket.reuseport(), true);
  } else {
    assert.throws(() => socket.setReuseport(true), (e: unknown) => e instanceof UnsupportedError && /22\.12/.test(e.message));
    assert.is(socket.reuseport(), false);
  }
  socket.setReuseport(false);
  assert.is(socket.sendBufferSize(), 16 * 1024);
  socket.setSendBufferSize(1 << 20);
  assert.is(socket.sendBufferSize(), 1 << 20);
  assert.is(socket.recvBufferSize(), 16 * 1024);
  assert.is(socket.keepalive(), false);
  assert.is(socket.nodelay(), false);
  socket.setLinger(0);
  assert.is(socket.linger(), 0);
  socket.setLinger(10);
  assert.is(socket.linger(), 10);
  assert.throws(() => socket.setLinger(-1), (e: unknown) => e instanceof RangeError);
  assert.throws(() => socket.setSendBufferSize(0), (e: unknown) => e instanceof RangeError);
  assert.throws(() => socket.setRecvBufferSize(1.5), (e: unknown) => e instanceof RangeError);
  assert.throws(() => socket.setKeepalive(1 as never), (e: unknown) => e instanceof TypeError);
  assert.throws(() => socket.bind("[::1]:0"), (e: unknown) => e instanceof TypeError && /IPv4/.test(e.message));
  assert.throws(() => TcpSocket.newV6().bind("127.0.0.1:0"), (e: unknown) => e instanceof TypeError && /IPv6/.test(e.message));
  assert.throws(() => socket.listen(-1), (e: unknown) => e instanceof RangeError);
  assert.throws(() => socket.connect("127.0.0.1:0"), (e: unknown) => e instanceof RangeError);
});

test("TcpSocket: a non-number size, linger or backlog is a TypeError naming it and its type; out of range stays RangeError", () => {
  const socket = TcpSocket.newV4();
  const error = (type: Function, message: string) => (e: unknown) => e instanceof type && (e as Error).message === message;
  assert.throws(() => socket.setSendBufferSize("1" as never), error(TypeError, 'size must be a number, got string "1"'));
  assert.throws(() => socket.setRecvBufferSize(null as never), error(TypeError, "size must be a number, got null"));
  assert.throws(() => socket.setRecvBufferSize(2 ** 30 + 1), error(RangeError, "size must be an integer in 1..2^30, got 1073741825"));
  assert.throws(() => socket.setLinger("0" as never), error(TypeError, 'linger must be null or a number of milliseconds, got string "0"'));
  assert.throws(() => socket.setLinger(-10), error(RangeError, "linger must be null or a number of milliseconds in 0..2147483647, got -10"));
  assert.throws(() => socket.setLinger(NaN), error(RangeError, "linger must be null or a number of milliseconds in 0..2147483647, got NaN"));
  assert.throws(() => socket.setLinger(2 ** 31), error(RangeError, "linger must be null or a number of milliseconds in 0..2147483647, got 2147483648"));
  assert.throws(() => socket.listen("10" as never), error(TypeError, 'backlog must be a number, got string "10"'));
  assert.throws(() => socket.listen(1.5), error(RangeError, "backlog must be an integer in 0..2^31-1, got 1.5"));
  assert.is(socket.sendBufferSize(), 16 * 1024, "a refused size changes nothing");
  assert.is(socket.linger(), null);
});

test("a TcpSocket is used once; a connect with linger 0 resets on close", async () => {
  const error = await run(function* () {
    const listenerSocket = TcpSocket.newV4();
    listenerSocket.bind("127.0.0.1:0");
    const listener = yield* listenerSocket.listen(16);
    assert.throws(() => listenerSocket.listen(16), (e: unknown) => e instanceof TypeError && /already used/.test(e.message));
    const accepting = spawn(listener.accept());
    const socket = TcpSocket.newV4();
    socket.setLinger(0);
    const client = yield* socket.connect(listener.localAddr());
    assert.is(client.linger(), 0);
    const [server] = yield* accepting;
    client.close(); // RST
    try {
      while ((yield* server.read(new Uint8Array(8))) > 0);
      return "EOF";
    } catch (e) {
      return e;
    } finally {
      server.close();
      listener.close();
    }
  });
  assert.ok(hasCode(error, "ECONNRESET"), String(error));
});

test("binding a used port through TcpSocket.listen fails with EADDRINUSE", async () => {
  const error = await run(function* () {
    const a = TcpSocket.newV4();
    a.bind("127.0.0.1:0");
    const first = yield* a.listen(16);
    const b = TcpSocket.newV4();
    b.bind(first.localAddr());
    try {
      (yield* b.listen(16)).close();
      return "bound";
    } catch (e) {
      return e;
    } finally {
      first.close();
    }
  });
  assert.ok(hasCode(error, "EADDRINUSE"), String(error));
  void TcpStream;
});

test("setReuseport(true) lets two listeners share a port where Node supports it, and throws where it does not", async () => {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const hasReusePort = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  const outcome = await run(function* () {
    const a = TcpSocket.newV4();
    try {
      a.setReuseport(true);
    } catch (e) {
      return e instanceof UnsupportedError ? "unsupported" : e;
    }
    a.bind("127.0.0.1:0");
    const first = yield* a.listen(16);
    const b = TcpSocket.newV4();
    b.setReuseport(true);
    b.bind(first.localAddr());
    const second = yield* b.listen(16);
    const same = second.localAddr().equals(first.localAddr());
    first.close();
    second.close();
    return same ? "shared" : "different ports";
  });
  assert.is(outcome, hasReusePort ? "shared" : "unsupported");
});

test("a socket's family holds for connect as for bind: an IP of the other family is a TypeError at the call; newV6 listens dual stack", async () => {
  await run(function* () {
    assert.throws(() => TcpSocket.newV4().connect("[::1]:80"), (e: unknown) => e instanceof TypeError && /not an IPv4 address/.test((e as Error).message));
    assert.throws(() => TcpSocket.newV6().connect("127.0.0.1:80"), (e: unknown) => e instanceof TypeError && /not an IPv6 address/.test((e as Error).message));
    const socket = TcpSocket.newV6();
    socket.bind("[::]:0");
    const listener = yield* socket.listen(16);
    const accepting = spawn(listener.accept());
    const client = yield* TcpStream.connect({ host: "127.0.0.1", port: listener.localAddr().port });
    const [server, from] = yield* accepting;
    assert.is(from.ip, "::ffff:127.0.0.1", "an IPv4 client of the dual-stack listener");
    client.close();
    server.close();
    listener.close();
  });
});

test("TcpSocket.bind takes an IP address: a host name is a TypeError at the call naming addr (it would fail only later, in connect())", async () => {
  for (const addr of ["localhost:0", { host: "localhost", port: 0 }, { address: "localhost", port: 0 }]) {
    assert.throws(
      () => TcpSocket.newV4().bind(addr),
      (e: unknown) => e instanceof TypeError && (e as Error).message === 'addr must be an IP address and a port (TcpSocket.bind takes no host name: resolve it first with lookupHost), got host "localhost"',
    );
  }
  assert.throws(() => TcpSocket.newV6().bind("localhost:0"), TypeError);
  await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const local = (yield* lookupHost("localhost:0")).find((a) => a.isIpv4());
    assert.ok(local, "localhost has an IPv4 address");
    const socket = TcpSocket.newV4();
    socket.bind(local); // a name resolved first binds
    const accepting = spawn(listener.accept());
    const client = yield* socket.connect(listener.localAddr());
    const [server] = yield* accepting;
    assert.is(client.localAddr().ip, local.ip);
    client.close();
    server.close();
    listener.close();
  });
});

test("errorKind() of an UnsupportedError is UNSUPPORTED", () => {
  let caught: unknown;
  try {
    TcpSocket.newV4().setReuseaddr(false);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof UnsupportedError);
  assert.is(errorKind(caught), "UNSUPPORTED");
  assert.is(errorKind(new UnsupportedError("x")), "UNSUPPORTED");
});

test.run();
