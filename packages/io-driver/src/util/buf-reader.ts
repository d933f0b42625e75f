/**
 * `BufReader` (Tokio's `io::BufReader`): adds a buffer to any reader, which makes it an
 * {@link AsyncBufRead} (`readLine`, `lines`, `copy` without a second buffer) and turns many
 * small reads into few large ones.
 *
 * HOW. One `Uint8Array` of `capacity` bytes, allocated once; `pos..filled` is the unread part.
 * - `pollFillBuf`: when `pos === filled`, one read of the inner reader into the whole buffer
 *   (`pos = 0`, `filled = n`); returns the view `pos..filled` (empty = EOF).
 * - `consume(n)`: `pos += n` (capped at `filled`).
 * - `pollRead(buf)`: when nothing is buffered and `buf` is at least as large as the buffer,
 *   reads straight into `buf` (no copy through the buffer, as Tokio); otherwise fills and copies.
 * Writes pass through to the inner stream when it is also an {@link AsyncWrite}.
 */
import { Pending, type Context, type Poll } from "@tokio-ts/core";
import { isAsyncWrite, type AsyncBufRead, type AsyncRead, type AsyncWrite } from "../protocol.js";
import { checkBuffer, checkBufferSize, checkByteCount, checkReader, checkReadCount } from "./internal/check.js";

/**
 * The default buffer size of {@link BufReader} and {@link BufWriter}: 8 KiB, as Tokio.
 *
 * @example
 * ```ts
 * new BufReader(stream).capacity === DEFAULT_BUF_SIZE; // true
 * ```
 */
export const DEFAULT_BUF_SIZE = 8192;

/**
 * A buffered reader over `inner`. It is an {@link AsyncBufRead}, and an {@link AsyncWrite} that
 * writes straight through when `inner` is one (a buffered socket stays writable).
 *
 * @example
 * ```ts
 * const reader = new BufReader(stream);
 * for await (const line of lines(reader)) console.log(line);
 * ```
 *
 * **Throws**: TypeError if `inner` is not an AsyncRead; TypeError if `capacity` is not a number,
 * RangeError if it is not an integer in 1..2^30.
 */
export class BufReader<R extends AsyncRead = AsyncRead> implements AsyncBufRead, AsyncWrite {
  readonly #inner: R;
  readonly #buf: Uint8Array;
  #pos = 0;
  #filled = 0;

  constructor(inner: R, capacity: number = DEFAULT_BUF_SIZE) {
    checkReader("inner", inner);
    checkBufferSize("capacity", capacity);
    this.#inner = inner;
    this.#buf = new Uint8Array(capacity);
  }

  /** The size of the buffer. */
  get capacity(): number {
    return this.#buf.length;
  }

  /** The wrapped reader. Reading from it directly skips what is buffered here. */
  getRef(): R {
    return this.#inner;
  }

  /** The bytes buffered and not yet consumed (a view, valid until the next call). */
  buffer(): Uint8Array {
    return this.#buf.subarray(this.#pos, this.#filled);
  }

  /**
   * Give back the inner reader. Bytes still buffered are lost to it; read them with
   * {@link buffer} first.
   */
  intoInner(): R {
    return this.#inner;
  }

  pollFillBuf(cx: Context): Poll<Uint8Array> {
    if (this.#pos >= this.#filled) {
      const n = this.#inner.pollRead(cx, this.#buf);
      if (n === Pending) return Pending;
      this.#pos = 0;
      this.#filled = checkReadCount(n, this.#buf.length);
    }
    return this.#buf.subarray(this.#pos, this.#filled);
  }

  /**
   * Mark `n` bytes of the buffer as read (at most what is buffered counts).
   *
   * **Throws**: TypeError/RangeError unless `n` is a non-negative integer.
   */
  consume(n: number): void {
    checkByteCount("n", n);
    this.#pos = Math.min(this.#pos + n, this.#filled);
  }

  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    checkBuffer("buf", buf);
    if (this.#pos >= this.#filled && buf.length >= this.#buf.length) {
      this.#pos = this.#filled = 0;
      return this.#inner.pollRead(cx, buf);
    }
    if (this.#pos >= this.#filled) {
      const n = this.#inner.pollRead(cx, this.#buf);
      if (n === Pending) return Pending;
      this.#pos = 0;
      this.#filled = checkReadCount(n, this.#buf.length);
    }
    const n = Math.min(buf.length, this.#filled - this.#pos);
    buf.set(this.#buf.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return n;
  }

  /** Writes go straight to `inner`. **Throws**: TypeError if `inner` is not an AsyncWrite. */
  pollWrite(cx: Context, data: Uint8Array): Poll<number> {
    return this.#writer().pollWrite(cx, data);
  }

  /** Flushes `inner`. **Throws**: TypeError if `inner` is not an AsyncWrite. */
  pollFlush(cx: Context): Poll<void> {
    return this.#writer().pollFlush(cx);
  }

  /** Shuts `inner` down. **Throws**: TypeError if `inner` is not an AsyncWrite. */
  pollShutdown(cx: Context): Poll<void> {
    return this.#writer().pollShutdown(cx);
  }

  #writer(): AsyncWrite {
    const inner: unknown = this.#inner;
    if (!isAsyncWrite(inner)) throw new TypeError("this BufReader's inner reader is not an AsyncWrite: it cannot be written to");
    return inner;
  }
}
