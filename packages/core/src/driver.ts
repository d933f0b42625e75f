/**
 * How drivers (time, io) plug into a runtime — or into an executor someone else writes.
 *
 * A driver package owns a {@link DriverKey}: its name, the builder call that enables it, and a
 * factory. Resources of the driver (a sleep, a socket) ask the current task's runtime for the
 * driver by key; the runtime creates it on first use if the feature was enabled, and otherwise
 * throws the error that names the missing builder call. So the runtime never imports a driver
 * package: a program that does not install `@tokio-ts/time` never loads it.
 *
 * The runtime turns a driver through two hooks: `park()` when no task is ready (the paused
 * clock advances here; only while the driver sets `parkOnIdle`) and `shutdown()` once at the
 * end. A driver that runs work off the runtime (the blocking pool's worker threads) may also
 * implement `shutdownTimeout(ms)`, which the runtime awaits after `shutdown()` to bound how long
 * that work may still run, and set `holdsPark` while such work is unfinished: an idle runtime
 * then parks no driver (a paused clock does not auto-advance past a job that is still running,
 * as Tokio inhibits auto-advance while `spawn_blocking` tasks run) until the driver calls the
 * host's `unpark()`.
 */
import { currentFrame } from "./current.js";
import { ContextError } from "./errors.js";

/**
 * A driver as the runtime sees it.
 *
 * @example
 * ```ts
 * class MyDriver implements Driver {
 *   parkOnIdle = false;         // never needs park()
 *   shutdown() { this.closeEverything() }
 * }
 * ```
 */
export interface Driver {
  /**
   * Whether the driver wants `park()` calls now. Read each time the runtime goes idle; the time
   * driver sets it while its clock is paused (auto-advance).
   */
  readonly parkOnIdle?: boolean;
  /**
   * Called when no task is ready to run and the microtask queue has drained, if `parkOnIdle`.
   * Return true if this made a task ready (a paused clock advanced to the next deadline and
   * fired it), so the runtime keeps going.
   */
  park?(): boolean;
  /**
   * True while the driver has work off the runtime that will wake a task when it ends (queued
   * or running blocking jobs). Read each time the runtime is about to park: while any driver
   * holds park, no driver is parked. When it turns false, the driver calls `host.unpark?.()`.
   */
  readonly holdsPark?: boolean;
  /** Called once when the runtime shuts down; release every host handle. */
  shutdown(): void;
  /**
   * Optional, for drivers that run work off the runtime (worker threads). Called after
   * `shutdown()` by `Runtime.shutdownTimeout(ms)` (and with 0 by `shutdownBackground()`): let
   * running work finish for at most `ms` milliseconds, then stop it by force; resolve once
   * nothing of the driver is left. Must not reject.
   */
  shutdownTimeout?(ms: number): Promise<void>;
}

/**
 * Settings a runtime passes to its drivers (from its builder).
 *
 * @example
 * ```ts
 * // how the time package's key makes its driver (executors call TIME.create(host), not new)
 * const create = (host: DriverHost) => new TimeDriver(host.driverOptions.startPaused === true, host);
 * ```
 */
export interface DriverOptions {
  /** Start with the clock paused (time driver). */
  readonly startPaused?: boolean;
  /** Any other driver-specific setting. */
  readonly [setting: string]: unknown;
}

/**
 * What a runtime or custom executor offers to drivers and their resources.
 *
 * @example
 * ```ts
 * const timer = host.driver(TIME); // a runtime's Handle is one; throws if time is not enabled
 * const handle: DriverHost = rt.handle();
 * ```
 */
export interface DriverHost {
  /** The driver for `key`, created on first use; throws a ContextError if it is disabled. */
  driver<D extends Driver>(key: DriverKey<D>): D;
  /** Whether `key`'s feature is enabled, without creating the driver. */
  isEnabled(key: DriverKey<Driver>): boolean;
  /** The settings the host was built with. */
  readonly driverOptions: DriverOptions;
  /**
   * A driver's `holdsPark` turned false: if the host is idle, it parks its drivers again (a
   * paused clock resumes auto-advance). Optional: a host that never parks leaves it out.
   */
  unpark?(): void;
  /**
   * A random integer from 0 to `n - 1` (`n` a positive integer) from the host's generator, which
   * a seed makes reproducible: `select` draws the branch it polls first from it. Optional: a
   * host without it leaves `select` to `Math.random`.
   */
  randomBelow?(n: number): number;
  /**
   * Called by a driver from a callback that the host's event loop ran itself (a socket read
   * completed, a host timer fired — never from a microtask or `process.nextTick`): the host has
   * just had its turn, so the ticks the runtime counts towards its `eventInterval` start over.
   * Without the call, every `eventInterval`-th wake from I/O waits for a `setImmediate`, behind
   * the rest of the loop's I/O callbacks, though the loop has just run. Optional: a host that
   * does not count leaves it out.
   */
  hostTurn?(): void;
}

/**
 * Names a driver: `name` is what the runtime's builder enables (`"time"`, `"io"`), `feature`
 * and `enableCall` make the error message ("timers are disabled: build the runtime with
 * enableTime()"), `create` builds the driver for a host.
 *
 * @example
 * ```ts
 * export const TIME = new DriverKey("time", "timers", "enableTime()", (host) => new TimeDriver(host.driverOptions.startPaused === true, host));
 * ```
 */
export class DriverKey<D extends Driver> {
  constructor(
    readonly name: string,
    readonly feature: string,
    readonly enableCall: string,
    readonly create: (host: DriverHost) => D,
  ) {}

  /** The error for a host on which this driver is disabled. */
  disabledError(): ContextError {
    return ContextError.disabled(this.feature, this.enableCall);
  }
}

/**
 * The driver host of the running task, for resources that need a driver.
 *
 * @example
 * ```ts
 * export function sleep(ms: number) {
 *   const driver = currentDriverHost("sleep()").driver(TIME);
 *   …
 * }
 * ```
 *
 * **Throws**: ContextError "… needs a runtime, but no runtime is running: …" outside a task.
 */
export function currentDriverHost(what: string): DriverHost {
  const task = currentFrame()?.task;
  if (task === undefined) throw ContextError.noRuntime(what);
  return task.runtime;
}
