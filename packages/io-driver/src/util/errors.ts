/**
 * The error of the io utilities: Tokio's `io::Error` with its `ErrorKind`, as one class whose
 * `code` (and `kind`) says what went wrong. Bad arguments are plain `TypeError`/`RangeError`
 * thrown at the call, not IoErrors.
 */
import { TokioError } from "@tokio-ts/core";

/**
 * The kinds of I/O failure: Tokio's `io::ErrorKind`, named in SCREAMING_CASE. The utilities
 * raise these themselves:
 * - `"UNEXPECTED_EOF"`: the stream ended before the operation could finish (`readExact`, a
 *   Node stream destroyed before its end);
 * - `"BROKEN_PIPE"`: the reading side is gone (a write to a closed `duplex` or bridge, or a
 *   host stream failing with `EPIPE`: stdout piped into `head`, which exited);
 * - `"INVALID_DATA"`: the bytes are not what was asked for (invalid UTF-8 in `readToString`);
 * - `"WRITE_ZERO"`: a writer accepted 0 bytes of a non-empty buffer (`writeAll`, `copy`);
 * - `"OTHER"`: anything else; a host stream's own error is the `cause`.
 *
 * The rest are what the operating system's error codes mean, as Rust's standard library
 * decodes them (`ENOENT` is `"NOT_FOUND"`, `EACCES` and `EPERM` are `"PERMISSION_DENIED"`,
 * `ECONNRESET` is `"CONNECTION_RESET"`, …): a host stream that fails with such a code gives an
 * IoError of that kind, and {@link errorKind} reads the kind of any error, Node's socket errors
 * included. Like Tokio's enum the list may grow, so a `switch` over it should keep a `default`.
 *
 * @example
 * ```ts
 * const kind: IoErrorKind = "UNEXPECTED_EOF";
 * if (e instanceof IoError && e.kind === kind) retry();
 * ```
 */
export type IoErrorKind =
  | "NOT_FOUND"
  | "PERMISSION_DENIED"
  | "CONNECTION_REFUSED"
  | "CONNECTION_RESET"
  | "HOST_UNREACHABLE"
  | "NETWORK_UNREACHABLE"
  | "CONNECTION_ABORTED"
  | "NOT_CONNECTED"
  | "ADDR_IN_USE"
  | "ADDR_NOT_AVAILABLE"
  | "NETWORK_DOWN"
  | "BROKEN_PIPE"
  | "ALREADY_EXISTS"
  | "WOULD_BLOCK"
  | "NOT_A_DIRECTORY"
  | "IS_A_DIRECTORY"
  | "DIRECTORY_NOT_EMPTY"
  | "READ_ONLY_FILESYSTEM"
  | "FILESYSTEM_LOOP"
  | "STALE_NETWORK_FILE_HANDLE"
  | "INVALID_INPUT"
  | "INVALID_DATA"
  | "TIMED_OUT"
  | "WRITE_ZERO"
  | "STORAGE_FULL"
  | "NOT_SEEKABLE"
  | "QUOTA_EXCEEDED"
  | "FILE_TOO_LARGE"
  | "RESOURCE_BUSY"
  | "EXECUTABLE_FILE_BUSY"
  | "DEADLOCK"
  | "CROSSES_DEVICES"
  | "TOO_MANY_LINKS"
  | "INVALID_FILENAME"
  | "ARGUMENT_LIST_TOO_LONG"
  | "INTERRUPTED"
  | "UNSUPPORTED"
  | "UNEXPECTED_EOF"
  | "OUT_OF_MEMORY"
  | "OTHER";

/**
 * An I/O operation failed. `code` and `kind` are the same stable {@link IoErrorKind}; a failure
 * of a host stream (a Node or Web stream behind a bridge) keeps the host's error as `cause`.
 *
 * @example
 * ```ts
 * try {
 *   yield* readExact(stream, new Uint8Array(4));
 * } catch (e) {
 *   if (e instanceof IoError && e.code === "UNEXPECTED_EOF") console.log("peer hung up early");
 * }
 * ```
 */
export class IoError extends TokioError {
  /** `"IoError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "IoError";
  }

  override set name(value: string) {
    super.name = value;
  }

  declare readonly code: IoErrorKind;

  constructor(kind: IoErrorKind, message: string, options?: { cause?: unknown }) {
    super(kind, message, options);
  }

  /** The same as `code`: Tokio's `ErrorKind`. */
  get kind(): IoErrorKind {
    return this.code;
  }
}

/** The kind each operating-system error code means (Rust's `decode_error_kind` for Unix). */
const OS_KINDS: ReadonlyMap<string, IoErrorKind> = new Map<string, IoErrorKind>([
  ["E2BIG", "ARGUMENT_LIST_TOO_LONG"],
  ["EACCES", "PERMISSION_DENIED"],
  ["EPERM", "PERMISSION_DENIED"],
  ["EADDRINUSE", "ADDR_IN_USE"],
  ["EADDRNOTAVAIL", "ADDR_NOT_AVAILABLE"],
  ["EAGAIN", "WOULD_BLOCK"],
  ["EWOULDBLOCK", "WOULD_BLOCK"],
  ["EBUSY", "RESOURCE_BUSY"],
  ["ECONNABORTED", "CONNECTION_ABORTED"],
  ["ECONNREFUSED", "CONNECTION_REFUSED"],
  ["ECONNRESET", "CONNECTION_RESET"],
  ["EDEADLK", "DEADLOCK"],
  ["EDQUOT", "QUOTA_EXCEEDED"],
  ["EEXIST", "ALREADY_EXISTS"],
  ["EFBIG", "FILE_TOO_LARGE"],
  ["EHOSTUNREACH", "HOST_UNREACHABLE"],
  ["EINTR", "INTERRUPTED"],
  ["EINVAL", "INVALID_INPUT"],
  ["EISDIR", "IS_A_DIRECTORY"],
  ["ELOOP", "FILESYSTEM_LOOP"],
  ["EMLINK", "TOO_MANY_LINKS"],
  ["ENAMETOOLONG", "INVALID_FILENAME"],
  ["ENETDOWN", "NETWORK_DOWN"],
  ["ENETUNREACH", "NETWORK_UNREACHABLE"],
  ["ENOENT", "NOT_FOUND"],
  ["ENOMEM", "OUT_OF_MEMORY"],
  ["ENOSPC", "STORAGE_FULL"],
  ["ENOSYS", "UNSUPPORTED"],
  ["ENOTCONN", "NOT_CONNECTED"],
  ["ENOTDIR", "NOT_A_DIRECTORY"],
  ["ENOTEMPTY", "DIRECTORY_NOT_EMPTY"],
  ["EPIPE", "BROKEN_PIPE"],
  ["EROFS", "READ_ONLY_FILESYSTEM"],
  ["ESPIPE", "NOT_SEEKABLE"],
  ["ESTALE", "STALE_NETWORK_FILE_HANDLE"],
  ["ETIMEDOUT", "TIMED_OUT"],
  ["ETXTBSY", "EXECUTABLE_FILE_BUSY"],
  ["EXDEV", "CROSSES_DEVICES"],
]);

/**
 * The {@link IoErrorKind} of any error, as Tokio's `io::Error::kind()`: an {@link IoError}'s own
 * kind; for Node's system errors (the socket errors of `@tokio-ts/net`: `connect ECONNREFUSED`,
 * `read ECONNRESET`, …, and the `EWOULDBLOCK` of a `try*` call) the kind of their `code`;
 * `"TIMED_OUT"` for a `TimeoutError` (the reason of `AbortSignal.timeout(ms)`); `"UNSUPPORTED"`
 * for the `UnsupportedError` of `@tokio-ts/net` (code `ERR_UNSUPPORTED`); for `node:zlib`'s
 * errors, `"UNEXPECTED_EOF"` (`Z_BUF_ERROR`: the data was cut short) and `"INVALID_DATA"`
 * (`Z_DATA_ERROR`); `"OTHER"` for anything else, non-errors included.
 *
 * @example
 * ```ts
 * try {
 *   stream = yield* TcpStream.connect(addr);
 * } catch (e) {
 *   if (errorKind(e) === "CONNECTION_REFUSED") yield* sleep(backoff);
 *   else throw e;
 * }
 * ```
 */
export function errorKind(error: unknown): IoErrorKind {
  if (error instanceof IoError) return error.kind;
  if (typeof error !== "object" || error === null) return "OTHER";
  const code = (error as { code?: unknown }).code;
  const kind = typeof code === "string" ? OS_KINDS.get(code) : undefined;
  if (kind !== undefined) return kind;
  // `@tokio-ts/net`'s UnsupportedError: an option the platform cannot honour (Rust's Unsupported).
  if (code === "ERR_UNSUPPORTED") return "UNSUPPORTED";
  // zlib's streams: compressed data cut short, or not valid (what Rust's flate2 and
  // async-compression report as UnexpectedEof and InvalidData).
  if (code === "Z_BUF_ERROR") return "UNEXPECTED_EOF";
  if (code === "Z_DATA_ERROR") return "INVALID_DATA";
  // `AbortSignal.timeout(ms)`'s reason, and a socket's own timeout.
  return (error as { name?: unknown }).name === "TimeoutError" || code === "ERR_SOCKET_CONNECTION_TIMEOUT" ? "TIMED_OUT" : "OTHER";
}

/** @internal "early eof" (Tokio's wording for `read_exact`). */
export function unexpectedEof(): IoError {
  return new IoError("UNEXPECTED_EOF", "early eof");
}

/** @internal A write to a pipe or stream whose reader is gone. */
export function brokenPipe(what: string): IoError {
  return new IoError("BROKEN_PIPE", `broken pipe: ${what}`);
}

/** @internal A writer took 0 bytes of a non-empty buffer (Tokio's `WriteZero`). */
export function writeZero(): IoError {
  return new IoError("WRITE_ZERO", "write zero byte into writer");
}

/**
 * @internal Wrap a host stream's error (kept as `cause`), unless it is already an IoError. A
 * Node stream closed before its end (`ERR_STREAM_PREMATURE_CLOSE`) is `prematureKind`:
 * UNEXPECTED_EOF for a reader, BROKEN_PIPE for a writer; an OS error code gives its kind
 * (`EPIPE` is BROKEN_PIPE, `ENOENT` NOT_FOUND, …).
 */
export function hostError(what: string, cause: unknown, prematureKind: IoErrorKind = "OTHER"): unknown {
  if (cause instanceof IoError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === "ERR_STREAM_PREMATURE_CLOSE") {
    return new IoError(prematureKind, `${what} was closed before its end (${detail})`, { cause });
  }
  if (code === "EPIPE") return new IoError("BROKEN_PIPE", `broken pipe: ${what} failed: ${detail}`, { cause });
  return new IoError(errorKind(cause), `${what} failed: ${detail}`, { cause });
}
