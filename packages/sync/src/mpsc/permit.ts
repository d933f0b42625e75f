/**
 * Reserved slots of a bounded mpsc channel: a {@link Permit} sends one message synchronously,
 * a {@link PermitIterator} up to n, an {@link OwnedPermit} one while holding a sender handle
 * (Tokio's `Permit`, `PermitIterator` and `OwnedPermit`). Each unused slot holds one permit of
 * the channel's semaphore until it is used or released.
 */
import type { Sender } from "./bounded.js";
import { checkMessage, type Chan } from "./chan.js";
import type { SenderHandle } from "./sender-handle.js";

/**
 * One reserved slot of a bounded channel: `send(value)` puts the message in synchronously —
 * it cannot fail or wait. `release()` (or disposal) gives the slot back unused. Made by
 * {@link Sender.reserve} and {@link Sender.tryReserve}.
 *
 * JavaScript has no destructors: a permit that is neither used nor released keeps its slot
 * (and, once the channel is closed, keeps the receiver waiting for it). Prefer `using`.
 *
 * @example
 * ```ts
 * using permit = await tx.reserve();
 * permit.send("hello");
 * ```
 */
export class Permit<T> implements Disposable {
  #chan: Chan<T> | undefined;

  /** @hidden */
  constructor(chan: Chan<T>) {
    this.#chan = chan;
  }

  /**
   * Send `value` through the reserved slot. If the receiver was dropped meanwhile the value is
   * discarded (as in Tokio).
   *
   * **Throws**: TypeError if `value` is `undefined`; Error if the permit was already used or
   * released.
   */
  send(value: T & ({} | null)): void {
    checkMessage(value);
    const chan = this.#chan;
    if (chan === undefined) throw new Error("the permit was already used or released: reserve another slot");
    this.#chan = undefined;
    chan.push(value);
  }

  /** Give the slot back unused. Idempotent; nothing after `send`. */
  release(): void {
    const chan = this.#chan;
    if (chan === undefined) return;
    this.#chan = undefined;
    chan.returnSlots(1);
  }

  /** `using permit = …`: release the slot at the end of the scope if it was not used. */
  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * `n` reserved slots of a bounded channel (from {@link Sender.reserveMany}): iterate it for one
 * {@link Permit} per slot, or `send(value)` through the next slot directly. `release()` (or
 * disposal) gives back the slots not used.
 *
 * @example
 * ```ts
 * using permits = await tx.reserveMany(2);
 * permits.send("a");
 * for (const p of permits) p.send("b"); // the one left
 * ```
 */
export class PermitIterator<T> implements IterableIterator<Permit<T>>, Disposable {
  #chan: Chan<T>;
  #remaining: number;

  /** @hidden */
  constructor(chan: Chan<T>, n: number) {
    this.#chan = chan;
    this.#remaining = n;
  }

  /** Slots not used yet. */
  get length(): number {
    return this.#remaining;
  }

  /** The next slot as a {@link Permit}. */
  next(): IteratorResult<Permit<T>, undefined> {
    if (this.#remaining === 0) return { done: true, value: undefined };
    this.#remaining--;
    return { done: false, value: new Permit(this.#chan) };
  }

  [Symbol.iterator](): this {
    return this;
  }

  /**
   * Send `value` through the next slot.
   *
   * **Throws**: TypeError if `value` is `undefined`; Error if no slot is left.
   */
  send(value: T & ({} | null)): void {
    checkMessage(value);
    if (this.#remaining === 0) throw new Error("no reserved slot is left: reserve more");
    this.#remaining--;
    this.#chan.push(value);
  }

  /** Give back the slots not used. Idempotent. */
  release(): void {
    const n = this.#remaining;
    if (n === 0) return;
    this.#remaining = 0;
    this.#chan.returnSlots(n);
  }

  /** `using permits = …`: release the unused slots at the end of the scope. */
  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * One reserved slot of a bounded channel that also holds a sender handle of its own, so the
 * channel stays open while the permit lives — even if every other sender is closed — until it
 * sends or is released (Tokio's `OwnedPermit`). Made by {@link Sender.reserveOwned} and
 * {@link Sender.tryReserveOwned}. Hand it to other code that must be able to send exactly one
 * message later without owning a sender.
 *
 * `send(value)` puts the message in synchronously, then closes the permit's handle;
 * `release()` (or disposal) gives the slot back and closes the handle. Tokio returns that
 * sender to the caller; here it is closed, as when Tokio's caller drops it (clone the sender
 * beforehand if you need one afterwards). JavaScript has no destructors: a permit neither used
 * nor released keeps its slot and keeps the channel open. Prefer `using`.
 *
 * @example
 * ```ts
 * const [tx, rx] = mpsc.channel<string>(1);
 * using permit = await tx.reserveOwned();
 * tx.close();
 * rx.isClosed(); // false: the permit holds a sender
 * permit.send("last word");
 * await rx.recv(); // "last word"
 * await rx.recv(); // undefined: the permit's handle was the last sender
 * ```
 */
export class OwnedPermit<T> implements Disposable {
  readonly #chan: Chan<T>;
  /** The permit's own sender handle: open until the permit is used or released. */
  readonly #sender: SenderHandle<T>;
  #used = false;

  /** @hidden `sender` is a handle of its own (already counted), closed when the permit is used. */
  constructor(chan: Chan<T>, sender: SenderHandle<T>) {
    this.#chan = chan;
    this.#sender = sender;
  }

  /**
   * Send `value` through the reserved slot, then close the permit's sender handle (if it was
   * the last, the receiver gets this message, then the end). If the receiver was dropped
   * meanwhile the value is discarded (as in Tokio).
   *
   * @example
   * ```ts
   * const permit = await tx.reserveOwned();
   * permit.send(42);
   * ```
   *
   * **Throws**: TypeError if `value` is `undefined`; Error if the permit was already used or
   * released.
   */
  send(value: T & ({} | null)): void {
    checkMessage(value);
    if (this.#used) throw new Error("the owned permit was already used or released: reserve another slot");
    this.#used = true;
    this.#chan.push(value);
    this.#sender.close();
  }

  /**
   * Give the slot back unused and close the permit's sender handle. Idempotent; nothing after
   * `send`.
   *
   * @example
   * ```ts
   * const permit = await tx.reserveOwned();
   * if (cancelled) permit.release(); // the slot goes to the next sender
   * ```
   */
  release(): void {
    if (this.#used) return;
    this.#used = true;
    this.#chan.returnSlots(1);
    this.#sender.close();
  }

  /**
   * Whether `other` is a permit of the same channel. Tokio's `OwnedPermit::same_channel`.
   *
   * @example
   * ```ts
   * const a = await tx.reserveOwned();
   * const b = await tx.reserveOwned();
   * a.sameChannel(b); // true
   * ```
   */
  sameChannel(other: OwnedPermit<T>): boolean {
    return this.#chan === other.#chan;
  }

  /**
   * Whether this permit belongs to the channel `sender` sends on. Tokio's
   * `OwnedPermit::same_channel_as_sender`.
   *
   * @example
   * ```ts
   * const permit = await tx.reserveOwned();
   * permit.sameChannelAsSender(tx); // true
   * ```
   */
  sameChannelAsSender(sender: Sender<T>): boolean {
    return sender.sameChannel(this.#sender);
  }

  /** `using permit = …`: release the slot and the handle at the end of the scope if unused. */
  [Symbol.dispose](): void {
    this.release();
  }
}
