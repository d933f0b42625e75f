/**
 * A binary min-heap of (deadline, key) pairs: the keys that expire, earliest first — the
 * schedule of the Db's purge task (Tokio's mini-redis keeps a `BTreeSet<(Instant, String)>`; a
 * heap gives the same `first()` and insertion in O(log n) without a sorted tree).
 *
 * Entries are never removed from the middle: when a key is overwritten, deleted or given
 * another deadline, its old pair stays and becomes *stale*; the Db recognises a stale pair
 * because the key's current deadline differs, and drops it when it reaches the top. To keep
 * stale pairs from piling up (a key SET with `EX` in a loop), the Db drops the stale pairs
 * ({@link ExpiryHeap.retain}) when they outnumber the live ones: O(heap), and the heap has then
 * at least doubled since the last time, so it costs O(1) per SET, amortized.
 */
import type { Instant } from "@tokio-ts/time";

/** One scheduled expiry: `when` is `at.asMillis()`, kept as a number for cheap comparisons. */
export interface Expiry {
  readonly when: number;
  readonly at: Instant;
  readonly key: string;
}

export class ExpiryHeap {
  #items: Expiry[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): Expiry | undefined {
    return this.#items[0];
  }

  push(item: Expiry): void {
    const items = this.#items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.when <= item.when) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): Expiry | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    this.#siftDown(0);
    return top;
  }

  /** Keep only the pairs `keep` accepts, and restore the heap order (Floyd's heapify, O(n)). */
  retain(keep: (item: Expiry) => boolean): void {
    const items = this.#items.filter(keep);
    this.#items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  #siftDown(from: number): void {
    const items = this.#items;
    const n = items.length;
    const item = items[from]!;
    let i = from;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && items[child + 1]!.when < items[child]!.when) child++;
      if (items[child]!.when >= item.when) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = item;
  }
}
