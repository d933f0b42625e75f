/**
 * Readiness vocabulary of the reactor (Tokio's `Interest` and `Ready`): what a task waits for,
 * and what the host reported.
 *
 * Both are small bit sets held in a number, so testing and combining them allocates nothing.
 */

/**
 * What a task wants to wait for on an I/O resource.
 *
 * @example
 * ```ts
 * const ready = yield* stream.ready(Interest.READABLE | Interest.WRITABLE);
 * if (Ready.isReadable(ready)) …
 * ```
 */
export const Interest = {
  /** Wait until the resource can be read from (or its read side closed). */
  READABLE: 0b01,
  /** Wait until the resource can be written to (or its write side closed). */
  WRITABLE: 0b10,
} as const;

/**
 * A set of {@link Interest} bits.
 *
 * @example
 * ```ts
 * const both: Interest = Interest.READABLE | Interest.WRITABLE;
 * ```
 */
export type Interest = number;

/**
 * What the host reported about a resource: a bit set of `READABLE`, `WRITABLE`, `READ_CLOSED`,
 * `WRITE_CLOSED` and `ERROR`, with helpers to test it.
 *
 * @example
 * ```ts
 * const ready = yield* stream.ready(Interest.READABLE);
 * if (Ready.isReadClosed(ready)) console.log("peer sent EOF");
 * ```
 */
export const Ready = {
  /** No readiness. */
  EMPTY: 0,
  /** Bytes (or a datagram, or a connection) can be taken without waiting. */
  READABLE: 0b00001,
  /** Bytes can be written without waiting. */
  WRITABLE: 0b00010,
  /** The peer closed its write side: reads return what is buffered, then EOF. */
  READ_CLOSED: 0b00100,
  /** The write side is closed (shut down by us, or reset by the peer). */
  WRITE_CLOSED: 0b01000,
  /** The resource failed; the next read or write reports the error. */
  ERROR: 0b10000,
  /** Every readiness that satisfies a `READABLE` interest. */
  ALL_READ: 0b10101,
  /** Every readiness that satisfies a `WRITABLE` interest. */
  ALL_WRITE: 0b11010,

  /** Whether `ready` lets a reader proceed (readable, read-closed or error). */
  isReadable(ready: Ready): boolean {
    return (ready & 0b10101) !== 0;
  },
  /** Whether `ready` lets a writer proceed (writable, write-closed or error). */
  isWritable(ready: Ready): boolean {
    return (ready & 0b11010) !== 0;
  },
  /** Whether the read side is closed. */
  isReadClosed(ready: Ready): boolean {
    return (ready & 0b00100) !== 0;
  },
  /** Whether the write side is closed. */
  isWriteClosed(ready: Ready): boolean {
    return (ready & 0b01000) !== 0;
  },
  /** Whether the resource reported an error. */
  isError(ready: Ready): boolean {
    return (ready & 0b10000) !== 0;
  },
  /** The part of `ready` that an `interest` waits for. */
  intersect(ready: Ready, interest: Interest): Ready {
    let mask = 0;
    if ((interest & 0b01) !== 0) mask |= 0b10101;
    if ((interest & 0b10) !== 0) mask |= 0b11010;
    return ready & mask;
  },
} as const;

/**
 * A set of {@link Ready} bits.
 *
 * @example
 * ```ts
 * const ready: Ready = yield* stream.ready(Interest.READABLE);
 * ```
 */
export type Ready = number;
