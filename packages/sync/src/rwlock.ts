/**
 * RwLock: many readers or one writer, fair (Tokio's `sync::RwLock`).
 */
import type { Future } from "@tokio-ts/core";
import { TryLockError } from "./errors.js";
import { BatchSemaphore, Waiter } from "./internal/waiter.js";
import { err, ok, type Result } from "./result.js";

/** The default (and largest) number of concurrent readers, as Tokio's (`u32::MAX >> 3`). */
const MAX_READS = 536_870_911;

/**
 * A reader-writer lock around a value. It is a semaphore of `maxReaders` permits: a read takes
 * one, a write takes them all. Acquires are served in FIFO order, so a waiting writer holds
 * back later readers and writers never starve.
 *
 * @example
 * ```ts
 * const config = new RwLock({ level: 1 });
 * {
 *   using r = await config.read();
 *   console.log(r.value.level);
 * }
 * {
 *   using w = await config.write();
 *   w.value = { level: 2 };
 * }
 * ```
 */
export class RwLock<T> {
  readonly #sem: BatchSemaphore;
  /** How many readers may hold the lock at once. */
  readonly maxReaders: number;
  readonly #cell: { value: T };

  /**
   * **Throws**: TypeError if `maxReaders` is not a number; RangeError unless it is an integer
   * from 1 to 536,870,911.
   */
  constructor(value: T, maxReaders = MAX_READS) {
    if (typeof maxReaders !== "number") throw new TypeError(`maxReaders must be a number, got ${typeof maxReaders}`);
    if (!Number.isInteger(maxReaders) || maxReaders < 1 || maxReaders > MAX_READS) {
      throw new RangeError(`maxReaders must be an integer from 1 to ${MAX_READS}, got ${String(maxReaders)}`);
    }
    this.maxReaders = maxReaders;
    this.#sem = new BatchSemaphore(maxReaders);
    this.#cell = { value };
  }

  /**
   * Wait for shared read access.
   *
   * **Cancel safety**: cancel safe.
   */
  read(): Future<RwLockReadGuard<T>> {
    return new GuardAcquire(this.#sem, 1, this.#cell, RwLockReadGuard<T>);
  }

  /**
   * Wait for exclusive write access.
   *
   * **Cancel safety**: cancel safe; permits partly assigned to the wait are given back.
   */
  write(): Future<RwLockWriteGuard<T>> {
    return new GuardAcquire(this.#sem, this.maxReaders, this.#cell, RwLockWriteGuard<T>);
  }

  /** Read access now, or TryLockError. */
  tryRead(): Result<RwLockReadGuard<T>, TryLockError> {
    if (!this.#sem.tryTake(1)) return err(new TryLockError());
    return ok(new RwLockReadGuard(this.#sem, this.#cell));
  }

  /** Write access now, or TryLockError. */
  tryWrite(): Result<RwLockWriteGuard<T>, TryLockError> {
    if (!this.#sem.tryTake(this.maxReaders)) return err(new TryLockError());
    return ok(new RwLockWriteGuard(this.#sem, this.#cell, this.maxReaders));
  }
}

/**
 * A wait for read or write access (`needed` permits); its output is the guard, made with the
 * guard class it was given (a shared constructor, not a closure per call).
 */
class GuardAcquire<T, G> extends Waiter<G> {
  constructor(
    semaphore: BatchSemaphore,
    needed: number,
    private readonly cell: { value: T },
    private readonly Guard: new (sem: BatchSemaphore, cell: { value: T }, permits: number) => G,
  ) {
    super(semaphore, needed);
  }

  protected override output(): G {
    return new this.Guard(this.semaphore, this.cell, this.needed);
  }
}

abstract class Guard<T> implements Disposable {
  #sem: BatchSemaphore | undefined;

  constructor(
    sem: BatchSemaphore,
    protected readonly cell: { value: T },
    protected readonly permits: number,
  ) {
    this.#sem = sem;
  }

  /** Give the access back. Idempotent. */
  release(): void {
    const sem = this.#sem;
    if (sem === undefined) return;
    this.#sem = undefined;
    sem.release(this.permits);
  }

  /** `using guard = …`: releases at the end of the scope. */
  [Symbol.dispose](): void {
    this.release();
  }

  protected check(): void {
    if (this.#sem === undefined) throw new Error("the lock guard was released: lock again to use the value");
  }

  /** Give up this guard without releasing its permits (they pass to another guard). */
  protected detach(): BatchSemaphore {
    this.check();
    const sem = this.#sem!;
    this.#sem = undefined;
    return sem;
  }
}

/**
 * Shared read access to an {@link RwLock}'s value.
 *
 * @example
 * ```ts
 * using r = await lock.read();
 * console.log(r.value);
 * ```
 */
export class RwLockReadGuard<T> extends Guard<T> {
  /** @hidden */
  constructor(sem: BatchSemaphore, cell: { value: T }) {
    super(sem, cell, 1);
  }

  /** The value (read only through this guard). **Throws** after release. */
  get value(): T {
    this.check();
    return this.cell.value;
  }
}

/**
 * Exclusive write access to an {@link RwLock}'s value.
 *
 * @example
 * ```ts
 * using w = await lock.write();
 * w.value = next;
 * ```
 */
export class RwLockWriteGuard<T> extends Guard<T> {
  /** @hidden */
  constructor(sem: BatchSemaphore, cell: { value: T }, permits: number) {
    super(sem, cell, permits);
  }

  /** The value. **Throws** after release. */
  get value(): T {
    this.check();
    return this.cell.value;
  }

  set value(value: T) {
    this.check();
    this.cell.value = value;
  }

  /**
   * Turn this write access into read access atomically (Tokio's `RwLockWriteGuard::downgrade`):
   * no writer can take the lock in between, and the value read through the returned guard is
   * the one written. Readers waiting in line behind no writer get in at once. This guard is
   * released by it (using it afterwards throws; releasing it again does nothing).
   *
   * @example
   * ```ts
   * using w = await lock.write();
   * w.value = next;
   * using r = w.downgrade(); // others may read now, no one may write until r is released
   * ```
   *
   * **Throws**: Error if the guard was released.
   */
  downgrade(): RwLockReadGuard<T> {
    const sem = this.detach();
    const read = new RwLockReadGuard(sem, this.cell);
    sem.release(this.permits - 1); // keep one: the read guard's
    return read;
  }
}
