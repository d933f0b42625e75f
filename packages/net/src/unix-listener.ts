/**
 * UnixListener: a Unix domain socket listening for connections (Tokio's `net::UnixListener`).
 *
 * HOW. The same listener core as TcpListener (a `net.Server` with `pauseOnConnect`, a queue of
 * accepted sockets, a cancel-safe `accept`). Binding creates the socket file; it must not exist
 * yet (`EADDRINUSE`). Closing the listener removes the file (libuv unlinks it).
 */
import type { Future } from "@tokio-ts/core";
import { NodeStream } from "@tokio-ts/io-driver";
import type * as net from "node:net";
import { acceptStreams } from "./internal/accept-streams.js";
import { AcceptFuture, BindFuture, type ListenerCore } from "./internal/listener-core.js";
import { checkPath, UNNAMED, UnixSocketAddr } from "./unix-addr.js";
import { UnixStream } from "./unix-stream.js";

/**
 * A Unix socket listener.
 *
 * @example
 * ```ts
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const listener = yield* UnixListener.bind(join(tmpdir(), "app.sock"));
 * const [stream] = yield* listener.accept();
 * ```
 */
export class UnixListener implements AsyncDisposable, AsyncIterable<UnixStream> {
  readonly #core: ListenerCore;
  readonly #local: UnixSocketAddr;

  /** @hidden Use {@link UnixListener.bind}. */
  constructor(core: ListenerCore, local: UnixSocketAddr) {
    this.#core = core;
    this.#local = local;
  }

  /**
   * Create the socket file at `path` and listen on it.
   *
   * @example
   * ```ts
   * const listener = yield* UnixListener.bind("/tmp/app.sock");
   * ```
   *
   * **Cancel safety**: cancel safe: dropping the future before it completes closes the socket.
   *
   * A path that starts with a NUL (`"\0name"`) is a Linux abstract name: no file is made.
   *
   * **Throws**: TypeError at the call for a path that is not a non-empty string without NUL
   * (or, on Linux, a NUL and a name);
   * RangeError for a path of 108 bytes or more in UTF-8 (104 on macOS and the BSDs), which
   * would not fit `sun_path` (Windows pipe names are not limited). The future
   * fails with Node's error naming the path (`listen EADDRINUSE: address already in use
   * /tmp/app.sock`, `EACCES`, …).
   */
  static bind(path: string): Future<UnixListener> {
    const checked = checkPath(path, "path");
    const local = new UnixSocketAddr(checked);
    return new BindFuture({
      what: "UnixListener.bind()",
      server: {},
      // Node's listen() takes an all-digit string for a port, not a path: "./12345" is the
      // same file to the OS.
      listen: { path: /^[0-9]+$/.test(checked) ? `./${checked}` : checked, backlog: 1024 },
      kind: { primePeer: false, resetQueued: false },
      wrap: (core) => new UnixListener(core, local),
    });
  }

  /**
   * Wait for the next connection: the stream and the peer's (usually unnamed) address.
   *
   * @example
   * ```ts
   * const [stream, peer] = yield* listener.accept();
   * ```
   *
   * **Cancel safety**: cancel safe: a dropped accept takes no connection; it stays queued for
   * the next `accept()`.
   */
  accept(): Future<[UnixStream, UnixSocketAddr]> {
    return new AcceptFuture(this.#core, this.#wrap);
  }

  /**
   * The path the listener is bound to.
   *
   * @example
   * ```ts
   * listener.localAddr().asPathname();
   * ```
   */
  localAddr(): UnixSocketAddr {
    return this.#local;
  }

  /**
   * Stop listening and remove the socket file; queued connections are closed and pending
   * `accept()`s fail with `ERR_SOCKET_CLOSED`. Idempotent. Node cannot reset a Unix socket, so
   * the client of a connection that was queued and never accepted reads EOF (with Tokio, whose
   * kernel drops the backlog, it reads `ECONNRESET`).
   *
   * The file is removed by path (libuv unlinks it; Tokio's drop leaves it): if the path was
   * unlinked and bound again by another listener meanwhile (a restart that reuses it), closing
   * this one removes that listener's file. Close the old listener before binding its path anew.
   *
   * @example
   * ```ts
   * listener.close();
   * ```
   */
  close(): void {
    this.#core.close();
  }

  /** `await using listener = …`: {@link UnixListener.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** `using listener = …`: {@link UnixListener.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * The accepted streams until the listener is closed.
   *
   * @example
   * ```ts
   * for await (const stream of listener) spawn(handle(stream));
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<UnixStream> {
    return acceptStreams(() => this.accept(), () => this.#core.closed);
  }

  readonly #wrap = (socket: net.Socket): [UnixStream, UnixSocketAddr] => {
    const io = NodeStream.fromSocket(this.#core.driver, socket);
    return [new UnixStream(io, this.#local, UNNAMED), UNNAMED];
  };
}
