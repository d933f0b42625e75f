/**
 * `BufWriter` (Tokio's `io::BufWriter`): collects small writes into one buffer and hands them
 * to the inner writer in large pieces.
 *
 * HOW. One `Uint8Array` of `capacity` bytes, allocated once; `written..len` is what the inner
 * writer has not taken yet (`written` moves while the buffer is being flushed).
 * - `pollWrite(data)`: if `data` does not fit behind what is buffered, flush the buffer first
 *   (Pending while the inner writer is full). Then data of at least `capacity` bytes goes
 *   straight to the inner writer (no copy, as Tokio); smaller data is copied in and accepted
 *   whole.
 * - `pollFlush`: write the buffer out, then flush the inner writer.
 * - `pollShutdown`: write the buffer out, then shut the inner writer down — so nothing that was
 *   accepted is lost on close.
 * Reads pass through to the inner stream when it is also an {@link AsyncRead}.
 */
import { Pending, type Context, type Poll } from "@tokio-ts/core";
import { isAsyncRead, type AsyncRead, type AsyncWrite } from "../protocol.js";
import { DEFAULT_BUF_SIZE } from "./buf-reader.js";
import { writeZero } from "./errors.js";
import { checkBuffer, checkBufferSize, checkWriteCount, checkWriter } from "./internal/check.js";

/**
 * A buffered writer over `inner`. Call {@link flush} (or {@link shutdown}) when done: bytes
 * still in the buffer are not written by anything else.
 *
 * @example
 * ```ts
 * const out = new BufWriter(stream);
 * for (const row of rows) yield* writeAll(out, encode(row)); // few writes to the socket
 * yield* flush(out);
 * ```
 *
 * **Throws**: TypeError if `inner` is not an AsyncWrite; TypeError if `capacity` is not a
 * number, RangeError if it is not an integer in 1..2^30.
 */
export class BufWriter<W extends AsyncWrite = AsyncWrite> implements AsyncWrite, AsyncRead {
  readonly #inner: W;
  readonly #buf: Uint8Array;
  #len = 0;
  #written = 0;

  constructor(inner: W, capacity: number = DEFAULT_BUF_SIZE) {
    checkWriter("inner", inner);
    checkBufferSize("capacity", capacity);
    this.#inner = inner;
    this.#buf = new Uint8Array(capacity);
  }

  /** The size of the buffer. */
  get capacity(): number {
    return this.#buf.length;
  }

  /** The wrapped writer. Writing to it directly bypasses (and overtakes) the buffer. */
  getRef(): W {
    return this.#inner;
  }

  /** The bytes accepted and not yet handed to the inner writer (a view). */
  buffer(): Uint8Array {
    return this.#buf.subarray(this.#written, this.#len);
  }

  /** Give back the inner writer. Bytes still buffered are not written; flush first. */
  intoInner(): W {
    return this.#inner;
  }

  pollWrite(cx: Context, data: Uint8Array): Poll<number> {
    checkBuffer("data", data);
    if (this.#len + data.length > this.#buf.length) {
      if (this.#flushBuf(cx) === Pending) return Pending;
    }
    if (data.length >= this.#buf.length) return this.#inner.pollWrite(cx, data);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
    return data.length;
  }

  pollFlush(cx: Context): Poll<void> {
    if (this.#flushBuf(cx) === Pending) return Pending;
    return this.#inner.pollFlush(cx);
  }

  pollShutdown(cx: Context): Poll<void> {
    if (this.#flushBuf(cx) === Pending) return Pending;
    return this.#inner.pollShutdown(cx);
  }

  /** Reads come straight from `inner`. **Throws**: TypeError if `inner` is not an AsyncRead. */
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    const inner: unknown = this.#inner;
    if (!isAsyncRead(inner)) throw new TypeError("this BufWriter's inner writer is not an AsyncRead: it cannot be read from");
    return inner.pollRead(cx, buf);
  }

  /** Hand the whole buffer to the inner writer; Pending (with progress kept) while it is full. */
  #flushBuf(cx: Context): Poll<void> {
    while (this.#written < this.#len) {
      const n = this.#inner.pollWrite(cx, this.#buf.subarray(this.#written, this.#len));
      if (n === Pending) return Pending;
      if (n === 0) throw writeZero();
      this.#written += checkWriteCount(n, this.#len - this.#written);
    }
    this.#written = this.#len = 0;
    return undefined;
  }
}
