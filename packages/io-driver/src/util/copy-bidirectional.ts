/**
 * `copyBidirectional(a, b)` and `copyBidirectionalWithSizes(a, b, { aToB, bToA })`
 * (Tokio's `io::copy_bidirectional` / `copy_bidirectional_with_sizes`): proxy two streams into
 * each other — what a TCP proxy does with its client and upstream sockets.
 *
 * HOW. Two {@link CopyBuffer}s, a→b and b→a, polled in turn by one future. Each direction goes
 * through RUNNING (copying) → SHUTTING_DOWN (its reader hit EOF and the writer was flushed: shut
 * the writer down, so the other side reads EOF too) → DONE (amount kept). The future completes
 * when both are DONE, with `[aToB, bToA]`; the first error ends it. The two functions build the
 * same future and differ only in the buffer size each CopyBuffer is given (8 KiB each, or the
 * sizes asked for).
 */
import { Future, Pending, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncRead, AsyncWrite } from "../protocol.js";
import { checkBufferSize, checkReader, checkWriter } from "./internal/check.js";
import { COPY_BUF_SIZE, CopyBuffer } from "./internal/copy-buffer.js";

const RUNNING = 0;
const SHUTTING_DOWN = 1;
const DONE = 2;

class Direction {
  state = RUNNING;
  readonly copy: CopyBuffer;

  constructor(
    reader: AsyncRead,
    readonly writer: AsyncWrite,
    size: number,
  ) {
    this.copy = new CopyBuffer(reader, size);
  }

  poll(cx: Context): boolean {
    if (this.state === RUNNING) {
      if (this.copy.poll(cx, this.writer) === Pending) return false;
      this.state = SHUTTING_DOWN;
    }
    if (this.state === SHUTTING_DOWN) {
      if (this.writer.pollShutdown(cx) === Pending) return false;
      this.state = DONE;
    }
    return true;
  }
}

/**
 * The future of {@link copyBidirectional} and {@link copyBidirectionalWithSizes}: resolves with
 * `[aToB, bToA]`.
 *
 * @example
 * ```ts
 * const fut: CopyBidirectional = copyBidirectional(client, upstream);
 * const [up, down] = yield* fut;
 * ```
 */
export class CopyBidirectional extends Future<[number, number]> {
  readonly #aToB: Direction;
  readonly #bToA: Direction;

  /** @hidden Use {@link copyBidirectional} or {@link copyBidirectionalWithSizes}. */
  constructor(a: AsyncRead & AsyncWrite, b: AsyncRead & AsyncWrite, aToBSize: number, bToASize: number) {
    super();
    this.#aToB = new Direction(a, b, aToBSize);
    this.#bToA = new Direction(b, a, bToASize);
  }

  override poll(cx: Context): Poll<[number, number]> {
    const aDone = this.#aToB.poll(cx);
    const bDone = this.#bToA.poll(cx);
    if (!aDone || !bDone) return Pending;
    return [this.#aToB.copy.amount, this.#bToA.copy.amount];
  }
}

/**
 * Copy `a` into `b` and `b` into `a` at the same time. When one side's reader reaches EOF, the
 * other side's writer is flushed and shut down; resolves with `[bytes a→b, bytes b→a]` once
 * both directions are done. Each direction copies through an 8 KiB buffer (or the reader's own
 * buffer when it is an {@link AsyncBufRead}); {@link copyBidirectionalWithSizes} picks the sizes.
 *
 * @example
 * ```ts
 * const [inbound] = yield* listener.accept();
 * const upstream = yield* TcpStream.connect(backend);
 * const [sent, received] = yield* copyBidirectional(inbound, upstream);
 * ```
 *
 * **Cancel safety**: not cancel safe: bytes in flight in either direction are lost.
 *
 * **Throws**: the first error of either stream; TypeError if `a` or `b` is not both an
 * AsyncRead and an AsyncWrite.
 */
export function copyBidirectional(a: AsyncRead & AsyncWrite, b: AsyncRead & AsyncWrite): CopyBidirectional {
  checkStreams(a, b);
  return new CopyBidirectional(a, b, COPY_BUF_SIZE, COPY_BUF_SIZE);
}

/**
 * The buffer sizes of {@link copyBidirectionalWithSizes}, in bytes, one per direction.
 *
 * @example
 * ```ts
 * const sizes: CopyBufferSizes = { aToB: 1024, bToA: 64 * 1024 }; // small requests, bulk replies
 * yield* copyBidirectionalWithSizes(client, upstream, sizes);
 * ```
 */
export interface CopyBufferSizes {
  /** The buffer for bytes read from `a` and written to `b`. */
  readonly aToB: number;
  /** The buffer for bytes read from `b` and written to `a`. */
  readonly bToA: number;
}

/**
 * {@link copyBidirectional} with a buffer of `sizes.aToB` bytes for the a→b direction and one of
 * `sizes.bToA` bytes for b→a (Tokio's `copy_bidirectional_with_sizes`): smaller buffers for many
 * idle connections, larger ones for bulk transfers. Each buffer is allocated at the first poll
 * and let go when its direction has copied everything. A direction whose reader is an {@link AsyncBufRead}
 * (a `BufReader`) copies out of the reader's own buffer, as `copy` and `copyBidirectional` do,
 * and allocates none: its size is not used.
 *
 * @example
 * ```ts
 * const [client, proxyIn] = duplex(1024);
 * const [proxyOut, server] = duplex(1024);
 * const proxy = spawn(copyBidirectionalWithSizes(proxyIn, proxyOut, { aToB: 512, bToA: 64 * 1024 }));
 * yield* writeAll(client, new TextEncoder().encode("ping"));
 * yield* shutdown(client);
 * yield* readToEnd(server); // "ping", then EOF: the proxy shut its write side down
 * yield* shutdown(server);
 * const [up, down] = yield* proxy; // [4, 0]
 * ```
 *
 * **Cancel safety**: not cancel safe: bytes in flight in either direction are lost.
 *
 * **Throws**: the first error of either stream; TypeError if `a` or `b` is not both an
 * AsyncRead and an AsyncWrite, `sizes` is not an object or a size is not a number; RangeError
 * unless each size is an integer in 1..2^30 (Tokio panics on 0).
 */
export function copyBidirectionalWithSizes(a: AsyncRead & AsyncWrite, b: AsyncRead & AsyncWrite, sizes: CopyBufferSizes): CopyBidirectional {
  checkStreams(a, b);
  if (typeof sizes !== "object" || sizes === null) {
    throw new TypeError(`sizes must be an object { aToB, bToA }, got ${sizes === null ? "null" : typeof sizes}`);
  }
  const { aToB, bToA } = sizes;
  checkBufferSize("sizes.aToB", aToB);
  checkBufferSize("sizes.bToA", bToA);
  return new CopyBidirectional(a, b, aToB, bToA);
}

function checkStreams(a: unknown, b: unknown): void {
  checkReader("a", a);
  checkWriter("a", a);
  checkReader("b", b);
  checkWriter("b", b);
}
