/**
 * mini-redis against the real clients: `redis-cli` and `redis-benchmark` from Debian's
 * redis-tools, talking to the built server in a child process on 127.0.0.1.
 */
import { spawn } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cli, exited, run, startServer, watchOutput, type ServerProcess } from "./server-process.js";

let server: ServerProcess;

test.before(async () => {
  server = await startServer();
});

test.after(async () => {
  assert.is(await server.stop(), 0, server.output());
});

test("redis-cli: PING, SET, GET, DEL", async () => {
  const p = server.port;
  assert.is(await cli(p, "PING"), "PONG");
  assert.is(await cli(p, "PING", "hello there"), "hello there");
  assert.is(await cli(p, "SET", "greeting", "hello world"), "OK");
  assert.is(await cli(p, "GET", "greeting"), "hello world");
  assert.is(await cli(p, "SET", "greeting", "again", "NX"), "");
  assert.is(await cli(p, "SET", "other", "x"), "OK");
  assert.is(await cli(p, "DEL", "greeting", "other", "missing"), "2");
  assert.is(await cli(p, "GET", "greeting"), "");
  assert.is(await cli(p, "GET"), "ERR wrong number of arguments for 'get' command");
  assert.is(await cli(p, "héllo", "wörld"), "ERR unknown command 'héllo', with args beginning with: 'wörld' ");
});

test("redis-cli: SET with EX keeps the key, with PX it expires", async () => {
  const p = server.port;
  assert.is(await cli(p, "SET", "long", "1", "EX", "3600"), "OK");
  assert.is(await cli(p, "SET", "short", "2", "PX", "100"), "OK");
  assert.is(await cli(p, "GET", "long"), "1");
  // Real time in another process: poll until the key is gone (a guard, not a timing assertion).
  const guard = Date.now() + 10_000;
  while ((await cli(p, "GET", "short")) !== "") {
    if (Date.now() > guard) throw new Error("the key did not expire");
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.is(await cli(p, "GET", "long"), "1");
  assert.is(await cli(p, "SET", "x", "1", "EX", "0"), "ERR invalid expire time in 'set' command");
});

test("redis-cli: inline input from stdin (a pipe, as a shell script would)", async () => {
  const out = await run("redis-cli", ["-p", String(server.port)], "SET piped 42\nGET piped\nDEL piped\n");
  assert.is(out, "OK\n42\n1\n");
});

test("redis-cli: PUBLISH reaches a SUBSCRIBE in another redis-cli process", async () => {
  const p = server.port;
  const sub = spawn("redis-cli", ["-p", String(p), "SUBSCRIBE", "news", "sport"], { stdio: ["ignore", "pipe", "pipe"] });
  const output = watchOutput(sub);
  const seen = output.seen;
  try {
    await seen("subscribe\nsport\n2\n");
    assert.is(await cli(p, "PUBLISH", "news", "hello subscribers"), "1");
    assert.is(await cli(p, "PUBLISH", "weather", "nobody listens"), "0");
    assert.is(await cli(p, "PUBLISH", "sport", "goal"), "1");
    await seen("message\nsport\ngoal\n");
    assert.is(output.text(), "subscribe\nnews\n1\nsubscribe\nsport\n2\nmessage\nnews\nhello subscribers\nmessage\nsport\ngoal\n");
  } finally {
    sub.kill("SIGTERM");
    await exited(sub);
  }
  // Its channels went away with its connection.
  assert.is(await cli(p, "PUBLISH", "news", "late"), "0");
});

test("redis-benchmark: SET and GET, without and with pipelining", async () => {
  const p = String(server.port);
  for (const extra of [[], ["-P", "16"]]) {
    const out = await run("redis-benchmark", ["-p", p, "-t", "set,get", "-n", "20000", "-c", "20", "-q", ...extra]);
    assert.match(out, /SET: [\d.]+ requests per second/);
    assert.match(out, /GET: [\d.]+ requests per second/);
  }
  // The benchmark's keys are real: it SETs key:__rand_int__ to a 3-byte value.
  assert.is((await cli(server.port, "GET", "key:__rand_int__")).length, 3);
});

test.run();
