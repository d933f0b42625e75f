/**
 * The machinery behind `UdpSocket`: one Node datagram socket turned into readiness on a
 * {@link Registration}. The futures of its operations are in `udp-ops.ts`.
 *
 * HOW. Node pushes: every datagram arrives as a `'message'` event, and a send completes through
 * its callback. The core keeps that state in JavaScript and mirrors it into readiness bits:
 * - `READABLE` while the receive queue ({@link DatagramQueue}) holds a datagram. A full queue
 *   drops the new datagram and counts it (UDP may drop; the kernel does the same).
 * - `WRITABLE` while fewer than `maxPendingSends` sends are in flight (handed to Node, callback
 *   not yet called).
 * - `ERROR` while a socket error is pending (see below).
 * A receive waits on `registration.ready(READABLE)` (any number of receivers, each its own
 * waiter) and then takes the head of the queue in the same poll. If another receiver was faster,
 * it clears the readiness with the event it got (Tokio's tick rule) and waits again. A datagram
 * is therefore only ever removed by the poll that returns it: every receive is cancel safe.
 * After any change that lowers readiness (the queue ran empty, the send limit was reached, the
 * error was taken) `syncReadiness()` clears the bits that no longer hold, so `readable()` /
 * `writable()` / `ready()` and the `try*` methods agree with the queue.
 *
 * Errors. A send's error comes back through its callback to the send future. Errors Node reports
 * outside any operation — an ICMP "port unreachable" on a connected socket arrives as an
 * `'error'` event from `recvmsg` — and the errors of sends nobody waits for (`trySend*`, a send
 * future dropped after it was handed over) become the socket's pending error, like the OS's
 * `SO_ERROR`: the next operation reports it once (receives and sends alike), or `takeError()`
 * takes it.
 *
 * States: BINDING (the socket exists, `bind` is in progress; the bind future owns errors) →
 * OPEN → CLOSED (by `close()`, a failed or dropped bind, or the runtime's shutdown; every waiter
 * is woken and every later operation fails with ERR_SOCKET_CLOSED, or with the runtime's shutdown
 * error when the runtime closed it). A connect in progress owns the `'connect'` event and the
 * errors whose syscall is `connect`.
 *
 * Sends and connects pass IP literals only (names are resolved first, by `lookupHost`), and the
 * socket is created with a lookup function that returns the literal at once, so Node hands a
 * datagram to libuv inside `send()` instead of one resolver round trip later.
 */
import dgram from "node:dgram";
import { isIP } from "node:net";
import { ContextError } from "@tokio-ts/core";
import { LinkedList } from "@tokio-ts/core/collections";
import { Interest, Ready, readyOf, type IoDriver, type Registration } from "@tokio-ts/io-driver";
import { SocketAddr } from "../addr.js";
import { DatagramQueue } from "./udp-queue.js";
import { closedError, hostError, systemError } from "./udp-errors.js";
import type { Pendable, SendOp } from "./udp-ops.js";

const BINDING = 0;
const OPEN = 1;
const CLOSED = 2;

/** The settings a core is created with (checked by `UdpSocket.bind`). */
export interface UdpCoreOptions {
  readonly reuseAddr: boolean;
  readonly ipv6Only: boolean;
  readonly recvBufferSize: number | undefined;
  readonly sendBufferSize: number | undefined;
  readonly recvQueueCapacity: number;
  readonly maxPendingSends: number;
}

/** The lookup handed to Node: every address we pass is already an IP literal. */
function literalLookup(address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  const version = isIP(address);
  if (version === 0) callback(Object.assign(new Error(`not an IP address: ${address}`), { code: "EINVAL" }), address, 0);
  else callback(null, address, version);
}

export class UdpCore {
  readonly socket: dgram.Socket;
  readonly registration: Registration;
  readonly queue: DatagramQueue;
  readonly maxPendingSends: number;
  readonly family: "IPv4" | "IPv6";
  /** Made with `ipv6Only` (IPV6_V6ONLY): an IPv6 socket bound to `::` then carries no IPv4. */
  readonly ipv6Only: boolean;
  /** Sends handed to Node whose callback has not run (their futures, when still waiting). */
  readonly sending = new LinkedList<SendOp>();
  inFlight = 0;
  state = BINDING;
  closedByRuntime = false;
  local: SocketAddr | undefined = undefined;
  peer: SocketAddr | undefined = undefined;
  /** The pending socket error (SO_ERROR): reported once by the next operation. */
  error: Error | undefined = undefined;
  binding: Pendable | undefined = undefined;
  connecting: Pendable | undefined = undefined;
  connectTarget: SocketAddr | undefined = undefined;
  broadcast = false;
  multicastLoop = true;
  multicastTtl = 1;
  #lastFrom: SocketAddr | undefined = undefined;

  constructor(driver: IoDriver, family: "IPv4" | "IPv6", options: UdpCoreOptions) {
    this.family = family;
    this.ipv6Only = options.ipv6Only;
    this.queue = new DatagramQueue(options.recvQueueCapacity);
    this.maxPendingSends = options.maxPendingSends;
    this.socket = dgram.createSocket({
      type: family === "IPv4" ? "udp4" : "udp6",
      reuseAddr: options.reuseAddr,
      ipv6Only: options.ipv6Only,
      recvBufferSize: options.recvBufferSize,
      sendBufferSize: options.sendBufferSize,
      lookup: literalLookup as never,
    });
    this.socket.on("message", (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      // Node emits 'message' from libuv's receive callback: the event loop has just run.
      driver.hostTurn();
      this.#onMessage(msg, rinfo);
    });
    this.socket.on("error", (error: NodeJS.ErrnoException) => this.#onError(error));
    this.socket.on("listening", () => this.#onListening());
    this.socket.on("connect", () => this.#onConnect());
    this.registration = driver.register(() => this.close(true));
    this.registration.setReadiness(Ready.WRITABLE);
  }

  get isOpen(): boolean {
    return this.state === OPEN;
  }

  /**
   * Whether this is a dual-stack socket: IPv6, bound to `::` without `ipv6Only`, so it also
   * sends and receives IPv4 (as `::ffff:a.b.c.d`; the system's default, Linux's
   * `net.ipv6.bindv6only = 0`).
   */
  get isDualStack(): boolean {
    return this.family === "IPv6" && !this.ipv6Only && this.local?.ip === "::";
  }

  /** Start binding to `addr`; the outcome goes to `waiter.settle`. */
  bind(addr: SocketAddr, waiter: Pendable): void {
    this.binding = waiter;
    this.local = addr;
    try {
      this.socket.bind({ port: addr.port, address: addr.ip, exclusive: true });
    } catch (error) {
      this.binding = undefined;
      waiter.settle(hostError("bind", addr.toString(), error));
    }
  }

  /** Throw if the socket cannot be used: closed by the user, or by the runtime's shutdown. */
  checkOpen(method: string): void {
    if (this.state === OPEN) return;
    if (this.closedByRuntime) throw ContextError.shutdown(`UdpSocket.${method}()`);
    throw closedError(method);
  }

  /** Throw the pending socket error, if there is one (it is reported once). */
  takePendingError(): void {
    const error = this.error;
    if (error === undefined) return;
    this.error = undefined;
    this.syncReadiness();
    throw error;
  }

  /**
   * Clear the readiness bits that no longer hold (the queue ran empty, the send limit was
   * reached, the error was taken), through the registration's current event (the tick rule).
   */
  syncReadiness(): void {
    if (this.state === CLOSED) return;
    let keep = 0;
    if (this.queue.length > 0) keep |= Ready.READABLE;
    if (this.inFlight < this.maxPendingSends) keep |= Ready.WRITABLE;
    if (this.error !== undefined) keep |= Ready.ERROR;
    const event = this.registration.readyEvent(Interest.READABLE | Interest.WRITABLE);
    const bits = readyOf(event);
    const stale = bits & ~keep & (Ready.READABLE | Ready.WRITABLE | Ready.ERROR);
    if (stale !== 0) this.registration.clearReadiness(event - bits + stale);
  }

  /** Hand a datagram to Node. `op` is the future waiting for the callback, if any. */
  startSend(data: Uint8Array, target: SocketAddr | undefined, op: SendOp | undefined): void {
    const done = (error: Error | null): void => this.#sendDone(op, target, error);
    try {
      if (target === undefined) this.socket.send(data, done);
      else this.socket.send(data, target.port, target.ip, done);
    } catch (error) {
      throw hostError("send", (target ?? this.peer)?.toString(), error);
    }
    this.inFlight++;
    if (op !== undefined) this.sending.pushBack(op);
    if (this.inFlight >= this.maxPendingSends) this.syncReadiness();
  }

  /** Start connecting to `addr` (disconnecting first if connected); the outcome goes to `waiter`. */
  connect(addr: SocketAddr, waiter: Pendable): void {
    const previous = this.connecting;
    if (previous !== undefined) {
      this.connecting = undefined;
      previous.settle(systemError("ECANCELED", "connect", "superseded by a later connect()", this.connectTarget?.toString()));
    }
    this.#disconnect();
    this.connecting = waiter;
    this.connectTarget = addr;
    try {
      this.socket.connect(addr.port, addr.ip);
    } catch (error) {
      this.connecting = undefined;
      this.connectTarget = undefined;
      waiter.settle(hostError("connect", addr.toString(), error));
      return;
    }
    // With an IP literal and our synchronous lookup, Node makes the connect() call inside
    // socket.connect(): if the socket has its peer now, the connect is done (as Tokio's, in its
    // first poll); Node's 'connect' event, a tick later, then finds nobody waiting. If not, a
    // failure is on its way as an 'error' event.
    this.#onConnect();
  }

  /** A connect future was dropped: leave the socket unconnected. */
  abandonConnect(waiter: Pendable): void {
    if (this.connecting !== waiter) return;
    this.connecting = undefined;
    this.connectTarget = undefined;
    if (this.state !== CLOSED) this.#disconnect();
  }

  #disconnect(): void {
    this.peer = undefined;
    try {
      this.socket.disconnect();
    } catch {
      // Not connected (never, or the connect failed): nothing to undo.
    }
  }

  /** Close the socket, fail every operation in progress and wake every waiter. Idempotent. */
  close(byRuntime = false): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    this.closedByRuntime = byRuntime;
    this.queue.clear();
    try {
      this.socket.close();
    } catch {
      // Already closed by Node (a failed bind closes nothing, but close() twice throws).
    }
    const failure = byRuntime ? ContextError.shutdown("UdpSocket") : closedError("close");
    const binding = this.binding;
    this.binding = undefined;
    binding?.settle(failure);
    const connecting = this.connecting;
    this.connecting = undefined;
    connecting?.settle(failure);
    for (let op = this.sending.popFront(); op !== undefined; op = this.sending.popFront()) op.fail(failure);
    if (!byRuntime) this.registration.deregister();
  }

  #onListening(): void {
    const waiter = this.binding;
    if (waiter === undefined) return;
    this.binding = undefined;
    this.state = OPEN;
    this.local = SocketAddr.fromNode(this.socket.address()) ?? this.local;
    waiter.settle(undefined);
  }

  #onConnect(): void {
    const waiter = this.connecting;
    const target = this.connectTarget;
    if (waiter === undefined || target === undefined) return;
    // The event may belong to an earlier connect that was superseded or dropped: only the
    // socket's actual peer counts.
    let remote: dgram.RemoteInfo | undefined;
    try {
      remote = this.socket.remoteAddress() as dgram.RemoteInfo;
    } catch {
      return;
    }
    if (remote.port !== target.port || remote.address !== target.ip) return;
    this.connecting = undefined;
    this.peer = this.connectTarget;
    this.connectTarget = undefined;
    // Re-read the local address: dissolving the previous association (connect to AF_UNSPEC)
    // releases the port on some kernels (gVisor), and the connect binds a new one.
    this.local = SocketAddr.fromNode(this.socket.address()) ?? this.local;
    waiter.settle(undefined);
  }

  #onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.state !== OPEN) return;
    let from = this.#lastFrom;
    if (from === undefined || from.port !== rinfo.port || from.ip !== rinfo.address) {
      from = new SocketAddr(rinfo.address, rinfo.port);
      this.#lastFrom = from;
    }
    if (this.queue.push(msg, from)) this.registration.setReadiness(Ready.READABLE);
  }

  #onError(error: NodeJS.ErrnoException): void {
    if (this.state === CLOSED) return;
    if (this.binding !== undefined) {
      const waiter = this.binding;
      this.binding = undefined;
      waiter.settle(hostError("bind", this.local?.toString(), error));
      return;
    }
    if (this.connecting !== undefined && error.syscall === "connect") {
      const waiter = this.connecting;
      const target = this.connectTarget;
      this.connecting = undefined;
      this.connectTarget = undefined;
      waiter.settle(hostError("connect", target?.toString(), error));
      return;
    }
    this.error = hostError(error.syscall ?? "recvmsg", (this.peer ?? this.local)?.toString(), error);
    this.registration.setReadiness(Ready.ERROR);
  }

  #sendDone(op: SendOp | undefined, target: SocketAddr | undefined, error: Error | null): void {
    if (this.state === CLOSED) return;
    this.inFlight--;
    if (this.inFlight === this.maxPendingSends - 1) this.registration.setReadiness(Ready.WRITABLE);
    const failure = error === null ? undefined : hostError("send", (target ?? this.peer)?.toString(), error);
    if (op !== undefined && op.list === this.sending) {
      this.sending.remove(op);
      op.complete(failure);
    } else if (failure !== undefined) {
      // Nobody waits for this send (trySend, or its future was dropped): keep it as SO_ERROR.
      this.error = failure;
      this.registration.setReadiness(Ready.ERROR);
    }
  }
}
