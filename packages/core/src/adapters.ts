/**
 * Futures from the other ways of writing async code — generator functions, async functions,
 * promises — and promises from futures.
 *
 * Generator functions are the exactly-cancellable form: a generator future steps its generator
 * with the outputs of the futures it yields, and dropping it calls `return()` at the
 * suspension point so that its `finally` blocks run (Rust's Drop). Async functions run as
 * promise chains; their `await`s of tokio-ts futures are polled by the async future (see
 * `internal/drive.ts`), which is how a runtime keeps them within its budget and can reject
 * them when the task is aborted.
 */
import { Context, noopWaker, type Waker } from "./context.js";
import { currentFrame, enterFrame, restoreFrame, runWithFrame, type AwaitHost, type Frame, type Outcome, type TaskRef } from "./current.js";
import { CancelledError } from "./errors.js";
import { Future, isFuture, Pending, type Poll } from "./future.js";
import { beginCancelGenerator, dropGenerator, isGenerator, pollGenerator, type GeneratorSlot } from "./generator.js";
import { awaitFuture, driveStandalone } from "./internal/drive.js";

/**
 * A generator function usable as a body: `function* () { … return value }`. Await futures in it
 * with `yield*`, which gives each one's output its type; what a bare `yield` evaluates to is
 * typed `unknown`.
 *
 * @example
 * ```ts
 * const body: GeneratorBody<number> = function* () {
 *   yield* sleep(10);
 *   return 1;
 * };
 * ```
 */
export type GeneratorBody<T> = (signal: AbortSignal) => Generator<unknown, T, unknown>;
/**
 * An async (or plain) function usable as a body; it may take the task's `AbortSignal`.
 *
 * @example
 * ```ts
 * const body: AsyncBody<string> = async (signal) => (await fetch(url, { signal })).text();
 * ```
 */
export type AsyncBody<T> = (signal: AbortSignal) => PromiseLike<T> | NotAsyncGenerator<T>;
/**
 * `R`, unless it is what an async generator function returns (an `AsyncIterator`): such a
 * function is not a body, and the signatures that take a function returning `R` refuse it at
 * compile time with this (it would fail with a TypeError at the call).
 *
 * @example
 * ```ts
 * declare function run<R>(body: (signal: AbortSignal) => NotAsyncGenerator<R>): Promise<Awaited<R>>;
 * run(async () => 1); // Promise<number>
 * // run(async function* () { yield 1; }); // does not compile
 * ```
 */
export type NotAsyncGenerator<R> = R extends AsyncIterator<unknown> ? never : R;
/**
 * Everything {@link intoFuture} accepts.
 *
 * @example
 * ```ts
 * function run<T>(body: IntoFuture<T>): Future<T> {
 *   return intoFuture(body); // a future, a generator (function) or an async function
 * }
 * ```
 */
export type IntoFuture<T> = Future<T> | GeneratorBody<T> | AsyncBody<T> | Generator<unknown, T, unknown>;

const GeneratorFunctionPrototype = Object.getPrototypeOf(function* () {});
const AsyncGeneratorFunctionPrototype = Object.getPrototypeOf(async function* () {});

/**
 * Whether `fn` is a `function*`.
 *
 * @example
 * ```ts
 * isGeneratorFunction(function* () {}); // true
 * isGeneratorFunction(async () => {}); // false
 * ```
 */
export function isGeneratorFunction(fn: unknown): fn is GeneratorBody<unknown> {
  return typeof fn === "function" && Object.getPrototypeOf(fn) === GeneratorFunctionPrototype;
}

// ---------------------------------------------------------------------------------------------
// Generators

/**
 * A generator function or object as a future; the generator is created at the first poll. A
 * generator function that declares a parameter receives an `AbortSignal`, aborted (with
 * {@link CancelledError}) when the future is dropped or its cancellation begins.
 */
class GeneratorFuture<T> extends Future<T> implements GeneratorSlot<T> {
  #factory: GeneratorBody<T> | undefined;
  #controller: AbortController | undefined = undefined;
  gen: Generator<unknown, T, unknown> | undefined;
  current: Future<unknown> | undefined = undefined;

  constructor(body: GeneratorBody<T> | Generator<unknown, T, unknown>) {
    super();
    if (typeof body === "function") this.#factory = body;
    else this.gen = body;
  }

  override poll(cx: Context): Poll<T> {
    const factory = this.#factory;
    if (factory !== undefined) {
      this.#factory = undefined;
      let signal: AbortSignal | undefined;
      if (factory.length > 0) signal = (this.#controller = new AbortController()).signal;
      this.gen = factory(signal!);
    }
    return pollGenerator(this, cx);
  }

  #abortSignal(taskId?: number): void {
    const controller = this.#controller;
    this.#controller = undefined;
    controller?.abort(new CancelledError(taskId));
  }

  override cancel(): void {
    this.#factory = undefined;
    this.#abortSignal();
    dropGenerator(this);
  }

  beginCancel(taskId?: number): boolean {
    this.#factory = undefined;
    this.#abortSignal(taskId);
    return beginCancelGenerator(this);
  }
}

/**
 * A future from a generator function (or a generator object): `yield*` futures inside it, and
 * its return value is the output. Dropping the future runs the generator's `finally` blocks.
 *
 * On a path that runs often, pass a generator object of a shared generator function,
 * `fromGenerator(step(a, b))`, rather than a fresh `function* () { … }` each time: V8 builds a
 * prototype and a hidden class for every generator closure on its first call (~0.7 µs).
 *
 * @example
 * ```ts
 * const fut = fromGenerator(function* () {
 *   const a = yield* ready(1);
 *   return a + 1;
 * });
 * await fut; // 2
 * ```
 *
 * **Cancel safety**: dropping the future closes the generator with `return()`, so its `finally` blocks run and the futures it was awaiting are dropped; whatever the body had not finished is lost, as with a dropped Rust `async` block. A drop is synchronous: a `finally` block runs up to its first `yield*`, where the future it yields is dropped unpolled and the generator is closed again, so the statements after that `yield*` do not run. Release what the body holds before any `yield*` in a `finally` (or with `using`); only a task's own generator, aborted with `JoinHandle.abort()`, may await in its `finally` (see `spawn`).
 */
export function fromGenerator<T>(body: GeneratorBody<T> | Generator<unknown, T, unknown>): Future<T> {
  if (typeof body !== "function" && !isGenerator(body)) {
    throw new TypeError(`body: expected a generator function or a generator object, got ${describe(body)}`);
  }
  return new GeneratorFuture(body);
}

// ---------------------------------------------------------------------------------------------
// Async functions


/**
 * The context of pollAwait's polls, reused: they are synchronous, and one that would start
 * inside another (a poll that calls `then` of a future) is not made (`inlineBusy`).
 */
const inlineContext = new Context(noopWaker, 0);
let inlineBusy = false;

const NEW = 0;
const RUNNING = 1;
const RESOLVED = 2;
const REJECTED = 3;
const DROPPED = 4;
/** The function returned a generator object or a future, which is polled in its place. */
const DELEGATING = 5;

/**
 * How many awaits of a cancelled async function are rejected with its cancellation before the
 * next one is left unsettled: cleanup code awaits a few (each rejects at once), a loop that
 * swallows every error reaches it within microseconds.
 */
const MAX_TOLD = 100;

/**
 * States: NEW → RUNNING (the function's promise is pending) → RESOLVED | REJECTED; any → DROPPED
 * by `cancel()`. While RUNNING the future is the await host of the function's frame: each
 * `await fut` inside it lands in `#awaits` and is polled by `poll`. After `beginCancel()` (or
 * `cancel()`) every await (pending or new) is rejected with the cancellation error, and the
 * output is awaited only to learn when the function has unwound — up to MAX_TOLD of them: the
 * await after that is never settled (a loop swallowing the error), and the function stops there
 * (REJECTED with the cancellation error, when RUNNING).
 */
class AsyncFuture<T> extends Future<T> implements AwaitHost, Frame {
  // The future is the frame its function runs in (one allocation fewer per async body): same
  // task as where it was first polled, itself as the await host, no task-local binding.
  task: TaskRef | undefined = undefined;
  parent: Frame | undefined = undefined;
  declare readonly host: AwaitHost;
  declare readonly key: undefined;
  declare readonly value: undefined;

  #fn: AsyncBody<T> | undefined;
  #state = NEW;
  #result: unknown = undefined;
  #waker: Waker | undefined = undefined;
  /** The awaited futures and their outcomes, flat: future, outcome, future, outcome, … */
  #awaits: (Future<unknown> | Outcome<any>)[] | undefined = undefined;
  #controller: AbortController | undefined = undefined;
  #cancelled: CancelledError | undefined = undefined;
  /**
   * Awaits rejected with the cancellation so far. At {@link MAX_TOLD} the function is deemed to
   * swallow it in a loop, and a further await is never settled (see awaitFuture).
   */
  #told = 0;
  /**
   * Budget left for awaits polled in `then` (see pollAwait): what the last poll left over; -1
   * while none may be used (before the first poll ends, during a poll, after a spent budget was
   * counted).
   */
  #inlineBudget = -1;
  /**
   * Awaits to leave to the task's poll before pollAwait polls one in `then` again (low 6 bits),
   * and the length of that pause (above), doubled each time a future polled in `then` is
   * pending (up to 63).
   * A body whose awaits are mostly pending (request/response between tasks) so pays the extra
   * poll on one await in 64, not on each; one ready future ends the pause.
   */
  #inlinePause = 0; // (length << 6) | awaits left to skip: one field, not two, per async task

  constructor(fn: AsyncBody<T>) {
    super();
    this.#fn = fn;
  }

  override poll(cx: Context): Poll<T> {
    this.#waker = cx.waker;
    this.#inlineBudget = -1; // an await made while the body runs synchronously waits for this poll
    if (this.#state === NEW) this.#start();
    if (this.#state === DELEGATING) return (this.#result as Future<T>).poll(cx);
    if (this.#awaits !== undefined && this.#awaits.length !== 0) this.#pollAwaits(cx);
    // A budget this poll spent is the executor's to count (-1: pollAwait does not count it again).
    this.#inlineBudget = cx.budget > 0 ? cx.budget : -1;
    switch (this.#state) {
      case RESOLVED:
        return this.#result as T;
      case REJECTED:
        throw this.#result;
      case DROPPED:
        throw new Error("an async future was polled after it was dropped");
      default:
        return Pending;
    }
  }

  #start(): void {
    const fn = this.#fn!;
    this.#fn = undefined;
    this.#state = RUNNING;
    const parent = currentFrame();
    this.parent = parent;
    this.task = parent?.task;
    let signal: AbortSignal | undefined;
    if (fn.length > 0) signal = (this.#controller = new AbortController()).signal;
    let out: PromiseLike<T> | T;
    try {
      out = runWithFrame(this, fn, signal!);
    } catch (error) {
      this.#settle(REJECTED, error);
      return;
    }
    if (isFuture(out) || isGenerator(out)) {
      // `() => work(id)` with a generator function `work`, or `() => sleep(10)`: run what it
      // returned rather than resolving to it.
      this.#state = DELEGATING;
      this.#result = isFuture(out) ? out : new GeneratorFuture(out as Generator<unknown, T, unknown>);
      return;
    }
    if (out === null || (typeof out !== "object" && typeof out !== "function") || typeof (out as PromiseLike<T>).then !== "function") {
      this.#settle(RESOLVED, out);
      return;
    }
    Promise.resolve(out).then(
      (value) => this.#settle(RESOLVED, value),
      (error) => this.#settle(REJECTED, error),
    );
  }

  #settle(state: number, result: unknown): void {
    if (this.#state !== RUNNING) return;
    this.#state = state;
    this.#result = result;
    const awaits = this.#awaits;
    if (awaits !== undefined && awaits.length !== 0) {
      // Awaits still pending now belong to async work the function started and did not wait
      // for. Nothing polls this future for them any more: drive them on their own, as an await
      // made after this point is (see awaitFuture), from a microtask, outside the current poll.
      this.#awaits = undefined;
      queueMicrotask(() => {
        for (let i = 0; i < awaits.length; i += 2) {
          driveStandalone(awaits[i] as Future<unknown>, awaits[i + 1] as Outcome<unknown>);
        }
      });
    }
    const waker = this.#waker;
    if (waker === undefined) return;
    // The task's own body (polled with the task as its waker): the task may finish it at once.
    const task = this.task;
    if (task !== undefined && (waker as unknown) === task && task.bodySettled !== undefined) task.bodySettled(this);
    else waker.wake();
  }

  /**
   * Poll every pending await, in the order they were made, and keep the ones still pending in
   * that order (compacted in place). A poll that aborts the task (its `#rejectAwaits` replaced
   * the list and settled every await) ends the pass.
   */
  #pollAwaits(cx: Context): void {
    const awaits = this.#awaits!;
    let kept = 0;
    for (let i = 0; i < awaits.length; i += 2) {
      const future = awaits[i] as Future<unknown>;
      let out: unknown;
      try {
        out = future.poll(cx);
      } catch (error) {
        if (this.#awaits !== awaits) return;
        (awaits[i + 1] as Outcome<unknown>).fail(error);
        continue;
      }
      if (this.#awaits !== awaits) return;
      // Read after the poll: an await of the same future made meanwhile joined this entry.
      const outcome = awaits[i + 1] as Outcome<unknown>;
      if (out !== Pending) {
        outcome.fulfill(out);
        continue;
      }
      if (kept !== i) {
        awaits[kept] = future;
        awaits[kept + 1] = outcome;
      }
      kept += 2;
    }
    awaits.length = kept;
  }

  /**
   * An await of the function, from `then` (see AwaitHost): poll the future at once, with the
   * task's waker and what is left of the budget of the task's last poll, unless something
   * stands in the way (cancellation, earlier awaits still pending, no budget left). So an await
   * of a ready future costs no wake and no poll of the task, while the budget still sends the
   * task back to its scheduler after BUDGET ready awaits, as Tokio's budget does.
   */
  pollAwait<R>(future: Future<R>): Poll<R> {
    if (this.#state !== RUNNING || this.#cancelled !== undefined || inlineBusy) return Pending;
    if ((this.#inlinePause & 63) !== 0) {
      this.#inlinePause--;
      return Pending;
    }
    // Spent (counted when it reached 0, below) or none to use: awaitFuture sends the task back to
    // its executor for a fresh budget.
    if (this.#inlineBudget <= 0) return Pending;
    const waker = this.#waker;
    if (waker === undefined || (this.#awaits !== undefined && this.#awaits.length !== 0)) return Pending;
    const cx = inlineContext;
    cx.waker = waker;
    cx.budget = this.#inlineBudget;
    const prevFrame = enterFrame(this);
    inlineBusy = true;
    let out: Poll<R>;
    try {
      out = future.poll(cx);
    } finally {
      inlineBusy = false;
      restoreFrame(prevFrame);
      this.#inlineBudget = cx.budget;
      cx.waker = noopWaker;
    }
    if (this.#inlineBudget === 0) {
      // This poll spent the last unit: a forced yield, counted now as Tokio counts it (when the
      // budget reaches zero), whether or not the body awaits again.
      this.#inlineBudget = -1;
      const task = this.task;
      if (task !== undefined && (waker as unknown) === task) task.budgetSpent?.();
    }
    if (out !== Pending) this.#inlinePause = 0;
    else {
      const last = this.#inlinePause >> 6;
      const length = last >= 31 ? 63 : last * 2 + 1;
      this.#inlinePause = (length << 6) | length;
    }
    return out;
  }

  awaitFuture<R>(future: Future<R>, outcome: Outcome<R>): void {
    if (this.#state !== RUNNING || this.#cancelled !== undefined) {
      if (this.#state === RUNNING || this.#state === DROPPED) {
        future.cancel();
        const error = this.#cancelled ?? new CancelledError();
        if (this.#told < MAX_TOLD) {
          // Rejected, as every await since the cancellation, so that `catch` and `finally`
          // blocks run (and release what they hold) as the function unwinds. Never settle
          // inside `then`: a microtask later.
          this.#told++;
          queueMicrotask(() => outcome.fail(error));
          return;
        }
        // It has caught its cancellation MAX_TOLD times and awaits again: a loop that catches
        // every error and goes on, which would spin in microtasks for ever and starve the host.
        // This await never settles, so the function stops here, and the future ends as
        // cancelled; the suspended function is left to the garbage collector.
        if (this.#state === RUNNING) queueMicrotask(() => this.#settle(REJECTED, error));
        return;
      }
      // The function already settled and a stray continuation awaits: drive it on its own.
      driveStandalone(future, outcome);
      return;
    }
    const awaits = (this.#awaits ??= []);
    // The same future awaited again while an earlier await of it is pending (`Promise.all([f,
    // f])`): share that await's polls, as the callbacks of one promise do — two polls of one
    // future would throw "polled after it completed" at the second. Awaits pending at once are
    // few: the scan is short.
    for (let i = 0; i < awaits.length; i += 2) {
      if (awaits[i] === future) {
        awaits[i + 1] = new Fanout(awaits[i + 1] as Outcome<R>, outcome);
        return;
      }
    }
    awaits.push(future, outcome);
    // Even after pollAwait found it pending: a poll of the task is what lets its runtime see
    // that it waits (and, when all its tasks wait, park its drivers: the paused clock's
    // auto-advance).
    this.#waker?.wake();
  }

  #rejectAwaits(error: CancelledError): void {
    const awaits = this.#awaits;
    this.#awaits = undefined;
    if (awaits !== undefined && awaits.length !== 0) {
      this.#told += awaits.length >> 1; // future, outcome pairs
      for (let i = 0; i < awaits.length; i += 2) {
        (awaits[i] as Future<unknown>).cancel();
        (awaits[i + 1] as Outcome<unknown>).fail(error);
      }
    }
    this.#controller?.abort(error);
  }

  /** Task abort: reject the pending and future awaits; true once the function has settled. */
  beginCancel(taskId?: number): boolean {
    if (this.#state === DELEGATING) {
      this.#abortDelegated(taskId);
      return beginCancel(this.#result as Future<unknown>, taskId);
    }
    // Settled: unwound, unless it threw, which a poll must still hand over (a panic, not a
    // cancellation: the function had failed before its abort was seen).
    if (this.#state !== RUNNING) return this.#state !== REJECTED;
    if (this.#cancelled === undefined) {
      this.#cancelled = new CancelledError(taskId);
      this.#rejectAwaits(this.#cancelled);
    }
    return false;
  }

  /** Fire the function's signal once its returned future is cancelled (it has no awaits to reject). */
  #abortDelegated(taskId?: number): void {
    const controller = this.#controller;
    this.#controller = undefined;
    controller?.abort(new CancelledError(taskId));
  }

  override cancel(): void {
    if (this.#state === DELEGATING) {
      this.#state = DROPPED;
      this.#abortDelegated();
      (this.#result as Future<unknown>).cancel();
    } else if (this.#state === RUNNING) {
      this.#state = DROPPED;
      this.#rejectAwaits(this.#cancelled ?? new CancelledError());
    } else if (this.#state === NEW) {
      this.#state = DROPPED;
      this.#fn = undefined;
    }
    this.#waker = undefined;
  }
}

/** Two awaits of one future in one async body: both settle with its outcome, in order. */
class Fanout<T> implements Outcome<T> {
  constructor(
    private readonly first: Outcome<T>,
    private readonly second: Outcome<T>,
  ) {}

  fulfill(value: T): void {
    this.first.fulfill(value);
    this.second.fulfill(value);
  }

  fail(reason: unknown): void {
    this.first.fail(reason);
    this.second.fail(reason);
  }
}

{
  const proto = AsyncFuture.prototype as unknown as { key: undefined; value: undefined };
  Object.defineProperty(proto, "host", {
    get(this: AsyncFuture<unknown>) {
      return this;
    },
  });
  proto.key = undefined;
  proto.value = undefined;
}

/**
 * A future from an async function (or any function returning a value or a promise). The
 * function is called at the first poll, not before. If it declares a parameter it receives an
 * `AbortSignal` that fires when the future is dropped or its task aborted. A future or a
 * generator object that the function returns (`() => sleep(10)`, `() => worker(id)`) is run in
 * its place, and its output is the output. Async work the function starts without awaiting it
 * (a detached `(async () => …)()`) may outlive it: once the function settles, that work's
 * awaits of tokio-ts futures are driven on their own, outside the task, without its budget.
 *
 * @example
 * ```ts
 * const fut = fromAsync(async (signal) => {
 *   const res = await fetch(url, { signal });
 *   return res.status;
 * });
 * ```
 *
 * **Cancel safety**: a dropped future aborts the function's `AbortSignal` and makes its next `await` of a tokio-ts future reject with `CancelledError` (and the later ones, up to 100: a function that swallows the error in a loop is stopped at the 101st, which never settles). Work the function does with plain promises meanwhile still runs.
 */
export function fromAsync<T>(fn: (signal: AbortSignal) => Generator<unknown, T, unknown>): Future<T>;
export function fromAsync<T>(fn: AsyncBody<T>): Future<T>;
export function fromAsync<T>(fn: AsyncBody<T> | ((signal: AbortSignal) => Generator<unknown, T, unknown>)): Future<T> {
  if (typeof fn !== "function") throw new TypeError(`fn: expected an async function, got ${describe(fn)}`);
  return new AsyncFuture(fn as AsyncBody<T>); // a returned generator object is delegated to
}

// ---------------------------------------------------------------------------------------------
// Promises

/** States: lazy (`#source` set) → waiting (handlers attached) → settled. */
class PromiseFuture<T> extends Future<T> {
  #source: PromiseLike<T> | (() => PromiseLike<T>) | undefined;
  #state = NEW;
  #result: unknown = undefined;
  #waker: Waker | undefined = undefined;

  constructor(source: PromiseLike<T> | (() => PromiseLike<T>)) {
    super();
    this.#source = source;
  }

  override poll(cx: Context): Poll<T> {
    if (this.#state === NEW) {
      const source = this.#source!;
      this.#source = undefined;
      this.#state = RUNNING;
      const promise = typeof source === "function" ? source() : source;
      Promise.resolve(promise).then(
        (value) => this.#settle(RESOLVED, value),
        (error) => this.#settle(REJECTED, error),
      );
    }
    if (this.#state === RESOLVED) return this.#result as T;
    if (this.#state === REJECTED) throw this.#result;
    this.#waker = cx.waker;
    return Pending;
  }

  #settle(state: number, result: unknown): void {
    if (this.#state !== RUNNING) return;
    this.#state = state;
    this.#result = result;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }

  override cancel(): void {
    // Dropped before its first poll: nobody listens to the promise, so its rejection would be
    // reported as unhandled (a crash), though the drop means its outcome is not wanted.
    const source = this.#source;
    if (source instanceof Promise) source.then(undefined, ignore);
    this.#state = DROPPED;
    this.#source = undefined;
    this.#waker = undefined;
  }
}

/**
 * A future from a promise, or from a function that makes one (called at the first poll, so the
 * work starts lazily). Dropping the future ignores the promise's outcome; it cannot stop work
 * already started — pass an `AbortSignal` to the function for that (see {@link fromAsync}).
 *
 * @example
 * ```ts
 * const text = yield* fromPromise(() => fs.promises.readFile(path, "utf8"));
 * ```
 *
 * **Cancel safety**: dropping the future only stops listening: a promise cannot be cancelled, so the work behind it goes on and its result is discarded (a rejection is not reported as unhandled, also when the future is dropped before its first poll).
 *
 * **Throws**: TypeError unless `source` is a promise (a thenable) or a function.
 */
export function fromPromise<T>(source: PromiseLike<T> | (() => PromiseLike<T>)): Future<T> {
  if (typeof source !== "function" && typeof (source as PromiseLike<T> | null)?.then !== "function") {
    throw new TypeError(`source: expected a promise or a function that makes one, got ${source === null ? "null" : typeof source}`);
  }
  return new PromiseFuture(source);
}

/**
 * A promise of the future's output. Inside an async-function task the future is polled by the
 * task; elsewhere on the microtask queue.
 *
 * @example
 * ```ts
 * const value: Promise<number> = toPromise(fromGenerator(function* () { return 1 }));
 * ```
 */
export function toPromise<T>(future: Future<T>): Promise<T> {
  if (!isFuture(future)) throw new TypeError(`future: expected a future, got ${describe(future)}`);
  return awaitFuture(future, undefined, undefined) as Promise<T>;
}

// ---------------------------------------------------------------------------------------------
// Small futures

class Ready<T> extends Future<T> {
  readonly #value: T;

  constructor(value: T) {
    super();
    this.#value = value;
  }

  override poll(): T {
    return this.#value;
  }
}

/**
 * A future that is ready at once with `value`.
 *
 * @example
 * ```ts
 * await ready(3); // 3
 * ```
 *
 * **Cancel safety**: cancel safe; it holds nothing but the value.
 */
export function ready<T>(value: T): Future<T> {
  return new Ready(value);
}

class Never extends Future<never> {
  override poll(): Poll<never> {
    return Pending;
  }
}

/**
 * A future that never completes (it registers nothing, so it never wakes). Useful as a
 * disabled branch or in tests.
 *
 * @example
 * ```ts
 * const fut = pending<number>(); // polling it always returns Pending
 * ```
 *
 * **Cancel safety**: cancel safe; it holds nothing.
 */
export function pending<T = never>(): Future<T> {
  return new Never() as Future<T>;
}

class PollFn<T> extends Future<T> {
  readonly #fn: (cx: Context) => Poll<T>;
  readonly #onCancel: (() => void) | undefined;

  constructor(fn: (cx: Context) => Poll<T>, onCancel?: () => void) {
    super();
    this.#fn = fn;
    this.#onCancel = onCancel;
  }

  override poll(cx: Context): Poll<T> {
    return this.#fn(cx);
  }

  override cancel(): void {
    this.#onCancel?.();
  }
}

/**
 * A future from a poll function (and an optional cancel hook) — the quickest way to write a
 * leaf future.
 *
 * @example
 * ```ts
 * let n = 0;
 * const fut = pollFn((cx) => (++n < 3 ? (cx.waker.wake(), Pending) : n));
 * await fut; // 3
 * ```
 *
 * **Cancel safety**: as cancel safe as the `poll` function: dropping the future calls `cancel` if given, and nothing else.
 */
export function pollFn<T>(poll: (cx: Context) => Poll<T>, cancel?: () => void): Future<T> {
  if (typeof poll !== "function") throw new TypeError(`poll: expected a function, got ${describe(poll)}`);
  if (cancel !== undefined && typeof cancel !== "function") {
    throw new TypeError(`cancel: expected a function or undefined, got ${describe(cancel)}`);
  }
  return new PollFn(poll, cancel);
}

/**
 * The future behind any body tokio-ts accepts: a future (as is), a generator function or
 * generator object, or an async/plain function.
 *
 * @example
 * ```ts
 * const f = intoFuture(async () => 1);
 * ```
 *
 * `name` is the argument's name in the error message (default `"body"`), for functions that
 * pass their own argument on: `intoFuture(future, "future")`.
 *
 * **Throws**: TypeError for anything else (naming what it got).
 *
 * **Cancel safety**: that of the future it returns (see `fromGenerator`, `fromAsync`, `fromPromise`).
 */
export function intoFuture<T>(body: IntoFuture<T>, name = "body"): Future<T> {
  if (isFuture(body)) return body as Future<T>;
  if (typeof body === "function") {
    if (isGeneratorFunction(body)) return new GeneratorFuture(body as GeneratorBody<T>);
    if (Object.getPrototypeOf(body) === AsyncGeneratorFunctionPrototype) {
      throw new TypeError(`${name}: async generator functions are not supported; use a generator or an async function`);
    }
    return new AsyncFuture(body as AsyncBody<T>);
  }
  if (isGenerator(body)) return new GeneratorFuture(body as Generator<unknown, T, unknown>);
  // `spawn(work())` with an async `work` (Tokio's `spawn(process(socket))`): the call already
  // started it, and the TypeError below is the error to fix. Its own failure would follow as an
  // unhandled rejection that buries this one (often "the runtime has been shut down", since the
  // TypeError ends the program), so it is marked handled.
  if ((body as unknown) instanceof Promise) (body as unknown as Promise<unknown>).then(undefined, ignore);
  throw new TypeError(`${name}: expected a future, a generator function or an async function, got ${describe(body)}`);
}

function ignore(): void {}

/** What a bad argument is, for an error message: its type, or a hint for a promise. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object" && typeof (value as { then?: unknown }).then === "function") {
    return "a promise (pass the async function itself, as in () => work(), so it can be cancelled; or wrap the promise with fromPromise(), which cannot cancel it)";
  }
  return typeof value;
}

/**
 * Begin a graceful cancellation of a future made by {@link intoFuture}: generator bodies run
 * their `finally` blocks (which may still await), async bodies see their awaits rejected with
 * {@link CancelledError}. Returns true if the body has unwound already; otherwise keep polling
 * it until it completes (its output is then meaningless, but an error it throws is its own:
 * false also for an async body that had already failed, whose next poll throws that error) —
 * and poll it now, as a wake-up: no
 * wake follows a `false` for a generator whose `finally` waits (its first wait there is only
 * reached by that poll), while an async body wakes its task once its awaits have been
 * rejected. A future that wraps one body (a counter, a tracer) takes part by having a
 * `beginCancel(taskId)` method of the same contract, which forwards to
 * `beginCancel(inner, taskId)`. Other futures are dropped at once. For
 * executors implementing abort.
 *
 * @example
 * ```ts
 * if (beginCancel(task.future, task.id)) finishAsCancelled(task);
 * else keepPolling(task);
 * ```
 */
export function beginCancel(future: Future<unknown>, taskId?: number): boolean {
  if (future instanceof GeneratorFuture) return future.beginCancel(taskId);
  if (future instanceof AsyncFuture) return future.beginCancel(taskId);
  const own = (future as { beginCancel?: unknown }).beginCancel;
  if (typeof own === "function") return (own as (taskId?: number) => boolean).call(future, taskId) === true;
  future.cancel();
  return true;
}
