import { test } from "uvu";
import * as assert from "uvu/assert";
import { fromPromise } from "@tokio-ts/core";
import { MAX_WRITE } from "@tokio-ts/io-driver";
import { spawn } from "@tokio-ts/runtime";
import { TcpListener, TcpStream } from "../src/index.js";
import { run, tick } from "./helpers.js";

/** Internal view for the memory checks: the Node socket and the receive queue. */
const io = (s: TcpStream) => (s as unknown as { io: { socket: { writableLength: number; writableHighWaterMark: number }; bufferedBytes: number } }).io;

/** Turn Node's event loop until `value()` has not changed for `rounds` turns in a row. */
function* settle(value: () => number, rounds = 40) {
  let last = -1;
  let same = 0;
  while (same < rounds) {
    yield* fromPromise(tick());
    const now = value();
    same = now === last ? same + 1 : 0;
    last = now;
  }
}

for (const direction of ["client → accepted", "accepted → client"] as const) {
  test(`a writer to a peer that does not read becomes Pending and memory stays bounded (${direction})`, async () => {
    await run(function* () {
      const listener = yield* TcpListener.bind("127.0.0.1:0");
      const accepting = spawn(listener.accept());
      const client = yield* TcpStream.connect(listener.localAddr());
      const [accepted] = yield* accepting;
      listener.close();
      const [writer, reader] = direction === "client → accepted" ? [client, accepted] : [accepted, client];
      let written = 0;
      let maxBuffered = 0;
      const chunk = new Uint8Array(1 << 20); // 1 MiB asked per write: at most 64 KiB taken
      const writing = spawn(function* () {
        for (;;) {
          written += yield* writer.write(chunk);
          maxBuffered = Math.max(maxBuffered, io(writer).socket.writableLength);
        }
      });
      yield* settle(() => written);
      const bound = io(writer).socket.writableHighWaterMark + MAX_WRITE;
      assert.ok(written > 0);
      assert.ok(maxBuffered <= bound, `Node's send buffer grew to ${maxBuffered} > ${bound}`);
      assert.ok(io(reader).bufferedBytes <= 16 * 1024 + 64 * 1024, `receive queue ${io(reader).bufferedBytes}`);
      // the reader catches up: every byte arrives and the writer moves again
      const target = written + 4 * 1024 * 1024;
      const buf = new Uint8Array(256 * 1024);
      let got = 0;
      while (got < target) got += yield* reader.read(buf);
      assert.ok(written >= target - MAX_WRITE);
      writing.abort();
      writer.close();
      reader.close();
    }, 60_000);
  });
}

test.run();
