/**
 * broadcast: a multi-producer, multi-consumer channel where every receiver sees every value
 * (Tokio's `sync::broadcast`). The ring, its slots and the lag rule are described in
 * `internal/broadcast-ring.ts`; the `recv()` and `closed()` futures are in
 * `internal/broadcast-waits.ts`.
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
import type { Future } from "@tokio-ts/core";
import { RecvError, SendError, TryRecvError } from "./errors.js";
import { CLOSED, EMPTY, LAGGED, MAX_CAPACITY, Ring, TX_WAITERS, type Cursor } from "./internal/broadcast-ring.js";
import { live, Recv, RecvNode, SenderClosed } from "./internal/broadcast-waits.js";
import { WAITERS, WaitNode, wakeQueued } from "./internal/wait-list.js";
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

  /** @hidden Use {@link channel} or {@link Sender.clone}. */
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
   * A {@link WeakSender} on the same channel: it does not keep the channel open (once every
   * sender is disposed the channel closes, weak senders or not), and `upgrade()` turns it back
   * into a sender while some sender is still alive. Tokio's `Sender::downgrade`.
   *
   * @example
   * ```ts
   * const [tx, rx] = broadcast.channel<string>(8);
   * const weak = tx.downgrade();
   * const tx2 = weak.upgrade(); // a sender: tx is alive
   * tx2?.send("still open");
   * tx2?.[Symbol.dispose]();
   * tx[Symbol.dispose]();
   * weak.upgrade(); // undefined: the channel closed with its last sender
   * ```
   *
   * **Throws**: Error if this sender was disposed.
   */
  downgrade(): WeakSender<T> {
    return new WeakSender(this.#live());
  }

  /**
   * How many senders of this channel are alive (this one included): clones and upgraded weak
   * senders count, disposed ones do not. Tokio's `Sender::strong_count`.
   *
   * @example
   * ```ts
   * const [tx] = broadcast.channel<number>(4);
   * const tx2 = tx.clone();
   * tx.strongCount(); // 2
   * tx2[Symbol.dispose]();
   * tx.strongCount(); // 1
   * ```
   *
   * **Throws**: Error if this sender was disposed.
   */
  strongCount(): number {
    return this.#live().senders;
  }

  /**
   * How many {@link WeakSender}s of this channel are alive (made by `downgrade()` or a weak
   * sender's `clone()`, not yet disposed). Tokio's `Sender::weak_count`.
   *
   * @example
   * ```ts
   * const [tx] = broadcast.channel<number>(4);
   * using weak = tx.downgrade();
   * tx.weakCount(); // 1
   * ```
   *
   * **Throws**: Error if this sender was disposed.
   */
  weakCount(): number {
    return this.#live().weakSenders;
  }

  /**
   * Whether `other` sends on the same channel as this sender. Tokio's `Sender::same_channel`.
   *
   * @example
   * ```ts
   * const [tx] = broadcast.channel<number>(4);
   * const [other] = broadcast.channel<number>(4);
   * tx.sameChannel(tx.clone()); // true
   * tx.sameChannel(other); // false
   * ```
   *
   * **Throws**: Error if this sender or `other` was disposed.
   */
  sameChannel(other: Sender<T>): boolean {
    return this.#live() === other.#live();
  }

  /**
   * Close this sender: the same as disposing it (`[Symbol.dispose]()`, or `using`), named as
   * `mpsc`'s `Sender.close()` for code that closes senders by hand.
   *
   * @example
   * ```ts
   * try { tx.send(update) } finally { tx.close() }
   * ```
   */
  close(): void {
    this[Symbol.dispose]();
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
 * A sender that does not count: it does not keep the channel open. `upgrade()` gives a
 * {@link Sender} back while at least one sender is alive; once the last sender is disposed
 * the channel is closed for good and `upgrade()` returns `undefined`. Make one with
 * {@link Sender.downgrade}. Tokio's `broadcast::WeakSender`.
 *
 * JavaScript has no destructors: dispose a weak sender (`using weak = …`) so that
 * {@link weakCount} stops counting it. One never disposed only keeps that count up; it never
 * keeps the channel open.
 *
 * @example
 * ```ts
 * const [tx, rx] = broadcast.channel<string>(8);
 * using weak = tx.downgrade(); // e.g. held by a task that must not keep the channel alive
 * const tx2 = weak.upgrade();
 * tx2?.send("hello"); // ok: tx is alive, so the upgrade gave a sender
 * tx2?.[Symbol.dispose]();
 * tx[Symbol.dispose]();
 * weak.upgrade(); // undefined
 * ```
 */
export class WeakSender<T> implements Disposable {
  readonly #ring: Ring<T>;
  #disposed = false;

  /** @hidden Use {@link Sender.downgrade} or {@link WeakSender.clone}. */
  constructor(ring: Ring<T>) {
    this.#ring = ring;
    ring.weakSenders++;
  }

  /**
   * A new {@link Sender} on the channel if some sender is still alive, else `undefined`. The
   * sender it returns counts like a clone: dispose it when done.
   *
   * @example
   * ```ts
   * const tx2 = weak.upgrade();
   * if (tx2 === undefined) return; // the channel is closed
   * using _tx2 = tx2;
   * tx2.send(value);
   * ```
   *
   * **Throws**: Error if this weak sender was disposed.
   */
  upgrade(): Sender<T> | undefined {
    const ring = this.#live();
    if (ring.senders === 0) return undefined;
    ring.senders++;
    return new Sender(ring);
  }

  /**
   * Another weak sender on the same channel (counted by {@link weakCount}).
   *
   * @example
   * ```ts
   * using weak2 = weak.clone();
   * weak.weakCount(); // 2
   * ```
   *
   * **Throws**: Error if this weak sender was disposed.
   */
  clone(): WeakSender<T> {
    return new WeakSender(this.#live());
  }

  /**
   * How many senders of the channel are alive: 0 once the channel is closed.
   *
   * @example
   * ```ts
   * const weak = tx.downgrade();
   * tx[Symbol.dispose]();
   * weak.strongCount(); // 0
   * ```
   *
   * **Throws**: Error if this weak sender was disposed.
   */
  strongCount(): number {
    return this.#live().senders;
  }

  /**
   * How many weak senders of the channel are alive, this one included.
   *
   * @example
   * ```ts
   * const weak = tx.downgrade();
   * weak.weakCount(); // 1
   * ```
   *
   * **Throws**: Error if this weak sender was disposed.
   */
  weakCount(): number {
    return this.#live().weakSenders;
  }

  /** Drop this weak sender: {@link weakCount} stops counting it. Idempotent. */
  [Symbol.dispose](): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#ring.weakSenders--;
  }

  #live(): Ring<T> {
    if (this.#disposed) throw new Error("the broadcast weak sender was disposed: downgrade a live sender for another");
    return this.#ring;
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

  /** @hidden Use {@link channel}, {@link Sender.subscribe} or {@link Receiver.resubscribe}. */
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
   * Whether `other` receives from the same channel as this receiver. Tokio's
   * `Receiver::same_channel`.
   *
   * @example
   * ```ts
   * const [tx, rx] = broadcast.channel<number>(4);
   * const [, elsewhere] = broadcast.channel<number>(4);
   * rx.sameChannel(tx.subscribe()); // true
   * rx.sameChannel(elsewhere); // false
   * ```
   *
   * **Throws**: Error if this receiver or `other` was disposed.
   */
  sameChannel(other: Receiver<T>): boolean {
    return live(this.#cursor) === live(other.#cursor);
  }

  /**
   * Whether the channel is closed: every sender is gone (weak senders do not count). Values
   * sent before may still be waiting for this receiver: `recv()` returns them first, then
   * fails with RecvError "channel closed". Tokio's `Receiver::is_closed`.
   *
   * @example
   * ```ts
   * const [tx, rx] = broadcast.channel<number>(4);
   * tx.send(1);
   * tx[Symbol.dispose]();
   * rx.isClosed(); // true
   * await rx.recv(); // 1: still delivered
   * ```
   *
   * **Throws**: Error if the receiver was disposed.
   */
  isClosed(): boolean {
    return live(this.#cursor).senders === 0;
  }

  /**
   * How many senders of the channel are alive. Tokio's `Receiver::sender_strong_count`.
   *
   * @example
   * ```ts
   * const [tx, rx] = broadcast.channel<number>(4);
   * rx.senderStrongCount(); // 1
   * ```
   *
   * **Throws**: Error if the receiver was disposed.
   */
  senderStrongCount(): number {
    return live(this.#cursor).senders;
  }

  /**
   * How many weak senders of the channel are alive. Tokio's `Receiver::sender_weak_count`.
   *
   * @example
   * ```ts
   * const [tx, rx] = broadcast.channel<number>(4);
   * using weak = tx.downgrade();
   * rx.senderWeakCount(); // 1
   * ```
   *
   * **Throws**: Error if the receiver was disposed.
   */
  senderWeakCount(): number {
    return live(this.#cursor).weakSenders;
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
   * **Cancel safety**: a loop whose task is aborted (or whose async function's future is
   * dropped) loses no value: each step is one `recv()` awaited by the loop. But a `next()` is a
   * promise, which cannot be dropped: one that loses a `Promise.race` goes on waiting and takes
   * the next value. To race a receive against something else, give `rx.recv()` itself to
   * `select` or `timeout`.
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

// The errors of this channel, also here as Tokio has them (`broadcast::error::RecvError`); the same
// classes as the package's top-level exports.
export { SendError, RecvError, TryRecvError } from "./errors.js";
