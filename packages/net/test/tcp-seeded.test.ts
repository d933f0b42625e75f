import { test } from "uvu";
import * as assert from "uvu/assert";
import { fromPromise } from "@tokio-ts/core";
import { JoinSet, spawn, yieldNow } from "@tokio-ts/runtime";
import { forEachSeed } from "@tokio-ts/test-util";
import { TcpListener, TcpStream } from "../src/index.js";
import { noSocketsLeft, pattern, tick } from "./helpers.js";

const seeds = { enableIo: true, enableTime: true } as const;

test("under seeded schedules, acceptors aborted mid-wait lose no connection", async () => {
  await forEachSeed(15, (rt) =>
    rt.blockOn(function* () {
      const N = 20;
      const listener = yield* TcpListener.bind("127.0.0.1:0");
      const accepted: number[] = [];
      const acceptors = [0, 1, 2].map(() =>
        spawn(function* () {
          for (;;) {
            const [stream, peer] = yield* listener.accept();
            accepted.push(peer.port);
            stream.close();
          }
        }),
      );
      const clients = new JoinSet<number>();
      for (let i = 0; i < N; i++) {
        clients.spawn(function* () {
          const s = yield* TcpStream.connect(listener.localAddr());
          const port = s.localAddr().port;
          s.close();
          return port;
        });
        if (i === 5) acceptors[0]!.abort();
        if (i === 12) acceptors[1]!.abort();
        yield* yieldNow();
      }
      const ports: number[] = [];
      for (let p; (p = yield* clients.joinNext()) !== undefined; ) ports.push(p as number);
      while (accepted.length < N) yield* fromPromise(tick());
      acceptors[2]!.abort();
      listener.close();
      assert.equal([...accepted].sort(), [...ports].sort());
    }), seeds);
  await noSocketsLeft();
});

test("under seeded schedules, readers aborted mid-stream take no byte: the next reader continues exactly", async () => {
  const data = pattern(new Uint8Array(256 * 1024), 23);
  await forEachSeed(10, (rt) =>
    rt.blockOn(function* () {
      const listener = yield* TcpListener.bind("127.0.0.1:0");
      const accepting = spawn(listener.accept());
      const client = yield* TcpStream.connect(listener.localAddr());
      const [server] = yield* accepting;
      listener.close();
      const writer = spawn(function* () {
        for (let off = 0; off < data.length; ) off += yield* server.write(data.subarray(off, off + 10_000));
        yield* server.shutdown();
      });
      const got = new Uint8Array(data.length);
      let at = 0;
      let done = false;
      const reader = () =>
        spawn(function* () {
          const buf = new Uint8Array(3000);
          for (;;) {
            const n = yield* client.read(buf);
            if (n === 0) {
              done = true;
              return;
            }
            got.set(buf.subarray(0, n), at);
            at += n;
          }
        });
      for (let round = 0; !done; round++) {
        const r = reader();
        for (let k = 0; k < 1 + (round % 5) && !done; k++) yield* fromPromise(tick());
        r.abort();
        yield* yieldNow();
      }
      yield* writer;
      assert.is(at, data.length);
      assert.ok(Buffer.from(got).equals(Buffer.from(data)));
      client.close();
      server.close();
    }), seeds);
  await noSocketsLeft();
});

test.run();
