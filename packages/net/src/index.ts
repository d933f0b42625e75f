/**
 * `@tokio-ts/net`: TCP, UDP and Unix sockets for tokio-ts, on Node's own sockets.
 *
 * @packageDocumentation
 */
export { SocketAddr, type IpFamily, type ToSocketAddrs, type HostPort } from "./addr.js";
export { TcpListener } from "./tcp-listener.js";
export { TcpStream } from "./tcp-stream.js";
export { ReadHalf, WriteHalf, OwnedReadHalf, OwnedWriteHalf, type SplitHalves, type AddrOf } from "./split.js";
export { ReuniteError, WouldBlockError, type SocketError } from "./errors.js";
export { Interest, Ready } from "@tokio-ts/io-driver";
