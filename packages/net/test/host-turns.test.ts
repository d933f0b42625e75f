/**
 * Socket events come from the host's event loop itself, so the drains they start run in a
 * microtask even when the runtime has used up its `eventInterval`: the loop has just run
 * (`DriverHost.hostTurn`). Without that, every wake from a socket after a long enough drain
 * would wait for a `setImmediate`, behind the loop's other I/O callbacks.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fromPromise } from "@tokio-ts/core";
import { Builder, yieldNow } from "@tokio-ts/runtime";
import { countSetImmediate } from "@tokio-ts/test-util";
import * as dgram from "node:dgram";
import * as net from "node:net";
import { TcpListener, UdpSocket } from "../src/index.js";
import { noSocketsLeft } from "./helpers.js";

const ROUNDS = 20;

/**
 * Run `body` on a runtime with `eventInterval(1)` — after every tick the next drain would go
 * through `setImmediate` — and count the `setImmediate` calls made meanwhile.
 */
async function countImmediates(body: () => Generator<unknown, void, any>): Promise<number> {
  const rt = Builder.newCurrentThread().eventInterval(1).enableIo().build();
  try {
    // The spy sees the runtime's own host yields: 10 yields under eventInterval(1) take ~10.
    const [, seen] = await countSetImmediate(() => rt.blockOn(tenYields));
    assert.ok(seen >= 5, `the spy saw ${seen} setImmediate calls for 10 host yields`);
    const [, calls] = await countSetImmediate(() => rt.blockOn(body));
    await noSocketsLeft();
    return calls;
  } finally {
    await rt.shutdownTimeout(1000);
  }
}

function* tenYields(): Generator<unknown, void, any> {
  for (let i = 0; i < 10; i++) yield* yieldNow();
}

test("accepted connections and their reads wake the task in a microtask, not behind setImmediate", async () => {
  const immediates = await countImmediates(function* () {
    using listener = yield* TcpListener.bind("127.0.0.1:0");
    const port = listener.localAddr().port;
    // The client is plain Node: one connection at a time, each sends a byte and waits for it.
    const client = (async () => {
      for (let i = 0; i < ROUNDS; i++) {
        await new Promise<void>((resolve, reject) => {
          const socket = net.connect(port, "127.0.0.1", () => socket.write(Uint8Array.of(i)));
          socket.once("data", (echo) => {
            socket.destroy();
            if (echo[0] === i) resolve();
            else reject(new Error(`round ${i}: got ${echo[0]}`));
          });
          socket.once("error", reject);
        });
      }
    })();
    const byte = new Uint8Array(1);
    for (let i = 0; i < ROUNDS; i++) {
      const [stream] = yield* listener.accept();
      assert.is(yield* stream.read(byte), 1);
      yield* stream.writeAll(byte);
      stream.close();
    }
    yield* fromPromise(client);
  });
  // Without host turns: a setImmediate for (nearly) every accept and every read.
  assert.ok(immediates < ROUNDS / 2, `${immediates} setImmediate calls for ${ROUNDS} connections`);
});

test("received datagrams wake the task in a microtask, not behind setImmediate", async () => {
  const immediates = await countImmediates(function* () {
    const socket = yield* UdpSocket.bind("127.0.0.1:0");
    const port = socket.localAddr().port;
    const peer = dgram.createSocket("udp4");
    const client = (async () => {
      await new Promise<void>((resolve) => peer.bind(0, "127.0.0.1", resolve));
      for (let i = 0; i < ROUNDS; i++) {
        const reply = new Promise<Buffer>((resolve) => peer.once("message", resolve));
        peer.send(Uint8Array.of(i), port, "127.0.0.1");
        assert.is((await reply)[0], i);
      }
      await new Promise<void>((resolve) => peer.close(() => resolve()));
    })();
    try {
      const buf = new Uint8Array(16);
      for (let i = 0; i < ROUNDS; i++) {
        const [n, from] = yield* socket.recvFrom(buf);
        // trySendTo: a send's completion comes in a nextTick, which is no host turn (its wake
        // rightly waits for setImmediate under eventInterval(1)); only receiving is counted here.
        assert.is(socket.trySendTo(buf.subarray(0, n), from), n);
      }
      yield* fromPromise(client);
    } finally {
      socket.close();
    }
  });
  assert.ok(immediates < ROUNDS / 2, `${immediates} setImmediate calls for ${ROUNDS} datagrams`);
});

test.run();
