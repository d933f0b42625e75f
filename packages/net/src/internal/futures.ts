/**
 * The leaf futures behind the stream methods that io-driver's utilities do not cover (`peek`,
 * `ready`); `read`, `write`, `writeAll`, `flush` and `shutdown` are io-driver's own futures.
 * `PeekFuture` calls the stream's pollPeek and spends the coop budget as io-driver's futures do
 * (one unit per poll that made progress; the poll methods themselves spend nothing). pollPeek
 * keeps ONE waker per stream (the reader's slot, as Tokio's `poll_peek`), but `peek` may be
 * awaited by several tasks at once (Tokio's `peek(&self)`): so a pending peek also waits as a
 * waiter of its own in the registration's list, which it drops when it completes or is dropped.
 * `ReadyMap` drops the registration's waiter it wraps.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import { Interest, readyOf, type Ready, type ReadyEvent, type Registration } from "@tokio-ts/io-driver";

/** Something that can peek (a stream's NodeStream). */
export interface Peekable {
  pollPeek(cx: Context, buf: Uint8Array): Poll<number>;
  readonly registration: Registration;
}

/** `peek(buf)`: pollPeek, and a readiness waiter of its own while pending. */
export class PeekFuture extends Future<number> {
  #wait: Future<ReadyEvent> | undefined = undefined;

  constructor(
    private readonly reader: Peekable,
    private readonly buf: Uint8Array,
  ) {
    super();
  }

  poll(cx: Context): Poll<number> {
    if (!pollProceed(cx)) return Pending;
    let n: Poll<number>;
    try {
      n = this.reader.pollPeek(cx, this.buf);
    } catch (error) {
      this.cancel();
      madeProgress(cx);
      throw error;
    }
    if (n === Pending) {
      const wait = (this.#wait ??= this.reader.registration.ready(Interest.READABLE));
      if (wait.poll(cx) !== Pending) {
        // Ready again since pollPeek looked: look again at the next poll, with a new waiter.
        this.#wait = undefined;
        cx.waker.wake();
      }
      return Pending;
    }
    this.cancel();
    madeProgress(cx);
    return n;
  }

  override cancel(): void {
    const wait = this.#wait;
    this.#wait = undefined;
    wait?.cancel();
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
    if (!pollProceed(cx)) return Pending;
    try {
      this.check();
    } catch (error) {
      madeProgress(cx); // a failure spends the budget too (Tokio's coop)
      throw error;
    }
    const event = this.inner.poll(cx);
    if (event === Pending) return Pending;
    this.check(); // (the inner leaf has spent the unit)
    return this.map(readyOf(event));
  }

  override cancel(): void {
    this.inner.cancel();
  }
}
