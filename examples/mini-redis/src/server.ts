/**
 * The accept loop of mini-redis (Tokio's mini-redis `server.rs`): one task per connection, one
 * shared {@link Db}, and a graceful shutdown.
 *
 * HOW. The loop `select`s between the shutdown token and `listener.accept()` (biased: shutdown
 * first). `accept()` is cancel safe, so the loser of that race loses no connection: one that
 * arrives while the token fires stays queued in the listener and is closed with it. Each
 * connection runs {@link handleConnection} in a task of a JoinSet, with the same token. When
 * the token is cancelled the loop stops accepting, every handler finishes the batch it is
 * answering and returns, and `serve` waits for all of them (JoinSet.joinNext) before it
 * returns — Tokio's mini-redis does the same with a broadcast and an mpsc channel whose
 * closing signals the end; a JoinSet says it directly.
 *
 * Finished tasks are reaped as the loop goes (`tryJoinNext`), so a server that has seen a
 * million short connections holds nothing for them. An accept error (EMFILE: out of file
 * descriptors) is not fatal: the loop backs off (1 ms, doubling to 1 s) and tries again, as
 * Tokio's mini-redis does, so a burst of connections cannot kill the server.
 */
import { select } from "@tokio-ts/macros";
import type { TcpListener } from "@tokio-ts/net";
import { JoinSet } from "@tokio-ts/runtime";
import type { CancellationToken } from "@tokio-ts/sync";
import { sleep } from "@tokio-ts/time";
import { Db, type DbOptions } from "./db.js";
import { handleConnection } from "./handler.js";
import type { ParserLimits } from "./resp/parser.js";

/**
 * Options of {@link serve}.
 *
 * @example
 * ```ts
 * yield* serve(listener, { shutdown: token, limits: { maxBulkLength: 1 << 20 } });
 * ```
 */
export interface ServeOptions extends DbOptions {
  /** Stops the server gracefully when cancelled (see the module header). */
  readonly shutdown: CancellationToken;
  /** Limits of each connection's request parser. */
  readonly limits?: ParserLimits | undefined;
  /** Called with an error that ended a connection (default: ignored — a client went away). */
  readonly onConnectionError?: ((error: unknown) => void) | undefined;
}

/**
 * Serve RESP2 clients on `listener` until `options.shutdown` is cancelled, then wait for the
 * connections to finish (see the module header). The caller owns the listener and closes it.
 *
 * @example
 * ```ts
 * const listener = yield* TcpListener.bind("127.0.0.1:6379");
 * const token = new CancellationToken();
 * process.once("SIGINT", () => token.cancel());
 * yield* serve(listener, { shutdown: token });
 * ```
 *
 * **Cancel safety**: dropping it (aborting its task) aborts every connection task.
 */
export function* serve(listener: TcpListener, options: ServeOptions): Generator<unknown, void, any> {
  const { shutdown, limits, onConnectionError } = options;
  using db = new Db(options);
  using connections = new JoinSet<true>();
  let backoff = 1;
  for (;;) {
    while (connections.tryJoinNext() !== undefined);
    let next;
    try {
      next = yield* select({ shutdown: shutdown.cancelled(), accepted: listener.accept() }, { biased: true });
    } catch (error) {
      onConnectionError?.(error);
      yield* select({ shutdown: shutdown.cancelled(), backoff: sleep(backoff) }, { biased: true });
      backoff = Math.min(backoff * 2, 1000);
      continue;
    }
    if (next.key === "shutdown") break;
    backoff = 1;
    const [socket] = next.value;
    connections.spawn(function* () {
      try {
        yield* handleConnection(socket, db, { shutdown, limits });
      } catch (error) {
        onConnectionError?.(error);
      } finally {
        socket.close();
      }
      return true as const;
    });
  }
  while (!connections.isEmpty()) yield* connections.joinNext();
}
