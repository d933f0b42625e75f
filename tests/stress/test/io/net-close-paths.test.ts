// "No byte is lost or reordered, on any close path" (DESIGN §6; TcpStream#close: "bytes already
// written are still sent, then FIN"; OwnedWriteHalf#close: "Send FIN (bytes written before
// still go first)"). A server writes a random amount (up to past the loopback socket buffers,
// so Node still holds some of it) to a client that starts reading late, then closes in a
// random way without flushing; the client must read every byte, then EOF.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { ioDriver, read } from "@tokio-ts/io-driver";
import { fromAsync } from "@tokio-ts/core";
import { TcpListener, TcpStream } from "@tokio-ts/net";
import { select } from "@tokio-ts/macros";
import { Notify } from "@tokio-ts/sync";
import { assertStreamAt, guard, size, stream } from "./helpers.js";

const SOCKETS = new Set(["TCPSocketWrap", "TCPServerWrap"]);
void process.stdout;
void process.stderr;
const openSockets = () => process.getActiveResourcesInfo().filter((r) => SOCKETS.has(r)).length;
const BASELINE = openSockets();
const tick = () => new Promise<void>((r) => setImmediate(r));

const CLOSES = ["close", "owned-write-close-then-read-close", "owned-read-close-then-write-close", "shutdown-dropped", "asyncDispose"] as const;

test("TcpStream close paths: every byte written before close() / OwnedWriteHalf.close() reaches the peer, then EOF", async () => {
  await forEachSeed(
    15,
    (rt, seed) =>
      guard(rt.blockOn(function* () {
        const rng = new SeededRng(seed * 211 + 1);
        const how = CLOSES[seed % CLOSES.length]!;
        const total = rng.below(3) === 0 ? rng.between(0, 100000) : rng.between(100000, 9_000_000);
        const listener = yield* TcpListener.bind("127.0.0.1:0");
        const clientDone = new Notify();
        const server = spawn(function* () {
          const [s] = yield* listener.accept();
          const wrng = new SeededRng(seed + 1);
          if (how.startsWith("owned")) {
            const [rd, wr] = s.intoSplit();
            if (how === "owned-read-close-then-write-close") rd.close();
            let pos = 0;
            while (pos < total) {
              const n = Math.min(total - pos, size(wrng, 300000));
              yield* wr.writeAll(stream(97, pos, n));
              pos += n;
            }
            wr.close(); // FIN after the bytes
            if (how === "owned-write-close-then-read-close") rd.close();
          } else {
            let pos = 0;
            while (pos < total) {
              const n = Math.min(total - pos, size(wrng, 300000));
              yield* s.writeAll(stream(97, pos, n));
              pos += n;
            }
            if (how === "shutdown-dropped") {
              // shutdown() polled, then dropped by select: "once polled, the FIN is sent even if
              // the future is dropped" (TcpStream#shutdown). The stream stays open until the
              // client has read EOF.
              yield* select({ sd: s.shutdown(), t: sleep(0) }, { biased: true }); // sd polled first
              yield* clientDone.notified();
              s.close();
            } else if (how === "asyncDispose") yield* fromAsync(() => s[Symbol.asyncDispose]());
            else s.close();
          }
          return how;
        });
        const client = yield* TcpStream.connect(listener.localAddr());
        yield* sleep(rng.between(0, 20)); // start reading late: the server's writes pile up
        let pos = 0;
        for (;;) {
          const buf = new Uint8Array(size(rng, 200000));
          const n = yield* read(client, buf);
          if (n === 0) break;
          assertStreamAt(97, pos, buf.subarray(0, n), `client read (${how})`);
          pos += n;
        }
        assert.is(pos, total, `every byte, then EOF (${how})`);
        clientDone.notifyOne();
        yield* server;
        client.close();
        listener.close();
        const driver = ioDriver("test");
        for (let i = 0; i < 2000 && driver.registrationCount > 0; i++) yield* sleep(1);
        assert.is(driver.registrationCount, 0, "no registration left");
      }), 30_000, `seed ${seed}`),
    { enableIo: true, enableTime: true },
  );
  for (let i = 0; i < 500 && openSockets() > BASELINE; i++) await tick();
  assert.is(openSockets(), BASELINE, "no socket left open");
});

test.run();
