/**
 * The bounded mpsc channel (Tokio's `mpsc::channel`): many senders, one receiver, at most
 * `capacity` messages in flight, so a fast producer waits for a slow consumer (backpressure).
 *
 * Built as Tokio builds it (see `chan.ts`): a batch semaphore with `capacity` permits guards
 * the queue. `send` = acquire one permit, push; `recv` = shift, release one permit.
 * Senders wait in FIFO order — the semaphore hands a freed slot to the longest waiting sender,
 * and `trySend` does not jump that queue. A send (reserve) future is small and takes a free
 * slot itself on its first poll; only a send that has to wait allocates a semaphore wait node
 * ({@link SlotFuture}): dropping it is O(1), and a slot already handed to it goes to the next
 * sender.
 */
import { Future, isFuture, madeProgress, Pending, pollProceed, Resume, yieldContext, yieldSuspend, type Context, type Poll } from "@tokio-ts/core";
import { AcquireError, SendError, SendTimeoutError, TrySendError } from "../errors.js";
import { WAITERS } from "../internal/wait-list.js";
import { BatchSemaphore, MAX_PERMITS, Waiter } from "../internal/waiter.js";
import { err, ok, type Result } from "../result.js";
import { Chan, ChanReceiver, checkMessage, ClosedWait } from "./chan.js";
import { SenderHandle, WeakSenderHandle } from "./sender-handle.js";
import { OwnedPermit, Permit, PermitIterator } from "./permit.js";

const OK: Result<void, never> = ok(undefined);

/**
 * Create a bounded channel with room for `capacity` messages: `[Sender, Receiver]`.
 *
 * @example
 * ```ts
 * const [tx, rx] = mpsc.channel<number>(16);
 * spawn(async () => {
 *   for (let i = 0; i < 3; i++) await tx.send(i); // waits while 16 are queued
 *   tx.close(); // the last sender: the receiver sees the end
 * });
 * for await (const n of rx) console.log(n); // 0, 1, 2
 * ```
 *
 * A message is never `undefined`: `recv()` resolves `undefined` to say the channel is closed.
 * The send methods take `T & ({} | null)`, which leaves `undefined` out of `T` at compile time
 * (a signal channel is `channel<null>`, sending `null`, rather than `channel<void>`).
 *
 * **Throws**: TypeError unless `capacity` is a number; RangeError unless it is an integer from
 * 1 to `Number.MAX_SAFE_INTEGER` (a zero-capacity channel would never accept a message).
 */
export function channel<T>(capacity: number): [Sender<T>, Receiver<T>] {
  if (typeof capacity !== "number") throw new TypeError(`capacity must be a number, got ${typeof capacity}`);
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_PERMITS) {
    throw new RangeError(`capacity must be an integer from 1 to ${MAX_PERMITS}, got ${capacity}`);
  }
  const chan = new Chan<T>(new BatchSemaphore(capacity), capacity);
  return [new Sender(chan), new Receiver(chan)];
}

/**
 * The sending half of a bounded channel. Clone it for more producers (`clone()`); close each
 * handle when done (`close()`, or `using tx = …`) — once the last one is closed the receiver
 * sees the end of the channel. A handle that is never closed keeps the channel open.
 *
 * @example
 * ```ts
 * const [tx, rx] = mpsc.channel<string>(4);
 * const tx2 = tx.clone();
 * await tx.send("a");
 * tx2.trySend("b"); // { ok: true }
 * tx.close(); tx2.close();
 * ```
 */
export class Sender<T> extends SenderHandle<T> {
  /** @hidden Use {@link channel}. */
  constructor(chan: Chan<T>) {
    super(chan);
  }

  protected override make(chan: Chan<T>): this {
    return new Sender(chan) as this;
  }

  /**
   * Send `value`, waiting for a free slot while the channel is full. Like every future, it does
   * nothing until it is awaited (or polled): `tx.send(v)` on its own line sends nothing. For a
   * send that must not wait, from code that cannot await, use {@link trySend}.
   *
   * @example
   * ```ts
   * try { await tx.send(job) } catch (e) { if (e instanceof SendError) requeue(e.value) }
   * ```
   *
   * **Cancel safety**: as in Tokio: if it is dropped before it completes (a `select` loser, a
   * timeout, an aborted task), it is guaranteed that the value was not sent, and a slot already
   * handed to it goes to the next waiting sender. Sends and reserves complete in the order they
   * were requested; a dropped `send` loses its place in that queue, and the value is gone
   * unless the caller kept a reference to it. To wait without risking the value, `reserve()`
   * first, then `permit.send(value)`.
   *
   * **Throws**: TypeError at the call if `value` is `undefined`; rejects with {@link SendError}
   * (carrying `value`) if the receiver closed the channel or this handle was closed.
   */
  send(value: T & ({} | null)): Future<void> {
    checkMessage(value);
    return new SlotFuture<T, void>(this.chan, this, SlotKind.Send, 1, value);
  }

  /**
   * Send `value` if there is a free slot now (and no sender is waiting for one); otherwise give
   * it back: `"full"` or `"closed"`.
   *
   * @example
   * ```ts
   * const r = tx.trySend(sample);
   * if (!r.ok && r.error.kind === "full") dropped++;
   * ```
   *
   * **Throws**: TypeError if `value` is `undefined`.
   */
  trySend(value: T & ({} | null)): Result<void, TrySendError<T>> {
    checkMessage(value);
    const chan = this.chan;
    if (this.isClosed()) return err(new TrySendError("closed", value));
    if (!chan.sem!.tryTake(1)) return err(new TrySendError("full", value));
    chan.push(value);
    return OK;
  }

  /**
   * Send `value`, giving up when `deadline` completes first. Pass any future: usually
   * `sleep(ms)` from `@tokio-ts/time` (this package does not depend on the time package, so it
   * cannot make the timer itself). The deadline is dropped when the send completes.
   *
   * @example
   * ```ts
   * import { SendTimeoutError } from "@tokio-ts/sync";
   * import { sleep } from "@tokio-ts/time";
   * try {
   *   await tx.sendTimeout(msg, sleep(100));
   * } catch (e) {
   *   if (e instanceof SendTimeoutError && e.kind === "timeout") console.log("slow consumer", e.value);
   * }
   * ```
   *
   * **Cancel safety**: as {@link send}: if dropped before it completes, the value was not sent.
   *
   * **Throws**: TypeError at the call if `value` is `undefined` or `deadline` is not a future;
   * rejects with {@link SendTimeoutError} `"timeout"` or `"closed"` (carrying `value`), or with
   * what the deadline's poll throws (e.g. timers disabled in the runtime).
   */
  sendTimeout(value: T & ({} | null), deadline: Future<unknown>): Future<void> {
    checkMessage(value);
    if (!isFuture(deadline)) throw new TypeError("deadline must be a future, such as sleep(ms) from @tokio-ts/time");
    return new SendTimeout(new SlotFuture<T, void>(this.chan, this, SlotKind.Send, 1, value), deadline, value);
  }

  /**
   * Wait for a free slot and hold it: the {@link Permit} sends one message synchronously. The
   * slot is the permit's until it sends or is released.
   *
   * @example
   * ```ts
   * using permit = await tx.reserve(); // the slot is ours: nothing can fail below
   * permit.send(await buildMessage());
   * ```
   *
   * **Cancel safety**: cancel safe: a dropped reserve leaves the queue in O(1) and a slot
   * already handed to it goes to the next waiting sender. As in Tokio, dropping it loses its
   * place in the queue (sends and reserves complete in the order they were requested).
   *
   * **Throws** (rejects): {@link SendError} (with no value) if the channel is closed.
   */
  reserve(): Future<Permit<T>> {
    return new SlotFuture<T, Permit<T>>(this.chan, this, SlotKind.Reserve, 1, undefined);
  }

  /**
   * Wait for `n` free slots at once; the {@link PermitIterator} sends up to `n` messages
   * synchronously. While it waits at the head of the queue, later senders wait behind it.
   *
   * @example
   * ```ts
   * using permits = await tx.reserveMany(3);
   * for (const permit of permits) permit.send(next());
   * ```
   *
   * **Cancel safety**: cancel safe; slots partly assigned to it are given back.
   *
   * **Throws**: RangeError at the call unless `n` is an integer from 0 to {@link maxCapacity}
   * (more could never be granted); rejects with {@link SendError} if the channel is closed.
   */
  reserveMany(n: number): Future<PermitIterator<T>> {
    return new SlotFuture<T, PermitIterator<T>>(this.chan, this, SlotKind.ReserveMany, this.#checkCount(n), undefined);
  }

  /**
   * Wait for a free slot and hold it in an {@link OwnedPermit}, which also holds a sender handle
   * of its own: the channel stays open while the permit lives, even if every other sender is
   * closed, until it sends or is released. Tokio's `reserve_owned` on a clone of the sender
   * (`tx.clone().reserve_owned()`): this sender stays usable. The wait takes its handle at its
   * first poll and keeps it while it waits.
   *
   * @example
   * ```ts
   * const [tx, rx] = mpsc.channel<string>(1);
   * const permit = await tx.reserveOwned();
   * tx.close(); // the channel stays open: the permit holds a sender
   * spawn(async () => permit.send(await lookup())); // hand the slot to another task
   * await rx.recv(); // the looked-up value
   * await rx.recv(); // undefined: the permit's handle closed after its send
   * ```
   *
   * **Cancel safety**: cancel safe, as {@link reserve}: a dropped wait leaves the queue in O(1),
   * a slot already handed to it goes to the next waiting sender, and its sender handle is
   * closed. As in Tokio, dropping it loses its place in the queue.
   *
   * **Throws** (rejects): {@link SendError} (with no value) if the channel is closed or this
   * handle was closed.
   */
  reserveOwned(): Future<OwnedPermit<T>> {
    return new SlotFuture<T, OwnedPermit<T>>(this.chan, this, SlotKind.ReserveOwned, 1, undefined);
  }

  /**
   * A slot now in an {@link OwnedPermit} (which holds its own sender handle), or why not
   * (`"full"`, `"closed"`; `value` is `undefined`). Tokio's `try_reserve_owned` on a clone of
   * the sender.
   *
   * @example
   * ```ts
   * const r = tx.tryReserveOwned();
   * if (r.ok) queueMicrotask(() => r.value.send(msg)); // the permit keeps the channel open until then
   * ```
   */
  tryReserveOwned(): Result<OwnedPermit<T>, TrySendError<void>> {
    const r = this.#tryTake(1);
    return r === undefined ? ok(new OwnedPermit(this.chan, this.clone())) : err(r);
  }

  /**
   * A slot now, or why not (`"full"`, `"closed"`; `value` is `undefined`).
   *
   * @example
   * ```ts
   * const r = tx.tryReserve();
   * if (r.ok) r.value.send(msg);
   * ```
   */
  tryReserve(): Result<Permit<T>, TrySendError<void>> {
    const r = this.#tryTake(1);
    return r === undefined ? ok(new Permit(this.chan)) : err(r);
  }

  /**
   * `n` slots now, or why not.
   *
   * **Throws**: RangeError unless `n` is an integer from 0 to {@link maxCapacity}.
   */
  tryReserveMany(n: number): Result<PermitIterator<T>, TrySendError<void>> {
    const r = this.#tryTake(this.#checkCount(n));
    return r === undefined ? ok(new PermitIterator(this.chan, n)) : err(r);
  }

  /**
   * Resolves once {@link isClosed} is true: the receiver closed or dropped the channel (or this
   * handle was closed). Use it to stop producing for a consumer that went away.
   *
   * @example
   * ```ts
   * await tx.closed();
   * console.log("the consumer is gone");
   * ```
   *
   * **Cancel safety**: cancel safe; it holds nothing.
   */
  closed(): Future<void> {
    return new ClosedWait(this.chan as Chan<unknown>, this);
  }

  /** Free slots now. */
  capacity(): number {
    return this.chan.sem!.permits;
  }

  /** The capacity the channel was created with. */
  maxCapacity(): number {
    return this.chan.bound;
  }

  /**
   * A {@link WeakSender}: it does not keep the channel open, and `upgrade()` gives a sender back
   * while some sender is still open. Counted by `weakCount()` until it is disposed.
   *
   * @example
   * ```ts
   * using weak = tx.downgrade();
   * tx.weakCount(); // 1
   * ```
   */
  downgrade(): WeakSender<T> {
    return new WeakSender(this.chan);
  }

  /** @internal Test hook: how many sends and reserves wait for slots. */
  [WAITERS](): number {
    return this.chan.sem!.waiters.length;
  }

  #checkCount(n: number): number {
    if (typeof n !== "number") throw new TypeError(`n must be a number, got ${typeof n}`);
    const max = this.chan.bound;
    if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`n must be an integer from 0 to the channel's capacity ${max}, got ${n}`);
    return n;
  }

  #tryTake(n: number): TrySendError<void> | undefined {
    if (this.isClosed()) return new TrySendError("closed", undefined);
    if (!this.chan.sem!.tryTake(n)) return new TrySendError("full", undefined);
    return undefined;
  }
}

/**
 * A sender that does not count: it does not keep the channel open. `upgrade()` turns it into a
 * {@link Sender} while at least one sender is still open (an {@link OwnedPermit} holds one).
 * Tokio's `mpsc::WeakSender`.
 *
 * JavaScript has no destructors: dispose a weak sender (`using weak = …`) so that
 * `weakCount()` stops counting it. One never disposed only keeps that count up; it never keeps
 * the channel open.
 *
 * @example
 * ```ts
 * const weak = tx.downgrade();
 * tx.close();
 * weak.upgrade(); // undefined: the last sender was closed
 * weak[Symbol.dispose]();
 * ```
 */
export class WeakSender<T> extends WeakSenderHandle<T, Sender<T>> {
  /** @hidden Use {@link Sender.downgrade}. */
  constructor(chan: Chan<T>) {
    super(chan);
  }

  protected override strong(chan: Chan<T>): Sender<T> {
    return new Sender(chan);
  }

  protected override make(chan: Chan<T>): this {
    return new WeakSender(chan) as this;
  }
}

/**
 * The receiving half of a bounded channel: `recv()`, `recvMany()`, `tryRecv()`, `close()`,
 * `for await`. There is one receiver; dispose of it (`using rx = …`) to drop it.
 *
 * @example
 * ```ts
 * const [tx, rx] = mpsc.channel<number>(2);
 * tx.trySend(1);
 * rx.len; // 1
 * rx.capacity(); // 1
 * await rx.recv(); // 1
 * ```
 */
export class Receiver<T> extends ChanReceiver<T> {
  readonly #chan: Chan<T>;

  /** @hidden Use {@link channel}. */
  constructor(chan: Chan<T>) {
    super(chan);
    this.#chan = chan;
  }

  /** Free slots now. */
  capacity(): number {
    return this.#chan.sem!.permits;
  }

  /** The capacity the channel was created with. */
  maxCapacity(): number {
    return this.#chan.bound;
  }
}

/**
 * A sender's wait for `needed` slots: the future of `send`, `reserve`, `reserveMany` and
 * `reserveOwned`.
 *
 * HOW. The future itself is small (the channel, the sender handle, the count, its wait node
 * once it has one, a done flag) and tries the fast path on its first poll: if no sender is
 * queued and enough slots are free it takes them (`tryTake` refuses while anyone waits, so a
 * fast send never overtakes a queued one) and completes. Only when it has to wait does it
 * allocate the semaphore's wait node ({@link SlotWaiter}) and queue it; from then on every
 * poll and the drop go through that node, which carries the batch semaphore's own states
 * (queued, granted, closed; `internal/waiter.ts`).
 *
 * States: IDLE (`#wait` unset: not polled yet, or the budget was spent before the first try;
 * holds nothing) → WAITING (`#wait` set: queued, or granted its slots and not yet polled) →
 * DONE (`#done`: the output returned, an error thrown, or dropped). The sender handle is
 * checked before the first try; a handle closed after that does not fail the wait (the
 * semaphore closing does).
 *
 * Drop: in IDLE there is nothing to give back; in WAITING the node leaves the queue in O(1)
 * and gives back the slots it was assigned (to the next senders), and since a slot given back
 * to a closed channel may be the last one the receiver waits for, the receiver is woken if the
 * channel is now drained.
 *
 * `reserveOwned` (Tokio moves the sender into the future): the first poll that passes the
 * closed check clones the sender into `#payload`, so from then on the wait keeps the channel
 * open and is checked against its own handle. The handle moves into the {@link OwnedPermit} it
 * returns; every other way out (error, drop) closes it — after the slots are given back, since
 * it may be the last sender.
 *
 * Budget: the first try waits for `pollProceed` and spends one unit when it completes; a
 * waiting future's node does the same when its granted slots are taken.
 */
class SlotFuture<T, O> extends Future<O> {
  readonly #chan: Chan<T>;
  readonly #sender: Sender<T>;
  readonly #needed: number;
  /** What the held slots become: SEND pushes its message; RESERVE(_MANY, _OWNED) make permits. */
  readonly #kind: SlotKind;
  /**
   * SEND: the message. RESERVE_OWNED: the sender handle its permit will hold, once the first
   * poll took it (read it with `#ownedHandle`). Otherwise undefined. One field serves both, so a
   * send future (allocated by every `send`) is no bigger than before `reserveOwned` existed.
   */
  #payload: unknown;
  /** The semaphore wait node; allocated by the first poll that cannot take its slots. */
  #wait: SlotWaiter | undefined = undefined;
  #done = false;

  constructor(chan: Chan<T>, sender: Sender<T>, kind: SlotKind, needed: number, value: T | undefined) {
    super();
    this.#chan = chan;
    this.#sender = sender;
    this.#kind = kind;
    this.#needed = needed;
    this.#payload = value;
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
    if (this.#done) throw new Error("a send or reserve future was polled after it completed or was dropped");
    let wait = this.#wait;
    if (wait === undefined) {
      const sem = this.#chan.sem!;
      const owned = this.#ownedHandle();
      if ((owned ?? this.#sender).isClosed() || sem.closed) {
        if (!pollProceed(cx)) return Pending; // a failure spends the budget too (Tokio's coop)
        this.#done = true;
        this.#dropOwned();
        madeProgress(cx);
        throw this.#closedError();
      }
      if (owned === undefined && this.#kind === SlotKind.ReserveOwned) this.#payload = this.#sender.clone();
      if (!pollProceed(cx)) return Pending;
      if (sem.tryTake(this.#needed)) {
        this.#done = true;
        madeProgress(cx);
        return this.#output();
      }
      // The slow path: the node's first poll queues it (its own try fails as ours did).
      wait = this.#wait = new SlotWaiter(sem, this.#needed);
    }
    let out: Poll<void>;
    try {
      out = wait.poll(cx);
    } catch (error) {
      this.#done = true;
      // Granted, then closed before this poll: the slot went back to the semaphore, which may
      // have drained the channel for a receive already waiting (as a dropped grant does).
      this.#chan.wakeIfDrained();
      this.#dropOwned();
      if (error instanceof AcquireError) throw this.#closedError();
      throw error;
    }
    if (out === Pending) return Pending;
    this.#done = true;
    return this.#output();
  }

  override cancel(): void {
    if (this.#done) return;
    this.#done = true;
    const wait = this.#wait;
    if (wait !== undefined) {
      wait.cancel();
      this.#chan.wakeIfDrained();
    }
    // Last: closing the owned handle may close the channel, once the slots are given back.
    this.#dropOwned();
  }

  /** RESERVE_OWNED that will not make its permit: close the handle it took, if any. */
  #dropOwned(): void {
    const owned = this.#ownedHandle();
    if (owned === undefined) return;
    this.#payload = undefined;
    owned.close();
  }

  /** RESERVE_OWNED: the sender handle taken for the permit, if taken yet; otherwise undefined. */
  #ownedHandle(): Sender<T> | undefined {
    return this.#kind === SlotKind.ReserveOwned ? (this.#payload as Sender<T> | undefined) : undefined;
  }

  /** The held slots become the output. */
  #output(): O {
    const chan = this.#chan;
    switch (this.#kind) {
      case SlotKind.Send: {
        const value = this.#payload as T;
        this.#payload = undefined;
        chan.push(value);
        return undefined as O;
      }
      case SlotKind.Reserve:
        return new Permit(chan) as O;
      case SlotKind.ReserveOwned: {
        const owned = this.#payload as Sender<T>;
        this.#payload = undefined;
        return new OwnedPermit(chan, owned) as O;
      }
      default:
        return new PermitIterator(chan, this.#needed) as O;
    }
  }

  /** The error for a closed channel or sender handle (a send's carries its message back). */
  #closedError(): Error {
    return new SendError(this.#kind === SlotKind.Send ? (this.#payload as T) : undefined);
  }
}

/** What a {@link SlotFuture} is for. */
const SlotKind = { Send: 0, Reserve: 1, ReserveMany: 2, ReserveOwned: 3 } as const;
type SlotKind = (typeof SlotKind)[keyof typeof SlotKind];

/** The semaphore wait node of a waiting {@link SlotFuture}; the future turns slots into output. */
class SlotWaiter extends Waiter<void> {
  protected override output(): void {}
}

/** A send raced against a deadline future; the loser is dropped. */
class SendTimeout<T> extends Future<void> {
  #done = false;

  constructor(
    private readonly send: SlotFuture<T, void>,
    private readonly deadline: Future<unknown>,
    private readonly value: T,
  ) {
    super();
  }

  override poll(cx: Context): Poll<void> {
    if (this.#done) throw new Error("a sendTimeout future was polled after it completed or was dropped");
    try {
      if (this.send.poll(cx) !== Pending) {
        this.#finish(this.deadline);
        return undefined;
      }
    } catch (error) {
      this.#finish(this.deadline);
      if (error instanceof SendError) throw new SendTimeoutError("closed", this.value);
      throw error;
    }
    let fired: boolean;
    try {
      fired = this.deadline.poll(cx) !== Pending;
    } catch (error) {
      this.#finish(this.send);
      throw error;
    }
    if (!fired) return Pending;
    this.#finish(this.send);
    throw new SendTimeoutError("timeout", this.value);
  }

  override cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.send.cancel();
    this.deadline.cancel();
  }

  #finish(loser: Future<unknown>): void {
    this.#done = true;
    loser.cancel();
  }
}
