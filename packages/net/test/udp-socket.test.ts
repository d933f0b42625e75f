import { test } from "uvu";
import * as assert from "uvu/assert";
import { ContextError } from "@tokio-ts/core";
import { Builder, spawn } from "@tokio-ts/runtime";
import { assertPending, assertReady, forEachSeed, mockTask } from "@tokio-ts/test-util";
import { errorKind, Interest, Ready, SocketAddr, UdpSocket, UnsupportedError, WouldBlockError } from "../src/index.js";
import { dec, enc, ioRuntime, onRuntime, openResources, rejection, thrown, turnsUntil } from "./udp-helpers.js";
import { run } from "./helpers.js";
import { timeout } from "@tokio-ts/time";
import { networkInterfaces } from "node:os";
import * as dgram from "node:dgram";

test("sendTo and recvFrom carry a datagram between two sockets on 127.0.0.1, with its sender", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind({ host: "127.0.0.1", port: 0 });
    assert.is(a.localAddr().ip, "127.0.0.1");
    assert.ok(a.localAddr().port > 0, "port 0 picks a free port");
    assert.is(await a.sendTo(enc("ping"), b.localAddr()), 4);
    const buf = new Uint8Array(64);
    const [n, from] = await b.recvFrom(buf);
    assert.is(dec(buf.subarray(0, n)), "ping");
    assert.ok(from.equals(a.localAddr()));
    await b.sendTo(enc("pong"), from.toString());
    assert.is(dec(buf.subarray(0, await a.recv(buf))), "pong");
  }));

test("a connected socket sends with send(), receives with recv(), and knows its peer", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0");
    assert.is(thrown(() => a.peerAddr()).code, "ENOTCONN");
    await a.connect(b.localAddr());
    await b.connect(a.localAddr());
    assert.ok(a.peerAddr().equals(b.localAddr()));
    assert.is(await a.send(enc("hello")), 5);
    const buf = new Uint8Array(16);
    assert.is(dec(buf.subarray(0, await b.recv(buf))), "hello");
    const e = await rejection(a.sendTo(enc("x"), b.localAddr()));
    assert.is(e.code, "ERR_SOCKET_DGRAM_IS_CONNECTED");
    assert.match(e.message, String(b.localAddr()));
  }));

test("send() on an unconnected socket fails with EDESTADDRREQ", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    const e = await rejection(a.send(enc("x")));
    assert.is(e.code, "EDESTADDRREQ");
    assert.match(e.message, /connect/);
    assert.is(thrown(() => a.trySend(enc("x"))).code, "EDESTADDRREQ");
  }));

test("a connected socket receives only from its peer; connecting again replaces the peer", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0");
    await using c = await UdpSocket.bind("127.0.0.1:0");
    await a.connect(b.localAddr());
    await c.sendTo(enc("from c"), a.localAddr());
    await b.sendTo(enc("from b"), a.localAddr());
    const buf = new Uint8Array(16);
    const [n, from] = await a.recvFrom(buf);
    assert.is(dec(buf.subarray(0, n)), "from b", "the OS filtered c's datagram");
    assert.ok(from.equals(b.localAddr()));
    await a.connect(c.localAddr());
    assert.ok(a.peerAddr().equals(c.localAddr()));
    await c.sendTo(enc("c again"), a.localAddr());
    assert.is(dec(buf.subarray(0, await a.recv(buf))), "c again");
  }));

test("recv truncates a datagram longer than the buffer and discards the rest, as the OS does", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0");
    await a.sendTo(enc("0123456789"), b.localAddr());
    await a.sendTo(enc("next"), b.localAddr());
    const small = new Uint8Array(4);
    assert.is(await b.recv(small), 4);
    assert.is(dec(small), "0123");
    const buf = new Uint8Array(16);
    const [n] = await b.recvFrom(buf);
    assert.is(dec(buf.subarray(0, n)), "next", "the tail of the first datagram is gone");
    await a.sendTo(enc("zero"), b.localAddr());
    assert.is(await b.recv(new Uint8Array(0)), 0, "an empty buffer takes the datagram and copies nothing");
    assert.is(b.queuedDatagrams, 0);
  }));

test("queued datagrams are received in the order they were sent", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0");
    for (let i = 0; i < 100; i++) await a.sendTo(enc(`m${i}`), b.localAddr());
    const buf = new Uint8Array(16);
    for (let i = 0; i < 100; i++) assert.is(dec(buf.subarray(0, await b.recv(buf))), `m${i}`);
    assert.is(b.droppedDatagrams, 0);
  }));

test("a recv dropped after the datagram woke it loses nothing: the next recv gets the datagram", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0");
    const dropped = mockTask(b.recv(new Uint8Array(16)));
    assertPending(dropped.poll());
    await a.sendTo(enc("keep me"), b.localAddr());
    await turnsUntil(() => dropped.isWoken());
    dropped.drop();
    assert.is(b.queuedDatagrams, 1);
    const buf = new Uint8Array(16);
    const [n, from] = await b.recvFrom(buf);
    assert.is(dec(buf.subarray(0, n)), "keep me");
    assert.ok(from.equals(a.localAddr()));
  }));

test("two tasks receiving at once each get one datagram (no lost wake-up)", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0");
    const recvOne = () => spawn(async () => {
      const buf = new Uint8Array(16);
      return dec(buf.subarray(0, await b.recv(buf)));
    });
    const r1 = recvOne();
    const r2 = recvOne();
    await a.sendTo(enc("one"), b.localAddr());
    await a.sendTo(enc("two"), b.localAddr());
    const got = [await r1, await r2].sort();
    assert.equal(got, ["one", "two"]);
  }));

test("peekFrom and peekSender look at the next datagram without taking it", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0");
    await a.sendTo(enc("peek"), b.localAddr());
    const buf = new Uint8Array(16);
    const [n, from] = await b.peekFrom(buf);
    assert.is(dec(buf.subarray(0, n)), "peek");
    assert.ok(from.equals(a.localAddr()));
    assert.ok((await b.peekSender()).equals(a.localAddr()));
    assert.equal(b.tryPeekFrom(buf)[0], 4);
    assert.is(b.queuedDatagrams, 1);
    assert.is(dec(buf.subarray(0, b.tryRecv(buf))), "peek");
  }));

test("the receive queue is bounded: datagrams beyond it are dropped and counted", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0", { recvQueueCapacity: 4 });
    for (let i = 0; i < 10; i++) await a.sendTo(enc(`d${i}`), b.localAddr());
    await turnsUntil(() => b.queuedDatagrams + b.droppedDatagrams === 10);
    assert.is(b.queuedDatagrams, 4);
    assert.is(b.droppedDatagrams, 6);
    const buf = new Uint8Array(8);
    for (let i = 0; i < 4; i++) assert.is(dec(buf.subarray(0, b.tryRecv(buf))), `d${i}`, "the oldest are kept");
    await a.sendTo(enc("after"), b.localAddr());
    assert.is(dec(buf.subarray(0, await b.recv(buf))), "after", "room again once drained");
  }));

test("tryRecv throws WouldBlockError when nothing is queued, and clears readable readiness", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0");
    const buf = new Uint8Array(8);
    const e = thrown(() => b.tryRecv(buf));
    assert.instance(e, WouldBlockError);
    assert.is(e.code, "EWOULDBLOCK");
    await a.sendTo(enc("x"), b.localAddr());
    await b.readable();
    assert.is(b.tryRecv(buf), 1);
    const waiting = mockTask(b.readable());
    assertPending(waiting.poll(), "readable() waits again once the queue is empty");
    waiting.drop();
    assert.instance(thrown(() => b.tryRecvFrom(buf)), WouldBlockError);
  }));

test("trySend / trySendTo send without waiting; maxPendingSends bounds sends in flight and writable() waits", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0", { maxPendingSends: 1 });
    await using b = await UdpSocket.bind("127.0.0.1:0");
    const data = enc("abc");
    assert.is(a.trySendTo(data, b.localAddr()), 3);
    data[0] = 0x7a; // trySend copied the datagram: changing the buffer now does not alter it
    assert.instance(thrown(() => a.trySendTo(data, b.localAddr())), WouldBlockError, "one send is in flight");
    const ready = await a.ready(Interest.WRITABLE);
    assert.ok(Ready.isWritable(ready));
    await a.writable();
    assert.is(a.trySendTo(data, b.localAddr()), 3);
    const buf = new Uint8Array(8);
    assert.is(dec(buf.subarray(0, await b.recv(buf))), "abc");
    assert.is(dec(buf.subarray(0, await b.recv(buf))), "zbc");
    assert.throws(() => a.trySendTo(data, "localhost:9"), (e: unknown) => e instanceof TypeError && /lookupHost/.test(e.message));
  }));

test("ready(interest) reports the readiness that holds, and rejects bad interests", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0");
    assert.is(await b.ready(Interest.WRITABLE), Ready.WRITABLE);
    await a.sendTo(enc("r"), b.localAddr());
    assert.is(await b.ready(Interest.READABLE), Ready.READABLE);
    const ready = await b.ready(Interest.READABLE | Interest.WRITABLE);
    assert.ok(Ready.isReadable(ready) && Ready.isWritable(ready));
    assert.throws(() => b.ready(0), RangeError);
    assert.throws(() => b.ready(8), RangeError);
  }));

test("broadcast is off by default, setBroadcast sets it, and a broadcast send without it fails with EACCES", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    assert.is(a.broadcast(), false);
    const e = await rejection(a.sendTo(enc("all"), "255.255.255.255:9"));
    assert.is(e.code, "EACCES");
    assert.match(e.message, "255.255.255.255:9");
    a.setBroadcast(true);
    assert.is(a.broadcast(), true);
    a.setBroadcast(false);
    assert.is(a.broadcast(), false);
    assert.throws(() => a.setBroadcast(1 as never), TypeError);
  }));

test("an error of a send nobody awaits becomes the pending error: takeError() or the next operation reports it", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0");
    assert.is(a.trySendTo(enc("x"), "255.255.255.255:9"), 1);
    let pending: (Error & { code?: string }) | undefined;
    await turnsUntil(() => (pending = a.takeError()) !== undefined);
    assert.is(pending?.code, "EACCES");
    assert.is(a.takeError(), undefined, "taken once");
    a.trySendTo(enc("x"), "255.255.255.255:9");
    await a.ready(Interest.READABLE); // the ERROR readiness wakes readers
    const e = await rejection(a.recv(new Uint8Array(4)));
    assert.is(e.code, "EACCES");
    await b.sendTo(enc("ok"), a.localAddr());
    assert.is(await a.recv(new Uint8Array(4)), 2, "reported once, then the socket works on");
  }));

test("a connected socket whose peer has no listener reports ECONNREFUSED from recv, naming the peer", () =>
  onRuntime(async () => {
    const gone = await UdpSocket.bind("127.0.0.1:0");
    const port = gone.localAddr().port;
    gone.close();
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await a.connect(`127.0.0.1:${port}`);
    await a.send(enc("anyone?"));
    const e = await rejection(a.recv(new Uint8Array(8)));
    assert.is(e.code, "ECONNREFUSED");
    assert.match(e.message, `127.0.0.1:${port}`);
  }));

test("multicast and TTL options: setters take effect, getters report them, the OS's errors keep their code", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    assert.is(a.multicastLoopV4(), true);
    a.setMulticastLoopV4(false);
    assert.is(a.multicastLoopV4(), false);
    assert.is(a.multicastTtlV4(), 1);
    a.setMulticastTtlV4(4);
    assert.is(a.multicastTtlV4(), 4);
    a.setTtl(32);
    a.joinMulticastV4("239.255.0.1", "127.0.0.1");
    assert.is(thrown(() => a.joinMulticastV4("239.255.0.1", "127.0.0.1")).code, "EADDRINUSE", "joined twice");
    a.leaveMulticastV4("239.255.0.1", "127.0.0.1");
    assert.is(thrown(() => a.leaveMulticastV4("239.255.0.1", "127.0.0.1")).code, "EADDRNOTAVAIL", "not joined");
    assert.is(thrown(() => a.joinMulticastV4("10.1.2.3", "127.0.0.1")).code, "EINVAL", "not a multicast group");
    assert.throws(() => a.setMulticastTtlV4(256), RangeError);
    assert.throws(() => a.setTtl(0), RangeError);
    assert.throws(() => a.joinMulticastV4("ff02::1", "127.0.0.1"), TypeError);
    assert.is(thrown(() => a.setMulticastLoopV6(true)).code, "EINVAL", "a v6 option on a v4 socket");
    assert.is(thrown(() => a.joinMulticastV6("ff02::1", 0)).code, "EINVAL");

    await using six = await UdpSocket.bind("[::1]:0");
    assert.is(six.localAddr().family, "IPv6");
    six.setMulticastLoopV6(false);
    assert.is(six.multicastLoopV6(), false);
    six.joinMulticastV6("ff02::1:3", "lo");
    six.leaveMulticastV6("ff02::1:3", "lo");
    assert.throws(() => six.joinMulticastV6("ff02::1:3", 2), RangeError);
    assert.is(thrown(() => six.setMulticastTtlV4(2)).code, "EINVAL");
  }));

test("a multicast option of the other family fails with EINVAL, and a 'use …()' hint names a method that exists", () =>
  onRuntime(async () => {
    await using four = await UdpSocket.bind("127.0.0.1:0");
    await using six = await UdpSocket.bind("[::1]:0");
    const cases: [UdpSocket, string, unknown[]][] = [
      [six, "setMulticastTtlV4", [3]],
      [six, "multicastTtlV4", []],
      [six, "setMulticastLoopV4", [false]],
      [six, "multicastLoopV4", []],
      [four, "setMulticastLoopV6", [false]],
      [four, "multicastLoopV6", []],
      [four, "joinMulticastV6", ["ff02::1:3", 0]],
      [four, "leaveMulticastV6", ["ff02::1:3", 0]],
    ];
    for (const [socket, method, args] of cases) {
      const e = thrown(() => (socket as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args));
      assert.is(e.code, "EINVAL", method);
      const named = /use (\w+)\(\)/.exec(e.message)?.[1];
      if (named !== undefined) assert.type((socket as unknown as Record<string, unknown>)[named], "function", `${method}: ${e.message}`);
    }
    assert.match(thrown(() => six.setMulticastTtlV4(3)).message, "setMulticastTtlV4() applies to IPv4 sockets only");
    assert.match(thrown(() => six.setMulticastLoopV4(false)).message, "use setMulticastLoopV6()");
  }));

test("joinMulticastV6 / leaveMulticastV6 with a name no interface has fail with ENODEV and join nothing (Node alone would use any interface)", () =>
  onRuntime(async () => {
    await using six = await UdpSocket.bind("[::1]:0");
    const join = thrown(() => six.joinMulticastV6("ff02::1:4", "nosuchif0"));
    assert.is(join.code, "ENODEV");
    assert.is((join as { syscall?: string }).syscall, "joinMulticastV6");
    assert.match(join.message, 'no network interface is named "nosuchif0"');
    six.joinMulticastV6("ff02::1:4", 0); // the first join of the group: the failed one joined nothing
    assert.is(thrown(() => six.leaveMulticastV6("ff02::1:4", "otherbogus")).code, "ENODEV");
    six.leaveMulticastV6("ff02::1:4", 0);
    const loopback = Object.entries(networkInterfaces()).find(([, addrs]) => addrs?.some((a) => a.internal && a.family === "IPv6"))?.[0];
    assert.ok(loopback, "the loopback interface has ::1");
    six.joinMulticastV6("ff02::1:5", loopback); // a name this host has works
    six.leaveMulticastV6("ff02::1:5", loopback);
    await using four = await UdpSocket.bind("127.0.0.1:0");
    assert.is(thrown(() => four.joinMulticastV6("ff02::1:4", "nosuchif0")).code, "EINVAL", "the family error comes first");
  }));

test("a dual-stack socket (bound to [::]) joins IPv4 groups and receives their datagrams; an IPv6-only one refuses with EINVAL", () =>
  onRuntime(async () => {
    await using dual = await UdpSocket.bind("[::]:0");
    dual.joinMulticastV4("239.255.0.9", "127.0.0.1");
    assert.is(thrown(() => dual.joinMulticastV4("239.255.0.9", "127.0.0.1")).code, "EADDRINUSE", "the join reached the OS");
    const sender = dgram.createSocket("udp4");
    try {
      await new Promise<void>((resolve) => sender.bind(0, "127.0.0.1", resolve));
      sender.setMulticastInterface("127.0.0.1");
      sender.send("to the group", dual.localAddr().port, "239.255.0.9");
      const buf = new Uint8Array(32);
      let got: [number, SocketAddr] | undefined;
      await turnsUntil(() => {
        try {
          got = dual.tryRecvFrom(buf);
        } catch (e) {
          if (!(e instanceof WouldBlockError)) throw e;
        }
        return got !== undefined;
      });
      assert.is(dec(buf.subarray(0, got![0])), "to the group");
      assert.is(got![1].ip, "::ffff:127.0.0.1");
    } finally {
      sender.close();
    }
    dual.leaveMulticastV4("239.255.0.9", "127.0.0.1");
    assert.is(thrown(() => dual.leaveMulticastV4("239.255.0.9", "127.0.0.1")).code, "EADDRNOTAVAIL", "the leave reached the OS");

    // Node sets IPV6_MULTICAST_HOPS, never IP_MULTICAST_TTL, on an IPv6 socket: loud, not silent.
    const ttl = thrown(() => dual.setMulticastTtlV4(4));
    assert.ok(ttl instanceof UnsupportedError, ttl.message);
    assert.is(errorKind(ttl), "UNSUPPORTED");
    assert.ok(thrown(() => dual.multicastTtlV4()) instanceof UnsupportedError);
    if (process.platform === "linux") {
      // Linux reads IPV6_MULTICAST_LOOP (what Node sets) for the IPv4 datagrams of an IPv6 socket.
      dual.setMulticastLoopV4(false);
      assert.is(dual.multicastLoopV4(), false);
      assert.is(dual.multicastLoopV6(), false, "one flag on Linux");
    } else {
      assert.ok(thrown(() => dual.setMulticastLoopV4(false)) instanceof UnsupportedError);
    }

    await using v6only = await UdpSocket.bind("[::]:0", { ipv6Only: true });
    const refused = thrown(() => v6only.joinMulticastV4("239.255.0.9", "127.0.0.1"));
    assert.is(refused.code, "EINVAL");
    assert.match(refused.message, "IPv6-only");
    assert.match(refused.message, "with ipv6Only");
    assert.is(thrown(() => v6only.setMulticastLoopV4(false)).code, "EINVAL");
    await using loopback6 = await UdpSocket.bind("[::1]:0");
    assert.is(thrown(() => loopback6.joinMulticastV4("239.255.0.9", "127.0.0.1")).code, "EINVAL");
    assert.is(thrown(() => loopback6.setMulticastTtlV4(4)).code, "EINVAL");
  }));

test("bind options: buffer sizes outside 1..2^30 and unknown keys fail at the call, naming them", () => {
  const error = (type: Function, message: string) => (e: unknown) => e instanceof type && (e as Error).message === message;
  assert.throws(() => UdpSocket.bind("127.0.0.1:0", { recvBufferSize: 2 ** 40 }), error(RangeError, "options.recvBufferSize must be an integer in 1..2^30, got 1099511627776"));
  assert.throws(() => UdpSocket.bind("127.0.0.1:0", { sendBufferSize: 2 ** 31 }), error(RangeError, "options.sendBufferSize must be an integer in 1..2^30, got 2147483648"));
  assert.throws(() => UdpSocket.bind("127.0.0.1:0", { recvBufferSize: 0 }), error(RangeError, "options.recvBufferSize must be an integer in 1..2^30, got 0"));
  assert.throws(() => UdpSocket.bind("127.0.0.1:0", { sendBufferSize: "1" as never }), error(TypeError, 'options.sendBufferSize must be a number, got string "1"'));
  const known = "(known: reuseAddr, ipv6Only, recvBufferSize, sendBufferSize, recvQueueCapacity, maxPendingSends)";
  assert.throws(() => UdpSocket.bind("127.0.0.1:0", { recvbuffersize: 4096 } as never), error(TypeError, `UdpSocket.bind: unknown option "recvbuffersize" ${known}`));
  assert.throws(() => UdpSocket.bind("127.0.0.1:0", { reuseAddr: true, reusePort: true } as never), error(TypeError, `UdpSocket.bind: unknown option "reusePort" ${known}`));
  assert.throws(() => UdpSocket.bind("127.0.0.1:0", [] as never), error(TypeError, "options must be an object, got an array"));
  assert.throws(() => UdpSocket.bind("127.0.0.1:0", new Uint8Array(0) as never), error(TypeError, "options must be an object, got a Uint8Array"));
  assert.throws(() => UdpSocket.bind("127.0.0.1:0", Promise.resolve({ reuseAddr: true }) as never), error(TypeError, "options must be an object, got a promise (await it first)"));
});

test("bad addresses and options fail at the call; OS failures keep their code and name the address", () =>
  onRuntime(async () => {
    assert.throws(() => UdpSocket.bind("nope"), TypeError);
    assert.throws(() => UdpSocket.bind("127.0.0.1:70000"), RangeError);
    assert.throws(() => UdpSocket.bind("::1:80"), (e: unknown) => e instanceof TypeError && /brackets/.test(e.message));
    assert.throws(() => UdpSocket.bind("127.0.0.1:0", { recvQueueCapacity: 0 }), (e: unknown) => e instanceof RangeError && /recvQueueCapacity/.test(e.message));
    assert.throws(() => UdpSocket.bind("127.0.0.1:0", { reuseAddr: "yes" as never }), TypeError);
    await using a = await UdpSocket.bind("127.0.0.1:0");
    assert.throws(() => a.sendTo("text" as never, a.localAddr()), TypeError);
    assert.throws(() => a.recv([] as never), TypeError);
    const used = await rejection(UdpSocket.bind(a.localAddr()));
    assert.is(used.code, "EADDRINUSE");
    assert.match(used.message, a.localAddr().toString());
    const foreign = await rejection(UdpSocket.bind("192.0.2.1:0"));
    assert.is(foreign.code, "EADDRNOTAVAIL");
    assert.match(foreign.message, "192.0.2.1");
    const family = await rejection(a.connect("[::1]:9"));
    assert.is(family.code, "EINVAL");
    assert.throws(() => a.connect("127.0.0.1:0"), (e: unknown) => e instanceof RangeError && /port 0/.test(e.message));
    assert.throws(() => a.sendTo(enc("x"), "127.0.0.1:0"), RangeError);
    assert.throws(() => a.trySendTo(enc("x"), "127.0.0.1:0"), RangeError);
    const big = await rejection(a.sendTo(new Uint8Array(70_000), a.localAddr()));
    assert.is(big.code, "EMSGSIZE", "a datagram above 65,507 bytes");
    assert.match(big.message, a.localAddr().toString());
    const unresolvable = await rejection(a.sendTo(enc("x"), "invalid..host:9"));
    assert.is(unresolvable.code, "ENOTFOUND");
  }));

test("bind options: reuseAddr lets two sockets share a port; buffer sizes are applied", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0", { reuseAddr: true, recvBufferSize: 1 << 16, sendBufferSize: 1 << 16 });
    await using b = await UdpSocket.bind(a.localAddr(), { reuseAddr: true });
    assert.ok(b.localAddr().equals(a.localAddr()));
    assert.is((await rejection(UdpSocket.bind(a.localAddr()))).code, "EADDRINUSE", "without reuseAddr the port is taken");
  }));

test("bind resolves a host name and binds its address", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("localhost:0");
    assert.ok(["127.0.0.1", "::1"].includes(a.localAddr().ip));
  }));

test("after close() every operation fails with ERR_SOCKET_CLOSED, and a waiting recv is woken with it", () =>
  onRuntime(async () => {
    const a = await UdpSocket.bind("127.0.0.1:0");
    const waiting = spawn(async () => rejection(a.recv(new Uint8Array(4))));
    await a.writable();
    a.close();
    a.close();
    assert.is((await waiting).code, "ERR_SOCKET_CLOSED");
    assert.ok(a.isClosed);
    assert.is((await rejection(a.recv(new Uint8Array(4)))).code, "ERR_SOCKET_CLOSED");
    assert.is((await rejection(a.sendTo(enc("x"), "127.0.0.1:9"))).code, "ERR_SOCKET_CLOSED");
    assert.is(thrown(() => a.localAddr()).code, "ERR_SOCKET_CLOSED");
    assert.is(thrown(() => a.tryRecv(new Uint8Array(1))).code, "ERR_SOCKET_CLOSED");
    assert.is(thrown(() => a.setBroadcast(true)).code, "ERR_SOCKET_CLOSED");
    assert.is((await rejection(a.connect("127.0.0.1:9"))).code, "ERR_SOCKET_CLOSED");
  }));

test("AsyncDisposable: leaving an await-using scope closes the socket and frees its port", () =>
  onRuntime(async () => {
    let addr: SocketAddr;
    {
      await using a = await UdpSocket.bind("127.0.0.1:0");
      addr = a.localAddr();
    }
    await using again = await UdpSocket.bind(addr);
    assert.ok(again.localAddr().equals(addr));
  }));

test("IPv6: two sockets on [::1] exchange datagrams", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("[::1]:0");
    await using b = await UdpSocket.bind({ ip: "::1", port: 0 });
    await a.sendTo(enc("six"), b.localAddr());
    const buf = new Uint8Array(8);
    const [n, from] = await b.recvFrom(buf);
    assert.is(dec(buf.subarray(0, n)), "six");
    assert.is(from.toString(), a.localAddr().toString());
    assert.is(from.family, "IPv6");
  }));

test("sendTo resolves a host name and uses its address of the socket's family", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0");
    await a.sendTo(enc("named"), `localhost:${b.localAddr().port}`);
    const buf = new Uint8Array(8);
    assert.is(dec(buf.subarray(0, await b.recv(buf))), "named");
  }));

test("a send dropped while it waits for writability sends nothing", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0", { maxPendingSends: 1 });
    await using b = await UdpSocket.bind("127.0.0.1:0");
    a.trySendTo(enc("first"), b.localAddr());
    const waiting = mockTask(a.sendTo(enc("dropped"), b.localAddr()));
    assertPending(waiting.poll(), "one send in flight: the second waits");
    waiting.drop();
    await a.sendTo(enc("marker"), b.localAddr());
    const buf = new Uint8Array(16);
    assert.is(dec(buf.subarray(0, await b.recv(buf))), "first");
    assert.is(dec(buf.subarray(0, await b.recv(buf))), "marker", "the dropped datagram never went out");
  }));

test("connect to an IP address completes at its first poll; one dropped while resolving a name changes nothing", () =>
  onRuntime(async () => {
    await using a = await UdpSocket.bind("127.0.0.1:0");
    await using b = await UdpSocket.bind("127.0.0.1:0");
    await using c = await UdpSocket.bind("127.0.0.1:0");
    assertReady(mockTask(a.connect(b.localAddr())).poll());
    assert.ok(a.peerAddr().equals(b.localAddr()));
    await using d = await UdpSocket.bind("127.0.0.1:0");
    const resolving = mockTask(d.connect(`localhost:${b.localAddr().port}`));
    assertPending(resolving.poll());
    resolving.drop();
    assert.is(thrown(() => d.peerAddr()).code, "ENOTCONN");
    await c.sendTo(enc("anyone"), d.localAddr());
    const buf = new Uint8Array(8);
    assert.is(dec(buf.subarray(0, await d.recv(buf))), "anyone", "d receives from anyone");
  }));

test("a connect still resolving a name when the socket is closed fails with ERR_SOCKET_CLOSED (not Node's EIO)", () =>
  onRuntime(async () => {
    const a = await UdpSocket.bind("127.0.0.1:0");
    const connecting = a.connect("localhost:9").then(
      () => "connected",
      (e: unknown) => (e as { code?: string }).code,
    ); // polled now: the lookup of "localhost" runs
    a.close();
    assert.is(await connecting, "ERR_SOCKET_CLOSED");
  }));

test("bind to an IP address completes at its first poll; one dropped while resolving a name opens nothing", () =>
  onRuntime(async () => {
    const before = openResources();
    const bound = assertReady(mockTask(UdpSocket.bind("127.0.0.1:0")).poll());
    assert.is(openResources(), before + 1);
    bound.close();
    assert.is(openResources(), before);
    const resolving = mockTask(UdpSocket.bind("localhost:0"));
    assertPending(resolving.poll());
    resolving.drop();
    assert.is(openResources(), before);
  }));

test("binding needs a runtime with enableIo(); the errors name the fix", async () => {
  const noIo = Builder.newCurrentThread().enableTime().build();
  try {
    const e = await rejection(noIo.blockOn(async () => UdpSocket.bind("127.0.0.1:0")));
    assert.instance(e, ContextError);
    assert.match(e.message, "enableIo()");
  } finally {
    await noIo.shutdownTimeout(0);
  }
  const outside = await rejection(UdpSocket.bind("127.0.0.1:0"));
  assert.instance(outside, ContextError);
  assert.match(outside.message, "UdpSocket.bind()");
});

test("runtime shutdown closes the socket and fails later use with the shutdown error", async () => {
  const rt = ioRuntime();
  const socket = await rt.blockOn(async () => UdpSocket.bind("127.0.0.1:0"));
  const addr = socket.localAddr();
  const receiving = rt.spawn(async () => socket.recv(new Uint8Array(4)));
  await rt.blockOn(async () => socket.writable());
  await rt.shutdownTimeout(1000);
  assert.ok(socket.isClosed);
  const e = thrown(() => socket.localAddr());
  assert.instance(e, ContextError);
  assert.is(e.code, "ERR_RUNTIME_SHUTDOWN");
  const joined = await rejection(receiving);
  assert.ok(joined !== undefined);
  const rt2 = ioRuntime();
  try {
    const again = await rt2.blockOn(async () => UdpSocket.bind(addr));
    assert.ok(again.localAddr().equals(addr), "the port was released");
    again.close();
  } finally {
    await rt2.shutdownTimeout(0);
  }
});

test("under shuffled schedules, receivers that are aborted mid-way lose no datagram and none is taken twice", async () => {
  await forEachSeed(20, (rt) =>
    rt.blockOn(async () => {
      const N = 60;
      await using a = await UdpSocket.bind("127.0.0.1:0");
      await using b = await UdpSocket.bind("127.0.0.1:0");
      const got: number[] = [];
      const receivers = [0, 1, 2, 3].map(() =>
        spawn(async () => {
          const buf = new Uint8Array(8);
          for (;;) got.push(Number(dec(buf.subarray(0, await b.recv(buf)))));
        }),
      );
      for (let i = 0; i < N; i++) {
        await a.sendTo(enc(String(i)), b.localAddr());
        if (i === 15) receivers[0]?.abort();
        if (i === 30) receivers[1]?.abort();
      }
      await turnsUntil(() => got.length + b.queuedDatagrams === N);
      for (const r of receivers) r.abort();
      const buf = new Uint8Array(8);
      while (b.queuedDatagrams > 0) got.push(Number(dec(buf.subarray(0, b.tryRecv(buf)))));
      assert.equal([...got].sort((x, y) => x - y), Array.from({ length: N }, (_, i) => i));
      assert.is(b.droppedDatagrams, 0);
    }),
    { enableIo: true },
  );
});

test("runtime shutdown wakes a waiting recv, whose next poll fails with the shutdown error", async () => {
  const rt = ioRuntime();
  const socket = await rt.blockOn(async () => UdpSocket.bind("127.0.0.1:0"));
  const recv = mockTask(socket.recv(new Uint8Array(4)));
  assertPending(recv.poll());
  await rt.shutdownTimeout(1000);
  assert.ok(recv.isWoken());
  assert.throws(() => recv.poll(), (e: unknown) => e instanceof ContextError && e.code === "ERR_RUNTIME_SHUTDOWN");
});

test("connect to a non-canonical spelling of an IPv6 address completes (it waited for ever), and `using` closes a socket in a generator task", async () => {
  await run(function* () {
    const peer = yield* UdpSocket.bind("[::1]:0");
    const port = peer.localAddr().port;
    {
      using socket = yield* UdpSocket.bind("[::1]:0");
      yield* timeout(5000, socket.connect(`[0:0:0:0:0:0:0:1]:${port}`));
      assert.ok(socket.peerAddr().equals(peer.localAddr()));
      yield* socket.send(new Uint8Array([7]));
      const buf = new Uint8Array(4);
      assert.is(yield* peer.recv(buf), 1);
    }
    peer.close();
  });
});

test("every UdpBindOptions field may be given as undefined: the defaults apply", () =>
  onRuntime(async () => {
    const given: { reuseAddr?: boolean; recvQueueCapacity?: number } = {};
    await using s = await UdpSocket.bind("127.0.0.1:0", {
      reuseAddr: given.reuseAddr,
      ipv6Only: undefined,
      recvBufferSize: undefined,
      sendBufferSize: undefined,
      recvQueueCapacity: given.recvQueueCapacity,
      maxPendingSends: undefined,
    });
    assert.is(await s.sendTo(enc("self"), s.localAddr()), 4);
    const buf = new Uint8Array(8);
    assert.is(dec(buf.subarray(0, await s.recv(buf))), "self");
  }));

test.run();
