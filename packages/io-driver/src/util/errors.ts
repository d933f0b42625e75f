/**
 * The error of the io utilities: Tokio's `io::Error` with its `ErrorKind`, as one class whose
 * `code` (and `kind`) says what went wrong. Bad arguments are plain `TypeError`/`RangeError`
 * thrown at the call, not IoErrors.
 */
import { TokioError } from "@tokio-ts/core";

/**
 * The kinds of {@link IoError} raised by the utilities (Tokio's `io::ErrorKind` names):
 * - `"UNEXPECTED_EOF"`: the stream ended before the operation could finish (`readExact`, a
 *   Node stream destroyed before its end);
 * - `"BROKEN_PIPE"`: the reading side is gone (a write to a closed `duplex` or bridge, or a
 *   host stream failing with `EPIPE`: stdout piped into `head`, which exited);
 * - `"INVALID_DATA"`: the bytes are not what was asked for (invalid UTF-8 in `readToString`);
 * - `"WRITE_ZERO"`: a writer accepted 0 bytes of a non-empty buffer (`writeAll`, `copy`);
 * - `"OTHER"`: the host stream failed; the host's error is the `cause`.
 *
 * @example
 * ```ts
 * const kind: IoErrorKind = "UNEXPECTED_EOF";
 * if (e instanceof IoError && e.kind === kind) retry();
 * ```
 */
export type IoErrorKind = "UNEXPECTED_EOF" | "BROKEN_PIPE" | "INVALID_DATA" | "WRITE_ZERO" | "OTHER";

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
 * UNEXPECTED_EOF for a reader, BROKEN_PIPE for a writer; `EPIPE` is BROKEN_PIPE.
 */
export function hostError(what: string, cause: unknown, prematureKind: IoErrorKind = "OTHER"): unknown {
  if (cause instanceof IoError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === "ERR_STREAM_PREMATURE_CLOSE") {
    return new IoError(prematureKind, `${what} was closed before its end (${detail})`, { cause });
  }
  if (code === "EPIPE") return new IoError("BROKEN_PIPE", `broken pipe: ${what} failed: ${detail}`, { cause });
  return new IoError("OTHER", `${what} failed: ${detail}`, { cause });
}
