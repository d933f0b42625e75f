/**
 * TcpSocket: a TCP socket configured before it becomes a listener or a stream (Tokio's
 * `net::TcpSocket`).
 *
 * HOW, and what Node allows. Node creates the OS socket only when it listens or connects, so a
 * TcpSocket here is a record of options that `listen()` / `connect()` hand to Node in one go;
 * `bind()` only records the local address, an IP literal (a bind error such as EADDRINUSE
 * therefore comes from `listen()`/`connect()`). The options map to what Node can really do:
 *
 * | option                 | honoured as                                                     |
 * |------------------------|-----------------------------------------------------------------|
 * | `setReuseaddr`         | always on: libuv sets SO_REUSEADDR on every bound TCP socket on |
 * |                        | Unix; `false` cannot be honoured and throws UnsupportedError     |
 * | `setReuseport`         | SO_REUSEPORT via `listen({ reusePort })` on Node ≥ 22.12/23.1;  |
 * |                        | `true` on older Node throws UnsupportedError                     |
 * | `setSendBufferSize`    | Node cannot set SO_SNDBUF on TCP: it sets the stream's          |
 * |                        | user-space send buffer (`writableHighWaterMark`), the point at   |
 * |                        | which writes become Pending                                      |
 * | `setRecvBufferSize`    | Node cannot set SO_RCVBUF on TCP: it sets the stream's read     |
 * |                        | buffer (`readBufferSize` of io-driver's NodeStream)              |
 * | `setKeepalive`         | SO_KEEPALIVE (`keepAlive` option)                               |
 * | `setNodelay`           | TCP_NODELAY (`noDelay` option)                                  |
 * | `setLinger`            | `null`, `0` (close resets) or ms, as TcpStream.setLinger        |
 */
import type { Future } from "@tokio-ts/core";
import { isIP } from "node:net";
import { toHostPort, type HostPort, type ToSocketAddrs } from "./addr.js";
import { UnsupportedError } from "./errors.js";
import { BACKLOG, BUFFER_SIZE, checkInteger, checkLinger } from "./internal/check.js";
import { ConnectFuture } from "./internal/connect.js";
import { bindTcp, type TcpListener } from "./tcp-listener.js";
import { TcpStream } from "./tcp-stream.js";

/** Whether this Node has `listen({ reusePort })` (22.12+, 23.1+). */
function nodeHasReusePort(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

function checkBool(value: unknown, name: string): boolean {
  if (typeof value !== "boolean") throw new TypeError(`${name} must be a boolean, got ${typeof value}`);
  return value;
}

/**
 * A TCP socket to configure, then turn into a listener or a stream.
 *
 * @example
 * ```ts
 * const socket = TcpSocket.newV4();
 * socket.setKeepalive(true);
 * socket.bind("127.0.0.1:0");
 * const listener = yield* socket.listen(128);
 * ```
 */
export class TcpSocket {
  readonly #family: 4 | 6;
  #local: HostPort | undefined = undefined;
  #reuseport = false;
  #sendBufferSize: number | undefined = undefined;
  #recvBufferSize: number | undefined = undefined;
  #keepalive = false;
  #nodelay = false;
  #linger: number | null = null;
  #used = false;

  private constructor(family: 4 | 6) {
    this.#family = family;
  }

  /**
   * A new IPv4 socket.
   *
   * @example
   * ```ts
   * const socket = TcpSocket.newV4();
   * ```
   */
  static newV4(): TcpSocket {
    return new TcpSocket(4);
  }

  /**
   * A new IPv6 socket.
   *
   * @example
   * ```ts
   * const socket = TcpSocket.newV6();
   * ```
   */
  static newV6(): TcpSocket {
    return new TcpSocket(6);
  }

  /**
   * SO_REUSEADDR. libuv always sets it on bound TCP sockets (Unix), so `true` is what you get
   * anyway and `false` cannot be honoured.
   *
   * @example
   * ```ts
   * socket.setReuseaddr(true);
   * ```
   *
   * **Throws**: UnsupportedError for `false`.
   */
  setReuseaddr(reuseaddr: boolean): void {
    if (!checkBool(reuseaddr, "reuseaddr")) {
      throw new UnsupportedError("setReuseaddr(false): libuv always sets SO_REUSEADDR on TCP sockets; it cannot be turned off from Node");
    }
  }

  /**
   * Whether SO_REUSEADDR will be set: always `true` (see {@link TcpSocket.setReuseaddr}).
   *
   * @example
   * ```ts
   * socket.reuseaddr(); // true
   * ```
   */
  reuseaddr(): boolean {
    return process.platform !== "win32";
  }

  /**
   * SO_REUSEPORT, for listeners (several listeners on one port, the kernel balancing
   * connections). Needs Node ≥ 22.12 or ≥ 23.1 (`listen({ reusePort })`).
   *
   * @example
   * ```ts
   * socket.setReuseport(true); // throws UnsupportedError on Node 20
   * ```
   *
   * **Throws**: UnsupportedError for `true` on a Node without `reusePort`.
   */
  setReuseport(reuseport: boolean): void {
    if (checkBool(reuseport, "reuseport") && !nodeHasReusePort()) {
      throw new UnsupportedError(`setReuseport(true): Node ${process.versions.node} cannot set SO_REUSEPORT (it needs Node >= 22.12 or >= 23.1)`);
    }
    this.#reuseport = reuseport;
  }

  /**
   * Whether SO_REUSEPORT will be set.
   *
   * @example
   * ```ts
   * socket.reuseport(); // false
   * ```
   */
  reuseport(): boolean {
    return this.#reuseport;
  }

  /**
   * The user-space send buffer of the streams this socket makes, in bytes (Node cannot set
   * SO_SNDBUF on TCP; this is the `writableHighWaterMark` past which writes become Pending).
   *
   * @example
   * ```ts
   * socket.setSendBufferSize(256 * 1024);
   * ```
   *
   * **Throws**: TypeError if `size` is not a number; RangeError for a size outside 1..2^30.
   */
  setSendBufferSize(size: number): void {
    this.#sendBufferSize = checkInteger(size, "size", BUFFER_SIZE);
  }

  /**
   * The send buffer size set with {@link TcpSocket.setSendBufferSize} (Node's default
   * high-water mark, 16 KiB, if unset).
   *
   * @example
   * ```ts
   * socket.sendBufferSize(); // 16384
   * ```
   */
  sendBufferSize(): number {
    return this.#sendBufferSize ?? 16 * 1024;
  }

  /**
   * The read buffer of the streams this socket makes, in bytes (Node cannot set SO_RCVBUF on
   * TCP; this fixes the size of the buffers libuv reads into, which otherwise start at 16 KiB
   * and grow to 64 KiB under bulk reads).
   *
   * @example
   * ```ts
   * socket.setRecvBufferSize(64 * 1024);
   * ```
   *
   * **Throws**: TypeError if `size` is not a number; RangeError for a size outside 1..2^30.
   */
  setRecvBufferSize(size: number): void {
    this.#recvBufferSize = checkInteger(size, "size", BUFFER_SIZE);
  }

  /**
   * The read buffer size (if unset, 16 KiB: the size the buffers start at).
   *
   * @example
   * ```ts
   * socket.recvBufferSize(); // 16384
   * ```
   */
  recvBufferSize(): number {
    return this.#recvBufferSize ?? 16 * 1024;
  }

  /**
   * SO_KEEPALIVE on the streams this socket makes (accepted ones too, for a listener).
   *
   * @example
   * ```ts
   * socket.setKeepalive(true);
   * ```
   */
  setKeepalive(keepalive: boolean): void {
    this.#keepalive = checkBool(keepalive, "keepalive");
  }

  /**
   * Whether SO_KEEPALIVE will be set.
   *
   * @example
   * ```ts
   * socket.keepalive(); // false
   * ```
   */
  keepalive(): boolean {
    return this.#keepalive;
  }

  /**
   * TCP_NODELAY on the streams this socket makes (accepted ones too, for a listener).
   *
   * @example
   * ```ts
   * socket.setNodelay(true);
   * ```
   */
  setNodelay(nodelay: boolean): void {
    this.#nodelay = checkBool(nodelay, "nodelay");
  }

  /**
   * Whether TCP_NODELAY will be set.
   *
   * @example
   * ```ts
   * socket.nodelay(); // false
   * ```
   */
  nodelay(): boolean {
    return this.#nodelay;
  }

  /**
   * SO_LINGER of the stream `connect` makes: `null`, `0` or a time in milliseconds (see
   * `TcpStream.setLinger`).
   *
   * @example
   * ```ts
   * socket.setLinger(0);
   * ```
   *
   * **Throws**: TypeError for a value that is neither `null` nor a number; RangeError for a
   * negative, NaN or too large number.
   */
  setLinger(linger: number | null): void {
    this.#linger = checkLinger(linger);
  }

  /**
   * The linger setting (`null`, `0` or milliseconds).
   *
   * @example
   * ```ts
   * socket.linger(); // null
   * ```
   */
  linger(): number | null {
    return this.#linger;
  }

  /**
   * Record the local address for `listen()` / `connect()` (Node binds when it listens or
   * connects, so bind errors such as EADDRINUSE come from those calls). The address is an IP
   * literal and a port, as Tokio's `TcpSocket::bind` takes a `SocketAddr`: a host name is
   * refused (resolve it first with `lookupHost`).
   *
   * @example
   * ```ts
   * socket.bind("127.0.0.1:0");
   * const [addr] = yield* lookupHost("localhost:0"); // a name: resolve it first
   * TcpSocket.newV4().bind(addr);
   * ```
   *
   * **Throws**: TypeError/RangeError for a bad address, a host name, or an IP of the other
   * family.
   */
  bind(addr: ToSocketAddrs): void {
    const local = toHostPort(addr, "addr");
    const version = isIP(local.host);
    if (version === 0) {
      throw new TypeError(`addr must be an IP address and a port (TcpSocket.bind takes no host name: resolve it first with lookupHost), got host ${JSON.stringify(local.host)}`);
    }
    if (version !== this.#family) {
      throw new TypeError(`addr: ${local.host} is not an IPv${this.#family} address (the socket was made with newV${this.#family}())`);
    }
    this.#local = local;
  }

  /**
   * Listen for connections, with a queue of `backlog` pending connections in the kernel. Async
   * (unlike Tokio's) because Node binds and listens in one asynchronous step.
   *
   * @example
   * ```ts
   * const listener = yield* socket.listen(1024);
   * ```
   *
   * **Cancel safety**: cancel safe: a dropped listen closes the socket.
   *
   * **Throws**: TypeError if `backlog` is not a number, RangeError if it is not an integer in
   * 0..2^31-1; TypeError if the socket was already used. The
   * future fails with Node's error (`listen EADDRINUSE: address already in use 127.0.0.1:80`).
   */
  listen(backlog: number): Future<TcpListener> {
    checkInteger(backlog, "backlog", BACKLOG);
    this.#use();
    const local = this.#local ?? { host: this.#family === 4 ? "0.0.0.0" : "::", port: 0 };
    // An IPv6 socket bound to `::` takes IPv4 clients too (the system's default, dual stack), as
    // Tokio's `new_v6()` does on Linux and as `TcpListener.bind("[::]:0")` does.
    const listen = { host: local.host, port: local.port, backlog, ...(this.#reuseport ? { reusePort: true } : {}) };
    const server = {
      noDelay: this.#nodelay,
      keepAlive: this.#keepalive,
      ...(this.#sendBufferSize !== undefined ? { highWaterMark: this.#sendBufferSize } : {}),
    };
    const stream = this.#recvBufferSize !== undefined ? { readBufferSize: this.#recvBufferSize } : undefined;
    return bindTcp(listen, server, { noDelay: this.#nodelay, ...(stream ? { stream } : {}) }, "TcpSocket.listen()");
  }

  /**
   * Connect to `addr` with this socket's options (and its bound local address, if any).
   *
   * @example
   * ```ts
   * const stream = yield* TcpSocket.newV4().connect("127.0.0.1:8080");
   * ```
   *
   * **Cancel safety**: cancel safe: a dropped connect destroys the socket.
   *
   * **Throws**: TypeError/RangeError at the call for a bad address, an IP of the other family
   * (the socket's family is fixed by `newV4()`/`newV6()`; a name resolves to that family only),
   * or a used socket. The future fails with Node's error (`connect ECONNREFUSED 127.0.0.1:1`).
   */
  connect(addr: ToSocketAddrs): Future<TcpStream> {
    const { host, port } = toHostPort(addr, "addr");
    if (port === 0) throw new RangeError("addr: cannot connect to port 0");
    const version = isIP(host);
    if (version !== 0 && version !== this.#family) {
      throw new TypeError(`addr: ${host} is not an IPv${this.#family} address (the socket was made with newV${this.#family}())`);
    }
    this.#use();
    const local = this.#local;
    const options = {
      host,
      port,
      family: this.#family,
      noDelay: this.#nodelay,
      keepAlive: this.#keepalive,
      ...(local !== undefined ? { localAddress: local.host, localPort: local.port } : {}),
      ...(this.#sendBufferSize !== undefined ? { writableHighWaterMark: this.#sendBufferSize } : {}),
    };
    const nodelay = this.#nodelay;
    const linger = this.#linger;
    return new ConnectFuture({
      what: "TcpSocket.connect()",
      options,
      ...(this.#recvBufferSize !== undefined ? { stream: { readBufferSize: this.#recvBufferSize } } : {}),
      wrap: (io) => {
        const stream = new TcpStream(io, { noDelay: nodelay });
        stream.setLinger(linger);
        return stream;
      },
    });
  }

  #use(): void {
    if (this.#used) throw new TypeError("this TcpSocket was already used by listen() or connect(); make a new one");
    this.#used = true;
  }
}
