/**
 * `write`, `writeAll`, `flush` and `shutdown` (Tokio's `AsyncWriteExt`): futures over a
 * writer's `pollWrite`, `pollFlush` and `pollShutdown`.
 *
 * HOW. Each is a small leaf future. Before each call into the writer it asks the coop budget
 * (`pollProceed`), and each call that made progress spends one unit (`madeProgress`), as the
 * read futures do. `writeAll` keeps how much it has written in the future itself: dropping it
 * leaves an unknown prefix written, which is why it is not cancel safe.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncWrite } from "../protocol.js";
import { writeZero } from "./errors.js";
import { checkBuffer, checkWriteCount, checkWriter } from "./internal/check.js";

/**
 * The future of {@link write}: resolves with how many bytes were written.
 *
 * @example
 * ```ts
 * const fut: Write = write(stream, bytes);
 * const n = yield* fut;
 * ```
 */
export class Write extends Future<number> {
  readonly #writer: AsyncWrite;
  readonly #data: Uint8Array;

  /** @hidden Use {@link write}. */
  constructor(writer: AsyncWrite, data: Uint8Array) {
    super();
    this.#writer = writer;
    this.#data = data;
  }

  override poll(cx: Context): Poll<number> {
    if (!pollProceed(cx)) return Pending;
    let n: Poll<number>;
    try {
      n = this.#writer.pollWrite(cx, this.#data);
    } catch (error) {
      madeProgress(cx);
      throw error;
    }
    if (n === Pending) return Pending;
    madeProgress(cx);
    return checkWriteCount(n, this.#data.length);
  }
}

/**
 * Write some prefix of `data`: resolves with how many bytes the writer took (at least 1 when
 * `data` is not empty). Waits only while the writer cannot take anything.
 *
 * @example
 * ```ts
 * const n = yield* write(stream, new TextEncoder().encode("hello")); // 1..5
 * ```
 *
 * **Cancel safety**: cancel safe: a write dropped while pending wrote nothing.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `data` not a Uint8Array; the
 * writer's errors (e.g. {@link IoError} `"BROKEN_PIPE"`) when polled.
 */
export function write(writer: AsyncWrite, data: Uint8Array): Write {
  checkWriter("writer", writer);
  checkBuffer("data", data);
  return new Write(writer, data);
}

/**
 * The future of {@link writeAll}: resolves once every byte was written.
 *
 * @example
 * ```ts
 * const fut: WriteAll = writeAll(stream, bytes);
 * yield* fut;
 * ```
 */
export class WriteAll extends Future<void> {
  readonly #writer: AsyncWrite;
  readonly #data: Uint8Array;
  #written = 0;

  /** @hidden Use {@link writeAll}. */
  constructor(writer: AsyncWrite, data: Uint8Array) {
    super();
    this.#writer = writer;
    this.#data = data;
  }

  override poll(cx: Context): Poll<void> {
    const data = this.#data;
    while (this.#written < data.length) {
      if (!pollProceed(cx)) return Pending;
      let n: Poll<number>;
      try {
        n = this.#writer.pollWrite(cx, this.#written === 0 ? data : data.subarray(this.#written));
      } catch (error) {
        madeProgress(cx);
        throw error;
      }
      if (n === Pending) return Pending;
      madeProgress(cx);
      if (n === 0) throw writeZero();
      this.#written += checkWriteCount(n, data.length - this.#written);
    }
    return undefined;
  }
}

/**
 * Write all of `data`, waiting for room as often as needed.
 *
 * @example
 * ```ts
 * yield* writeAll(stream, new TextEncoder().encode("PING\r\n"));
 * ```
 *
 * **Cancel safety**: not cancel safe: if dropped, an unknown prefix of `data` was written.
 *
 * **Throws**: {@link IoError} `"WRITE_ZERO"` if the writer takes 0 bytes; the writer's errors;
 * TypeError for a bad `writer` or `data`.
 */
export function writeAll(writer: AsyncWrite, data: Uint8Array): WriteAll {
  checkWriter("writer", writer);
  checkBuffer("data", data);
  return new WriteAll(writer, data);
}

/**
 * The future of {@link flush} and {@link shutdown}.
 *
 * @example
 * ```ts
 * const fut: Flush = flush(stream);
 * yield* fut;
 * ```
 */
export class Flush extends Future<void> {
  readonly #writer: AsyncWrite;
  readonly #shutdown: boolean;

  /** @hidden Use {@link flush} or {@link shutdown}. */
  constructor(writer: AsyncWrite, shutdown: boolean) {
    super();
    this.#writer = writer;
    this.#shutdown = shutdown;
  }

  override poll(cx: Context): Poll<void> {
    if (!pollProceed(cx)) return Pending;
    let out: Poll<void>;
    try {
      out = this.#shutdown ? this.#writer.pollShutdown(cx) : this.#writer.pollFlush(cx);
    } catch (error) {
      madeProgress(cx);
      throw error;
    }
    if (out === Pending) return Pending;
    madeProgress(cx);
    return undefined;
  }
}

/**
 * Wait until everything the writer accepted has been handed on (a `BufWriter` writes its
 * buffer; a socket hands its bytes to the host).
 *
 * @example
 * ```ts
 * const out = new BufWriter(stream);
 * yield* writeAll(out, bytes);
 * yield* flush(out);
 * ```
 *
 * **Cancel safety**: cancel safe: flushing can be started again.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite; the writer's errors.
 */
export function flush(writer: AsyncWrite): Flush {
  checkWriter("writer", writer);
  return new Flush(writer, false);
}

/**
 * Flush, then close the write side (a TCP FIN; a `duplex` peer reads EOF). Reading stays
 * possible.
 *
 * @example
 * ```ts
 * yield* writeAll(stream, request);
 * yield* shutdown(stream); // tell the peer we are done
 * const reply = yield* readToEnd(stream);
 * ```
 *
 * **Cancel safety**: cancel safe: shutting down can be started again.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite; the writer's errors.
 */
export function shutdown(writer: AsyncWrite): Flush {
  checkWriter("writer", writer);
  return new Flush(writer, true);
}
