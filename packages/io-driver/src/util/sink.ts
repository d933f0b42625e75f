/**
 * `sink()` (Tokio's `io::sink`): a writer that takes every byte at once and drops it — the
 * `/dev/null` of the stream protocol. Stateless; one shared instance serves every call.
 */
import type { Context, Poll } from "@tokio-ts/core";
import type { AsyncWrite } from "../protocol.js";

/**
 * Accepts every write whole and discards it; flush and shutdown are ready at once.
 *
 * @example
 * ```ts
 * const n = yield* write(sink(), new Uint8Array(100)); // 100
 * ```
 */
export class Sink implements AsyncWrite {
  pollWrite(_cx: Context, data: Uint8Array): Poll<number> {
    return data.length;
  }

  pollFlush(_cx: Context): Poll<void> {
    return undefined;
  }

  pollShutdown(_cx: Context): Poll<void> {
    return undefined;
  }
}

const SINK = new Sink();

/**
 * A writer that discards everything.
 *
 * @example
 * ```ts
 * const bytes = yield* copy(reader, sink()); // how many bytes the reader had
 * ```
 */
export function sink(): Sink {
  return SINK;
}
