/**
 * UnixStream: a connected Unix domain stream socket (Tokio's `net::UnixStream`).
 *
 * HOW. The same `NodeStream` as TcpStream (Node's `net.Socket` over a pipe handle), so reads,
 * writes, backpressure, half-close and closing behave identically; only the addresses differ.
 * Node exposes no `getsockname`/`getpeername` for Unix sockets, so the addresses are what is
 * known from the call: a client's peer is the path it connected to, an accepted stream's local
 * address is the listener's path; the other side is unnamed.
 */
import type { Future } from "@tokio-ts/core";
import type { NodeStream } from "@tokio-ts/io-driver";
import { ConnectFuture } from "./internal/connect.js";
import { StreamBase } from "./internal/stream-base.js";
import { checkPath, UNNAMED, UnixSocketAddr } from "./unix-addr.js";

/**
 * A Unix domain stream: AsyncRead + AsyncWrite + AsyncDisposable, with the same methods as
 * `TcpStream` (read, write, writeAll, peek, readable, writable, ready, tryRead, tryWrite,
 * split, intoSplit, shutdown, close).
 *
 * @example
 * ```ts
 * await using stream = await UnixStream.connect("/tmp/app.sock");
 * await stream.writeAll(new TextEncoder().encode("ping\n"));
 * ```
 */
export class UnixStream extends StreamBase {
  readonly #local: UnixSocketAddr;
  readonly #peer: UnixSocketAddr;

  /** @hidden Use {@link UnixStream.connect} or `UnixListener.accept`. */
  constructor(io: NodeStream, local: UnixSocketAddr, peer: UnixSocketAddr) {
    super(io);
    this.#local = local;
    this.#peer = peer;
  }

  /**
   * Connect to the Unix socket at `path`.
   *
   * @example
   * ```ts
   * import { join } from "node:path";
   * const stream = yield* UnixStream.connect(join(dir, "server.sock"));
   * ```
   *
   * **Cancel safety**: cancel safe: dropping the future before it completes destroys the
   * socket being connected.
   *
   * A path that starts with a NUL (`"\0name"`) is a Linux abstract name: no file is made.
   *
   * **Throws**: TypeError at the call for a path that is not a non-empty string without NUL
   * (or, on Linux, a NUL and a name);
   * RangeError for a path of 108 bytes or more in UTF-8 (104 on macOS and the BSDs), which
   * would not fit `sun_path` (Windows pipe names are not limited). The future
   * fails with Node's error, which keeps the code and the path (`connect ENOENT /tmp/x.sock`,
   * `connect ECONNREFUSED …`).
   */
  static connect(path: string): Future<UnixStream> {
    const checked = checkPath(path, "path");
    const peer = new UnixSocketAddr(checked);
    return new ConnectFuture({ what: "UnixStream.connect()", options: { path: checked }, wrap: (io) => new UnixStream(io, UNNAMED, peer) });
  }

  /**
   * This side's address (unnamed for a client; the listener's path for an accepted stream).
   *
   * @example
   * ```ts
   * stream.localAddr().isUnnamed(); // true for a client
   * ```
   *
   * **Throws**: `ERR_SOCKET_CLOSED` after `close()`.
   */
  localAddr(): UnixSocketAddr {
    this.io.assertOpen();
    return this.#local;
  }

  /**
   * The peer's address (the path a client connected to; unnamed for an accepted stream).
   *
   * @example
   * ```ts
   * stream.peerAddr().asPathname(); // "/tmp/app.sock"
   * ```
   *
   * **Throws**: `ERR_SOCKET_CLOSED` after `close()`.
   */
  peerAddr(): UnixSocketAddr {
    this.io.assertOpen();
    return this.#peer;
  }
}
