/**
 * `read` and `readExact` (Tokio's `AsyncReadExt::read` / `read_exact`): futures that read into
 * a buffer the caller owns, so a read loop allocates nothing.
 *
 * HOW. Each is a small leaf future around `reader.pollRead(cx, buf)`. Before each call to the
 * reader it asks the coop budget (`pollProceed`) and, for each call that returned bytes or EOF
 * or threw,
 * spends one unit (`madeProgress`): inside a runtime a task that reads a stream that is always
 * ready still yields to the others; outside one the budget is unbounded. `readExact` keeps how
 * much it has filled in the future itself, which is why dropping it loses those bytes.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncRead } from "../protocol.js";
import { unexpectedEof } from "./errors.js";
import { checkBuffer, checkReader, checkReadCount } from "./internal/check.js";

/**
 * The future of {@link read}: resolves with how many bytes were read (0 at EOF).
 *
 * @example
 * ```ts
 * const fut: Read = read(stream, buf);
 * const n = yield* fut;
 * ```
 */
export class Read extends Future<number> {
  readonly #reader: AsyncRead;
  readonly #buf: Uint8Array;

  /** @hidden Use {@link read}. */
  constructor(reader: AsyncRead, buf: Uint8Array) {
    super();
    this.#reader = reader;
    this.#buf = buf;
  }

  override poll(cx: Context): Poll<number> {
    if (!pollProceed(cx)) return Pending;
    let n: Poll<number>;
    try {
      n = this.#reader.pollRead(cx, this.#buf);
    } catch (error) {
      madeProgress(cx);
      throw error;
    }
    if (n === Pending) return Pending;
    madeProgress(cx);
    return checkReadCount(n, this.#buf.length);
  }
}

/**
 * Read some bytes into `buf`: resolves with how many (at least 1), or 0 at end of stream (or
 * when `buf` is empty). Waits only while nothing at all is available.
 *
 * @example
 * ```ts
 * const [a, b] = duplex(64);
 * yield* writeAll(a, new TextEncoder().encode("hi"));
 * const buf = new Uint8Array(16);
 * const n = yield* read(b, buf); // 2
 * ```
 *
 * **Cancel safety**: cancel safe. Bytes are only copied into `buf` by the poll that resolves;
 * a read dropped while pending (a `select` loser, a timeout) consumed nothing.
 *
 * **Throws**: TypeError if `reader` is not an AsyncRead or `buf` not a Uint8Array; the reader's
 * own errors when the future is polled.
 */
export function read(reader: AsyncRead, buf: Uint8Array): Read {
  checkReader("reader", reader);
  checkBuffer("buf", buf);
  return new Read(reader, buf);
}

/**
 * The future of {@link readExact}: resolves with `buf.length` once `buf` is full.
 *
 * @example
 * ```ts
 * const fut: ReadExact = readExact(stream, header);
 * yield* fut;
 * ```
 */
export class ReadExact extends Future<number> {
  readonly #reader: AsyncRead;
  readonly #buf: Uint8Array;
  #filled = 0;

  /** @hidden Use {@link readExact}. */
  constructor(reader: AsyncRead, buf: Uint8Array) {
    super();
    this.#reader = reader;
    this.#buf = buf;
  }

  override poll(cx: Context): Poll<number> {
    const buf = this.#buf;
    while (this.#filled < buf.length) {
      if (!pollProceed(cx)) return Pending;
      let n: Poll<number>;
      try {
        n = this.#reader.pollRead(cx, this.#filled === 0 ? buf : buf.subarray(this.#filled));
      } catch (error) {
        madeProgress(cx);
        throw error;
      }
      if (n === Pending) return Pending;
      madeProgress(cx);
      if (n === 0) throw unexpectedEof();
      this.#filled += checkReadCount(n, buf.length - this.#filled);
    }
    return buf.length;
  }
}

/**
 * Read exactly `buf.length` bytes into `buf`; resolves with `buf.length`.
 *
 * @example
 * ```ts
 * const header = new Uint8Array(4);
 * yield* readExact(stream, header);
 * const len = new DataView(header.buffer).getUint32(0);
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some bytes arrived, those bytes
 * are in `buf` but the stream has moved past them: they are lost to the next read.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` when the stream ends first (the bytes read so
 * far are in `buf`); TypeError for a bad `reader` or `buf`.
 */
export function readExact(reader: AsyncRead, buf: Uint8Array): ReadExact {
  checkReader("reader", reader);
  checkBuffer("buf", buf);
  return new ReadExact(reader, buf);
}
