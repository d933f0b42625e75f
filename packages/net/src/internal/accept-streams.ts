/**
 * The async iteration that TcpListener and UnixListener share: accepted streams until the
 * listener is closed.
 */
import type { Future } from "@tokio-ts/core";

/**
 * Each `next()` is one accept: the stream, or done once `isClosed()` (an accept failing because
 * the listener was closed); any other accept error rejects that `next()`. Not an async
 * generator: a rejection of one pending `next()` (CancelledError, when the future awaiting it is
 * dropped) would end a generator for good, and accept is cancel safe, so the iteration can go
 * on after a `next()` that was given up on.
 */
export function acceptStreams<S>(accept: () => Future<readonly [S, unknown]>, isClosed: () => boolean): AsyncIterator<S, undefined> {
  return {
    next: (): Promise<IteratorResult<S, undefined>> =>
      accept().then(
        ([stream]): IteratorResult<S, undefined> => ({ done: false, value: stream }),
        (error: unknown): IteratorResult<S, undefined> => {
          if (isClosed()) return { done: true, value: undefined };
          throw error;
        },
      ),
  };
}
