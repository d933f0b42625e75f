/**
 * `tokio-ts/net`: TCP, UDP and Unix sockets — the same items as `@tokio-ts/net`.
 *
 * @example
 * ```ts
 * import { main } from "tokio-ts";
 * import { TcpListener } from "tokio-ts/net";
 * await main(function* () {
 *   const listener = yield* TcpListener.bind("127.0.0.1:8080");
 *   const [stream, peer] = yield* listener.accept();
 * });
 * ```
 *
 * @packageDocumentation
 */
export {
  SocketAddr,
  type IpFamily,
  type ToSocketAddrs,
  type HostPort,
  TcpListener,
  TcpStream,
  TcpSocket,
  UnixListener,
  UnixStream,
  UnixSocketAddr,
  ReadHalf,
  WriteHalf,
  OwnedReadHalf,
  OwnedWriteHalf,
  type SplitHalves,
  type AddrOf,
  ReuniteError,
  UnsupportedError,
  WouldBlockError,
  errorKind,
  type IoErrorKind,
  type SocketError,
  Interest,
  Ready,
  UdpSocket,
  DEFAULT_RECV_QUEUE_CAPACITY,
  DEFAULT_MAX_PENDING_SENDS,
  type UdpBindOptions,
  lookupHost,
  LookupHost,
} from "@tokio-ts/net";
