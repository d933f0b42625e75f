/**
 * The halves of a stream (Tokio's `tcp::{ReadHalf, WriteHalf, OwnedReadHalf, OwnedWriteHalf}`
 * and their Unix twins), shared by TcpStream and UnixStream.
 *
 * HOW. A stream already keeps its reader and its writer apart (one waker slot each in its
 * registration, a receive queue and a send path that share nothing), so a half is only a view
 * that exposes one side. Borrowed halves (`split()`) own nothing. Owned halves (`intoSplit()`)
 * own the stream together: the stream counts the halves still open; closing the write half
 * sends FIN (Tokio's drop of `OwnedWriteHalf` shuts down the write side); when the count reaches
 * 0 the stream is closed. `reunite` gives the stream back if both halves came from it.
 */
import { type Context, type Future, type Poll } from "@tokio-ts/core";
import { type AsyncRead, type AsyncWrite } from "@tokio-ts/io-driver";
import type { StreamBase } from "./internal/stream-base.js";
import { describe } from "./addr.js";
import { ReuniteError } from "./errors.js";

/**
 * The address type of a stream (SocketAddr for TCP, UnixSocketAddr for Unix).
 *
 * @example
 * ```ts
 * const peer: AddrOf<TcpStream> = rd.peerAddr(); // a SocketAddr
 * ```
 */
export type AddrOf<S> = S extends { localAddr(): infer A } ? A : never;

/**
 * The pair `intoSplit()` returns.
 *
 * @example
 * ```ts
 * const [rd, wr]: SplitHalves<TcpStream> = stream.intoSplit();
 * ```
 */
export type SplitHalves<S extends StreamBase> = [OwnedReadHalf<S>, OwnedWriteHalf<S>];

/**
 * The read side of a stream, borrowed with `split()`: `read`, `peek`, `readable`, `tryRead`
 * and AsyncRead.
 *
 * @example
 * ```ts
 * const [rd, wr] = stream.split();
 * const n = yield* rd.read(buf);
 * ```
 */
export class ReadHalf<S extends StreamBase> implements AsyncRead {
  /** @hidden */
  constructor(protected readonly stream: S) {}

  /**
   * Read some bytes (see `TcpStream.read`).
   *
   * @example
   * ```ts
   * const n = yield* rd.read(buf);
   * ```
   *
   * **Cancel safety**: cancel safe.
   */
  read(buf: Uint8Array): Future<number> {
    return this.stream.read(buf);
  }

  /**
   * Read without consuming (see `TcpStream.peek`).
   *
   * @example
   * ```ts
   * const n = yield* rd.peek(buf);
   * ```
   *
   * **Cancel safety**: cancel safe.
   */
  peek(buf: Uint8Array): Future<number> {
    return this.stream.peek(buf);
  }

  /**
   * Wait until readable (see `TcpStream.readable`).
   *
   * @example
   * ```ts
   * yield* rd.readable();
   * ```
   *
   * **Cancel safety**: cancel safe.
   */
  readable(): Future<void> {
    return this.stream.readable();
  }

  /**
   * Read without waiting (see `TcpStream.tryRead`).
   *
   * @example
   * ```ts
   * const n = rd.tryRead(buf); // throws EWOULDBLOCK when nothing is queued
   * ```
   */
  tryRead(buf: Uint8Array): number {
    return this.stream.tryRead(buf);
  }

  /** The stream's local address. */
  localAddr(): AddrOf<S> {
    return (this.stream as unknown as { localAddr(): AddrOf<S> }).localAddr();
  }

  /** The stream's peer address. */
  peerAddr(): AddrOf<S> {
    return (this.stream as unknown as { peerAddr(): AddrOf<S> }).peerAddr();
  }

  /** AsyncRead. */
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    return this.stream.pollRead(cx, buf);
  }

  /** Poll form of `peek`. */
  pollPeek(cx: Context, buf: Uint8Array): Poll<number> {
    return this.stream.pollPeek(cx, buf);
  }
}

/**
 * The write side of a stream, borrowed with `split()`: `write`, `writeAll`, `writable`,
 * `tryWrite`, `flush`, `shutdown` and AsyncWrite.
 *
 * @example
 * ```ts
 * const [rd, wr] = stream.split();
 * yield* wr.writeAll(data);
 * ```
 */
export class WriteHalf<S extends StreamBase> implements AsyncWrite {
  /** @hidden */
  constructor(protected readonly stream: S) {}

  /**
   * Write some bytes (see `TcpStream.write`).
   *
   * @example
   * ```ts
   * const n = yield* wr.write(data);
   * ```
   *
   * **Cancel safety**: cancel safe.
   */
  write(data: Uint8Array): Future<number> {
    return this.stream.write(data);
  }

  /**
   * Write every byte (see `TcpStream.writeAll`).
   *
   * @example
   * ```ts
   * yield* wr.writeAll(data);
   * ```
   *
   * **Cancel safety**: not cancel safe (a prefix may have been written).
   */
  writeAll(data: Uint8Array): Future<void> {
    return this.stream.writeAll(data);
  }

  /**
   * Wait until writable (see `TcpStream.writable`).
   *
   * @example
   * ```ts
   * yield* wr.writable();
   * ```
   *
   * **Cancel safety**: cancel safe.
   */
  writable(): Future<void> {
    return this.stream.writable();
  }

  /**
   * Write without waiting (see `TcpStream.tryWrite`).
   *
   * @example
   * ```ts
   * const n = wr.tryWrite(data); // throws EWOULDBLOCK while the send buffer is full
   * ```
   */
  tryWrite(data: Uint8Array): number {
    return this.stream.tryWrite(data);
  }

  /**
   * Wait until written bytes are handed to the OS (see `TcpStream.flush`).
   *
   * @example
   * ```ts
   * yield* wr.flush();
   * ```
   *
   * **Cancel safety**: cancel safe.
   */
  flush(): Future<void> {
    return this.stream.flush();
  }

  /**
   * Send FIN (see `TcpStream.shutdown`); the read half keeps reading.
   *
   * @example
   * ```ts
   * yield* wr.shutdown();
   * ```
   *
   * **Cancel safety**: cancel safe.
   */
  shutdown(): Future<void> {
    return this.stream.shutdown();
  }

  /** The stream's local address. */
  localAddr(): AddrOf<S> {
    return (this.stream as unknown as { localAddr(): AddrOf<S> }).localAddr();
  }

  /** The stream's peer address. */
  peerAddr(): AddrOf<S> {
    return (this.stream as unknown as { peerAddr(): AddrOf<S> }).peerAddr();
  }

  /** AsyncWrite. */
  pollWrite(cx: Context, data: Uint8Array): Poll<number> {
    return this.stream.pollWrite(cx, data);
  }

  /** AsyncWrite. */
  pollFlush(cx: Context): Poll<void> {
    return this.stream.pollFlush(cx);
  }

  /** AsyncWrite. */
  pollShutdown(cx: Context): Poll<void> {
    return this.stream.pollShutdown(cx);
  }
}

/**
 * The read half from `intoSplit()`: it owns the stream together with its write half and may
 * move to another task. Closing it does not touch the socket until the write half is closed too.
 *
 * @example
 * ```ts
 * const [rd, wr] = stream.intoSplit();
 * spawn(function* () { yield* copy(rd, sink()); rd.close(); });
 * ```
 */
export class OwnedReadHalf<S extends StreamBase> extends ReadHalf<S> implements AsyncDisposable, Disposable {
  #closed = false;

  /** @internal Not closed, not reunited. */
  isLive(): boolean {
    return !this.#closed;
  }

  /** @internal Used up by `reunite`: closing it later does nothing. */
  takeForReunite(): void {
    this.#closed = true;
  }

  /**
   * Put the stream back together with its write half.
   *
   * @example
   * ```ts
   * const stream = rd.reunite(wr);
   * ```
   *
   * Both halves are used up: closing or disposing either later does nothing (Rust's `reunite`
   * moves them).
   *
   * **Throws**: TypeError if `other` is not an OwnedWriteHalf, or if a half was closed or
   * reunited already; {@link ReuniteError} if it belongs to another stream.
   */
  reunite(other: OwnedWriteHalf<S>): S {
    if (!(other instanceof OwnedWriteHalf)) throw new TypeError(`other must be an OwnedWriteHalf (from intoSplit()), got ${describe(other)}`);
    return reunite(this, other);
  }

  /** @internal */
  get inner(): S {
    return this.stream;
  }

  /**
   * Give up the read half; the socket closes once the write half is closed too. Idempotent.
   *
   * @example
   * ```ts
   * rd.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseHalf(this.stream);
  }

  /** `await using rd = …`: {@link OwnedReadHalf.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** `using rd = …` (in a generator task too): {@link OwnedReadHalf.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * The write half from `intoSplit()`. Closing (or disposing) it sends FIN, as dropping Tokio's
 * `OwnedWriteHalf` does; the read half keeps reading.
 *
 * @example
 * ```ts
 * const [rd, wr] = stream.intoSplit();
 * yield* wr.writeAll(request);
 * wr.close(); // the peer reads EOF
 * ```
 */
export class OwnedWriteHalf<S extends StreamBase> extends WriteHalf<S> implements AsyncDisposable, Disposable {
  #closed = false;

  /** @internal Not closed, not reunited. */
  isLive(): boolean {
    return !this.#closed;
  }

  /** @internal Used up by `reunite`: closing it later does nothing. */
  takeForReunite(): void {
    this.#closed = true;
  }

  /**
   * Put the stream back together with its read half.
   *
   * @example
   * ```ts
   * const stream = wr.reunite(rd);
   * ```
   *
   * Both halves are used up: closing or disposing either later does nothing (Rust's `reunite`
   * moves them).
   *
   * **Throws**: TypeError if `other` is not an OwnedReadHalf, or if a half was closed or
   * reunited already; {@link ReuniteError} if it belongs to another stream.
   */
  reunite(other: OwnedReadHalf<S>): S {
    if (!(other instanceof OwnedReadHalf)) throw new TypeError(`other must be an OwnedReadHalf (from intoSplit()), got ${describe(other)}`);
    return reunite(other, this);
  }

  /** @internal */
  get inner(): S {
    return this.stream;
  }

  /**
   * Send FIN (bytes written before still go first) and give up the write half; the socket
   * closes once the read half is closed too. Idempotent.
   *
   * @example
   * ```ts
   * wr.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.stream.io.beginShutdown();
    releaseHalf(this.stream);
  }

  /** `await using wr = …`: {@link OwnedWriteHalf.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** `using wr = …` (in a generator task too): {@link OwnedWriteHalf.close} (sends FIN). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Both halves are used up, as Rust's `reunite` moves them: closing (or disposing) one later is a
 * no-op, so a `using` scope that ends after the reunite does not shut the stream down, and a
 * later `intoSplit()` counts only its own halves.
 */
function reunite<S extends StreamBase>(rd: OwnedReadHalf<S>, wr: OwnedWriteHalf<S>): S {
  if (rd.inner !== wr.inner) throw new ReuniteError<S>([rd, wr]);
  if (!rd.isLive() || !wr.isLive()) throw new TypeError("reunite: a half was closed or reunited already");
  rd.takeForReunite();
  wr.takeForReunite();
  rd.inner.ownedHalves = 0;
  return rd.inner;
}

function releaseHalf(stream: StreamBase): void {
  if (stream.ownedHalves > 0 && --stream.ownedHalves === 0) stream.close();
}
