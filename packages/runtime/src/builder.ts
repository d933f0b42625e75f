/**
 * The runtime builder (Tokio's `runtime::Builder`).
 */
import { positiveInteger } from "./errors.js";
import type { JoinError } from "./errors.js";
import { Scheduler, type TaskMeta } from "./internal/scheduler.js";
import { Runtime } from "./runtime.js";

/** What happens when a task throws: Tokio's `UnhandledPanic`. */
export type UnhandledPanic = "ignore" | "shutdownRuntime";

/**
 * Configures and builds a {@link Runtime}. Methods chain; `build()` makes the runtime.
 *
 * Drivers are opt-in: `enableTime()` and `enableIo()` switch on the features that
 * `@tokio-ts/time` and `@tokio-ts/io-driver` provide (`enableAll()` both). The runtime never
 * imports them: a driver is created the first time one of its resources is used, and using one
 * that is not enabled throws the error that names the missing call.
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
  #drivers = new Set<string>();
  #startPaused = false;

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
   * and host timers run. Default 61, as Tokio.
   *
   * **Throws**: RangeError "eventInterval must be greater than 0" for 0, negative or fractional values.
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
   * FIFO, to explore interleavings (see `@tokio-ts/test-util`'s `forEachSeed`).
   */
  shuffleSchedule(enabled = true): this {
    this.#shuffle = Boolean(enabled);
    return this;
  }

  /** Turn the LIFO slot off: woken tasks always go to the back of the run queue. */
  disableLifoSlot(): this {
    this.#disableLifoSlot = true;
    return this;
  }

  /**
   * What to do when a spawned task throws. `"ignore"` (default): the error goes to its
   * JoinHandle (and is reported if nobody joins it). `"shutdownRuntime"`: the runtime shuts
   * down at once, and `blockOn` rejects.
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

  /** Called with each task's id when it is spawned. */
  onTaskSpawn(hook: (meta: TaskMeta) => void): this {
    this.#onTaskSpawn = checkHook("onTaskSpawn", hook);
    return this;
  }

  /** Called with each task's id when it completes, whatever the outcome. */
  onTaskTerminate(hook: (meta: TaskMeta) => void): this {
    this.#onTaskTerminate = checkHook("onTaskTerminate", hook);
    return this;
  }

  /**
   * Replace the report of a task that threw while nobody joined it (by default a line on
   * stderr via `console.error`).
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

  /** Enable a driver by its key's name (for drivers other than time and io). */
  enableDriver(name: string): this {
    if (typeof name !== "string" || name === "") throw new TypeError("name must be a non-empty string");
    this.#drivers.add(name);
    return this;
  }

  /**
   * Start with the clock paused (needs `enableTime()`): time only moves by `advance()` or by
   * auto-advance when every task is idle.
   */
  startPaused(paused: boolean): this {
    this.#startPaused = Boolean(paused);
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
      driverOptions: Object.freeze({ startPaused: this.#startPaused }),
    });
    return new Runtime(scheduler);
  }
}

function checkHook<F>(name: string, hook: F): F {
  if (typeof hook !== "function") throw new TypeError(`${name} expects a function, got ${typeof hook}`);
  return hook;
}
