/**
 * The base error classes of tokio-ts and the context errors every package shares.
 *
 * Conditions a caller may catch are classes with a stable `name` and `code`; bad arguments are
 * plain `TypeError`/`RangeError`. Messages that come from misuse say how to fix it.
 */

/**
 * The base class of every tokio-ts error. `code` is stable across versions; match on it (or on
 * the subclass) rather than on the message.
 *
 * @example
 * ```ts
 * try { spawn(work) } catch (e) { if (e instanceof TokioError && e.code === "ERR_NO_RUNTIME") … }
 * ```
 */
export class TokioError extends Error {
  /** A stable machine-readable code, e.g. `"ERR_NO_RUNTIME"`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /**
   * The class's name: `"TokioError"`, `"JoinError"`, `"Elapsed"`, …. Each class of tokio-ts
   * writes its name out in a `name` getter of its own, so that a minifier renaming classes does
   * not change it, and a subclass of one inherits it, as with the built-in errors; a subclass of
   * `TokioError` itself is named after its constructor unless it sets `name`. Assignable, as
   * `Error.prototype.name` is: assigning gives the error an own `name`.
   *
   * Why getters rather than a `name` on each prototype (what the built-in errors have): setting
   * that takes a statement in a `static` block, and a bundler keeps every class with one, used
   * or not. With getters, an app bundles only the error classes it can reach.
   */
  override get name(): string {
    return this.constructor === TokioError ? "TokioError" : this.constructor.name;
  }

  override set name(value: string) {
    Object.defineProperty(this, "name", { value, writable: true, configurable: true });
  }
}

/**
 * The codes of {@link ContextError}.
 *
 * @example
 * ```ts
 * try { sleep(10) } catch (e) {
 *   if (e instanceof ContextError && e.code === "ERR_DRIVER_DISABLED") console.log(e.message);
 * }
 * ```
 */
export type ContextErrorCode = "ERR_NO_RUNTIME" | "ERR_DRIVER_DISABLED" | "ERR_RUNTIME_SHUTDOWN";

/**
 * Something that needs a runtime (or one of its drivers) was used where there is none.
 *
 * @example
 * ```ts
 * spawn(work); // outside a runtime: ContextError "no runtime is running: call this inside main() or Runtime.blockOn()"
 * ```
 */
export class ContextError extends TokioError {
  /** `"ContextError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "ContextError";
  }

  override set name(value: string) {
    super.name = value;
  }

  declare readonly code: ContextErrorCode;

  constructor(code: ContextErrorCode, message: string) {
    super(code, message);
  }

  /** "no runtime is running: call this inside main() or Runtime.blockOn()", naming the caller. */
  static noRuntime(what: string): ContextError {
    return new ContextError(
      "ERR_NO_RUNTIME",
      `${what} needs a runtime, but no runtime is running: call this inside main() or Runtime.blockOn()`,
    );
  }

  /** "`<feature>` are disabled: build the runtime with `<call>`". */
  static disabled(feature: string, enableCall: string): ContextError {
    return new ContextError("ERR_DRIVER_DISABLED", `${feature} are disabled: build the runtime with ${enableCall}`);
  }

  /** The runtime was shut down. */
  static shutdown(what: string): ContextError {
    return new ContextError("ERR_RUNTIME_SHUTDOWN", `${what}: the runtime has been shut down`);
  }
}

const DROPPED_MESSAGE = "cancelled: the future was dropped before it completed (it lost a select or a timeout, or its task was aborted)";

/**
 * The error an aborted async-function task sees at its next await of a tokio-ts future (and the
 * reason of its `AbortSignal`): "task 7 was cancelled", `code` `"ERR_CANCELLED"`. An async
 * future dropped outside a task's abort (the loser of a `select`, a `timeout` that fired) gives
 * its function the same error without a task id, saying the future was dropped.
 *
 * @example
 * ```ts
 * spawn(async () => {
 *   try { await rx.recv() } catch (e) { if (e instanceof CancelledError) … }
 * });
 * ```
 */
export class CancelledError extends TokioError {
  /** `"CancelledError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "CancelledError";
  }

  override set name(value: string) {
    super.name = value;
  }

  /** The id of the cancelled task, when known. */
  readonly taskId: number | undefined;

  constructor(taskId?: number) {
    super("ERR_CANCELLED", taskId === undefined ? DROPPED_MESSAGE : `task ${taskId} was cancelled`);
    this.taskId = taskId;
  }
}

/**
 * Whether `error` is a cancellation as an async body sees it: the {@link CancelledError} its
 * awaits and its `AbortSignal` got, or an `AbortError` that carries one as `cause` — what Node's
 * own APIs reject with when given the signal (`timers/promises`, `events.once`, `fs`, streams).
 * An error of another name that merely wraps it is not one.
 *
 * @example
 * ```ts
 * try { await delay(1000, undefined, { signal }) } catch (e) { if (!isCancellation(e)) throw e }
 * ```
 */
export function isCancellation(error: unknown): boolean {
  let e = error;
  for (let depth = 0; depth < 4; depth++) {
    if (e instanceof CancelledError) return true;
    if (typeof e !== "object" || e === null || (e as { name?: unknown }).name !== "AbortError") return false;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
