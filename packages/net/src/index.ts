/**
 * `@tokio-ts/net`: TCP, UDP and Unix sockets for tokio-ts, on Node's own sockets.
 *
 * @packageDocumentation
 */
export { SocketAddr, type IpFamily, type ToSocketAddrs, type HostPort } from "./addr.js";
export { TcpListener } from "./tcp-listener.js";
export { TcpStream } from "./tcp-stream.js";
export { TcpSocket } from "./tcp-socket.js";
export { UnixListener } from "./unix-listener.js";
export { UnixStream } from "./unix-stream.js";
export { UnixSocketAddr } from "./unix-addr.js";
export { ReadHalf, WriteHalf, OwnedReadHalf, OwnedWriteHalf, type SplitHalves, type AddrOf } from "./split.js";
export { ReuniteError, UnsupportedError, WouldBlockError, errorKind, type IoErrorKind, type SocketError } from "./errors.js";
export { Interest, Ready } from "@tokio-ts/io-driver";
export { UdpSocket } from "./udp-socket.js";
export { DEFAULT_RECV_QUEUE_CAPACITY, DEFAULT_MAX_PENDING_SENDS, type UdpBindOptions } from "./udp-options.js";
export { lookupHost, LookupHost } from "./lookup-host.js";
