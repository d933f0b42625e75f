/**
 * TcpListener: a TCP socket listening for connections (Tokio's `net::TcpListener`).
 *
 * HOW. A listening `net.Server` (with `pauseOnConnect` and `allowHalfOpen`) whose accepted
 * connections wait in a queue until `accept()` takes them; see `internal/listener-core.ts` for
 * the queue, the readiness and why `accept` is cancel safe. Each accepted socket becomes a
 * {@link TcpStream} registered with the same runtime.
 */
import { Pending, type Context, type Future, type Poll } from "@tokio-ts/core";
import { NodeStream, type NodeStreamOptions } from "@tokio-ts/io-driver";
import type * as net from "node:net";
import { SocketAddr, toHostPort, type ToSocketAddrs } from "./addr.js";
import { netError } from "./errors.js";
import { acceptStreams } from "./internal/accept-streams.js";
import { AcceptFuture, BindFuture, type ListenerCore } from "./internal/listener-core.js";
import { peerOf, TcpStream } from "./tcp-stream.js";

/** @hidden How accepted streams are set up (from TcpSocket's options). */
export interface AcceptOptions {
  readonly noDelay?: boolean;
  readonly stream?: NodeStreamOptions;
}

/** The default backlog of {@link TcpListener.bind} (Tokio's 1024; the OS may cap it). */
export const DEFAULT_BACKLOG = 1024;

/**
 * A TCP listener: bind it, then accept connections.
 *
 * @example
 * ```ts
 * const listener = yield* TcpListener.bind("127.0.0.1:8080");
 * for (;;) {
 *   const [socket, peer] = yield* listener.accept();
 *   spawn(function* () {
 *     const buf = new Uint8Array(1024);
 *     for (let n; (n = yield* socket.read(buf)) > 0; ) yield* socket.writeAll(buf.subarray(0, n));
 *     socket.close();
 *   });
 * }
 * ```
 */
export class TcpListener implements AsyncDisposable, AsyncIterable<TcpStream> {
  readonly #core: ListenerCore;
  readonly #accept: AcceptOptions;

  /** @hidden Use {@link TcpListener.bind} or `TcpSocket.listen`. */
  constructor(core: ListenerCore, accept: AcceptOptions = {}) {
    this.#core = core;
    this.#accept = accept;
  }

  /**
   * Bind a listener to `addr` (port 0 picks a free port; read it with `localAddr()`). The
   * socket has SO_REUSEADDR, as libuv sets it on every listening TCP socket on Unix. The
   * kernel's queue of connections not yet accepted by Node holds 1024 (Tokio's default, capped
   * by `net.core.somaxconn`); a burst of thousands of simultaneous connects can overflow it —
   * the clients then see ECONNRESET or a slow retry — so a server expecting such bursts should
   * listen with `TcpSocket.listen(backlog)` and a larger backlog.
   *
   * @example
   * ```ts
   * const listener = yield* TcpListener.bind("127.0.0.1:0");
   * console.log(`listening on ${listener.localAddr()}`);
   * ```
   *
   * **Cancel safety**: cancel safe: dropping the future before it completes closes the socket.
   *
   * **Throws**: TypeError/RangeError at the call for a bad address. The future fails with
   * Node's error, which keeps the code and the address (`listen EADDRINUSE: address already
   * in use 127.0.0.1:8080`), or with the ContextError that names `enableIo()`.
   */
  static bind(addr: ToSocketAddrs): Future<TcpListener> {
    const { host, port } = toHostPort(addr, "addr");
    return bindTcp({ host, port, backlog: DEFAULT_BACKLOG }, {}, {}, "TcpListener.bind()");
  }

  /**
   * Wait for the next connection: the stream and the peer's address.
   *
   * @example
   * ```ts
   * const [stream, peer] = yield* listener.accept();
   * ```
   *
   * **Cancel safety**: cancel safe. A connection is taken from the queue only in the poll
   * that completes the future; if the future is dropped (a `select` branch that lost, a
   * timeout) the connection stays queued for the next `accept()`.
   *
   * **Throws**: an accept error Node reported (once, the listener keeps listening);
   * `ERR_SOCKET_CLOSED` after `close()`; the shutdown ContextError. Out of file descriptors
   * (`EMFILE`), there is no error to see, unlike Tokio's `accept`: libuv accepts and closes the
   * waiting connections itself (their clients read a reset), and `accept()` keeps waiting.
   * Raise the limit (`ulimit -n`) for a server that holds many connections.
   */
  accept(): Future<[TcpStream, SocketAddr]> {
    return new AcceptFuture(this.#core, this.#wrap);
  }

  /**
   * Poll form of {@link TcpListener.accept}, for hand-written futures (one waiter at a time
   * per call site; it allocates a waiter while pending).
   *
   * @example
   * ```ts
   * const accepted = listener.pollAccept(cx); // Pending or [stream, peer]
   * ```
   */
  pollAccept(cx: Context): Poll<[TcpStream, SocketAddr]> {
    this.#pending ??= this.accept();
    const result = this.#pending.poll(cx);
    if (result !== Pending) this.#pending = undefined;
    return result;
  }

  #pending: Future<[TcpStream, SocketAddr]> | undefined = undefined;

  /**
   * The address the listener is bound to.
   *
   * @example
   * ```ts
   * const port = listener.localAddr().port;
   * ```
   *
   * **Throws**: an error with code `"ERR_SOCKET_CLOSED"` after `close()`.
   */
  localAddr(): SocketAddr {
    const addr = SocketAddr.fromNode(this.#core.server.address() as net.AddressInfo | null);
    if (addr === undefined) throw netError("ERR_SOCKET_CLOSED", "getsockname", "the listener is closed");
    return addr;
  }

  /**
   * Stop listening: the port is released, connections still queued (never accepted) are reset,
   * so their clients read `ECONNRESET` (as when Tokio drops a listener with connections still
   * in its backlog), pending `accept()`s fail with `ERR_SOCKET_CLOSED`. Streams already
   * accepted stay open. Idempotent.
   *
   * @example
   * ```ts
   * listener.close();
   * ```
   */
  close(): void {
    this.#core.close();
  }

  /** `await using listener = …`: {@link TcpListener.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** `using listener = …`: {@link TcpListener.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * The accepted streams, one per iteration, until the listener is closed (the loop then
   * ends). Accept errors are thrown.
   *
   * @example
   * ```ts
   * for await (const stream of listener) spawn(handle(stream));
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<TcpStream> {
    return acceptStreams(() => this.accept(), () => this.#core.closed);
  }

  readonly #wrap = (socket: net.Socket): [TcpStream, SocketAddr] => {
    const options = this.#accept;
    const io = NodeStream.fromSocket(this.#core.driver, socket, options.stream);
    const stream = new TcpStream(io, { noDelay: options.noDelay ?? false });
    const peer = peerOf(stream) ?? UNSPECIFIED;
    return [stream, peer];
  };
}

const UNSPECIFIED = new SocketAddr("0.0.0.0", 0);
const TCP_KIND = { primePeer: true, resetQueued: true };

/** @internal Bind and listen (TcpListener.bind and TcpSocket.listen). */
export function bindTcp(listen: net.ListenOptions, server: net.ServerOpts, accept: AcceptOptions, what: string): Future<TcpListener> {
  return new BindFuture({ what, server, listen, kind: TCP_KIND, wrap: (core) => new TcpListener(core, accept) });
}
