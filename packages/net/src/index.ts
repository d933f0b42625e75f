/**
 * `@tokio-ts/net`: TCP, UDP and Unix sockets for tokio-ts, on Node's own sockets.
 *
 * @packageDocumentation
 */
export { SocketAddr, type IpFamily, type ToSocketAddrs, type HostPort } from "./addr.js";
