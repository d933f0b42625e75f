/**
 * The async iteration that TcpListener and UnixListener share: accepted streams until the
 * listener is closed.
 */
import type { Future } from "@tokio-ts/core";

/**
 * Yield each accepted stream; end quietly once `isClosed()` (an accept failing because the
 * listener was closed), throw any other accept error.
 */
export async function* acceptStreams<S>(accept: () => Future<readonly [S, unknown]>, isClosed: () => boolean): AsyncGenerator<S, void, undefined> {
  for (;;) {
    let stream: S;
    try {
      [stream] = await accept();
    } catch (error) {
      if (isClosed()) return;
      throw error;
    }
    yield stream;
  }
}
