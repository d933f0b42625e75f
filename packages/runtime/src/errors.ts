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
 * shut down: "task 7 was cancelled", `code` `"ERR_TASK_CANCELLED"`) or it panicked (its body
 * threw: "task 7 panicked with message "boom"", `code` `"ERR_TASK_PANICKED"`; the thrown value
 * is `cause`, unchanged).
 *
 * @example
 * ```ts
 * try { await handle } catch (e) {
 *   if (e instanceof JoinError && e.isCancelled()) console.log(`task ${e.id} was aborted`);
 * }
 * ```
 */
export class JoinError extends TokioError {
  /** `"JoinError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "JoinError";
  }

  override set name(value: string) {
    super.name = value;
  }

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

  /**
   * "task 7 panicked with message "boom"" (an Error's message, a string, a number …), or "task 7
   * panicked" when the thrown value has no text of its own (a plain object, null, undefined), as
   * Tokio words a panic without a string payload. The thrown value is `cause`, unchanged.
   */
  static panic(id: number, cause: unknown): JoinError {
    const text = describe(cause);
    const message = text === undefined ? `task ${id} panicked` : `task ${id} panicked with message ${JSON.stringify(text)}`;
    return new JoinError("panic", id, message, cause);
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

/** The text of a thrown value, or undefined when it has none ("[object Object]", null). */
function describe(value: unknown): string | undefined {
  if (value instanceof Error) return value.message;
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return undefined;
  let text: string;
  try {
    text = String(value);
  } catch {
    return undefined;
  }
  return /^\[object [^\]]*\]$/.test(text) ? undefined : text;
}

/** RangeError for a builder setting that must be a positive integer. */
export function positiveInteger(name: string, value: unknown): RangeError | TypeError | undefined {
  if (typeof value !== "number") return new TypeError(`${name} must be a number, got ${typeof value}`);
  // Tokio's wording for zero and below; a fraction or NaN is told what is wrong with it.
  if (!Number.isInteger(value)) return new RangeError(`${name} must be a whole number greater than 0, got ${value}`);
  if (value <= 0) return new RangeError(`${name} must be greater than 0, got ${value}`);
  return undefined;
}
