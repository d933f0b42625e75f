/**
 * SIGINT stops mini-redis gracefully: it stops accepting, closes idle clients, exits 0; a second
 * SIGINT exits at once.
 */
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cli, exited, run, startServer, watchOutput } from "./server-process.js";

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

test("a second SIGINT exits at once (130) when a connection is stuck writing to a client that does not read", async () => {
  const server = await startServer();
  // The client pipelines 1,000 GETs of a 100 KB value and never reads: 100 MB of replies, far
  // more than the kernel's buffers, so the server's handler waits in writeAll.
  const client = connect({ host: "127.0.0.1", port: server.port });
  client.on("error", () => {}); // the server's exit resets the connection
  try {
    assert.is(await run("redis-cli", ["-p", String(server.port), "-x", "SET", "big"], "x".repeat(100_000)), "OK\n");
    await new Promise<void>((resolve) => client.write("GET big\r\n".repeat(1000), () => resolve()));
    server.child.kill("SIGINT");
    await until(() => server.output().includes("mini-redis: shutting down"));
    server.child.kill("SIGINT");
    assert.is(await exited(server.child), 130, server.output());
    assert.match(server.output(), /mini-redis: forced exit/);
  } finally {
    client.destroy();
    await server.stop();
  }
});

/** Resolve once `condition()` holds (checked every 10 ms; a guard, not a timing assertion). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error("condition not reached in 10 s");
}

test.run();
