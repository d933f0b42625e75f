/**
 * The errors of the blocking pool. A job's own exception is not wrapped: it is the `cause` of
 * the task's panicked `JoinError`, rebuilt with its name, message and stack. Bad arguments are
 * plain TypeError/RangeError at the call.
 */
import { TokioError } from "@tokio-ts/core";
import { nestedTransferMessage } from "./transfer.js";

/**
 * The worker running a job exited before the job finished: the job called `process.exit`,
 * ran out of memory (`resourceLimits`), or crashed the thread some other way. Only that job
 * fails (this error is the `cause` of its panicked JoinError); the pool replaces the worker and
 * the jobs queued behind it run on another one.
 *
 * Also the error of jobs whose worker **could not start** — it exited before it ran any job:
 * its script could not be loaded (an app bundled without the worker's file), or it ran out of
 * memory while starting (`threadResourceLimits` too small). The message says so and names the
 * worker script; `cause` is the worker's error (its `code` is `"ERR_WORKER_OUT_OF_MEMORY"`,
 * `"MODULE_NOT_FOUND"`, …). Unless another worker of the pool works (then they run there), the
 * jobs that were waiting for a worker fail with it, rather than the pool restarting workers in a
 * loop; a later job tries again (see the README, Errors).
 *
 * @example
 * ```ts
 * try { await spawnBlocking(() => process.exit(3)) } catch (e) {
 *   const cause = (e as JoinError).cause as WorkerExitError; // cause.exitCode === 3
 * }
 * ```
 */
export class WorkerExitError extends TokioError {
  /** `"WorkerExitError"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "WorkerExitError";
  }

  override set name(value: string) {
    super.name = value;
  }

  declare readonly code: "ERR_BLOCKING_WORKER_EXITED";
  /** The worker's exit code. */
  readonly exitCode: number;

  /**
   * @hidden `notStarted`: the worker exited before it ran any job; `script` is its program.
   * `"argumentsLost"`: it exited before it took this job, whose arguments had gone to it on the
   * job's own channel (transferred or shared values) and cannot be sent to another worker.
   */
  constructor(exitCode: number, reason: unknown, notStarted?: { readonly script: string } | "argumentsLost") {
    const detail = reason instanceof Error ? `: ${reason.message}` : "";
    super(
      "ERR_BLOCKING_WORKER_EXITED",
      notStarted === undefined
        ? `the worker thread running this blocking job exited with code ${exitCode} before the job finished${detail}`
        : notStarted === "argumentsLost"
          ? `the worker thread this blocking job was given to exited with code ${exitCode} before it started the job, and the job's ` +
            "arguments went with it (transferred or shared values travel to one worker and cannot be sent again)" +
            detail
          : `a worker thread for this blocking job could not start: it exited with code ${exitCode} before it ran any job ` +
            `(worker script ${notStarted.script})${detail}`,
      reason === undefined ? undefined : { cause: reason },
    );
    this.exitCode = exitCode;
  }
}

/** @internal The messages of misuse, in one place. */
export const messages = {
  notSendable: (what: string, error: unknown) =>
    `spawnBlocking: ${what} cannot be sent to a worker (arguments are structured-cloned): ${(error as Error)?.message ?? String(error)}`,
  /** A transfer() inside an argument or a result (defined in transfer.ts, which the workers load). */
  nestedTransfer: nestedTransferMessage,
  badSpec: (got: string) =>
    `spawnBlocking: the job must be a function or { module: URL | string, export: string }, got ${got}`,
  noSource: () =>
    "spawnBlocking: the job function has no source code (a native or bound function); pass a self-contained function or use the module form",
  generator: () => "spawnBlocking: the job cannot be a generator function; return a value (or a promise) instead",
  classConstructor: (name: string) =>
    `spawnBlocking: fn must be a function to call, got class ${name || "(anonymous)"}: a class constructor cannot be called without new; ` +
    "declare and construct the class inside the job function, or use the module form",
  badModule: (module: string) =>
    `spawnBlocking: module ${JSON.stringify(module)} must be a URL, a URL string (file:, data:, node:) or an absolute path; ` +
    `for a file next to your code use new URL("./file.js", import.meta.url), for a package import.meta.resolve("pkg")`,
  missingModule: (url: string) => `spawnBlocking: module ${url} does not exist`,
  badExport: (got: string) => `spawnBlocking: export must be a non-empty string naming the module's function, got ${got}`,
  badOptions: (got: string) => `spawnBlocking.with: options must be an object like { terminateOnAbort: true }, got ${got}`,
  unknownOption: (key: string) => `spawnBlocking.with: unknown option ${JSON.stringify(key)} (known: terminateOnAbort, signal)`,
  badSignal: (got: string) => `spawnBlocking.with: signal must be an AbortSignal, got ${got}`,
  badTerminate: (got: string) => `spawnBlocking.with: terminateOnAbort must be a boolean, got ${got}`,
  shutdown: () => "spawnBlocking()",
  badHandle: (got: string) =>
    `blockingMetrics: handle must be a runtime Handle (rt.handle() or Handle.current()) or undefined for the current runtime, got ${got}`,
} as const;
