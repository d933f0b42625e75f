/**
 * How `await fut` (and `fut.then(…)`) reaches a poller.
 *
 * Inside an async-function body run by a runtime, the current frame names an await host (the
 * body's future), which polls `fut` as part of the task: the await then takes part in the
 * task's budget, wakes the task, and is rejected when the task is aborted. Anywhere else a
 * standalone driver polls `fut` at once and, if it is pending, again on the microtask queue
 * each time it is woken; that is how the sync primitives work without a runtime.
 *
 * Cost: one promise per await. A future that is ready at the first poll settles through
 * `Promise.resolve(value).then(…)` (the callbacks must not run inside `then`, Promises/A+
 * 2.2.4); otherwise one promise whose executor hands its resolvers to a {@link Settle}.
 */
import { Context } from "../context.js";
import { currentFrame, type Outcome } from "../current.js";
import { Pending, type Future } from "../future.js";

type OnFulfilled<T, R1> = ((value: T) => R1 | PromiseLike<R1>) | null | undefined;
type OnRejected<R2> = ((reason: unknown) => R2 | PromiseLike<R2>) | null | undefined;

/**
 * Schedules the re-polls: `RESOLVED.then(fn)` costs about 25 ns where Node's `queueMicrotask(fn)`
 * costs about 60 (it wraps each callback in an AsyncResource). `run` never throws.
 */
const RESOLVED = Promise.resolve();

/** `future.then(onfulfilled, onrejected)`. */
export function awaitFuture<T, R1, R2>(future: Future<T>, onfulfilled: OnFulfilled<T, R1>, onrejected: OnRejected<R2>): Promise<R1 | R2> {
  const host = currentFrame()?.host;
  if (host !== undefined) {
    return new Promise<R1 | R2>((resolve, reject) => host.awaitFuture(future, new Settle(resolve, reject, onfulfilled, onrejected)));
  }
  const driver = new StandaloneDriver(future);
  let out: T | Pending;
  try {
    out = driver.first();
  } catch (error) {
    return Promise.reject(error).then(undefined, onrejected) as Promise<R1 | R2>;
  }
  if (out !== Pending) return Promise.resolve(out).then(onfulfilled, onrejected);
  return new Promise<R1 | R2>((resolve, reject) => {
    driver.outcome = new Settle(resolve, reject, onfulfilled, onrejected);
  });
}

/** Drive `future` on the microtask queue, whatever the current frame says; `outcome` gets its result. */
export function driveStandalone<T>(future: Future<T>, outcome: Outcome<T>): void {
  const driver = new StandaloneDriver(future);
  driver.outcome = outcome;
  driver.run();
}

/** Settles the promise of `then` with the callbacks' results; called from a later poll. */
class Settle<T, R1, R2> implements Outcome<T> {
  constructor(
    private readonly resolve: (value: R1 | R2 | PromiseLike<R1 | R2>) => void,
    private readonly reject: (reason: unknown) => void,
    private readonly onfulfilled: OnFulfilled<T, R1>,
    private readonly onrejected: OnRejected<R2>,
  ) {}

  fulfill(value: T): void {
    const fn = this.onfulfilled;
    if (typeof fn !== "function") return this.resolve(value as unknown as R1);
    try {
      this.resolve(fn(value));
    } catch (error) {
      this.reject(error);
    }
  }

  fail(reason: unknown): void {
    const fn = this.onrejected;
    if (typeof fn !== "function") return this.reject(reason);
    try {
      this.resolve(fn(reason));
    } catch (error) {
      this.reject(error);
    }
  }
}

/**
 * Polls one future outside any runtime; a wake re-polls it in a microtask. It is its own
 * Context (waker = itself, unconstrained budget): one object per standalone await.
 */
class StandaloneDriver<T> extends Context {
  readonly #future: Future<T>;
  outcome: Outcome<T> | undefined = undefined;
  #scheduled = false;
  #done = false;
  #repoll: (() => void) | undefined = undefined;

  constructor(future: Future<T>) {
    super(undefined as never);
    this.waker = this;
    this.#future = future;
  }

  wake(): void {
    if (this.#scheduled || this.#done) return;
    this.#scheduled = true;
    RESOLVED.then(
      (this.#repoll ??= () => {
        this.#scheduled = false;
        this.run();
      }),
    );
  }

  /** The first poll, inside `then`: its result, Pending, or it throws. */
  first(): T | Pending {
    let out: T | Pending;
    try {
      out = this.#future.poll(this);
    } catch (error) {
      // A wake the failing poll made must not re-poll: there is no outcome to report to.
      this.#done = true;
      throw error;
    }
    if (out !== Pending) this.#done = true;
    return out;
  }

  run(): void {
    if (this.#done) return;
    this.budget = Infinity;
    let out: T | Pending;
    try {
      out = this.#future.poll(this);
    } catch (error) {
      this.#done = true;
      this.outcome!.fail(error);
      return;
    }
    if (out === Pending) return;
    this.#done = true;
    this.outcome!.fulfill(out);
  }
}
