/**
 * `@tokio-ts/io-driver/driver`: the I/O driver for custom executors.
 *
 * @packageDocumentation
 */
export {};
