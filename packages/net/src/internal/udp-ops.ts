/**
 * The futures of `UdpSocket`'s operations, over a {@link UdpCore} (see its header for the
 * readiness protocol):
 * - {@link RecvOp} (`recv`, `recvFrom`, `peekFrom`, `peekSender`): waits on READABLE, takes the
 *   head of the queue in the poll that resolves; another receiver having been faster, it clears
 *   its event and waits again.
 * - {@link SendOp} (`send`, `sendTo`): resolves a name if needed, waits on WRITABLE, hands the
 *   datagram to Node, waits for Node's callback.
 * - {@link ReadinessOp} (`readable`, `writable`, `ready`).
 * - {@link AttemptEach} and its two kinds, {@link BindOp} and {@link ConnectOp}: resolve the
 *   host, then try each address in order until one succeeds (Tokio's `ToSocketAddrs` rule).
 */
import { isIP } from "node:net";
import { ContextError, Future, madeProgress, Pending, pollProceed, type Context, type Poll, type Waker } from "@tokio-ts/core";
import type { LinkedList, ListNode } from "@tokio-ts/core/collections";
import { Interest, readyOf, ioDriver, type IoDriver, type Ready, type ReadyEvent } from "@tokio-ts/io-driver";
import { SocketAddr, type HostPort } from "../addr.js";
import { LookupHost } from "../lookup-host.js";
import { UdpCore, type UdpCoreOptions } from "./udp-core.js";
import { systemError } from "./udp-errors.js";

/** Something waiting for the bind or the connect of a core. */
export interface Pendable {
  settle(error: Error | undefined): void;
}

/** A sentinel for "nothing queued" from {@link takeDatagram}. */
export const WOULD_BLOCK: unique symbol = Symbol("WOULD_BLOCK");

/** What a receive takes: `recv` (bytes), `recvFrom` ([bytes, sender]), `peekFrom`, `peekSender`. */
export const RecvMode = { Recv: 0, RecvFrom: 1, PeekFrom: 2, PeekSender: 3 } as const;
export type RecvMode = (typeof RecvMode)[keyof typeof RecvMode];

export type RecvOutput = number | [number, SocketAddr] | SocketAddr;

/**
 * Take (or peek at) the head of the queue into `buf`, truncating to `buf.length`. Throws the
 * pending error first, if any. WOULD_BLOCK when nothing is queued.
 */
export function takeDatagram(core: UdpCore, mode: RecvMode, buf: Uint8Array | undefined): RecvOutput | typeof WOULD_BLOCK {
  core.takePendingError();
  const queue = core.queue;
  if (queue.length === 0) return WOULD_BLOCK;
  const from = queue.peekFrom();
  if (mode === RecvMode.PeekSender) return from;
  const data = queue.peekData();
  const out = buf as Uint8Array;
  const n = Math.min(data.length, out.length);
  out.set(n === data.length ? data : data.subarray(0, n));
  if (mode === RecvMode.PeekFrom) return [n, from];
  queue.shift();
  if (queue.length === 0) core.syncReadiness();
  return mode === RecvMode.Recv ? n : [n, from];
}

/** The future of `recv`, `recvFrom`, `peekFrom` and `peekSender`. */
export class RecvOp<T extends RecvOutput> extends Future<T> {
  readonly #core: UdpCore;
  readonly #mode: RecvMode;
  readonly #buf: Uint8Array | undefined;
  readonly #method: string;
  #waiter: Future<ReadyEvent> | undefined = undefined;

  constructor(core: UdpCore, mode: RecvMode, buf: Uint8Array | undefined, method: string) {
    super();
    this.#core = core;
    this.#mode = mode;
    this.#buf = buf;
    this.#method = method;
  }

  override poll(cx: Context): Poll<T> {
    const core = this.#core;
    if (!pollProceed(cx)) return Pending;
    for (;;) {
      try {
        core.checkOpen(this.#method);
      } catch (error) {
        madeProgress(cx); // a failure spends the budget too (Tokio's coop)
        throw error;
      }
      const waiter = (this.#waiter ??= core.registration.ready(Interest.READABLE));
      const event = waiter.poll(cx);
      if (event === Pending) return Pending;
      const out = takeDatagram(core, this.#mode, this.#buf);
      if (out !== WOULD_BLOCK) return out as T;
      // Another receiver took it: clear what we saw (unless newer readiness came) and wait.
      core.registration.clearReadiness(event);
    }
  }

  override cancel(): void {
    this.#waiter?.cancel();
  }
}

/** The future of `readable()`, `writable()` and `ready(interest)`. */
export class ReadinessOp<T> extends Future<T> {
  readonly #core: UdpCore;
  readonly #method: string;
  readonly #map: (ready: Ready) => T;
  readonly #waiter: Future<ReadyEvent>;

  /** Checks `interest` at the call, with the registration's own check (it makes the waiter). */
  constructor(core: UdpCore, interest: Interest, method: string, map: (ready: Ready) => T) {
    super();
    this.#core = core;
    this.#method = method;
    this.#map = map;
    this.#waiter = core.registration.ready(interest);
  }

  override poll(cx: Context): Poll<T> {
    if (!pollProceed(cx)) return Pending;
    try {
      this.#core.checkOpen(this.#method);
    } catch (error) {
      madeProgress(cx); // a failure spends the budget too (Tokio's coop)
      throw error;
    }
    const event = this.#waiter.poll(cx);
    if (event === Pending) return Pending;
    return this.#map(readyOf(event));
  }

  override cancel(): void {
    this.#waiter.cancel();
  }
}

const WAIT_WRITABLE = 0;
const IN_FLIGHT = 1;
const FINISHED = 2;

/**
 * The future of `send` and `sendTo`: waits for write readiness (fewer than `maxPendingSends`
 * in flight), hands the datagram to Node, then waits for Node's callback. It is its own node in
 * the core's list of sends in flight.
 */
export class SendOp extends Future<number> implements ListNode {
  listPrev: ListNode | undefined = undefined;
  listNext: ListNode | undefined = undefined;
  list: LinkedList<ListNode> | undefined = undefined;
  readonly #core: UdpCore;
  readonly #data: Uint8Array;
  readonly #method: string;
  #target: SocketAddr | undefined;
  #resolve: LookupHost | undefined;
  #state = WAIT_WRITABLE;
  #waiter: Future<ReadyEvent> | undefined = undefined;
  #waker: Waker | undefined = undefined;
  #error: unknown = undefined;

  /** `target` undefined: send to the connected peer; `resolve`: a name to resolve first. */
  constructor(core: UdpCore, data: Uint8Array, target: SocketAddr | HostPort | undefined, method: string) {
    super();
    this.#core = core;
    this.#data = data;
    this.#method = method;
    if (target === undefined || target instanceof SocketAddr) this.#target = target;
    else if (isIP(target.host) !== 0) this.#target = new SocketAddr(target.host, target.port);
    else this.#resolve = new LookupHost(target.host, target.port);
  }

  override poll(cx: Context): Poll<number> {
    const core = this.#core;
    if (this.#state === IN_FLIGHT) {
      this.#waker = cx.waker;
      return Pending;
    }
    if (this.#state === FINISHED) {
      if (this.#error !== undefined) throw this.#error;
      return this.#data.length;
    }
    if (!pollProceed(cx)) return Pending;
    try {
      core.checkOpen(this.#method);
    } catch (error) {
      madeProgress(cx); // a failure spends the budget too (Tokio's coop)
      throw error;
    }
    if (this.#resolve !== undefined) {
      const addrs = this.#resolve.poll(cx);
      if (addrs === Pending) return Pending;
      this.#resolve = undefined;
      this.#target = addrs.find((a) => a.family === core.family) ?? addrs[0];
    }
    if (this.#target !== undefined && core.peer !== undefined) {
      madeProgress(cx);
      throw systemError("ERR_SOCKET_DGRAM_IS_CONNECTED", "send", `the UdpSocket is connected to ${core.peer.toString()}: use send(data)`, this.#target.toString());
    }
    if (this.#target === undefined && core.peer === undefined) {
      madeProgress(cx);
      throw systemError("EDESTADDRREQ", "send", "the UdpSocket is not connected: call connect(addr) first, or use sendTo(data, addr)");
    }
    for (;;) {
      try {
        core.checkOpen(this.#method);
        core.takePendingError();
      } catch (error) {
        madeProgress(cx);
        throw error;
      }
      const waiter = (this.#waiter ??= core.registration.ready(Interest.WRITABLE));
      const event = waiter.poll(cx);
      if (event === Pending) return Pending;
      if (core.inFlight < core.maxPendingSends) break;
      core.registration.clearReadiness(event);
    }
    this.#state = IN_FLIGHT;
    this.#waker = cx.waker;
    try {
      core.startSend(this.#data, this.#target, this);
    } catch (error) {
      this.#state = FINISHED;
      this.#waker = undefined;
      throw error;
    }
    return Pending;
  }

  override cancel(): void {
    this.#waiter?.cancel();
    this.#resolve?.cancel();
    this.#waker = undefined;
    // A send in flight cannot be recalled: leave the list, and its callback's error (if any)
    // becomes the socket's pending error.
    if (this.#state === IN_FLIGHT && this.list !== undefined) this.#core.sending.remove(this);
    this.#state = FINISHED;
  }

  /** @internal Node's callback ran (`error` undefined: sent). */
  complete(error: Error | undefined): void {
    this.#state = FINISHED;
    this.#error = error;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }

  /** @internal The socket closed while the send was in flight. */
  fail(error: unknown): void {
    this.complete(error as Error);
  }
}

/** The states of a bind or connect future. */
const START = 0;
const RESOLVING = 1;
const WAITING = 2;
const SETTLED = 3;
const DROPPED = 4;

/**
 * Tries each address a host resolves to, in order, until one succeeds (Tokio's rule for
 * `ToSocketAddrs` in `bind` and `connect`); fails with the last error.
 *
 * States: START (not polled) → RESOLVING (a name: the {@link LookupHost} runs; an IP literal
 * skips it) → WAITING (an attempt is in progress; the core calls `settle`, which starts the next
 * attempt on failure, or finishes) → SETTLED (output or error stored) | DROPPED (cancelled; a
 * late `settle` is ignored). An attempt usually settles inside `attempt()` itself (Node binds
 * and connects an IP literal synchronously), so a bind or connect to an IP is ready at its first
 * poll. A shutdown error ends the attempts at once.
 */
export abstract class AttemptEach<T> extends Future<T> implements Pendable {
  #target: HostPort;
  #state = START;
  #lookup: LookupHost | undefined = undefined;
  #addrs: SocketAddr[] = [];
  #next = 0;
  #error: unknown = undefined;
  #done = false;
  #waker: Waker | undefined = undefined;

  constructor(target: HostPort) {
    super();
    this.#target = target;
  }

  /** Start an attempt on `addr`; call `settle` when it is over. */
  protected abstract attempt(addr: SocketAddr): void;
  /** The attempt succeeded: the output. */
  protected abstract output(): T;
  /** Drop the attempt in progress. */
  protected abstract abandon(): void;

  override poll(cx: Context): Poll<T> {
    if (this.#state === START) {
      this.start();
      const { host, port } = this.#target;
      if (isIP(host) !== 0) {
        this.#addrs = [new SocketAddr(host, port)];
        this.#state = WAITING;
        this.#tryNext();
      } else {
        this.#lookup = new LookupHost(host, port);
        this.#state = RESOLVING;
      }
    }
    if (this.#state === RESOLVING) {
      const addrs = (this.#lookup as LookupHost).poll(cx);
      if (addrs === Pending) return Pending;
      this.#lookup = undefined;
      this.#addrs = addrs;
      this.#state = WAITING;
      this.#tryNext();
    }
    if (this.#state === SETTLED) {
      if (this.#done) return this.output();
      throw this.#error;
    }
    this.#waker = cx.waker;
    return Pending;
  }

  /** Called at the first poll, before anything else (checks that need the task's context). */
  protected start(): void {}

  /** @hidden The attempt in progress is over. */
  settle(error: Error | undefined): void {
    if (this.#state !== WAITING) return;
    if (error === undefined) {
      this.#done = true;
      this.#finish();
      return;
    }
    this.#error = error;
    if (this.#next < this.#addrs.length && !(error instanceof ContextError)) {
      this.#tryNext();
      return;
    }
    this.#finish();
  }

  override cancel(): void {
    if (this.#state === WAITING) this.abandon();
    this.#lookup?.cancel();
    this.#state = DROPPED;
    this.#waker = undefined;
  }

  #tryNext(): void {
    const addr = this.#addrs[this.#next++] as SocketAddr;
    this.attempt(addr);
  }

  #finish(): void {
    this.#state = SETTLED;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }
}

/** The future of `UdpSocket.bind`: one fresh core per address tried; `wrap` makes the socket. */
export class BindOp<S> extends AttemptEach<S> {
  readonly #options: UdpCoreOptions;
  readonly #wrap: (core: UdpCore) => S;
  #driver: IoDriver | undefined = undefined;
  #core: UdpCore | undefined = undefined;

  constructor(target: HostPort, options: UdpCoreOptions, wrap: (core: UdpCore) => S) {
    super(target);
    this.#options = options;
    this.#wrap = wrap;
  }

  protected override start(): void {
    this.#driver = ioDriver("UdpSocket.bind()");
  }

  protected override attempt(addr: SocketAddr): void {
    const driver = this.#driver as IoDriver;
    // The runtime may have shut down while the name was resolving: its shutdown error, as for
    // every other operation, not a socket made on a stopped driver.
    if (driver.isShutdown) {
      this.settle(ContextError.shutdown("UdpSocket.bind()"));
      return;
    }
    this.#core = new UdpCore(driver, addr.family, this.#options);
    this.#core.bind(addr, this);
  }

  override settle(error: Error | undefined): void {
    if (error !== undefined) this.#core?.close();
    super.settle(error);
  }

  protected override output(): S {
    return this.#wrap(this.#core as UdpCore);
  }

  protected override abandon(): void {
    this.#core?.close();
  }
}

/** The future of `UdpSocket.connect`. */
export class ConnectOp extends AttemptEach<void> {
  readonly #core: UdpCore;

  constructor(core: UdpCore, target: HostPort) {
    super(target);
    this.#core = core;
  }

  protected override start(): void {
    this.#core.checkOpen("connect");
  }

  protected override attempt(addr: SocketAddr): void {
    // The socket may have been closed (or its runtime shut down) while the name was resolving.
    try {
      this.#core.checkOpen("connect");
    } catch (error) {
      this.settle(error as Error);
      return;
    }
    this.#core.connect(addr, this);
  }

  protected override output(): void {}

  protected override abandon(): void {
    this.#core.abandonConnect(this);
  }
}

/** `readable()` / `writable()` resolve with nothing. */
export function toVoid(): void {}

/** `ready()` resolves with the bits. */
export function identity(ready: Ready): Ready {
  return ready;
}
