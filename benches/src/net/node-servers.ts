/**
 * The `node:net` peers of the echo benchmark, each run in a process of its own:
 * `node node-servers.js pipe|loop` listens on 127.0.0.1 on an ephemeral port and prints
 * `listening on 127.0.0.1:<port>`.
 *
 * - `pipe`: `socket.pipe(socket)` — Node's streams do the backpressure.
 * - `loop`: a hand-written read/write loop: each `data` chunk is written back; when `write`
 *   returns false the socket is paused until `drain` (what a careful Node programmer writes).
 */
import { createServer } from "node:net";

const kind = process.argv[2];
// Node's defaults, as the tokio-ts echo server keeps Tokio's (Nagle on, no setNoDelay on either side).
const server = createServer((socket) => {
  socket.on("error", () => socket.destroy());
  if (kind === "pipe") {
    socket.pipe(socket);
    return;
  }
  socket.on("data", (chunk) => {
    if (!socket.write(chunk)) {
      socket.pause();
      socket.once("drain", () => socket.resume());
    }
  });
  socket.on("end", () => socket.end());
});
if (kind !== "pipe" && kind !== "loop") throw new Error(`usage: node-servers.js pipe|loop, got ${kind}`);
server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  if (addr === null || typeof addr === "string") throw new Error("no address");
  console.log(`listening on 127.0.0.1:${addr.port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
