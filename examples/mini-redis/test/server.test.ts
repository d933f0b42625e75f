/** serve() in-process on a real listener: connections share one Db; shutdown waits for them. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TcpListener, TcpStream } from "@tokio-ts/net";
import { spawn } from "@tokio-ts/runtime";
import { CancellationToken } from "@tokio-ts/sync";
import { serve } from "../src/server.js";
import { TestClient } from "./client.js";
import { run } from "./helpers.js";

test("clients share the Db; on shutdown serve() closes them and returns", async () => {
  await run(
    function* () {
      const listener = yield* TcpListener.bind("127.0.0.1:0");
      const shutdown = new CancellationToken();
      const errors: unknown[] = [];
      const server = spawn(() => serve(listener, { shutdown, onConnectionError: (e) => errors.push(e) }));
      const a = new TestClient(yield* TcpStream.connect(listener.localAddr()));
      const b = new TestClient(yield* TcpStream.connect(listener.localAddr()));
      const sub = new TestClient(yield* TcpStream.connect(listener.localAddr()));
      try {
        assert.is(yield* a.call("SET", "shared", "1"), "OK");
        assert.is(yield* b.call("GET", "shared"), "1");
        yield* sub.send("SUBSCRIBE", "events");
        assert.equal(yield* sub.reply(), ["subscribe", "events", 1]);
        assert.is(yield* a.call("PUBLISH", "events", "hello"), 1);
        assert.equal(yield* sub.reply(), ["message", "events", "hello"]);
        shutdown.cancel();
        yield* server;
        // Every connection was closed by the server: each client reads end of stream.
        assert.is(yield* a.reply(), undefined);
        assert.is(yield* b.reply(), undefined);
        assert.is(yield* sub.reply(), undefined);
        assert.equal(errors, []);
      } finally {
        for (const c of [a, b, sub]) (c.stream as TcpStream).close();
        listener.close();
      }
    },
    { io: true, paused: false },
  );
});

test.run();
