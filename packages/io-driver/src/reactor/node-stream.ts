/**
 * NodeStream: the readiness source of a stream socket (a TCP or Unix `net.Socket`), and its
 * AsyncRead / AsyncWrite implementation. `@tokio-ts/net` builds TcpStream and UnixStream on it.
 *
 * HOW. Node's socket is event driven; the task side is poll driven. The socket's events become
 * readiness on a {@link Registration}, and the poll methods consume it:
 *
 * | socket event | state change                    | readiness set            |
 * |--------------|---------------------------------|--------------------------|
 * | bytes read   | appended to the chunk queue     | READABLE                 |
 * | `connect`    | `connected`                     | WRITABLE                 |
 * | `drain`      | —                               | WRITABLE                 |
 * | `end`        | `eof` (peer sent FIN)           | READ_CLOSED              |
 * | `finish`     | `finished` (our FIN is out)     | WRITE_CLOSED             |
 * | `error`      | `error` kept (with its `code`)  | ERROR                    |
 * | `close`      | `closed`; leaves the driver     | READ_CLOSED, WRITE_CLOSED|
 *
 * Reading. Received bytes wait in a FIFO queue of chunks; `pollRead` copies from it into the
 * caller's array (`Buffer.copy`, no view per read). The socket is paused while the queue is
 * "full" and resumed when the reader has taken enough, so memory per socket is bounded and a
 * slow reader pushes back to the peer through TCP's window. EOF (`0`) and a stored error are
 * reported only after every queued byte has been read. Two ways to fill the queue:
 *
 * - The `onread` ring, for sockets we create ({@link NodeStream.connect}, through Node's `onread`
 *   option) and for accepted ones where Node allows it (below): libuv reads straight into a
 *   small ring of buffers owned by this stream ({@link RING_SLOTS} slots), and nothing is
 *   allocated per read. The `onread` callback queues the filled slot and returns `false` (Node
 *   then stops reading the fd) when the next slot of the ring still holds unread bytes; the
 *   reader resumes the socket once it has emptied that slot. Slots are filled and emptied in
 *   the same order, so the slot Node fills next is always the oldest one, and no byte is
 *   overwritten before it was read. A slot is `readBufferSize` bytes when that option is
 *   given. Otherwise slots start at {@link DEFAULT_READ_BUFFER_SIZE} and double, up to
 *   {@link MAX_READ_SLOT} (what Node reads at once), each time a read fills one: a bulk
 *   transfer then takes as few reads as Node's own sockets, and a connection that only sees
 *   small messages keeps small slots. A slot is replaced only while it holds no unread byte.
 * - Accepted sockets: `net.Server` has no `onread` option. The listener accepts with
 *   `pauseOnConnect`, and before the socket reads its first byte, {@link NodeStream.fromSocket}
 *   fills the three slots where `net.Socket` keeps its `onread` option and hands the first
 *   buffer to the handle's `useUserBuffer`, which is what the option does (Node 20 to 24; these
 *   are Node internals, so each part is checked first). Against `'data'` this saves the Buffer
 *   Node allocates for every read — and the page faults of its fresh 64 KiB memory: the echo
 *   server's CPU per request fell by a tenth and its bulk CPU per GB by half. Where any part is
 *   missing, the stream reads through `'data'`: each chunk is the Buffer Node allocated for that
 *   read, queued as is (no copy) and copied once into the caller's array; the socket is paused
 *   when `readBufferSize` bytes are queued and resumed when the reader has taken half of them.
 *
 * Writing. `pollWrite` copies the caller's bytes (up to {@link MAX_WRITE} per call; the caller may
 * reuse its array at once) and hands them to `socket.write`. When that returns `false` (the
 * socket's user-space buffer is past its high-water mark) WRITABLE is cleared with the tick rule,
 * and the next `pollWrite` waits for `'drain'`: a writer to a peer that does not read becomes
 * Pending, and `socket.writableLength` stays below high-water mark + MAX_WRITE. `pollFlush`
 * waits until `writableLength` is 0: small writes carry no completion callback (Node would queue
 * an after-write tick for each), so a flush that finds bytes in flight writes an empty chunk
 * with a callback, which runs once the writes before it are done;
 * `pollShutdown` calls `end()` and waits for `'finish'` — the FIN is sent, reads stay open
 * (`allowHalfOpen`).
 *
 * Where the copy goes: a small write into a fresh Buffer — or into the previous small write's
 * chunk, when that one was the same length and Node handed it to the OS during `write()`
 * (`writableLength` was 0 right after: Node then keeps no reference to it); a write of half
 * {@link MAX_WRITE} or more into a {@link MAX_WRITE} slab taken from a shared list of spares and
 * given back when Node reports that write complete (Node completes a socket's writes in order,
 * so a completion is always that of the oldest slab in flight). Bulk transfers thus allocate
 * nothing per write, and a slab holds at most twice the bytes written. A stream whose writes
 * failed reuses none of its slabs.
 *
 * Closing. `close()` is Tokio's drop: reading stops, bytes already accepted are still sent and
 * then the FIN (or, with `resetOnClose` — linger 0 — an RST at once; with `closeLinger`, an RST
 * if they are not out within that time); polls then throw
 * `ERR_SOCKET_CLOSED`. When the socket's `'close'` arrives the registration leaves the driver
 * (its final READ_CLOSED | WRITE_CLOSED bits satisfy any waiter). The runtime's shutdown
 * destroys every socket still registered and wakes every waiter (their polls throw the
 * shutdown ContextError).
 *
 * Who changes what: the socket's event handlers set `eof`, `finished`, `error`, `closed`,
 * `connected` and append to the queue; the polls (one reader task, one writer task, as
 * AsyncRead/AsyncWrite require) consume the queue and resume the socket. Everything runs on
 * Node's one thread, so a check and the clear that follows it cannot be separated by an event;
 * the tick rule still guards readiness observed by one poll and cleared by a later one.
 */
import { ContextError, Pending, type Context, type Poll, type Waker } from "@tokio-ts/core";
import * as net from "node:net";
import { getSystemErrorName } from "node:util";
import { Interest, Ready } from "../interest.js";
import type { AsyncRead, AsyncWrite } from "../protocol.js";
import { describe } from "../util/internal/check.js";
import { socketError, WouldBlockError, type SocketError } from "./errors.js";
import type { IoDriver } from "./io-driver.js";
import type { Registration } from "./registration.js";

/**
 * Slots in the `onread` ring of a socket.
 *
 * @example
 * ```ts
 * const atFirst = RING_SLOTS * DEFAULT_READ_BUFFER_SIZE; // 32 KiB of read buffer at most
 * ```
 */
export const RING_SLOTS = 2;
/**
 * Size of a read slot when it starts, and the slot size of a stream with no `readBufferSize`
 * while its reads do not fill slots (also the pause mark of the `'data'` path's queue).
 *
 * @example
 * ```ts
 * NodeStream.connect(driver, { host, port }, { readBufferSize: 4 * DEFAULT_READ_BUFFER_SIZE });
 * ```
 */
export const DEFAULT_READ_BUFFER_SIZE = 16 * 1024;
/**
 * The largest read slot a stream grows to when no `readBufferSize` was given: what Node reads
 * at once on its own sockets.
 *
 * @example
 * ```ts
 * const perSocket = RING_SLOTS * MAX_READ_SLOT; // at most 128 KiB queued per socket
 * ```
 */
export const MAX_READ_SLOT = 64 * 1024;
/**
 * Most bytes one `pollWrite` accepts (and copies).
 *
 * @example
 * ```ts
 * const n = yield* write(stream, new Uint8Array(1 << 20)); // n <= MAX_WRITE
 * ```
 */
export const MAX_WRITE = 64 * 1024;

/**
 * Writes of at least this many bytes are copied into a recycled {@link MAX_WRITE} slab instead
 * of a fresh Buffer. Half a slab: a slab in flight holds at most twice the bytes written, so a
 * slow reader's stream still holds about what it did with a Buffer per write.
 */
const SLAB_MIN_WRITE = MAX_WRITE / 2;
/** Spare slabs kept for reuse, shared by every stream (at most 1 MiB). */
const MAX_SPARE_SLABS = 16;
const spareSlabs: Buffer[] = [];
/** The chunk of a flush probe (see NodeStream#probeFlush). */
const EMPTY_CHUNK = Buffer.alloc(0);

/**
 * Options of a {@link NodeStream}.
 *
 * @example
 * ```ts
 * const stream = NodeStream.connect(driver, { path: "/tmp/app.sock" }, { readBufferSize: 64 * 1024 });
 * ```
 */
export interface NodeStreamOptions {
  /**
   * Bytes of one read slot of the `onread` ring, fixed (the queue's pause mark on the `'data'`
   * path). Default: slots of 16 KiB that grow up to {@link MAX_READ_SLOT} under bulk reads.
   */
  readonly readBufferSize?: number;
}

/**
 * A FIFO of received chunks: Buffers with an end (a ring slot is filled only up to `nread`).
 * Two parallel circular arrays, grown by doubling; nothing allocated per chunk.
 */
class ChunkQueue {
  bufs: (Buffer | undefined)[] = new Array<Buffer | undefined>(8).fill(undefined);
  ends: number[] = new Array<number>(8).fill(0);
  head = 0;
  length = 0;
  /** Read position in the head chunk. */
  offset = 0;
  /** Unread bytes in the whole queue. */
  bytes = 0;

  push(buf: Buffer, end: number): void {
    if (this.length === this.bufs.length) this.#grow();
    const at = (this.head + this.length) & (this.bufs.length - 1);
    this.bufs[at] = buf;
    this.ends[at] = end;
    this.length++;
    this.bytes += end;
  }

  /**
   * Copy up to `dst.length` bytes into `dst`; consume them when `consume`. Calls `onChunkDone`
   * with each chunk emptied.
   */
  copyInto(dst: Uint8Array, consume: boolean, onChunkDone: ((buf: Buffer) => void) | undefined): number {
    let n = 0;
    let index = 0;
    let offset = this.offset;
    const mask = this.bufs.length - 1;
    while (n < dst.length && index < this.length) {
      const at = (this.head + index) & mask;
      const buf = this.bufs[at]!;
      const end = this.ends[at]!;
      const k = Math.min(end - offset, dst.length - n);
      buf.copy(dst, n, offset, offset + k);
      n += k;
      offset += k;
      if (offset === end) {
        index++;
        offset = 0;
      }
    }
    if (consume) {
      for (let i = 0; i < index; i++) {
        const buf = this.bufs[this.head]!;
        this.bufs[this.head] = undefined;
        this.head = (this.head + 1) & mask;
        this.length--;
        onChunkDone?.(buf);
      }
      this.offset = offset;
      this.bytes -= n;
    }
    return n;
  }

  clear(): void {
    this.bufs.fill(undefined);
    this.head = 0;
    this.length = 0;
    this.offset = 0;
    this.bytes = 0;
  }

  #grow(): void {
    const cap = this.bufs.length;
    const bufs = new Array<Buffer | undefined>(cap * 2).fill(undefined);
    const ends = new Array<number>(cap * 2).fill(0);
    for (let i = 0; i < this.length; i++) {
      bufs[i] = this.bufs[(this.head + i) & (cap - 1)];
      ends[i] = this.ends[(this.head + i) & (cap - 1)]!;
    }
    this.bufs = bufs;
    this.ends = ends;
    this.head = 0;
  }
}

/**
 * A stream socket as a readiness source: AsyncRead + AsyncWrite over a Node `net.Socket`. See
 * the module header for how events become readiness and how memory stays bounded.
 *
 * @example
 * ```ts
 * const stream = NodeStream.connect(ioDriver("connect()"), { host: "127.0.0.1", port: 6379 });
 * yield* pollFn((cx) => stream.pollConnected(cx));
 * yield* writeAll(stream, bytes);
 * ```
 */
export class NodeStream implements AsyncRead, AsyncWrite {
  /** The Node socket (for options such as `setNoDelay`; do not read from it directly). */
  socket!: net.Socket;
  /** The readiness of this socket. */
  readonly registration: Registration;
  readonly #driver: IoDriver;
  readonly #queue = new ChunkQueue();
  readonly #readBufferSize: number;
  /** The size new ring slots get; it doubles up to MAX_READ_SLOT while reads fill them. */
  #slotSize: number;
  readonly #growSlots: boolean;

  /** The `onread` ring (connected sockets), with how many queued chunks use each slot. */
  #ring: Buffer[] | undefined = undefined;
  #ringBusy: number[] | undefined = undefined;
  /** The slot libuv fills next. */
  #fill = 0;
  #paused = false;

  #connected = false;
  #eof = false;
  #ending = false;
  #finished = false;
  #closed = false;
  #closedByUser = false;
  #error: Error | undefined = undefined;
  /** `#error` as the write side reports it (see `#writeError`), made once. */
  #writeSide: Error | undefined = undefined;
  #flushWaker: Waker | undefined = undefined;
  /** An empty write is in flight to learn when the writes before it are done (see #probeFlush). */
  #flushProbe = false;
  /**
   * The chunk of the last small write when Node handed it to the OS at once: a request/response
   * protocol writes the same size again and again, and then allocates nothing per write.
   */
  #spareChunk: Buffer | undefined = undefined;
  /** Slabs handed to `socket.write`, oldest first; whether they may be reused (no error yet). */
  readonly #slabsInFlight: Buffer[] = [];
  #recycle = true;
  #shutdownWaker: Waker | undefined = undefined;
  /** Destroy with an RST (linger 0) on close. */
  resetOnClose = false;
  /**
   * SO_LINGER with a time: when {@link close} finds bytes not yet handed to the operating
   * system, they get this many milliseconds to go out; then the connection is reset and the
   * socket freed. `undefined` (the default): they get as long as they take.
   */
  closeLinger: number | undefined = undefined;

  private constructor(driver: IoDriver, options: NodeStreamOptions | undefined) {
    this.#driver = driver;
    this.#readBufferSize = checkReadBufferSize(options?.readBufferSize);
    this.#slotSize = this.#readBufferSize;
    this.#growSlots = options?.readBufferSize === undefined;
    this.registration = driver.register(() => this.#destroy());
  }

  /**
   * Connect a new socket (TCP with `host`/`port`, Unix with `path`), reading through `onread`
   * into the stream's own ring of buffers. Wait for the connection with
   * {@link NodeStream.pollConnected}.
   *
   * @example
   * ```ts
   * const stream = NodeStream.connect(driver, { host: "127.0.0.1", port: 8080 });
   * ```
   *
   * **Throws**: TypeError when `connect` is not an object; RangeError for a bad
   * `options.readBufferSize`; what `net.connect` throws for its options.
   */
  static connect(driver: IoDriver, connect: net.TcpNetConnectOpts | net.IpcNetConnectOpts, options?: NodeStreamOptions): NodeStream {
    if (typeof connect !== "object" || connect === null || Array.isArray(connect)) {
      throw new TypeError(`connect must be Node's connect options ({ host, port } or { path }), got ${describeArg(connect)}`);
    }
    const stream = new NodeStream(driver, options);
    const ring = stream.#makeRing();
    let socket: net.Socket;
    try {
      socket = net.connect({
        ...connect,
        allowHalfOpen: true,
        onread: { buffer: () => ring[stream.#fill]!, callback: (nread: number, buf: Uint8Array) => stream.#onRead(nread, buf) },
      } as net.NetConnectOpts);
    } catch (error) {
      stream.registration.deregister(); // Node refused the options: nothing to close
      throw error;
    }
    stream.#attach(socket);
    return stream;
  }

  /**
   * Wrap a socket Node already connected (an accepted one, created with `pauseOnConnect` and
   * `allowHalfOpen`). It reads into the stream's `onread` ring when this Node allows (see the
   * module header), else through `'data'` with a bounded queue.
   *
   * @example
   * ```ts
   * server.on("connection", (socket) => queue.push(NodeStream.fromSocket(driver, socket)));
   * ```
   *
   * **Throws**: TypeError when `socket` is not a `net.Socket`; RangeError for a bad
   * `options.readBufferSize`.
   */
  static fromSocket(driver: IoDriver, socket: net.Socket, options?: NodeStreamOptions): NodeStream {
    if (!(socket instanceof net.Socket)) throw new TypeError(`socket must be a net.Socket, got ${describeArg(socket)}`);
    const stream = new NodeStream(driver, options);
    stream.#attach(socket);
    stream.#connected = !socket.connecting;
    if (!stream.#adoptRing(socket)) socket.on("data", (chunk: Buffer) => stream.#onData(chunk));
    // Events that happened while the socket waited in the accept queue.
    const errored = (socket as { errored?: Error | null }).errored;
    if (errored) stream.#onError(errored);
    if (socket.readableEnded) stream.#onEnd();
    if (socket.destroyed) stream.#onClose();
    else if (stream.#connected) {
      stream.registration.setReadiness(Ready.WRITABLE);
      socket.resume();
    }
    return stream;
  }

  /** The `onread` ring: its first slot now, the others when a read first needs them. */
  #makeRing(): Buffer[] {
    const ring: Buffer[] = new Array<Buffer>(RING_SLOTS);
    ring[0] = Buffer.allocUnsafeSlow(this.#slotSize);
    this.#ring = ring;
    this.#ringBusy = new Array<number>(RING_SLOTS).fill(0);
    return ring;
  }

  /**
   * Give an accepted socket the `onread` ring of a connected one, through the same Node
   * machinery the `onread` option sets up: the handle's `useUserBuffer` and the socket's
   * `kBuffer`, `kBufferGen` and `kBufferCb` slots (Node 20 to 24; see {@link userBufferSlots}).
   * Only before the socket has read anything (`pauseOnConnect`). False, and nothing changed,
   * when this Node lacks any of them: the stream then reads through `'data'`.
   */
  #adoptRing(socket: net.Socket): boolean {
    const slots = acceptedUserBuffers ? userBufferSlots(socket) : undefined;
    if (slots === undefined) return false;
    const ring = this.#makeRing();
    slots.handle.useUserBuffer(ring[0]!);
    const record = socket as unknown as Record<symbol, unknown>;
    record[slots.buffer] = ring[0];
    record[slots.gen] = () => ring[this.#fill];
    record[slots.cb] = (nread: number, buf: Uint8Array) => this.#onRead(nread, buf);
    return true;
  }

  /** Whether the peer's FIN arrived (reads return what is queued, then 0). */
  get eof(): boolean {
    return this.#eof;
  }

  /** Whether the socket is closed (by either side, or by {@link close}). */
  get closed(): boolean {
    return this.#closed || this.#closedByUser;
  }

  /** Bytes received and not read yet. */
  get bufferedBytes(): number {
    return this.#queue.bytes;
  }

  /**
   * Poll until the connection is established.
   *
   * @example
   * ```ts
   * const ok = stream.pollConnected(cx); // Pending while connecting
   * ```
   *
   * **Throws**: the connect error (e.g. `connect ECONNREFUSED 127.0.0.1:1`).
   */
  pollConnected(cx: Context): Poll<void> {
    for (;;) {
      this.#checkOpen();
      if (this.#error !== undefined) throw this.#error;
      if (this.#connected) return undefined;
      if (this.#closed) throw socketError("ECONNABORTED", "connect", "the socket closed before it connected");
      const event = this.registration.pollWriteReady(cx);
      if (event === Pending) return Pending;
      if (this.#error === undefined && !this.#connected && !this.#closed) {
        this.registration.clearReadiness(event);
      }
    }
  }

  /**
   * Read received bytes into `buf`: how many were copied, `0` at end of stream (after every
   * queued byte) or when `buf` is empty; Pending when nothing is there yet.
   *
   * @example
   * ```ts
   * const n = stream.pollRead(cx, buf);
   * ```
   *
   * **Throws**: the socket's error (`ECONNRESET`, …) once the queued bytes are read;
   * `ERR_SOCKET_CLOSED` after {@link close}.
   */
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    return this.#pollReadOrPeek(cx, buf, true);
  }

  /**
   * Like {@link pollRead}, but leaves the bytes queued (TCP's `MSG_PEEK`).
   *
   * @example
   * ```ts
   * const n = stream.pollPeek(cx, buf); // the next pollRead returns the same bytes
   * ```
   */
  pollPeek(cx: Context, buf: Uint8Array): Poll<number> {
    return this.#pollReadOrPeek(cx, buf, false);
  }

  /**
   * Peek at the queued bytes without waiting and without taking the stream's reader waker: the
   * bytes copied, `0` at end of stream (or for an empty `buf`), Pending when nothing is queued
   * yet. For a peek that waits as a readiness waiter of its own (net's `peek`, which several
   * tasks may await while a read is pending); it registers nothing.
   *
   * @example
   * ```ts
   * const n = stream.peekQueued(buf); // Pending: wait with registration.ready(Interest.READABLE)
   * ```
   *
   * **Throws**: the socket's error once the queued bytes are read; `ERR_SOCKET_CLOSED` after
   * {@link close}.
   */
  peekQueued(buf: Uint8Array): Poll<number> {
    this.#checkOpen();
    if (buf.length === 0) return 0;
    return this.#fromQueue(buf, false);
  }

  /**
   * Read without waiting: bytes copied, or `0` at end of stream.
   *
   * @example
   * ```ts
   * const n = stream.tryRead(buf);
   * ```
   *
   * **Throws**: {@link WouldBlockError} (code `"EWOULDBLOCK"`) when nothing is queued and the
   * stream has not ended; the socket's error.
   */
  tryRead(buf: Uint8Array): number {
    this.#checkOpen();
    if (buf.length === 0) return 0;
    const n = this.#fromQueue(buf, true);
    if (n !== Pending) return n;
    this.registration.clearReadiness(this.registration.readyEvent(Interest.READABLE));
    throw new WouldBlockError("tryRead");
  }

  /**
   * Write a prefix of `data` (at most {@link MAX_WRITE} bytes, copied): how many bytes were
   * accepted; Pending while the socket's buffer is past its high-water mark.
   *
   * @example
   * ```ts
   * const n = stream.pollWrite(cx, data);
   * ```
   *
   * **Throws**: the socket's error (`EPIPE`, `ECONNRESET`, …); `EPIPE` after shutdown.
   */
  pollWrite(cx: Context, data: Uint8Array): Poll<number> {
    for (;;) {
      this.#checkWritable();
      if (data.length === 0) return 0;
      const event = this.registration.pollWriteReady(cx);
      if (event === Pending) return Pending;
      this.#checkWritable();
      if (this.socket.writableNeedDrain || !this.#connected) {
        this.registration.clearReadiness(event);
        continue;
      }
      return this.#write(data, event);
    }
  }

  /**
   * Write without waiting.
   *
   * @example
   * ```ts
   * const n = stream.tryWrite(data);
   * ```
   *
   * **Throws**: {@link WouldBlockError} while the socket's buffer is past its high-water mark;
   * the socket's error; `EPIPE` after shutdown.
   */
  tryWrite(data: Uint8Array): number {
    this.#checkWritable();
    if (data.length === 0) return 0;
    const event = this.registration.readyEvent(Interest.WRITABLE);
    if (this.socket.writableNeedDrain || !this.#connected) {
      this.registration.clearReadiness(event);
      throw new WouldBlockError("tryWrite");
    }
    return this.#write(data, event);
  }

  /**
   * Wait until every accepted byte has been handed to the operating system.
   *
   * @example
   * ```ts
   * stream.pollFlush(cx);
   * ```
   */
  pollFlush(cx: Context): Poll<void> {
    this.#checkOpen();
    this.#takeSocketError();
    if (this.#error !== undefined) throw this.#writeError();
    if (this.socket.writableLength === 0 || this.#closed) return undefined;
    this.#flushWaker = cx.waker;
    this.#probeFlush();
    return Pending;
  }

  /**
   * Have Node tell us when the writes in flight are done: an empty write after them, whose
   * callback runs once they have completed (a socket completes its writes in order). Small writes
   * carry no callback of their own (see #write), so a flush that finds bytes in flight asks here.
   * One probe at a time; none once the write side is ending, whose 'finish' wakes the flush.
   */
  #probeFlush(): void {
    if (this.#flushProbe || this.#ending || this.#finished || this.#closed || this.socket.destroyed) return;
    this.#flushProbe = true;
    this.socket.write(EMPTY_CHUNK, this.#onFlushProbe);
  }

  readonly #onFlushProbe = (error?: Error | null): void => {
    this.#flushProbe = false;
    if (error != null) this.#takeSocketError();
    this.#onWritten();
  };

  /**
   * Flush, then close the write side (send FIN). Reads stay open. Idempotent.
   *
   * @example
   * ```ts
   * stream.pollShutdown(cx);
   * ```
   */
  pollShutdown(cx: Context): Poll<void> {
    this.#checkOpen();
    if (this.#error !== undefined) throw this.#writeError();
    if (!this.#ending) {
      this.#ending = true;
      if (!this.#closed) this.socket.end();
    }
    if (this.#finished || this.#closed) return undefined;
    this.#shutdownWaker = cx.waker;
    return Pending;
  }

  /**
   * Start closing the write side without waiting (what dropping an owned write half does): bytes
   * already accepted go first, then FIN. Idempotent.
   *
   * @example
   * ```ts
   * stream.beginShutdown();
   * ```
   */
  beginShutdown(): void {
    if (this.#ending || this.#closedByUser) return;
    this.#ending = true;
    if (!this.#closed && !this.socket.destroyed) this.socket.end();
  }

  /**
   * Close the socket (Tokio's drop of a stream): reading stops and queued bytes are dropped;
   * bytes already accepted by `pollWrite` are still sent, then the FIN (the socket is destroyed
   * once they are out, as the kernel does after `close(2)`). With {@link resetOnClose} (linger
   * 0) the socket is reset at once instead and unsent bytes are discarded. Polls after `close`
   * throw `ERR_SOCKET_CLOSED`; tasks waiting on the stream are woken and get that error.
   * Idempotent.
   *
   * @example
   * ```ts
   * stream.close();
   * ```
   */
  close(): void {
    if (this.#closedByUser) return;
    this.#closedByUser = true;
    this.#queue.clear();
    const socket = this.socket;
    if (!this.#closed && !socket.destroyed) {
      if (this.resetOnClose || socket.connecting || socket.writableLength === 0 || this.#finished) {
        this.#destroy();
      } else {
        socket.pause();
        socket.once("finish", () => socket.destroy());
        if (!this.#ending) socket.end();
        if (this.closeLinger !== undefined) this.#lingerThenReset(socket, this.closeLinger);
      }
    }
    // Wake every waiter; their next poll throws ERR_SOCKET_CLOSED. The registration leaves the
    // driver when the socket's 'close' arrives (until then a runtime shutdown still destroys it).
    this.registration.setReadiness(Ready.ALL_READ | Ready.ALL_WRITE);
    this.#wakeFlushAndShutdown();
  }

  #pollReadOrPeek(cx: Context, buf: Uint8Array, consume: boolean): Poll<number> {
    this.#checkOpen();
    if (buf.length === 0) return 0;
    for (;;) {
      const event = this.registration.pollReadReady(cx);
      if (event === Pending) return Pending;
      const n = this.#fromQueue(buf, consume);
      if (n !== Pending) return n;
      this.registration.clearReadiness(event);
    }
  }

  /**
   * What the queue has for a read or peek now: bytes copied, `0` at the end of the stream (after
   * every queued byte), the socket's error, or Pending when nothing has arrived yet.
   */
  #fromQueue(buf: Uint8Array, consume: boolean): Poll<number> {
    if (this.#queue.bytes > 0) return this.#take(buf, consume);
    if (this.#error !== undefined) throw this.#error;
    if (this.#eof || this.#closed) return 0;
    return Pending;
  }

  #take(buf: Uint8Array, consume: boolean): number {
    const n = this.#queue.copyInto(buf, consume, this.#ring === undefined ? undefined : this.#releaseSlot);
    if (consume && this.#paused && !this.#closed) {
      if (this.#ring !== undefined) {
        if (this.#ringBusy![this.#fill] === 0) this.#resume();
      } else if (this.#queue.bytes <= this.#readBufferSize >>> 1) {
        this.#resume();
      }
    }
    return n;
  }

  readonly #releaseSlot = (buf: Buffer): void => {
    const slot = this.#ring!.indexOf(buf);
    this.#ringBusy![slot]!--;
  };

  #resume(): void {
    this.#paused = false;
    this.socket.resume();
  }

  #write(data: Uint8Array, event: number): number {
    const n = data.length < MAX_WRITE ? data.length : MAX_WRITE;
    const src = n === data.length ? data : data.subarray(0, n);
    let ok: boolean;
    if (n < SLAB_MIN_WRITE || !this.#recycle) {
      let chunk = this.#spareChunk;
      if (chunk !== undefined && chunk.length === n) this.#spareChunk = undefined;
      else chunk = Buffer.allocUnsafe(n);
      chunk.set(src);
      // No completion callback: with one, Node allocates and queues an after-write tick for
      // every write that completes at once (most small writes); pollFlush probes instead.
      ok = this.socket.write(chunk);
      // Nothing left in Node's hands: the chunk went to the OS during write() and Node kept no
      // reference to it, so the next write of this length may fill it again.
      if (this.socket.writableLength === 0) this.#spareChunk = chunk;
    } else {
      const slab = spareSlabs.pop() ?? Buffer.allocUnsafeSlow(MAX_WRITE);
      slab.set(src);
      this.#slabsInFlight.push(slab);
      ok = this.socket.write(n === MAX_WRITE ? slab : slab.subarray(0, n), this.#onSlabWritten);
    }
    if (this.socket.errored != null) {
      // The kernel refused the bytes during write() (EPIPE, ECONNRESET: the peer reset the
      // connection). Node records the error at once but emits 'error' only a tick later, and its
      // writableLength is back to 0, so a flush would "succeed": fail this write, as Tokio's does.
      this.#takeSocketError();
      throw this.#writeError();
    }
    if (!ok) this.registration.clearReadiness(event);
    return n;
  }

  /** A write with a callback completed: wake a pending flush once nothing is in flight. */
  readonly #onWritten = (): void => {
    const waker = this.#flushWaker;
    if (waker === undefined) return;
    if (this.socket.writableLength !== 0) {
      this.#probeFlush(); // later writes are in flight: wait for them too
      return;
    }
    this.#flushWaker = undefined;
    waker.wake();
  };

  /**
   * A slab write completed. Node completes a socket's writes in the order they were made, so it
   * is the oldest slab in flight: back to the spares. After an error (completions may then come
   * out of order, and libuv may still hold a cancelled write's bytes) no slab of this stream is
   * reused again.
   */
  readonly #onSlabWritten = (error?: Error | null): void => {
    if (error != null || !this.#recycle) {
      if (error != null) this.#takeSocketError();
      this.#recycle = false;
      this.#slabsInFlight.length = 0;
    } else {
      const slab = this.#slabsInFlight.shift()!;
      if (spareSlabs.length < MAX_SPARE_SLABS) spareSlabs.push(slab);
    }
    this.#onWritten();
  };

  /**
   * Throw `ERR_SOCKET_CLOSED` after {@link close}, the shutdown ContextError after the runtime
   * shut down; otherwise nothing. Readiness futures call it around their poll.
   *
   * @example
   * ```ts
   * stream.assertOpen();
   * ```
   */
  assertOpen(): void {
    this.#checkOpen();
  }

  #checkOpen(): void {
    if (this.#closedByUser) throw socketError("ERR_SOCKET_CLOSED", "use", "the socket is closed");
    if (this.registration.isShutdown) throw ContextError.shutdown("socket");
  }

  /**
   * The socket's error, as a write reports it. Node learns of a reset on the read side, so its
   * error says `read ECONNRESET`; a write that fails because of it says `write` (same `code`,
   * the original as `cause`), as Tokio's failed write would.
   */
  #writeError(): Error {
    const error = this.#error!;
    const { code, syscall } = error as Partial<SocketError>;
    if (syscall !== "read" || typeof code !== "string") return error;
    return (this.#writeSide ??= socketError(code, "write", `the connection failed (${error.message})`, error));
  }

  #checkWritable(): void {
    this.#checkOpen();
    this.#takeSocketError();
    if (this.#error !== undefined) throw this.#writeError();
    if (this.#ending || this.#finished) throw socketError("EPIPE", "write", "the write side is shut down");
    if (this.#closed) throw socketError("EPIPE", "write", "the socket is closed");
  }

  #attach(socket: net.Socket): void {
    this.socket = socket;
    socket.on("connect", () => {
      this.#connected = true;
      this.registration.setReadiness(Ready.WRITABLE);
    });
    socket.on("end", () => this.#onEnd());
    socket.on("drain", () => this.registration.setReadiness(Ready.WRITABLE));
    socket.on("finish", () => {
      this.#finished = true;
      this.registration.setReadiness(Ready.WRITE_CLOSED);
      this.#wakeFlushAndShutdown();
    });
    socket.on("error", (error: Error) => this.#onError(error));
    socket.on("close", () => this.#onClose());
  }

  /**
   * A read into the ring: queue the slot, pick the next one. Node asks for the next buffer right
   * after this returns (it is `ring[#fill]`); a slot is (re)allocated only while it holds no
   * unread byte, so the buffer Node holds is always one of the ring's.
   */
  #onRead(nread: number, buf: Uint8Array): boolean {
    const ring = this.#ring!;
    const busy = this.#ringBusy!;
    const slot = ring.indexOf(buf as Buffer);
    busy[slot]!++;
    this.#queue.push(ring[slot]!, nread);
    // A full slot: more was probably waiting. Bigger slots, fewer reads (up to Node's own size).
    if (nread === buf.length && this.#growSlots && this.#slotSize < MAX_READ_SLOT) {
      this.#slotSize = Math.min(this.#slotSize * 2, MAX_READ_SLOT);
    }
    const next = (slot + 1) % ring.length;
    this.#fill = next;
    // Only libuv's read callback calls this: the event loop has just run.
    this.#driver.hostTurn();
    this.registration.setReadiness(Ready.READABLE);
    if (busy[next] !== 0) {
      this.#paused = true;
      return false;
    }
    if (ring[next] === undefined || ring[next].length < this.#slotSize) ring[next] = Buffer.allocUnsafeSlow(this.#slotSize);
    return true;
  }

  #onData(chunk: Buffer): void {
    this.#queue.push(chunk, chunk.length);
    this.registration.setReadiness(Ready.READABLE);
    if (!this.#paused && this.#queue.bytes >= this.#readBufferSize) {
      this.#paused = true;
      this.socket.pause();
    }
  }

  #onEnd(): void {
    if (this.#eof || this.#error !== undefined) return;
    const reset = this.#resetBehindEof();
    if (reset !== undefined) {
      this.#onError(reset);
      return;
    }
    this.#eof = true;
    this.registration.setReadiness(Ready.READ_CLOSED);
  }

  /**
   * An `'end'` that is really a reset: the read error to report instead, or undefined for a real
   * end of stream. libuv before 1.52 (Node 20 and 22) takes POLLHUP after a short read for EOF
   * and skips the read that would return ECONNRESET (libuv#4997), so a peer that sends bytes
   * and then resets before we read them looks like one that sent FIN. The kernel tells them
   * apart: after a FIN the socket is still connected (CLOSE_WAIT), after a reset it is not
   * (TCP_CLOSE), so `getpeername` fails with ENOTCONN — as long as our own FIN is not out (a
   * clean close of both sides also ends in TCP_CLOSE; then 'end' stays an end of stream). The
   * kernel keeps the reset's error for the next send: an empty write (it sends nothing) fetches
   * it, and Node records it in `socket.errored` before `write()` returns.
   */
  #resetBehindEof(): Error | undefined {
    const socket = this.socket;
    if (this.#ending || this.#finished || socket.destroyed || socket.writableEnded) return undefined;
    const handle = (socket as unknown as { _handle?: { getpeername?: unknown } | null })._handle;
    if (handle == null || typeof handle.getpeername !== "function") return undefined;
    const status: unknown = (handle.getpeername as (out: object) => unknown).call(handle, {});
    if (typeof status !== "number" || status >= 0 || !Number.isSafeInteger(status) || getSystemErrorName(status) !== "ENOTCONN") {
      return undefined;
    }
    if (socket.writableLength === 0) socket.write(EMPTY_CHUNK);
    const cause = socket.errored ?? undefined;
    const code = (cause as Partial<SocketError> | undefined)?.code ?? "ECONNRESET";
    return socketError(code, "read", "the connection was reset", cause);
  }

  /** Take an error Node has recorded on the socket but not emitted yet (its 'error' comes a tick later). */
  #takeSocketError(): void {
    if (this.#error !== undefined) return;
    const error = this.socket.errored;
    if (error != null) this.#onError(error);
  }

  #onError(error: Error): void {
    if (this.#error === undefined) this.#error = error;
    this.registration.setReadiness(Ready.ERROR);
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.registration.setReadiness(Ready.READ_CLOSED | Ready.WRITE_CLOSED);
    // Closed for good: the final bits satisfy every waiter, so the driver need not close it.
    this.#driver.unlink(this.registration);
    this.#wakeFlushAndShutdown();
  }

  #wakeFlushAndShutdown(): void {
    const flush = this.#flushWaker;
    const shutdown = this.#shutdownWaker;
    this.#flushWaker = undefined;
    this.#shutdownWaker = undefined;
    flush?.wake();
    shutdown?.wake();
  }

  /**
   * Reset `socket` unless it is closed within `ms` (a real-time host timer: the bytes go to a
   * real peer). Unreferenced: the socket, not the timer, keeps the process alive.
   */
  #lingerThenReset(socket: net.Socket, ms: number): void {
    const timer = setTimeout(() => {
      if (!socket.destroyed) socket.resetAndDestroy();
    }, ms);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  }

  #destroy(): void {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return;
    // (`resetAndDestroy` exists on every Node the packages support: engines >= 20.16.)
    if (this.resetOnClose && !socket.connecting) socket.resetAndDestroy();
    else socket.destroy();
  }
}

/** Whether accepted sockets read through an `onread` ring when Node allows it (tests turn it off). */
let acceptedUserBuffers = true;

/**
 * @internal Turn the `onread` ring of accepted sockets off (`false`: they read through
 * `'data'`, as on a Node without the slots) or back on; returns the previous setting. For tests.
 *
 * @example
 * ```ts
 * const was = setAcceptedUserBuffers(false);
 * ```
 */
export function setAcceptedUserBuffers(enabled: boolean): boolean {
  const was = acceptedUserBuffers;
  acceptedUserBuffers = enabled;
  return was;
}

/** What an accepted socket needs to read into our buffers (see {@link userBufferSlots}). */
interface UserBufferSlots {
  readonly handle: { useUserBuffer(buf: Uint8Array): void };
  readonly buffer: symbol;
  readonly cb: symbol;
  readonly gen: symbol;
}

/** The three symbols, found once per process (`null`: this Node lacks them). */
let onreadSymbols: readonly [symbol, symbol, symbol] | null | undefined;

/**
 * The `onread` machinery of `socket`, or undefined when any part is missing or the socket
 * already reads. `net.Socket` keeps the `onread` option in three own symbol-keyed slots (null
 * when the option was not given) and hands the buffer to its handle's `useUserBuffer`; its
 * read callback then calls the slots instead of emitting `'data'`. `net.Server` has no such
 * option, so an accepted socket gets the slots filled here, before it reads its first byte.
 */
function userBufferSlots(socket: net.Socket): UserBufferSlots | undefined {
  if (onreadSymbols === undefined) {
    const symbols = Object.getOwnPropertySymbols(socket);
    const find = (name: string) => symbols.find((s) => s.description === name);
    const buffer = find("kBuffer");
    const cb = find("kBufferCb");
    const gen = find("kBufferGen");
    onreadSymbols = buffer !== undefined && cb !== undefined && gen !== undefined ? [buffer, cb, gen] : null;
  }
  if (onreadSymbols === null) return undefined;
  const [buffer, cb, gen] = onreadSymbols;
  const record = socket as unknown as Record<symbol, unknown>;
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: unknown; reading?: unknown } | null })._handle;
  if (handle == null || typeof handle.useUserBuffer !== "function" || handle.reading !== false) return undefined;
  if (socket.destroyed || socket.connecting || record[buffer] !== null || record[cb] !== null || record[gen] !== null) return undefined;
  return { handle: handle as UserBufferSlots["handle"], buffer, cb, gen };
}

function describeArg(value: unknown): string {
  return Array.isArray(value) ? "an array" : describe(value);
}

function checkReadBufferSize(size: unknown): number {
  if (size === undefined) return DEFAULT_READ_BUFFER_SIZE;
  if (typeof size !== "number") throw new TypeError(`readBufferSize must be a number of bytes, got ${describeArg(size)}`);
  if (!Number.isInteger(size) || size < 1 || size > 2 ** 30) {
    throw new RangeError(`readBufferSize must be an integer in 1..2^30, got ${String(size)}`);
  }
  return size;
}
