/**
 * Notify: wake one task, or all waiting tasks, without sending data (Tokio's `sync::Notify`).
 *
 * HOW (Tokio's rules, `tokio/src/sync/notify.rs`). A Notify is in one of three states:
 *
 * - EMPTY: no permit, no waiter;
 * - NOTIFIED: one stored permit (`permit`), no waiter — `notifyOne()` with nobody waiting;
 *   more `notifyOne()`s store nothing more;
 * - WAITING: no permit, `waiters` not empty.
 *
 * So `permit` and a non-empty `waiters` never hold together. `notifyOne()` hands its
 * notification to the oldest waiter (`notifyLast()`: the newest) or stores the permit.
 * `notifyWaiters()` wakes every waiter queued now and stores nothing; it also bumps
 * `notifyWaitersCalls`, and a {@link Notified} that was *created* before that bump completes
 * even if it was never polled (it compares the counter it read at creation) — so
 * `const n = notify.notified(); …; await n` cannot miss a `notifyWaiters()` in between.
 *
 * A Notified: INIT (created) → WAITING (queued; first poll or `enable()`) → DONE (stays ready),
 * and any state → DROPPED on cancel. From INIT it completes at once if `notifyWaiters()` ran
 * since its creation — checked first, so a stored permit is then left for another Notified —
 * or else by taking the stored permit. A notifier unlinks the waiter and records `notification` (ONE_FIFO, ONE_LIFO or
 * ALL) before waking it; the next poll completes. Dropping a WAITING Notified unlinks it; if
 * it had been handed a `notifyOne()`/`notifyLast()` it did not consume, that notification
 * passes on (to the next waiter by the same rule, or as the stored permit), so nothing is lost.
 */
import { madeProgress, Pending, pollProceed, type Context, type Poll, type Waker } from "@tokio-ts/core";
import { WAITERS, WaitList, WaitNode } from "./internal/wait-list.js";

const NONE = 0;
const ONE_FIFO = 1;
const ONE_LIFO = 2;
const ALL = 3;
type Notification = typeof NONE | typeof ONE_FIFO | typeof ONE_LIFO | typeof ALL;

/** A Notified's `notifyWaitersCalls` at its creation (read by `notifyWaiters`). */
let initialCallsOf: (notified: Notified) => number;

const INIT = 0;
const WAITING = 1;
const DONE = 2;
const DROPPED = 3;

/** The fields of a Notify (see the module header). */
class NotifyState {
  permit = false;
  notifyWaitersCalls = 0;
  readonly waiters = new WaitList();

  /** Give one notification to a waiter (oldest for FIFO, newest for LIFO) or store the permit. */
  notifyOne(strategy: typeof ONE_FIFO | typeof ONE_LIFO): void {
    const waiter = (strategy === ONE_FIFO ? this.waiters.popFront() : this.waiters.popBack()) as Notified | undefined;
    if (waiter === undefined) {
      this.permit = true;
      return;
    }
    waiter.notification = strategy;
    const waker = waiter.waker;
    waiter.waker = undefined;
    waker?.wake();
  }

  /**
   * Wake the waiters queued now: they are all unlinked first, then woken. A waker may re-enter
   * (drop a waiter, queue a new one, call `notifyOne`): what it does concerns only waiters
   * queued after this call began, which this call leaves alone.
   */
  notifyWaiters(): void {
    const calls = ++this.notifyWaitersCalls;
    const waiters = this.waiters;
    if (waiters.head === undefined) return; // nobody waits: nothing to make
    // Every waiter of this call leaves the queue before any is woken (as Tokio moves them to a
    // list of its own): a `notifyOne()` from a waker that runs at once then finds only later
    // waiters, or stores the permit, instead of going to one that is about to be woken anyway.
    const woken: Waker[] = [];
    for (;;) {
      const waiter = waiters.head as Notified | undefined;
      if (waiter === undefined || initialCallsOf(waiter) >= calls) break;
      waiters.popFront();
      waiter.notification = ALL;
      const waker = waiter.waker;
      waiter.waker = undefined;
      if (waker !== undefined) woken.push(waker);
    }
    let failed = false;
    let first: unknown;
    for (const waker of woken) {
      try {
        waker.wake();
      } catch (error) {
        // A waker that throws must not keep the others from their wake-up.
        if (!failed) {
          failed = true;
          first = error;
        }
      }
    }
    if (failed) throw first;
  }
}

/**
 * Wakes tasks without sending data: a Semaphore that starts with no permit and never holds more
 * than one. `notified()` waits; `notifyOne()` wakes the oldest waiter, or stores one permit for
 * the next `notified()`; `notifyWaiters()` wakes everyone waiting now. Works with or without a
 * runtime.
 *
 * @example
 * ```ts
 * const notify = new Notify();
 * const waiter = (async () => {
 *   await notify.notified();
 *   console.log("received notification");
 * })();
 * notify.notifyOne();
 * await waiter;
 * ```
 */
export class Notify {
  readonly #state = new NotifyState();

  /**
   * Wake the task that has waited longest, or — if none is waiting — store one permit, which
   * the next `notified()` takes at once. Several calls with nobody waiting store one permit.
   *
   * @example
   * ```ts
   * const notify = new Notify();
   * notify.notifyOne();
   * notify.notifyOne();
   * await notify.notified(); // at once, taking the permit
   * // a second notified() would wait: only one permit was stored
   * ```
   */
  notifyOne(): void {
    this.#state.notifyOne(ONE_FIFO);
  }

  /**
   * As {@link notifyOne}, but wake the task that started waiting most recently (LIFO).
   *
   * @example
   * ```ts
   * const a = notify.notified(), b = notify.notified();
   * a.enable(); b.enable();
   * notify.notifyLast(); // b is notified
   * ```
   */
  notifyLast(): void {
    this.#state.notifyOne(ONE_LIFO);
  }

  /**
   * Wake every task waiting now — every `Notified` that was polled or enabled, and every one
   * created before this call even if not polled yet. Stores no permit: a `notified()` created
   * afterwards waits. A permit stored earlier by `notifyOne()` stays.
   *
   * @example
   * ```ts
   * const a = notify.notified();
   * const b = notify.notified();
   * notify.notifyWaiters();
   * await a; await b; // both complete
   * ```
   */
  notifyWaiters(): void {
    this.#state.notifyWaiters();
  }

  /**
   * A future that completes when this Notify notifies it: by a stored or later
   * `notifyOne()`/`notifyLast()` once it is queued (polled or `enable()`d), or by a
   * `notifyWaiters()` made any time after this call.
   *
   * @example
   * ```ts
   * const notified = notify.notified();
   * notified.enable(); // queued now: a notifyOne() from here on goes to it
   * startWorker(notify);
   * await notified;
   * ```
   *
   * **Cancel safety**: cancel safe. Dropping it loses its place in the queue; a `notifyOne()`
   * it had been handed and not consumed passes to the next waiter (or becomes the stored
   * permit).
   */
  notified(): Notified {
    return new Notified(this.#state);
  }

  /** @internal Test hook: how many `Notified` futures are queued. */
  [WAITERS](): number {
    return this.#state.waiters.length;
  }
}

/**
 * The future of {@link Notify.notified}. Await it (once), `yield*` it, or poll it.
 *
 * **Cancel safety**: cancel safe; see {@link Notify.notified}.
 *
 * @example
 * ```ts
 * const notified = notify.notified();
 * notified.enable(); // registered now: a notifyWaiters() before the await is not missed
 * await notified;
 * ```
 */
export class Notified extends WaitNode<void> implements Disposable {
  readonly #notify: NotifyState;
  readonly #initialCalls: number;
  #state = INIT;
  /** @internal What a notifier handed this waiter (set while unlinking it). */
  notification: Notification = NONE;

  static {
    initialCallsOf = (notified) => notified.#initialCalls;
  }

  /** @hidden Use {@link Notify.notified}. */
  constructor(notify: NotifyState) {
    super();
    this.#notify = notify;
    this.#initialCalls = notify.notifyWaitersCalls;
  }

  /**
   * Queue this future as a waiter now, without a task to wake: from here on `notifyOne()` can
   * pick it. Returns whether it is already notified (a later poll then completes at once): it
   * took the stored permit, `notifyWaiters()` ran since its creation, or it was notified since
   * it was queued. Equivalent to a poll that registers no waker; idempotent.
   *
   * @example
   * ```ts
   * using notified = notify.notified();
   * notified.enable(); // false: queued
   * notify.notifyOne(); // goes to it
   * notified.enable(); // true
   * await notified; // at once
   * ```
   *
   * JavaScript has no destructor: an enabled Notified that is abandoned without being
   * awaited stays queued (and may absorb a `notifyOne()`) until it is dropped. Declare it with
   * `using` (or call `cancel()`) when a code path may leave it behind.
   *
   * **Throws**: Error if the future was dropped.
   */
  enable(): boolean {
    return this.#pollNotified(undefined);
  }

  /**
   * `using notified = notify.notified()`: drop it at the end of the scope (see `cancel()`);
   * harmless once it has completed.
   */
  [Symbol.dispose](): void {
    this.cancel();
  }

  override poll(cx: Context): Poll<void> {
    if (!pollProceed(cx)) return Pending;
    if (!this.#pollNotified(cx.waker)) return Pending;
    madeProgress(cx);
    return undefined;
  }

  /** Drop: leave the queue; pass on a notifyOne()/notifyLast() handed to it and not consumed. */
  override cancel(): void {
    const state = this.#state;
    this.#state = DROPPED;
    if (state !== WAITING) return;
    const notify = this.#notify;
    notify.waiters.unregister(this);
    const notification = this.notification;
    this.notification = NONE;
    if (notification === ONE_FIFO || notification === ONE_LIFO) notify.notifyOne(notification);
  }

  /** Tokio's `poll_notified`: true once notified (DONE). */
  #pollNotified(waker: Waker | undefined): boolean {
    switch (this.#state) {
      case INIT: {
        const notify = this.#notify;
        // A notifyWaiters() since creation is checked first (as Tokio does): it notified this
        // future, so a stored permit stays for another one.
        if (notify.notifyWaitersCalls !== this.#initialCalls) {
          this.#state = DONE;
          return true;
        }
        if (notify.permit) {
          notify.permit = false;
          this.#state = DONE;
          return true;
        }
        this.#state = WAITING;
        notify.waiters.register(this, waker);
        return false;
      }
      case WAITING:
        if (this.notification !== NONE) {
          // The notifier unlinked us; the notification is consumed now.
          this.notification = NONE;
          this.#state = DONE;
          return true;
        }
        if (waker !== undefined) this.waker = waker;
        return false;
      case DONE:
        return true;
      default:
        throw new Error("a Notified future was used after it was dropped");
    }
  }
}
