/**
 * `split(stream)` (Tokio's `io::split`): one read half and one write half of a stream, to be
 * used from two tasks (one reads while the other writes).
 *
 * HOW. Tokio needs a lock because its halves may run on two threads; a tokio-ts runtime polls
 * one task at a time, so each half simply forwards to the shared stream. What makes this sound
 * is the protocol's rule that a stream keeps its reader's and its writer's wakers apart (as
 * `duplex`, the bridges and the sockets do): a task waiting to read and another waiting to
 * write are both woken. Both halves remember their origin, so {@link ReadHalf.unsplit} can
 * check that it is given its own partner.
 */
import type { Context, Poll } from "@tokio-ts/core";
import type { AsyncRead, AsyncWrite } from "../protocol.js";
import { checkReader, checkWriter } from "./internal/check.js";

/**
 * The read half of a {@link split} stream: an {@link AsyncRead}.
 *
 * @example
 * ```ts
 * const [rd, wr] = split(stream);
 * spawn(function* () { yield* copy(rd, sink()); });
 * yield* writeAll(wr, bytes);
 * ```
 */
export class ReadHalf<S extends AsyncRead & AsyncWrite = AsyncRead & AsyncWrite> implements AsyncRead {
  /** @hidden Use {@link split}. */
  constructor(readonly stream: S) {}

  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    return this.stream.pollRead(cx, buf);
  }

  /** Whether `other` is the write half split from the same stream as this one. */
  isPairOf(other: WriteHalf<AsyncRead & AsyncWrite>): boolean {
    return other instanceof WriteHalf && other.stream === this.stream;
  }

  /**
   * Put the halves back together: returns the original stream.
   *
   * **Throws**: TypeError if `other` was not split from the same stream.
   */
  unsplit(other: WriteHalf<S>): S {
    if (!this.isPairOf(other)) throw new TypeError("other must be the WriteHalf split from the same stream as this ReadHalf");
    return this.stream;
  }
}

/**
 * The write half of a {@link split} stream: an {@link AsyncWrite}. Shutting it down shuts the
 * stream's write side (the peer reads EOF); the read half keeps reading.
 *
 * @example
 * ```ts
 * const [rd, wr] = split(stream);
 * yield* writeAll(wr, request);
 * yield* shutdown(wr);
 * const reply = yield* readToEnd(rd);
 * ```
 */
export class WriteHalf<S extends AsyncRead & AsyncWrite = AsyncRead & AsyncWrite> implements AsyncWrite {
  /** @hidden Use {@link split}. */
  constructor(readonly stream: S) {}

  pollWrite(cx: Context, data: Uint8Array): Poll<number> {
    return this.stream.pollWrite(cx, data);
  }

  pollFlush(cx: Context): Poll<void> {
    return this.stream.pollFlush(cx);
  }

  pollShutdown(cx: Context): Poll<void> {
    return this.stream.pollShutdown(cx);
  }

  /** Whether `other` is the read half split from the same stream as this one. */
  isPairOf(other: ReadHalf<AsyncRead & AsyncWrite>): boolean {
    return other instanceof ReadHalf && other.stream === this.stream;
  }
}

/**
 * Split a stream that reads and writes into a {@link ReadHalf} and a {@link WriteHalf}.
 *
 * @example
 * ```ts
 * const [client, server] = duplex(1024);
 * const [rd, wr] = split(server);
 * spawn(function* () { yield* copy(rd, wr); }); // an echo
 * ```
 *
 * **Throws**: TypeError if `stream` is not both an AsyncRead and an AsyncWrite.
 */
export function split<S extends AsyncRead & AsyncWrite>(stream: S): [ReadHalf<S>, WriteHalf<S>] {
  checkReader("stream", stream);
  checkWriter("stream", stream);
  return [new ReadHalf(stream), new WriteHalf(stream)];
}
