/**
 * `@tokio-ts/io-driver/driver`: the I/O driver for custom executors.
 *
 * A runtime (or an executor implementing `DriverHost` from `@tokio-ts/core`) enables the
 * driver by name (`"io"`); sockets then ask the current task's host for `IO` and the host
 * creates the driver on first use with `IO.create(host)`. The driver needs no `park()`: Node's
 * event loop delivers the socket events. Call `shutdown()` when the executor stops; it closes
 * every socket still open.
 *
 * @example
 * ```ts
 * import { IO } from "@tokio-ts/io-driver/driver";
 * class MyExecutor implements DriverHost {
 *   driverOptions = {};
 *   isEnabled(key) { return key.name === "io" }
 *   driver(key) { … return this.#drivers.get(key.name) ?? key.create(this) … }
 * }
 * ```
 *
 * @packageDocumentation
 */
export { IO } from "./reactor/key.js";
export { IoDriver } from "./reactor/io-driver.js";
