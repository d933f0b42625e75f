/**
 * The poll-based I/O protocol (Tokio's `AsyncRead`, `AsyncWrite`, `AsyncBufRead`).
 *
 * A source of bytes is anything with `pollRead`; a sink is anything with `pollWrite`,
 * `pollFlush` and `pollShutdown`. Sockets, the in-memory `duplex` pipe, `BufReader` and the
 * stream bridges all implement them, and the utilities (`readExact`, `copy`, `lines`, …) work on
 * any of them. Like `Future.poll`, these methods never block and never allocate a promise: they
 * make progress now, or register `cx.waker` and return `Pending`. Errors are thrown.
 */
import type { Context, Poll } from "@tokio-ts/core";

/**
 * Reads bytes into a buffer the caller owns.
 *
 * `pollRead(cx, buf)` copies up to `buf.length` bytes into `buf` and returns how many; `0` means
 * end of stream (or `buf.length === 0`). When nothing is available it stores `cx.waker` and
 * returns `Pending`. Implementations take part in the coop budget.
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(4096);
 * const n = yield* read(stream, buf); // read() turns pollRead into a future
 * ```
 */
export interface AsyncRead {
  pollRead(cx: Context, buf: Uint8Array): Poll<number>;
}

/**
 * Writes bytes, with backpressure.
 *
 * - `pollWrite(cx, data)` accepts some prefix of `data` and returns its length (≥ 1 when
 *   `data` is non-empty); the caller may reuse `data` as soon as it returns. `Pending` while
 *   the sink is full.
 * - `pollFlush(cx)` completes once everything accepted has been handed to the host.
 * - `pollShutdown(cx)` flushes and closes the write side (a TCP FIN); reads stay open.
 *
 * @example
 * ```ts
 * yield* writeAll(stream, new TextEncoder().encode("hello\n"));
 * yield* shutdown(stream);
 * ```
 */
export interface AsyncWrite {
  pollWrite(cx: Context, data: Uint8Array): Poll<number>;
  pollFlush(cx: Context): Poll<void>;
  pollShutdown(cx: Context): Poll<void>;
}

/**
 * A reader with an internal buffer that can be inspected before it is consumed.
 *
 * `pollFillBuf(cx)` returns the buffered bytes (reading more if the buffer is empty; an empty
 * array means end of stream); `consume(n)` marks the first `n` of them as read. The view
 * returned by `pollFillBuf` is only valid until the next call on the reader.
 *
 * @example
 * ```ts
 * const reader = new BufReader(stream);
 * const line = yield* readLine(reader); // "" at end of stream
 * ```
 */
export interface AsyncBufRead extends AsyncRead {
  pollFillBuf(cx: Context): Poll<Uint8Array>;
  consume(n: number): void;
}

/**
 * Whether `value` implements {@link AsyncRead}.
 *
 * @example
 * ```ts
 * if (isAsyncRead(x)) yield* readToEnd(x);
 * ```
 */
export function isAsyncRead(value: unknown): value is AsyncRead {
  return typeof value === "object" && value !== null && typeof (value as AsyncRead).pollRead === "function";
}

/**
 * Whether `value` implements {@link AsyncWrite}.
 *
 * @example
 * ```ts
 * if (isAsyncWrite(x)) yield* flush(x);
 * ```
 */
export function isAsyncWrite(value: unknown): value is AsyncWrite {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AsyncWrite).pollWrite === "function" &&
    typeof (value as AsyncWrite).pollFlush === "function" &&
    typeof (value as AsyncWrite).pollShutdown === "function"
  );
}

/**
 * Whether `value` implements {@link AsyncBufRead}.
 *
 * @example
 * ```ts
 * const reader = isAsyncBufRead(x) ? x : new BufReader(x);
 * ```
 */
export function isAsyncBufRead(value: unknown): value is AsyncBufRead {
  return isAsyncRead(value) && typeof (value as AsyncBufRead).pollFillBuf === "function";
}
