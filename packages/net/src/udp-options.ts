/**
 * The options of `UdpSocket.bind` and their defaults.
 */

/**
 * How many received datagrams a socket queues by default before it drops new ones (the
 * `recvQueueCapacity` option). At 1,500 bytes each, about 1.5 MB.
 *
 * @example
 * ```ts
 * const socket = yield* UdpSocket.bind("127.0.0.1:0", { recvQueueCapacity: 4 * DEFAULT_RECV_QUEUE_CAPACITY });
 * ```
 */
export const DEFAULT_RECV_QUEUE_CAPACITY = 1024;

/**
 * How many sends may be in flight by default before the socket stops being writable (the
 * `maxPendingSends` option).
 *
 * @example
 * ```ts
 * const socket = yield* UdpSocket.bind("127.0.0.1:0", { maxPendingSends: 2 * DEFAULT_MAX_PENDING_SENDS });
 * ```
 */
export const DEFAULT_MAX_PENDING_SENDS = 64;

/**
 * Options of {@link UdpSocket.bind}.
 *
 * @example
 * ```ts
 * const socket = yield* UdpSocket.bind("0.0.0.0:5353", { reuseAddr: true, recvQueueCapacity: 4096 });
 * ```
 */
export interface UdpBindOptions {
  /** Set `SO_REUSEADDR` before binding (several sockets on one multicast port). Default false. */
  readonly reuseAddr?: boolean | undefined;
  /** For an IPv6 address: do not also receive IPv4 (`IPV6_V6ONLY`). Default false. */
  readonly ipv6Only?: boolean | undefined;
  /** The kernel's receive buffer (`SO_RCVBUF`), in bytes: an integer in 1..2^30. Default: the OS's. */
  readonly recvBufferSize?: number | undefined;
  /** The kernel's send buffer (`SO_SNDBUF`), in bytes: an integer in 1..2^30. Default: the OS's. */
  readonly sendBufferSize?: number | undefined;
  /**
   * How many received datagrams wait for a receive before new ones are dropped (and counted in
   * `droppedDatagrams`). Default {@link DEFAULT_RECV_QUEUE_CAPACITY}.
   */
  readonly recvQueueCapacity?: number | undefined;
  /**
   * How many sends may be handed to Node without their completion yet; beyond it `send` waits
   * and `trySend` would block. Default {@link DEFAULT_MAX_PENDING_SENDS}.
   */
  readonly maxPendingSends?: number | undefined;
}
