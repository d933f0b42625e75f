/**
 * The `node:net` peers of the echo benchmark, each run in a process of its own:
 * `node node-servers.js pipe|loop` listens on 127.0.0.1 on an ephemeral port and prints
 * `listening on 127.0.0.1:<port>`.
 *
 * - `pipe`: `socket.pipe(socket)` — Node's streams do the backpressure.
 * - `loop`: a hand-written read/write loop: each `data` chunk is written back; when `write`
 *   returns false the socket is paused until `drain` (what a careful Node programmer writes).
 * - `raw`: context, not a peer — the floor for any server written in JavaScript on Node: the
 *   libuv TCP handles under `net.Socket`, driven directly through Node's deprecated
 *   `process.binding("tcp_wrap")` (no `net.Socket`, no streams, no Buffer per read: reads land
 *   in one buffer, each is written back from it, and reading stops while a write is in flight).
 *   What it costs per request is what the kernel and libuv cost; whatever a library adds on top
 *   of Node's sockets is the difference to the other rows. Never use this outside a benchmark.
 */
import { createServer } from "node:net";

const kind = process.argv[2];
if (kind === "raw") {
  rawServer();
} else {
  streamServer();
}

function streamServer(): void {
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
  if (kind !== "pipe" && kind !== "loop") throw new Error(`usage: node-servers.js pipe|loop|raw, got ${kind}`);
  server.listen(0, "127.0.0.1", () => {
    const addr = server.address();
    if (addr === null || typeof addr === "string") throw new Error("no address");
    console.log(`listening on 127.0.0.1:${addr.port}`);
  });
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}

/** The parts of Node's internal stream handles that `rawServer` uses (not typed by @types/node). */
interface RawHandle {
  onread: () => void;
  onconnection: (status: number, client: RawHandle) => void;
  bind(host: string, port: number): number;
  listen(backlog: number): number;
  getsockname(out: { port?: number }): number;
  useUserBuffer(buffer: Uint8Array): void;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: RawReq, data: Uint8Array): number;
  shutdown(req: RawReq): number;
  close(callback?: () => void): void;
}

interface RawReq {
  handle: RawHandle;
  oncomplete: (status: number) => void;
  async: boolean;
}

function rawServer(): void {
  const binding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding;
  const tcp = binding("tcp_wrap") as { TCP: new (type: number) => RawHandle; constants: { SERVER: number } };
  const stream = binding("stream_wrap") as {
    WriteWrap: new () => RawReq;
    ShutdownWrap: new () => RawReq;
    streamBaseState: Int32Array;
    kReadBytesOrError: number;
    kLastWriteWasAsync: number;
  };
  const { streamBaseState: state, kReadBytesOrError, kLastWriteWasAsync } = stream;
  const server = new tcp.TCP(tcp.constants.SERVER);
  if (server.bind("127.0.0.1", 0) !== 0 || server.listen(511) !== 0) throw new Error("raw server: bind/listen failed");
  server.onconnection = (status, client) => {
    if (status !== 0) return;
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      client.close();
    };
    const written = (status: number) => {
      // The write that held `buffer` is done: it may be overwritten by the next read.
      if (status !== 0) close();
      else if (!closed) client.readStart();
    };
    client.useUserBuffer(buffer);
    client.onread = () => {
      const n = state[kReadBytesOrError]!;
      if (n > 0) {
        const req = new stream.WriteWrap();
        req.handle = client;
        req.oncomplete = written;
        req.async = false;
        if (client.writeBuffer(req, buffer.subarray(0, n)) !== 0) return close();
        // Written later by libuv from `buffer` itself: no reads until it is done.
        if (state[kLastWriteWasAsync] !== 0) client.readStop();
      } else if (n < 0) {
        // EOF or an error: half-close our side too, then close.
        const req = new stream.ShutdownWrap();
        req.handle = client;
        req.oncomplete = close;
        if (client.shutdown(req) !== 0) close();
      }
    };
    client.readStart();
  };
  const address: { port?: number } = {};
  server.getsockname(address);
  console.log(`listening on 127.0.0.1:${address.port}`);
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
