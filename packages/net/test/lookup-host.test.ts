import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import { lookupHost, SocketAddr, TcpListener, TcpSocket, TcpStream, UdpSocket } from "../src/index.js";
import { onRuntime, rejection, turnsUntil } from "./udp-helpers.js";

const strings = (addrs: SocketAddr[]): string[] => addrs.map((a) => a.toString());

test("lookupHost resolves localhost through the system resolver, keeping the port", () =>
  onRuntime(async () => {
    const addrs = await lookupHost("localhost:8080");
    assert.ok(addrs.length >= 1);
    assert.ok(addrs.every((a) => a instanceof SocketAddr && a.port === 8080));
    assert.ok(addrs.some((a) => a.ip === "127.0.0.1" || a.ip === "::1"), strings(addrs).join(", "));
    const same = await lookupHost({ host: "localhost", port: 8080 });
    assert.equal(strings(same), strings(addrs));
  }));

test("an IP literal resolves to itself at the first poll, without the resolver", () => {
  assert.equal(strings(assertReady(mockTask(lookupHost("127.0.0.1:53")).poll())), ["127.0.0.1:53"]);
  assert.equal(strings(assertReady(mockTask(lookupHost("[::1]:443")).poll())), ["[::1]:443"]);
  assert.equal(strings(assertReady(mockTask(lookupHost({ ip: "::1", port: 0 })).poll())), ["[::1]:0"]);
  assert.equal(strings(assertReady(mockTask(lookupHost(new SocketAddr("10.0.0.1", 9))).poll())), ["10.0.0.1:9"]);
});

test("lookupHost works without a runtime (it needs no driver)", async () => {
  const addrs = await lookupHost("localhost:1");
  assert.ok(addrs.length >= 1);
});

test("a bad shape or port fails at the call with TypeError/RangeError naming the argument", () => {
  assert.throws(() => lookupHost("localhost"), (e: unknown) => e instanceof TypeError && /host/.test(e.message));
  assert.throws(() => lookupHost("localhost:99999"), RangeError);
  assert.throws(() => lookupHost("localhost:http"), TypeError);
  assert.throws(() => lookupHost("::1:80"), (e: unknown) => e instanceof TypeError && /brackets/.test(e.message));
  assert.throws(() => lookupHost({ host: "", port: 1 }), TypeError);
  assert.throws(() => lookupHost({ host: "localhost", port: -1 }), (e: unknown) => e instanceof RangeError && /host\.port/.test(e.message));
  assert.throws(() => lookupHost(42 as never), TypeError);
});

test("a name the resolver does not know fails with its code (ENOTFOUND) and names the host", async () => {
  const e = await rejection(lookupHost("invalid..host:80"));
  assert.is(e.code, "ENOTFOUND");
  assert.is(e.syscall, "getaddrinfo");
  assert.match(e.message, "invalid..host");
});

test("a lookup is lazy, and one dropped while resolving discards the answer and never wakes", async () => {
  const lazy = lookupHost("localhost:80");
  lazy.cancel(); // never polled: nothing was started
  const task = mockTask(lookupHost("localhost:80"));
  assertPending(task.poll());
  task.drop();
  const other = mockTask(lookupHost("localhost:81"));
  assertPending(other.poll());
  await turnsUntil(() => other.isWoken());
  assert.is(task.wakeCount, 0, "the dropped lookup did not wake its task");
  assert.ok(strings(assertReady(other.poll())).every((s) => s.endsWith(":81")));
});

test("a host name with a NUL byte is a TypeError at the call wherever a host is taken (it would resolve as the part before the NUL)", () =>
  onRuntime(async () => {
    const host = "localhost\0.attacker.example";
    await using udp = await UdpSocket.bind("127.0.0.1:0");
    const calls: [string, () => unknown][] = [
      ["lookupHost({ host })", () => lookupHost({ host, port: 80 })],
      ["lookupHost(string)", () => lookupHost(`${host}:80`)],
      ["lookupHost({ address })", () => lookupHost({ address: host, port: 80 })],
      ["TcpStream.connect", () => TcpStream.connect({ host, port: 80 })],
      ["TcpListener.bind", () => TcpListener.bind({ host, port: 0 })],
      ["TcpSocket.bind", () => TcpSocket.newV4().bind({ host, port: 0 })],
      ["TcpSocket.connect", () => TcpSocket.newV4().connect(`${host}:80`)],
      ["UdpSocket.bind", () => UdpSocket.bind({ host, port: 0 })],
      ["UdpSocket.connect", () => udp.connect({ host, port: 80 })],
      ["UdpSocket.sendTo", () => udp.sendTo(new Uint8Array(1), `${host}:80`)],
      ["UdpSocket.trySendTo", () => udp.trySendTo(new Uint8Array(1), { host, port: 80 })],
    ];
    for (const [what, call] of calls) {
      assert.throws(call, (e: unknown) => e instanceof TypeError && /must not contain NUL bytes/.test((e as Error).message), what);
    }
    assert.throws(() => lookupHost({ host, port: 80 }), (e: unknown) => (e as Error).message === 'host.host must not contain NUL bytes, got "localhost\\u0000.attacker.example"');
    assert.throws(() => TcpStream.connect(`${host}:80`), (e: unknown) => (e as Error).message === 'addr\'s host must not contain NUL bytes, got "localhost\\u0000.attacker.example:80"');
  }));

test.run();
