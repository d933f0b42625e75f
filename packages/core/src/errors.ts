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
   * writes its name out on its prototype, as the built-in errors do, so that a minifier renaming
   * classes does not change it; a subclass of your own is named after its constructor unless it
   * sets `name`. Assignable, as `Error.prototype.name` is.
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
  // The name, written out (see TokioError.name).
  static {
    Object.defineProperty(this.prototype, "name", { value: "ContextError", writable: true, configurable: true });
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

/**
 * The error an aborted async-function task sees at its next await of a tokio-ts future (and the
 * reason of its `AbortSignal`): "task 7 was cancelled", `code` `"ERR_CANCELLED"`.
 *
 * @example
 * ```ts
 * spawn(async () => {
 *   try { await rx.recv() } catch (e) { if (e instanceof CancelledError) … }
 * });
 * ```
 */
export class CancelledError extends TokioError {
  static {
    Object.defineProperty(this.prototype, "name", { value: "CancelledError", writable: true, configurable: true });
  }

  /** The id of the cancelled task, when known. */
  readonly taskId: number | undefined;

  constructor(taskId?: number) {
    super("ERR_CANCELLED", taskId === undefined ? "the task was cancelled" : `task ${taskId} was cancelled`);
    this.taskId = taskId;
  }
}
