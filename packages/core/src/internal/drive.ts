/**
 * How `await fut` (and `fut.then(…)`) reaches a poller.
 *
 * Inside an async-function body run by a runtime, the current frame names an await host (the
 * body's future), which polls `fut` as part of the task: the await then takes part in the
 * task's budget, wakes the task, and is rejected when the task is aborted. Anywhere else a
 * standalone driver polls `fut` at once and, if it is pending, again on the microtask queue
 * each time it is woken; that is how the sync primitives work without a runtime.
 *
 * One future, one standalone driver. A future keeps only the waker of its latest poll, so two
 * drivers polling one future would leave the first asleep for ever (`f.then(a); f.then(b)`,
 * `Promise.all([f, f])`: only `b` settled). While a driver is active (its first poll returned
 * Pending, and it has not finished) it is registered in {@link active}; a standalone await of
 * the same future joins it instead of polling, and when the future completes (or its poll
 * throws) the driver settles every awaiter with that outcome, in the order the awaits were
 * made, after removing itself from the map. So an await made once the driver has finished —
 * including from one of the awaiters' callbacks — polls the completed future anew, as it
 * always has (most futures then throw "polled after it completed"), and a future that is
 * ready at its first poll is never registered at all.
 *
 * Cost: one promise per await. A future that is ready at the first poll settles through
 * `Promise.resolve(value).then(…)` (the callbacks must not run inside `then`, Promises/A+
 * 2.2.4); otherwise one promise whose executor hands its resolvers to a {@link Settle}. The
 * sharing adds a WeakMap lookup per standalone await (skipped while no driver is pending),
 * a set and a delete per pending one, and an array only once a second awaiter joins.
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

/**
 * The active standalone driver of each future that one is polling: registered after a first
 * poll that returned Pending, removed when the future completes or its poll throws. Only
 * {@link StandaloneDriver} writes it, and it keeps {@link pendingDrivers} equal to its size,
 * so that while nothing is pending (the common case, and every await of a ready future) an
 * await does not look it up.
 */
const active = new WeakMap<Future<unknown>, StandaloneDriver<any>>();
let pendingDrivers = 0;

/** `future.then(onfulfilled, onrejected)`. */
export function awaitFuture<T, R1, R2>(future: Future<T>, onfulfilled: OnFulfilled<T, R1>, onrejected: OnRejected<R2>): Promise<R1 | R2> {
  const host = currentFrame()?.host;
  if (host !== undefined) {
    return new Promise<R1 | R2>((resolve, reject) => host.awaitFuture(future, new Settle(resolve, reject, onfulfilled, onrejected)));
  }
  if (pendingDrivers !== 0) {
    const shared = active.get(future);
    if (shared !== undefined) {
      return new Promise<R1 | R2>((resolve, reject) => shared.join(new Settle(resolve, reject, onfulfilled, onrejected)));
    }
  }
  const driver = new StandaloneDriver(future);
  let out: T | Pending;
  try {
    out = driver.first();
  } catch (error) {
    return Promise.reject(error).then(undefined, onrejected) as Promise<R1 | R2>;
  }
  if (out !== Pending) return Promise.resolve(out).then(onfulfilled, onrejected);
  driver.register();
  return new Promise<R1 | R2>((resolve, reject) => {
    driver.outcome = new Settle(resolve, reject, onfulfilled, onrejected);
  });
}

/**
 * Drive `future` on the microtask queue, whatever the current frame says; `outcome` gets its
 * result. It joins the future's active standalone driver if there is one.
 */
export function driveStandalone<T>(future: Future<T>, outcome: Outcome<T>): void {
  const shared = pendingDrivers !== 0 ? active.get(future) : undefined;
  if (shared !== undefined) {
    shared.join(outcome);
    return;
  }
  const driver = new StandaloneDriver(future);
  driver.outcome = outcome;
  driver.register();
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
 * Context (waker = itself, unconstrained budget): one object per pending future, shared by
 * all its standalone awaiters.
 *
 * States: first poll (`first()`, in the `then` that created it; not registered) → pending
 * (registered in {@link active}; `outcome` set, more awaiters in `#more`) → done (`#done`,
 * unregistered, every outcome settled once). A first poll that is ready or throws goes
 * straight to done without registering; `then` settles its one awaiter itself. So `run`, which
 * only a registered driver reaches (a wake, or `driveStandalone`), always unregisters.
 */
class StandaloneDriver<T> extends Context {
  readonly #future: Future<T>;
  /** The first awaiter; the common case has no other. Settles its outcome (never throws). */
  outcome: Outcome<T> | undefined = undefined;
  /** The awaiters that joined later, in the order they came; created by the first join. */
  #more: Outcome<T>[] | undefined = undefined;
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

  /** Make this the driver that later standalone awaits of the future join: after a Pending first poll, before `run`. */
  register(): void {
    active.set(this.#future, this);
    pendingDrivers++;
  }

  /** Another awaiter of the (pending) future: settled after the earlier ones, with the same outcome. */
  join(outcome: Outcome<T>): void {
    (this.#more ??= []).push(outcome);
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
      this.#finish();
      this.outcome!.fail(error);
      const more = this.#more;
      if (more !== undefined) for (let i = 0; i < more.length; i++) more[i]!.fail(error);
      return;
    }
    if (out === Pending) return;
    this.#finish();
    this.outcome!.fulfill(out);
    const more = this.#more;
    if (more !== undefined) for (let i = 0; i < more.length; i++) more[i]!.fulfill(out);
  }

  /** Done: later awaits of the future poll it anew rather than join. Before any outcome runs user code. */
  #finish(): void {
    this.#done = true;
    active.delete(this.#future);
    pendingDrivers--;
  }
}
