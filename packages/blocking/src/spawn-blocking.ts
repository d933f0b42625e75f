/**
 * `spawnBlocking`: run a synchronous function on the runtime's pool of worker threads.
 *
 * HOW. The call checks the job, fixes its arguments (structured clone, now), queues it on the
 * runtime's blocking pool (internal/pool.ts) and spawns an ordinary task whose future is the
 * job: the task completes when the worker's result arrives. So the handle is the same
 * `JoinHandle` that `spawn` returns, and abort is a task abort — which drops the job's future,
 * and the pool removes a queued job, or leaves a running one to finish (or terminates its
 * worker, with `terminateOnAbort`).
 */
import { currentDriverHost, Future, Pending, type Context, type Poll } from "@tokio-ts/core";
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import type { MessagePort } from "node:worker_threads";
import { BLOCKING } from "./driver.js";
import { messages } from "./errors.js";

/**
 * A job in a module: `{ module, export }` — the form for real code (the module can import what
 * it needs; it is loaded once per worker).
 *
 * @example
 * ```ts
 * const job: ModuleJob = { module: new URL("./jobs.js", import.meta.url), export: "sha256" };
 * const digest = yield* spawnBlocking<string>(job, "abc");
 * ```
 */
export interface ModuleJob {
  /** The module: a `URL`, a URL string (`file:`, `data:`, `node:`) or an absolute file path. */
  readonly module: URL | string;
  /** The name of the exported function to call. */
  readonly export: string;
}

/**
 * Options of `spawnBlocking.with`.
 *
 * @example
 * ```ts
 * const options: JobOptions = { terminateOnAbort: true };
 * const h = spawnBlocking.with(options, (n: number) => n * 2, 21);
 * ```
 */
export interface JobOptions {
  /**
   * On abort of a job that is already running, terminate its worker (the pool starts another)
   * instead of letting it run to completion. Default false.
   */
  readonly terminateOnAbort?: boolean | undefined;
  /**
   * Abort the job when this signal aborts, as `handle.abort()` does (with `terminateOnAbort`, a
   * running job's worker is terminated); a signal already aborted means the job never runs.
   * The listener is removed when the job ends. The handle then fails with a cancelled
   * `JoinError`, as after `abort()`, which carries no reason (Tokio's abort has none): read
   * `signal.reason` to tell a timeout (`AbortSignal.timeout`) from another abort. (piscina
   * rejects with an AbortError whose cause is the reason.)
   */
  readonly signal?: AbortSignal | undefined;
}

type AnyFunction = (...args: never[]) => unknown;

/** What a structured clone (or a transfer) gives back as the same kind of object. */
type Cloneable =
  | ArrayBufferView
  | ArrayBuffer
  | SharedArrayBuffer
  | Date
  | RegExp
  | Error
  | Blob
  | MessagePort
  | ReadableStream
  | WritableStream
  | TransformStream;

/**
 * What a value of type `T` is once structured-cloned to or from a worker, as a job's arguments
 * and result are: a `Buffer` becomes a `Uint8Array`; a class instance becomes a plain object of
 * its own data properties (its methods stay behind); a function or a symbol cannot cross
 * (`never`: the call throws); numbers, strings, plain objects, arrays, Maps, Sets, typed
 * arrays, Dates, RegExps, Errors, Blobs and what `transfer` moves (MessagePorts, streams) keep
 * their type. `spawnBlocking`'s function form types its result with it. (A job's parameters are
 * typed as declared: one declared a `Buffer` receives a `Uint8Array` all the same.)
 *
 * @example
 * ```ts
 * const h = spawnBlocking(() => Buffer.from("hi")); // JoinHandle<Uint8Array>
 * spawnBlocking((b: Uint8Array) => b.length, Buffer.from("hi")); // declare what arrives: a Uint8Array
 * ```
 */
export type Cloned<T> = 0 extends 1 & T
  ? T
  : unknown extends T
    ? T
    : T extends string | number | boolean | bigint | null | undefined | void
      ? T
      : T extends symbol | AnyFunction
        ? never
        : T extends Buffer
          ? Uint8Array
          : T extends Cloneable
            ? T
            : T extends Map<infer K, infer V>
              ? Map<Cloned<K>, Cloned<V>>
              : T extends Set<infer V>
                ? Set<Cloned<V>>
                : T extends readonly unknown[]
                  ? { -readonly [K in keyof T]: Cloned<T[K]> }
                  : { -readonly [K in keyof T as T[K] extends AnyFunction ? never : K]: Cloned<T[K]> };

/**
 * The type of {@link spawnBlocking}: the call (function or module form), and
 * `.with(options, …)`.
 *
 * @example
 * ```ts
 * const run: SpawnBlocking = spawnBlocking;
 * const h = run((s: string) => s.length, "four");
 * ```
 */
export interface SpawnBlocking {
  /**
   * Run `fn(...args)` on a worker thread of the current runtime's blocking pool (Tokio's
   * `spawn_blocking`); the handle resolves with its return value (a returned promise is
   * awaited on the worker).
   *
   * **The closure rule**: `fn` travels as its source code and is compiled again on the worker,
   * so it must be self-contained: it can use its parameters, the worker's globals (`Math`,
   * `Buffer`, `require` is not one — use the module form) and what it declares itself, but not
   * variables of the surrounding code. Pass values as arguments. A job that touches an outer
   * variable fails with a ReferenceError that says so. Functions are compiled once per worker.
   *
   * Arguments and the result are structured-cloned (numbers, strings, plain objects, arrays,
   * Maps, typed arrays, Errors…; not functions or class instances' prototypes), as
   * `postMessage` does: a `Buffer` arrives as a plain `Uint8Array`, both ways. The handle
   * carries the clone's type ({@link Cloned}); declare a job's parameters as what arrives (a
   * `Uint8Array`, a class instance's data without its methods). Wrap a value in
   * {@link transfer} to move its ArrayBuffers instead of copying them.
   *
   * **The worker's process**: a job sees its worker's `process.argv` (`[execPath, …/worker.js]`,
   * not your program's arguments) and a copy of `process.env` taken when that worker started —
   * unlike Rust, where `std::env` in a `spawn_blocking` closure is process-wide. A variable set
   * on the main thread later is not seen, and one a job sets stays on its worker (later jobs
   * there see it). Pass what the job needs as an argument.
   *
   * @example
   * ```ts
   * const rt = Builder.newCurrentThread().build();
   * const n = await rt.blockOn(function* () {
   *   return yield* spawnBlocking((a: number, b: number) => a * b, 6, 7);
   * }); // 42
   * ```
   *
   * **Cancel safety**: awaiting the handle is cancel safe (the job goes on). Aborting the
   * handle removes a job that has not started; a running job runs to completion and its
   * result is dropped (see `.with({ terminateOnAbort: true }, …)` to stop it). Unlike Tokio,
   * where aborting a running blocking task has no effect and its handle still yields the
   * result, the handle fails at once with a cancelled JoinError: an abort always ends the task.
   *
   * **Throws**: ContextError outside a runtime; TypeError for a job that is not a function
   * with source code, or is a class constructor, or an argument that cannot be cloned. The
   * handle rejects with a panicked JoinError whose `cause` is what the job threw (name, message
   * and stack kept), or a {@link WorkerExitError} if its worker died.
   */
  <A extends unknown[], R>(fn: (...args: A) => R, ...args: A): JoinHandle<Cloned<Awaited<R>>>;
  /**
   * Run the function exported as `spec.export` by the module `spec.module` on a worker: the
   * form for real code, because the module can import what it needs. The module is imported
   * once per worker. `module` is a `URL` (`new URL("./jobs.js", import.meta.url)`), a URL
   * string, or an absolute path.
   *
   * @example
   * ```ts
   * const hash = yield* spawnBlocking({ module: new URL("./jobs.js", import.meta.url), export: "sha256" }, data);
   * ```
   *
   * **Throws**: TypeError for a relative or bare module specifier, a `file:` module that does
   * not exist, or an empty export name; a missing export rejects the handle (the module is
   * only loaded on the worker).
   */
  <R = unknown>(spec: ModuleJob, ...args: unknown[]): JoinHandle<R>;

  /**
   * {@link spawnBlocking} with options; the options come first, so they can never be taken for
   * an argument.
   *
   * @example
   * ```ts
   * const h = spawnBlocking.with({ terminateOnAbort: true }, (ms: number) => { const end = Date.now() + ms; while (Date.now() < end); }, 60_000);
   * h.abort(); // the worker is terminated; the pool starts another when needed
   * ```
   *
   * **Cancel safety**: awaiting the handle is cancel safe. Aborting it removes a job that has
   * not started; with `terminateOnAbort` a running job's worker is terminated (the job stops
   * wherever it was: it must not hold state that outlives it, such as a half-written file).
   *
   * **Throws**: TypeError for options that are not `{ terminateOnAbort?: boolean, signal?:
   * AbortSignal }`; else as spawnBlocking.
   */
  with<A extends unknown[], R>(options: JobOptions, fn: (...args: A) => R, ...args: A): JoinHandle<Cloned<Awaited<R>>>;
  with<R = unknown>(options: JobOptions, spec: ModuleJob, ...args: unknown[]): JoinHandle<R>;
}

function submit(spec: unknown, args: unknown[], terminateOnAbort: boolean, signal?: AbortSignal): JoinHandle<unknown> {
  const pool = currentDriverHost("spawnBlocking()").driver(BLOCKING);
  const job = pool.submit(spec, args, terminateOnAbort);
  if (signal === undefined) return spawn(job);
  let handle: JoinHandle<unknown> | undefined = undefined;
  const signalled = new Signalled(job, signal, () => handle?.abort());
  handle = spawn(signalled);
  // Aborted already: the job is taken out of the queue now (the abort tells it at once), before
  // the pool could give it to a worker.
  if (signal.aborted) handle.abort();
  // Not for a task that is over already (spawned while its runtime shuts down): nothing would
  // remove the listener.
  else if (!handle.isFinished()) signalled.listen();
  return handle;
}

/**
 * The method by which the runtime tells a task's body future at once that the task was aborted
 * (a `Symbol.for` key of `@tokio-ts/runtime`): a job still queued leaves the queue then, not at
 * the task's next poll, by which time a worker could have started it (Tokio checks a blocking
 * task's cancellation when a thread picks it up).
 */
const ABORT_REQUESTED = Symbol.for("tokio-ts.task.abort-requested");

/**
 * A job tied to an AbortSignal: from the call until it completes or is dropped, the signal's
 * abort aborts its task. The listener goes with the job, so a signal that outlives many jobs
 * collects no listeners.
 */
class Signalled<T> extends Future<T> {
  #listening = false;

  constructor(
    private readonly job: Future<T>,
    private readonly signal: AbortSignal,
    private readonly abortTask: () => void,
  ) {
    super();
  }

  /** Start listening (at the call, once the task exists). */
  listen(): void {
    this.#listening = true;
    listen(this.signal, this.abortTask);
  }

  [ABORT_REQUESTED](): void {
    (this.job as { [ABORT_REQUESTED]?: () => void })[ABORT_REQUESTED]?.();
  }

  override poll(cx: Context): Poll<T> {
    let out: Poll<T>;
    try {
      out = this.job.poll(cx);
    } catch (error) {
      this.#stopListening();
      throw error;
    }
    if (out !== Pending) this.#stopListening();
    return out;
  }

  override cancel(): void {
    this.#stopListening();
    this.job.cancel();
  }

  #stopListening(): void {
    if (!this.#listening) return;
    this.#listening = false;
    unlisten(this.signal, this.abortTask);
  }
}

/**
 * The jobs waiting on each signal, behind one listener per signal: a signal shared by many
 * jobs in flight would otherwise collect one listener each, and Node warns of a leak
 * (MaxListenersExceededWarning) past 10.
 */
const listeners = new WeakMap<AbortSignal, { readonly jobs: Set<() => void>; readonly listener: () => void }>();

function listen(signal: AbortSignal, abortTask: () => void): void {
  let entry = listeners.get(signal);
  if (entry === undefined) {
    const jobs = new Set<() => void>();
    const listener = (): void => {
      listeners.delete(signal);
      for (const abort of jobs) abort();
    };
    entry = { jobs, listener };
    listeners.set(signal, entry);
    signal.addEventListener("abort", listener, { once: true });
  }
  entry.jobs.add(abortTask);
}

function unlisten(signal: AbortSignal, abortTask: () => void): void {
  const entry = listeners.get(signal);
  if (entry === undefined || !entry.jobs.delete(abortTask) || entry.jobs.size !== 0) return;
  listeners.delete(signal);
  signal.removeEventListener("abort", entry.listener);
}

function checkOptions(options: unknown): JobOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options) || typeof (options as { then?: unknown }).then === "function") {
    const got = options === null ? "null" : Array.isArray(options) ? "an array" : typeof options === "object" ? "a promise (await it first)" : typeof options;
    throw new TypeError(messages.badOptions(got));
  }
  for (const key of Object.keys(options)) {
    if (key !== "terminateOnAbort" && key !== "signal") throw new TypeError(messages.unknownOption(key));
  }
  const { terminateOnAbort, signal } = options as JobOptions;
  if (terminateOnAbort !== undefined && typeof terminateOnAbort !== "boolean") throw new TypeError(messages.badTerminate(typeof terminateOnAbort));
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(messages.badSignal(signal === null ? "null" : typeof signal));
  }
  return options as JobOptions;
}

/**
 * Run synchronous work on a worker thread; see {@link SpawnBlocking} for the two forms, the
 * closure rule, the worker's `process.argv`/`process.env` (not the main thread's: pass values as
 * arguments) and the errors.
 *
 * @example
 * ```ts
 * const h = spawnBlocking((n: number) => { let s = 0; for (let i = 0; i < n; i++) s += i; return s }, 1e6);
 * const sum = await h;
 * ```
 */
export const spawnBlocking: SpawnBlocking = Object.assign(
  function spawnBlocking(spec: unknown, ...args: unknown[]): JoinHandle<unknown> {
    return submit(spec, args, false);
  },
  {
    with(options: JobOptions, spec: unknown, ...args: unknown[]): JoinHandle<unknown> {
      const { terminateOnAbort, signal } = checkOptions(options);
      return submit(spec, args, terminateOnAbort === true, signal);
    },
  },
) as SpawnBlocking;
