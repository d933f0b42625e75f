/**
 * A growable FIFO ring buffer: the run queue of the runtime, the buffer of a channel. Capacity is a power of two so that indexing is a
 * mask; it doubles when full and never shrinks (a queue that was once deep will be again).
 * `head` is the index of the oldest element, `length` the number of elements; slots outside
 * [head, head + length) hold `undefined` so popped tasks can be collected.
 *
 * @example
 * ```ts
 * const q = new RingBuffer<number>();
 * q.push(1); q.push(2);
 * q.shift(); // 1
 * ```
 */
export class RingBuffer<T> {
  #items: (T | undefined)[];
  #mask: number;
  #head = 0;
  #length = 0;

  constructor(capacity = 256) {
    let cap = 1;
    while (cap < capacity) cap <<= 1;
    this.#items = new Array<T | undefined>(cap).fill(undefined);
    this.#mask = cap - 1;
  }

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length > this.#mask) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const items = this.#items;
    const item = items[this.#head];
    items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    return item;
  }

  /** Remove and return the element at position `index` from the head (0 = oldest); the head takes its place. */
  takeAt(index: number): T | undefined {
    if (index >= this.#length) return undefined;
    const items = this.#items;
    const at = (this.#head + index) & this.#mask;
    const item = items[at];
    items[at] = items[this.#head];
    this.shift();
    return item;
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.#length = 0;
  }

  #grow(): void {
    const old = this.#items;
    const cap = old.length;
    const next = new Array<T | undefined>(cap * 2).fill(undefined);
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) & this.#mask];
    this.#items = next;
    this.#mask = cap * 2 - 1;
    this.#head = 0;
  }
}
