/**
 * `@tokio-ts/io-driver`: readiness-based I/O — the reactor over Node's sockets, the
 * AsyncRead/AsyncWrite protocol and the io utilities.
 *
 * @packageDocumentation
 */
export { Interest, Ready } from "./interest.js";
export { isAsyncRead, isAsyncWrite, isAsyncBufRead, type AsyncRead, type AsyncWrite, type AsyncBufRead } from "./protocol.js";
export * from "./util/index.js";
export * from "./reactor/index.js";
