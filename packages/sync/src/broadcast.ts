/**
 * broadcast: a multi-producer, multi-consumer channel where every receiver sees every value
 * (Tokio's `sync::broadcast`). The ring, its slots and the lag rule are described in
 * `internal/broadcast-ring.ts`.
 *
 * @example
 * ```ts
 * import { broadcast } from "@tokio-ts/sync";
 * const [tx, rx1] = broadcast.channel<string>(16);
 * const rx2 = tx.subscribe();
 * tx.send("hi");
 * console.log(await rx1.recv(), await rx2.recv()); // "hi" "hi"
 * ```
 *
 * @module
 */
import { Future, madeProgress, Pending, pollProceed, Resume, yieldContext, yieldSuspend, type Context, type Poll } from "@tokio-ts/core";
import { RecvError, SendError, TryRecvError } from "./errors.js";
import { CLOSED, EMPTY, LAGGED, MAX_CAPACITY, Ring, TX_WAITERS, type Cursor } from "./internal/broadcast-ring.js";
import { ConditionWait, WAITERS, WaitNode, wakeQueued, type WaitList } from "./internal/wait-list.js";
import { err, ok, type Result } from "./result.js";

/**
 * Create a broadcast channel of `capacity` values (rounded up to a power of two): every value
 * sent is seen by every receiver subscribed at the time. Senders never wait: when the ring is
 * full, a send overwrites the oldest value, and a receiver that had not read it yet is told it
 * lagged.
 *
 * @example
 * ```ts
 * const [tx, rx1] = broadcast.channel<number>(16);
 * const rx2 = tx.subscribe();
 * tx.send(10);
 * tx.send(20);
 * await rx1.recv(); // 10
 * await rx2.recv(); // 10
 * await rx2.recv(); // 20
 * ```
 *
 * **Throws**: TypeError if `capacity` is not a number; RangeError unless it is an integer from 1
 * to 2^24 (16,777,216): the ring is allocated up front, and the maximum already takes ~320 MB.
 */
export function channel<T>(capacity: number): [Sender<T>, Receiver<T>] {
  if (typeof capacity !== "number") throw new TypeError(`capacity must be a number, got ${typeof capacity}`);
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity must be an integer from 1 to ${MAX_CAPACITY}, got ${capacity}`);
  }
  // MAX_CAPACITY is a power of two, so a capacity up to it rounds up to at most it.
  if (capacity > MAX_CAPACITY) {
    throw new RangeError(`capacity must be at most ${MAX_CAPACITY} (the ring is allocated up front), got ${capacity}`);
  }
  let rounded = 1;
  while (rounded < capacity) rounded *= 2;
  const ring = new Ring<T>(rounded);
  return [new Sender(ring), new Receiver(ring.subscribe())];
}

/**
 * The sending half of a broadcast channel. Clone it for more producers; the channel closes
 * when every sender is disposed.
 *
 * @example
 * ```ts
 * const [tx, rx] = broadcast.channel<string>(8);
 * const r = tx.send("hello");
 * if (r.ok) console.log(`seen by ${r.value} receiver(s)`); // 1
 * ```
 */
export class Sender<T> implements Disposable {
  #ring: Ring<T> | undefined;

  /** @internal Use {@link channel} or {@link Sender.clone}. */
  constructor(ring: Ring<T>) {
    this.#ring = ring;
  }

  /**
   * Send `value` to every receiver subscribed now: ok with how many they are, or SendError
   * (carrying `value`) when there is none. Never waits: a full ring overwrites its oldest value.
   *
   * @example
   * ```ts
   * const [tx, rx] = broadcast.channel<number>(2);
   * tx.send(1); // { ok: true, value: 1 }
   * rx[Symbol.dispose]();
   * const r = tx.send(2); // { ok: false, error: SendError } and r.error.value === 2
   * ```
   *
   * **Throws**: Error if this sender was disposed.
   */
  send(value: T): Result<number, SendError<T>> {
    const ring = this.#live();
    const receivers = ring.receivers;
    if (receivers === 0) return err(new SendError(value));
    ring.push(value);
    return ok(receivers);
  }

  /**
   * A new receiver that sees the values sent from now on.
   *
   * @example
   * ```ts
   * const [tx, first] = broadcast.channel<number>(4);
   * tx.send(1);
   * const late = tx.subscribe();
   * tx.send(2);
   * await late.recv(); // 2 (1 was sent before it subscribed)
   * ```
   *
   * **Throws**: Error if this sender was disposed.
   */
  subscribe(): Receiver<T> {
    return new Receiver(this.#live().subscribe());
  }

  /** How many receivers would get a value sent now. **Throws**: Error if disposed. */
  receiverCount(): number {
    return this.#live().receivers;
  }

  /**
   * How many values are queued: sent, and not yet read by every receiver that was subscribed
   * when they were sent (a receiver disposed since no longer counts). At most the capacity: a
   * value overwritten by a later send is no longer queued.
   *
   * @example
   * ```ts
   * const [tx, rx1] = broadcast.channel<number>(4);
   * const rx2 = tx.subscribe();
   * tx.send(1); tx.send(2);
   * rx1.tryRecv(); rx1.tryRecv();
   * tx.len; // 2: rx2 has read neither
   * rx2.tryRecv();
   * tx.len; // 1
   * ```
   *
   * **Throws**: Error if disposed.
   */
  get len(): number {
    return this.#live().len();
  }

  /** Whether {@link len} is 0. **Throws**: Error if disposed. */
  isEmpty(): boolean {
    return this.len === 0;
  }

  /**
   * Wait until every receiver is gone (at once if there is none): a producer's cue to stop. A
   * `subscribe()` before it completes makes it wait for that receiver too.
   *
   * @example
   * ```ts
   * const [tx, rx] = broadcast.channel<number>(8);
   * setTimeout(() => rx[Symbol.dispose]());
   * await tx.closed(); // resolves once rx is disposed
   * ```
   *
   * **Cancel safety**: cancel safe: it takes nothing; a dropped wait is unlinked in O(1).
   *
   * **Throws**: Error (at the call) if this sender was disposed.
   */
  closed(): Future<void> {
    return new SenderClosed(this.#live());
  }

  /**
   * Another sender on the same channel; the channel stays open until every sender is disposed.
   *
   * @example
   * ```ts
   * const tx2 = tx.clone();
   * tx[Symbol.dispose](); // still open: tx2 can send
   * ```
   *
   * **Throws**: Error if this sender was disposed.
   */
  clone(): Sender<T> {
    const ring = this.#live();
    ring.senders++;
    return new Sender(ring);
  }

  /**
   * Drop this sender (`using tx = …` does it at the end of the scope). When it is the last, the
   * channel closes: receivers get what is left to them, then RecvError "channel closed".
   * Idempotent.
   */
  [Symbol.dispose](): void {
    const ring = this.#ring;
    if (ring === undefined) return;
    this.#ring = undefined;
    if (--ring.senders === 0) ring.close();
  }

  /** @internal Test hook: how many `recv()` futures wait on the channel. */
  [WAITERS](): number {
    return this.#live().waiters.length;
  }

  /** @internal Test hook: how many `closed()` futures wait on the channel. */
  [TX_WAITERS](): number {
    return this.#live().txWaiters.length;
  }

  #live(): Ring<T> {
    const ring = this.#ring;
    if (ring === undefined) throw new Error("the broadcast sender was disposed: clone a live sender to keep sending");
    return ring;
  }
}

/**
 * The receiving half of a broadcast channel: its own cursor over the values sent since it
 * subscribed. Get more with `tx.subscribe()` or `rx.resubscribe()`. `for await` iterates it
 * until the channel is closed and drained.
 *
 * @example
 * ```ts
 * const [tx, rx] = broadcast.channel<number>(4);
 * tx.send(1); tx.send(2);
 * tx[Symbol.dispose]();
 * for await (const v of rx) console.log(v); // 1, then 2
 * ```
 */
export class Receiver<T> implements Disposable, AsyncIterable<T> {
  readonly #cursor: Cursor<T>;

  /** @internal Use {@link channel}, {@link Sender.subscribe} or {@link Receiver.resubscribe}. */
  constructor(cursor: Cursor<T>) {
    this.#cursor = cursor;
  }

  /**
   * Wait for the next value. Rejects with RecvError "channel lagged by n" when this receiver
   * fell more than the capacity behind: the n oldest values it had not read were overwritten,
   * and its cursor has moved to the oldest value kept, which the next `recv()` returns. Rejects
   * with RecvError "channel closed" once every sender is gone and nothing is left to read.
   *
   * @example
   * ```ts
   * const [tx, rx] = broadcast.channel<number>(2);
   * for (let i = 1; i <= 5; i++) tx.send(i);
   * try { await rx.recv() } catch (e) { console.log((e as RecvError).lagged) } // 3 (1, 2 and 3 were overwritten)
   * await rx.recv(); // 4
   * await rx.recv(); // 5
   * ```
   *
   * **Cancel safety**: cancel safe: a value is taken only by the poll that returns it, so a
   * dropped `recv()` (a `select` loser, a timeout) has received nothing; its waiter is unlinked
   * in O(1).
   *
   * **Throws** (rejects): RecvError `"lagged"` / `"closed"`; Error if the receiver was disposed.
   */
  recv(): Future<T> {
    live(this.#cursor);
    return new Recv(this.#cursor);
  }

  /**
   * The next value now, or why not: `"empty"`, `"lagged"` (with the count; the cursor moved to
   * the oldest value kept), `"closed"` (every sender gone and nothing left).
   *
   * @example
   * ```ts
   * const r = rx.tryRecv();
   * if (r.ok) use(r.value);
   * else if (r.error.kind === "lagged") console.warn(`missed ${r.error.lagged}`);
   * ```
   *
   * **Throws**: Error if the receiver was disposed.
   */
  tryRecv(): Result<T, TryRecvError> {
    const cursor = this.#cursor;
    const out = cursor.read(live(cursor));
    if (out === EMPTY) return err(new TryRecvError("empty"));
    if (out === CLOSED) return err(new TryRecvError("closed"));
    if (out === LAGGED) return err(new TryRecvError("lagged", cursor.lagged));
    return ok(out);
  }

  /**
   * A new receiver on the same channel, starting at the current tail: it sees the values sent
   * from now on, not those still queued for this one.
   *
   * @example
   * ```ts
   * tx.send(1);
   * const rx2 = rx.resubscribe();
   * tx.send(2);
   * await rx2.recv(); // 2
   * await rx.recv(); // 1
   * ```
   *
   * **Throws**: Error if the receiver was disposed.
   */
  resubscribe(): Receiver<T> {
    return new Receiver(live(this.#cursor).subscribe());
  }

  /**
   * How many values were sent that this receiver has not read yet. When it exceeds the
   * capacity, the next read reports a lag. **Throws**: Error if disposed.
   */
  get len(): number {
    const cursor = this.#cursor;
    return live(cursor).tail - cursor.next;
  }

  /** Whether {@link len} is 0. **Throws**: Error if disposed. */
  isEmpty(): boolean {
    return this.len === 0;
  }

  /**
   * Drop this receiver (`using rx = …` does it at the end of the scope): sends stop counting
   * it, and the values it had yet to read are released. A `recv()` of it still pending is woken
   * and fails with an Error. Idempotent.
   */
  [Symbol.dispose](): void {
    const cursor = this.#cursor;
    const ring = cursor.drop();
    if (ring === undefined) return;
    // JavaScript lets a recv() future outlive its receiver: wake this receiver's to fail. They
    // are picked first and woken after: a waker may drop (unlink) another one meanwhile.
    const waiters = ring.waiters;
    const mine: WaitNode<unknown>[] = [];
    for (let node = waiters.head; node !== undefined; node = node.listNext as WaitNode<unknown> | undefined) {
      if (node instanceof RecvNode && node.cursor === cursor) mine.push(node);
    }
    wakeQueued(waiters, mine);
  }

  /**
   * `for await (const v of rx)`: each value in turn; ends when the channel is closed and
   * drained. A lag rejects the step with RecvError `"lagged"` (nothing is skipped silently);
   * the cursor has then moved, so a new loop continues from the oldest value kept. Leaving the
   * loop early does not dispose the receiver.
   *
   * **Cancel safety**: each step is a `recv()`: cancel safe.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const rx = this;
    return {
      next(): Promise<IteratorResult<T>> {
        return rx.recv().then(
          (value): IteratorResult<T> => ({ done: false, value }),
          (error: unknown): IteratorResult<T> => {
            if (error instanceof RecvError && error.kind === "closed") return { done: true, value: undefined };
            throw error;
          },
        );
      },
    };
  }

  /** @internal Test hook: how many `recv()` futures wait on the channel. */
  [WAITERS](): number {
    return live(this.#cursor).waiters.length;
  }
}

function live<T>(cursor: Cursor<T>): Ring<T> {
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
class Recv<T> extends Future<T> {
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
class RecvNode<T> extends WaitNode<never> {
  constructor(readonly cursor: Cursor<T>) {
    super();
  }

  override poll(): Poll<never> {
    throw new Error("a broadcast wait node is not a future to poll");
  }
}

/** `Sender.closed()`: ready when no receiver is left; the last receiver's drop wakes it. */
class SenderClosed extends ConditionWait<void> {
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
