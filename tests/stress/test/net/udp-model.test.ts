// UdpSocket under random cancellation, against a model of the datagrams sent:
// - recv/recvFrom/peekFrom futures dropped at random (select, timeout, abort) never lose a
//   datagram and never deliver one twice ("A datagram is taken only by the poll that resolves");
// - truncation to the buffer (n = min(len, buf.length), the prefix);
// - the receive queue bound: past `recvQueueCapacity` new datagrams are dropped and counted in
//   `droppedDatagrams`, the queued ones stay in order;
// - trySend/tryRecv and maxPendingSends, readiness futures;
// - close with pending operations (ERR_SOCKET_CLOSED), option setters.
// All traffic is on 127.0.0.1 (the broadcast check uses 127.255.255.255, which is lo's).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import { sleep, timeout } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { yieldNow } from "@tokio-ts/core";
import { Interest, Ready, UdpSocket, WouldBlockError, DEFAULT_RECV_QUEUE_CAPACITY, DEFAULT_MAX_PENDING_SENDS, type SocketAddr } from "@tokio-ts/net";
import { checkPayload, code, failsWith, idOf, noRegistrations, payload, socketSeeds, throwsAt, waitUntil, X } from "./support.js";

const RECV_MODES = ["recv", "recvFrom", "select", "timeout", "peek-then-recv", "readable-tryRecv", "peekSender-then-recv"] as const;

test("recv futures dropped at random: no datagram lost, none delivered twice, FIFO for one receiver, truncation to the buffer", async () => {
  await socketSeeds("recv model", { seeds: 25 * X, hangMs: 20_000, startPaused: true }, function* (seed) {
    const rng = new SeededRng(seed * 101 + 7);
    const a = yield* UdpSocket.bind("127.0.0.1:0");
    const b = yield* UdpSocket.bind("127.0.0.1:0");
    const aConnected = rng.below(2) === 0;
    if (aConnected) yield* a.connect(b.localAddr());
    if (rng.below(2) === 0) yield* b.connect(a.localAddr());
    const n = rng.between(10, 120);
    const lens = Array.from({ length: n }, () => (rng.below(4) === 0 ? rng.between(4, 16) : rng.between(4, 8192)));
    const WINDOW = 8; // the sender stays at most this many datagrams ahead (no kernel drop)
    let consumedDefinite = 0;
    const maybe = new Set<number>(); // sends dropped after a poll: sent or not
    const counts = new Map<number, number>();
    const order: number[][] = [];
    const nReceivers = rng.between(1, 3);
    const sender = spawn(function* () {
      const r = new SeededRng(seed + 1);
      for (let id = 0; id < n; id++) {
        while (id - maybe.size - consumedDefinite >= WINDOW) yield* sleep(1);
        const data = payload(id, lens[id]!);
        const how = r.below(5);
        if (how === 0 && aConnected) {
          assert.is(yield* a.send(data), data.length);
        } else if (how === 1 && aConnected) {
          for (;;) {
            try {
              assert.is(a.trySend(data), data.length);
              break;
            } catch (e) {
              if (!(e instanceof WouldBlockError)) throw e;
              yield* a.writable();
            }
          }
        } else if (how === 2) {
          // a send dropped right after its first poll: sent or not, never twice
          const s = yield* select({ s: aConnected ? a.send(data) : a.sendTo(data, b.localAddr()), y: yieldNow() }, { biased: true });
          if (s.key === "y") maybe.add(id);
        } else if (aConnected) {
          assert.is(yield* a.send(data), data.length);
        } else {
          assert.is(yield* a.sendTo(data, b.localAddr()), data.length);
        }
      }
    });
    const expectFrom = a.localAddr();
    const got = (id: number, k: number, len: number, bufLen: number, bytes: Uint8Array, from: SocketAddr | undefined) => {
      assert.ok(id < n, `id ${id} in range`);
      assert.is(len, Math.min(lens[id]!, bufLen), `datagram ${id}: bytes = min(len, buf)`);
      checkPayload(bytes.subarray(0, len), id, lens[id]!, `datagram ${id}`);
      if (from !== undefined) assert.ok(from.equals(expectFrom), `sender of ${id}`);
      counts.set(id, (counts.get(id) ?? 0) + 1);
      order[k]!.push(id);
      if (!maybe.has(id)) consumedDefinite++;
    };
    const receiver = (k: number, salt: number): JoinHandle<void> =>
      spawn(function* () {
        const r = new SeededRng(seed * 7 + salt + 50);
        for (;;) {
          const mode = RECV_MODES[r.below(RECV_MODES.length)]!;
          // at least 4 bytes (the id); sometimes less than the datagram
          const bufLen = r.below(3) === 0 ? r.between(4, 64) : 8192;
          const buf = new Uint8Array(bufLen);
          if (mode === "recv") {
            const m = yield* b.recv(buf);
            got(idOf(buf), k, m, bufLen, buf, undefined);
          } else if (mode === "recvFrom") {
            const [m, from] = yield* b.recvFrom(buf);
            got(idOf(buf), k, m, bufLen, buf, from);
          } else if (mode === "select") {
            const s = yield* select({ r: b.recvFrom(buf), t: r.below(2) === 0 ? yieldNow() : sleep(r.below(3)) });
            if (s.key === "r") got(idOf(buf), k, s.value[0], bufLen, buf, s.value[1]);
          } else if (mode === "timeout") {
            try {
              const m = yield* timeout(r.below(3), b.recv(buf));
              got(idOf(buf), k, m, bufLen, buf, undefined);
            } catch (e) {
              if ((e as Error).name !== "Elapsed") throw e;
            }
          } else if (mode === "peek-then-recv") {
            const pbuf = new Uint8Array(8192);
            const [pm, pfrom] = yield* b.peekFrom(pbuf);
            assert.ok(pfrom.equals(expectFrom));
            const m = yield* b.recv(buf);
            if (nReceivers === 1) {
              // nobody else receives: the peeked datagram is the one received
              assert.is(idOf(buf), idOf(pbuf), "peekFrom then recv: same datagram");
              assert.is(pm, lens[idOf(pbuf)], "peek size");
            }
            got(idOf(buf), k, m, bufLen, buf, undefined);
          } else if (mode === "peekSender-then-recv") {
            const s = yield* select({ p: b.peekSender(), t: sleep(r.below(2)) });
            if (s.key === "p") assert.ok(s.value.equals(expectFrom));
          } else {
            const s = yield* select({ r: b.readable(), t: sleep(r.below(2)) });
            if (s.key === "r") {
              try {
                const [m, from] = b.tryRecvFrom(buf);
                got(idOf(buf), k, m, bufLen, buf, from);
              } catch (e) {
                if (!(e instanceof WouldBlockError)) throw e;
                assert.ok(nReceivers > 1, "readable() then tryRecv: WouldBlock only with other receivers");
              }
            }
          }
        }
      });
    const receivers: JoinHandle<void>[] = [];
    for (let k = 0; k < nReceivers; k++) {
      order.push([]);
      receivers.push(receiver(k, k));
    }
    const definite = () => [...Array(n).keys()].filter((id) => !maybe.has(id));
    let spins = 0;
    while (definite().some((id) => !counts.has(id)) || !sender.isFinished()) {
      if (++spins > 30000) assert.unreachable(`stuck: ${counts.size}/${n} received, maybe ${maybe.size}, queued ${b.queuedDatagrams}`);
      yield* sleep(rng.below(2));
      if (nReceivers > 1 && rng.below(6) === 0) {
        // abort a receiver (its pending recv is dropped) and start another
        const k = rng.below(nReceivers);
        receivers[k]!.abort();
        receivers[k] = receiver(k, k + 10 * spins);
      }
    }
    yield* sender;
    for (let i = 0; i < 5; i++) yield* sleep(1); // late "maybe" datagrams
    for (const h of receivers) h.abort();
    for (const [id, c] of counts) assert.is(c, 1, `datagram ${id} delivered once`);
    for (const id of definite()) assert.ok(counts.has(id), `datagram ${id} delivered`);
    if (nReceivers === 1) {
      const seq = order[0]!;
      for (let i = 1; i < seq.length; i++) assert.ok(seq[i - 1]! < seq[i]!, `FIFO: ${seq[i - 1]} before ${seq[i]}`);
    }
    assert.is(b.droppedDatagrams, 0, "nothing dropped");
    a.close();
    b.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("receive queue bound: past recvQueueCapacity new datagrams are dropped and counted; the queued ones stay in order", async () => {
  await socketSeeds("receive queue bound", { seeds: 20 * X, hangMs: 20_000 }, function* (seed) {
    const rng = new SeededRng(seed * 3 + 11);
    const big = seed === 0;
    const cap = big ? DEFAULT_RECV_QUEUE_CAPACITY : rng.between(1, 16);
    const a = yield* UdpSocket.bind("127.0.0.1:0");
    const b = yield* UdpSocket.bind("127.0.0.1:0", big ? {} : { recvQueueCapacity: cap });
    const n = cap + (big ? 40 : rng.between(0, 20));
    // in batches that fit the kernel's receive buffer (a kernel drop is not what this tests)
    for (let id = 0; id < n; id++) {
      yield* a.sendTo(payload(id, rng.between(4, 200)), b.localAddr());
      if (id % 64 === 63 || id === n - 1) yield* waitUntil(() => b.queuedDatagrams + b.droppedDatagrams === id + 1, `datagrams 0..${id} reach the socket`);
    }
    assert.is(b.queuedDatagrams, Math.min(cap, n), "queued up to the capacity");
    assert.is(b.droppedDatagrams, n - Math.min(cap, n), "the rest dropped and counted");
    const buf = new Uint8Array(256);
    for (let i = 0; i < Math.min(cap, n); i++) {
      const mode = rng.below(3);
      if (mode === 0) b.tryRecv(buf);
      else if (mode === 1) yield* b.recv(buf);
      else b.tryRecvFrom(buf);
      assert.is(idOf(buf), i, "the oldest first: the first `cap` datagrams were kept");
    }
    assert.is(b.queuedDatagrams, 0);
    throwsAt(() => b.tryRecv(buf), WouldBlockError, "empty queue");
    // room again: the next datagram is queued; the dropped count only grows
    const dropped = b.droppedDatagrams;
    yield* a.sendTo(payload(n, 10), b.localAddr());
    assert.is(yield* b.recv(buf), 10);
    assert.is(idOf(buf), n);
    assert.is(b.droppedDatagrams, dropped);
    a.close();
    b.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("trySend stops at maxPendingSends with WouldBlock; writable()/ready() then resolve; tryRecv after readable()", async () => {
  await socketSeeds("trySend at maxPendingSends", { seeds: 20 * X }, function* (seed) {
    const rng = new SeededRng(seed + 77);
    const m = seed === 0 ? DEFAULT_MAX_PENDING_SENDS : rng.between(1, 8);
    const a = yield* UdpSocket.bind("127.0.0.1:0", { maxPendingSends: m });
    const b = yield* UdpSocket.bind("127.0.0.1:0");
    yield* a.connect(b.localAddr());
    assert.ok(a.peerAddr().equals(b.localAddr()));
    let sent = 0;
    for (;;) {
      try {
        a.trySend(payload(sent, 8));
        sent++;
      } catch (e) {
        if (!(e instanceof WouldBlockError)) throw e;
        break;
      }
      if (sent > m + 5) break;
    }
    assert.is(sent, m, "trySend: exactly maxPendingSends in flight before WouldBlock");
    const r = Ready.isWritable(yield* a.ready(Interest.WRITABLE | Interest.READABLE));
    assert.ok(r, "ready() reports WRITABLE once a send completed");
    yield* a.writable();
    a.trySend(payload(sent++, 8));
    // receive all, mixing readable()+tryRecv with dropped readable futures
    const buf = new Uint8Array(64);
    const seen: number[] = [];
    while (seen.length < sent) {
      try {
        b.tryRecv(buf);
        seen.push(idOf(buf));
        continue;
      } catch (e) {
        if (!(e instanceof WouldBlockError)) throw e;
      }
      if (rng.below(2) === 0) yield* select({ r: b.readable(), y: yieldNow() });
      else yield* b.readable();
    }
    assert.equal(seen, [...Array(sent).keys()]);
    throwsAt(() => b.tryRecv(buf), WouldBlockError, "empty");
    a.close();
    b.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("UdpSocket tick rule: a datagram arriving after a WouldBlock tryRecv and before readable() is not lost", async () => {
  await socketSeeds("UdpSocket tick rule", { seeds: 20 * X }, function* () {
    const a = yield* UdpSocket.bind("127.0.0.1:0");
    const b = yield* UdpSocket.bind("127.0.0.1:0");
    const buf = new Uint8Array(16);
    for (let i = 0; i < 10; i++) {
      throwsAt(() => b.tryRecv(buf), WouldBlockError, "nothing yet");
      a.trySendTo(payload(i, 5), b.localAddr());
      yield* waitUntil(() => b.queuedDatagrams === 1, "datagram queued");
      // readiness was cleared by the failed tryRecv; the arrival set it again
      yield* timeout(2000, b.readable());
      assert.is(b.tryRecv(buf), 5);
      assert.is(idOf(buf), i);
    }
    a.close();
    b.close();
  });
});

test("close() with pending operations: each fails ERR_SOCKET_CLOSED (or completed before); later calls too; nothing stays registered", async () => {
  await socketSeeds("udp close", { seeds: 25 * X }, function* (seed) {
    const rng = new SeededRng(seed * 5 + 1);
    const a = yield* UdpSocket.bind("127.0.0.1:0", { maxPendingSends: 1 });
    const b = yield* UdpSocket.bind("127.0.0.1:0");
    if (rng.below(2) === 0) yield* b.sendTo(payload(1, 8), a.localAddr()); // a queued datagram, discarded by close
    yield* waitUntil(() => true, "");
    const ops: { name: string; h: JoinHandle<string> }[] = [];
    const settle = (name: string, f: () => Generator<unknown, unknown, unknown>) =>
      ops.push({
        name,
        h: spawn(function* () {
          try {
            yield* f();
            return "done";
          } catch (e) {
            return String(code(e));
          }
        }),
      });
    const buf = new Uint8Array(64);
    const kinds = ["recv", "recvFrom", "peekFrom", "peekSender", "readable", "ready", "send", "writable", "connect"] as const; // connect to an IP: done in its first poll
    for (let i = 0; i < rng.between(1, 8); i++) {
      const kind = kinds[rng.below(kinds.length)]!;
      settle(kind, function* () {
        if (kind === "recv") return yield* a.recv(buf);
        if (kind === "recvFrom") return yield* a.recvFrom(buf);
        if (kind === "peekFrom") return yield* a.peekFrom(buf);
        if (kind === "peekSender") return yield* a.peekSender();
        if (kind === "readable") return yield* a.readable();
        if (kind === "ready") return yield* a.ready(Interest.READABLE);
        if (kind === "writable") return yield* a.writable();
        if (kind === "connect") return yield* a.connect(b.localAddr());
        // send: the first fills maxPendingSends, later ones wait for writability
        try {
          a.trySendTo(payload(2, 8), b.localAddr());
        } catch (e) {
          if (!(e instanceof WouldBlockError)) throw e;
        }
        return yield* a.sendTo(payload(3, 8), b.localAddr());
      });
    }
    for (let i = 0; i < rng.below(4); i++) yield* yieldNow();
    // some are dropped before the close
    for (const op of ops) if (rng.below(4) === 0) op.h.abort();
    a.close();
    a.close();
    assert.ok(a.isClosed);
    assert.is(a.queuedDatagrams, 0, "queued datagrams discarded");
    for (const op of ops) {
      let out: string;
      try {
        out = yield* op.h;
      } catch (e) {
        assert.is((e as Error).name, "JoinError", "aborted");
        continue;
      }
      // sendTo racing a connect of the same socket may meet ERR_SOCKET_DGRAM_IS_CONNECTED
      const ok = out === "ERR_SOCKET_CLOSED" || out === "done" || (out === "ERR_SOCKET_DGRAM_IS_CONNECTED" && op.name === "send");
      assert.ok(ok, `${op.name}: ${out}`);
    }
    // every later call fails ERR_SOCKET_CLOSED
    yield* failsWith(() => a.recv(buf), "ERR_SOCKET_CLOSED", "recv after close");
    yield* failsWith(() => a.sendTo(buf, b.localAddr()), "ERR_SOCKET_CLOSED", "sendTo after close");
    yield* failsWith(() => a.readable(), "ERR_SOCKET_CLOSED", "readable after close");
    yield* failsWith(() => a.connect(b.localAddr()), "ERR_SOCKET_CLOSED", "connect after close");
    throwsAt(() => a.tryRecv(buf), Error, "tryRecv after close", "ERR_SOCKET_CLOSED");
    throwsAt(() => a.trySendTo(buf, b.localAddr()), Error, "trySendTo after close", "ERR_SOCKET_CLOSED");
    throwsAt(() => a.localAddr(), Error, "localAddr after close", "ERR_SOCKET_CLOSED");
    throwsAt(() => a.setBroadcast(true), Error, "setBroadcast after close", "ERR_SOCKET_CLOSED");
    b.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("pending socket error (ICMP port unreachable on a connected socket): readable() wakes, the next operation reports it once, takeError takes it", async () => {
  await socketSeeds("pending socket error", { seeds: 6 * X }, function* (seed) {
    const dead = yield* UdpSocket.bind("127.0.0.1:0");
    const deadAddr = dead.localAddr();
    dead.close();
    const a = yield* UdpSocket.bind("127.0.0.1:0");
    yield* a.connect(deadAddr);
    const buf = new Uint8Array(8);
    const who = ["recv", "takeError", "send", "tryRecv"] as const;
    for (let round = 0; round < 4; round++) {
      assert.is(yield* a.send(new Uint8Array([round])), 1, "the send itself succeeds");
      const bits = yield* timeout(2000, a.ready(Interest.READABLE));
      assert.ok(Ready.isError(bits), `ready() reports ERROR (bits ${bits})`);
      const how = who[(round + seed) % who.length]!;
      if (how === "recv") yield* failsWith(() => a.recv(buf), "ECONNREFUSED", "recv reports the pending error");
      else if (how === "send") yield* failsWith(() => a.send(buf), "ECONNREFUSED", "send reports the pending error");
      else if (how === "tryRecv") throwsAt(() => a.tryRecv(buf), Error, "tryRecv reports the pending error", "ECONNREFUSED");
      else assert.is(code(a.takeError()), "ECONNREFUSED", "takeError");
      // once
      assert.is(a.takeError(), undefined, `${how}: reported once`);
      throwsAt(() => a.tryRecv(buf), WouldBlockError, `${how}: then nothing`);
      const r = yield* select({ r: a.readable(), t: sleep(20) });
      assert.is(r.key, "t", `${how}: readiness cleared`);
    }
    a.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("UdpSocket.connect(name) still resolving when close() is called fails ERR_SOCKET_CLOSED", async () => {
  await socketSeeds("udp connect(name) at close", { seeds: 5 * X }, function* (seed) {
    const a = yield* UdpSocket.bind("127.0.0.1:0");
    let polled = false;
    const h = spawn(function* () {
      try {
        const fut = a.connect(seed % 2 === 0 ? "localhost:9" : { host: "localhost", port: 9 });
        polled = true; // the next step polls it (the lookup starts)
        yield* fut;
        return "connected";
      } catch (e) {
        return `${String(code(e))} (${(e as Error).message})`;
      }
    });
    while (!polled) yield* yieldNow();
    yield* yieldNow(); // the connect was polled: the lookup runs
    a.close();
    const out = yield* h;
    assert.ok(out.startsWith("ERR_SOCKET_CLOSED"), `connect after close: ${out}`);
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("UDP option setters: values checked at the call, getters report what was set, family mismatch EINVAL, multicast join/leave on lo", async () => {
  await socketSeeds("udp options", { seeds: 3 * X }, function* () {
    throwsAt(() => UdpSocket.bind("127.0.0.1:0", { nope: 1 } as never), TypeError, "unknown option");
    throwsAt(() => UdpSocket.bind("127.0.0.1:0", { recvQueueCapacity: 0 }), RangeError, "capacity 0");
    throwsAt(() => UdpSocket.bind("127.0.0.1:0", { maxPendingSends: 1.5 }), RangeError, "maxPendingSends 1.5");
    throwsAt(() => UdpSocket.bind("127.0.0.1:0", { recvBufferSize: 0 }), RangeError, "recvBufferSize 0");
    throwsAt(() => UdpSocket.bind("127.0.0.1:0", { reuseAddr: 1 as never }), TypeError, "reuseAddr 1");
    const s = yield* UdpSocket.bind("127.0.0.1:0", { recvBufferSize: 65536, sendBufferSize: 65536 });
    const r = yield* UdpSocket.bind("127.0.0.1:0");
    assert.is(s.broadcast(), false);
    // without SO_BROADCAST the OS refuses lo's broadcast address
    yield* failsWith(() => s.sendTo(new Uint8Array(1), `127.255.255.255:${r.localAddr().port}`), "EACCES", "broadcast without setBroadcast");
    s.setBroadcast(true);
    assert.is(s.broadcast(), true);
    assert.is(yield* s.sendTo(new Uint8Array(1), `127.255.255.255:${r.localAddr().port}`), 1);
    s.setBroadcast(false);
    assert.is(s.broadcast(), false);
    throwsAt(() => s.setBroadcast(1 as never), TypeError, "setBroadcast(1)");
    assert.is(s.multicastLoopV4(), true);
    s.setMulticastLoopV4(false);
    assert.is(s.multicastLoopV4(), false);
    assert.is(s.multicastTtlV4(), 1);
    s.setMulticastTtlV4(0);
    assert.is(s.multicastTtlV4(), 0);
    s.setMulticastTtlV4(255);
    throwsAt(() => s.setMulticastTtlV4(256), RangeError, "ttl 256");
    assert.is(s.multicastTtlV4(), 255, "a refused value changes nothing");
    throwsAt(() => s.setTtl(0), RangeError, "setTtl(0)");
    throwsAt(() => s.setTtl(1.5), RangeError, "setTtl(1.5)");
    s.setTtl(64);
    throwsAt(() => s.setMulticastLoopV6(true), Error, "v6 setter on v4", "EINVAL");
    throwsAt(() => s.multicastLoopV6(), Error, "v6 getter on v4", "EINVAL");
    throwsAt(() => s.joinMulticastV6("ff02::1:3", 0), TypeError === TypeError ? Error : Error, "v6 join on v4", "EINVAL");
    // multicast membership on the loopback interface only
    const m = yield* UdpSocket.bind("0.0.0.0:0", { reuseAddr: true });
    throwsAt(() => m.joinMulticastV4("224.0.0.251", "lo" as never), TypeError, "iface must be an IP");
    throwsAt(() => m.joinMulticastV4("10.0.0.1", "127.0.0.1"), Error, "not a group", "EINVAL");
    m.joinMulticastV4("239.1.2.3", "127.0.0.1");
    throwsAt(() => m.joinMulticastV4("239.1.2.3", "127.0.0.1"), Error, "join twice", "EADDRINUSE");
    m.leaveMulticastV4("239.1.2.3", "127.0.0.1");
    throwsAt(() => m.leaveMulticastV4("239.1.2.3", "127.0.0.1"), Error, "leave twice", "EADDRNOTAVAIL");
    const v6 = yield* UdpSocket.bind("[::1]:0");
    throwsAt(() => v6.setMulticastLoopV4(false), Error, "v4 setter on v6", "EINVAL");
    assert.is(v6.multicastLoopV6(), true);
    v6.setMulticastLoopV6(false);
    assert.is(v6.multicastLoopV6(), false);
    throwsAt(() => v6.joinMulticastV6("ff02::1:3", 3), RangeError, "index other than 0");
    v6.joinMulticastV6("ff02::1:3", "lo");
    v6.leaveMulticastV6("ff02::1:3", "lo");
    for (const x of [s, r, m, v6]) x.close();
    yield* noRegistrations("options");
  });
});

test.run();
