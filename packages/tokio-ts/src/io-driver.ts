/**
 * `tokio-ts/io/driver`: the I/O driver for custom executors — the same items as
 * `@tokio-ts/io-driver/driver`.
 *
 * @example
 * ```ts
 * import { IO } from "tokio-ts/io/driver";
 * const driver = host.driver(IO);
 * ```
 *
 * @packageDocumentation
 */
export { IO, IoDriver } from "@tokio-ts/io-driver/driver";
