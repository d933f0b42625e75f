/**
 * Handle: a shared reference to a runtime, for spawning onto it from anywhere.
 */
import { type Driver, type DriverHost, type DriverKey, type DriverOptions, type Future, type NotAsyncGenerator } from "@tokio-ts/core";
import type { JoinHandle } from "./join-handle.js";
import { currentScheduler, tryCurrentScheduler } from "./internal/current.js";
import { RNG_BELOW_MAX } from "./internal/rng.js";
import type { Scheduler } from "./internal/scheduler.js";
import { RuntimeMetrics } from "./metrics.js";
import { blockOnScheduler } from "./runtime.js";
import type { SpawnBody } from "./spawn.js";

const handles = new WeakMap<Scheduler, Handle>();

/**
 * A handle to a runtime: spawn onto it, block on it, reach its drivers — from inside its tasks
 * or from anywhere you can keep the handle. It is the runtime's {@link DriverHost}, so an
 * executor of your own can lend a runtime's drivers (timers, sockets) to its tasks by naming the
 * handle as their host.
 *
 * @example
 * ```ts
 * const handle = rt.handle();
 * setTimeout(() => handle.spawn(async () => console.log("hello from a host timer")), 10);
 * ```
 */
export class Handle implements DriverHost {
  readonly #scheduler: Scheduler;

  /** @hidden */
  private constructor(scheduler: Scheduler) {
    this.#scheduler = scheduler;
  }

  /** @internal */
  static of(scheduler: Scheduler): Handle {
    let handle = handles.get(scheduler);
    if (handle === undefined) handles.set(scheduler, (handle = new Handle(scheduler)));
    return handle;
  }

  /**
   * The handle of the runtime running the current task (also across `await` in async tasks).
   *
   * @example
   * ```ts
   * spawn(function* () { Handle.current().spawn(other) });
   * ```
   *
   * **Throws**: ContextError "Handle.current() needs a runtime, but no runtime is running: …".
   */
  static current(): Handle {
    return Handle.of(currentScheduler("Handle.current()"));
  }

  /** Like {@link Handle.current}, but undefined outside a runtime. */
  static tryCurrent(): Handle | undefined {
    const scheduler = tryCurrentScheduler();
    return scheduler === undefined ? undefined : Handle.of(scheduler);
  }

  /** The runtime's name. */
  get name(): string {
    return this.#scheduler.config.name;
  }

  /** A process-unique id of the runtime. */
  get id(): number {
    return this.#scheduler.id;
  }

  /**
   * Spawn a task on this runtime; see {@link spawn}.
   *
   * @example
   * ```ts
   * const handle = Handle.current();
   * const job = handle.spawn(async () => 42);
   * ```
   *
   * **Cancel safety**: as `spawn`: dropping the JoinHandle detaches the task; `abort()` stops it.
   */
  spawn<T>(body: (signal: AbortSignal) => Generator<unknown, T, unknown>): JoinHandle<T>;
  spawn<R>(body: (signal: AbortSignal) => NotAsyncGenerator<R>): JoinHandle<Awaited<R>>;
  spawn<T>(body: Future<T>): JoinHandle<T>;
  spawn<T>(body: Generator<unknown, T, unknown>): JoinHandle<T>;
  spawn<T>(body: SpawnBody<T>): JoinHandle<T>;
  spawn<T>(body: SpawnBody<T>): JoinHandle<T> {
    return this.#scheduler.spawn(body);
  }

  /** Run `body` as a task and resolve with its output; see {@link Runtime.blockOn}. */
  blockOn<T>(body: (signal: AbortSignal) => Generator<unknown, T, unknown>): Promise<T>;
  blockOn<R>(body: (signal: AbortSignal) => NotAsyncGenerator<R>): Promise<Awaited<R>>;
  blockOn<T>(body: Future<T>): Promise<T>;
  blockOn<T>(body: Generator<unknown, T, unknown>): Promise<T>;
  blockOn<T>(body: SpawnBody<T>): Promise<T>;
  blockOn<T>(body: SpawnBody<T>): Promise<T> {
    return blockOnScheduler(this.#scheduler, body);
  }

  /**
   * The driver for `key` (created on first use); for driver packages.
   *
   * @example
   * ```ts
   * const timer = Handle.current().driver(TIME); // TIME: the time driver's DriverKey
   * ```
   *
   * **Throws**: TypeError unless `key` is a {@link DriverKey} (an object with a string `name`, a
   * `create` function and a `disabledError` method); ContextError if the driver is not enabled
   * or the runtime is shut down (but a task of the runtime still unwinding after shutdown, an
   * async body whose awaits now reject, gets the driver, stopped).
   */
  driver<D extends Driver>(key: DriverKey<D>): D {
    checkDriverKey(key);
    return this.#scheduler.driver(key);
  }

  /**
   * Whether the runtime was built with `key`'s driver enabled (`enableTime()`, `enableIo()`),
   * without creating it; for driver packages and executors (DriverHost).
   *
   * @example
   * ```ts
   * if (handle.isEnabled(TIME)) handle.driver(TIME); // TIME: the time driver's DriverKey
   * ```
   *
   * **Throws**: TypeError unless `key` is a {@link DriverKey}.
   */
  isEnabled(key: DriverKey<Driver>): boolean {
    checkDriverKey(key);
    return this.#scheduler.isEnabled(key);
  }

  /**
   * The settings the runtime passes to its drivers (`startPaused`, …); for driver packages
   * (DriverHost).
   *
   * @example
   * ```ts
   * const paused = handle.driverOptions.startPaused === true;
   * ```
   */
  get driverOptions(): DriverOptions {
    return this.#scheduler.driverOptions;
  }

  /**
   * DriverHost, for drivers: a driver's `holdsPark` turned false; the runtime parks its drivers
   * again if it is idle. Harmless at any other time.
   *
   * @example
   * ```ts
   * handle.unpark(); // what the blocking pool's driver calls when its last job ends
   * ```
   */
  unpark(): void {
    this.#scheduler.unpark();
  }

  /**
   * DriverHost, for drivers: called from a callback the event loop ran itself (a socket read, a
   * host timer); the runtime's count towards `eventInterval` starts over. Harmless at any other
   * time.
   *
   * @example
   * ```ts
   * socket.on("readable", () => { handle.hostTurn(); waker.wake(); });
   * ```
   */
  hostTurn(): void {
    this.#scheduler.hostTurn();
  }

  /** The runtime's metrics. */
  metrics(): RuntimeMetrics {
    return new RuntimeMetrics(this.#scheduler);
  }

  /**
   * A random integer in [0, n) from the runtime's seeded generator (for `select`).
   *
   * @example
   * ```ts
   * const branch = Handle.current().randomBelow(3); // 0, 1 or 2
   * ```
   *
   * **Throws**: TypeError for a non-number `n`; RangeError unless `n` is an integer from 1 to
   * 2^32 (4294967296).
   */
  randomBelow(n: number): number {
    if (typeof n !== "number") throw new TypeError(`randomBelow: n must be a number, got ${n === null ? "null" : typeof n}`);
    if (!Number.isInteger(n) || n < 1 || n > RNG_BELOW_MAX) {
      throw new RangeError(`randomBelow: n must be an integer from 1 to ${RNG_BELOW_MAX}, got ${n}`);
    }
    return this.#scheduler.rng.below(n);
  }
}

/** Checks the shape the scheduler relies on, so a wrong key fails here rather than deep inside. */
function checkDriverKey(key: unknown): void {
  if (typeof key !== "object" || key === null) {
    throw new TypeError(`driver: key must be a DriverKey, got ${key === null ? "null" : typeof key}`);
  }
  const { name, create, disabledError } = key as Partial<DriverKey<Driver>>;
  const missing =
    typeof name !== "string"
      ? "a string name"
      : typeof create !== "function"
        ? "a create function"
        : typeof disabledError !== "function"
          ? "a disabledError method"
          : undefined;
  if (missing !== undefined) throw new TypeError(`driver: key must be a DriverKey, got an object without ${missing}`);
}
