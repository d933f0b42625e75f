/**
 * The server's state, shared by every connection: the key/value map with expiry, and the
 * pub/sub channels (Tokio's mini-redis `db.rs`).
 *
 * HOW. One runtime thread owns everything, so the state is plain Maps — no lock: a command runs
 * from start to end within one poll.
 *
 * - `#entries`: key → { value, expiresAt (ms on the runtime clock; -1 = never) }. Keys and
 *   channel names are byte strings mapped one byte per char (`bytesToLatin1`), so any bytes work.
 * - Expiry is lazy *and* active, as Redis does. Lazy: a read of an entry whose deadline has
 *   passed deletes it and reports it missing, so an expired key is never seen even if the purge
 *   task has not run yet. Active: a background task (spawned by the constructor) sleeps until
 *   the earliest deadline in `#expirations` (a heap), deletes what expired, and sleeps again;
 *   a SET with an earlier deadline than any so far wakes it through `#scheduleChanged` (a
 *   Notify, whose stored permit means a wake-up while it is busy is not lost). So memory held
 *   by expired keys is given back even if nobody reads them.
 * - The heap keeps stale pairs (see `internal/expiry-heap.ts`); they are skipped when they
 *   reach the top, and dropped all at once when they outnumber the live deadlines.
 * - `#channels`: channel name → broadcast Sender. A channel is created by its first
 *   `subscribe` and removed by the `unsubscribe` that leaves it without receivers, so a
 *   thousand names subscribed once and left leave nothing behind. A PUBLISH to a name nobody
 *   subscribes to reaches nobody and allocates nothing.
 *
 * Time is the runtime's clock (`Instant.now()`), so on a paused clock expiry is exact and a test
 * of a one-hour TTL takes no time.
 */
import { broadcast, Notify } from "@tokio-ts/sync";
import { select } from "@tokio-ts/macros";
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import { Instant, sleep, sleepUntil } from "@tokio-ts/time";
import { ExpiryHeap } from "./internal/expiry-heap.js";

/**
 * Options of a {@link Db}.
 *
 * @example
 * ```ts
 * const db = new Db({ channelCapacity: 64 });
 * ```
 */
export interface DbOptions {
  /**
   * How many messages a pub/sub channel keeps for a subscriber that has not read them yet;
   * a subscriber further behind skips the oldest (default 1024).
   */
  readonly channelCapacity?: number;
}

/**
 * How {@link Db.set} stores a value.
 *
 * @example
 * ```ts
 * db.set("session", value, { expireMs: 60_000, condition: "nx" });
 * ```
 */
export interface SetOptions {
  /** Delete the key this many milliseconds from now (Redis `PX`; `EX s` is `s * 1000`). */
  readonly expireMs?: number | undefined;
  /** `"nx"`: only if the key does not exist; `"xx"`: only if it does. */
  readonly condition?: "nx" | "xx" | undefined;
}

interface Entry {
  value: Uint8Array;
  /** Deadline in ms on the runtime clock, or -1 for none. */
  expiresAt: number;
}

/**
 * The key/value store and the pub/sub channels of a server (see the module header).
 *
 * It spawns its purge task on the current runtime, so create it inside one built with time
 * (`enableTime()`), and dispose it to stop that task.
 *
 * @example
 * ```ts
 * await rt.blockOn(function* () {
 *   using db = new Db();
 *   db.set("k", bytes("v"), { expireMs: 1000 });
 *   db.get("k"); // bytes "v"
 *   yield* sleep(1000);
 *   db.get("k"); // undefined
 * });
 * ```
 */
export class Db implements Disposable {
  readonly #entries = new Map<string, Entry>();
  readonly #expirations = new ExpiryHeap();
  /** How many entries have a deadline (live pairs in `#expirations`). */
  #expiring = 0;
  readonly #channels = new Map<string, broadcast.Sender<Uint8Array>>();
  readonly #channelCapacity: number;
  readonly #scheduleChanged = new Notify();
  #purger: JoinHandle<void> | undefined;

  /**
   * **Throws**: RangeError if `channelCapacity` is not an integer ≥ 1; ContextError outside a
   * runtime (the purge task needs one, with time enabled).
   */
  constructor(options: DbOptions = {}) {
    const capacity = options.channelCapacity ?? 1024;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`channelCapacity must be an integer ≥ 1, got ${capacity}`);
    }
    this.#channelCapacity = capacity;
    // Make (and drop, unpolled) a timer now, so that a runtime without time fails here, at the
    // call, with the error that names the fix — not later inside the purge task.
    sleep(0);
    const db = this;
    this.#purger = spawn(function* purgeExpiredKeys() {
      for (;;) {
        const changed = db.#scheduleChanged.notified();
        const next = db.purgeExpired();
        if (next === undefined) yield* changed;
        else yield* select({ changed, deadline: sleepUntil(next) }, { biased: true });
      }
    });
  }

  /** How many keys are stored (including expired keys not purged yet). */
  get size(): number {
    return this.#entries.size;
  }

  /** How many pub/sub channels have at least one subscriber. */
  get channelCount(): number {
    return this.#channels.size;
  }

  /**
   * The value of `key`, or `undefined` if it is missing or expired (an expired key is deleted
   * now).
   *
   * @example
   * ```ts
   * db.get("missing"); // undefined
   * ```
   */
  get(key: string): Uint8Array | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt >= 0 && entry.expiresAt <= Instant.now().asMillis()) {
      this.#delete(key, entry);
      return undefined;
    }
    return entry.value;
  }

  /**
   * Store `value` under `key`, replacing any value and deadline it had. Returns false (and
   * stores nothing) when the `condition` is not met.
   *
   * @example
   * ```ts
   * db.set("k", bytes("v"));                        // true
   * db.set("k", bytes("w"), { condition: "nx" });   // false: k exists
   * db.set("t", bytes("x"), { expireMs: 10_000 });  // gone in 10 s
   * ```
   *
   * **Throws**: RangeError if `expireMs` is not a positive finite number.
   */
  set(key: string, value: Uint8Array, options?: SetOptions): boolean {
    const expireMs = options?.expireMs;
    if (expireMs !== undefined && !(expireMs > 0 && Number.isFinite(expireMs))) {
      throw new RangeError(`expireMs must be a positive finite number, got ${expireMs}`);
    }
    const condition = options?.condition;
    const existing = condition === undefined ? this.#entries.get(key) : this.#live(key);
    if (condition === "nx" && existing !== undefined) return false;
    if (condition === "xx" && existing === undefined) return false;
    let expiresAt = -1;
    if (expireMs !== undefined) {
      const at = Instant.now().add(expireMs);
      expiresAt = at.asMillis();
      const first = this.#expirations.peek();
      this.#expirations.push({ when: expiresAt, at, key });
      this.#expiring++;
      // Only a new earliest deadline changes when the purge task must wake.
      if (first === undefined || expiresAt < first.when) this.#scheduleChanged.notifyOne();
    }
    if (existing !== undefined) {
      if (existing.expiresAt >= 0) this.#expiring--;
      existing.value = value;
      existing.expiresAt = expiresAt;
    } else {
      this.#entries.set(key, { value, expiresAt });
    }
    this.#compactExpirations();
    return true;
  }

  /**
   * Delete `keys`; returns how many existed (expired keys do not count).
   *
   * @example
   * ```ts
   * db.del(["a", "b", "missing"]); // 2 if a and b existed
   * ```
   */
  del(keys: readonly string[]): number {
    let n = 0;
    for (const key of keys) {
      const entry = this.#live(key);
      if (entry === undefined) continue;
      this.#delete(key, entry);
      n++;
    }
    return n;
  }

  /**
   * Delete every key whose deadline has passed; returns the next deadline, or `undefined` if
   * no key has one. The purge task calls it; it is public for tests.
   *
   * @example
   * ```ts
   * db.purgeExpired(); // Instant of the next expiry, or undefined
   * ```
   */
  purgeExpired(): Instant | undefined {
    const now = Instant.now().asMillis();
    const heap = this.#expirations;
    for (let top = heap.peek(); top !== undefined; top = heap.peek()) {
      const entry = this.#entries.get(top.key);
      if (entry === undefined || entry.expiresAt !== top.when) {
        heap.pop(); // stale: the key was deleted, overwritten or given another deadline
        continue;
      }
      if (top.when > now) return top.at;
      heap.pop();
      this.#delete(top.key, entry);
    }
    return undefined;
  }

  /**
   * Subscribe to `channel`, creating it if this is its first subscriber. Give the receiver
   * back with {@link unsubscribe}.
   *
   * @example
   * ```ts
   * const rx = db.subscribe("news");
   * db.publish("news", bytes("hi")); // 1
   * yield* rx.recv(); // bytes "hi"
   * ```
   */
  subscribe(channel: string): broadcast.Receiver<Uint8Array> {
    const tx = this.#channels.get(channel);
    if (tx !== undefined) return tx.subscribe();
    const [created, rx] = broadcast.channel<Uint8Array>(this.#channelCapacity);
    this.#channels.set(channel, created);
    return rx;
  }

  /**
   * Dispose `rx` (a receiver of `channel` from {@link subscribe}); the channel is removed when
   * it was the last.
   *
   * @example
   * ```ts
   * db.unsubscribe("news", rx);
   * db.channelCount; // 0 if rx was the only subscriber
   * ```
   */
  unsubscribe(channel: string, rx: broadcast.Receiver<Uint8Array>): void {
    rx[Symbol.dispose]();
    const tx = this.#channels.get(channel);
    if (tx !== undefined && tx.receiverCount() === 0) {
      tx[Symbol.dispose]();
      this.#channels.delete(channel);
    }
  }

  /**
   * Send `message` to every subscriber of `channel`; returns how many there are.
   *
   * @example
   * ```ts
   * db.publish("nobody-listens", bytes("x")); // 0
   * ```
   */
  publish(channel: string, message: Uint8Array): number {
    const tx = this.#channels.get(channel);
    if (tx === undefined) return 0;
    const sent = tx.send(message);
    return sent.ok ? sent.value : 0;
  }

  /**
   * Stop the purge task and close every channel (subscribers see the channel closed).
   * Idempotent.
   */
  [Symbol.dispose](): void {
    this.#purger?.abort();
    this.#purger = undefined;
    for (const tx of this.#channels.values()) tx[Symbol.dispose]();
    this.#channels.clear();
  }

  /** The entry of `key` unless it is missing or expired (an expired one is deleted). */
  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAt < 0 || entry.expiresAt > Instant.now().asMillis()) return entry;
    this.#delete(key, entry);
    return undefined;
  }

  #delete(key: string, entry: Entry): void {
    if (entry.expiresAt >= 0) this.#expiring--;
    this.#entries.delete(key);
  }

  /** Drop the heap's stale pairs when they outnumber the live ones (and there are many). */
  #compactExpirations(): void {
    const heap = this.#expirations;
    if (heap.size < 1024 + 2 * this.#expiring) return;
    const entries = this.#entries;
    heap.retain((pair) => entries.get(pair.key)?.expiresAt === pair.when);
  }
}
