/**
 * The key under which a runtime holds its I/O driver, and the lookup resources use.
 */
import { currentDriverHost, DriverKey } from "@tokio-ts/core";
import { IoDriver } from "./io-driver.js";

/**
 * The key of the I/O driver: enabled by `Builder.enableIo()` (name `"io"`). Custom executors
 * enable `"io"` and create it with `IO.create(host)` on first use.
 *
 * @example
 * ```ts
 * const driver = host.driver(IO); // throws "I/O resources are disabled: build the runtime with enableIo()"
 * ```
 */
export const IO: DriverKey<IoDriver> = new DriverKey("io", "I/O resources", "enableIo()", (host) => new IoDriver(host));

/**
 * The I/O driver of the running task's runtime, for a resource being opened. `what` names the
 * call in the error ("TcpStream.connect() needs a runtime, …").
 *
 * @example
 * ```ts
 * const registration = ioDriver("TcpStream.connect()").register(() => socket.destroy());
 * ```
 *
 * **Throws**: ContextError outside a runtime, or when the runtime was built without
 * `enableIo()`.
 */
export function ioDriver(what: string): IoDriver {
  return currentDriverHost(what).driver(IO);
}
