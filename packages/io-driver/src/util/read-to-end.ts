/**
 * `readToEnd` and `readToString` (Tokio's `AsyncReadExt::read_to_end` / `read_to_string`).
 *
 * HOW. The future owns a growing byte array: it reads straight into the unused tail, and
 * doubles the array when the tail is full (starting at 1 KiB, so a short stream costs little
 * and a long one costs O(log n) reallocations). At EOF it hands back the filled part, trimmed
 * only when more than a quarter of the array is unused. `readToString` decodes with a fatal
 * UTF-8 decoder (a byte-order mark is kept, as Rust keeps it).
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncRead } from "../protocol.js";
import { IoError } from "./errors.js";
import { checkReader, checkReadCount } from "./internal/check.js";

const INITIAL = 1024;

/**
 * The future of {@link readToEnd}: resolves with every byte up to EOF.
 *
 * @example
 * ```ts
 * const fut: ReadToEnd = readToEnd(stream);
 * const bytes = yield* fut;
 * ```
 */
export class ReadToEnd extends Future<Uint8Array> {
  readonly #reader: AsyncRead;
  #buf: Uint8Array | undefined = undefined;
  #len = 0;

  /** @hidden Use {@link readToEnd}. */
  constructor(reader: AsyncRead) {
    super();
    this.#reader = reader;
  }

  override poll(cx: Context): Poll<Uint8Array> {
    let buf = (this.#buf ??= new Uint8Array(INITIAL));
    for (;;) {
      if (this.#len === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        this.#buf = buf = bigger;
      }
      if (!pollProceed(cx)) return Pending;
      let n: Poll<number>;
      try {
        n = this.#reader.pollRead(cx, buf.subarray(this.#len));
      } catch (error) {
        madeProgress(cx);
        throw error;
      }
      if (n === Pending) return Pending;
      madeProgress(cx);
      if (n === 0) break;
      this.#len += checkReadCount(n, buf.length - this.#len);
    }
    const len = this.#len;
    this.#buf = undefined;
    return len * 4 >= buf.length * 3 ? buf.subarray(0, len) : buf.slice(0, len);
  }

  override cancel(): void {
    this.#buf = undefined;
  }
}

/**
 * Read everything until end of stream; resolves with the bytes.
 *
 * @example
 * ```ts
 * const [a, b] = duplex(1024);
 * yield* writeAll(a, new Uint8Array([1, 2, 3]));
 * yield* shutdown(a);
 * const all = yield* readToEnd(b); // Uint8Array [1, 2, 3]
 * ```
 *
 * **Cancel safety**: not cancel safe: the bytes read before the drop are lost.
 *
 * **Throws**: TypeError if `reader` is not an AsyncRead; the reader's errors when polled (the
 * bytes read before the error are lost with the future; Tokio's `read_to_end` leaves them in
 * the caller's `Vec`).
 */
export function readToEnd(reader: AsyncRead): ReadToEnd {
  checkReader("reader", reader);
  return new ReadToEnd(reader);
}

/**
 * The future of {@link readToString}: resolves with the stream decoded as UTF-8.
 *
 * @example
 * ```ts
 * const fut: ReadToString = readToString(stream);
 * const text = yield* fut;
 * ```
 */
export class ReadToString extends Future<string> {
  readonly #bytes: ReadToEnd;

  /** @hidden Use {@link readToString}. */
  constructor(reader: AsyncRead) {
    super();
    this.#bytes = new ReadToEnd(reader);
  }

  override poll(cx: Context): Poll<string> {
    const bytes = this.#bytes.poll(cx);
    if (bytes === Pending) return Pending;
    return decodeUtf8(bytes);
  }

  override cancel(): void {
    this.#bytes.cancel();
  }
}

/**
 * Read everything until end of stream and decode it as UTF-8.
 *
 * @example
 * ```ts
 * const text = yield* readToString(toReader); // "hello\n"
 * ```
 *
 * **Cancel safety**: not cancel safe: the bytes read before the drop are lost.
 *
 * **Throws**: {@link IoError} `"INVALID_DATA"` if the bytes are not valid UTF-8 (as Tokio,
 * nothing is returned then); TypeError if `reader` is not an AsyncRead.
 */
export function readToString(reader: AsyncRead): ReadToString {
  checkReader("reader", reader);
  return new ReadToString(reader);
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** @internal Strict UTF-8 decoding: invalid input is an IoError "INVALID_DATA". */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new IoError("INVALID_DATA", "stream did not contain valid UTF-8", { cause });
  }
}
