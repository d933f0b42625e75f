/**
 * The errors of `@tokio-ts/sync`, with Tokio's wording. Conditions a caller handles are classes
 * with a stable `name`, `code` and (where there are several) `kind`; errors that hand a value
 * back (a send to a closed channel) carry it as `value`, so nothing is lost.
 *
 * The errors of the `try*` methods (TrySendError, TryRecvError, TryAcquireError, TryLockError)
 * are values in a `Result`, not exceptions, as Tokio's are plain enums: they are made without a
 * stack trace. Capturing one cost about 0.7 KB and most of the time of a failed `tryRecv()`,
 * which a loop that drains a channel pays once per drain. (Thrown, such an error has no frames.)
 */
import { TokioError } from "@tokio-ts/core";

/**
 * A send failed because every receiver is gone ("channel closed", `code` `"ERR_CHANNEL_CLOSED"`);
 * `value` is the message, given back.
 *
 * @example
 * ```ts
 * try { yield* tx.send(msg) } catch (e) { if (e instanceof SendError) retry(e.value) }
 * ```
 */
export class SendError<T> extends TokioError {
  /** `"SendError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "SendError";
  }

  override set name(value: string) {
    super.name = value;
  }

  constructor(readonly value: T) {
    super("ERR_CHANNEL_CLOSED", "channel closed");
  }
}

/**
 * Why a `trySend` failed: `"full"` (no capacity now: "no available capacity", `code`
 * `"ERR_CHANNEL_FULL"`) or `"closed"` ("channel closed", `"ERR_CHANNEL_CLOSED"`); `value` is
 * given back.
 *
 * @example
 * ```ts
 * const r = tx.trySend(msg);
 * if (!r.ok && r.error.kind === "full") later(r.error.value);
 * ```
 */
export class TrySendError<T> extends TokioError {
  /** `"TrySendError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "TrySendError";
  }

  override set name(value: string) {
    super.name = value;
  }

  constructor(
    readonly kind: "full" | "closed",
    readonly value: T,
  ) {
    // A value, not an exception: no stack trace (see the header).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(kind === "full" ? "ERR_CHANNEL_FULL" : "ERR_CHANNEL_CLOSED", kind === "full" ? "no available capacity" : "channel closed");
    Error.stackTraceLimit = limit;
  }
}

/**
 * Why a `sendTimeout` failed: `"timeout"` ("timed out waiting on send operation", `code`
 * `"ERR_TIMEOUT"`) or `"closed"` ("channel closed", `"ERR_CHANNEL_CLOSED"`); `value` is given
 * back.
 *
 * @example
 * ```ts
 * try { yield* tx.sendTimeout(msg, sleep(100)) } catch (e) {
 *   if (e instanceof SendTimeoutError && e.kind === "timeout") drop(e.value);
 * }
 * ```
 */
export class SendTimeoutError<T> extends TokioError {
  /** `"SendTimeoutError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "SendTimeoutError";
  }

  override set name(value: string) {
    super.name = value;
  }

  constructor(
    readonly kind: "timeout" | "closed",
    readonly value: T,
  ) {
    super(kind === "timeout" ? "ERR_TIMEOUT" : "ERR_CHANNEL_CLOSED", kind === "timeout" ? "timed out waiting on send operation" : "channel closed");
  }
}

/**
 * A receive failed: the channel is closed (`"closed"`, "channel closed", `code`
 * `"ERR_CHANNEL_CLOSED"`), or — broadcast only — the receiver fell behind and `lagged` messages
 * were overwritten (`"lagged"`, "channel lagged by 3", `"ERR_CHANNEL_LAGGED"`; the next receive
 * returns the oldest message still kept).
 *
 * @example
 * ```ts
 * try { yield* rx.recv() } catch (e) {
 *   if (e instanceof RecvError && e.kind === "lagged") console.log(`missed ${e.lagged}`);
 * }
 * ```
 */
export class RecvError extends TokioError {
  /** `"RecvError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "RecvError";
  }

  override set name(value: string) {
    super.name = value;
  }

  constructor(
    readonly kind: "closed" | "lagged",
    readonly lagged = 0,
  ) {
    super(kind === "closed" ? "ERR_CHANNEL_CLOSED" : "ERR_CHANNEL_LAGGED", kind === "closed" ? "channel closed" : `channel lagged by ${lagged}`);
  }
}

/**
 * Why a `tryRecv` found no message: `"empty"` (none now, senders alive; `code`
 * `"ERR_CHANNEL_EMPTY"`), `"disconnected"` (mpsc: closed and drained) or `"closed"` (oneshot,
 * broadcast), both `"ERR_CHANNEL_CLOSED"`, and `"lagged"` (broadcast: "channel lagged by 3",
 * `"ERR_CHANNEL_LAGGED"`). The messages are Tokio's for each channel: mpsc's "receiving on an
 * empty channel" / "receiving on a closed channel", oneshot's and broadcast's "channel empty" /
 * "channel closed".
 *
 * @example
 * ```ts
 * const r = rx.tryRecv();
 * if (!r.ok && r.error.kind === "empty") waitLater();
 * ```
 */
export class TryRecvError extends TokioError {
  /** `"TryRecvError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "TryRecvError";
  }

  override set name(value: string) {
    super.name = value;
  }

  /** `channel` picks the words of an `"empty"` error: mpsc's, or oneshot's and broadcast's. */
  constructor(
    readonly kind: "empty" | "disconnected" | "closed" | "lagged",
    readonly lagged = 0,
    channel: "mpsc" | "oneshot" | "broadcast" = kind === "disconnected" ? "mpsc" : "oneshot",
  ) {
    // A value, not an exception: no stack trace (see the header).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(
      kind === "empty" ? "ERR_CHANNEL_EMPTY" : kind === "lagged" ? "ERR_CHANNEL_LAGGED" : "ERR_CHANNEL_CLOSED",
      kind === "empty"
        ? channel === "mpsc"
          ? "receiving on an empty channel"
          : "channel empty"
        : kind === "lagged"
          ? `channel lagged by ${lagged}`
          : kind === "disconnected"
            ? "receiving on a closed channel"
            : "channel closed",
    );
    Error.stackTraceLimit = limit;
  }
}

/**
 * The semaphore was closed while (or before) acquiring ("semaphore closed", `code`
 * `"ERR_SEMAPHORE_CLOSED"`).
 *
 * @example
 * ```ts
 * sem.close();
 * try { await sem.acquire() } catch (e) { e instanceof AcquireError } // true
 * ```
 */
export class AcquireError extends TokioError {
  /** `"AcquireError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "AcquireError";
  }

  override set name(value: string) {
    super.name = value;
  }

  constructor() {
    super("ERR_SEMAPHORE_CLOSED", "semaphore closed");
  }
}

/**
 * Why a `tryAcquire` failed: `"closed"` ("semaphore closed", `code` `"ERR_SEMAPHORE_CLOSED"`) or
 * `"noPermits"` ("no permits available", `"ERR_NO_PERMITS"`).
 *
 * @example
 * ```ts
 * const r = sem.tryAcquire();
 * if (!r.ok && r.error.kind === "noPermits") queueForLater();
 * ```
 */
export class TryAcquireError extends TokioError {
  /** `"TryAcquireError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "TryAcquireError";
  }

  override set name(value: string) {
    super.name = value;
  }

  constructor(readonly kind: "closed" | "noPermits") {
    // A value, not an exception: no stack trace (see the header).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(kind === "closed" ? "ERR_SEMAPHORE_CLOSED" : "ERR_NO_PERMITS", kind === "closed" ? "semaphore closed" : "no permits available");
    Error.stackTraceLimit = limit;
  }
}

/**
 * A `tryLock`/`tryRead`/`tryWrite` would have had to wait ("operation would block", `code`
 * `"ERR_WOULD_BLOCK"`).
 *
 * @example
 * ```ts
 * const r = mutex.tryLock();
 * if (!r.ok) console.log(r.error.message); // "operation would block"
 * ```
 */
export class TryLockError extends TokioError {
  /** `"TryLockError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "TryLockError";
  }

  override set name(value: string) {
    super.name = value;
  }

  constructor() {
    // A value, not an exception: no stack trace (see the header).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super("ERR_WOULD_BLOCK", "operation would block");
    Error.stackTraceLimit = limit;
  }
}

/**
 * Why `OnceCell.set` failed: `"alreadyInitialized"` (`code` `"ERR_ALREADY_INITIALIZED"`) or
 * `"initializing"` (`"ERR_INITIALIZING"`); `value` is given back.
 *
 * @example
 * ```ts
 * const r = cell.set(2);
 * if (!r.ok) console.log(r.error.kind, r.error.value); // "alreadyInitialized" 2
 * ```
 */
export class SetError<T> extends TokioError {
  /** `"SetError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "SetError";
  }

  override set name(value: string) {
    super.name = value;
  }

  constructor(
    readonly kind: "alreadyInitialized" | "initializing",
    readonly value: T,
  ) {
    super(
      kind === "alreadyInitialized" ? "ERR_ALREADY_INITIALIZED" : "ERR_INITIALIZING",
      kind === "alreadyInitialized" ? "cell was already initialized" : "cell is currently being initialized",
    );
  }
}
