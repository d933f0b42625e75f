/**
 * `tokio-ts/time/driver`: the time driver for custom executors — the same items as
 * `@tokio-ts/time/driver`.
 *
 * @packageDocumentation
 */
export { TIME, TimeDriver } from "@tokio-ts/time/driver";
