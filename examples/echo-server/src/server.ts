/**
 * The echo server of Tokio's documentation (tokio.rs tutorial, "I/O" chapter, and
 * `tokio/examples/echo.rs`), in tokio-ts: accept connections in a loop, spawn a task per
 * connection, and in each read into a buffer and write the bytes back until the peer closes.
 *
 * ```rust
 * loop {
 *     let (mut socket, _) = listener.accept().await?;
 *     tokio::spawn(async move {
 *         let mut buf = vec![0; 1024];
 *         loop {
 *             let n = socket.read(&mut buf).await.expect("failed to read data from socket");
 *             if n == 0 { return; }
 *             socket.write_all(&buf[0..n]).await.expect("failed to write data to socket");
 *         }
 *     });
 * }
 * ```
 *
 * Two things are added for a program that must stop cleanly: the accept loop races
 * `listener.accept()` against a shutdown token with `select` (accept is cancel safe: the
 * connection of a dropped accept stays queued in the listener), and the per-connection tasks
 * live in a JoinSet, so `serve` waits for them — or, dropped, aborts them all.
 *
 * Each connection reads into one buffer of its own, allocated once; `writeAll` waits while the
 * socket's send buffer is full, so a client that sends without reading slows its own echo down
 * instead of growing the server's memory.
 */
import { read, writeAll } from "@tokio-ts/io-driver";
import { select } from "@tokio-ts/macros";
import type { TcpListener, TcpStream } from "@tokio-ts/net";
import { JoinSet } from "@tokio-ts/runtime";
import type { CancellationToken } from "@tokio-ts/sync";

/**
 * Options of {@link serve}.
 *
 * @example
 * ```ts
 * yield* serve(listener, { shutdown: token, bufferSize: 16 * 1024 });
 * ```
 */
export interface ServeOptions {
  /** Stop accepting when cancelled; connections already accepted run to their end. */
  readonly shutdown?: CancellationToken | undefined;
  /** The read buffer of each connection (default 64 KiB; Tokio's example uses 1 KiB). */
  readonly bufferSize?: number | undefined;
  /** Called with the error that ended a connection (default: ignored). */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/**
 * Echo every connection accepted on `listener` until `shutdown` is cancelled; then wait for the
 * open connections to end. The caller owns and closes the listener.
 *
 * @example
 * ```ts
 * const listener = yield* TcpListener.bind("127.0.0.1:8080");
 * yield* serve(listener); // runs until the task is aborted
 * ```
 *
 * **Cancel safety**: dropping it (aborting its task) aborts every connection task.
 *
 * **Throws**: RangeError if `bufferSize` is not a positive integer; the listener's accept error.
 */
export function* serve(listener: TcpListener, options: ServeOptions = {}): Generator<unknown, void, any> {
  const bufferSize = options.bufferSize ?? 64 * 1024;
  if (!Number.isInteger(bufferSize) || bufferSize < 1) throw new RangeError(`bufferSize must be a positive integer, got ${bufferSize}`);
  const { shutdown, onError } = options;
  using connections = new JoinSet<true>();
  for (;;) {
    while (connections.tryJoinNext() !== undefined);
    const next = shutdown === undefined
      ? { key: "accepted" as const, value: yield* listener.accept() }
      : yield* select({ shutdown: shutdown.cancelled(), accepted: listener.accept() }, { biased: true });
    if (next.key === "shutdown") break;
    const [socket] = next.value;
    connections.spawn(function* () {
      try {
        yield* echo(socket, bufferSize);
      } catch (error) {
        onError?.(error);
      } finally {
        socket.close();
      }
      return true as const;
    });
  }
  while (!connections.isEmpty()) yield* connections.joinNext();
}

/**
 * Write back everything read from `socket` until it reaches end of stream; returns how many
 * bytes were echoed. Then shuts the write side down, so the peer reads EOF after its last byte.
 *
 * @example
 * ```ts
 * const [socket] = yield* listener.accept();
 * const n = yield* echo(socket);
 * ```
 *
 * **Cancel safety**: not cancel safe: bytes read and not yet written back are lost if dropped.
 *
 * **Throws**: the socket's errors (ECONNRESET when the peer resets the connection).
 */
export function* echo(socket: TcpStream, bufferSize = 64 * 1024): Generator<unknown, number, any> {
  const buf = new Uint8Array(bufferSize);
  let total = 0;
  for (;;) {
    const n = yield* read(socket, buf);
    if (n === 0) break;
    yield* writeAll(socket, buf.subarray(0, n));
    total += n;
  }
  yield* socket.shutdown();
  return total;
}
