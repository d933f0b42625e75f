/**
 * Reserved slots of a bounded mpsc channel: a {@link Permit} sends one message synchronously,
 * a {@link PermitIterator} up to n (Tokio's `Permit` and `PermitIterator`). Each unused slot
 * holds one permit of the channel's semaphore until it is used or released.
 */
import { checkMessage, type Chan } from "./chan.js";

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

  /** @internal */
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

  /** @internal */
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
