/**
 * The runtime builder (Tokio's `runtime::Builder`).
 */
import { positiveInteger } from "./errors.js";
import type { JoinError } from "./errors.js";
import { Scheduler, type TaskMeta } from "./internal/scheduler.js";
import { Runtime } from "./runtime.js";

/**
 * What happens when a task throws: Tokio's `UnhandledPanic`.
 *
 * @example
 * ```ts
 * const behavior: UnhandledPanic = "shutdownRuntime";
 * const rt = Builder.newCurrentThread().unhandledPanic(behavior).build();
 * ```
 */
export type UnhandledPanic = "ignore" | "shutdownRuntime";

/**
 * What the `onThreadStart` / `onThreadStop` hooks learn about a blocking-pool worker thread.
 *
 * @example
 * ```ts
 * Builder.newCurrentThread().onThreadStart((meta: ThreadMeta) => console.log("worker", meta.threadId));
 * ```
 */
export interface ThreadMeta {
  /** The worker's `threadId` (as `worker_threads` numbers it). */
  readonly threadId: number;
}

/**
 * Heap and stack limits for each blocking-pool worker (Node's `Worker` `resourceLimits`); a job
 * that exceeds them fails alone, and the pool replaces its worker.
 *
 * @example
 * ```ts
 * const limits: ThreadResourceLimits = { maxOldGenerationSizeMb: 256, stackSizeMb: 4 };
 * Builder.newCurrentThread().threadResourceLimits(limits);
 * ```
 */
export interface ThreadResourceLimits {
  /** Maximum size of the main heap, in MB. */
  readonly maxOldGenerationSizeMb?: number;
  /** Maximum size of the heap space for recently created objects, in MB. */
  readonly maxYoungGenerationSizeMb?: number;
  /** Size of a pre-allocated memory range used for generated code, in MB. */
  readonly codeRangeSizeMb?: number;
  /** Maximum stack size of the thread, in MB. */
  readonly stackSizeMb?: number;
}

/**
 * Configures and builds a {@link Runtime}. Methods chain; `build()` makes the runtime.
 *
 * Drivers are opt-in: `enableTime()` and `enableIo()` switch on the features that
 * `@tokio-ts/time` and `@tokio-ts/io-driver` provide (`enableAll()` both). The runtime never
 * imports them: a driver is created the first time one of its resources is used, and using one
 * that is not enabled throws the error that names the missing call.
 *
 * The blocking pool of `@tokio-ts/blocking` (`spawnBlocking`) is on by default, as Tokio's
 * `spawn_blocking` needs no feature flag; it starts no thread until the first job. Its settings
 * are here too (`maxBlockingThreads`, `threadKeepAlive`, `onThreadStart`, `onThreadStop`,
 * `threadResourceLimits`) and reach the pool as driver options, so the runtime never loads it.
 *
 * @example
 * ```ts
 * const rt = Builder.newCurrentThread().enableTime().eventInterval(31).build();
 * const out = await rt.blockOn(function* () { return 1 });
 * ```
 */
export class Builder {
  #name = "tokio-ts-runtime";
  #eventInterval = 61;
  #globalQueueInterval = 31;
  #rngSeed: number | undefined = undefined;
  #shuffle = false;
  #disableLifoSlot = false;
  #unhandledPanic: UnhandledPanic = "ignore";
  #onTaskSpawn: ((meta: TaskMeta) => void) | undefined = undefined;
  #onTaskTerminate: ((meta: TaskMeta) => void) | undefined = undefined;
  #onUnhandledPanic: ((error: JoinError) => void) | undefined = undefined;
  #drivers = new Set<string>(["blocking"]);
  #startPaused = false;
  #maxBlockingThreads: number | undefined = undefined;
  #threadKeepAlive: number | undefined = undefined;
  #onThreadStart: ((meta: ThreadMeta) => void) | undefined = undefined;
  #onThreadStop: ((meta: ThreadMeta) => void) | undefined = undefined;
  #threadResourceLimits: ThreadResourceLimits | undefined = undefined;

  private constructor() {}

  /**
   * A builder for the current-thread runtime: every task runs on the calling thread, driven by
   * Node's event loop.
   *
   * @example
   * ```ts
   * const rt = Builder.newCurrentThread().build();
   * ```
   */
  static newCurrentThread(): Builder {
    return new Builder();
  }

  /** The runtime's name (shown in errors and metrics). */
  name(name: string): this {
    if (typeof name !== "string") throw new TypeError(`name must be a string, got ${typeof name}`);
    this.#name = name;
    return this;
  }

  /**
   * How many task polls the scheduler runs before it yields to Node's event loop so that I/O
   * and host timers run. Default 61, as Tokio. The count starts over whenever the loop has
   * run: after such a yield, and when a driver reports a callback of the loop itself (a socket
   * read, a timer, `DriverHost.hostTurn`).
   *
   * @example
   * ```ts
   * const rt = Builder.newCurrentThread().eventInterval(31).build();
   * ```
   *
   * **Throws**: RangeError "eventInterval must be greater than 0" for 0 and negative values ("… a
   * whole number greater than 0" for a fraction or NaN); TypeError for a non-number.
   */
  eventInterval(n: number): this {
    const error = positiveInteger("eventInterval", n);
    if (error !== undefined) throw error;
    this.#eventInterval = n;
    return this;
  }

  /**
   * How many ticks between two checks of the inject queue (wakes from outside the scheduler)
   * before the local queue. Default 31, as Tokio.
   *
   * **Throws**: RangeError "globalQueueInterval must be greater than 0".
   */
  globalQueueInterval(n: number): this {
    const error = positiveInteger("globalQueueInterval", n);
    if (error !== undefined) throw error;
    this.#globalQueueInterval = n;
    return this;
  }

  /**
   * Seed the runtime's random number generator (used by `select` and shuffled schedules), so
   * that runs are reproducible.
   *
   * **Throws**: TypeError/RangeError unless `seed` is a safe integer.
   */
  rngSeed(seed: number): this {
    if (typeof seed !== "number") throw new TypeError(`seed must be a number, got ${typeof seed}`);
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    this.#rngSeed = seed;
    return this;
  }

  /**
   * Test-only: run ready tasks in a random order drawn from the seeded generator instead of
   * FIFO, to explore interleavings (see `@tokio-ts/test-util`'s `forEachSeed`). Called without
   * an argument, it turns shuffling on.
   *
   * **Throws**: TypeError unless `enabled` is a boolean (or omitted).
   */
  shuffleSchedule(enabled = true): this {
    this.#shuffle = checkBoolean("shuffleSchedule", "enabled", enabled);
    return this;
  }

  /**
   * Turn the LIFO slot off: woken tasks always go to the back of the run queue. Tokio's
   * current-thread scheduler has no LIFO slot (its multi-thread workers have one, which this
   * runtime takes for message passing between tasks): with it off, the order in which woken
   * tasks run is exactly Tokio's current-thread order.
   *
   * @example
   * ```ts
   * const rt = Builder.newCurrentThread().disableLifoSlot().build();
   * ```
   */
  disableLifoSlot(): this {
    this.#disableLifoSlot = true;
    return this;
  }

  /**
   * What to do when a spawned task throws. `"ignore"` (default): the error goes to its
   * JoinHandle (and is reported if nobody joins it, see {@link onUnhandledPanic}).
   * `"shutdownRuntime"`: the first such panic shuts the runtime down at once (joined or not, as
   * Tokio), and every pending `blockOn` rejects with an error whose `cause` is the thrown value.
   * That panic is reported as unhandled only if no `blockOn` rejected with it and nobody joined
   * it; panics after it (another task's, or a `finally` block's that throws while the shutdown
   * drops the tasks) are reported as in `"ignore"`. An async-function task's throw reaches the
   * runtime a microtask after it happens, so tasks queued behind it may run first (Tokio's
   * example, where the second spawned task never runs, holds for generator tasks).
   *
   * @example
   * ```ts
   * const rt = Builder.newCurrentThread().unhandledPanic("shutdownRuntime").build();
   * await rt.blockOn(function* () {
   *   spawn(function* () { throw new Error("fatal") });
   *   yield* pending();
   * }); // rejects: "a spawned task panicked and the runtime is configured to shut down …"
   * ```
   *
   * **Throws**: TypeError for any other value.
   */
  unhandledPanic(behavior: UnhandledPanic): this {
    if (behavior !== "ignore" && behavior !== "shutdownRuntime") {
      throw new TypeError(`unhandledPanic must be "ignore" or "shutdownRuntime", got ${String(behavior)}`);
    }
    this.#unhandledPanic = behavior;
    return this;
  }

  /**
   * Called with each task's id when it is spawned, before the task is queued (not for a spawn on
   * a runtime that is shut down). Not for a `blockOn` body, which is not a task (as Tokio's
   * `block_on` future): `spawned` above ends equal to `rt.metrics().spawnedTasksCount()`.
   *
   * @example
   * ```ts
   * let spawned = 0;
   * const rt = Builder.newCurrentThread().onTaskSpawn(() => spawned++).build();
   * ```
   *
   * **Throws**: TypeError unless `hook` is a function. What the hook throws leaves the `spawn`
   * call that ran it, and that task is not spawned.
   */
  onTaskSpawn(hook: (meta: TaskMeta) => void): this {
    this.#onTaskSpawn = checkHook("onTaskSpawn", hook);
    return this;
  }

  /**
   * Called with each task's id when it completes, whatever the outcome, once its JoinHandle
   * has been told (as Tokio). Not for a task spawned on a runtime that is shut down (it never
   * starts, and `onTaskSpawn` was not called for it either), nor for a `blockOn` body. It runs in
   * the runtime's context, as Tokio's: it may `spawn` (a task that replaces the one that ended).
   *
   * @example
   * ```ts
   * const done: number[] = [];
   * const rt = Builder.newCurrentThread().onTaskTerminate(({ id }) => done.push(id)).build();
   * ```
   *
   * **Throws**: TypeError unless `hook` is a function. What the hook throws does not disturb
   * the runtime: it is rethrown from a microtask, where Node reports it as an uncaught
   * exception.
   */
  onTaskTerminate(hook: (meta: TaskMeta) => void): this {
    this.#onTaskTerminate = checkHook("onTaskTerminate", hook);
    return this;
  }

  /**
   * Replace the report of a task that threw while nothing was waiting for its handle (by default a line on
   * stderr via `console.error`). The hook gets the task's panic {@link JoinError}.
   *
   * A panic is reported one host turn after the task threw (the grace Node gives an unhandled
   * rejection, so that an `await handle` can get there first) — or, while other tasks are still
   * ready to run (a joiner may be among them), once none is, within about 1,000 task polls — unless
   * by then its JoinError has
   * been handed to someone — an await of the JoinHandle threw it (`await h`, `yield* h`), a
   * JoinSet's `joinNext`/`tryJoinNext`/`joinAll` did, or `blockOn` rejected with it — or an
   * await of the handle is still pending and will take it. An await that was dropped (the losing
   * branch of a `select` or `timeout`) does not count. A handle awaited after the report still
   * gets the JoinError: a report and a later join can both happen. Panics that no handle could
   * ever give any more are always reported: what the `finally` block of an `async` body throws
   * while it unwinds after runtime shutdown (its handle already said cancelled). See
   * {@link JoinSet} for the panics of a set's tasks.
   *
   * Each task is reported on its own: what the hook throws is rethrown from a microtask, where
   * Node reports it as an uncaught exception, and the other tasks are still reported.
   *
   * @example
   * ```ts
   * const rt = Builder.newCurrentThread().onUnhandledPanic((e) => console.warn(`lost: ${e.message}`)).build();
   * rt.spawn(function* () { throw new Error("boom") }); // nobody joins it
   * // a host turn later: lost: task 1 panicked with message "boom"
   * ```
   *
   * **Throws**: TypeError unless `hook` is a function.
   */
  onUnhandledPanic(hook: (error: JoinError) => void): this {
    this.#onUnhandledPanic = checkHook("onUnhandledPanic", hook);
    return this;
  }

  /** Enable the time driver (`@tokio-ts/time`: sleep, interval, timeout). */
  enableTime(): this {
    return this.enableDriver("time");
  }

  /** Enable the I/O driver (`@tokio-ts/io-driver`, `@tokio-ts/net`). */
  enableIo(): this {
    return this.enableDriver("io");
  }

  /** Enable every driver: time and I/O. */
  enableAll(): this {
    return this.enableTime().enableIo();
  }

  /**
   * Enable a driver by its key's name (for drivers other than time and io; `"blocking"` is on
   * by default).
   */
  enableDriver(name: string): this {
    if (typeof name !== "string" || name === "") throw new TypeError("name must be a non-empty string");
    this.#drivers.add(name);
    return this;
  }

  /**
   * The most worker threads the blocking pool (`spawnBlocking`) runs at once; more jobs wait in
   * its FIFO queue. Threads start on demand and exit after {@link threadKeepAlive} idle.
   *
   * Default: `os.availableParallelism()`, not Tokio's 512. A Tokio blocking thread is a cheap OS
   * thread that mostly waits on blocking I/O; in Node, I/O is already asynchronous, so blocking
   * jobs are CPU work, and each worker costs a V8 isolate (~10 MB and tens of ms to start).
   * More workers than cores only adds that cost and contention. Raise it for jobs that block
   * without computing (synchronous fs calls, `Atomics.wait`).
   *
   * @example
   * ```ts
   * const rt = Builder.newCurrentThread().maxBlockingThreads(2).build();
   * ```
   *
   * **Throws**: RangeError for 0, negative, fractional or NaN; TypeError for a non-number.
   */
  maxBlockingThreads(n: number): this {
    const error = positiveInteger("maxBlockingThreads", n);
    if (error !== undefined) throw error;
    this.#maxBlockingThreads = n;
    return this;
  }

  /**
   * How long an idle blocking-pool worker waits for a job before it exits, in milliseconds.
   * Default 10 000, as Tokio. 0 lets a worker go as soon as it is idle (the next job starts a
   * new one). Idle workers never keep the process alive, whatever this is.
   *
   * @example
   * ```ts
   * const rt = Builder.newCurrentThread().threadKeepAlive(1_000).build();
   * ```
   *
   * **Throws**: RangeError for a negative number or NaN (0 and Infinity are allowed); TypeError
   * for a non-number.
   */
  threadKeepAlive(ms: number): this {
    if (typeof ms !== "number") throw new TypeError(`threadKeepAlive must be a number, got ${typeof ms}`);
    if (!(ms >= 0)) throw new RangeError(`threadKeepAlive must be 0 or more milliseconds, got ${ms}`);
    this.#threadKeepAlive = ms;
    return this;
  }

  /**
   * Called on this thread (not the worker: a function cannot cross threads) when a
   * blocking-pool worker has started and is ready for jobs.
   *
   * @example
   * ```ts
   * Builder.newCurrentThread().onThreadStart(({ threadId }) => console.log("worker", threadId, "up"));
   * ```
   */
  onThreadStart(hook: (meta: ThreadMeta) => void): this {
    this.#onThreadStart = checkHook("onThreadStart", hook);
    return this;
  }

  /**
   * Called on this thread when a blocking-pool worker has exited: idle past the keep-alive,
   * terminated, crashed, or at shutdown — once for each worker that `onThreadStart` was called
   * for (a worker terminated while it was still booting, or that could not start, gets neither).
   *
   * @example
   * ```ts
   * Builder.newCurrentThread().onThreadStop(({ threadId }) => console.log("worker", threadId, "gone"));
   * ```
   */
  onThreadStop(hook: (meta: ThreadMeta) => void): this {
    this.#onThreadStop = checkHook("onThreadStop", hook);
    return this;
  }

  /**
   * Node's `resourceLimits` for every blocking-pool worker (heap and stack sizes, in MB). A job
   * that runs out of memory fails with the worker's error; the pool replaces the worker.
   *
   * @example
   * ```ts
   * Builder.newCurrentThread().threadResourceLimits({ maxOldGenerationSizeMb: 64 });
   * ```
   *
   * **Throws**: TypeError unless `limits` is an object, for a key that is not one of the four
   * limits (`unknown option "maxOldGenerationSizeMB"`: a misspelt limit would be ignored) and
   * for a limit that is not a number; RangeError for a limit that is not a positive finite
   * number.
   */
  threadResourceLimits(limits: ThreadResourceLimits): this {
    if (typeof limits !== "object" || limits === null || Array.isArray(limits)) {
      const got = limits === null ? "null" : Array.isArray(limits) ? "an array" : typeof limits;
      throw new TypeError(`threadResourceLimits expects an object, got ${got}`);
    }
    for (const key of Object.keys(limits)) {
      if (!(RESOURCE_LIMITS as readonly string[]).includes(key)) {
        throw new TypeError(`threadResourceLimits: unknown option ${JSON.stringify(key)} (known: ${RESOURCE_LIMITS.join(", ")})`);
      }
    }
    const copy: Record<string, number> = {};
    for (const key of RESOURCE_LIMITS) {
      const value: unknown = limits[key];
      if (value === undefined) continue;
      if (typeof value !== "number") {
        throw new TypeError(`threadResourceLimits: ${key} must be a number, got ${value === null ? "null" : typeof value}`);
      }
      if (!(value > 0) || value === Infinity) {
        throw new RangeError(`threadResourceLimits: ${key} must be a positive number, got ${value}`);
      }
      copy[key] = value;
    }
    this.#threadResourceLimits = Object.freeze(copy);
    return this;
  }

  /**
   * Start with the clock paused (needs `enableTime()`): time only moves by `advance()` or by
   * auto-advance when every task is idle.
   *
   * **Throws**: TypeError unless `paused` is a boolean.
   */
  startPaused(paused: boolean): this {
    this.#startPaused = checkBoolean("startPaused", "paused", paused);
    return this;
  }

  /**
   * Build the runtime.
   *
   * **Throws**: Error if `startPaused(true)` was set without `enableTime()`.
   */
  build(): Runtime {
    if (this.#startPaused && !this.#drivers.has("time")) {
      throw new Error("startPaused(true) needs timers: call enableTime() on the builder as well");
    }
    const scheduler = new Scheduler({
      name: this.#name,
      eventInterval: this.#eventInterval,
      globalQueueInterval: this.#globalQueueInterval,
      rngSeed: this.#rngSeed,
      shuffle: this.#shuffle,
      disableLifoSlot: this.#disableLifoSlot,
      unhandledPanic: this.#unhandledPanic,
      onTaskSpawn: this.#onTaskSpawn,
      onTaskTerminate: this.#onTaskTerminate,
      onUnhandledPanic: this.#onUnhandledPanic,
      drivers: new Set(this.#drivers),
      driverOptions: Object.freeze({
        startPaused: this.#startPaused,
        maxBlockingThreads: this.#maxBlockingThreads,
        threadKeepAlive: this.#threadKeepAlive,
        onThreadStart: this.#onThreadStart,
        onThreadStop: this.#onThreadStop,
        threadResourceLimits: this.#threadResourceLimits,
      }),
    });
    return new Runtime(scheduler);
  }
}

/** The keys of {@link ThreadResourceLimits}, as Node's `resourceLimits` names them. */
const RESOURCE_LIMITS = ["maxOldGenerationSizeMb", "maxYoungGenerationSizeMb", "codeRangeSizeMb", "stackSizeMb"] as const;

/** A boolean setting as given, never coerced: `"false"` is not false. */
function checkBoolean(method: string, param: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new TypeError(`${method}: ${param} must be a boolean, got ${value === null ? "null" : typeof value}`);
  return value;
}

function checkHook<F>(name: string, hook: F): F {
  if (typeof hook !== "function") throw new TypeError(`${name} expects a function, got ${typeof hook}`);
  return hook;
}
