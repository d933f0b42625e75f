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
 * import type { Driver, DriverHost, DriverKey } from "@tokio-ts/core";
 * import { IO } from "@tokio-ts/io-driver/driver";
 * class MyExecutor implements DriverHost {
 *   readonly driverOptions = {};
 *   readonly #drivers = new Map<string, Driver>();
 *   isEnabled(key: DriverKey<Driver>): boolean { return key.name === IO.name; }
 *   driver<D extends Driver>(key: DriverKey<D>): D {
 *     let driver = this.#drivers.get(key.name) as D | undefined;
 *     if (driver === undefined) this.#drivers.set(key.name, (driver = key.create(this)));
 *     return driver;
 *   }
 *   // … and the executor's own spawning and polling of tasks
 * }
 * ```
 *
 * @packageDocumentation
 */
export { IO } from "./reactor/key.js";
export { IoDriver } from "./reactor/io-driver.js";
