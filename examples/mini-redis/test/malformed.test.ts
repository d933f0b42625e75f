/**
 * Malformed RESP sent as raw bytes over a TcpStream to the server process: each gets a RESP
 * error (or, for random garbage, whatever Redis would answer) and the connection closes
 * cleanly; the server never crashes and keeps serving.
 */
import { readToEnd, shutdown, writeAll } from "@tokio-ts/io-driver";
import { TcpStream } from "@tokio-ts/net";
import { SeededRng } from "@tokio-ts/test-util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { run } from "./helpers.js";
import { cli, startServer, type ServerProcess } from "./server-process.js";

let server: ServerProcess;

test.before(async () => {
  server = await startServer();
});

test.after(async () => {
  assert.is(await server.stop(), 0, server.output());
});

const decoder = new TextDecoder();

/** Connect, send `data`, close the write side, and return everything the server sent back. */
function exchange(data: Uint8Array | string): Promise<string> {
  return run(
    function* () {
      const stream = yield* TcpStream.connect({ host: "127.0.0.1", port: server.port });
      try {
        yield* writeAll(stream, typeof data === "string" ? new TextEncoder().encode(data) : data);
        yield* shutdown(stream);
        return decoder.decode(yield* readToEnd(stream));
      } finally {
        stream.close();
      }
    },
    { io: true, paused: false },
  );
}

test("a bad length gets Redis's protocol error, after the replies to the requests before it", async () => {
  assert.is(await exchange("PING\r\n*1\r\n$-7\r\nPING\r\n"), "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
  assert.is(await exchange("*x\r\n"), "-ERR Protocol error: invalid multibulk length\r\n");
  assert.is(await exchange("*2\r\n:1\r\n"), "-ERR Protocol error: expected '$', got ':'\r\n");
  assert.is(await exchange('SET "unterminated\r\n'), "-ERR Protocol error: unbalanced quotes in request\r\n");
  assert.equal(await cli(server.port, "PING"), "PONG");
});

test("a huge claimed length is refused at its header; a line that never ends is cut at 64 KiB", async () => {
  assert.is(await exchange("*2\r\n$3\r\nSET\r\n$99999999999\r\n"), "-ERR Protocol error: invalid bulk length\r\n");
  assert.is(await exchange("*99999999999\r\n"), "-ERR Protocol error: invalid multibulk length\r\n");
  assert.is(await exchange("A".repeat(100 * 1024)), "-ERR Protocol error: too big inline request\r\n");
  assert.equal(await cli(server.port, "PING"), "PONG");
});

test("a request cut off by the client's close is dropped without a reply", async () => {
  assert.is(await exchange("*2\r\n$3\r\nGET\r\n$5\r\nab"), "");
});

test("random bytes never crash the server (200 seeded inputs)", async () => {
  const rng = new SeededRng(0x5eed); // seeded, so a failure replays
  const next = () => rng.next();
  const alphabet = new TextEncoder().encode("*$+-:\r\n0123456789-PINGSETGET \"'\\x");
  for (let i = 0; i < 200; i++) {
    const input = new Uint8Array(1 + Math.floor(next() * 200));
    for (let j = 0; j < input.length; j++) {
      input[j] = next() < 0.8 ? alphabet[Math.floor(next() * alphabet.length)]! : Math.floor(next() * 256);
    }
    await exchange(input);
  }
  assert.equal(await cli(server.port, "PING"), "PONG");
});

test.run();
