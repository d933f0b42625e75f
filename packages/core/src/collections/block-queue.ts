/**
 * An unbounded FIFO queue kept in a chain of fixed-size blocks (Tokio's mpsc list does the same):
 * a push writes into the tail block and links a new one when it is full; a shift reads from the
 * head block and, once the block is spent, keeps it as the one spare the next full tail reuses.
 * So a queue that is emptied as fast as it fills allocates nothing after its first blocks, and a
 * burst of pushes allocates small blocks instead of doubling one large array and copying it —
 * on a cold heap, faulting in those large arrays costs more than the pushes themselves.
 *
 * Slots outside the queued range hold `undefined`, so shifted items can be collected.
 *
 * @example
 * ```ts
 * const q = new BlockQueue<string>();
 * q.push("a"); q.push("b");
 * q.shift(); // "a"
 * q.length; // 1
 * ```
 */
export class BlockQueue<T> {
  #head: Block<T>;
  #tail: Block<T>;
  /** Index of the oldest item in `#head`. */
  #headIndex = 0;
  /** Index of the next free slot in `#tail`. */
  #tailIndex = 0;
  #length = 0;
  /** A spent block kept for the next time the tail fills. */
  #spare: Block<T> | undefined = undefined;

  constructor() {
    this.#head = this.#tail = new Block<T>();
  }

  /** The number of queued items. */
  get length(): number {
    return this.#length;
  }

  /** Append `item` at the back. */
  push(item: T): void {
    let index = this.#tailIndex;
    if (index === BLOCK_SIZE) {
      let block = this.#spare;
      if (block === undefined) block = new Block<T>();
      else this.#spare = undefined;
      this.#tail.next = block;
      this.#tail = block;
      index = 0;
    }
    this.#tail.items[index] = item;
    this.#tailIndex = index + 1;
    this.#length++;
  }

  /** Remove and return the oldest item; `undefined` when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    let index = this.#headIndex;
    if (index === BLOCK_SIZE) {
      const spent = this.#head;
      this.#head = spent.next!;
      spent.next = undefined;
      this.#spare = spent;
      index = 0;
    }
    const items = this.#head.items;
    const item = items[index];
    items[index] = undefined;
    this.#length--;
    if (this.#length === 0) {
      // Empty: start over at the front of the head block (it is also the tail).
      this.#headIndex = this.#tailIndex = 0;
    } else {
      this.#headIndex = index + 1;
    }
    return item as T;
  }

  /** The oldest item without removing it; `undefined` when empty. */
  peek(): T | undefined {
    if (this.#length === 0) return undefined;
    const index = this.#headIndex;
    return index === BLOCK_SIZE ? this.#head.next!.items[0] : this.#head.items[index];
  }

  /** Drop every item. */
  clear(): void {
    // Keep the head block (emptied); the blocks after it go with their items.
    const head = this.#head;
    head.items.fill(undefined);
    head.next = undefined;
    this.#tail = head;
    this.#headIndex = this.#tailIndex = 0;
    this.#length = 0;
  }
}

/** Slots per block: small enough that an idle queue costs little, large enough to amortize a link. */
const BLOCK_SIZE = 32;

class Block<T> {
  readonly items: (T | undefined)[] = new Array<T | undefined>(BLOCK_SIZE).fill(undefined);
  next: Block<T> | undefined = undefined;
}
