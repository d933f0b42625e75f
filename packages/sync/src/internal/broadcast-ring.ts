/**
 * The ring behind `broadcast` (Tokio's design, `tokio/src/sync/broadcast.rs`).
 *
 * HOW. One ring of `capacity` slots (a power of two, so a position maps to its slot with a
 * mask). `tail` is the position the next send writes; positions only grow. A slot remembers
 * the position it holds (`positions[i]`), the value, and `rem[i]`: how many receivers have yet
 * to read it. A send writes slot `tail & mask` unconditionally — overwriting the oldest value,
 * read or not; that is what makes a slow receiver lag instead of slowing the senders — sets
 * `rem` to the receiver count, and wakes every waiting receiver. Each receiver has a
 * {@link Cursor}: the position it reads next. Reading slot `next & mask`:
 *
 * - `pos === next`: the value; `rem` drops by one and at zero the slot lets go of the value,
 *   so a value everyone has read is not kept alive by the ring.
 * - `pos + capacity === next`: the slot still holds the previous lap: nothing new yet (empty;
 *   closed if every sender is gone).
 * - otherwise the slot was overwritten: the receiver lagged. Its cursor jumps to the oldest
 *   value kept (`tail - capacity`) and the read reports how many it missed. Every skipped
 *   position was overwritten, so no `rem` is left counting a reader that will never come.
 *
 * Slot `i` starts as "position `i - capacity`", so a fresh ring reads as empty. A new cursor
 * starts at `tail`, so it is not counted in the `rem` of values sent before it; a cursor that
 * is dropped releases the values it still had to read (Tokio drains them in `Drop`).
 *
 * Who changes what: senders change `tail`, the slots and `closed`; cursors change `rem` of
 * the slots they read and their own `next`; handles change the counts (`senders` by clone,
 * upgrade and dispose of a sender; `weakSenders` by downgrade, clone and dispose of a weak
 * sender; `receivers` by subscribe and dispose of a receiver). A weak sender turns into a sender
 * only while `senders` is not 0, so once the last sender is gone the channel stays closed. Waiting receivers are
 * their `recv()` futures, in `waiters`; a send or the close wakes them all. The senders'
 * `closed()` futures wait in `txWaiters`; the cursor whose drop leaves no receiver wakes them.
 *
 * Queued values (`len()`, Tokio's `Sender::len`): a value is queued while some receiver that
 * was alive when it was sent has yet to read it, i.e. while its slot's `rem` is not 0. Each
 * receiver reads in order, so over the ring from the oldest slot (`tail & mask`) to the newest,
 * `rem` never decreases: the queued values are a suffix, found by binary search.
 */
import { WaitList } from "./wait-list.js";

/** The key of a test hook: `sender[TX_WAITERS]()` is how many `closed()` futures wait. */
export const TX_WAITERS: unique symbol = Symbol("tokio-ts.sync.broadcast.txWaiters");

/**
 * The largest capacity a broadcast channel accepts: 2^24 = 16,777,216 slots. The ring is
 * allocated up front (as Tokio's is), about 20 bytes a slot — `values`, `positions` (8 bytes)
 * and `rem` (4 bytes) — so the maximum costs ~320 MB and a few hundred milliseconds. Far larger
 * rings do not fail cleanly: 2^26 takes seconds and gigabytes, 1e8 hits V8's array length
 * limit, 2^28 aborts the process out of memory. A power of two, so a capacity up to it never
 * rounds up past it.
 */
export const MAX_CAPACITY = 2 ** 24;

/** What a read found when it found no value. */
export const EMPTY: unique symbol = Symbol("tokio-ts.broadcast.empty");
export const CLOSED: unique symbol = Symbol("tokio-ts.broadcast.closed");
export const LAGGED: unique symbol = Symbol("tokio-ts.broadcast.lagged");
export type Read<T> = T | typeof EMPTY | typeof CLOSED | typeof LAGGED;

export class Ring<T> {
  readonly values: (T | undefined)[];
  readonly positions: Float64Array;
  readonly rem: Uint32Array;
  readonly mask: number;
  readonly capacity: number;
  /** The position the next send writes. */
  tail = 0;
  /** Live `Sender` handles; the channel closes when it reaches 0, and never reopens. */
  senders = 1;
  /** Live (not disposed) `WeakSender` handles: counted only, they keep nothing open. */
  weakSenders = 0;
  receivers = 0;
  /** Every sender is gone. Never reset. */
  closed = false;
  readonly waiters = new WaitList();
  /** The senders' `closed()` futures: woken when the last receiver is dropped. */
  readonly txWaiters = new WaitList();

  constructor(capacity: number) {
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.values = new Array<T | undefined>(capacity).fill(undefined);
    this.positions = new Float64Array(capacity);
    for (let i = 0; i < capacity; i++) this.positions[i] = i - capacity;
    this.rem = new Uint32Array(capacity);
  }

  /** Write `value` at the tail for the current receivers (there is at least one); wake them. */
  push(value: T): void {
    const pos = this.tail;
    const idx = pos & this.mask; // ToInt32 keeps the low bits: exact for positions below 2^53
    this.positions[idx] = pos;
    this.rem[idx] = this.receivers;
    this.values[idx] = value;
    this.tail = pos + 1;
    if (this.waiters.head !== undefined) this.waiters.wakeAll();
  }

  /** The last sender is gone: wake every waiting receiver to see it. */
  close(): void {
    this.closed = true;
    this.waiters.wakeAll();
  }

  /** One reader is done with the value in slot `idx`. */
  release(idx: number): void {
    if (--this.rem[idx]! === 0) this.values[idx] = undefined;
  }

  /** How many values are queued: the newest slots whose `rem` is not 0 (see the header). */
  len(): number {
    const capacity = this.capacity;
    const mask = this.mask;
    const rem = this.rem;
    const oldest = this.tail & mask;
    let low = 0;
    let high = capacity;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (rem[(oldest + mid) & mask] === 0) low = mid + 1;
      else high = mid;
    }
    return capacity - low;
  }

  /** A new cursor at the tail (counted as a receiver). */
  subscribe(): Cursor<T> {
    this.receivers++;
    return new Cursor(this, this.tail);
  }
}

/** A receiver's position in the ring. `ring` is unset once the receiver is disposed. */
export class Cursor<T> {
  ring: Ring<T> | undefined;
  /** The position read next. */
  next: number;
  /** How many values the last read that returned {@link LAGGED} skipped. */
  lagged = 0;

  constructor(ring: Ring<T>, next: number) {
    this.ring = ring;
    this.next = next;
  }

  /** Read the slot at the cursor (see the module header). The ring must be live. */
  read(ring: Ring<T>): Read<T> {
    const next = this.next;
    const idx = next & ring.mask;
    const pos = ring.positions[idx]!;
    if (pos === next) {
      this.next = next + 1;
      const value = ring.values[idx] as T;
      ring.release(idx);
      return value;
    }
    if (pos + ring.capacity === next) return ring.closed ? CLOSED : EMPTY;
    // Overwritten: jump to the oldest value kept. (Tokio's "missed == 0" case needs a
    // concurrent send; single-threaded, at least one value was missed here.)
    const oldest = ring.tail - ring.capacity;
    this.lagged = oldest - next;
    this.next = oldest;
    return LAGGED;
  }

  /** Drop the cursor: stop being counted, release the values it had yet to read. */
  drop(): Ring<T> | undefined {
    const ring = this.ring;
    if (ring === undefined) return undefined;
    this.ring = undefined;
    const last = --ring.receivers === 0;
    const tail = ring.tail;
    for (let pos = Math.max(this.next, tail - ring.capacity); pos < tail; pos++) {
      const idx = pos & ring.mask;
      if (ring.positions[idx] === pos) ring.release(idx);
    }
    this.next = tail;
    // Last, with the ring consistent: a waker may re-enter (subscribe, send).
    if (last && ring.txWaiters.head !== undefined) ring.txWaiters.wakeAll();
    return ring;
  }
}
