import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "@tokio-ts/runtime";
import { errorKind, UnixListener, UnixStream, UnixSocketAddr } from "../src/index.js";
import { hasCode, pattern, run } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "tokio-ts-unix-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("a Unix socket echo round trip with half-close; the file is removed on close", async () => {
  const path = join(dir, "echo.sock");
  const data = pattern(new Uint8Array(1 << 20), 17);
  const back = await run(function* () {
    const listener = yield* UnixListener.bind(path);
    assert.is(listener.localAddr().asPathname(), path);
    assert.ok(existsSync(path));
    const server = spawn(function* () {
      const [stream, peer] = yield* listener.accept();
      assert.ok(peer.isUnnamed());
      assert.is(stream.localAddr().asPathname(), path);
      const buf = new Uint8Array(8192);
      for (let n; (n = yield* stream.read(buf)) > 0; ) yield* stream.writeAll(buf.subarray(0, n));
      yield* stream.shutdown();
      stream.close();
    });
    const client = yield* UnixStream.connect(path);
    assert.is(client.peerAddr().toString(), path);
    assert.ok(client.localAddr().isUnnamed());
    const reading = spawn(function* () {
      const out: Uint8Array[] = [];
      const buf = new Uint8Array(10_000);
      for (let n; (n = yield* client.read(buf)) > 0; ) out.push(buf.slice(0, n));
      return Buffer.concat(out);
    });
    yield* client.writeAll(data);
    yield* client.shutdown();
    const back = yield* reading;
    yield* server;
    client.close();
    listener.close();
    return back;
  });
  assert.ok(back.equals(Buffer.from(data)));
  await new Promise((r) => setImmediate(r));
  assert.not.ok(existsSync(path), "closing the listener removes the socket file");
});

test("a relative path of digits only (\"12345\") is bound as a path, not taken for a port as Node's listen() would", async () => {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const echoed = await run(function* () {
      const listener = yield* UnixListener.bind("12345");
      try {
        assert.is(listener.localAddr().path, "12345");
        assert.ok(existsSync(join(dir, "12345")), "the socket file is in the working directory");
        const client = yield* UnixStream.connect("12345");
        const [server] = yield* listener.accept();
        yield* client.writeAll(new Uint8Array([7]));
        const buf = new Uint8Array(1);
        assert.is(yield* server.read(buf), 1);
        client.close();
        server.close();
        return buf[0];
      } finally {
        listener.close();
      }
    });
    assert.is(echoed, 7);
  } finally {
    process.chdir(cwd);
  }
});

test("binding an existing path fails with EADDRINUSE naming it; connecting to a missing one with ENOENT", async () => {
  const used = join(dir, "used.sock");
  writeFileSync(used, "");
  const [bindError, connectError] = await run(function* () {
    let bindError: unknown;
    let connectError: unknown;
    try {
      (yield* UnixListener.bind(used)).close();
    } catch (e) {
      bindError = e;
    }
    try {
      (yield* UnixStream.connect(join(dir, "missing.sock"))).close();
    } catch (e) {
      connectError = e;
    }
    return [bindError, connectError];
  });
  assert.ok(hasCode(bindError, "EADDRINUSE"), String(bindError));
  assert.ok((bindError as Error).message.includes(used));
  assert.ok(hasCode(connectError, "ENOENT"), String(connectError));
  assert.ok((connectError as Error).message.includes("missing.sock"));
});

test("binding in a directory that does not exist fails with ENOENT (NOT_FOUND, as Tokio), not libuv's EACCES, and says the directory is missing", async () => {
  const path = join(dir, "no-such-dir", "x.sock");
  const error = await run(function* () {
    try {
      (yield* UnixListener.bind(path)).close();
    } catch (e) {
      return e;
    }
    return undefined;
  });
  assert.ok(hasCode(error, "ENOENT"), String(error));
  assert.is(errorKind(error), "NOT_FOUND");
  assert.ok((error as Error).message.includes("ENOENT: no such file or directory"), (error as Error).message);
  assert.ok((error as Error).message.includes(`(the directory ${join(dir, "no-such-dir")} does not exist)`), (error as Error).message);
});

test("a Unix listener is an async iterable of streams, ending when closed", async () => {
  const path = join(dir, "iterate.sock");
  const n = await run(function* () {
    const listener = yield* UnixListener.bind(path);
    const server = spawn(async () => {
      let count = 0;
      for await (const stream of listener) {
        count++;
        stream.close();
        if (count === 2) listener.close();
      }
      return count;
    });
    for (let i = 0; i < 2; i++) (yield* UnixStream.connect(path)).close();
    return yield* server;
  });
  assert.is(n, 2);
  assert.not.ok(existsSync(path), "closing the listener removed the socket file");
});

test("bad paths are TypeErrors at the call", () => {
  for (const bad of ["", 42, null, "a\0b"]) {
    assert.throws(() => UnixStream.connect(bad as never), (e: unknown) => e instanceof TypeError && /path/.test(e.message));
    assert.throws(() => UnixListener.bind(bad as never), (e: unknown) => e instanceof TypeError && /path/.test(e.message));
  }
  assert.is(String(new UnixSocketAddr(undefined)), "(unnamed)");
});

test("a Linux abstract name (a leading NUL) binds and connects with no file; elsewhere it is a TypeError at the call", async () => {
  const name = `\0tokio-ts-test-${process.pid}`;
  if (process.platform !== "linux") {
    assert.throws(() => UnixListener.bind(name), (e: unknown) => e instanceof TypeError && /Linux only/.test(e.message));
    return;
  }
  for (const bad of ["\0", "\0a\0b"]) {
    assert.throws(() => UnixListener.bind(bad), (e: unknown) => e instanceof TypeError && /abstract socket/.test(e.message), JSON.stringify(bad));
  }
  assert.throws(() => UnixStream.connect("\0" + "x".repeat(108)), (e: unknown) => e instanceof RangeError && /sun_path/.test(e.message));
  const out = await run(function* () {
    const listener = yield* UnixListener.bind(name);
    const server = spawn(function* () {
      const [stream] = yield* listener.accept();
      const buf = new Uint8Array(16);
      const n = yield* stream.read(buf);
      yield* stream.writeAll(buf.subarray(0, n));
      stream.close();
    });
    const client = yield* UnixStream.connect(name);
    yield* client.writeAll(new TextEncoder().encode("abstract"));
    const buf = new Uint8Array(16);
    const n = yield* client.read(buf);
    yield* server;
    const local = listener.localAddr();
    const out = {
      echoed: new TextDecoder().decode(buf.subarray(0, n)),
      name: local.asAbstractName(),
      pathname: local.asPathname(),
      shown: String(client.peerAddr()),
    };
    client.close();
    listener.close();
    return out;
  });
  const bare = name.slice(1);
  assert.equal(out, { echoed: "abstract", name: bare, pathname: undefined, shown: `@${bare}` });
});

test("a path too long for sun_path is a RangeError at the call; the longest that fits binds under its full name", async () => {
  // sockaddr_un.sun_path: 104 bytes on macOS and the BSDs, 108 on Linux, NUL included.
  const size = ["darwin", "freebsd", "openbsd", "netbsd"].includes(process.platform) ? 104 : 108;
  const longest = join(dir, "z".repeat(size - 1 - Buffer.byteLength(join(dir, ".sock")))) + ".sock";
  assert.is(Buffer.byteLength(longest), size - 1);
  const tooLong = join(dir, "z".repeat(120) + ".sock");
  const multiByte = longest.slice(0, -"z.sock".length) + "é.sock"; // as many characters, one byte more
  for (const path of [tooLong, multiByte, longest + "x"]) {
    const bytes = Buffer.byteLength(path);
    const message = `path must be shorter than ${size} bytes (the size of sun_path on ${process.platform}), got ${bytes} bytes (UTF-8): ${JSON.stringify(path)}; use a shorter path`;
    for (const call of [() => UnixListener.bind(path), () => UnixStream.connect(path)]) {
      assert.throws(call, (e: unknown) => e instanceof RangeError && e.message === message);
    }
    assert.not.ok(existsSync(path));
  }
  await run(function* () {
    const listener = yield* UnixListener.bind(longest);
    assert.is(listener.localAddr().asPathname(), longest);
    assert.ok(existsSync(longest), "the socket file has the full name, not a truncated one");
    (yield* UnixStream.connect(longest)).close();
    (yield* listener.accept())[0].close();
    listener.close();
  });
});

test("UnixStream.ready(interest): a non-number is a TypeError, a fractional interest a RangeError", async () => {
  const path = join(dir, "ready.sock");
  await run(function* () {
    const listener = yield* UnixListener.bind(path);
    const accepting = spawn(listener.accept());
    const client = yield* UnixStream.connect(path);
    const [server] = yield* accepting;
    assert.throws(() => client.ready("1" as never), (e: unknown) => e instanceof TypeError && /^interest must be a number/.test((e as Error).message));
    assert.throws(() => client.ready(3.5), (e: unknown) => e instanceof RangeError && /got 3\.5$/.test((e as Error).message));
    client.close();
    server.close();
    listener.close();
  });
});

test("a closed UnixStream: addresses and split fail with ERR_SOCKET_CLOSED; close() and disposal stay silent", async () => {
  const path = join(dir, "closed.sock");
  await run(function* () {
    const listener = yield* UnixListener.bind(path);
    const accepting = spawn(listener.accept());
    const client = yield* UnixStream.connect(path);
    const [server] = yield* accepting;
    assert.is(client.peerAddr().asPathname(), path);
    client.close();
    for (const [what, f] of [["localAddr", () => client.localAddr()], ["peerAddr", () => client.peerAddr()], ["split", () => client.split()], ["intoSplit", () => client.intoSplit()]] as const) {
      assert.throws(f, (e: unknown) => hasCode(e, "ERR_SOCKET_CLOSED"), what);
    }
    client.close();
    client[Symbol.dispose]();
    server.close();
    listener.close();
  });
});

test("Unix streams split into owned halves like TCP streams", async () => {
  const path = join(dir, "split.sock");
  const text = await run(function* () {
    const listener = yield* UnixListener.bind(path);
    const accepting = spawn(listener.accept());
    const client = yield* UnixStream.connect(path);
    const [server] = yield* accepting;
    const [rd, wr] = server.intoSplit();
    const echo = spawn(function* () {
      const buf = new Uint8Array(64);
      for (let n; (n = yield* rd.read(buf)) > 0; ) yield* wr.writeAll(buf.subarray(0, n));
      wr.close();
      rd.close();
    });
    yield* client.writeAll(new TextEncoder().encode("over a unix socket"));
    yield* client.shutdown();
    const buf = new Uint8Array(64);
    let text = "";
    for (let n; (n = yield* client.read(buf)) > 0; ) text += new TextDecoder().decode(buf.subarray(0, n));
    yield* echo;
    client.close();
    listener.close();
    return text;
  });
  assert.is(text, "over a unix socket");
});

test.run();
