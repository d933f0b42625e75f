/**
 * The runtime's errors: {@link JoinError} for a task that did not produce its output, and the
 * messages of builder and context misuse.
 */
import { TokioError } from "@tokio-ts/core";

/**
 * How a task failed to produce its output.
 *
 * @example
 * ```ts
 * try { await handle } catch (e) {
 *   if (e instanceof JoinError && e.kind === "cancelled") console.log("aborted");
 * }
 * ```
 */
export type JoinErrorKind = "cancelled" | "panic";

/**
 * The error a {@link JoinHandle} rejects with: the task was cancelled (aborted, or its runtime
 * shut down) or it panicked (its body threw; the thrown value is `cause`).
 *
 * @example
 * ```ts
 * try { await handle } catch (e) {
 *   if (e instanceof JoinError && e.isCancelled()) console.log(`task ${e.id} was aborted`);
 * }
 * ```
 */
export class JoinError extends TokioError {
  /** `"cancelled"` or `"panic"`. */
  readonly kind: JoinErrorKind;
  /** The id of the task. */
  readonly id: number;

  private constructor(kind: JoinErrorKind, id: number, message: string, cause?: unknown) {
    super(kind === "cancelled" ? "ERR_TASK_CANCELLED" : "ERR_TASK_PANICKED", message, kind === "panic" ? { cause } : undefined);
    this.kind = kind;
    this.id = id;
  }

  /** "task 7 was cancelled". */
  static cancelled(id: number): JoinError {
    return new JoinError("cancelled", id, `task ${id} was cancelled`);
  }

  /** "task 7 panicked with message …", keeping the thrown value as `cause`. */
  static panic(id: number, cause: unknown): JoinError {
    return new JoinError("panic", id, `task ${id} panicked with message ${JSON.stringify(describe(cause))}`, cause);
  }

  /** Whether the task was cancelled. */
  isCancelled(): boolean {
    return this.kind === "cancelled";
  }

  /** Whether the task's body threw. */
  isPanic(): boolean {
    return this.kind === "panic";
  }

  /** The value the task threw. **Throws** the JoinError itself if the task was cancelled. */
  intoPanic(): unknown {
    if (this.kind !== "panic") throw this;
    return this.cause;
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** RangeError for a builder setting that must be a positive integer. */
export function positiveInteger(name: string, value: unknown): RangeError | TypeError | undefined {
  if (typeof value !== "number") return new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value <= 0) return new RangeError(`${name} must be greater than 0, got ${value}`);
  return undefined;
}
