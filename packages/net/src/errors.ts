/**
 * The errors of `@tokio-ts/net`. Socket failures are Node's own error objects, which keep the
 * operating system's `code` (`ECONNREFUSED`, `EADDRINUSE`, `ECONNRESET`, `EPIPE`, …), the
 * `syscall`, and for connect and listen the address (`connect ECONNREFUSED 127.0.0.1:1`);
 * conditions found by tokio-ts itself have the same shape (`code`, `syscall`). The classes
 * below are the ones a caller catches by type. Bad arguments are TypeError/RangeError at the
 * call.
 */
import { TokioError } from "@tokio-ts/core";
import type { SplitHalves } from "./split.js";
import type { StreamBase } from "./internal/stream-base.js";

export { WouldBlockError, errorKind, type IoErrorKind, type SocketError } from "@tokio-ts/io-driver";

/**
 * `reunite` was given halves of two different streams. The halves are in `halves`, unchanged.
 *
 * @example
 * ```ts
 * try { rd.reunite(otherWr) } catch (e) { if (e instanceof ReuniteError) … }
 * ```
 */
export class ReuniteError<S extends StreamBase = StreamBase> extends TokioError {
  /** `"ReuniteError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "ReuniteError";
  }

  override set name(value: string) {
    super.name = value;
  }

  declare readonly code: "ERR_REUNITE";

  constructor(readonly halves: SplitHalves<S>) {
    super("ERR_REUNITE", "tried to reunite halves that are not from the same socket");
  }
}


/** @internal A Node-shaped error: `"accept ERR_SOCKET_CLOSED: the listener is closed"`. */
export function netError(code: string, syscall: string, detail: string): Error & { code: string; syscall: string } {
  const error = new Error(`${syscall} ${code}: ${detail}`) as Error & { code: string; syscall: string };
  error.code = code;
  error.syscall = syscall;
  return error;
}

/**
 * The option cannot be honoured on this Node version or platform (e.g. `setReuseport(true)`
 * before Node 22.12, or `setReuseaddr(false)`, which libuv does not allow). Thrown at the call
 * rather than silently ignored. Its {@link errorKind} is `"UNSUPPORTED"` (Tokio's
 * `io::ErrorKind::Unsupported`).
 *
 * @example
 * ```ts
 * try { socket.setReuseport(true) } catch (e) { if (e instanceof UnsupportedError) … }
 * ```
 */
export class UnsupportedError extends TokioError {
  /** `"UnsupportedError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "UnsupportedError";
  }

  override set name(value: string) {
    super.name = value;
  }

  declare readonly code: "ERR_UNSUPPORTED";

  constructor(message: string) {
    super("ERR_UNSUPPORTED", message);
  }
}
