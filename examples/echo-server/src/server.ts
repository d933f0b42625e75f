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
 * What is added is what a program that must stop cleanly needs: the accept loop and each
 * connection's wait for bytes race a shutdown token (`accept` and `read` are cancel safe: the
 * loser of the race takes nothing with it), and the per-connection tasks live in a JoinSet, so
 * `serve` waits for them — or, dropped, aborts them all. The accept loop races with `select`;
 * a connection, which waits for bytes once per request, keeps one `cancelled()` wait for its
 * whole life and polls it beside each read (the same race, biased to the token, without a
 * select and a token wait allocated per read).
 *
 * Each connection reads into one buffer of its own, allocated once; `writeAll` waits while the
 * socket's send buffer is full, so a client that sends without reading slows its own echo down
 * instead of growing the server's memory.
 */
import { madeProgress, Pending, pollFn, pollProceed, type Future } from "@tokio-ts/core";
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
  /**
   * When cancelled: stop accepting, and end each connection at its next wait for bytes (what it
   * read is written back first); `serve` returns once they have all ended.
   */
  readonly shutdown?: CancellationToken | undefined;
  /** The read buffer of each connection (default 64 KiB; Tokio's example uses 1 KiB). */
  readonly bufferSize?: number | undefined;
  /** Called with the error that ended a connection (default: ignored). */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/**
 * Echo every connection accepted on `listener` until `shutdown` is cancelled; then wait for the
 * connections to end (each ends at its next wait for bytes). The caller owns and closes the
 * listener.
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
  const bufferSize = checkBufferSize(options.bufferSize);
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
        yield* echo(socket, { bufferSize, shutdown });
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
 * Options of {@link echo}.
 *
 * @example
 * ```ts
 * yield* echo(socket, { bufferSize: 1024, shutdown: token });
 * ```
 */
export interface EchoOptions {
  /** The read buffer (default 64 KiB). */
  readonly bufferSize?: number | undefined;
  /** When cancelled, stop at the next wait for bytes (what was read is written back first). */
  readonly shutdown?: CancellationToken | undefined;
}

/**
 * Write back everything read from `socket` until it reaches end of stream (or `shutdown` is
 * cancelled while it waits for bytes); returns how many bytes were echoed. Then shuts the write
 * side down, so the peer reads EOF after its last byte.
 *
 * The wait for bytes races the token (biased to the token, as `select` with `biased: true`):
 * `read` is cancel safe (a dropped read has taken nothing), so no byte is lost to the race, and a server shutting down closes idle
 * connections at once while a connection busy writing finishes its write.
 *
 * @example
 * ```ts
 * const [socket] = yield* listener.accept();
 * const n = yield* echo(socket);
 * ```
 *
 * **Cancel safety**: not cancel safe: bytes read and not yet written back are lost if dropped.
 *
 * **Throws**: RangeError for a bad `bufferSize`; the socket's errors (ECONNRESET when the peer
 * resets the connection).
 */
export function* echo(socket: TcpStream, options: EchoOptions = {}): Generator<unknown, number, any> {
  const bufferSize = checkBufferSize(options.bufferSize);
  const shutdown = options.shutdown;
  const buf = new Uint8Array(bufferSize);
  // One wait on the token for the connection's whole life, polled beside every read (see
  // readOrStop) instead of a fresh select and cancelled() per read.
  const stop = shutdown?.cancelled();
  let total = 0;
  try {
    for (;;) {
      const n = stop === undefined ? yield* read(socket, buf) : yield* readOrStop(socket, buf, stop);
      if (n === STOPPED || n === 0) break;
      yield* writeAll(socket, buf.subarray(0, n));
      total += n;
    }
  } finally {
    stop?.cancel();
  }
  yield* socket.shutdown();
  return total;
}

const STOPPED = -1;

/**
 * `select({ shutdown: stop, read: read(socket, buf) }, { biased: true })` for one long-lived
 * `stop` future: the token first, then the read; {@link STOPPED} when the token is cancelled.
 * `stop` stays queued on the token between reads (a cancellation during a write wakes the task
 * once, harmlessly); the caller drops it at the end. Cancel safe as `read` is: dropping this
 * future drops no byte, and leaves `stop` as it was.
 */
function readOrStop(socket: TcpStream, buf: Uint8Array, stop: Future<void>): Future<number> {
  return pollFn((cx) => {
    if (stop.poll(cx) !== Pending) return STOPPED;
    // A leaf around pollRead: one unit of the task's coop budget per read, as `read` spends.
    if (!pollProceed(cx)) return Pending;
    const n = socket.pollRead(cx, buf);
    if (n !== Pending) madeProgress(cx);
    return n;
  });
}

function checkBufferSize(size: number | undefined): number {
  if (size === undefined) return 64 * 1024;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`bufferSize must be a positive integer, got ${size}`);
  return size;
}
