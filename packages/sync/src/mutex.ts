/**
 * Mutex: an async mutual-exclusion lock around a value (Tokio's `sync::Mutex`).
 */
import { fromGenerator, type Future } from "@tokio-ts/core";
import { TryLockError } from "./errors.js";
import { BatchSemaphore, Waiter } from "./internal/waiter.js";
import { runHolding } from "./internal/run-holding.js";
import { err, ok, type Result } from "./result.js";

/**
 * A lock around a value of type `T`, held across awaits. `lock()` waits its turn (FIFO: the
 * longest waiter gets the lock next) and gives a guard whose `value` is the protected value;
 * releasing the guard (`release()`, or `using`) unlocks.
 *
 * @example
 * ```ts
 * const counter = new Mutex(0);
 * await Promise.all([1, 2, 3].map(async () => {
 *   using guard = await counter.lock();
 *   guard.value += 1;
 * }));
 * counter.tryLock(); // ok, value 3
 * ```
 */
export class Mutex<T> {
  readonly #sem = new BatchSemaphore(1);
  readonly #cell: { value: T };

  constructor(value: T) {
    this.#cell = { value };
  }

  /**
   * Wait for the lock.
   *
   * **Cancel safety**: cancel safe: a dropped wait leaves the queue, and a lock handed to it
   * meanwhile passes to the next waiter.
   */
  lock(): Future<MutexGuard<T>> {
    return new Lock(this.#sem, this.#cell);
  }

  /** The lock now, or TryLockError "operation would block". */
  tryLock(): Result<MutexGuard<T>, TryLockError> {
    if (!this.#sem.tryTake(1)) return err(new TryLockError());
    return ok(new MutexGuard(this.#sem, this.#cell));
  }

  /** Whether the lock is held right now. */
  isLocked(): boolean {
    return this.#sem.permits === 0;
  }

  /**
   * Run `fn` with the lock held and release it afterwards, however `fn` ends. `fn` may return
   * a value, a promise, a future, or be a generator function.
   *
   * @example
   * ```ts
   * const n = await counter.runExclusive((guard) => ++guard.value);
   * ```
   *
   * Inside a task, an async `fn` runs as part of it, as with `fromAsync`: its awaits of
   * tokio-ts futures are polled by this task, and its task-locals are the caller's. In plain
   * async code (no runtime) `fn` is simply called and its promise awaited.
   *
   * `fn` gets an AbortSignal as its second argument, if it declares one: it aborts, with a
   * `CancelledError`, when the call is dropped before `fn` is done.
   *
   * **Cancel safety**: dropping it while it waits is cancel safe. Dropped while `fn` runs, it
   * drops `fn`'s future and aborts its signal (in a task, an async `fn`'s pending await of a
   * tokio-ts future rejects with `CancelledError`); a generator or future `fn` stops there and
   * the lock is released, but a promise cannot be stopped, so an `fn` that returned one keeps
   * the lock until that promise settles (give it the signal): no other caller ever runs
   * beside it.
   *
   * **Throws**: TypeError at the call if `fn` is not a function. Rejects with whatever `fn`
   * throws; the lock is released.
   */
  runExclusive<R>(fn: (guard: MutexGuard<T>, signal: AbortSignal) => R | PromiseLike<R> | Future<R> | Generator<unknown, R, unknown>): Future<R> {
    if (typeof fn !== "function") throw new TypeError(`fn must be a function, got ${fn === null ? "null" : typeof fn}`);
    // A generator object of a shared generator function: V8 makes a new prototype and map the
    // first time a generator *closure* is called (~0.7 µs), so no closure per call.
    return fromGenerator(runHolding(this.lock(), fn));
  }
}

class Lock<T> extends Waiter<MutexGuard<T>> {
  constructor(
    semaphore: BatchSemaphore,
    private readonly cell: { value: T },
  ) {
    super(semaphore, 1);
  }

  protected override output(): MutexGuard<T> {
    return new MutexGuard(this.semaphore, this.cell);
  }
}

/**
 * Holds a {@link Mutex}'s lock; `value` reads and writes the protected value. Release it with
 * `release()` or `using`; after that, `value` throws.
 *
 * @example
 * ```ts
 * using guard = await mutex.lock();
 * guard.value = { ...guard.value, seen: true };
 * ```
 */
export class MutexGuard<T> implements Disposable {
  #sem: BatchSemaphore | undefined;
  readonly #cell: { value: T };

  /** @hidden */
  constructor(sem: BatchSemaphore, cell: { value: T }) {
    this.#sem = sem;
    this.#cell = cell;
  }

  /** The protected value. **Throws** Error after the guard was released. */
  get value(): T {
    this.#check();
    return this.#cell.value;
  }

  set value(value: T) {
    this.#check();
    this.#cell.value = value;
  }

  /** Unlock. Idempotent. */
  release(): void {
    const sem = this.#sem;
    if (sem === undefined) return;
    this.#sem = undefined;
    sem.release(1);
  }

  /** `using guard = …`: unlocks at the end of the scope. */
  [Symbol.dispose](): void {
    this.release();
  }

  #check(): void {
    if (this.#sem === undefined) throw new Error("the mutex guard was released: lock the mutex again to use the value");
  }
}
