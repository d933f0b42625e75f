/**
 * What TcpStream and UnixStream share: the byte-stream API over an io-driver `NodeStream`
 * (read, write, peek, readiness, try*, split, shutdown, close). The subclasses add their
 * addresses and socket options. See `@tokio-ts/io-driver`'s `NodeStream` for how the socket's
 * events become readiness and how reads and writes stay bounded.
 */
import type { Context, Future, Poll } from "@tokio-ts/core";
import {
  flush,
  Interest,
  read,
  Ready,
  shutdown,
  write,
  writeAll,
  type AsyncRead,
  type AsyncWrite,
  type NodeStream,
} from "@tokio-ts/io-driver";
import { PeekFuture, ReadyMap } from "./futures.js";
import { OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf, type SplitHalves } from "../split.js";
import { checkBytes } from "./check.js";

const toVoid = (): void => undefined;
const toReady = (ready: Ready): Ready => ready;

/**
 * The byte-stream part of {@link TcpStream} and {@link UnixStream}: AsyncRead + AsyncWrite, so
 * every io-driver utility (`readExact`, `copy`, `BufReader`, `lines`, …) works on it.
 */
export abstract class StreamBase implements AsyncRead, AsyncWrite, AsyncDisposable {
  /** @internal */
  readonly io: NodeStream;
  /** @internal Owned halves still open (intoSplit). */
  ownedHalves = 0;

  /** @hidden */
  constructor(io: NodeStream) {
    this.io = io;
  }

  /**
   * Read some bytes into `buf`: how many (≥ 1), or `0` at end of stream (the peer shut down
   * its write side and every byte was read) or when `buf` is empty.
   *
   * @example
   * ```ts
   * const buf = new Uint8Array(4096);
   * const n = yield* stream.read(buf);
   * if (n === 0) return; // peer closed
   * ```
   *
   * **Cancel safety**: cancel safe. Bytes are copied into `buf` only in the poll that completes
   * the future; a dropped read took nothing.
   *
   * **Throws**: the socket's error (`ECONNRESET`, …); `ERR_SOCKET_CLOSED` after `close()`.
   */
  read(buf: Uint8Array): Future<number> {
    return read(this.io, buf);
  }

  /**
   * Read bytes into `buf` without removing them: the next `read` returns them again.
   *
   * @example
   * ```ts
   * const n = yield* stream.peek(buf); // look at the first bytes of a request
   * ```
   *
   * **Cancel safety**: cancel safe (nothing is consumed in any case).
   */
  peek(buf: Uint8Array): Future<number> {
    checkBytes(buf, "buf");
    return new PeekFuture(this.io, buf);
  }

  /**
   * Write some of `data`: how many bytes the socket took (≥ 1 for non-empty data, at most 64
   * KiB per call). The bytes are copied: `data` may be reused as soon as the future completes.
   * Waits while the socket's send buffer is full (backpressure).
   *
   * @example
   * ```ts
   * const n = yield* stream.write(data);
   * ```
   *
   * **Cancel safety**: cancel safe. The bytes are taken only in the poll that completes the
   * future; a dropped write sent nothing.
   *
   * **Throws**: the socket's error (`EPIPE`, `ECONNRESET`, …); `EPIPE` after `shutdown()`.
   */
  write(data: Uint8Array): Future<number> {
    return write(this.io, data);
  }

  /**
   * Write all of `data`, waiting for the socket to drain as needed.
   *
   * @example
   * ```ts
   * yield* stream.writeAll(new TextEncoder().encode("hello\n"));
   * ```
   *
   * **Cancel safety**: not cancel safe: if dropped, a prefix of `data` may have been written
   * (and there is no way to know how much).
   */
  writeAll(data: Uint8Array): Future<void> {
    return writeAll(this.io, data);
  }

  /**
   * Wait until every byte written so far has been handed to the operating system.
   *
   * @example
   * ```ts
   * yield* stream.flush();
   * ```
   *
   * **Cancel safety**: cancel safe.
   */
  flush(): Future<void> {
    return flush(this.io);
  }

  /**
   * Close the write side: flush, then send FIN. The peer reads end of stream; this side can
   * still read what the peer sends (half-close). Writes afterwards fail with `EPIPE`.
   *
   * @example
   * ```ts
   * yield* stream.writeAll(request);
   * yield* stream.shutdown();
   * const reply = yield* readToEnd(stream);
   * ```
   *
   * **Cancel safety**: cancel safe; once polled, the FIN is sent even if the future is dropped.
   */
  shutdown(): Future<void> {
    return shutdown(this.io);
  }

  /**
   * Wait until the stream is ready for `interest` (`Interest.READABLE`, `Interest.WRITABLE` or
   * both) and return the {@link Ready} bits. Readiness can be spurious: a following `tryRead` /
   * `tryWrite` may still throw `EWOULDBLOCK`.
   *
   * @example
   * ```ts
   * const ready = yield* stream.ready(Interest.READABLE | Interest.WRITABLE);
   * if (Ready.isReadable(ready)) n = stream.tryRead(buf);
   * ```
   *
   * **Cancel safety**: cancel safe.
   *
   * **Throws**: TypeError for an interest that is not a number; RangeError for one with no
   * bits, unknown bits or a fraction (both at the call).
   */
  ready(interest: Interest): Future<Ready> {
    return new ReadyMap(this.io.registration.ready(interest), toReady, this.#check);
  }

  /**
   * Wait until the stream is readable (bytes queued, end of stream, or an error).
   *
   * @example
   * ```ts
   * yield* stream.readable();
   * const n = stream.tryRead(buf);
   * ```
   *
   * **Cancel safety**: cancel safe.
   */
  readable(): Future<void> {
    return new ReadyMap(this.io.registration.ready(Interest.READABLE), toVoid, this.#check);
  }

  /**
   * Wait until the stream is writable (its send buffer has room, or it failed).
   *
   * @example
   * ```ts
   * yield* stream.writable();
   * const n = stream.tryWrite(data);
   * ```
   *
   * **Cancel safety**: cancel safe.
   */
  writable(): Future<void> {
    return new ReadyMap(this.io.registration.ready(Interest.WRITABLE), toVoid, this.#check);
  }

  /**
   * Read without waiting: the number of bytes copied into `buf`, or `0` at end of stream.
   *
   * @example
   * ```ts
   * try { n = stream.tryRead(buf) } catch (e) { if (!(e instanceof WouldBlockError)) throw e }
   * ```
   *
   * **Throws**: `WouldBlockError` (code `"EWOULDBLOCK"`) when no byte is queued yet — wait
   * with `readable()` and try again; the socket's error.
   */
  tryRead(buf: Uint8Array): number {
    checkBytes(buf, "buf");
    return this.io.tryRead(buf);
  }

  /**
   * Write without waiting: how many bytes of `data` were taken (copied).
   *
   * @example
   * ```ts
   * try { n = stream.tryWrite(data) } catch (e) { if (e instanceof WouldBlockError) yield* stream.writable(); else throw e }
   * ```
   *
   * **Throws**: `WouldBlockError` (code `"EWOULDBLOCK"`) while the send buffer is full — wait
   * with `writable()`; the socket's error; `EPIPE` after `shutdown()`.
   */
  tryWrite(data: Uint8Array): number {
    checkBytes(data, "data");
    return this.io.tryWrite(data);
  }

  /** AsyncRead: see {@link StreamBase.read}. */
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    return this.io.pollRead(cx, buf);
  }

  /** Poll form of {@link StreamBase.peek}. */
  pollPeek(cx: Context, buf: Uint8Array): Poll<number> {
    return this.io.pollPeek(cx, buf);
  }

  /** AsyncWrite: see {@link StreamBase.write}. */
  pollWrite(cx: Context, data: Uint8Array): Poll<number> {
    return this.io.pollWrite(cx, data);
  }

  /** AsyncWrite: see {@link StreamBase.flush}. */
  pollFlush(cx: Context): Poll<void> {
    return this.io.pollFlush(cx);
  }

  /** AsyncWrite: see {@link StreamBase.shutdown}. */
  pollShutdown(cx: Context): Poll<void> {
    return this.io.pollShutdown(cx);
  }

  /**
   * Borrow the read and write halves, to read in one task and write in another. The halves are
   * views of this stream: closing the stream closes them.
   *
   * @example
   * ```ts
   * const [rd, wr] = stream.split();
   * yield* join(copy(rd, fromNodeWritable(process.stdout)), copy(fromNodeReadable(process.stdin), wr));
   * ```
   *
   * **Throws**: `ERR_SOCKET_CLOSED` after `close()`.
   */
  split(): [ReadHalf<this>, WriteHalf<this>] {
    this.io.assertOpen();
    return [new ReadHalf(this), new WriteHalf(this)];
  }

  /**
   * Split into owned halves: closing (or disposing) the write half sends FIN; once both halves
   * are closed the socket is closed. `reunite` puts them back together.
   *
   * @example
   * ```ts
   * const [rd, wr] = stream.intoSplit();
   * spawn(function* () { yield* copy(rd, sink()); });
   * yield* wr.writeAll(data);
   * wr.close(); // FIN
   * ```
   *
   * **Throws**: `ERR_SOCKET_CLOSED` after `close()`.
   */
  intoSplit(): SplitHalves<this> {
    this.io.assertOpen();
    this.ownedHalves = 2;
    return [new OwnedReadHalf(this), new OwnedWriteHalf(this)];
  }

  /**
   * Close the stream (what dropping it does in Tokio): reading stops; bytes already written
   * are still sent, then FIN (or RST with `setLinger(0)`). Pending operations on the stream
   * fail with `ERR_SOCKET_CLOSED`, and so does any later use (reads, writes, options, addresses,
   * `split`); `close()` itself and disposal stay silent. Idempotent.
   *
   * @example
   * ```ts
   * stream.close();
   * ```
   */
  close(): void {
    this.io.close();
  }

  /** `await using stream = …`: closes the stream. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** `using stream = …`: closes the stream. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Whether the stream was closed (by `close()`, the peer, or an error). */
  get isClosed(): boolean {
    return this.io.closed;
  }

  readonly #check = (): void => this.io.assertOpen();
}
