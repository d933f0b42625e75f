/**
 * `readUntil` (Tokio's `AsyncBufReadExt::read_until`): read up to and including a delimiter
 * byte. `readLine` and `lines` are this with `"\n"`, plus UTF-8 decoding.
 *
 * HOW. The future asks the buffered reader for its buffer (`pollFillBuf`) and searches it for
 * the delimiter. Found: the result is the bytes kept so far plus the buffer up to the
 * delimiter, which it consumes. Not found: it keeps the whole buffer in its {@link LineBuffer},
 * consumes it, and asks again. At EOF it returns what it has (maybe nothing). Each fill that
 * made progress spends one unit of the coop budget.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncBufRead } from "../protocol.js";
import { checkBufReader } from "./internal/check.js";
import { consumeOwed, LineBuffer } from "./internal/line-buffer.js";

/**
 * Advance `reader` past the next `delimiter`. Returns the bytes up to and including it, the
 * bytes before EOF, or Pending; the bytes are in `acc` or, when they lay whole in one fill, a
 * view of the reader's buffer, not consumed yet: the caller reads it, then calls
 * {@link consumeOwed} (a `consume` may move the reader's bytes, and the view with them).
 */
export function pollReadUntil(cx: Context, reader: AsyncBufRead, delimiter: number, acc: LineBuffer): Poll<Uint8Array> {
  for (;;) {
    if (!pollProceed(cx)) return Pending;
    let avail: Poll<Uint8Array>;
    try {
      avail = reader.pollFillBuf(cx);
    } catch (error) {
      madeProgress(cx);
      throw error;
    }
    if (avail === Pending) return Pending;
    madeProgress(cx);
    if (avail.length === 0) return acc.view();
    const i = avail.indexOf(delimiter);
    if (i >= 0) {
      if (acc.length === 0) {
        acc.owed = i + 1; // consumed by the caller once it has read the view
        return avail.subarray(0, i + 1);
      }
      acc.append(avail.subarray(0, i + 1));
      reader.consume(i + 1);
      return acc.view();
    }
    acc.append(avail);
    reader.consume(avail.length);
  }
}

/**
 * The future of {@link readUntil}: resolves with the bytes up to and including the delimiter,
 * the last bytes before EOF, or an empty array at EOF.
 *
 * @example
 * ```ts
 * const fut: ReadUntil = readUntil(reader, 0);
 * const record = yield* fut;
 * ```
 */
export class ReadUntil extends Future<Uint8Array> {
  readonly #reader: AsyncBufRead;
  readonly #delimiter: number;
  readonly #acc = new LineBuffer();

  /** @hidden Use {@link readUntil}. */
  constructor(reader: AsyncBufRead, delimiter: number) {
    super();
    this.#reader = reader;
    this.#delimiter = delimiter;
  }

  override poll(cx: Context): Poll<Uint8Array> {
    const bytes = pollReadUntil(cx, this.#reader, this.#delimiter, this.#acc);
    if (bytes === Pending) return Pending;
    const out = bytes.slice(); // the view belongs to the reader (or to this future's buffer)
    consumeOwed(this.#reader, this.#acc);
    return out;
  }
}

/**
 * Read until `delimiter` (a byte value, 0..255): resolves with the bytes up to and including
 * it, the last bytes if the stream ends first, or an empty array at end of stream.
 *
 * @example
 * ```ts
 * const [a, b] = duplex(64);
 * yield* writeAll(a, new TextEncoder().encode("key\0value"));
 * yield* shutdown(a);
 * const reader = new BufReader(b);
 * yield* readUntil(reader, 0); // "key\0" as bytes
 * yield* readUntil(reader, 0); // "value"
 * yield* readUntil(reader, 0); // empty: end of stream
 * ```
 *
 * **Cancel safety**: not cancel safe: the bytes read before the drop are lost. (Tokio keeps
 * them in the caller's `Vec`; here they live in the future.)
 *
 * **Throws**: the reader's errors (the bytes read so far are then lost); TypeError if `reader`
 * is not an AsyncBufRead (wrap a plain reader in {@link BufReader}) or `delimiter` not a
 * number, RangeError if it is not an integer in 0..255.
 */
export function readUntil(reader: AsyncBufRead, delimiter: number): ReadUntil {
  checkBufReader("reader", reader);
  if (typeof delimiter !== "number") throw new TypeError(`delimiter must be a byte value (a number), got ${typeof delimiter}`);
  if (!Number.isInteger(delimiter) || delimiter < 0 || delimiter > 255) {
    throw new RangeError(`delimiter must be an integer in 0..255, got ${String(delimiter)}`);
  }
  return new ReadUntil(reader, delimiter);
}
