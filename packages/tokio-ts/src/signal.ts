/**
 * `tokio-ts/signal`: Tokio's `tokio::signal` — `ctrlC()` and `signal(kind)`, the same items as
 * `@tokio-ts/io-driver` exports for them.
 *
 * @example
 * ```ts
 * import { ctrlC, signal } from "tokio-ts/signal";
 * using hup = signal("SIGHUP");
 * const { key } = yield* select({ stop: ctrlC(), reload: hup.recv() });
 * ```
 *
 * @packageDocumentation
 */
export { ctrlC, CtrlC, signal, Signal, type SignalKind } from "@tokio-ts/io-driver";
