/**
 * `fillBuf` (Tokio's `AsyncBufReadExt::fill_buf`): the buffered reader's bytes, as a future,
 * for parsers that look at what is buffered before deciding how much to take.
 *
 * HOW. A leaf future around `reader.pollFillBuf(cx)`: it asks the coop budget before the call
 * (`pollProceed`) and spends one unit when the call returned (`madeProgress`), as `read` does.
 * It consumes nothing; the caller says how much it used with `reader.consume(n)`, which is what
 * makes it cancel safe.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncBufRead } from "../protocol.js";
import { checkBufReader } from "./internal/check.js";

/**
 * The future of {@link fillBuf}: resolves with the reader's buffered bytes (empty at EOF).
 *
 * @example
 * ```ts
 * const fut: FillBuf = fillBuf(reader);
 * const available = yield* fut;
 * ```
 */
export class FillBuf extends Future<Uint8Array> {
  readonly #reader: AsyncBufRead;

  /** @hidden Use {@link fillBuf}. */
  constructor(reader: AsyncBufRead) {
    super();
    this.#reader = reader;
  }

  override poll(cx: Context): Poll<Uint8Array> {
    if (!pollProceed(cx)) return Pending;
    let buf: Poll<Uint8Array>;
    try {
      buf = this.#reader.pollFillBuf(cx);
    } catch (error) {
      madeProgress(cx);
      throw error;
    }
    if (buf === Pending) return Pending;
    madeProgress(cx);
    return buf;
  }
}

/**
 * The bytes buffered in `reader`, reading more first if its buffer is empty: resolves with at
 * least one byte, or an empty array at end of stream. Nothing is consumed: call
 * `reader.consume(n)` for the `n` bytes used, and the rest come again from the next read.
 *
 * The array is a view of the reader's buffer, not a copy: it is valid until the next call on
 * the reader (`consume` included). Copy it (`slice()`) to keep it.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new TextEncoder().encode("PING\r\n"));
 * const buf = yield* fillBuf(reader); // the 6 bytes; none consumed
 * const n = buf.indexOf(0x0d) + 2;    // through "\r\n"
 * reader.consume(n);
 * (yield* fillBuf(reader)).length;    // 0: end of stream
 * ```
 *
 * **Cancel safety**: cancel safe. It consumes nothing: a `fillBuf` dropped while pending (a
 * `select` loser, a timeout) leaves every byte for the next read.
 *
 * **Throws**: the reader's errors when polled; TypeError if `reader` is not an AsyncBufRead (wrap
 * a plain reader in {@link BufReader}).
 */
export function fillBuf(reader: AsyncBufRead): FillBuf {
  checkBufReader("reader", reader);
  return new FillBuf(reader);
}
