/**
 * The errors of the socket readiness source. A failure reported by the host keeps Node's own
 * error object (a SystemError with `code` "ECONNRESET", "EPIPE", …, `syscall` and, for connect
 * and listen, the address in the message); the conditions the reactor itself detects are made
 * here with the same shape, so a caller matches on `code` whichever side found them.
 */
import { TokioError } from "@tokio-ts/core";

/**
 * A `try*` operation (`tryRead`, `tryWrite`, `tryAccept`, …) found the resource not ready
 * (Tokio's `io::ErrorKind::WouldBlock`). Nothing was read or written; wait with `readable()` /
 * `writable()` and try again.
 *
 * @example
 * ```ts
 * try {
 *   n = stream.tryRead(buf);
 * } catch (e) {
 *   if (e instanceof WouldBlockError) yield* stream.readable();
 *   else throw e;
 * }
 * ```
 */
export class WouldBlockError extends TokioError {
  /** `"WouldBlockError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "WouldBlockError";
  }

  override set name(value: string) {
    super.name = value;
  }

  declare readonly code: "EWOULDBLOCK";

  constructor(operation: string) {
    super("EWOULDBLOCK", `${operation}: operation would block (the socket is not ready)`);
  }
}

/**
 * An error with a Node-style system `code` and `syscall`, for conditions the reactor detects.
 *
 * @example
 * ```ts
 * catch (e) { if ((e as SocketError).code === "EPIPE") console.log("write side is shut down") }
 * ```
 */
export interface SocketError extends Error {
  code: string;
  syscall: string;
}

/**
 * @internal A Node-shaped system error: `"write EPIPE: the write side is shut down"`; `cause`,
 * the host's error it stands for, if any.
 */
export function socketError(code: string, syscall: string, detail: string, cause?: unknown): SocketError {
  const error = (cause === undefined ? new Error(`${syscall} ${code}: ${detail}`) : new Error(`${syscall} ${code}: ${detail}`, { cause })) as SocketError;
  error.code = code;
  error.syscall = syscall;
  return error;
}
