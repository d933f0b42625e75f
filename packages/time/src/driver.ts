/**
 * `@tokio-ts/time/driver`: the time driver, for executors other than `@tokio-ts/runtime`.
 *
 * A runtime (or a custom executor implementing `DriverHost` from `@tokio-ts/core`) enables the
 * driver by name (`"time"`); the time APIs then ask the current task's host for `TIME`, and the
 * host creates the driver on first use with `TIME.create(host)`. The host's part is small: call
 * `park()` when it is idle and the driver's `parkOnIdle` is true (auto-advance of a paused
 * clock), and `shutdown()` at the end. The driver arms its own host timer.
 *
 * @example
 * ```ts
 * import { TIME } from "@tokio-ts/time/driver";
 * class MyExecutor implements DriverHost {
 *   driverOptions = { startPaused: true };
 *   #drivers = new Map();
 *   isEnabled(key) { return key.name === "time" }
 *   driver(key) { … return this.#drivers.get(key.name) ?? key.create(this) … }
 * }
 * ```
 *
 * @packageDocumentation
 */
import { DriverKey } from "@tokio-ts/core";
import { TimeDriver } from "./internal/driver.js";

export { TimeDriver };

/**
 * The key of the time driver: enabled by `Builder.enableTime()` (name `"time"`).
 *
 * @example
 * ```ts
 * const driver = host.driver(TIME); // created on first use if "time" is enabled
 * driver.timerCount; // timers registered now
 * ```
 */
export const TIME: DriverKey<TimeDriver> = new DriverKey(
  "time",
  "timers",
  "enableTime()",
  (host) => new TimeDriver(host.driverOptions.startPaused === true, host),
);
