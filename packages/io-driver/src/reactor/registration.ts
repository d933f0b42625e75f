/**
 * Registration: the readiness state of one I/O resource (Tokio's `ScheduledIo` behind
 * `Registration`).
 *
 * HOW. The resource (a socket wrapper) reports what the host told it with
 * {@link Registration.setReadiness}; tasks ask with `pollReadReady` / `pollWriteReady` (one
 * waker slot each, for the task that reads and the task that writes, as an AsyncRead /
 * AsyncWrite implementation needs) or with the `ready(interest)` future (any number of waiters
 * in an intrusive list; dropping one unlinks it in O(1)).
 *
 * Readiness is a bit set ({@link Ready}) plus a `tick` that counts every `setReadiness`. A poll
 * hands out a {@link ReadyEvent} — the readiness and the tick it was seen at, packed into one
 * number so that polling allocates nothing. When the resource then finds it cannot make
 * progress (the socket had nothing after all), it calls `clearReadiness(event)`: the bits are
 * cleared only if no new readiness arrived since the event was taken (the tick still matches).
 * That is Tokio's rule, and it is what keeps an event that lands between "I saw readable" and
 * "I cleared readable" from being lost. The closed bits (`READ_CLOSED`, `WRITE_CLOSED`) are
 * final and never cleared.
 *
 * The coop budget is spent by futures, not by poll methods: the `ready(interest)` future spends
 * one unit when it completes, and so do io-driver's `read`/`write`/… futures around a
 * resource's `pollRead`/`pollWrite` (which call `pollReadReady`/`pollWriteReady`, spending
 * nothing). One read of a socket therefore costs one unit, as in Tokio, and a task that reads an
 * always-readable socket in a loop still yields to the others. A hand-written future that
 * drives `pollRead` itself takes part with `pollProceed`/`madeProgress` from `@tokio-ts/core`.
 *
 * After the runtime shuts down (or `deregister()`), every waiter is woken and every poll
 * throws the shutdown error.
 */
import { ContextError, Future, madeProgress, Pending, pollProceed, type Context, type Poll, type Waker } from "@tokio-ts/core";
import type { LinkedList, ListNode } from "@tokio-ts/core/collections";
import { LinkedList as List } from "@tokio-ts/core/collections";
import { Interest, Ready } from "../interest.js";
import { checkInterest } from "../util/internal/check.js";
import type { IoDriver } from "./io-driver.js";

/**
 * A readiness observation: the {@link Ready} bits and the tick they were seen at, packed into
 * one number (`tick * 32 + ready`). Read the bits with {@link readyOf}; hand the event back to
 * {@link Registration.clearReadiness}.
 *
 * @example
 * ```ts
 * const event: ReadyEvent = yield* registration.ready(Interest.READABLE);
 * if (nothingThere) registration.clearReadiness(event);
 * ```
 */
export type ReadyEvent = number;

const READY_BITS = 32;

/**
 * The {@link Ready} bits of an event.
 *
 * @example
 * ```ts
 * const event = yield* registration.ready(Interest.READABLE);
 * if (Ready.isReadClosed(readyOf(event))) …
 * ```
 */
export function readyOf(event: ReadyEvent): Ready {
  return event % READY_BITS;
}

const FINAL_BITS = Ready.READ_CLOSED | Ready.WRITE_CLOSED;

/**
 * The readiness of one resource, with the wakers of the tasks waiting on it. Created by
 * {@link IoDriver.register}; see the module header for the protocol.
 *
 * @example
 * ```ts
 * // the resource side
 * socket.on("drain", () => registration.setReadiness(Ready.WRITABLE));
 * // the task side, inside pollWrite
 * const event = registration.pollWriteReady(cx);
 * if (event === Pending) return Pending;
 * if (!trySend()) { registration.clearReadiness(event); return this.pollWrite(cx, data) }
 * ```
 */
export class Registration implements ListNode {
  listPrev: ListNode | undefined = undefined;
  listNext: ListNode | undefined = undefined;
  list: LinkedList<ListNode> | undefined = undefined;

  #ready: Ready = Ready.EMPTY;
  #tick = 0;
  #shutdown = false;
  #readWaker: Waker | undefined = undefined;
  #writeWaker: Waker | undefined = undefined;
  readonly #waiters = new List<ReadyFuture>();
  #driver: IoDriver | undefined;
  #onShutdown: (() => void) | undefined;

  /** @hidden Use {@link IoDriver.register}. */
  constructor(driver: IoDriver, onShutdown: (() => void) | undefined) {
    this.#driver = driver;
    this.#onShutdown = onShutdown;
  }

  /** The readiness now (bits only). */
  get readiness(): Ready {
    return this.#ready;
  }

  /** Whether the runtime shut down or the registration was deregistered. */
  get isShutdown(): boolean {
    return this.#shutdown;
  }

  /**
   * Add readiness reported by the host and wake the waiters it satisfies.
   *
   * @example
   * ```ts
   * socket.on("end", () => registration.setReadiness(Ready.READ_CLOSED));
   * ```
   */
  setReadiness(ready: Ready): void {
    this.#ready |= ready;
    this.#tick++;
    if (Ready.isReadable(ready) && this.#readWaker !== undefined) {
      const waker = this.#readWaker;
      this.#readWaker = undefined;
      waker.wake();
    }
    if (Ready.isWritable(ready) && this.#writeWaker !== undefined) {
      const waker = this.#writeWaker;
      this.#writeWaker = undefined;
      waker.wake();
    }
    if (!this.#waiters.isEmpty()) this.#wakeWaiters(ready);
  }

  /**
   * Clear the readiness of `event` — unless readiness arrived since `event` was taken (Tokio's
   * tick rule). The closed bits stay.
   *
   * @example
   * ```ts
   * if (socket.bufferedBytes === 0) registration.clearReadiness(event);
   * ```
   */
  clearReadiness(event: ReadyEvent): void {
    if (Math.floor(event / READY_BITS) !== this.#tick) return;
    this.#ready &= ~(readyOf(event) & ~FINAL_BITS);
  }

  /**
   * The readiness for `interest` now, as an event, without waiting or storing a waker (Tokio's
   * `ScheduledIo::ready_event`): what a synchronous `try*` operation hands to
   * {@link Registration.clearReadiness} when it finds the resource not ready after all.
   *
   * @example
   * ```ts
   * if (queue.isEmpty()) registration.clearReadiness(registration.readyEvent(Interest.READABLE));
   * ```
   */
  readyEvent(interest: Interest): ReadyEvent {
    return this.#tick * READY_BITS + Ready.intersect(this.#ready, interest);
  }

  /**
   * Poll for read readiness (readable, read-closed or error) from the reading task's poll.
   * Stores `cx.waker` in the reader's slot when not ready.
   *
   * @example
   * ```ts
   * const event = this.registration.pollReadReady(cx);
   * if (event === Pending) return Pending;
   * ```
   *
   * **Throws**: ContextError once the runtime has shut down.
   */
  pollReadReady(cx: Context): Poll<ReadyEvent> {
    if (this.#shutdown) throw ContextError.shutdown("I/O resource");
    const ready = this.#ready & Ready.ALL_READ;
    if (ready !== 0) return this.#tick * READY_BITS + ready;
    this.#readWaker = cx.waker;
    return Pending;
  }

  /**
   * Poll for write readiness (writable, write-closed or error) from the writing task's poll.
   *
   * @example
   * ```ts
   * const event = this.registration.pollWriteReady(cx);
   * if (event === Pending) return Pending;
   * ```
   *
   * **Throws**: ContextError once the runtime has shut down.
   */
  pollWriteReady(cx: Context): Poll<ReadyEvent> {
    if (this.#shutdown) throw ContextError.shutdown("I/O resource");
    const ready = this.#ready & Ready.ALL_WRITE;
    if (ready !== 0) return this.#tick * READY_BITS + ready;
    this.#writeWaker = cx.waker;
    return Pending;
  }

  /**
   * Wait until the resource is ready for `interest` (`Interest.READABLE`, `WRITABLE` or both).
   * Any number of tasks may wait at once.
   *
   * @example
   * ```ts
   * const event = yield* registration.ready(Interest.READABLE | Interest.WRITABLE);
   * const ready = readyOf(event);
   * ```
   *
   * **Cancel safety**: cancel safe; dropping the future only unlinks its waiter.
   *
   * **Throws**: TypeError for an interest that is not a number; RangeError for one with no bits,
   * unknown bits or a fraction; the future rejects with
   * the shutdown ContextError once the runtime shuts down.
   */
  ready(interest: Interest): Future<ReadyEvent> {
    checkInterest("interest", interest);
    return new ReadyFuture(this, interest);
  }

  /**
   * The resource is closed: leave the driver, wake every waiter (their next poll throws). Call it
   * once the host handle is gone. Idempotent.
   *
   * @example
   * ```ts
   * socket.once("close", () => registration.deregister());
   * ```
   */
  deregister(): void {
    this.#onShutdown = undefined;
    this.#close();
  }

  /** @internal The driver shuts down: close the host handle, then wake everybody. */
  markShutdown(): void {
    const onShutdown = this.#onShutdown;
    this.#onShutdown = undefined;
    this.#close();
    onShutdown?.();
  }

  /** @internal For ReadyFuture. */
  pollWaiter(cx: Context, waiter: ReadyFuture): Poll<ReadyEvent> {
    if (!pollProceed(cx)) return Pending;
    if (this.#shutdown) {
      madeProgress(cx); // a failure spends the budget too (Tokio's coop)
      throw ContextError.shutdown("I/O resource");
    }
    const ready = Ready.intersect(this.#ready, waiter.interest);
    if (ready !== 0) {
      if (waiter.list !== undefined) this.#waiters.remove(waiter);
      madeProgress(cx);
      return this.#tick * READY_BITS + ready;
    }
    waiter.waker = cx.waker;
    if (waiter.list === undefined) this.#waiters.pushBack(waiter);
    return Pending;
  }

  /** @internal For ReadyFuture. */
  unlinkWaiter(waiter: ReadyFuture): void {
    if (waiter.list !== undefined) this.#waiters.remove(waiter);
  }

  #close(): void {
    if (this.#shutdown) return;
    this.#shutdown = true;
    this.#driver?.unlink(this);
    this.#driver = undefined;
    this.setReadiness(Ready.ALL_READ | Ready.ALL_WRITE);
  }

  #wakeWaiters(ready: Ready): void {
    // Unlink the satisfied waiters first, then wake them: a wake may poll synchronously.
    let woken: ReadyFuture | undefined;
    let last: ReadyFuture | undefined;
    for (let node = this.#waiters.head; node !== undefined; ) {
      const next = node.listNext as ReadyFuture | undefined;
      if (Ready.intersect(ready, node.interest) !== 0) {
        this.#waiters.remove(node);
        if (last === undefined) woken = node;
        else last.nextWoken = node;
        last = node;
      }
      node = next;
    }
    while (woken !== undefined) {
      const next = woken.nextWoken;
      woken.nextWoken = undefined;
      const waker = woken.waker;
      woken.waker = undefined;
      waker?.wake();
      woken = next;
    }
  }
}

/** The future of {@link Registration.ready}; it is its own waiter node. */
class ReadyFuture extends Future<ReadyEvent> implements ListNode {
  listPrev: ListNode | undefined = undefined;
  listNext: ListNode | undefined = undefined;
  list: LinkedList<ListNode> | undefined = undefined;
  waker: Waker | undefined = undefined;
  nextWoken: ReadyFuture | undefined = undefined;

  constructor(
    readonly registration: Registration,
    readonly interest: Interest,
  ) {
    super();
  }

  poll(cx: Context): Poll<ReadyEvent> {
    return this.registration.pollWaiter(cx, this);
  }

  override cancel(): void {
    this.registration.unlinkWaiter(this);
    this.waker = undefined;
  }
}
