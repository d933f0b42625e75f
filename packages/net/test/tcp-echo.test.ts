import { test } from "uvu";
import * as assert from "uvu/assert";
import { Builder, spawn } from "@tokio-ts/runtime";
import { TcpListener, TcpStream, SocketAddr } from "../src/index.js";
import { run } from "./helpers.js";

function runtime() {
  return Builder.newCurrentThread().enableAll().build();
}

test("accept, connect and an echo round trip", async () => {
  const rt = runtime();
  const got = await rt.blockOn(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const addr = listener.localAddr();
    assert.ok(addr instanceof SocketAddr);
    assert.is(addr.ip, "127.0.0.1");
    assert.ok(addr.port > 0);
    const server = spawn(function* () {
      const [stream, peer] = yield* listener.accept();
      assert.is(peer.ip, "127.0.0.1");
      const buf = new Uint8Array(1024);
      for (let n; (n = yield* stream.read(buf)) > 0; ) yield* stream.writeAll(buf.subarray(0, n));
      yield* stream.shutdown();
      stream.close();
      return peer;
    });
    const client = yield* TcpStream.connect(addr);
    assert.equal(client.peerAddr(), addr);
    yield* client.writeAll(new TextEncoder().encode("hello, tokio"));
    yield* client.shutdown();
    const chunks: number[] = [];
    const buf = new Uint8Array(3);
    for (let n; (n = yield* client.read(buf)) > 0; ) chunks.push(...buf.subarray(0, n));
    const peer = yield* server;
    assert.is(peer.port, client.localAddr().port);
    client.close();
    listener.close();
    return new TextDecoder().decode(new Uint8Array(chunks));
  });
  assert.is(got, "hello, tokio");
  await rt.shutdownTimeout(1000);
});

test("a connection's addresses are one object each: accept()'s address is its peerAddr(), usable as the same Map key", async () => {
  const out = await run(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const client = yield* TcpStream.connect(listener.localAddr());
    const [stream, peer] = yield* listener.accept();
    const peers = new Map([[peer, "client"]]);
    const out = {
      sameAsAccept: stream.peerAddr() === peer,
      stable: stream.peerAddr() === stream.peerAddr() && client.peerAddr() === client.peerAddr(),
      found: peers.get(stream.peerAddr()),
      byString: new Map([[String(peer), 1]]).get(String(client.localAddr())),
    };
    stream.close();
    client.close();
    listener.close();
    return out;
  });
  assert.equal(out, { sameAsAccept: true, stable: true, found: "client", byString: 1 });
});

test("the tests' leak check fails a test that leaves a socket open", async () => {
  let leaked: TcpListener | undefined;
  let error: unknown;
  try {
    await run(function* () {
      leaked = yield* TcpListener.bind("127.0.0.1:0");
    });
  } catch (e) {
    error = e;
  }
  leaked?.close();
  assert.match(String(error), /left 1 socket\(s\) open/, String(error));
});

test.run();
