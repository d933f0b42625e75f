/**
 * The future protocol.
 *
 * A future is lazy: it does nothing until it is polled. `poll(cx)` returns the output, or the
 * {@link Pending} sentinel after storing `cx.waker` where the awaited event will find it. A poll
 * that throws is a failure. A future that is dropped while pending is told so through
 * `cancel()`, and removes whatever it registered (a waiter, a timer entry) — that is what makes
 * `select`, `timeout` and `abort` correct. `cancel()` is idempotent and is never followed by
 * another poll.
 *
 * Every future is also a thenable (`await fut` in an async function) and an iterable that
 * yields itself once (`yield* fut` in a generator function, whose result is the output).
 * Outside a runtime, and within one async body, awaits of one pending future share one poller,
 * as a promise's callbacks would (see `Future#then`).
 */
import type { Context } from "./context.js";
import { awaitFuture, standaloneSlot } from "./internal/drive.js";
import { inline } from "./internal/inline.js";

/**
 * The sentinel `poll` returns when the output is not ready. Compare with `===`.
 *
 * @example
 * ```ts
 * poll(cx) { return this.ready ? this.value : (this.waker = cx.waker, Pending) }
 * ```
 */
export const Pending: unique symbol = Symbol.for("tokio-ts.Pending");
/**
 * The type of the {@link Pending} sentinel.
 *
 * @example
 * ```ts
 * const out: number | Pending = fut.poll(cx);
 * ```
 */
export type Pending = typeof Pending;

/**
 * What `pollGenerator` passes to `next` when it resumes a generator suspended in a `yield*` whose
 * iterator suspended with `yieldSuspend(future, true)`: "poll your future now". Only such
 * iterators ever receive it (see {@link Future}'s `[Symbol.iterator]`).
 *
 * @example
 * ```ts
 * if (value === Resume) { const out = this.poll(yieldContext()!); … }
 * ```
 */
export const Resume: unique symbol = Symbol.for("tokio-ts.Resume");
export type Resume = typeof Resume;

/**
 * What `poll` returns: the output or {@link Pending}.
 *
 * @example
 * ```ts
 * poll(cx: Context): Poll<string> { return this.done ? "done" : Pending }
 * ```
 */
export type Poll<T> = T | Pending;

/**
 * The base class of every future. Subclasses implement `poll` and, when they register
 * anything while pending, `cancel`.
 *
 * Every future is a thenable: `await fut` (or `fut.then(…)`, `toPromise(fut)`) polls it, within
 * the task inside a runtime, on the microtask queue elsewhere. Several awaits of one pending
 * future (outside a runtime, or within one async body) share one poller and all settle with
 * its outcome, in the order they were made, as a promise's callbacks do; after it completes, an
 * await polls it anew. See `then` for the rules.
 *
 * @example
 * ```ts
 * class Ready<T> extends Future<T> {
 *   constructor(private readonly value: T) { super(); }
 *   poll(): T { return this.value; }
 * }
 * const v = await new Ready(42); // 42
 * ```
 */
export abstract class Future<T> implements PromiseLike<T> {
  /** Advance the future: its output, or {@link Pending} after storing `cx.waker`. */
  abstract poll(cx: Context): Poll<T>;

  /**
   * Drop the future while it is pending: deregister waiters, release resources. Idempotent;
   * no poll follows. The default does nothing.
   */
  cancel(): void {}

  /**
   * Await the future: inside a runtime task it is polled by that task (and so takes part in
   * its budget and cancellation); elsewhere it is polled on the microtask queue.
   *
   * **Several awaits of one future.** Outside a runtime, awaits made while the future is
   * pending share its poller, as the callbacks of one promise do: `f.then(a); f.then(b)`,
   * `Promise.all([f, f])` or `toPromise(f)` twice all settle with the same output, or reject
   * with the same error, in the order the awaits were made, and the future is polled as if it
   * were awaited once. The sharing ends when the future completes: an await made after that
   * (or one that finds the future ready at once) polls it again, as a second `yield*` would —
   * `fromAsync` and `fromPromise` futures give their output again, most others throw "polled
   * after it completed". To use an output twice, keep the output (or one promise of it) rather
   * than the future.
   *
   * Inside one async body (a task's, or any `fromAsync`), awaits of one pending future share
   * its polls the same way. A pending future awaited both inside a task and outside any (or in
   * two tasks) has two pollers, and it wakes only the one that polled it last: one await gets
   * the output, the other never settles or gets that error. Share such a future as a promise:
   * `const p = toPromise(f)`, once, then await `p` anywhere.
   *
   * @example
   * ```ts
   * const status = fromPromise(() => fetch(url).then((res) => res.status)); // called at the first poll
   * const [a, b] = await Promise.all([status, status]); // one fetch, both awaits get its status
   * ```
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return awaitFuture(this, onfulfilled, onrejected);
  }

  /**
   * `yield* fut` in a generator function: yields the future once, returns its output.
   *
   * A future class on a hot path may be its own iterator instead: override this to return
   * `this` and implement `next`, `return` and `throw` with {@link yieldContext} and
   * {@link yieldSuspend}, as below. It saves an iterator object per `yield*`, and, more,
   * V8 keeps call feedback per function: the shared iterator's `future.poll(cx)` sees every
   * future class of the program and cannot inline any, a class's own `next` calls one `poll`
   * (a broadcast `recv()` took 30 % less time this way in the 16-receiver benchmark).
   *
   * Such an iterator may also poll its future itself when the task resumes: suspend with
   * `yieldSuspend(this, true)`, and `pollGenerator` then resumes the generator with
   * `next(Resume)` instead of polling the future from its own (megamorphic) call site: poll, and
   * return the output, or suspend again if still pending. Its `return()` must then drop the
   * future (`cancel()`), because a generator dropped while suspended there is closed through it
   * (for the task the pending future is that iterator, not the future). The oneshot round trip
   * took ~12 % less time this way in a process that also runs other futures.
   *
   * @example
   * ```ts
   * class Hot extends Future<number> {
   *   #yielded = false;
   *   poll(cx: Context): Poll<number> { return 1; }
   *   override [Symbol.iterator](): Iterator<Future<number>, number, unknown> { return this; }
   *   next(value?: unknown): IteratorResult<Future<number>, number> {
   *     if (this.#yielded) {
   *       this.#yielded = false;
   *       if (value !== Resume) return { done: true, value: value as number }; // stepped by hand
   *       const out = this.poll(yieldContext()!); // resumed by pollGenerator: poll ourselves
   *       if (out !== Pending) return { done: true, value: out };
   *     } else {
   *       const cx = yieldContext();
   *       if (cx !== undefined) {
   *         const out = this.poll(cx);
   *         if (out !== Pending) return { done: true, value: out };
   *       }
   *     }
   *     this.#yielded = true;
   *     return yieldSuspend(this, true);
   *   }
   *   return(value?: unknown): IteratorResult<Future<number>, number> {
   *     if (this.#yielded) this.cancel(); // dropped while suspended here
   *     this.#yielded = false;
   *     return { done: true, value: value as number };
   *   }
   *   throw(error?: unknown): IteratorResult<Future<number>, number> {
   *     this.#yielded = false;
   *     throw error;
   *   }
   * }
   * ```
   */
  [Symbol.iterator](): Iterator<Future<T>, T, unknown> {
    return new YieldOnce(this);
  }
}

// Where a standalone await keeps its driver while the future is pending (internal/drive.ts).
// Undefined here on the prototype, so that a read on any future is a plain lookup; the driver
// writes it on the future itself, only when an await outside a runtime finds it pending. Not
// a constructor field: every future (every task, timer, channel wait) would carry it.
(Future.prototype as { [standaloneSlot]?: unknown })[standaloneSlot] = undefined;

/**
 * The context to poll with in the first step of a `yield* fut` that `pollGenerator` is
 * driving (a ready future then costs no suspension), or undefined when the generator is
 * stepped by someone else. For futures that are their own `yield*` iterator (see
 * {@link Future}'s `[Symbol.iterator]`).
 *
 * @example
 * ```ts
 * const cx = yieldContext();
 * if (cx !== undefined) { const out = this.poll(cx); if (out !== Pending) return { done: true, value: out }; }
 * ```
 */
export function yieldContext(): Context | undefined {
  return inline.cx;
}

/**
 * The step by which a future that is its own `yield*` iterator suspends the generator: its
 * poll in {@link yieldContext} returned Pending (so `pollGenerator` keeps it as the task's
 * current future without polling it again), or there was no context to poll with.
 *
 * With `resumable`, the iterator promises to poll the future itself when `pollGenerator`
 * resumes the generator with `next(Resume)`, and to drop it in `return()` (see
 * {@link Future}'s `[Symbol.iterator]`). Without it, `pollGenerator` polls the future and
 * resumes the generator with the output, as for any yielded future.
 *
 * @example
 * ```ts
 * this.#yielded = true;
 * return yieldSuspend(this, true);
 * ```
 */
export function yieldSuspend<T>(future: Future<T>, resumable = false): IteratorYieldResult<Future<T>> {
  if (inline.cx !== undefined) {
    inline.polled = future;
    inline.resumable = resumable;
  }
  return { done: false, value: future };
}

/** The iterator behind `yield* fut`: first step yields the future, second returns its output. */
class YieldOnce<T> implements Iterator<Future<T>, T, unknown> {
  #future: Future<T> | undefined;

  constructor(future: Future<T>) {
    this.#future = future;
  }

  next(value?: unknown): IteratorResult<Future<T>, T> {
    const future = this.#future;
    if (future !== undefined) {
      this.#future = undefined;
      // Driven by `pollGenerator`: poll now, and a ready future costs no suspension.
      const cx = inline.cx;
      if (cx !== undefined) {
        const out = future.poll(cx);
        if (out !== Pending) return { done: true, value: out };
      }
      return yieldSuspend(future); // resumed with the output (not resumable)
    }
    return { done: true, value: value as T };
  }

  throw(error?: unknown): IteratorResult<Future<T>, T> {
    this.#future = undefined;
    throw error;
  }

  return(value?: unknown): IteratorResult<Future<T>, T> {
    this.#future = undefined;
    return { done: true, value: value as T };
  }
}

/**
 * Whether `value` speaks the future protocol (duck-typed, so two copies of this package
 * interoperate).
 *
 * @example
 * ```ts
 * isFuture(sleep(10)); // true
 * isFuture(Promise.resolve()); // false
 * ```
 */
export function isFuture(value: unknown): value is Future<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { poll?: unknown }).poll === "function" &&
    typeof (value as { cancel?: unknown }).cancel === "function"
  );
}

/**
 * The output type of a future.
 *
 * @example
 * ```ts
 * type N = Output<Future<number>>; // number
 * ```
 */
export type Output<F> = F extends Future<infer T> ? T : never;
