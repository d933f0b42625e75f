/**
 * The plain-Node peer of the mpsc workloads: an async queue of the kind people write by hand —
 * an array, the receiver's pending resolver, and the resolvers of senders waiting for room.
 *
 * Deliberately ordinary, not tuned: `send` and `recv` are `async` methods (a promise each, as
 * in most hand-written queues and in the libraries built the same way), and a waiting side
 * re-checks in a `while` loop, so several senders can share it. One concession: `recv` reads
 * at a head index and drops the read prefix now and then, instead of `shift()`. With
 * `shift()` the unbounded 1→1 run (500,000 queued before the first read) took 20 µs per
 * message on Node 20 — V8 copies a large array on every `shift()` — which would measure the
 * array, not the async handoff. `push` is the unbounded queue's
 * synchronous send. `recv()` resolves `undefined` once the queue is closed and empty, like
 * tokio-ts `rx.recv()`. One receiver.
 */
export class PromiseQueue<T> {
  #items: T[] = [];
  /** The index in `#items` of the next item to read. */
  #head = 0;
  readonly #capacity: number;
  /** Senders waiting for room, oldest first. */
  readonly #senders: (() => void)[] = [];
  /** The receiver, waiting for an item or the close. */
  #receiver: (() => void) | undefined = undefined;
  #closed = false;

  constructor(capacity = Infinity) {
    this.#capacity = capacity;
  }

  /** Queue `value`, waiting while the queue is full. */
  async send(value: T): Promise<void> {
    while (this.#items.length - this.#head >= this.#capacity) {
      await new Promise<void>((resolve) => this.#senders.push(resolve));
    }
    this.push(value);
  }

  /** Queue `value` now, whatever the length (the unbounded queue's send). */
  push(value: T): void {
    this.#items.push(value);
    const receiver = this.#receiver;
    if (receiver !== undefined) {
      this.#receiver = undefined;
      receiver();
    }
  }

  /** The next item, or `undefined` once the queue is closed and empty. */
  async recv(): Promise<T | undefined> {
    while (this.#head === this.#items.length) {
      if (this.#closed) return undefined;
      await new Promise<void>((resolve) => (this.#receiver = resolve));
    }
    const items = this.#items;
    const value = items[this.#head++]!;
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (this.#head >= 4096 && this.#head * 2 >= items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    this.#senders.shift()?.();
    return value;
  }

  /** No more sends: `recv()` resolves `undefined` once the queue is empty. */
  close(): void {
    this.#closed = true;
    const receiver = this.#receiver;
    this.#receiver = undefined;
    receiver?.();
  }
}
