/**
 * The core shared by the bounded and the unbounded mpsc channel (Tokio's `mpsc::chan`), and the
 * receiving half, which is the same for both. Not part of the public surface.
 *
 * HOW. A channel is one {@link Chan}: a queue of messages (core's `BlockQueue`), the counts of
 * live senders and weak senders (the handles' bookkeeping is in `sender-handle.ts`), the
 * receiver's closed flags, and two intrusive wait queues — receive futures waiting for a
 * message, and `closed()` futures waiting for the receiver to go. A bounded channel also has a
 * batch semaphore with `bound` permits (Tokio does the same): a sender acquires one permit
 * before it pushes, and the receiver gives the permit back when it takes the message out. So a
 * permit is held by every queued message and by every reserved slot (a `Permit`, a send that
 * was granted but not yet polled); `sem.permits === bound` means no message is queued and no
 * slot is reserved ("idle", in Tokio's words).
 *
 * Messages are never `undefined` (`send(undefined)` is a TypeError), so `queue.shift()`
 * returning `undefined` means "empty", and `recv()` resolving `undefined` means "closed".
 *
 * Closing. The channel is closed for the receiver when the receiver closed it (`rxClosed`) or
 * the last sender was closed (`txCount === 0`); either closes the semaphore, which fails every
 * waiting send. Messages already queued stay receivable, and so do messages sent through slots
 * reserved before the close (Tokio's rule): `recv()` resolves `undefined` only once the channel
 * is closed, the queue is empty and no slot is reserved ({@link Chan.isDrained}). Whoever makes
 * that condition true (the last sender going, a permit dropped unused, a cancelled send giving
 * its slot back) wakes the receive futures. Dropping the receiver (`rxDropped`) also empties the
 * queue, and later sends through reserved slots discard their message.
 *
 * Receive futures. A receive future is small (the channel, `recvMany`'s buffer and limit, its
 * node, a done flag); it queues a separate {@link RecvNode} — allocated by the first poll that
 * finds nothing to take — so a receive that finds a message waiting allocates nothing but itself. Its states, read from
 * the node: IDLE (no node: not polled, or every poll found something) → WAITING (node in
 * `recvWaiters`, waker stored) → NOTIFIED (node taken off the queue by a push or a close, task
 * woken; the next poll takes the message) → DONE (`done`: completed or dropped). Only the
 * future links its node in; pushes and closes only unlink it (and wake), so "node not linked"
 * means NOTIFIED. A push notifies the head waiter only, so each message wakes one receive
 * future. A NOTIFIED future that finds the queue empty (another receive took the message
 * first) goes back to the front of the queue; one that is dropped passes its notification on
 * to the next waiter, so a dropped receive never strands a message (cancel safety). Closing
 * notifies them all.
 *
 * Budget: every receive future spends one unit of the task's coop budget when it completes and
 * yields when the budget is spent, so a task draining a busy channel lets the others run.
 */
import { Future, madeProgress, Pending, pollProceed, Resume, yieldContext, yieldSuspend, type Context, type Poll, type Waker } from "@tokio-ts/core";
import { BlockQueue, LinkedList, type ListNode } from "@tokio-ts/core/collections";
import { TryRecvError } from "../errors.js";
import type { BatchSemaphore } from "../internal/waiter.js";
import { WAITERS } from "../internal/wait-list.js";
import { err, ok, type Result } from "../result.js";

/** The channel state shared by the senders and the receiver. */
export class Chan<T> {
  readonly queue: BlockQueue<T>;
  /** The bounded channel's slots; undefined for the unbounded channel. */
  readonly sem: BatchSemaphore | undefined;
  /** The bounded channel's capacity; `Infinity` when unbounded. */
  readonly bound: number;
  /**
   * The waker of the receiver's last `pollRecv`/`pollRecvMany` that returned Pending (Tokio's
   * one receiver waker): woken by every push and by the close, outside the line of receive
   * futures, so a hand-written future that was dropped holds no place in it.
   */
  pollWaker: Waker | undefined = undefined;
  /** Live (not closed) sender handles, owned permits' handles included. */
  txCount = 1;
  /** Live (not disposed) weak sender handles: counted only, they keep nothing open. */
  weakCount = 0;
  /** The receiver closed the channel, or was dropped. */
  rxClosed = false;
  /** The receiver was dropped: nobody will ever read the queue again. */
  rxDropped = false;
  readonly recvWaiters = new LinkedList<RecvNode>();
  readonly closedWaiters = new LinkedList<ClosedWait>();

  constructor(sem: BatchSemaphore | undefined, bound: number) {
    this.sem = sem;
    this.bound = bound;
    this.queue = new BlockQueue<T>();
  }

  /** Closed from either end: no more messages except those queued or reserved. */
  isClosed(): boolean {
    return this.rxClosed || this.txCount === 0;
  }

  /** Closed, empty and no slot reserved: `recv()` resolves `undefined`. */
  isDrained(): boolean {
    if (this.queue.length !== 0 || !(this.rxClosed || this.txCount === 0)) return false;
    const sem = this.sem;
    return sem === undefined || sem.permits === this.bound;
  }

  /** A message enters the queue (its slot, if bounded, is already held). */
  push(value: T): void {
    if (this.rxDropped) {
      this.returnSlots(1);
      return;
    }
    this.queue.push(value);
    const waiters = this.recvWaiters;
    const head = waiters.head;
    if (head !== undefined) {
      waiters.remove(head);
      head.notify();
    }
    if (this.pollWaker !== undefined) this.wakePoller();
  }

  /** Wake (and forget) the waker of a pending `pollRecv`. */
  wakePoller(): void {
    const waker = this.pollWaker;
    this.pollWaker = undefined;
    waker?.wake();
  }

  /**
   * The receiver took `n` messages out: their slots go back to the senders. If that emptied a
   * closed channel, the other receive futures still waiting learn it now: the message that
   * was taken woke only its own receive.
   */
  taken(n: number): void {
    this.sem?.release(n);
    if (this.queue.length === 0 && (this.rxClosed || this.txCount === 0)) this.wakeIfDrained();
  }

  /** Reserved slots given back unused (a permit released, a granted send dropped). */
  returnSlots(n: number): void {
    this.sem?.release(n);
    this.wakeIfDrained();
  }

  /** If the channel is drained, every receive future completes (with "closed"). */
  wakeIfDrained(): void {
    if ((this.recvWaiters.head === undefined && this.pollWaker === undefined) || !this.isDrained()) return;
    const waiters = this.recvWaiters;
    for (let w = waiters.popFront(); w !== undefined; w = waiters.popFront()) w.notify();
    this.wakePoller();
  }

  /** A dropped NOTIFIED receive hands its notification to the next waiter. */
  passNotification(): void {
    const head = this.recvWaiters.head;
    if (head === undefined || (this.queue.length === 0 && !this.isDrained())) return;
    this.recvWaiters.remove(head);
    head.notify();
  }

  /**
   * A sender handle was closed; the last one closes the channel. The `closed()` futures of
   * that handle are now ready: they share one queue with those of the other handles, so all
   * the futures queued now are unlinked and woken, and those of the other handles queue again
   * at their next poll. (Walking the list instead would stop short when a waker re-enters and
   * unlinks the node the walk stands on.) Closing a handle is rare.
   */
  dropSender(): void {
    const waiters = this.closedWaiters;
    for (let n = waiters.length; n > 0; n--) waiters.popFront()?.notify();
    if (--this.txCount !== 0) return;
    this.sem?.close();
    this.wakeIfDrained();
  }

  /** The receiver closes the channel: sends fail from now on, queued messages stay. */
  closeRx(): void {
    if (this.rxClosed) return;
    this.rxClosed = true;
    this.sem?.close();
    const waiters = this.closedWaiters;
    for (let w = waiters.popFront(); w !== undefined; w = waiters.popFront()) w.notify();
    this.wakeIfDrained();
  }

  /** The receiver is dropped: close, and discard the queued messages. */
  dropRx(): void {
    this.closeRx();
    this.rxDropped = true;
    const n = this.queue.length;
    if (n === 0) return;
    this.queue.clear();
    this.returnSlots(n);
  }
}

/** Throw the TypeError for an `undefined` message (it is how `recv()` says "closed"). */
export function checkMessage(value: unknown): void {
  if (value === undefined) {
    throw new TypeError("cannot send undefined on an mpsc channel: recv() uses undefined to mean closed; send null or wrap the value");
  }
}

/** `recvMany`'s and `pollRecvMany`'s arguments: TypeError/RangeError naming the bad one. */
function checkRecvMany(buffer: unknown, limit: unknown): void {
  if (!Array.isArray(buffer)) throw new TypeError(`buffer must be an array, got ${typeof buffer}`);
  if (typeof limit !== "number") throw new TypeError(`limit must be a number, got ${typeof limit}`);
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
}

/** A receive future's place in `recvWaiters` (see the header). */
export class RecvNode implements ListNode {
  listPrev: ListNode | undefined = undefined;
  listNext: ListNode | undefined = undefined;
  list: LinkedList<ListNode> | undefined = undefined;
  /** Whom to wake; set by each pending poll, cleared when woken. */
  waker: Waker | undefined = undefined;

  /** @internal Taken off the wait queue by a push or a close: wake the task. */
  notify(): void {
    const waker = this.waker;
    this.waker = undefined;
    waker?.wake();
  }
}

/**
 * A receive future: `recv()` (no buffer: one message, or `undefined` once drained) or
 * `recvMany(buffer, limit)` (up to `limit` messages into `buffer`, their count, 0 once drained).
 * One class extending `Future` directly, not a base with a subclass per kind: on V8 each level
 * of a constructor chain costs on every `recv()` (a receive allocated and polled ready took
 * ~30 % longer as a subclass of an abstract base).
 */
class Recv<T, O> extends Future<O> {
  readonly #chan: Chan<T>;
  /** `recvMany`'s buffer; undefined for `recv`. */
  readonly #buffer: T[] | undefined;
  readonly #limit: number;
  /** Allocated by the first poll that has to wait. */
  #node: RecvNode | undefined = undefined;
  #done = false;

  constructor(chan: Chan<T>, buffer: T[] | undefined, limit: number) {
    super();
    this.#chan = chan;
    this.#buffer = buffer;
    this.#limit = limit;
  }

  // Its own `yield*` iterator: see `Future`'s `[Symbol.iterator]` in @tokio-ts/core.
  #yielded = false;

  override [Symbol.iterator](): Iterator<Future<O>, O, unknown> {
    return this;
  }

  next(value?: unknown): IteratorResult<Future<O>, O> {
    if (this.#yielded) {
      this.#yielded = false;
      if (value !== Resume) return { done: true, value: value as O };
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
    return yieldSuspend<O>(this, true);
  }

  return(value?: unknown): IteratorResult<Future<O>, O> {
    // The task dropped while suspended here: it holds no other reference to this wait.
    if (this.#yielded) this.cancel();
    this.#yielded = false;
    return { done: true, value: value as O };
  }

  throw(error?: unknown): IteratorResult<Future<O>, O> {
    this.#yielded = false;
    throw error;
  }

  override poll(cx: Context): Poll<O> {
    if (this.#done) throw new Error("a receive future was polled after it completed or was dropped");
    if (!pollProceed(cx)) return Pending;
    const chan = this.#chan;
    const out = (this.#buffer === undefined ? takeOne(chan) : takeMany(chan, this.#buffer, this.#limit)) as Poll<O>;
    let node = this.#node;
    if (out !== Pending) {
      this.#done = true;
      if (node !== undefined) {
        node.waker = undefined;
        chan.recvWaiters.remove(node); // WAITING: leave; NOTIFIED: already out
      }
      madeProgress(cx);
      return out;
    }
    if (node === undefined) {
      node = this.#node = new RecvNode();
      node.waker = cx.waker;
      chan.recvWaiters.pushBack(node);
    } else {
      node.waker = cx.waker;
      // A notified future that lost its message to another receive keeps its place in line.
      if (node.list === undefined) chan.recvWaiters.pushFront(node);
    }
    return Pending;
  }

  /** Drop: leave the queue in O(1); a notification it had not used goes to the next waiter. */
  override cancel(): void {
    if (this.#done) return;
    this.#done = true;
    const node = this.#node;
    if (node === undefined) return;
    node.waker = undefined;
    if (!this.#chan.recvWaiters.remove(node)) this.#chan.passNotification();
  }
}

/** `recv`: the next message, `undefined` if drained, else Pending. */
function takeOne<T>(chan: Chan<T>): Poll<T | undefined> {
  const value = chan.queue.shift();
  if (value !== undefined) {
    chan.taken(1);
    return value;
  }
  return chan.isDrained() ? undefined : Pending;
}

/** `recvMany`: how many messages moved into `buffer`, 0 if drained (or limit 0), else Pending. */
function takeMany<T>(chan: Chan<T>, buffer: T[], limit: number): Poll<number> {
  const queue = chan.queue;
  const n = Math.min(limit, queue.length);
  if (n > 0) {
    for (let i = 0; i < n; i++) buffer.push(queue.shift() as T);
    chan.taken(n);
    return n;
  }
  return limit === 0 || chan.isDrained() ? 0 : Pending;
}

/**
 * A `closed()` future of a sender: ready once `isClosed()` of its sender is true; the receiver
 * closing notifies the queue.
 */
export class ClosedWait extends Future<void> implements ListNode {
  listPrev: ListNode | undefined = undefined;
  listNext: ListNode | undefined = undefined;
  list: LinkedList<ListNode> | undefined = undefined;
  #waker: Waker | undefined = undefined;

  constructor(
    private readonly chan: Chan<unknown>,
    private readonly sender: { isClosed(): boolean },
  ) {
    super();
  }

  override poll(cx: Context): Poll<void> {
    if (this.sender.isClosed()) {
      this.chan.closedWaiters.remove(this);
      this.#waker = undefined;
      return undefined;
    }
    this.#waker = cx.waker;
    if (this.list === undefined) this.chan.closedWaiters.pushBack(this);
    return Pending;
  }

  /** @internal The receiver closed. */
  notify(): void {
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }

  override cancel(): void {
    this.#waker = undefined;
    this.chan.closedWaiters.remove(this);
  }
}

/**
 * The receiving half of an mpsc channel, bounded or unbounded (their `Receiver` and
 * `UnboundedReceiver` extend it). Not for direct use.
 */
export abstract class ChanReceiver<T> implements Disposable, AsyncIterable<T> {
  readonly #chan: Chan<T>;

  /** @hidden */
  constructor(chan: Chan<T>) {
    this.#chan = chan;
  }

  /**
   * Receive the next message; `undefined` once the channel is closed (every sender closed, or
   * `close()` called) and no message is left.
   *
   * @example
   * ```ts
   * const [tx, rx] = mpsc.channel<string>(8);
   * await tx.send("hello");
   * tx.close();
   * await rx.recv(); // "hello"
   * await rx.recv(); // undefined
   * ```
   *
   * **Cancel safety**: cancel safe. If a pending `recv()` is dropped (a `select` loser, a
   * timeout, an aborted task), it is guaranteed that no message was received: it leaves the
   * wait queue in O(1), and a message that had already woken it stays in the channel and wakes
   * the next receive.
   */
  recv(): Future<T | undefined> {
    return new Recv<T, T | undefined>(this.#chan, undefined, 1);
  }

  /**
   * Receive up to `limit` messages into `buffer` (appended), waiting for at least one. Resolves
   * with how many were added; 0 once the channel is closed and drained (or when `limit` is 0).
   *
   * @example
   * ```ts
   * const batch: number[] = [];
   * while ((await rx.recvMany(batch, 64)) > 0) {
   *   handle(batch);
   *   batch.length = 0;
   * }
   * ```
   *
   * **Cancel safety**: cancel safe, as {@link recv}: if it is dropped before it completes, no
   * message was received and nothing was added to `buffer`.
   *
   * **Throws**: TypeError unless `buffer` is an array; RangeError unless `limit` is a
   * non-negative integer.
   */
  recvMany(buffer: T[], limit: number): Future<number> {
    checkRecvMany(buffer, limit);
    return new Recv<T, number>(this.#chan, buffer, limit);
  }

  /**
   * Poll for the next message, for a future written by hand (Tokio's `Receiver::poll_recv`):
   * the message, `undefined` once the channel is closed and drained, or `Pending`. On `Pending`
   * the waker of `cx` is woken when a message arrives or the channel closes; of several calls,
   * only the waker of the most recent one is kept. It takes part in the coop budget as `recv()`.
   *
   * A future built on it is cancel safe as `recv()` is: dropped, it took no message. The
   * receiver keeps that one waker (Tokio's single receiver waker) apart from the line of
   * `recv()` futures: every message and the close wake it, as well as the first `recv()` in
   * line, so a dropped hand-written future holds no message back from a `recv()` (its waker
   * gets one spurious wake, then is let go).
   *
   * @example
   * ```ts
   * class Doubled extends Future<number | undefined> {
   *   constructor(private readonly rx: mpsc.Receiver<number>) { super(); }
   *   override poll(cx: Context): Poll<number | undefined> {
   *     const msg = this.rx.pollRecv(cx);
   *     return msg === Pending || msg === undefined ? msg : msg * 2;
   *   }
   * }
   * ```
   */
  pollRecv(cx: Context): Poll<T | undefined> {
    return this.#pollWith(cx, undefined, 1) as Poll<T | undefined>;
  }

  /**
   * Poll for up to `limit` messages, appended to `buffer` (Tokio's
   * `Receiver::poll_recv_many`): how many were added, 0 once the channel is closed and drained
   * (or when `limit` is 0), or `Pending`, with the waker of `cx` kept as by {@link pollRecv}.
   *
   * @example
   * ```ts
   * const batch: number[] = [];
   * const n = rx.pollRecvMany(cx, batch, 64); // Pending, or how many were pushed onto batch
   * ```
   *
   * **Throws**: TypeError unless `buffer` is an array; RangeError unless `limit` is a
   * non-negative integer.
   */
  pollRecvMany(cx: Context, buffer: T[], limit: number): Poll<number> {
    checkRecvMany(buffer, limit);
    return this.#pollWith(cx, buffer, limit) as Poll<number>;
  }

  #pollWith(cx: Context, buffer: T[] | undefined, limit: number): Poll<unknown> {
    if (!pollProceed(cx)) return Pending;
    const chan = this.#chan;
    const out = buffer === undefined ? takeOne(chan) : takeMany(chan, buffer, limit);
    if (out === Pending) {
      chan.pollWaker = cx.waker;
      return Pending;
    }
    chan.pollWaker = undefined;
    madeProgress(cx);
    return out;
  }

  /**
   * The next message if one is queued; otherwise why not: `"empty"` (senders may still send)
   * or `"disconnected"` (closed and drained).
   *
   * @example
   * ```ts
   * const r = rx.tryRecv();
   * if (r.ok) handle(r.value);
   * else if (r.error.kind === "disconnected") return;
   * ```
   */
  tryRecv(): Result<T, TryRecvError> {
    const out = takeOne(this.#chan);
    if (out === Pending) return err(new TryRecvError("empty", 0, "mpsc"));
    return out === undefined ? err(new TryRecvError("disconnected")) : ok(out);
  }

  /**
   * Close the channel without dropping the receiver: every pending and later send fails (and
   * gives its value back), `closed()` of the senders resolves, and the messages already queued
   * — or sent through a slot reserved before — can still be received; after them `recv()`
   * resolves `undefined`. Idempotent.
   *
   * @example
   * ```ts
   * rx.close();
   * while ((msg = await rx.recv()) !== undefined) handle(msg); // drain what was sent
   * ```
   */
  close(): void {
    this.#chan.closeRx();
  }

  /**
   * Whether the channel is closed: every sender was closed, or {@link close} was called.
   * Messages may still be queued.
   */
  isClosed(): boolean {
    return this.#chan.isClosed();
  }

  /** How many messages are queued. */
  get len(): number {
    return this.#chan.queue.length;
  }

  /** Whether no message is queued. */
  isEmpty(): boolean {
    return this.#chan.queue.length === 0;
  }

  /**
   * How many sender handles are open (an `OwnedPermit` holds one). Tokio's
   * `Receiver::sender_strong_count`.
   *
   * @example
   * ```ts
   * const [tx, rx] = mpsc.channel<number>(4);
   * const tx2 = tx.clone();
   * rx.senderStrongCount(); // 2
   * tx2.close();
   * rx.senderStrongCount(); // 1
   * ```
   */
  senderStrongCount(): number {
    return this.#chan.txCount;
  }

  /**
   * How many weak sender handles are alive (made by `downgrade()` or a weak sender's `clone()`,
   * not yet disposed). Tokio's `Receiver::sender_weak_count`.
   *
   * @example
   * ```ts
   * const [tx, rx] = mpsc.channel<number>(4);
   * const weak = tx.downgrade();
   * rx.senderWeakCount(); // 1
   * weak[Symbol.dispose]();
   * rx.senderWeakCount(); // 0
   * ```
   */
  senderWeakCount(): number {
    return this.#chan.weakCount;
  }

  /**
   * Drop the receiver: close the channel and discard the queued messages (their slots go back,
   * so senders holding reserved slots are not stuck). `using rx = …` does it at the end of the
   * scope.
   */
  [Symbol.dispose](): void {
    this.#chan.dropRx();
  }

  /** @internal Test hook: how many `recv()` futures wait on the channel. */
  [WAITERS](): number {
    return this.#chan.recvWaiters.length;
  }

  /**
   * `for await (const msg of rx)`: every message until the channel is closed and drained.
   * Leaving the loop early leaves the receiver open. Each `next()` is one `recv()` awaited by
   * the loop: a loop whose task is aborted (or whose async function's future is dropped) takes
   * no message, and the receiver goes on. A `next()` is a promise, which cannot be dropped: to
   * race a receive against something else, give `rx.recv()` itself to `select` or `timeout`
   * (an `async () => it.next()` branch can lose the message it took, see `select`).
   *
   * @example
   * ```ts
   * for await (const msg of rx) console.log(msg);
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    // Not an async generator: a rejection of one pending `next()` (CancelledError, when the
    // future awaiting it is dropped) would end a generator for good.
    const rx = this;
    return {
      next: (): Promise<IteratorResult<T, undefined>> =>
        rx.recv().then((value): IteratorResult<T, undefined> => (value === undefined ? { done: true, value: undefined } : { done: false, value })),
    };
  }
}
