/**
 * `UdpSocket` (Tokio's `net::UdpSocket`): a UDP socket on Node's `dgram`, with readiness,
 * cancel-safe receives and Tokio's method set.
 *
 * HOW. The socket's state lives in a core (`internal/udp-core.ts`): Node's `'message'` events
 * fill a bounded queue of datagrams, sends go through `socket.send` with a callback, and both
 * are mirrored into readiness on the runtime's I/O driver (READABLE while a datagram is queued,
 * WRITABLE while fewer than `maxPendingSends` sends are in flight, ERROR while a socket error is
 * pending). A receive takes the head of the queue only in the poll that returns it, so dropping
 * a receive (a `select` loser, a timeout) loses no datagram. The runtime's shutdown closes the
 * socket and fails every waiting operation with its shutdown error.
 *
 * UDP may drop, and so may this socket: Node gives datagram sockets no flow control, so the queue
 * is bounded (`recvQueueCapacity`, default {@link DEFAULT_RECV_QUEUE_CAPACITY}); a datagram that
 * arrives while it is full is dropped and counted in {@link UdpSocket.droppedDatagrams}, as the
 * kernel drops when the socket's receive buffer is full.
 */
import { isIP } from "node:net";
import type { Future } from "@tokio-ts/core";
import { Interest, WouldBlockError, type Ready } from "@tokio-ts/io-driver";
import { SocketAddr, toHostPort, type ToSocketAddrs } from "./addr.js";
import { checkBoolean, checkByte, checkBytes, checkInterfaceExists, checkIp, checkOptions, v6Interface } from "./internal/udp-check.js";
import type { UdpCore } from "./internal/udp-core.js";
import { BindOp, ConnectOp, identity, ReadinessOp, RecvMode, RecvOp, SendOp, takeDatagram, toVoid, WOULD_BLOCK } from "./internal/udp-ops.js";
import { hostError, systemError } from "./internal/udp-errors.js";
import { UnsupportedError } from "./errors.js";
import type { UdpBindOptions } from "./udp-options.js";

/**
 * Why a dual-stack socket cannot set its IPv4 multicast TTL: libuv sets `IPV6_MULTICAST_HOPS` on
 * an IPv6 socket, and Linux sends the IPv4 datagrams of one with `IP_MULTICAST_TTL`.
 */
const NO_DUAL_STACK_TTL = "Node sets IPV6_MULTICAST_HOPS, not IP_MULTICAST_TTL, on an IPv6 socket, so the IPv4 multicast TTL of this dual-stack socket stays at the OS default (1): bind an IPv4 socket to set it";

/**
 * Whether the IPv4 multicast loop flag of a dual-stack socket can be set. libuv sets
 * `IPV6_MULTICAST_LOOP` on an IPv6 socket; Linux reads that flag for every multicast datagram
 * of an IPv6 socket, IPv4 ones included (`sk_mc_loop` goes by the socket's family), so there it
 * is the flag asked for. Elsewhere (the BSDs keep a separate IPv4 flag) it cannot be set.
 */
function dualStackLoop(): true | string {
  return process.platform === "linux" ? true : `Node sets IPV6_MULTICAST_LOOP, not IP_MULTICAST_LOOP, on an IPv6 socket, and on ${process.platform} that does not govern its IPv4 datagrams: bind an IPv4 socket to set it`;
}

/**
 * A UDP socket (Tokio's `UdpSocket`): bind it, then exchange datagrams with `sendTo` /
 * `recvFrom`, or `connect` it to one peer and use `send` / `recv`. Every method takes `this`
 * only, so one socket can be shared by several tasks (one receiving, one sending, …).
 *
 * @example
 * ```ts
 * await using a = await UdpSocket.bind("127.0.0.1:0");
 * await using b = await UdpSocket.bind("127.0.0.1:0");
 * await a.sendTo(new TextEncoder().encode("ping"), b.localAddr());
 * const buf = new Uint8Array(1500);
 * const [n, from] = await b.recvFrom(buf);
 * // n === 4, from.equals(a.localAddr())
 * ```
 *
 * **Runtime compatibility**: needs a runtime built with `enableIo()`; the runtime's shutdown
 * closes the socket.
 */
export class UdpSocket implements AsyncDisposable, Disposable {
  readonly #core: UdpCore;

  /** @hidden Use {@link UdpSocket.bind}. */
  constructor(core: UdpCore) {
    this.#core = core;
  }

  /**
   * Create a socket bound to `addr` (port 0: any free port). A host name is resolved first and
   * each of its addresses tried in order until one binds (Tokio's rule). The socket is IPv4 or
   * IPv6 after the address it binds to.
   *
   * @example
   * ```ts
   * const socket = yield* UdpSocket.bind("127.0.0.1:0");
   * socket.localAddr().port; // the port the OS picked
   * ```
   *
   * **Cancel safety**: to an IP address, the bind completes in its first poll (Node binds
   * synchronously), so there is nothing to drop halfway; dropped while a name is being resolved,
   * it has opened nothing.
   *
   * **Throws**: TypeError/RangeError for a bad address or option value (a buffer size outside
   * 1..2^30 included), and TypeError for an unknown option key, at the call. The future fails
   * with ContextError outside a runtime or when the runtime lacks `enableIo()`, and with Node's
   * error for the bind (`code` `EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`, the address in the
   * message), or the resolver's (`ENOTFOUND`).
   */
  static bind(addr: ToSocketAddrs, options: UdpBindOptions = {}): Future<UdpSocket> {
    const target = toHostPort(addr, "addr");
    return new BindOp(target, checkOptions(options), (core) => new UdpSocket(core));
  }

  /**
   * Connect the socket to `addr`: `send` then goes there, and the OS delivers only datagrams
   * from there (datagrams already queued stay queued). Connecting again replaces the peer (Node
   * dissolves the old association first; on some kernels, gVisor's among them, that also moves
   * the socket to a new local port — `localAddr()` reports the current one). A host name is
   * resolved and its addresses tried in order.
   *
   * @example
   * ```ts
   * yield* socket.connect("127.0.0.1:8125");
   * yield* socket.send(new TextEncoder().encode("hits:1|c"));
   * ```
   *
   * **Cancel safety**: to an IP address, the connect completes in its first poll (as Tokio's),
   * so there is nothing to drop halfway. Dropped while a name is being resolved, it leaves the
   * socket as it was.
   *
   * **Throws**: TypeError/RangeError for a bad address (port 0 included), at the call; the
   * future fails with Node's error (`EINVAL` for an IPv6 peer of an IPv4 socket), the
   * resolver's, or ERR_SOCKET_CLOSED.
   */
  connect(addr: ToSocketAddrs): Future<void> {
    const target = toHostPort(addr, "addr");
    if (target.port === 0) throw new RangeError("addr: cannot connect to port 0");
    return new ConnectOp(this.#core, target);
  }

  /**
   * Send `data` as one datagram to the connected peer; resolves with its length once Node has
   * handed it to the OS. Waits while `maxPendingSends` sends are in flight.
   *
   * @example
   * ```ts
   * const n = yield* socket.send(new Uint8Array([1, 2, 3])); // 3
   * ```
   *
   * **Cancel safety**: dropped before it was handed over (while waiting for writability), it
   * sends nothing. Dropped later, the datagram is sent anyway, and an error it meets becomes the
   * socket's pending error (see {@link UdpSocket.takeError}). Do not change `data` until the
   * future resolves.
   *
   * **Throws**: TypeError if `data` is not a Uint8Array, at the call. The future fails with
   * `EDESTADDRREQ` when the socket is not connected, with the OS error of the send (`EMSGSIZE`,
   * `ECONNREFUSED`, …) or a pending one, or ERR_SOCKET_CLOSED.
   */
  send(data: Uint8Array): Future<number> {
    checkBytes("data", data);
    return new SendOp(this.#core, data, undefined, "send");
  }

  /**
   * Send `data` as one datagram to `addr`. A host name is resolved first and the first address
   * of the socket's family used. Resolves with the length once Node handed it to the OS.
   *
   * @example
   * ```ts
   * yield* socket.sendTo(new TextEncoder().encode("hello"), "127.0.0.1:9000");
   * ```
   *
   * **Cancel safety**: as {@link UdpSocket.send}.
   *
   * **Throws**: TypeError/RangeError for bad data or address (port 0 included), at the call. The future fails with
   * the OS error of the send (`EACCES` for a broadcast address without `setBroadcast(true)`,
   * `EMSGSIZE`, `EINVAL` for the other family), ERR_SOCKET_DGRAM_IS_CONNECTED on a connected
   * socket (use `send`), the resolver's error, or ERR_SOCKET_CLOSED.
   */
  sendTo(data: Uint8Array, addr: ToSocketAddrs): Future<number> {
    checkBytes("data", data);
    const target = toHostPort(addr, "addr");
    if (target.port === 0) throw new RangeError("addr: cannot send to port 0");
    return new SendOp(this.#core, data, target, "sendTo");
  }

  /**
   * Receive one datagram into `buf`: resolves with the number of bytes copied. A datagram longer
   * than `buf` is truncated to `buf.length` and the rest discarded, as the OS does — use a buffer
   * of 65,536 bytes to never lose any. On an unconnected socket it receives from anyone.
   *
   * @example
   * ```ts
   * const buf = new Uint8Array(1500);
   * const n = yield* socket.recv(buf);
   * const text = new TextDecoder().decode(buf.subarray(0, n));
   * ```
   *
   * **Cancel safety**: cancel safe. A datagram is taken only by the poll that resolves; a
   * dropped `recv` leaves it queued for the next receive.
   *
   * **Throws**: TypeError if `buf` is not a Uint8Array, at the call. The future fails with the
   * pending socket error (`ECONNREFUSED` on a connected socket whose peer has no listener), or
   * ERR_SOCKET_CLOSED.
   */
  recv(buf: Uint8Array): Future<number> {
    checkBytes("buf", buf);
    return new RecvOp<number>(this.#core, RecvMode.Recv, buf, "recv");
  }

  /**
   * Receive one datagram into `buf`: `[bytes copied, sender]`. Truncates as {@link recv} does.
   *
   * @example
   * ```ts
   * const [n, from] = yield* socket.recvFrom(buf);
   * yield* socket.sendTo(buf.subarray(0, n), from); // echo
   * ```
   *
   * **Cancel safety**: cancel safe, as {@link UdpSocket.recv}.
   *
   * **Throws**: as {@link UdpSocket.recv}.
   */
  recvFrom(buf: Uint8Array): Future<[number, SocketAddr]> {
    checkBytes("buf", buf);
    return new RecvOp<[number, SocketAddr]>(this.#core, RecvMode.RecvFrom, buf, "recvFrom");
  }

  /**
   * Copy the next datagram into `buf` without taking it: `[bytes copied, sender]`; the next
   * receive returns the same datagram.
   *
   * @example
   * ```ts
   * const [n] = yield* socket.peekFrom(header);
   * ```
   *
   * **Cancel safety**: cancel safe; it takes nothing.
   *
   * **Throws**: as {@link UdpSocket.recv}.
   */
  peekFrom(buf: Uint8Array): Future<[number, SocketAddr]> {
    checkBytes("buf", buf);
    return new RecvOp<[number, SocketAddr]>(this.#core, RecvMode.PeekFrom, buf, "peekFrom");
  }

  /**
   * The sender of the next datagram, without taking it (Tokio's `peek_sender`).
   *
   * @example
   * ```ts
   * const from = yield* socket.peekSender();
   * if (!allowed(from)) yield* socket.recv(new Uint8Array(0)); // discard it
   * ```
   *
   * **Cancel safety**: cancel safe; it takes nothing.
   *
   * **Throws**: as {@link UdpSocket.recv}.
   */
  peekSender(): Future<SocketAddr> {
    return new RecvOp<SocketAddr>(this.#core, RecvMode.PeekSender, undefined, "peekSender");
  }

  /**
   * Receive a queued datagram without waiting: bytes copied into `buf` (truncated as
   * {@link recv}).
   *
   * @example
   * ```ts
   * yield* socket.readable();
   * try { n = socket.tryRecv(buf) } catch (e) { if (!(e instanceof WouldBlockError)) throw e }
   * ```
   *
   * **Throws**: WouldBlockError (code `EWOULDBLOCK`) when nothing is queued (readiness is then
   * cleared); the pending socket error; ERR_SOCKET_CLOSED.
   */
  tryRecv(buf: Uint8Array): number {
    checkBytes("buf", buf);
    return this.#tryTake(RecvMode.Recv, buf, "tryRecv") as number;
  }

  /**
   * Receive a queued datagram without waiting: `[bytes copied, sender]`.
   *
   * @example
   * ```ts
   * const [n, from] = socket.tryRecvFrom(buf);
   * ```
   *
   * **Throws**: as {@link UdpSocket.tryRecv}.
   */
  tryRecvFrom(buf: Uint8Array): [number, SocketAddr] {
    checkBytes("buf", buf);
    return this.#tryTake(RecvMode.RecvFrom, buf, "tryRecvFrom") as [number, SocketAddr];
  }

  /**
   * Copy the next queued datagram without waiting and without taking it: `[bytes, sender]`.
   *
   * @example
   * ```ts
   * const [n, from] = socket.tryPeekFrom(buf);
   * ```
   *
   * **Throws**: as {@link UdpSocket.tryRecv}.
   */
  tryPeekFrom(buf: Uint8Array): [number, SocketAddr] {
    checkBytes("buf", buf);
    return this.#tryTake(RecvMode.PeekFrom, buf, "tryPeekFrom") as [number, SocketAddr];
  }

  /**
   * Send a datagram to the connected peer without waiting: its length. `data` is copied, so it
   * may be reused at once. The outcome of the send is not awaited: an error it meets becomes the
   * socket's pending error.
   *
   * @example
   * ```ts
   * yield* socket.writable();
   * socket.trySend(payload);
   * ```
   *
   * **Throws**: WouldBlockError when `maxPendingSends` sends are in flight (readiness is then
   * cleared); EDESTADDRREQ when not connected; the pending socket error; ERR_SOCKET_CLOSED.
   */
  trySend(data: Uint8Array): number {
    checkBytes("data", data);
    return this.#trySend(data, undefined, "trySend");
  }

  /**
   * Send a datagram to `addr` (an IP address, not a name) without waiting: its length. As
   * {@link trySend} otherwise.
   *
   * @example
   * ```ts
   * socket.trySendTo(payload, peer);
   * ```
   *
   * **Throws**: TypeError if `addr` names a host instead of an IP (resolve it with
   * `lookupHost`); otherwise as {@link UdpSocket.trySend}.
   */
  trySendTo(data: Uint8Array, addr: ToSocketAddrs): number {
    checkBytes("data", data);
    const { host, port } = toHostPort(addr, "addr");
    if (isIP(host) === 0) throw new TypeError(`addr must be an IP address for trySendTo (resolve names with lookupHost), got ${JSON.stringify(host)}`);
    if (port === 0) throw new RangeError("addr: cannot send to port 0");
    return this.#trySend(data, new SocketAddr(host, port), "trySendTo");
  }

  /**
   * Wait until a datagram is queued (or an error is pending). It may complete spuriously: the
   * datagram can be gone by the time you `tryRecv` (another task took it).
   *
   * @example
   * ```ts
   * yield* socket.readable();
   * const n = socket.tryRecv(buf);
   * ```
   *
   * **Cancel safety**: cancel safe; it takes nothing.
   *
   * **Throws**: the future fails with ERR_SOCKET_CLOSED, or the runtime's shutdown error.
   */
  readable(): Future<void> {
    return new ReadinessOp<void>(this.#core, Interest.READABLE, "readable", toVoid);
  }

  /**
   * Wait until a send would not wait (fewer than `maxPendingSends` in flight).
   *
   * @example
   * ```ts
   * yield* socket.writable();
   * socket.trySend(payload);
   * ```
   *
   * **Cancel safety**: cancel safe.
   *
   * **Throws**: as {@link UdpSocket.readable}.
   */
  writable(): Future<void> {
    return new ReadinessOp<void>(this.#core, Interest.WRITABLE, "writable", toVoid);
  }

  /**
   * Wait for any of `interest` (`Interest.READABLE`, `Interest.WRITABLE` or both): resolves with
   * the {@link Ready} bits that hold (`READABLE`, `WRITABLE`, `ERROR`).
   *
   * @example
   * ```ts
   * const ready = yield* socket.ready(Interest.READABLE | Interest.WRITABLE);
   * if (Ready.isReadable(ready)) …
   * ```
   *
   * **Cancel safety**: cancel safe.
   *
   * **Throws**: TypeError for an interest that is not a number, RangeError for an empty,
   * unknown or fractional one, both at the call; otherwise as {@link UdpSocket.readable}.
   */
  ready(interest: Interest): Future<Ready> {
    return new ReadinessOp<Ready>(this.#core, interest, "ready", identity);
  }

  /**
   * The address the socket is bound to (with the port the OS picked for port 0).
   *
   * @example
   * ```ts
   * const { port } = socket.localAddr();
   * ```
   *
   * **Throws**: ERR_SOCKET_CLOSED.
   */
  localAddr(): SocketAddr {
    this.#core.checkOpen("localAddr");
    return this.#core.local as SocketAddr;
  }

  /**
   * The address of the connected peer.
   *
   * @example
   * ```ts
   * yield* socket.connect("127.0.0.1:53");
   * socket.peerAddr().toString(); // "127.0.0.1:53"
   * ```
   *
   * **Throws**: an error with code `ENOTCONN` when not connected; ERR_SOCKET_CLOSED.
   */
  peerAddr(): SocketAddr {
    this.#core.checkOpen("peerAddr");
    const peer = this.#core.peer;
    if (peer === undefined) throw systemError("ENOTCONN", "peerAddr", "the UdpSocket is not connected");
    return peer;
  }

  /**
   * Allow sending to broadcast addresses (`SO_BROADCAST`); without it the OS refuses them with
   * `EACCES`.
   *
   * @example
   * ```ts
   * socket.setBroadcast(true);
   * yield* socket.sendTo(announce, "255.255.255.255:9999");
   * ```
   *
   * **Throws**: TypeError if `on` is not a boolean; ERR_SOCKET_CLOSED; the OS error.
   */
  setBroadcast(on: boolean): void {
    checkBoolean("on", on);
    this.#option("setBroadcast", () => this.#core.socket.setBroadcast(on));
    this.#core.broadcast = on;
  }

  /**
   * Whether `SO_BROADCAST` is set: the value last given to {@link setBroadcast} (false, the OS
   * default, before).
   *
   * @example
   * ```ts
   * socket.broadcast(); // false
   * ```
   */
  broadcast(): boolean {
    this.#core.checkOpen("broadcast");
    return this.#core.broadcast;
  }

  /**
   * Whether multicast datagrams this socket sends loop back to local sockets of the group
   * (`IP_MULTICAST_LOOP`; on by default). IPv4 sockets, and on Linux dual-stack ones (IPv6,
   * bound to `[::]` without `ipv6Only`): there Node sets `IPV6_MULTICAST_LOOP`, which is the flag
   * Linux reads for every multicast datagram an IPv6 socket sends, IPv4 ones included, so this
   * and {@link setMulticastLoopV6} set the same flag.
   *
   * @example
   * ```ts
   * socket.setMulticastLoopV4(false);
   * ```
   *
   * **Throws**: TypeError for a non-boolean; an `EINVAL` error on an IPv6-only socket (use
   * {@link setMulticastLoopV6}); UnsupportedError on a dual-stack socket elsewhere than on
   * Linux (Node cannot reach `IP_MULTICAST_LOOP` there); ERR_SOCKET_CLOSED; the OS error.
   */
  setMulticastLoopV4(on: boolean): void {
    checkBoolean("on", on);
    this.#family("setMulticastLoopV4", "IPv4", dualStackLoop());
    this.#option("setMulticastLoopV4", () => this.#core.socket.setMulticastLoopback(on));
    this.#core.multicastLoop = on;
  }

  /**
   * The multicast loop flag of an IPv4 socket (or, on Linux, of a dual-stack one): the value
   * last set (true, the OS default, before).
   *
   * @example
   * ```ts
   * socket.multicastLoopV4(); // true
   * ```
   *
   * **Throws**: as {@link UdpSocket.setMulticastLoopV4}.
   */
  multicastLoopV4(): boolean {
    this.#family("multicastLoopV4", "IPv4", dualStackLoop());
    return this.#core.multicastLoop;
  }

  /**
   * The IPv6 form of {@link setMulticastLoopV4} (`IPV6_MULTICAST_LOOP`). IPv6 sockets only.
   *
   * @example
   * ```ts
   * socket6.setMulticastLoopV6(false);
   * ```
   *
   * **Throws**: as {@link UdpSocket.setMulticastLoopV4}, for an IPv4 socket.
   */
  setMulticastLoopV6(on: boolean): void {
    checkBoolean("on", on);
    this.#family("setMulticastLoopV6", "IPv6");
    this.#option("setMulticastLoopV6", () => this.#core.socket.setMulticastLoopback(on));
    this.#core.multicastLoop = on;
  }

  /**
   * The multicast loop flag of an IPv6 socket: the value last set (true before).
   *
   * @example
   * ```ts
   * socket6.multicastLoopV6(); // true
   * ```
   */
  multicastLoopV6(): boolean {
    this.#family("multicastLoopV6", "IPv6");
    return this.#core.multicastLoop;
  }

  /**
   * How many routers a multicast datagram may cross (`IP_MULTICAST_TTL`, 0–255; 1 by default:
   * the local network). IPv4 sockets only: on an IPv6 socket Node sets `IPV6_MULTICAST_HOPS`
   * instead, which does not apply to the IPv4 datagrams of a dual-stack socket, so the IPv4
   * multicast TTL of one stays at the OS default (Tokio could set it; Node cannot).
   *
   * @example
   * ```ts
   * socket.setMulticastTtlV4(4);
   * ```
   *
   * **Throws**: RangeError outside 0–255; an `EINVAL` error on an IPv6-only socket;
   * UnsupportedError on a dual-stack socket; ERR_SOCKET_CLOSED; the OS error.
   */
  setMulticastTtlV4(ttl: number): void {
    checkByte("ttl", ttl, 0);
    this.#family("setMulticastTtlV4", "IPv4", NO_DUAL_STACK_TTL);
    this.#option("setMulticastTtlV4", () => this.#core.socket.setMulticastTTL(ttl));
    this.#core.multicastTtl = ttl;
  }

  /**
   * The multicast TTL: the value last set (1, the OS default, before).
   *
   * @example
   * ```ts
   * socket.multicastTtlV4(); // 1
   * ```
   *
   * **Throws**: as {@link UdpSocket.setMulticastTtlV4}.
   */
  multicastTtlV4(): number {
    this.#family("multicastTtlV4", "IPv4", NO_DUAL_STACK_TTL);
    return this.#core.multicastTtl;
  }

  /**
   * The TTL of unicast datagrams this socket sends (`IP_TTL` / `IPV6_UNICAST_HOPS`, 1–255).
   * (Node cannot read the option back, so there is no `ttl()` getter.)
   *
   * @example
   * ```ts
   * socket.setTtl(16);
   * ```
   *
   * **Throws**: RangeError outside 1–255; ERR_SOCKET_CLOSED; the OS error.
   */
  setTtl(ttl: number): void {
    checkByte("ttl", ttl, 1);
    this.#option("setTtl", () => this.#core.socket.setTTL(ttl));
  }

  /**
   * Join the IPv4 multicast group `multiaddr` on the interface with address `iface`
   * (`"0.0.0.0"`: the OS picks). On an IPv4 socket, or a dual-stack one (IPv6, bound to `[::]`
   * without `ipv6Only`), which receives the group's datagrams from `::ffff:…` addresses.
   *
   * @example
   * ```ts
   * const socket = yield* UdpSocket.bind("0.0.0.0:5353", { reuseAddr: true });
   * socket.joinMulticastV4("224.0.0.251", "0.0.0.0");
   * ```
   *
   * **Throws**: TypeError unless both are IPv4 addresses; an `EINVAL` error on an IPv6-only
   * socket (bound to an IPv6 address, or with `ipv6Only`) or for a group that is not multicast; `EADDRINUSE` if already joined; ERR_SOCKET_CLOSED.
   */
  joinMulticastV4(multiaddr: string, iface: string): void {
    checkIp("multiaddr", multiaddr, 4);
    checkIp("iface", iface, 4);
    this.#family("joinMulticastV4", "IPv4", true);
    this.#option("joinMulticastV4", () => this.#core.socket.addMembership(multiaddr, iface));
  }

  /**
   * Leave a group joined with {@link joinMulticastV4}.
   *
   * @example
   * ```ts
   * socket.leaveMulticastV4("224.0.0.251", "0.0.0.0");
   * ```
   *
   * **Throws**: as {@link UdpSocket.joinMulticastV4}; `EADDRNOTAVAIL` if not joined.
   */
  leaveMulticastV4(multiaddr: string, iface: string): void {
    checkIp("multiaddr", multiaddr, 4);
    checkIp("iface", iface, 4);
    this.#family("leaveMulticastV4", "IPv4", true);
    this.#option("leaveMulticastV4", () => this.#core.socket.dropMembership(multiaddr, iface));
  }

  /**
   * Join the IPv6 multicast group `multiaddr` on interface `iface`: `0` lets the OS pick; a
   * string names the interface (`"lo"`, `"eth0"`; one of `os.networkInterfaces()`). Tokio takes
   * an interface index; Node can only name interfaces, so other numbers are refused.
   *
   * @example
   * ```ts
   * socket6.joinMulticastV6("ff02::1:3", 0);
   * ```
   *
   * **Throws**: TypeError for a non-IPv6 group or a bad `iface`; RangeError for a non-zero
   * index; an `ENODEV` error for a name no interface of this host has (as Tokio's for an
   * unknown index; Node alone would join on "any"); an `EINVAL` error on an IPv4 socket; the
   * OS error (`EADDRINUSE` if already joined); ERR_SOCKET_CLOSED.
   */
  joinMulticastV6(multiaddr: string, iface: number | string): void {
    checkIp("multiaddr", multiaddr, 6);
    const where = v6Interface(iface);
    this.#family("joinMulticastV6", "IPv6");
    checkInterfaceExists("joinMulticastV6", iface);
    this.#option("joinMulticastV6", () => this.#core.socket.addMembership(multiaddr, where));
  }

  /**
   * Leave a group joined with {@link joinMulticastV6}.
   *
   * @example
   * ```ts
   * socket6.leaveMulticastV6("ff02::1:3", 0);
   * ```
   *
   * **Throws**: as {@link UdpSocket.joinMulticastV6}; `EADDRNOTAVAIL` if not joined.
   */
  leaveMulticastV6(multiaddr: string, iface: number | string): void {
    checkIp("multiaddr", multiaddr, 6);
    const where = v6Interface(iface);
    this.#family("leaveMulticastV6", "IPv6");
    checkInterfaceExists("leaveMulticastV6", iface);
    this.#option("leaveMulticastV6", () => this.#core.socket.dropMembership(multiaddr, where));
  }

  /**
   * Take the pending socket error (Tokio's `take_error`, the OS's `SO_ERROR`): an ICMP error
   * Node reported outside any receive, or the error of a send nobody awaited (`trySend`, a
   * dropped `send`). Undefined when there is none. Otherwise the next operation reports it.
   *
   * @example
   * ```ts
   * const error = socket.takeError();
   * if (error !== undefined) console.warn("earlier send failed:", error.message);
   * ```
   */
  takeError(): Error | undefined {
    const core = this.#core;
    const error = core.error;
    core.error = undefined;
    if (error !== undefined) core.syncReadiness();
    return error;
  }

  /**
   * How many received datagrams were dropped because the receive queue was full (see
   * `recvQueueCapacity`). It only grows.
   *
   * @example
   * ```ts
   * if (socket.droppedDatagrams > 0) console.warn("receiver too slow; raise recvQueueCapacity");
   * ```
   */
  get droppedDatagrams(): number {
    return this.#core.queue.dropped;
  }

  /**
   * How many received datagrams are queued, waiting for a receive.
   *
   * @example
   * ```ts
   * while (socket.queuedDatagrams > 0) handle(socket.tryRecv(buf));
   * ```
   */
  get queuedDatagrams(): number {
    return this.#core.queue.length;
  }

  /** Whether the socket has been closed (by `close()`, disposal or the runtime's shutdown). */
  get isClosed(): boolean {
    return !this.#core.isOpen;
  }

  /**
   * Close the socket: queued datagrams are discarded, waiting operations fail with
   * ERR_SOCKET_CLOSED, later ones too. Idempotent.
   *
   * @example
   * ```ts
   * socket.close();
   * ```
   */
  close(): void {
    this.#core.close();
  }

  /** `await using socket = …`: close at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** `using socket = …` (in a generator task too): close at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  #tryTake(mode: RecvMode, buf: Uint8Array, method: string): number | [number, SocketAddr] {
    const core = this.#core;
    core.checkOpen(method);
    const out = takeDatagram(core, mode, buf);
    if (out === WOULD_BLOCK) {
      core.syncReadiness();
      throw new WouldBlockError(`UdpSocket.${method}()`);
    }
    return out as number | [number, SocketAddr];
  }

  #trySend(data: Uint8Array, target: SocketAddr | undefined, method: string): number {
    const core = this.#core;
    core.checkOpen(method);
    core.takePendingError();
    if (target === undefined && core.peer === undefined) {
      throw systemError("EDESTADDRREQ", "send", "the UdpSocket is not connected: call connect(addr) first, or use trySendTo(data, addr)");
    }
    if (target !== undefined && core.peer !== undefined) {
      throw systemError("ERR_SOCKET_DGRAM_IS_CONNECTED", "send", `the UdpSocket is connected to ${core.peer.toString()}: use trySend(data)`, target.toString());
    }
    if (core.inFlight >= core.maxPendingSends) {
      core.syncReadiness();
      throw new WouldBlockError(`UdpSocket.${method}()`);
    }
    core.startSend(data.slice(), target, undefined);
    return data.length;
  }

  #option(method: string, set: () => unknown): void {
    this.#core.checkOpen(method);
    try {
      set();
    } catch (error) {
      throw hostError(method, undefined, error);
    }
  }

  /**
   * Check that `method`, an option of `family`, applies to this socket. An option of the other
   * family is an `EINVAL` error that points to the other family's method where there is one,
   * except that a dual-stack socket (see `UdpCore.isDualStack`) carries IPv4 too: for it
   * `dualStack` says whether the IPv4 option reaches the OS through Node (`true`) or why it
   * cannot (an UnsupportedError, rather than a call that would silently set something else).
   */
  #family(method: string, family: "IPv4" | "IPv6", dualStack: true | string | undefined = undefined): void {
    const core = this.#core;
    core.checkOpen(method);
    if (core.family === family) return;
    if (dualStack !== undefined && core.isDualStack) {
      if (dualStack === true) return;
      throw new UnsupportedError(`${method}: ${dualStack}`);
    }
    // Point to the other family's method only where there is one: the multicast TTL has no
    // IPv6 form (Tokio has no `multicast_ttl_v6` either).
    const other = family === "IPv4" ? method.replace("V4", "V6") : method.replace("V6", "V4");
    const hint = other in UdpSocket.prototype ? `use ${other}()` : `${method}() applies to ${family} sockets only, and has no ${core.family} form`;
    const what = core.family === "IPv6" && dualStack !== undefined ? `IPv6-only (bound to ${String(core.local)}${core.ipv6Only ? " with ipv6Only" : ""})` : `${core.family} (bound to ${String(core.local)})`;
    throw systemError("EINVAL", method, `the UdpSocket is ${what}: ${hint}`);
  }
}
