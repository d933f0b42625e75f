// TcpStream / UnixStream over loopback against the byte model (few seeds: real sockets).
// Echo with random chunk sizes through split()/intoSplit(), half-close, reads dropped by
// select, peek vs read, tryRead/tryWrite after readable()/writable(); afterwards no socket and
// no io registration is left.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tmpdir } from "node:os";
import { join as pathJoin } from "node:path";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn } from "@tokio-ts/runtime";
import { sleep, timeout, Elapsed } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { BufReader, copy, ioDriver, read, readExact, readLine, readToEnd, sink, type AsyncRead, type AsyncWrite } from "@tokio-ts/io-driver";
import { fromGenerator } from "@tokio-ts/core";
import { Interest, TcpListener, TcpStream, UnixListener, UnixStream, WouldBlockError } from "@tokio-ts/net";
import { assertStreamAt, guard, size, stream } from "./helpers.js";

const IO = { enableIo: true, enableTime: true } as const;
const IO_PAUSED = { enableIo: true, enableTime: true, startPaused: true } as const;

const SOCKETS = new Set(["TCPSocketWrap", "TCPServerWrap", "PipeWrap", "PipeServerWrap"]);
const openSockets = () => process.getActiveResourcesInfo().filter((r) => SOCKETS.has(r)).length;
void process.stdout;
void process.stderr;
const BASELINE = openSockets();
const tick = () => new Promise<void>((r) => setImmediate(r));

/** After a scenario: every registration left the driver (a few host turns for the 'close' events). */
function* noRegistrationsLeft() {
  const driver = ioDriver("test");
  for (let i = 0; i < 500 && driver.registrationCount > 0; i++) yield* sleep(1);
  assert.is(driver.registrationCount, 0, "io registrations left after every socket was closed");
}
async function noSocketsLeft() {
  for (let i = 0; i < 500 && openSockets() > BASELINE; i++) await tick();
  assert.is(openSockets(), BASELINE, "sockets left open");
}

type Stream = TcpStream | UnixStream;

/** Writes `total` bytes of `salt` with write / writeAll / tryWrite-after-writable, then shuts down. */
function* sender(s: { write(d: Uint8Array): any; writeAll(d: Uint8Array): any; writable(): any; tryWrite(d: Uint8Array): number; shutdown(): any }, salt: number, total: number, rng: SeededRng, pauseMs = 0) {
  let pos = 0;
  while (pos < total) {
    if (pauseMs > 0 && rng.below(2) === 0) yield* sleep(rng.between(1, pauseMs));
    const len = Math.min(total - pos, size(rng, 100000));
    const data = stream(salt, pos, len);
    const op = rng.below(3);
    if (op === 0) pos += (yield* s.write(data)) as number;
    else if (op === 1) {
      yield* s.writeAll(data);
      pos += len;
    } else {
      yield* s.writable();
      try {
        pos += s.tryWrite(data);
      } catch (e) {
        assert.instance(e, WouldBlockError); // spurious readiness is allowed
      }
    }
  }
  yield* s.shutdown();
  return pos;
}

/** Reads until EOF with random sizes; some reads are raced against a short sleep and dropped. */
function* receiver(r: AsyncRead & { read(b: Uint8Array): any }, salt: number, rng: SeededRng, guard = 2_000_000) {
  let pos = 0;
  let drops = 0;
  for (let i = 0; i < guard; i++) {
    const buf = new Uint8Array(size(rng, 70000));
    const how = rng.below(3);
    let n: number;
    if (how === 0) {
      const res = yield* select({ op: r.read(buf) as import("@tokio-ts/core").Future<number>, t: sleep(rng.between(0, 1)) });
      if (res.key === "t") {
        drops++;
        continue;
      }
      n = res.value;
    } else n = (yield* read(r, buf)) as number;
    if (n === 0) return { pos, drops };
    assertStreamAt(salt, pos, buf.subarray(0, n), "receiver");
    pos += n;
  }
  throw new Error("receiver: too many iterations");
}

function* echoServer(s: Stream, rng: SeededRng) {
  // The server echoes through split halves (borrowed or owned), then half-closes.
  const owned = rng.below(2) === 0;
  const [rd, wr] = owned ? s.intoSplit() : s.split();
  let n = 0;
  for (;;) {
    const buf = new Uint8Array(size(rng, 65536));
    const k = yield* rd.read(buf);
    if (k === 0) break;
    yield* wr.writeAll(buf.subarray(0, k));
    n += k;
  }
  yield* wr.shutdown();
  if (owned) {
    (wr as unknown as { close(): void }).close();
    (rd as unknown as { close(): void }).close();
  }
  return n;
}

async function echoScenario(rt: import("@tokio-ts/runtime").Runtime, seed: number, unix: boolean) {
  const path = pathJoin(tmpdir(), `tokio-ts-stress-io-${process.pid}-${seed}.sock`);
  await guard(rt.blockOn(function* () {
    const rng = new SeededRng(seed * 83 + 1);
    const listener = unix ? yield* UnixListener.bind(path) : yield* TcpListener.bind("127.0.0.1:0");
    const total = rng.below(5) === 0 ? 0 : rng.between(1, 600000);
    const server = spawn(function* () {
      const [s] = (yield* listener.accept()) as [Stream, unknown];
      const n = yield* echoServer(s, new SeededRng(seed + 1));
      s.close();
      return n;
    });
    const client: Stream = unix ? yield* UnixStream.connect(path) : yield* TcpStream.connect((listener as TcpListener).localAddr());
    const owned = rng.below(2) === 0;
    const [rd, wr] = owned ? client.intoSplit() : client.split();
    const w = spawn(sender(wr, 91, total, new SeededRng(seed + 2)));
    const r = spawn(receiver(rd, 91, new SeededRng(seed + 3)));
    assert.is(yield* w, total);
    const got = yield* r;
    assert.is(got.pos, total, "the echo came back whole, then EOF");
    assert.is(yield* server, total);
    if (owned) {
      (wr as unknown as { close(): void }).close();
      (rd as unknown as { close(): void }).close();
    }
    client.close();
    listener.close();
    yield* noRegistrationsLeft();
  }), 30_000, `seed ${seed}`);
  await noSocketsLeft();
}

test("TcpStream echo: random chunks, split/intoSplit halves, reads dropped by select, half-close: the echo is whole, then EOF", async () => {
  await forEachSeed(15, (rt, seed) => echoScenario(rt, seed, false), IO);
});

test("UnixStream echo: the same over a Unix socket", async () => {
  await forEachSeed(8, (rt, seed) => echoScenario(rt, seed + 1000, true), IO);
});

test("TcpStream on a paused clock: reads dropped by timeouts that fire at once while waiting lose nothing", async () => {
  await forEachSeed(
    6,
    (rt, seed) =>
      guard(rt.blockOn(function* () {
        const rng = new SeededRng(seed * 89 + 1);
        const listener = yield* TcpListener.bind("127.0.0.1:0");
        const total = rng.between(1, 200000);
        const server = spawn(function* () {
          const [s] = yield* listener.accept();
          const sent = yield* sender(s, 92, total, new SeededRng(seed + 5), 1000); // virtual pauses: the reader's timeouts win some races
          s.close();
          return sent;
        });
        const client = yield* TcpStream.connect(listener.localAddr());
        let pos = 0;
        let drops = 0;
        for (let i = 0; i < 5_000_000; i++) {
          const buf = new Uint8Array(size(rng, 30000));
          let n: number;
          try {
            n = yield* timeout(rng.between(1, 1000), client.read(buf));
          } catch (e) {
            if (!(e instanceof Elapsed)) throw e;
            drops++;
            continue;
          }
          if (n === 0) break;
          assertStreamAt(92, pos, buf.subarray(0, n), "paused-clock read");
          pos += n;
        }
        assert.is(pos, total);
        assert.is(yield* server, total);
        client.close();
        listener.close();
        yield* noRegistrationsLeft();
        return drops;
      }), 30_000, `seed ${seed}`),
    IO_PAUSED,
  ).then((drops) => assert.ok(drops.some((d) => d > 0), `no read was dropped: ${JSON.stringify(drops)}`));
  await noSocketsLeft();
});

test("TcpStream peek vs read: peek consumes nothing (the next read starts with the peeked bytes), also when peeks are dropped", async () => {
  await forEachSeed(
    10,
    (rt, seed) =>
      guard(rt.blockOn(function* () {
        const rng = new SeededRng(seed * 97 + 1);
        const listener = yield* TcpListener.bind("127.0.0.1:0");
        const total = rng.between(1, 100000);
        const server = spawn(function* () {
          const [s] = yield* listener.accept();
          const sent = yield* sender(s, 93, total, new SeededRng(seed + 7));
          s.close();
          return sent;
        });
        const client = yield* TcpStream.connect(listener.localAddr());
        const [rd] = client.split();
        let pos = 0;
        for (let i = 0; i < 1_000_000; i++) {
          const pbuf = new Uint8Array(size(rng, 20000));
          const p = yield* select({ op: (rng.below(2) === 0 ? client : rd).peek(pbuf), t: sleep(rng.between(0, 1)) });
          if (p.key === "t") continue;
          const k = p.value;
          if (k === 0) {
            // EOF for peek: read agrees.
            assert.is(yield* client.read(new Uint8Array(10)), 0);
            break;
          }
          assertStreamAt(93, pos, pbuf.subarray(0, k), "peek");
          // A second peek sees the same first bytes (at least as many).
          const again = new Uint8Array(k);
          assert.is(yield* client.peek(again), k);
          assertStreamAt(93, pos, again, "peek again");
          const rbuf = new Uint8Array(size(rng, 20000));
          const n = yield* client.read(rbuf);
          assert.ok(n >= Math.min(k, rbuf.length), `read ${n} < peeked ${k}`);
          assertStreamAt(93, pos, rbuf.subarray(0, n), "read after peek");
          pos += n;
        }
        assert.is(pos, total);
        assert.is(yield* server, total);
        client.close();
        listener.close();
        yield* noRegistrationsLeft();
      }), 30_000, `seed ${seed}`),
    IO,
  );
  await noSocketsLeft();
});

test("TcpStream tryRead after readable(): WouldBlockError or bytes of the stream in order, 0 only at EOF; tryWrite until WouldBlock, then writable(), under a slow reader", async () => {
  await forEachSeed(
    10,
    (rt, seed) =>
      guard(rt.blockOn(function* () {
        const rng = new SeededRng(seed * 101 + 1);
        const listener = yield* TcpListener.bind("127.0.0.1:0");
        // Big enough, in most seeds, to fill the socket buffers (~4 MB on loopback) while the
        // client does not read yet.
        const total = rng.between(1, 7_000_000);
        let wouldBlockW = 0;
        let serverDone = false;
        const server = spawn(function* () {
          const [s] = yield* listener.accept();
          let pos = 0;
          const wrng = new SeededRng(seed + 11);
          while (pos < total) {
            const data = stream(94, pos, Math.min(total - pos, size(wrng, 200000)));
            try {
              const n = s.tryWrite(data);
              assert.ok(n >= 1 && n <= data.length);
              pos += n;
            } catch (e) {
              // Full: nothing was taken; wait with writable() and try again.
              assert.instance(e, WouldBlockError);
              assert.is((e as WouldBlockError).code, "EWOULDBLOCK");
              wouldBlockW++;
              yield* s.writable();
            }
          }
          yield* s.shutdown();
          serverDone = true;
          s.close();
          return pos;
        });
        const client = yield* TcpStream.connect(listener.localAddr());
        // Do not read until the server's writes hit WouldBlock (or it wrote everything).
        for (let i = 0; i < 100000 && wouldBlockW === 0 && !serverDone; i++) yield* sleep(1);
        let pos = 0;
        let wouldBlockR = 0;
        for (let i = 0; i < 10_000_000; i++) {
          if (rng.below(50) === 0) yield* sleep(rng.between(1, 5)); // slow now and then: the writer blocks
          yield* client.readable();
          const buf = new Uint8Array(size(rng, 100000));
          let n: number;
          try {
            n = client.tryRead(buf);
          } catch (e) {
            assert.instance(e, WouldBlockError);
            wouldBlockR++;
            continue;
          }
          if (n === 0) break;
          assertStreamAt(94, pos, buf.subarray(0, n), "tryRead");
          pos += n;
        }
        assert.is(pos, total);
        assert.is(yield* server, total);
        // After EOF: tryRead is 0 (not WouldBlock), readable() is ready at once.
        assert.is(client.tryRead(new Uint8Array(4)), 0);
        yield* client.readable();
        client.close();
        listener.close();
        yield* noRegistrationsLeft();
        return [wouldBlockR, wouldBlockW];
      }), 30_000, `seed ${seed}`),
    IO,
  ).then((counts) => {
    assert.ok(counts.some(([, w]) => w > 0), `tryWrite never hit WouldBlock: ${JSON.stringify(counts)}`);
  });
  await noSocketsLeft();
});

test("TcpStream half-close: after the client's shutdown() the server reads every byte then EOF, and can still send; the client reads it all", async () => {
  await forEachSeed(
    10,
    (rt, seed) =>
      guard(rt.blockOn(function* () {
        const rng = new SeededRng(seed * 103 + 1);
        const listener = yield* TcpListener.bind("127.0.0.1:0");
        const up = rng.between(0, 300000);
        const down = rng.between(0, 300000);
        const server = spawn(function* () {
          const [s] = yield* listener.accept();
          const all = yield* readToEnd(s); // EOF only after the client's shutdown
          assertStreamAt(95, 0, all, "server readToEnd");
          assert.is(all.length, up);
          const sent = yield* sender(s, 96, down, new SeededRng(seed + 13));
          s.close();
          return sent;
        });
        const client = yield* TcpStream.connect(listener.localAddr());
        assert.is(yield* sender(client, 95, up, new SeededRng(seed + 14)), up);
        // Writes after shutdown fail with EPIPE.
        try {
          yield* client.write(new Uint8Array(1));
          assert.unreachable("write after shutdown");
        } catch (e) {
          assert.is((e as { code?: string }).code, "EPIPE");
        }
        const back = yield* readToEnd(client as AsyncRead);
        assertStreamAt(96, 0, back, "client readToEnd");
        assert.is(back.length, down);
        assert.is(yield* server, down);
        client.close();
        listener.close();
        yield* noRegistrationsLeft();
      }), 30_000, `seed ${seed}`),
    IO,
  );
  await noSocketsLeft();
});

// Quiet the unused-import checker for types used only in annotations.
export type _Unused = AsyncWrite;

test("TcpListener.accept dropped by select takes no connection; TcpStream.connect dropped leaves no socket behind", async () => {
  await forEachSeed(
    10,
    (rt, seed) =>
      guard(rt.blockOn(function* () {
        const rng = new SeededRng(seed * 107 + 1);
        const listener = yield* TcpListener.bind("127.0.0.1:0");
        const n = rng.between(1, 12);
        const clients = [];
        for (let i = 0; i < n; i++) {
          clients.push(
            spawn(function* () {
              // A few connects are given up on first (their sockets must be destroyed).
              for (let k = rng.below(3); k > 0; k--) {
                const r = yield* select({ c: TcpStream.connect(listener.localAddr()), t: sleep(0) });
                if (r.key === "c") r.value.close();
              }
              const c = yield* TcpStream.connect(listener.localAddr());
              yield* c.writeAll(new Uint8Array([1, i]));
              yield* c.shutdown();
              const rest = yield* readToEnd(c);
              c.close();
              return rest.length;
            }),
          );
        }
        const seen = new Set<number>();
        let drops = 0;
        for (let guard = 0; guard < 1_000_000 && seen.size < n; guard++) {
          const r = yield* select({ a: listener.accept(), t: sleep(rng.between(0, 1)) });
          if (r.key === "t") {
            drops++;
            continue;
          }
          const [s] = r.value;
          let msg: Uint8Array;
          try {
            msg = yield* readToEnd(s);
          } catch (e) {
            msg = new Uint8Array(0); // an abandoned connect may be reset
            assert.is((e as { code?: string }).code, "ECONNRESET");
          }
          // A connect that was given up on may still reach us: it sends nothing.
          if (msg.length === 2 && msg[0] === 1) {
            assert.not.ok(seen.has(msg[1]!), `client ${msg[1]} accepted twice`);
            seen.add(msg[1]!);
          } else assert.is(msg.length, 0, "an abandoned connect sends nothing");
          s.close();
        }
        assert.is(seen.size, n, "every client accepted once");
        for (const c of clients) assert.is(yield* c, 0);
        listener.close();
        yield* noRegistrationsLeft();
        return drops;
      }), 30_000, `seed ${seed}`),
    IO,
  );
  await noSocketsLeft();
});

test("close() wakes every pending operation on the stream with ERR_SOCKET_CLOSED (read, peek, readable, ready, readExact, readToEnd, readLine, copy, halves, a blocked writeAll, flush)", async () => {
  const ops: Record<string, (s: TcpStream) => import("@tokio-ts/core").Future<unknown>> = {
    read: (s) => s.read(new Uint8Array(10)),
    peek: (s) => s.peek(new Uint8Array(10)),
    readable: (s) => s.readable(),
    ready: (s) => s.ready(Interest.READABLE),
    readExact: (s) => readExact(s, new Uint8Array(10)),
    readToEnd: (s) => readToEnd(s),
    readLine: (s) => readLine(new BufReader(s)),
    copy: (s) => copy(s, sink()),
    splitRead: (s) => s.split()[0].read(new Uint8Array(10)),
    ownedRead: (s) => s.intoSplit()[0].read(new Uint8Array(10)),
    writeAll: (s) => s.writeAll(new Uint8Array(16 << 20)), // the peer never reads: it blocks
    flush: (s) => fromGenerator(function* () {
      yield* s.write(new Uint8Array(60000));
      for (let i = 0; i < 200; i++) yield* s.write(new Uint8Array(60000));
      return yield* s.flush();
    }),
  };
  const names = Object.keys(ops);
  await forEachSeed(
    names.length,
    (rt, seed) =>
      guard(rt.blockOn(function* () {
        const name = names[seed]!;
        const listener = yield* TcpListener.bind("127.0.0.1:0");
        const client = yield* TcpStream.connect(listener.localAddr());
        const [s] = yield* listener.accept();
        const h = spawn(function* () {
          try {
            yield* ops[name]!(s);
            return "resolved";
          } catch (e) {
            return String((e as { code?: string }).code ?? (e as Error).name);
          }
        });
        yield* sleep(new SeededRng(seed).between(1, 10));
        s.close();
        assert.is(yield* h, "ERR_SOCKET_CLOSED", name);
        client.close();
        listener.close();
        yield* noRegistrationsLeft();
      }), 30_000, `seed ${seed}`),
    IO,
  );
  await noSocketsLeft();
});

test.run();
