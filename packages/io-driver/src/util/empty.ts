/**
 * `empty()` (Tokio's `io::empty`): a reader that is always at EOF, and a writer that takes and
 * discards everything. Stateless; one shared instance serves every call.
 */
import type { Context, Poll } from "@tokio-ts/core";
import type { AsyncBufRead, AsyncWrite } from "../protocol.js";
import { Sink } from "./sink.js";

const NOTHING = new Uint8Array(0);

/**
 * Always at end of stream (an {@link AsyncBufRead}); writes are accepted and dropped, as by {@link Sink}.
 *
 * @example
 * ```ts
 * const all = yield* readToEnd(empty()); // Uint8Array []
 * ```
 */
export class Empty extends Sink implements AsyncBufRead, AsyncWrite {
  pollRead(_cx: Context, _buf: Uint8Array): Poll<number> {
    return 0;
  }

  pollFillBuf(_cx: Context): Poll<Uint8Array> {
    return NOTHING;
  }

  consume(_n: number): void {}
}

const EMPTY = new Empty();

/**
 * A reader that is at EOF at once (and a writer that discards).
 *
 * @example
 * ```ts
 * const n = yield* read(empty(), new Uint8Array(8)); // 0
 * ```
 */
export function empty(): Empty {
  return EMPTY;
}
