/**
 * What TcpListener and UnixListener share: a listening `net.Server`, its queue of accepted
 * connections, and the bind and accept futures.
 *
 * HOW. Node accepts connections itself (libuv accepts as soon as the listening fd is readable)
 * and hands each one to the server's `'connection'` event. The listener is created with
 * `pauseOnConnect`, so an accepted socket reads nothing until a task takes it; the event only
 * appends the socket to `queue` and sets READABLE on the listener's registration. `accept()`
 * takes the oldest queued socket in the poll that completes it, so an accept future dropped
 * while it waits (a lost `select` branch, a timeout) has taken nothing: no connection is lost,
 * the next `accept()` gets it (cancel safety). Any number of tasks may wait in `accept()` at
 * once (each is a waiter of `registration.ready(READABLE)`).
 *
 * The queue is not bounded by the kernel's backlog: Node keeps accepting while connections
 * arrive, so a server that stops calling `accept()` holds the extra sockets here (paused, no
 * bytes read) until it accepts or closes the listener.
 *
 * An accept error Node reports is kept and thrown by the next `accept()` once; the listener
 * keeps listening, as with Tokio. (`EMFILE` never arrives: libuv closes the connections it cannot
 * accept and reports nothing.) `close()` (or the runtime's shutdown) closes the
 * server and gets rid of the sockets still queued; waiting accepts fail. A queued TCP socket is
 * reset (RST), which is what the kernel does to the connections left in the backlog of a
 * listening socket that Tokio drops: its client reads `ECONNRESET`, never an EOF that would look
 * like a server that accepted and answered nothing. Node cannot reset a pipe, so a queued Unix
 * socket is only closed (its client reads EOF; the kernel would give it ECONNRESET).
 */
import { ContextError, Future, madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import { RingBuffer } from "@tokio-ts/core/collections";
import { Interest, ioDriver, Ready, type IoDriver, type ReadyEvent, type Registration } from "@tokio-ts/io-driver";
import { statSync } from "node:fs";
import * as net from "node:net";
import { dirname } from "node:path";
import { netError } from "../errors.js";

const ignore = (): void => {};

/** @hidden How a {@link ListenerCore} treats its sockets. */
export interface ListenerKind {
  /** Read each socket's peer address as it arrives (Node caches it from then on). */
  readonly primePeer: boolean;
  /** Reset (RST) the sockets still queued when the listener closes: TCP only. */
  readonly resetQueued: boolean;
}

/** @hidden */
export class ListenerCore {
  readonly server: net.Server;
  readonly driver: IoDriver;
  readonly registration: Registration;
  readonly queue = new RingBuffer<net.Socket>(16);
  listening = false;
  /** Closed by `close()` or by the runtime's shutdown. */
  closed = false;
  /** Closed by `close()`. */
  closedByUser = false;
  /** Failure of listen (before listening) or an accept error to report once (after). */
  error: Error | undefined = undefined;
  bindWaker: { wake(): void } | undefined = undefined;

  readonly #resetQueued: boolean;

  constructor(driver: IoDriver, server: net.Server, kind: ListenerKind) {
    const primePeer = kind.primePeer;
    this.driver = driver;
    this.server = server;
    this.#resetQueued = kind.resetQueued;
    this.registration = driver.register(() => this.#closeServer());
    server.on("connection", (socket: net.Socket) => {
      socket.on("error", ignore); // a queued socket may be reset before it is accepted
      if (primePeer) void socket.remoteAddress; // Node caches the peer address from now on
      if (this.closed) {
        this.#discard(socket);
        return;
      }
      this.queue.push(socket);
      // Node emits 'connection' from libuv's accept callback: the event loop has just run.
      driver.hostTurn();
      this.registration.setReadiness(Ready.READABLE);
    });
    server.on("listening", () => {
      this.listening = true;
      this.#wakeBind();
    });
    server.on("error", (error: Error) => {
      this.error = error;
      if (this.listening) this.registration.setReadiness(Ready.READABLE);
      else this.#wakeBind();
    });
  }

  /** Throw if the listener cannot accept any more. */
  check(): void {
    if (this.closedByUser) throw netError("ERR_SOCKET_CLOSED", "accept", "the listener is closed");
    if (this.registration.isShutdown) throw ContextError.shutdown("listener");
  }

  /** Take the oldest queued connection, or undefined. */
  take(): net.Socket | undefined {
    const socket = this.queue.shift();
    if (socket !== undefined) {
      socket.off("error", ignore);
      if (this.queue.length === 0) this.registration.clearReadiness(this.registration.readyEvent(Interest.READABLE));
    }
    return socket;
  }

  close(): void {
    if (this.closedByUser) return;
    this.closedByUser = true;
    this.#closeServer();
    this.registration.deregister();
  }

  #closeServer(): void {
    this.closed = true;
    this.server.close();
    for (let s = this.queue.shift(); s !== undefined; s = this.queue.shift()) this.#discard(s);
    this.#wakeBind();
  }

  /** Get rid of a connection nobody accepted: RST for TCP (see the module header). */
  #discard(socket: net.Socket): void {
    if (this.#resetQueued && !socket.destroyed) socket.resetAndDestroy();
    else socket.destroy();
  }

  #wakeBind(): void {
    const waker = this.bindWaker;
    this.bindWaker = undefined;
    waker?.wake();
  }
}

/** @internal What a bind needs: the call's name, the server and listen options, the kind, the wrapper. */
export interface BindSpec<L> {
  readonly what: string;
  readonly server: net.ServerOpts;
  readonly listen: net.ListenOptions;
  readonly kind: ListenerKind;
  readonly wrap: (core: ListenerCore) => L;
}

/**
 * @internal The future of `bind`/`listen`: lazy (the first poll creates the server and calls
 * `listen`), completes on `'listening'`, fails with Node's error (`listen EADDRINUSE: address
 * already in use 127.0.0.1:8080`). Dropped before completion, it closes the server.
 */
export class BindFuture<L> extends Future<L> {
  #core: ListenerCore | undefined = undefined;
  #done = false;

  constructor(private readonly spec: BindSpec<L>) {
    super();
  }

  poll(cx: Context): Poll<L> {
    if (this.#done) throw new Error(`${this.spec.what}: the future already completed`);
    let core = this.#core;
    if (core === undefined) {
      const driver = ioDriver(this.spec.what);
      const server = net.createServer({ ...this.spec.server, allowHalfOpen: true, pauseOnConnect: true });
      core = this.#core = new ListenerCore(driver, server, this.spec.kind);
      if (!core.registration.isShutdown) server.listen(this.spec.listen);
    }
    if (core.registration.isShutdown) {
      this.#done = true;
      core.close();
      throw ContextError.shutdown(this.spec.what);
    }
    if (core.error !== undefined) {
      this.#done = true;
      const error = core.error;
      core.close();
      throw explainPathError(error, this.spec.listen.path);
    }
    if (core.listening) {
      this.#done = true;
      return this.spec.wrap(core);
    }
    core.bindWaker = cx.waker;
    return Pending;
  }

  override cancel(): void {
    if (!this.#done && this.#core !== undefined) {
      this.#done = true;
      this.#core.close();
    }
  }
}

/** @internal The future of `accept()`; see the module header for its cancel safety. */
export class AcceptFuture<T> extends Future<T> {
  #waiter: Future<ReadyEvent> | undefined = undefined;

  constructor(
    private readonly core: ListenerCore,
    private readonly wrap: (socket: net.Socket) => T,
  ) {
    super();
  }

  poll(cx: Context): Poll<T> {
    const core = this.core;
    if (!pollProceed(cx)) return Pending;
    for (;;) {
      try {
        core.check();
      } catch (error) {
        madeProgress(cx); // a failure spends the budget too (Tokio's coop)
        throw error;
      }
      const error = core.error;
      if (error !== undefined) {
        core.error = undefined;
        this.#dropWaiter();
        madeProgress(cx); // a failure spends the budget too (Tokio's coop)
        throw error;
      }
      if (core.queue.length > 0) {
        madeProgress(cx);
        const socket = core.take()!;
        this.#dropWaiter();
        return this.wrap(socket);
      }
      const waiter = (this.#waiter ??= core.registration.ready(Interest.READABLE));
      const event = waiter.poll(cx);
      if (event === Pending) return Pending;
      this.#waiter = undefined;
      if (core.queue.length === 0 && core.error === undefined && !core.closed) core.registration.clearReadiness(event);
    }
  }

  override cancel(): void {
    this.#dropWaiter();
  }

  #dropWaiter(): void {
    this.#waiter?.cancel();
    this.#waiter = undefined;
  }
}

/**
 * libuv reports a Unix socket path in a directory that does not exist as `EACCES` ("permission
 * denied": it turns the kernel's ENOENT into EACCES, as on Windows), which sends one looking at
 * permissions. The error is the kernel's again — `ENOENT`, so `errorKind` is `"NOT_FOUND"`, as
 * Tokio's — and says what is missing.
 */
function explainPathError(error: Error, path: string | undefined): Error {
  if (path === undefined || path.startsWith("\0") || (error as { code?: unknown }).code !== "EACCES") return error;
  const dir = dirname(path);
  if (!missing(dir)) return error; // there, or not ours to see (a real EACCES): left as it is
  const fields = error as Error & { code?: string; errno?: number };
  fields.code = "ENOENT";
  fields.errno = -2;
  error.message = `${error.message.replace("EACCES: permission denied", "ENOENT: no such file or directory")} (the directory ${dir} does not exist)`;
  return error;
}

/** Whether `dir` surely does not exist (ENOENT/ENOTDIR on stat); false when it is there or unreadable. */
function missing(dir: string): boolean {
  try {
    return statSync(dir, { throwIfNoEntry: false }) === undefined;
  } catch (error) {
    return (error as { code?: unknown }).code === "ENOTDIR";
  }
}
