/**
 * The plain-Node peer of the broadcast workload: a hand-written async ring — one shared array
 * of `capacity` slots written by the sender, a cursor per consumer, and the resolvers of the
 * consumers waiting for the next value.
 *
 * `send` writes slot `seq % capacity` and wakes every waiting consumer; `recv(cursor)` is an
 * `async` method that waits while the cursor has caught up with the sender, throws if the
 * sender overwrote a value the consumer had not read (it lagged), and otherwise returns the
 * value under the cursor and advances it. Like the tokio-ts broadcast channel, the sender
 * never waits.
 */

/** One consumer's position: the sequence number of the next value it reads. */
export interface RingCursor {
  next: number;
}

export class AsyncRing<T> {
  readonly #slots: (T | undefined)[];
  readonly #capacity: number;
  /** The sequence number of the next value sent. */
  #tail = 0;
  /** Consumers waiting for a value. */
  #waiters: (() => void)[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** A cursor at the next value to be sent. */
  subscribe(): RingCursor {
    return { next: this.#tail };
  }

  /** Write `value` and wake every waiting consumer. */
  send(value: T): void {
    this.#slots[this.#tail % this.#capacity] = value;
    this.#tail++;
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** The value under `cursor`, waiting for it if it was not sent yet. */
  async recv(cursor: RingCursor): Promise<T> {
    while (cursor.next === this.#tail) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    if (this.#tail - cursor.next > this.#capacity) throw new Error(`consumer lagged by ${this.#tail - cursor.next - this.#capacity}`);
    return this.#slots[cursor.next++ % this.#capacity]!;
  }
}
