/**
 * The leaf futures behind the stream methods that io-driver's utilities do not cover (`peek`,
 * `ready`); `read`, `write`, `writeAll`, `flush` and `shutdown` are io-driver's own futures.
 * `PeekFuture` spends the coop budget as io-driver's futures do (one unit per poll that made
 * progress; the poll methods themselves spend nothing). `peek` may be awaited by several tasks
 * at once (Tokio's `peek(&self)`), next to a pending `read`: so it never takes the stream's one
 * reader waker (pollPeek would, and a read waiting on it would lose its wake-up). It looks at the
 * queue (`peekQueued`) and waits as a readiness waiter of its own in the registration's list,
 * which it drops when it completes or is dropped — Tokio's `async_io` loop: wait for readiness,
 * try, clear the readiness that brought nothing (the tick rule), wait again.
 * `ReadyMap` drops the registration's waiter it wraps.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import { Interest, readyOf, type Ready, type ReadyEvent, type Registration } from "@tokio-ts/io-driver";

/** Something that can peek (a stream's NodeStream). */
export interface Peekable {
  peekQueued(buf: Uint8Array): Poll<number>;
  readonly registration: Registration;
}

/** `peek(buf)`: the queued bytes, or a readiness waiter of its own until there are some. */
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
    let event: ReadyEvent | undefined;
    for (;;) {
      let n: Poll<number>;
      try {
        n = this.reader.peekQueued(this.buf);
      } catch (error) {
        this.cancel();
        madeProgress(cx);
        throw error;
      }
      if (n !== Pending) {
        this.cancel();
        madeProgress(cx);
        return n;
      }
      // Readiness that brought nothing to peek at (a read took it first): clear what this
      // event saw, and wait for the next.
      if (event !== undefined) this.reader.registration.clearReadiness(event);
      const wait = (this.#wait ??= this.reader.registration.ready(Interest.READABLE));
      let ready: Poll<ReadyEvent>;
      try {
        ready = wait.poll(cx);
      } catch (error) {
        this.#wait = undefined; // a failed wait is done
        madeProgress(cx);
        throw error;
      }
      if (ready === Pending) return Pending;
      this.#wait = undefined;
      event = ready;
    }
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
