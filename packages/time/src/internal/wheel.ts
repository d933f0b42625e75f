/**
 * A hierarchical timing wheel: O(1) insert, cancel and reset of timers, expiry in batches.
 *
 * Source: G. Varghese and T. Lauck, "Hashed and Hierarchical Timing Wheels: Data Structures for
 * the Efficient Implementation of a Timer Facility", SOSP 1987; the layout is Tokio's
 * (`tokio/src/runtime/time/wheel`): 6 levels of 64 slots at 1 ms resolution, so level L's
 * slots are 64^L ms wide and the wheel spans 64^6 ms (about 2.2 years).
 *
 * HOW. Time is an integer tick (ms) since the driver started. `elapsed` is the tick up to which
 * the wheel has been processed. An entry whose deadline (`when`) agrees with `elapsed` in every 6-bit
 * digit above L, and differs in digit L, lives in level L, slot `digit L of when`. So the
 * entries of a lower level are always due before those of a higher one, and the next thing to
 * do is found by scanning at most 6 occupancy bitmasks. When a slot of level L > 0 comes due,
 * its entries are re-inserted relative to the new `elapsed` and land in lower levels
 * ("cascading"); when a level-0 slot comes due, its entries fire. A deadline beyond the span
 * goes to the top level's slot for it and is re-inserted when that slot comes round.
 *
 * WHY. Insert and cancel are a list append and an unlink (each entry carries its own links, so
 * the wheel allocates nothing per timer); a timer cancelled before it fires — the common case
 * for timeouts — costs nothing more. Entries of one slot keep insertion order, and slots are
 * processed in deadline order, so timers fire in deadline order, ties in insertion order.
 *
 * Firing is re-entrant: `fire` calls an owner, which wakes a waker, which may be a foreign
 * executor's that polls, resets or drops other timers at once — the neighbours of the fired entry
 * in the same batch among them — or even advances the wheel again (a paused clock moved by
 * `advance()`). So a batch is taken out of its slot whole, its entries marked PENDING, and
 * `remove` (a drop or a reset) of a PENDING entry just unmarks it: it is then skipped, as
 * Tokio's wheel takes an entry off its pending list. An entry re-inserted meanwhile is in a slot
 * again and skipped too. A nested `advance` appends its batches to the same array, after what is
 * left of the outer batch, and fires from the start, skipping what is no longer PENDING: the rest
 * of the outer batch fires first, once, then the later ones. A `fire` that throws does not stop
 * the others: the first error is rethrown once everything due has fired.
 *
 * Invariants: an entry is in at most one slot (`position = level * 64 + slot`), or in the batch
 * being fired (`position === PENDING`), or neither (`position === -1`); a slot's occupancy bit
 * is set iff its list is non-empty; `size` counts the entries in slots; every entry in a slot
 * has `when > elapsed`.
 */

/** The fields the wheel keeps on each entry (an intrusive doubly linked list node). */
export interface WheelEntry {
  /** The tick at which the entry is due; set by the owner before `insert`. */
  when: number;
  /**
   * @internal links and position (`level * 64 + slot`, PENDING in the batch being fired, -1
   * outside the wheel), owned by the wheel.
   */
  wheelPrev: WheelEntry | undefined;
  wheelNext: WheelEntry | undefined;
  position: number;
}

/** `position` of an entry taken out of its slot to fire in the current batch (see the header). */
export const PENDING = -2;

const LEVELS = 6;
const SLOTS = 64;
/** 64^L for L = 0..6. */
const POW = [1, 64, 4096, 262_144, 16_777_216, 1_073_741_824, 68_719_476_736];
/** The largest tick the wheel handles exactly (the driver caps ticks lower: `TimeDriver.tickOf`). */
export const MAX_TICK = Number.MAX_SAFE_INTEGER;

class Level {
  readonly heads: (WheelEntry | undefined)[] = new Array(SLOTS).fill(undefined);
  readonly tails: (WheelEntry | undefined)[] = new Array(SLOTS).fill(undefined);
  /** Occupancy of slots 0..31 and 32..63. */
  lo = 0;
  hi = 0;

  isOccupied(): boolean {
    return (this.lo | this.hi) !== 0;
  }

  setBit(slot: number): void {
    if (slot < 32) this.lo |= 1 << slot;
    else this.hi |= 1 << (slot - 32);
  }

  clearBit(slot: number): void {
    if (slot < 32) this.lo &= ~(1 << slot);
    else this.hi &= ~(1 << (slot - 32));
  }

  /** The first occupied slot at or after `from`, wrapping round; -1 if none. */
  nextOccupied(from: number): number {
    if (from < 32) {
      const lo = this.lo & (~0 << from);
      if (lo !== 0) return ctz(lo);
      if (this.hi !== 0) return 32 + ctz(this.hi);
    } else {
      const hi = this.hi & (~0 << (from - 32));
      if (hi !== 0) return 32 + ctz(hi);
    }
    if (this.lo !== 0) return ctz(this.lo);
    if (this.hi !== 0) return 32 + ctz(this.hi);
    return -1;
  }
}

function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** The level an entry due at `when` belongs to, seen from `elapsed` (< when). */
function levelFor(elapsed: number, when: number): number {
  if (when <= 0x7fff_ffff) {
    // Both fit in 31 bits: the highest differing bit, in 6-bit digits (Tokio's formula).
    const significant = 31 - Math.clz32((elapsed ^ when) | 63);
    return (significant / 6) | 0;
  }
  for (let level = 0; level < LEVELS - 1; level++) {
    const above = POW[level + 1]!;
    if (Math.floor(when / above) === Math.floor(elapsed / above)) return level;
  }
  return LEVELS - 1;
}

function slotFor(when: number, level: number): number {
  if (when <= 0x7fff_ffff) return (when >>> (6 * level)) & (SLOTS - 1);
  return Math.floor(when / POW[level]!) % SLOTS;
}

/**
 * Fire the entries of `batch` still PENDING, in order; each one `fire` throws for is still
 * followed by the rest. The first error, boxed, or undefined.
 */
function fireBatch(batch: readonly WheelEntry[], fire: (entry: WheelEntry) => void): { error: unknown } | undefined {
  let thrown: { error: unknown } | undefined;
  for (let i = 0; i < batch.length; i++) {
    const entry = batch[i]!;
    // Removed (dropped, reset) or re-inserted by an earlier `fire` of this batch: skip it.
    if (entry.position !== PENDING) continue;
    entry.position = -1;
    try {
      fire(entry);
    } catch (error) {
      thrown ??= { error };
    }
  }
  return thrown;
}

export class Wheel {
  /** The tick up to which expirations have been processed. */
  elapsed = 0;
  /** How many entries the wheel holds. */
  size = 0;
  readonly #levels: Level[] = Array.from({ length: LEVELS }, () => new Level());

  /**
   * Add `entry` (its `when` set, > `elapsed`). O(1).
   * **Throws** RangeError if the when is not in the future of the wheel.
   */
  insert(entry: WheelEntry): void {
    const when = entry.when;
    if (!(when > this.elapsed)) throw new RangeError(`a wheel entry must be due after tick ${this.elapsed}`);
    const level = levelFor(this.elapsed, when);
    const slot = slotFor(when, level);
    const lvl = this.#levels[level]!;
    const tail = lvl.tails[slot];
    entry.position = level * SLOTS + slot;
    entry.wheelNext = undefined;
    entry.wheelPrev = tail;
    if (tail === undefined) {
      lvl.heads[slot] = entry;
      lvl.setBit(slot);
    } else {
      tail.wheelNext = entry;
    }
    lvl.tails[slot] = entry;
    this.size++;
  }

  /**
   * Take `entry` out of the wheel, or out of the batch being fired (it then does not fire);
   * nothing if it is in neither. O(1).
   */
  remove(entry: WheelEntry): void {
    const position = entry.position;
    if (position < 0) {
      if (position === PENDING) entry.position = -1;
      return;
    }
    const lvl = this.#levels[position >> 6]!;
    const slot = position & (SLOTS - 1);
    const { wheelPrev: prev, wheelNext: next } = entry;
    if (prev === undefined) lvl.heads[slot] = next;
    else prev.wheelNext = next;
    if (next === undefined) lvl.tails[slot] = prev;
    else next.wheelPrev = prev;
    if (lvl.heads[slot] === undefined) lvl.clearBit(slot);
    entry.wheelPrev = entry.wheelNext = undefined;
    entry.position = -1;
    this.size--;
  }

  /**
   * The tick of the next thing to process (an entry due, or a slot to cascade), or undefined
   * when the wheel is empty. Nothing in the wheel is due before it.
   */
  nextExpiration(): number | undefined {
    const found = this.#next();
    return found === undefined ? undefined : found.tick;
  }

  #next(): { level: number; slot: number; tick: number } | undefined {
    if (this.size === 0) return undefined;
    const elapsed = this.elapsed;
    for (let level = 0; level < LEVELS; level++) {
      const lvl = this.#levels[level]!;
      if (!lvl.isOccupied()) continue;
      // Below the top, the slot of `elapsed` itself is empty (its entries would sit lower);
      // at the top it can only hold the next rotation's entries, so the search starts after it
      // and anything found at or before it is a rotation later.
      const current = slotFor(elapsed, level);
      const slot = lvl.nextOccupied(level === LEVELS - 1 ? (current + 1) % SLOTS : current);
      const levelRange = POW[level + 1]!;
      const levelStart = Math.floor(elapsed / levelRange) * levelRange;
      let tick = levelStart + slot * POW[level]!;
      if (tick <= elapsed) tick += levelRange;
      return { level, slot, tick };
    }
    return undefined;
  }

  /**
   * Process every expiration up to `now`: cascade higher slots, and call `fire` for each entry
   * due at or before `now`, in deadline order (ties in insertion order), after taking it out
   * of the wheel. A slot is taken whole before its entries are fired, so `fire` may insert or
   * remove entries: one of the same batch that is removed or re-inserted before its turn is not
   * fired; and it may call `advance` again (see the header). Then `elapsed = now`.
   *
   * **Throws**: the first error a `fire` threw, after every due entry has fired.
   */
  advance(now: number, fire: (entry: WheelEntry) => void): void {
    const due = this.#due;
    let thrown: { error: unknown } | undefined;
    for (;;) {
      const next = this.#next();
      if (next === undefined || next.tick > now) break;
      this.elapsed = next.tick;
      const lvl = this.#levels[next.level]!;
      let entry = lvl.heads[next.slot];
      lvl.heads[next.slot] = lvl.tails[next.slot] = undefined;
      lvl.clearBit(next.slot);
      while (entry !== undefined) {
        const following = entry.wheelNext;
        entry.wheelPrev = entry.wheelNext = undefined;
        entry.position = PENDING;
        this.size--;
        if (entry.when <= next.tick) due.push(entry);
        else this.insert(entry);
        entry = following;
      }
      const batchThrown = fireBatch(due, fire);
      due.length = 0;
      thrown ??= batchThrown;
    }
    if (now > this.elapsed) this.elapsed = now;
    if (thrown !== undefined) throw thrown.error;
  }

  /**
   * Take every entry out of the wheel and call `fire` for each (shutdown), in no set order, as
   * one batch (see `advance`).
   *
   * **Throws**: the first error a `fire` threw, after every entry has fired.
   */
  drain(fire: (entry: WheelEntry) => void): void {
    const all: WheelEntry[] = [];
    for (const lvl of this.#levels) {
      for (let slot = 0; slot < SLOTS; slot++) {
        for (let entry = lvl.heads[slot]; entry !== undefined; ) {
          const following: WheelEntry | undefined = entry.wheelNext;
          entry.wheelPrev = entry.wheelNext = undefined;
          entry.position = PENDING;
          all.push(entry);
          entry = following;
        }
        lvl.heads[slot] = lvl.tails[slot] = undefined;
      }
      lvl.lo = lvl.hi = 0;
    }
    this.size = 0;
    const thrown = fireBatch(all, fire);
    if (thrown !== undefined) throw thrown.error;
  }

  /**
   * Reused between `advance` calls: the entries of one slot that are due (a nested call appends
   * to it and empties it, see the header).
   */
  readonly #due: WheelEntry[] = [];
}
