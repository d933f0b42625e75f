import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Context } from "@tokio-ts/core";
import { duplex, readToEnd, type DuplexStream } from "@tokio-ts/io-driver";
import { spawn, yieldNow, type JoinHandle } from "@tokio-ts/runtime";
import { CancellationToken } from "@tokio-ts/sync";
import { sleep } from "@tokio-ts/time";
import { Db, type DbOptions } from "../src/db.js";
import { handleConnection, type HandlerOptions } from "../src/handler.js";
import { TestClient } from "./client.js";
import { run } from "./helpers.js";

type End = "closed" | "quit" | "shutdown" | "protocolError";

/** A handler on one end of an in-memory pipe, and a client on the other. */
function connect(db: Db, options: HandlerOptions = {}, pipe = 64 * 1024): [TestClient, JoinHandle<End>, DuplexStream] {
  const [client, server] = duplex(pipe);
  const handle = spawn(function* () {
    try {
      return yield* handleConnection(server, db, options);
    } finally {
      server.close();
    }
  });
  return [new TestClient(client), handle, client];
}

function* withDb<T>(body: (db: Db) => Generator<unknown, T, any>, options?: DbOptions): Generator<unknown, T, any> {
  using db = new Db(options);
  return yield* body(db);
}

test("PING, SET, GET and DEL answer as redis-server does", async () => {
  await run(() =>
    withDb(function* (db) {
      const [c, handle, stream] = connect(db);
      assert.is(yield* c.call("PING"), "PONG");
      assert.is(yield* c.call("PING", "hello"), "hello");
      assert.is(yield* c.call("GET", "k"), null);
      assert.is(yield* c.call("SET", "k", "v"), "OK");
      assert.is(yield* c.call("GET", "k"), "v");
      assert.is(yield* c.call("SET", "k", "w", "NX"), null);
      assert.is(yield* c.call("SET", "other", "x"), "OK");
      assert.is(yield* c.call("DEL", "k", "other", "none"), 2);
      assert.equal(yield* c.call("GET"), { error: "ERR wrong number of arguments for 'get' command" });
      assert.equal(yield* c.call("NOPE", "x"), { error: "ERR unknown command 'NOPE', with args beginning with: 'x' " });
      assert.equal(yield* c.call("CONFIG", "GET", "save"), ["save", ""]);
      assert.equal(yield* c.call("COMMAND", "DOCS"), []);
      stream.close();
      assert.is(yield* handle, "closed");
    }),
  );
});

test("SET with EX/PX expires the key on the runtime's clock", async () => {
  await run(() =>
    withDb(function* (db) {
      const [c, handle, stream] = connect(db);
      assert.is(yield* c.call("SET", "a", "1", "PX", "1500"), "OK");
      assert.is(yield* c.call("SET", "b", "2", "EX", "2"), "OK");
      yield* sleep(1499);
      assert.is(yield* c.call("GET", "a"), "1");
      yield* sleep(1);
      assert.is(yield* c.call("GET", "a"), null);
      assert.is(yield* c.call("GET", "b"), "2");
      yield* sleep(500);
      assert.is(yield* c.call("GET", "b"), null);
      assert.equal(yield* c.call("SET", "c", "3", "EX", "0"), { error: "ERR invalid expire time in 'set' command" });
      stream.close();
      yield* handle;
    }),
  );
});

test("a pipelined batch, inline commands included, is answered in order", async () => {
  await run(() =>
    withDb(function* (db) {
      const [c, handle, stream] = connect(db);
      yield* c.sendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\nGET k\r\nPING\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\nQUIT\r\n");
      const replies = [];
      for (let r = yield* c.reply(); r !== undefined; r = yield* c.reply()) replies.push(r);
      assert.equal(replies, ["OK", "v1", "PONG", 1, "OK"]);
      assert.is(yield* handle, "quit");
      stream.close();
    }),
  );
});

test("PUBLISH reaches every subscriber; SUBSCRIBE/UNSUBSCRIBE replies are Redis's", async () => {
  await run(() =>
    withDb(function* (db) {
      const [sub, subHandle, subStream] = connect(db);
      const [pub, pubHandle, pubStream] = connect(db);
      yield* sub.send("SUBSCRIBE", "news", "sport");
      assert.equal(yield* sub.reply(), ["subscribe", "news", 1]);
      assert.equal(yield* sub.reply(), ["subscribe", "sport", 2]);
      assert.is(yield* pub.call("PUBLISH", "news", "hello"), 1);
      assert.equal(yield* sub.reply(), ["message", "news", "hello"]);
      assert.is(yield* pub.call("PUBLISH", "weather", "rain"), 0);
      // Only the subscriber commands are allowed in this mode.
      assert.equal(yield* sub.call("GET", "x"), {
        error: "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
      });
      assert.equal(yield* sub.call("PING"), ["pong", ""]);
      yield* sub.send("UNSUBSCRIBE", "news");
      assert.equal(yield* sub.reply(), ["unsubscribe", "news", 1]);
      assert.is(yield* pub.call("PUBLISH", "news", "again"), 0);
      assert.is(yield* pub.call("PUBLISH", "sport", "goal"), 1);
      assert.equal(yield* sub.reply(), ["message", "sport", "goal"]);
      yield* sub.send("UNSUBSCRIBE");
      assert.equal(yield* sub.reply(), ["unsubscribe", "sport", 0]);
      assert.is(db.channelCount, 0, "channels are removed with their last subscriber");
      // Back in normal mode.
      assert.is(yield* sub.call("GET", "x"), null);
      assert.equal(yield* sub.call("UNSUBSCRIBE"), ["unsubscribe", null, 0]);
      subStream.close();
      pubStream.close();
      assert.is(yield* subHandle, "closed");
      assert.is(yield* pubHandle, "closed");
    }),
  );
});

test("in subscriber mode a known command is refused before its arguments are checked, under Redis's name for it", async () => {
  await run(() =>
    withDb(function* (db) {
      const [sub, handle, stream] = connect(db);
      assert.equal(yield* sub.call("SUBSCRIBE", "news"), ["subscribe", "news", 1]);
      const refused = (name: string) => ({
        error: `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      });
      // Redis checks the options (and SELECT's index) only when the command runs, which it does not here.
      assert.equal(yield* sub.call("SET", "k", "v", "EX", "0"), refused("set"));
      assert.equal(yield* sub.call("SET", "k", "v", "FOO"), refused("set"));
      assert.equal(yield* sub.call("SELECT", "abc"), refused("select"));
      assert.equal(yield* sub.call("CONFIG", "GET", "save"), refused("config|get"));
      // An unknown command or a wrong number of arguments is refused first, in any mode.
      assert.equal(yield* sub.call("SET", "k"), { error: "ERR wrong number of arguments for 'set' command" });
      assert.equal(yield* sub.call("CONFIG", "FOO"), { error: "ERR unknown subcommand 'FOO'. Try CONFIG HELP." });
      stream.close();
      assert.is(yield* handle, "closed");
    }),
  );
});

test("an error that quotes the client's bytes sends them back unchanged (UTF-8 or not), as Redis does", async () => {
  await run(() =>
    withDb(function* (db) {
      const [c, handle, stream] = connect(db);
      const name = Buffer.from("h\u00e9llo", "utf8");
      const arg = Buffer.from([0xff, 0x41]);
      yield* c.sendRaw(Buffer.concat([Buffer.from(`*2\r\n$${name.length}\r\n`), name, Buffer.from("\r\n$2\r\n"), arg, Buffer.from("\r\nQUIT\r\n")]));
      const expected = Buffer.concat([
        Buffer.from("-ERR unknown command '"), name, Buffer.from("', with args beginning with: '"), arg, Buffer.from("' \r\n+OK\r\n"),
      ]);
      assert.equal([...(yield* readToEnd(stream))], [...expected]);
      assert.is(yield* handle, "quit");
      stream.close();
    }),
  );
});

test("a subscriber that disconnects leaves no channel behind", async () => {
  await run(() =>
    withDb(function* (db) {
      const [sub, handle, stream] = connect(db);
      yield* sub.send("SUBSCRIBE", "a", "b", "c");
      for (let i = 0; i < 3; i++) yield* sub.reply();
      assert.is(db.channelCount, 3);
      stream.close();
      assert.is(yield* handle, "closed");
      assert.is(db.channelCount, 0);
    }),
  );
});

test("a subscriber too slow for the channel skips what it missed and keeps receiving", async () => {
  await run(() =>
    withDb(
      function* (db) {
        // A pipe of 64 bytes: the handler blocks writing while the client does not read.
        const [sub, handle, stream] = connect(db, {}, 64);
        yield* sub.send("SUBSCRIBE", "c");
        assert.equal(yield* sub.reply(), ["subscribe", "c", 1]);
        for (let i = 0; i < 50; i++) {
          db.publish("c", new TextEncoder().encode(`m${i}`));
          yield* yieldNow();
        }
        yield* sleep(10);
        const seen: string[] = [];
        while (seen.at(-1) !== "m49") {
          const r = (yield* sub.reply()) as string[];
          seen.push(r[2]!);
        }
        assert.ok(seen.length < 50, `skipped some: saw ${seen.length}`);
        const numbers = seen.map((m) => Number(m.slice(1)));
        assert.equal(numbers, [...numbers].sort((a, b) => a - b), "in order");
        stream.close();
        yield* handle;
      },
      { channelCapacity: 4 },
    ),
  );
});

test("malformed input gets a protocol error after the replies before it, then the connection closes", async () => {
  await run(() =>
    withDb(function* (db) {
      const [c, handle, stream] = connect(db);
      yield* c.sendRaw("PING\r\n*1\r\n$-7\r\nPING\r\n");
      assert.is(yield* c.reply(), "PONG");
      assert.equal(yield* c.reply(), { error: "ERR Protocol error: invalid bulk length" });
      assert.is(yield* handle, "protocolError");
      assert.is(yield* c.reply(), undefined, "closed after the error");
      stream.close();
      // The server is fine: a new connection works.
      const [d, handle2, stream2] = connect(db);
      assert.is(yield* d.call("PING"), "PONG");
      stream2.close();
      yield* handle2;
    }),
  );
});

test("a huge claimed bulk length is refused before any memory is reserved for it", async () => {
  await run(() =>
    withDb(function* (db) {
      const [c, handle, stream] = connect(db, { limits: { maxBulkLength: 1024 } });
      yield* c.sendRaw("*2\r\n$3\r\nGET\r\n$1025\r\n");
      assert.equal(yield* c.reply(), { error: "ERR Protocol error: invalid bulk length" });
      assert.is(yield* handle, "protocolError");
      stream.close();
    }),
  );
});

test("on shutdown, idle and subscribed connections end; a batch in progress is answered first", async () => {
  await run(() =>
    withDb(function* (db) {
      const token = new CancellationToken();
      const [idle, idleHandle, s1] = connect(db, { shutdown: token });
      const [sub, subHandle, s2] = connect(db, { shutdown: token });
      assert.is(yield* idle.call("PING"), "PONG");
      yield* sub.send("SUBSCRIBE", "x");
      yield* sub.reply();
      token.cancel();
      assert.is(yield* idleHandle, "shutdown");
      assert.is(yield* subHandle, "shutdown");
      assert.is(db.channelCount, 0);
      s1.close();
      s2.close();
      // Cancelled while a batch is being answered (its replies wait for a small pipe to
      // drain): every request of the batch is answered, then the connection ends.
      const later = new CancellationToken();
      db.set("a", new TextEncoder().encode("x".repeat(30)));
      const [busy, busyHandle, s3] = connect(db, { shutdown: later }, 64);
      yield* busy.sendRaw("GET a\r\n".repeat(9));
      yield* sleep(1);
      later.cancel();
      const replies = [];
      for (let r = yield* busy.reply(); r !== undefined; r = yield* busy.reply()) replies.push(r);
      assert.equal(replies, Array(9).fill("x".repeat(30)));
      assert.is(yield* busyHandle, "shutdown");
      s3.close();
    }),
  );
});

test("a pipelined batch of large replies to a client that does not read keeps the reply buffer bounded", async () => {
  await run(() =>
    withDb(function* (db) {
      const [client, server] = duplex(64 * 1024);
      // Record the largest write the handler makes: that is the size of its reply buffer.
      let largestWrite = 0;
      const watched = {
        pollRead: (cx: Context, buf: Uint8Array) => server.pollRead(cx, buf),
        pollWrite: (cx: Context, data: Uint8Array) => {
          largestWrite = Math.max(largestWrite, data.length);
          return server.pollWrite(cx, data);
        },
        pollFlush: (cx: Context) => server.pollFlush(cx),
        pollShutdown: (cx: Context) => server.pollShutdown(cx),
      };
      db.set("big", new Uint8Array(100_000).fill(97));
      const handle = spawn(function* () {
        try {
          return yield* handleConnection(watched, db);
        } finally {
          server.close();
        }
      });
      const c = new TestClient(client);
      yield* c.sendRaw("GET big\r\n".repeat(500) + "QUIT\r\n");
      let replies = 0;
      for (let r = yield* c.reply(); r !== undefined; r = yield* c.reply()) replies++;
      assert.is(replies, 501);
      assert.ok(largestWrite < 300_000, `largest write ${largestWrite} bytes (500 replies would be 50 MB)`);
      assert.is(yield* handle, "quit");
      client.close();
    }),
  );
});

test.run();
