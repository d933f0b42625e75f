/**
 * `copy(reader, writer)` (Tokio's `io::copy`, and `io::copy_buf` when the reader is buffered):
 * move every byte from a reader to a writer until EOF, then flush.
 *
 * HOW. A {@link CopyBuffer} does the work (see `internal/copy-buffer.ts`): an 8 KiB buffer
 * allocated once per copy, or none at all when the reader is an {@link AsyncBufRead}. The writer
 * is flushed at the end, and also whenever the reader has nothing for now, so bytes do not sit
 * in a `BufWriter` while we wait. The writer is not shut down (`copyBidirectional` does that).
 */
import { Future, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncRead, AsyncWrite } from "../protocol.js";
import { checkReader, checkWriter } from "./internal/check.js";
import { CopyBuffer } from "./internal/copy-buffer.js";

/**
 * The future of {@link copy}: resolves with the number of bytes copied.
 *
 * @example
 * ```ts
 * const fut: Copy = copy(reader, sink());
 * const n = yield* fut;
 * ```
 */
export class Copy extends Future<number> {
  readonly #state: CopyBuffer;
  readonly #writer: AsyncWrite;

  /** @hidden Use {@link copy}. */
  constructor(reader: AsyncRead, writer: AsyncWrite) {
    super();
    this.#state = new CopyBuffer(reader);
    this.#writer = writer;
  }

  override poll(cx: Context): Poll<number> {
    return this.#state.poll(cx, this.#writer);
  }
}

/**
 * Copy everything from `reader` to `writer` until `reader` reaches EOF, then flush `writer`;
 * resolves with the number of bytes copied. Uses the reader's buffer when it is an
 * {@link AsyncBufRead} (Tokio's `copy_buf`), else an 8 KiB buffer.
 *
 * @example
 * ```ts
 * const [a, b] = duplex(1024);
 * yield* writeAll(a, new TextEncoder().encode("abc"));
 * yield* shutdown(a);
 * const n = yield* copy(b, sink()); // 3
 * ```
 *
 * **Cancel safety**: not cancel safe: bytes read and not yet written when it is dropped are
 * lost.
 *
 * **Throws**: the reader's and writer's errors; {@link IoError} `"WRITE_ZERO"` if the writer
 * takes nothing; TypeError for a bad `reader` or `writer`.
 */
export function copy(reader: AsyncRead, writer: AsyncWrite): Copy {
  checkReader("reader", reader);
  checkWriter("writer", writer);
  return new Copy(reader, writer);
}
