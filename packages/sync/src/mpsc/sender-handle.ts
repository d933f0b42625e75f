/**
 * The sender handles of an mpsc channel, bounded or unbounded: {@link SenderHandle} (what
 * `Sender` and `UnboundedSender` share) and {@link WeakSenderHandle} (what `WeakSender` and
 * `WeakUnboundedSender` share). Not part of the public surface; the classes built on them are.
 *
 * Counts (on the {@link Chan}): a sender handle is counted in `txCount` from its creation
 * (channel, clone, upgrade, an owned permit's handle) until it is closed, once; the last one
 * closing ends the channel for the receiver. A weak handle is counted in `weakCount` from its
 * creation (downgrade, clone) until it is disposed, once; it keeps nothing open, and upgrades
 * only while `txCount` is not 0, so a channel closed by its senders stays closed.
 */
import type { Chan } from "./chan.js";

/**
 * What both sender handles share: the channel, whether this handle was closed, and the handle
 * bookkeeping (clone, count, close). The last open handle closing ends the channel for the
 * receiver once it has drained it.
 */
export abstract class SenderHandle<T> implements Disposable {
  protected readonly chan: Chan<T>;
  protected released = false;

  constructor(chan: Chan<T>) {
    this.chan = chan;
  }

  /** A new handle of the same class on `chan` (for `clone`). */
  protected abstract make(chan: Chan<T>): this;

  /** Whether sending is impossible: the receiver closed or dropped the channel, or this handle was closed. */
  isClosed(): boolean {
    return this.released || this.chan.rxClosed;
  }

  /**
   * Another sender handle on the same channel; the channel stays open until every handle is
   * closed.
   *
   * **Throws**: Error if this handle was closed.
   */
  clone(): this {
    if (this.released) throw new Error("cannot clone a closed sender: clone it before closing it");
    this.chan.txCount++;
    return this.make(this.chan);
  }

  /**
   * How many sender handles of the channel are open (clones, upgraded weak senders and owned
   * permits' handles count; closed ones do not). Tokio's `Sender::strong_count`.
   *
   * @example
   * ```ts
   * const [tx] = mpsc.channel<number>(4);
   * const tx2 = tx.clone();
   * tx.strongCount(); // 2
   * tx2.close();
   * tx.strongCount(); // 1
   * ```
   */
  strongCount(): number {
    return this.chan.txCount;
  }

  /**
   * How many weak sender handles of the channel are alive (made by `downgrade()` or a weak
   * sender's `clone()`, not yet disposed). Tokio's `Sender::weak_count`.
   *
   * @example
   * ```ts
   * const [tx] = mpsc.channel<number>(4);
   * using weak = tx.downgrade();
   * tx.weakCount(); // 1
   * ```
   */
  weakCount(): number {
    return this.chan.weakCount;
  }

  /**
   * Whether `other` sends on the same channel. Tokio's `Sender::same_channel`.
   *
   * @example
   * ```ts
   * const [tx] = mpsc.channel<number>(4);
   * const [other] = mpsc.channel<number>(4);
   * tx.sameChannel(tx.clone()); // true
   * tx.sameChannel(other); // false
   * ```
   */
  sameChannel(other: SenderHandle<T>): boolean {
    return other.chan === this.chan;
  }

  /**
   * Close this handle (Tokio: drop the sender). When the last handle is closed the receiver
   * gets the messages still queued, then `undefined`. Sends through this handle fail from now
   * on. Idempotent.
   */
  close(): void {
    if (this.released) return;
    this.released = true;
    this.chan.dropSender();
  }

  /** `using tx = …`: close this handle at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * What both weak sender handles share: the channel, whether this handle was disposed, and the
 * weak-handle bookkeeping (upgrade, clone, counts, dispose). A weak handle is counted in
 * `Chan.weakCount` from its construction to its disposal and keeps nothing open.
 */
export abstract class WeakSenderHandle<T, S extends SenderHandle<T>> implements Disposable {
  protected readonly chan: Chan<T>;
  #disposed = false;

  constructor(chan: Chan<T>) {
    this.chan = chan;
    chan.weakCount++;
  }

  /** A new (strong) sender handle on `chan`, already counted in `txCount` (for `upgrade`). */
  protected abstract strong(chan: Chan<T>): S;

  /** A new weak handle of the same class on `chan` (for `clone`). */
  protected abstract make(chan: Chan<T>): this;

  /**
   * A new sender handle if at least one sender handle is still open, else `undefined`: once the
   * last sender was closed the channel stays closed. The handle it returns counts like a clone:
   * close it when done.
   *
   * @example
   * ```ts
   * const tx2 = weak.upgrade();
   * if (tx2 === undefined) return; // every sender was closed
   * using _tx2 = tx2;
   * tx2.trySend(1);
   * ```
   *
   * **Throws**: Error if this weak handle was disposed.
   */
  upgrade(): S | undefined {
    const chan = this.#live();
    if (chan.txCount === 0) return undefined;
    chan.txCount++;
    return this.strong(chan);
  }

  /**
   * Another weak handle on the same channel (counted by {@link weakCount}). Tokio's
   * `WeakSender::clone`.
   *
   * @example
   * ```ts
   * using weak2 = weak.clone();
   * weak.weakCount(); // 2
   * ```
   *
   * **Throws**: Error if this weak handle was disposed.
   */
  clone(): this {
    return this.make(this.#live());
  }

  /**
   * How many sender handles are open: 0 once the channel was closed by its last sender.
   *
   * @example
   * ```ts
   * const weak = tx.downgrade();
   * tx.close();
   * weak.strongCount(); // 0
   * ```
   */
  strongCount(): number {
    return this.chan.txCount;
  }

  /**
   * How many weak handles of the channel are alive, this one included unless disposed.
   * Tokio's `weak_count`.
   *
   * @example
   * ```ts
   * const weak = tx.downgrade();
   * weak.weakCount(); // 1
   * ```
   */
  weakCount(): number {
    return this.chan.weakCount;
  }

  /** Drop this weak handle: {@link weakCount} stops counting it. Idempotent. */
  [Symbol.dispose](): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.chan.weakCount--;
  }

  #live(): Chan<T> {
    if (this.#disposed) throw new Error("the weak sender was disposed: downgrade an open sender for another");
    return this.chan;
  }
}
