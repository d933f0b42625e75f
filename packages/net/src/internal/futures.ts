/**
 * The leaf futures behind the stream methods that io-driver's utilities do not cover (`peek`,
 * `ready`); `read`, `write`, `writeAll`, `flush` and `shutdown` are io-driver's own futures.
 * `PeekFuture` calls the stream's pollPeek, which stores the waker in the stream's reader slot,
 * and spends the coop budget as io-driver's futures do (one unit per poll that made progress;
 * the poll methods themselves spend nothing). Dropping one needs no clean-up, except
 * `ReadyMap`, which drops the registration's waiter it wraps.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import { readyOf, type Ready, type ReadyEvent } from "@tokio-ts/io-driver";

/** Something that can peek (a stream or its read half). */
export interface Peekable {
  pollPeek(cx: Context, buf: Uint8Array): Poll<number>;
}

/** `peek(buf)`: one pollPeek. */
export class PeekFuture extends Future<number> {
  constructor(
    private readonly reader: Peekable,
    private readonly buf: Uint8Array,
  ) {
    super();
  }

  poll(cx: Context): Poll<number> {
    if (!pollProceed(cx)) return Pending;
    const n = this.reader.pollPeek(cx, this.buf);
    if (n === Pending) return Pending;
    madeProgress(cx);
    return n;
  }
}

/**
 * `ready(interest)`, `readable()`, `writable()`: the registration's waiter, its event mapped to
 * the Ready bits (or to nothing). `check` runs before each poll (it throws on a closed socket).
 */
export class ReadyMap<T> extends Future<T> {
  constructor(
    private readonly inner: Future<ReadyEvent>,
    private readonly map: (ready: Ready) => T,
    private readonly check: () => void,
  ) {
    super();
  }

  poll(cx: Context): Poll<T> {
    this.check();
    const event = this.inner.poll(cx);
    if (event === Pending) return Pending;
    this.check();
    return this.map(readyOf(event));
  }

  override cancel(): void {
    this.inner.cancel();
  }
}
