/**
 * A mock task: poll a future by hand, poll by poll, and watch its wake-ups (tokio-test's
 * `task::spawn`).
 *
 * The mock task is the poller of its future. It owns one {@link Context} whose waker counts the
 * wake-ups it receives; before each poll it resets the context's budget (to {@link BUDGET} unless
 * told otherwise), as a runtime does before each task poll. Nothing is scheduled: a wake-up is
 * only recorded, and the test decides when to poll again. No runtime is involved, so the
 * futures under test must be ones that work without a runtime (sync primitives, adapters,
 * hand-written leaves).
 *
 * States: PENDING (polled zero or more times, not ready) → READY (a poll returned the output)
 * | FAILED (a poll threw) | DROPPED (`drop()` cancelled the future). Only PENDING may be polled.
 */
import { BUDGET, Context, isFuture, Pending, type Future, type Poll, type Waker } from "@tokio-ts/core";
import { badOptions } from "./internal/describe.js";

/**
 * Options of {@link mockTask}.
 *
 * @example
 * ```ts
 * const task = mockTask(rx.recv(), { budget: 1 }); // the second leaf poll runs out of budget
 * ```
 */
export interface MockTaskOptions {
  /**
   * The cooperative budget given to each poll. Default {@link BUDGET} (128), as in a runtime;
   * `Infinity` to poll unconstrained.
   */
  readonly budget?: number | undefined;
}

const PENDING = 0;
const READY = 1;
const FAILED = 2;
const DROPPED = 3;

/**
 * A future under test, polled by hand. Create one with {@link mockTask}.
 *
 * @example
 * ```ts
 * let ready = false;
 * const task = mockTask(pollFn((cx) => (ready ? "done" : (waiter = cx.waker, Pending))));
 * assertPending(task.poll());
 * ready = true; waiter.wake();
 * task.isWoken(); // true
 * assertReady(task.poll(), "done");
 * ```
 */
export class MockTask<T> {
  readonly #future: Future<T>;
  readonly #cx: Context;
  readonly #budget: number;
  #state = PENDING;
  #wakeCount = 0;
  #woken = false;
  #pollCount = 0;

  /**
   * Wrap `future`; {@link mockTask} is the usual way to make one.
   *
   * **Throws**: as {@link mockTask}.
   */
  constructor(future: Future<T>, options: MockTaskOptions = {}) {
    if (!isFuture(future)) throw new TypeError(`mockTask: future must be a future (with poll and cancel methods), got ${describeFuture(future)}`);
    const bad = badOptions(options);
    if (bad !== undefined) throw new TypeError(`mockTask: options must be an object, got ${bad}`);
    for (const key of Object.keys(options)) {
      if (key !== "budget") throw new TypeError(`mockTask: unknown option ${JSON.stringify(key)} (known: budget)`);
    }
    const budget = options.budget === undefined ? BUDGET : options.budget;
    if (typeof budget !== "number") throw new TypeError(`budget must be a number, got ${budget === null ? "null" : typeof budget}`);
    // A whole number of units (or Infinity): 0.5 would let one leaf proceed and then count as spent.
    if (Number.isNaN(budget) || budget < 0 || (budget !== Infinity && !Number.isInteger(budget))) {
      throw new RangeError(`budget must be a whole number ≥ 0 or Infinity, got ${budget}`);
    }
    this.#future = future;
    this.#budget = budget;
    const waker: Waker = {
      wake: () => {
        this.#wakeCount++;
        this.#woken = true;
      },
    };
    this.#cx = new Context(waker, budget);
  }

  /** How many times the future has woken this task since it was created. */
  get wakeCount(): number {
    return this.#wakeCount;
  }

  /** How many times {@link poll} has been called. */
  get pollCount(): number {
    return this.#pollCount;
  }

  /** The waker the future is polled with (to wake the task by hand). */
  get waker(): Waker {
    return this.#cx.waker;
  }

  /** Budget units left after the last poll (`Infinity` when unconstrained). */
  get budgetRemaining(): number {
    return this.#cx.budget;
  }

  /** How many times a leaf returned Pending because this task's budget was spent. */
  get forcedYields(): number {
    return this.#cx.forcedYields;
  }

  /** Whether the future woke the task since the last poll (or since creation). */
  isWoken(): boolean {
    return this.#woken;
  }

  /** Whether a poll returned the output, threw, or the task was dropped: no more polls. */
  isDone(): boolean {
    return this.#state !== PENDING;
  }

  /**
   * Poll the future once with a fresh budget: its output, or {@link Pending}. Clears the
   * "woken" flag first, so `isWoken()` afterwards tells whether the future woke the task during
   * or after this poll.
   *
   * **Throws**: what the future's poll throws; Error if the task is done (a poll after the
   * output, after a failure or after `drop()` breaks the future protocol).
   */
  poll(): Poll<T> {
    if (this.#state !== PENDING) {
      const why = this.#state === READY ? "completed" : this.#state === FAILED ? "failed" : "was dropped";
      throw new Error(`mock task polled after its future ${why}`);
    }
    this.#woken = false;
    this.#pollCount++;
    this.#cx.budget = this.#budget;
    let out: Poll<T>;
    try {
      out = this.#future.poll(this.#cx);
    } catch (error) {
      this.#state = FAILED;
      throw error;
    }
    if (out !== Pending) this.#state = READY;
    return out;
  }

  /**
   * Run `fn` with this task's context — its waker and a fresh budget — to poll other futures as
   * this task (tokio-test's `Spawn::enter`): a future shared by two tasks, a receiver whose
   * waker moves from one task to another. Clears the "woken" flag first, as {@link poll} does;
   * it is not a poll of this task's own future (`pollCount` is unchanged).
   *
   * @example
   * ```ts
   * const a = mockTask(pending()), b = mockTask(pending());
   * const recv = rx.recv();
   * a.enter((cx) => recv.poll(cx)); // Pending, a's waker registered
   * b.enter((cx) => recv.poll(cx)); // the waker moves to b
   * tx.send(1); // b.isWoken() === true, a.isWoken() === false
   * ```
   *
   * **Throws**: TypeError unless `fn` is a function; what `fn` throws.
   */
  enter<R>(fn: (cx: Context) => R): R {
    if (typeof fn !== "function") throw new TypeError(`enter: fn must be a function, got ${fn === null ? "null" : typeof fn}`);
    this.#woken = false;
    this.#cx.budget = this.#budget;
    return fn(this.#cx);
  }

  /**
   * Drop the future: call its `cancel()` if it is still pending (it never completed, failed or
   * was dropped before). Idempotent.
   *
   * @example
   * ```ts
   * const task = mockTask(fromGenerator(function* () { try { yield* pending() } finally { log.push("finally") } }));
   * task.poll();
   * task.drop(); // log: ["finally"]
   * ```
   */
  drop(): void {
    if (this.#state !== PENDING) return;
    this.#state = DROPPED;
    this.#future.cancel();
  }

  /** `using task = mockTask(fut)`: drop at the end of the scope. */
  [Symbol.dispose](): void {
    this.drop();
  }
}

/**
 * Wrap `future` in a {@link MockTask} to poll it by hand.
 *
 * @example
 * ```ts
 * const task = mockTask(ready(3));
 * assertReady(task.poll(), 3);
 * task.wakeCount; // 0
 * ```
 *
 * **Throws**: TypeError unless `future` is a future (an object with `poll` and `cancel` methods:
 * wrap a generator or async function with `fromGenerator` / `fromAsync`), unless `options` is an
 * object, for an unknown option, or for a `budget` that is not a number; RangeError for a negative or NaN `budget`.
 */
export function mockTask<T>(future: Future<T>, options?: MockTaskOptions): MockTask<T> {
  return new MockTask(future, options);
}

function describeFuture(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return "a function (wrap it with fromGenerator() or fromAsync())";
  if (typeof value === "object") {
    return typeof (value as PromiseLike<unknown>).then === "function" ? "a promise (pass the async function itself, as in () => work(), so it can be cancelled; or wrap the promise with fromPromise(), which cannot cancel it)" : "an object without them";
  }
  return typeof value;
}
