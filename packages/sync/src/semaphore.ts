/**
 * Semaphore: a counting semaphore with FIFO fairness (Tokio's `sync::Semaphore`).
 */
import { fromGenerator, type Future } from "@tokio-ts/core";
import { TryAcquireError } from "./errors.js";
import { runHolding } from "./internal/run-holding.js";
import { BatchSemaphore, checkPermits, MAX_PERMITS, Waiter } from "./internal/waiter.js";
import { err, ok, type Result } from "./result.js";

/**
 * A counting semaphore: `acquire()` waits for a permit, the permit gives it back when released
 * (`permit.release()`, or `using permit = yield* sem.acquire()`). Waiters are served in FIFO
 * order, and a large `acquireMany(n)` at the head holds back later small ones, so nobody
 * starves. Works with or without a runtime.
 *
 * @example
 * ```ts
 * const sem = new Semaphore(2); // at most two at a time
 * async function job(id: number) {
 *   using permit = await sem.acquire();
 *   await work(id);
 * } // released here
 * ```
 */
export class Semaphore {
  /** The largest number of permits a semaphore can hold. */
  static readonly MAX_PERMITS = MAX_PERMITS;
  readonly #inner: BatchSemaphore;

  /**
   * A semaphore with `permits` permits.
   *
   * **Throws**: RangeError/TypeError unless `permits` is an integer in [0, MAX_PERMITS].
   */
  constructor(permits: number) {
    this.#inner = new BatchSemaphore(checkPermits("permits", permits));
  }

  /** Permits available right now. */
  availablePermits(): number {
    return this.#inner.permits;
  }

  /**
   * Wait for one permit.
   *
   * **Cancel safety**: cancel safe: dropping the wait leaves the queue, and a permit handed to
   * it meanwhile goes to the next waiter.
   *
   * **Throws** (rejects): AcquireError "semaphore closed".
   */
  acquire(): Future<SemaphorePermit> {
    return new Acquire(this.#inner, 1, this);
  }

  /**
   * Wait for `n` permits at once. While it waits at the head of the queue, later acquires wait
   * behind it. `acquireMany(0)` is ready at once, queue or not (as in Tokio), unless closed.
   *
   * **Cancel safety**: cancel safe; permits partly assigned to it are given back.
   *
   * **Throws**: RangeError for `n` that is negative, fractional or above MAX_PERMITS; (rejects)
   * AcquireError.
   */
  acquireMany(n: number): Future<SemaphorePermit> {
    return new Acquire(this.#inner, checkPermits("n", n), this);
  }

  /**
   * Run `fn` with one permit held and give the permit back afterwards, however `fn` ends: at
   * most as many `fn`s run at once as the semaphore has permits (p-limit's `limit(fn)`). `fn`
   * may return a value, a promise, a future, or be a generator function; it gets the permit.
   *
   * @example
   * ```ts
   * const limit = new Semaphore(4);
   * const pages = await Promise.all(urls.map((url) => limit.runWithPermit((_permit, signal) => fetch(url, { signal }))));
   * ```
   *
   * Inside a task, an async `fn` runs as part of it, as with `fromAsync`; in plain async code
   * (no runtime) `fn` is simply called and its promise awaited (as `Mutex.runExclusive`).
   *
   * `fn` gets an AbortSignal as its second argument, if it declares one (p-queue's `{ signal }`):
   * it aborts, with a `CancelledError`, when the call is dropped before `fn` is done (a
   * `timeout`, a `select` loser, an abort). Pass it on (`fetch(url, { signal })`) so that the
   * work stops and the permit comes back at once.
   *
   * **Cancel safety**: dropping it while it waits for the permit is cancel safe. Dropped while
   * `fn` runs, it drops `fn`'s future and aborts its signal; a generator or future `fn` stops
   * there and the permit is given back, but a promise cannot be stopped, so an `fn` that
   * returned one keeps the permit until that promise settles (give it the signal): the limit
   * always holds.
   *
   * **Throws**: TypeError at the call if `fn` is not a function. Rejects with AcquireError if
   * the semaphore is closed, or with whatever `fn` throws (the permit is given back).
   */
  runWithPermit<R>(fn: (permit: SemaphorePermit, signal: AbortSignal) => R | PromiseLike<R> | Future<R> | Generator<unknown, R, unknown>): Future<R> {
    if (typeof fn !== "function") throw new TypeError(`fn must be a function, got ${fn === null ? "null" : typeof fn}`);
    return fromGenerator(runHolding(this.acquire(), fn));
  }

  /** A permit now, or why not (`"noPermits"`, `"closed"`). */
  tryAcquire(): Result<SemaphorePermit, TryAcquireError> {
    return this.tryAcquireMany(1);
  }

  /**
   * `n` permits now, or why not.
   *
   * **Throws**: RangeError for a bad `n`.
   */
  tryAcquireMany(n: number): Result<SemaphorePermit, TryAcquireError> {
    checkPermits("n", n);
    const inner = this.#inner;
    if (inner.closed) return err(new TryAcquireError("closed"));
    if (!inner.tryTake(n)) return err(new TryAcquireError("noPermits"));
    return ok(new SemaphorePermit(inner, n, this));
  }

  /**
   * Add `n` permits (waiters are served first).
   *
   * **Throws**: RangeError if the total would exceed MAX_PERMITS.
   */
  addPermits(n: number): void {
    checkPermits("n", n);
    if (this.#inner.permits + n > MAX_PERMITS) throw new RangeError(`a semaphore cannot hold more than ${MAX_PERMITS} permits`);
    this.#inner.release(n);
  }

  /** Remove up to `n` available permits; returns how many were removed. */
  forgetPermits(n: number): number {
    checkPermits("n", n);
    const inner = this.#inner;
    const removed = Math.min(n, inner.permits);
    inner.permits -= removed;
    return removed;
  }

  /** Close: pending and future acquires fail with AcquireError; held permits stay valid. */
  close(): void {
    this.#inner.close();
  }

  /** Whether {@link close} was called. */
  isClosed(): boolean {
    return this.#inner.closed;
  }
}

class Acquire extends Waiter<SemaphorePermit> {
  constructor(
    inner: BatchSemaphore,
    needed: number,
    private readonly owner: Semaphore,
  ) {
    super(inner, needed);
  }

  protected override output(): SemaphorePermit {
    return new SemaphorePermit(this.semaphore, this.needed, this.owner);
  }
}

/**
 * Permits held from a {@link Semaphore}; `release()` (or disposal) gives them back. JavaScript
 * has no destructors: a permit that is neither released nor disposed is lost, as with
 * `forget()`.
 *
 * @example
 * ```ts
 * const p = await sem.acquireMany(3);
 * const one = p.split(1)!; // p holds 2, one holds 1
 * one.release();
 * p.release();
 * ```
 */
export class SemaphorePermit implements Disposable {
  #inner: BatchSemaphore | undefined;
  #permits: number;
  readonly #owner: Semaphore;

  /** @hidden */
  constructor(inner: BatchSemaphore, permits: number, owner: Semaphore) {
    this.#inner = inner;
    this.#permits = permits;
    this.#owner = owner;
  }

  /** How many permits this holds. */
  numPermits(): number {
    return this.#permits;
  }

  /** The semaphore the permits belong to. */
  semaphore(): Semaphore {
    return this.#owner;
  }

  /** Give the permits back. Idempotent. */
  release(): void {
    const inner = this.#inner;
    if (inner === undefined) return;
    this.#inner = undefined;
    const n = this.#permits;
    this.#permits = 0;
    if (n > 0) inner.release(n);
  }

  /** `using permit = …`: releases at the end of the scope. */
  [Symbol.dispose](): void {
    this.release();
  }

  /** Drop the permits without giving them back: the semaphore has that many fewer. */
  forget(): void {
    this.#inner = undefined;
    this.#permits = 0;
  }

  /**
   * Move the permits of `other` into this one.
   *
   * **Throws**: TypeError if `other` is not a SemaphorePermit, or belongs to another semaphore.
   */
  merge(other: SemaphorePermit): void {
    if (typeof other !== "object" || other === null || !(#owner in other)) {
      throw new TypeError(`other must be a SemaphorePermit, got ${other === null ? "null" : typeof other}`);
    }
    if (other.#owner !== this.#owner) throw new TypeError("other: cannot merge permits of different semaphores");
    if (other === this) return;
    this.#permits += other.#permits;
    if (this.#inner === undefined) this.#inner = other.#inner;
    other.#inner = undefined;
    other.#permits = 0;
  }

  /**
   * Take `n` of these permits into a new permit; undefined if this holds fewer than `n`.
   *
   * **Throws**: RangeError for a bad `n`.
   */
  split(n: number): SemaphorePermit | undefined {
    checkPermits("n", n);
    if (n > this.#permits || this.#inner === undefined) return undefined;
    this.#permits -= n;
    return new SemaphorePermit(this.#inner, n, this.#owner);
  }
}
