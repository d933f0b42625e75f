// UnixListener / UnixStream: random paths (and Linux abstract names), accept dropped at random
// (no connection lost or accepted twice), close() unlinks the socket file and fails pending
// accepts, queued clients read EOF, path checks at the call, connect/bind errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import { sleep, timeout } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { yieldNow } from "@tokio-ts/core";
import { readExact } from "@tokio-ts/io-driver";
import { UnixListener, UnixStream } from "@tokio-ts/net";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { failsWith, idOf, noRegistrations, openOf, socketSeeds, throwsAt, u32, waitUntil, X } from "./support.js";

const NAMECHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_.é日";

function randomName(rng: SeededRng, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += NAMECHARS[rng.below(NAMECHARS.length)];
  return s;
}

test("UnixListener: accept dropped at random, every connection accepted once; close unlinks the file and fails pending accepts", async () => {
  await socketSeeds("unix accept", { seeds: 25 * X, hangMs: 20_000, startPaused: true }, function* (seed, dir) {
    const rng = new SeededRng(seed * 19 + 2);
    const abstract = process.platform === "linux" && rng.below(3) === 0;
    const name = `${seed}-${randomName(rng, rng.between(1, 20))}.sock`;
    const path = abstract ? `\0tk-${process.pid}-${name}` : join(dir, name);
    const listener = yield* UnixListener.bind(path);
    if (abstract) {
      assert.is(listener.localAddr().asAbstractName(), path.slice(1));
      assert.is(listener.localAddr().asPathname(), undefined);
      assert.is(listener.localAddr().toString(), `@${path.slice(1)}`);
    } else {
      assert.ok(existsSync(path), "socket file made");
      assert.is(listener.localAddr().asPathname(), path);
    }
    // a second bind of the same path: EADDRINUSE
    yield* failsWith(() => UnixListener.bind(path), "EADDRINUSE", "second bind");
    const n = rng.between(1, 25);
    const seen = new Map<number, number>();
    const clients: JoinHandle<void>[] = [];
    for (let id = 0; id < n; id++) {
      clients.push(spawn(function* () {
        yield* sleep(rng.below(3));
        const c = yield* UnixStream.connect(path);
        assert.ok(c.localAddr().isUnnamed());
        assert.is(c.peerAddr().toString(), abstract ? `@${path.slice(1)}` : path);
        yield* c.writeAll(u32(id));
        const b = new Uint8Array(1);
        yield* readExact(c, b);
        assert.is(b[0], id & 0xff);
        c.close();
      }));
    }
    const acceptor = (salt: number) =>
      spawn(function* () {
        const r = new SeededRng(seed * 1000 + salt);
        for (;;) {
          let got: UnixStream | undefined;
          const m = r.below(4);
          if (m === 0) [got] = yield* listener.accept();
          else if (m === 1) {
            const s = yield* select({ a: listener.accept(), y: yieldNow() });
            if (s.key === "a") got = s.value[0];
          } else if (m === 2) {
            const s = yield* select({ a: listener.accept(), t: sleep(r.below(3)) });
            if (s.key === "a") got = s.value[0];
          } else {
            try {
              [got] = yield* timeout(r.below(2), listener.accept());
            } catch (e) {
              if ((e as Error).name !== "Elapsed") throw e;
            }
          }
          if (got === undefined) continue;
          const s = got;
          spawn(function* () {
            const b = new Uint8Array(4);
            yield* readExact(s, b);
            const id = idOf(b);
            seen.set(id, (seen.get(id) ?? 0) + 1);
            yield* s.writeAll(new Uint8Array([id & 0xff]));
            s.close();
          });
        }
      });
    const acceptors = [acceptor(0), acceptor(1)];
    let spins = 0;
    while (seen.size < n) {
      if (++spins > 20000) assert.unreachable(`stuck: ${seen.size}/${n}`);
      yield* sleep(rng.below(2));
      if (rng.below(5) === 0) {
        const k = rng.below(2);
        acceptors[k]!.abort();
        acceptors[k] = acceptor(spins);
      }
    }
    for (const c of clients) yield* c;
    for (const a of acceptors) a.abort();
    for (const [id, c] of seen) assert.is(c, 1, `connection ${id} accepted once`);
    // pending accepts fail with ERR_SOCKET_CLOSED when the listener closes
    const pend: JoinHandle<unknown>[] = [];
    for (let i = 0; i < rng.between(0, 3); i++) pend.push(spawn(failsWith(() => listener.accept(), "ERR_SOCKET_CLOSED", "pending accept")));
    yield* yieldNow();
    listener.close();
    for (const p of pend) yield* p;
    if (!abstract) assert.not.ok(existsSync(path), "close() removed the socket file");
    yield* failsWith(() => UnixStream.connect(path), abstract ? "ECONNREFUSED" : "ENOENT", "connect after close");
    // the path can be bound again
    const again = yield* UnixListener.bind(path);
    again.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("UnixListener close with queued connections: their clients read EOF (documented), accepted streams stay usable", async () => {
  await socketSeeds("unix queued close", { seeds: 10 * X }, function* (seed, dir) {
    const rng = new SeededRng(seed + 3);
    const path = join(dir, `q${seed}.sock`);
    const listener = yield* UnixListener.bind(path);
    const c0 = yield* UnixStream.connect(path);
    const [s0] = yield* listener.accept();
    const basePipes = openOf("PipeWrap");
    const q = rng.between(1, 5);
    const qs: UnixStream[] = [];
    for (let i = 0; i < q; i++) qs.push(yield* UnixStream.connect(path));
    yield* waitUntil(() => openOf("PipeWrap") >= basePipes + 2 * q, "queued connections reach Node");
    listener.close();
    for (const c of qs) {
      try {
        const n = yield* c.read(new Uint8Array(8));
        assert.is(n, 0, "queued unix client reads EOF");
      } catch (e) {
        // the kernel's answer would be ECONNRESET; the docs promise EOF
        assert.unreachable(`queued unix client: ${String(e)}`);
      }
      c.close();
    }
    yield* c0.writeAll(new Uint8Array([5]));
    const b = new Uint8Array(1);
    yield* readExact(s0, b);
    assert.is(b[0], 5);
    c0.close();
    s0.close();
    yield* noRegistrations(`seed ${seed}`);
  });
});

test("Unix paths: checked at the call (empty, NUL, too long for sun_path), errors from the futures name the path", async () => {
  await socketSeeds("unix paths", { seeds: 3 * X }, function* (_seed, dir) {
    throwsAt(() => UnixListener.bind(""), TypeError, "empty");
    throwsAt(() => UnixListener.bind("a\0b"), TypeError, "NUL inside");
    throwsAt(() => UnixListener.bind(42 as never), TypeError, "number");
    throwsAt(() => UnixStream.connect(""), TypeError, "connect empty");
    if (process.platform === "linux") {
      throwsAt(() => UnixListener.bind("\0"), TypeError, "NUL alone");
      throwsAt(() => UnixListener.bind("\0a\0b"), TypeError, "abstract with NUL");
      throwsAt(() => UnixListener.bind("\0" + "x".repeat(108)), RangeError, "abstract too long");
    }
    // 108 bytes or more (UTF-8) is a RangeError; 107 fits
    const pad = (bytes: number) => {
      const base = join(dir, "/");
      return base + "p".repeat(bytes - Buffer.byteLength(base));
    };
    throwsAt(() => UnixListener.bind(pad(108)), RangeError, "108 bytes");
    throwsAt(() => UnixStream.connect(pad(200)), RangeError, "200 bytes");
    const multi = join(dir, "/") + "é".repeat(60); // 120 bytes, fewer than 108 chars
    throwsAt(() => UnixListener.bind(multi), RangeError, "multi-byte path over 108 bytes");
    const ok = pad(107);
    const l = yield* UnixListener.bind(ok);
    const c = yield* UnixStream.connect(ok);
    const [s] = yield* l.accept();
    s.close();
    c.close();
    l.close();
    assert.not.ok(existsSync(ok), "107-byte path unlinked");
    const e1 = yield* failsWith(() => UnixStream.connect(join(dir, "missing.sock")), "ENOENT", "connect to nothing");
    assert.match((e1 as Error).message, "missing.sock");
    // a stale regular file at the path: bind fails EADDRINUSE and leaves the file
    const stale = join(dir, "stale.sock");
    writeFileSync(stale, "x");
    yield* failsWith(() => UnixListener.bind(stale), "EADDRINUSE", "bind over a file");
    assert.ok(existsSync(stale));
    // a missing directory
    const e2 = yield* failsWith(() => UnixListener.bind(join(dir, "no/such/dir/x.sock")), "ENOENT", "bind in a missing dir");
    assert.match((e2 as Error).message, "does not exist");
    yield* noRegistrations("paths");
  });
});

test.run();
