/**
 * `lines(reader)` (Tokio's `AsyncBufReadExt::lines` / `io::Lines`): the lines of a buffered
 * reader, without their line endings.
 *
 * HOW. A {@link Lines} owns the partial line ({@link LineBuffer}) between calls, so a
 * `nextLine()` dropped while pending loses nothing: the next call goes on where it stopped.
 * A line ends at `"\n"`; one `"\r"` before it is removed too. At EOF a call returns
 * `undefined`; a later call asks the reader again (as Tokio's `next_line`), so a reader that
 * has more after its end (a `take()` given a new limit) goes on.
 */
import { Future, Pending, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncBufRead } from "../protocol.js";
import { checkBufReader } from "./internal/check.js";
import { consumeOwed, LineBuffer } from "./internal/line-buffer.js";
import { decodeUtf8 } from "./read-to-end.js";
import { pollReadLine } from "./read-line.js";

/**
 * The lines of a buffered reader. Get one with {@link lines}; read with `nextLine()` or
 * `for await`.
 *
 * @example
 * ```ts
 * const it = lines(new BufReader(stream));
 * let line: string | undefined;
 * while ((line = yield* it.nextLine()) !== undefined) handle(line);
 * ```
 */
export class Lines implements AsyncIterable<string> {
  readonly #reader: AsyncBufRead;
  readonly #acc = new LineBuffer();

  /** @hidden Use {@link lines}. */
  constructor(reader: AsyncBufRead) {
    this.#reader = reader;
  }

  /** The reader the lines come from. */
  getRef(): AsyncBufRead {
    return this.#reader;
  }

  /**
   * The next line without its `"\n"` or `"\r\n"`, or `undefined` at end of stream.
   *
   * @example
   * ```ts
   * const first = yield* lines(reader).nextLine();
   * ```
   *
   * **Cancel safety**: cancel safe: a partial line stays in the `Lines` and the next call
   * continues it.
   *
   * **Throws**: {@link IoError} `"INVALID_DATA"` for a line that is not valid UTF-8 (the line
   * is skipped); the reader's errors.
   */
  nextLine(): Future<string | undefined> {
    return new NextLine(this);
  }

  /** @internal The poll behind {@link nextLine}. */
  pollNextLine(cx: Context): Poll<string | undefined> {
    const acc = this.#acc;
    const bytes = pollReadLine(cx, this.#reader, acc);
    if (bytes === Pending) return Pending;
    if (bytes.length === 0) return undefined;
    let end = bytes.length;
    if (bytes[end - 1] === 0x0a) {
      end--;
      if (end > 0 && bytes[end - 1] === 0x0d) end--;
    }
    try {
      return decodeUtf8(bytes.subarray(0, end));
    } finally {
      consumeOwed(this.#reader, acc); // after the decode: consume may move the bytes
      acc.clear();
    }
  }

  /**
   * `for await (const line of lines(reader))`: each line, until end of stream. Each `next()` is
   * one `nextLine()` awaited by the loop: a loop whose task is aborted (or whose async
   * function's future is dropped) loses no line. A `next()` is a promise, which cannot be
   * dropped: to race reading a line against something else, give `nextLine()` itself to
   * `select` or `timeout` (an `async () => it.next()` branch can lose the line it took).
   */
  [Symbol.asyncIterator](): AsyncIterator<string, undefined> {
    // Not an async generator: a rejection of one pending `next()` (CancelledError, when the
    // future awaiting it is dropped) would end a generator for good.
    return {
      next: (): Promise<IteratorResult<string, undefined>> =>
        this.nextLine().then((line): IteratorResult<string, undefined> => (line === undefined ? { done: true, value: undefined } : { done: false, value: line })),
    };
  }
}

class NextLine extends Future<string | undefined> {
  constructor(private readonly lines: Lines) {
    super();
  }

  override poll(cx: Context): Poll<string | undefined> {
    return this.lines.pollNextLine(cx);
  }
}

/**
 * Split a buffered reader into lines (without `"\n"` / `"\r\n"`).
 *
 * @example
 * ```ts
 * for await (const line of lines(new BufReader(stream))) console.log(line);
 * ```
 *
 * **Throws**: TypeError if `reader` is not an AsyncBufRead (wrap a plain reader in
 * {@link BufReader}).
 */
export function lines(reader: AsyncBufRead): Lines {
  checkBufReader("reader", reader);
  return new Lines(reader);
}
