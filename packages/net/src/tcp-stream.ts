/**
 * TcpStream: a TCP connection (Tokio's `net::TcpStream`).
 *
 * HOW. A TcpStream is a `NodeStream` from `@tokio-ts/io-driver` (Node's `net.Socket`, opened
 * with `allowHalfOpen`, whose events become readiness on the runtime's reactor) plus TCP's
 * addresses and options. The byte-stream API (read, write, peek, readiness, try*, split,
 * shutdown, close) lives in the shared base; see `NodeStream` for the read path (no Buffer per
 * read on connected sockets), backpressure and close semantics.
 */
import type { Future } from "@tokio-ts/core";
import type { NodeStream } from "@tokio-ts/io-driver";
import { SocketAddr, toHostPort, type ToSocketAddrs } from "./addr.js";
import { netError } from "./errors.js";
import { checkLinger, checkNumber } from "./internal/check.js";
import { ConnectFuture } from "./internal/connect.js";
import { StreamBase } from "./internal/stream-base.js";

/** @internal The peer address a stream read when it was made (for the listener's `accept()`). */
export let peerOf: (stream: TcpStream) => SocketAddr | undefined;

/** The longest keepalive idle time the OS takes (Linux's TCP_KEEPIDLE limit, 32,767 s). */
const MAX_KEEPALIVE_DELAY_MS = 32_767_000;

/**
 * A TCP connection between a local and a remote socket: created by
 * {@link TcpStream.connect}, by `TcpListener.accept()` or by `TcpSocket.connect()`.
 * It is AsyncRead + AsyncWrite, so every io-driver utility works on it, and AsyncDisposable.
 *
 * Like every socket it needs a runtime with I/O enabled: use it inside `main()` (from
 * `tokio-ts/macros`), `Runtime.blockOn()` or a task.
 *
 * @example
 * ```ts
 * await main(async () => {
 *   await using stream = await TcpStream.connect("127.0.0.1:8080");
 *   await stream.writeAll(new TextEncoder().encode("hello"));
 *   const buf = new Uint8Array(5);
 *   await readExact(stream, buf);
 * });
 * ```
 */
export class TcpStream extends StreamBase {
  #noDelay: boolean;
  #linger: number | null = null;
  /** Read once the socket is connected: Node forgets it when the socket closes. */
  readonly #local: SocketAddr | undefined;
  /** One object for the connection's life, so `accept()`'s address and `peerAddr()` are `===`. */
  readonly #peer: SocketAddr | undefined;

  /** @hidden Use {@link TcpStream.connect} or a listener. */
  constructor(io: NodeStream, options?: { noDelay?: boolean }) {
    super(io);
    this.#noDelay = options?.noDelay ?? false;
    this.#local = SocketAddr.fromNode(io.socket.address() as { address?: string; port?: number });
    this.#peer = SocketAddr.fromNode({ address: io.socket.remoteAddress, port: io.socket.remotePort });
  }

  static {
    peerOf = (stream) => stream.#peer;
  }

  /**
   * Open a TCP connection to `addr` (`"127.0.0.1:8080"`, `"[::1]:80"`, `"localhost:6379"`,
   * `{ host, port }`, `{ ip, port }` or a SocketAddr; a name is resolved by Node).
   *
   * @example
   * ```ts
   * const stream = yield* TcpStream.connect({ host: "127.0.0.1", port: 6379 });
   * ```
   *
   * **Cancel safety**: cancel safe: dropping the future before it completes destroys the
   * socket being connected.
   *
   * **Throws**: TypeError/RangeError at the call for a bad address (port 0 is a RangeError:
   * nothing listens there). The future fails with Node's error, which keeps the code and names
   * the address (`connect ECONNREFUSED 127.0.0.1:1`, `getaddrinfo ENOTFOUND nowhere.invalid`),
   * or with the ContextError that names `enableIo()`.
   */
  static connect(addr: ToSocketAddrs): Future<TcpStream> {
    const { host, port } = toHostPort(addr, "addr");
    if (port === 0) throw new RangeError("addr: cannot connect to port 0");
    return new ConnectFuture({ what: "TcpStream.connect()", options: { host, port }, wrap: (io) => new TcpStream(io) });
  }

  /**
   * The local address of the connection.
   *
   * @example
   * ```ts
   * stream.localAddr().port; // the ephemeral port the OS chose
   * ```
   *
   * **Throws**: an error with code `"ENOTCONN"` if the socket closed before it connected;
   * `ERR_SOCKET_CLOSED` after `close()`.
   */
  localAddr(): SocketAddr {
    this.io.assertOpen();
    if (this.#local === undefined) throw netError("ENOTCONN", "getsockname", "the socket is not connected");
    return this.#local;
  }

  /**
   * The address of the peer.
   *
   * @example
   * ```ts
   * console.log(`connected to ${stream.peerAddr()}`);
   * ```
   *
   * **Throws**: an error with code `"ENOTCONN"` if the socket closed before it connected;
   * `ERR_SOCKET_CLOSED` after `close()`.
   */
  peerAddr(): SocketAddr {
    this.io.assertOpen();
    if (this.#peer === undefined) throw netError("ENOTCONN", "getpeername", "the socket is not connected");
    return this.#peer;
  }

  /**
   * Turn Nagle's algorithm off (`true`: small writes go out at once) or on (TCP_NODELAY).
   *
   * @example
   * ```ts
   * stream.setNoDelay(true);
   * ```
   *
   * **Throws**: TypeError if `noDelay` is not a boolean; `ERR_SOCKET_CLOSED` after `close()`.
   */
  setNoDelay(noDelay: boolean): void {
    if (typeof noDelay !== "boolean") throw new TypeError(`noDelay must be a boolean, got ${typeof noDelay}`);
    this.io.assertOpen();
    this.#noDelay = noDelay;
    this.io.socket.setNoDelay(noDelay);
  }

  /**
   * Whether TCP_NODELAY is set (as set through this object; Node cannot read it back).
   *
   * @example
   * ```ts
   * stream.noDelay(); // false by default
   * ```
   *
   * **Throws**: `ERR_SOCKET_CLOSED` after `close()`.
   */
  noDelay(): boolean {
    this.io.assertOpen();
    return this.#noDelay;
  }

  /**
   * Tokio's spelling of {@link TcpStream.setNoDelay} (`set_nodelay`).
   *
   * @example
   * ```ts
   * stream.setNodelay(true);
   * ```
   */
  setNodelay(nodelay: boolean): void {
    this.setNoDelay(nodelay);
  }

  /**
   * Tokio's spelling of {@link TcpStream.noDelay} (`nodelay`).
   *
   * @example
   * ```ts
   * stream.nodelay(); // false by default
   * ```
   */
  nodelay(): boolean {
    return this.noDelay();
  }

  /**
   * SO_LINGER (Tokio's `set_linger`, in milliseconds): what `close()` does with bytes written
   * but not yet sent.
   * - `null` (the default): they are sent, then FIN, however long that takes; the socket stays
   *   open until then (a peer that never reads keeps it).
   * - `0`: the connection is reset at once (RST), the bytes discarded — Node's
   *   `resetAndDestroy()`.
   * - `ms > 0`: they get `ms` milliseconds to be handed to the operating system, then the
   *   connection is reset and the socket freed. `close()` itself never waits (Tokio's blocks
   *   the thread; Node has no blocking close); the time counts in real time, even on a paused
   *   clock, because the bytes go to a real peer.
   *
   * @example
   * ```ts
   * stream.setLinger(5_000);
   * stream.close(); // a client that stopped reading cannot keep the socket past 5 s
   * ```
   *
   * **Throws**: TypeError for a value that is neither `null` nor a number; RangeError for a
   * negative, NaN or too large number (the most is 2^31 - 1 ms); `ERR_SOCKET_CLOSED` after
   * `close()` (the close has already lingered or not).
   */
  setLinger(linger: number | null): void {
    const checked = checkLinger(linger);
    this.io.assertOpen();
    this.#linger = checked;
    this.io.resetOnClose = this.#linger === 0;
    this.io.closeLinger = this.#linger !== null && this.#linger > 0 ? this.#linger : undefined;
  }

  /**
   * The SO_LINGER setting made with {@link TcpStream.setLinger}: `null`, `0` or milliseconds.
   *
   * @example
   * ```ts
   * stream.linger(); // null
   * ```
   *
   * **Throws**: `ERR_SOCKET_CLOSED` after `close()`.
   */
  linger(): number | null {
    this.io.assertOpen();
    return this.#linger;
  }

  /**
   * Set SO_KEEPALIVE, with the idle time before the first probe in milliseconds.
   *
   * @example
   * ```ts
   * stream.setKeepalive(true, 60_000);
   * ```
   *
   * **Throws**: TypeError if `enable` is not a boolean or `initialDelayMs` not a number;
   * RangeError if `initialDelayMs` is negative, NaN or above 32,767,000 (the most Linux takes,
   * in whole seconds); `ERR_SOCKET_CLOSED` after
   * `close()`.
   */
  setKeepalive(enable: boolean, initialDelayMs = 0): void {
    if (typeof enable !== "boolean") throw new TypeError(`enable must be a boolean, got ${typeof enable}`);
    checkNumber(initialDelayMs, "initialDelayMs");
    // Node passes whole seconds to TCP_KEEPIDLE and ignores the OS's EINVAL; Linux takes at most
    // 32,767 s. A longer delay would leave the system default in place without a word.
    if (!Number.isFinite(initialDelayMs) || initialDelayMs < 0 || initialDelayMs > MAX_KEEPALIVE_DELAY_MS) {
      throw new RangeError(`initialDelayMs must be from 0 to ${MAX_KEEPALIVE_DELAY_MS} (32,767 s), got ${String(initialDelayMs)}`);
    }
    this.io.assertOpen();
    this.io.socket.setKeepAlive(enable, initialDelayMs);
  }

  /**
   * Close the connection with an RST instead of a FIN, discarding unsent bytes (Node's
   * `resetAndDestroy`; the same as `setLinger(0)` then `close()`).
   *
   * @example
   * ```ts
   * stream.resetAndClose(); // the peer sees ECONNRESET
   * ```
   */
  resetAndClose(): void {
    this.io.resetOnClose = true;
    this.close();
  }
}
