/**
 * `copyBidirectional(a, b)` (Tokio's `io::copy_bidirectional`): proxy two streams into each
 * other — what a TCP proxy does with its client and upstream sockets.
 *
 * HOW. Two {@link CopyBuffer}s, a→b and b→a, polled in turn by one future. Each direction goes
 * through RUNNING (copying) → SHUTTING_DOWN (its reader hit EOF and the writer was flushed: shut
 * the writer down, so the other side reads EOF too) → DONE (amount kept). The future completes
 * when both are DONE, with `[aToB, bToA]`; the first error ends it.
 */
import { Future, Pending, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncRead, AsyncWrite } from "../protocol.js";
import { checkReader, checkWriter } from "./internal/check.js";
import { CopyBuffer } from "./internal/copy-buffer.js";

const RUNNING = 0;
const SHUTTING_DOWN = 1;
const DONE = 2;

class Direction {
  state = RUNNING;
  readonly copy: CopyBuffer;

  constructor(
    reader: AsyncRead,
    readonly writer: AsyncWrite,
  ) {
    this.copy = new CopyBuffer(reader);
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
 * The future of {@link copyBidirectional}: resolves with `[aToB, bToA]`.
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

  /** @internal Use {@link copyBidirectional}. */
  constructor(a: AsyncRead & AsyncWrite, b: AsyncRead & AsyncWrite) {
    super();
    this.#aToB = new Direction(a, b);
    this.#bToA = new Direction(b, a);
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
 * both directions are done.
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
  checkReader("a", a);
  checkWriter("a", a);
  checkReader("b", b);
  checkWriter("b", b);
  return new CopyBidirectional(a, b);
}
