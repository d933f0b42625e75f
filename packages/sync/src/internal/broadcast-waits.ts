/**
 * The futures behind `broadcast` (the user-facing handles are in `../broadcast.ts`): a
 * receiver's `recv()` ({@link Recv}, with its wait node {@link RecvNode}) and a sender's
 * `closed()` ({@link SenderClosed}). The ring, its slots and the lag rule are in
 * `broadcast-ring.ts`.
 */
import { Future, madeProgress, Pending, pollProceed, Resume, yieldContext, yieldSuspend, type Context, type Poll } from "@tokio-ts/core";
import { RecvError } from "../errors.js";
import { CLOSED, EMPTY, LAGGED, type Cursor, type Ring } from "./broadcast-ring.js";
import { ConditionWait, WaitNode, type WaitList } from "./wait-list.js";

/** The ring of a live receiver's cursor. **Throws**: Error if the receiver was disposed. */
export function live<T>(cursor: Cursor<T>): Ring<T> {
  const ring = cursor.ring;
  if (ring === undefined) throw new Error("the broadcast receiver was disposed: subscribe again to receive");
  return ring;
}

/**
 * The future of `recv()`: reads at each poll. It is small (the cursor, its wait node once it
 * has one, a done flag): a `recv()` that finds a value allocates nothing else. When there is
 * nothing yet it queues its {@link RecvNode} — allocated by the first poll that has to wait —
 * with the task's waker; a send or the close unlinks and wakes the node, and the next poll
 * reads again (and queues the node again if the read still finds nothing).
 *
 * States: IDLE (no node) → waiting (node allocated; linked while it waits, unlinked by a wake)
 * → done (`#done`: returned, threw or dropped; the node, if any, is unlinked).
 */
export class Recv<T> extends Future<T> {
  readonly #cursor: Cursor<T>;
  #node: RecvNode<T> | undefined = undefined;
  #done = false;

  constructor(cursor: Cursor<T>) {
    super();
    this.#cursor = cursor;
  }

  // Its own `yield*` iterator: see `Future`'s `[Symbol.iterator]` in @tokio-ts/core.
  #yielded = false;

  override [Symbol.iterator](): Iterator<Future<T>, T, unknown> {
    return this;
  }

  next(value?: unknown): IteratorResult<Future<T>, T> {
    if (this.#yielded) {
      this.#yielded = false;
      if (value !== Resume) return { done: true, value: value as T };
      // Resumed by pollGenerator: poll ourselves, a call V8 can inline (see yieldSuspend).
      const out = this.poll(yieldContext()!);
      if (out !== Pending) return { done: true, value: out };
    } else {
      const cx = yieldContext();
      if (cx !== undefined) {
        const out = this.poll(cx);
        if (out !== Pending) return { done: true, value: out };
      }
    }
    this.#yielded = true;
    return yieldSuspend<T>(this, true);
  }

  return(value?: unknown): IteratorResult<Future<T>, T> {
    // The task dropped while suspended here: it holds no other reference to this wait.
    if (this.#yielded) this.cancel();
    this.#yielded = false;
    return { done: true, value: value as T };
  }

  throw(error?: unknown): IteratorResult<Future<T>, T> {
    this.#yielded = false;
    throw error;
  }

  override poll(cx: Context): Poll<T> {
    if (this.#done) throw new Error("a broadcast recv() future was polled after it completed or was dropped");
    const cursor = this.#cursor;
    const ring = live(cursor);
    if (!pollProceed(cx)) return Pending;
    const out = cursor.read(ring);
    const node = this.#node;
    if (out === EMPTY) {
      ring.waiters.register(node ?? (this.#node = new RecvNode(cursor)), cx.waker);
      return Pending;
    }
    this.#done = true;
    if (node !== undefined) ring.waiters.unregister(node);
    madeProgress(cx);
    if (out === CLOSED) throw new RecvError("closed");
    if (out === LAGGED) throw new RecvError("lagged", cursor.lagged);
    return out;
  }

  override cancel(): void {
    this.#done = true;
    const node = this.#node;
    const list = node?.list;
    if (list !== undefined) (list as WaitList).unregister(node!);
  }
}

/**
 * A waiting `recv()`'s place in the ring's wait list. It remembers its cursor so that disposing
 * of the receiver can find (and wake, to fail) the receive futures that outlive it. Never
 * polled: it only sits in the list.
 */
export class RecvNode<T> extends WaitNode<never> {
  constructor(readonly cursor: Cursor<T>) {
    super();
  }

  override poll(): Poll<never> {
    throw new Error("a broadcast wait node is not a future to poll");
  }
}

/** `Sender.closed()`: ready when no receiver is left; the last receiver's drop wakes it. */
export class SenderClosed extends ConditionWait<void> {
  protected readonly waitList: WaitList;

  constructor(private readonly ring: Ring<unknown>) {
    super();
    this.waitList = ring.txWaiters;
  }

  protected override isReady(): boolean {
    return this.ring.receivers === 0;
  }

  protected override output(): void {}
}
