/**
 * `readLine` (Tokio's `AsyncBufReadExt::read_line`): read up to and including the next `"\n"`.
 *
 * HOW. `readUntil` with `"\n"` (see `read-until.ts` for the search across buffer fills and
 * the coop budget), then strict UTF-8 decoding. A line that lies whole in one fill is decoded
 * straight from the reader's buffer, without a copy.
 */
import { Future, Pending, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncBufRead } from "../protocol.js";
import { checkBufReader } from "./internal/check.js";
import { consumeOwed, LineBuffer } from "./internal/line-buffer.js";
import { decodeUtf8 } from "./read-to-end.js";
import { pollReadUntil } from "./read-until.js";

const NEWLINE = 0x0a;

/**
 * Advance `reader` to the end of the next line: {@link pollReadUntil} with `"\n"` (the caller
 * calls `consumeOwed` once it has read the line).
 */
export function pollReadLine(cx: Context, reader: AsyncBufRead, acc: LineBuffer): Poll<Uint8Array> {
  return pollReadUntil(cx, reader, NEWLINE, acc);
}

/**
 * The future of {@link readLine}: resolves with the line (with its `"\n"`), or `""` at EOF.
 *
 * @example
 * ```ts
 * const fut: ReadLine = readLine(reader);
 * const line = yield* fut;
 * ```
 */
export class ReadLine extends Future<string> {
  readonly #reader: AsyncBufRead;
  readonly #acc = new LineBuffer();

  /** @hidden Use {@link readLine}. */
  constructor(reader: AsyncBufRead) {
    super();
    this.#reader = reader;
  }

  override poll(cx: Context): Poll<string> {
    const line = pollReadLine(cx, this.#reader, this.#acc);
    if (line === Pending) return Pending;
    try {
      return decodeUtf8(line);
    } finally {
      consumeOwed(this.#reader, this.#acc); // after the decode: consume may move the bytes
    }
  }
}

/**
 * Read the next line: resolves with the line including its `"\n"` (and a `"\r"` before it, if
 * any), the last bytes if the stream ends without a newline, or `""` at end of stream.
 *
 * @example
 * ```ts
 * const reader = new BufReader(stream);
 * let line: string;
 * while ((line = yield* readLine(reader)) !== "") console.log(line.trimEnd());
 * ```
 *
 * **Cancel safety**: not cancel safe: the part of a line read before the drop is lost. Use
 * {@link lines} — its `nextLine()` keeps a partial line between calls and is cancel safe.
 *
 * **Throws**: {@link IoError} `"INVALID_DATA"` if the line is not valid UTF-8 (its bytes are
 * consumed); the reader's errors (the part of the line read so far is then lost: Tokio appends
 * it to the caller's `String`; use {@link lines}, which keeps it for the next call); TypeError
 * if `reader` is not an AsyncBufRead (wrap a plain reader in {@link BufReader}).
 */
export function readLine(reader: AsyncBufRead): ReadLine {
  checkBufReader("reader", reader);
  return new ReadLine(reader);
}
