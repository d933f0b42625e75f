/** SIGINT stops mini-redis gracefully: it stops accepting, closes idle clients, exits 0. */
import { spawn } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cli, exited, startServer, watchOutput } from "./server-process.js";

test("SIGINT: connected clients are closed, the process exits 0 and says it stopped", async () => {
  const server = await startServer();
  // A subscriber stays connected until the server goes.
  const sub = spawn("redis-cli", ["-p", String(server.port), "SUBSCRIBE", "ch"], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    assert.is(await cli(server.port, "SET", "k", "v"), "OK");
    await watchOutput(sub).seen("subscribe\nch\n1\n");
    server.child.kill("SIGINT");
    assert.is(await exited(server.child), 0, server.output());
    // The subscriber's redis-cli ends by itself: the server closed its connection.
    await exited(sub);
    assert.match(server.output(), /mini-redis: shutting down\n[^]*mini-redis: stopped\n/);
  } finally {
    // On a failure above, leave nothing running (the child processes would keep the test alive).
    sub.kill("SIGTERM");
    await server.stop();
  }
});

test.run();
