import { test } from "uvu";
import * as assert from "uvu/assert";
import { Builder, spawn } from "@tokio-ts/runtime";
import { Instant, timeout } from "@tokio-ts/time";
import { TcpListener, TcpStream } from "../src/index.js";
import { noSocketsLeft } from "./helpers.js";

// With the clock paused, the runtime auto-advances it when every task is idle. Tokio first polls
// its I/O driver once without waiting, so bytes already on a socket win over a timer; so must we.
test("paused clock: an echo over loopback beats an hour-long timeout, 100 times in a row, and the clock does not move", async () => {
  const rt = Builder.newCurrentThread().enableAll().startPaused(true).build();
  try {
    const out = await rt.blockOn(function* () {
      const listener = yield* TcpListener.bind("127.0.0.1:0");
      const server = spawn(function* () {
        const [stream] = yield* listener.accept();
        const buf = new Uint8Array(64);
        for (let n; (n = yield* stream.read(buf)) > 0; ) yield* stream.writeAll(buf.subarray(0, n));
        stream.close();
      });
      const client = yield* TcpStream.connect(listener.localAddr());
      const start = Instant.now();
      const buf = new Uint8Array(64);
      let echoed = 0;
      for (let i = 0; i < 100; i++) {
        yield* client.writeAll(new TextEncoder().encode(`ping ${i}`));
        const n = yield* timeout(3_600_000, client.read(buf));
        if (new TextDecoder().decode(buf.subarray(0, n)) === `ping ${i}`) echoed++;
      }
      const elapsed = Instant.now().durationSince(start);
      yield* client.shutdown();
      yield* server;
      client.close();
      listener.close();
      return { echoed, elapsed };
    });
    assert.equal(out, { echoed: 100, elapsed: 0 });
    await noSocketsLeft();
  } finally {
    await rt.shutdownTimeout(1000);
  }
});

test.run();
