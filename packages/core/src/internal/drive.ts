/**
 * How `await fut` (and `fut.then(…)`) reaches a poller.
 *
 * Inside an async-function body run by a runtime, the current frame names an await host (the
 * body's future), which polls `fut` as part of the task: the await then takes part in the
 * task's budget, wakes the task, and is rejected when the task is aborted. A host that can
 * (`pollAwait`) polls `fut` right here first, with the task's waker and what is left of its
 * budget: a ready future then settles the await through `Promise.resolve(value).then(…)`, as
 * a standalone one does, with no wake and no poll of the task. Anywhere else a
 * standalone driver polls `fut` at once and, if it is pending, again on the microtask queue
 * each time it is woken; that is how the sync primitives work without a runtime.
 *
 * One future, one standalone driver. A future keeps only the waker of its latest poll, so two
 * drivers polling one future would leave the first asleep for ever (`f.then(a); f.then(b)`,
 * `Promise.all([f, f])`: only `b` settled). While a driver is active (its first poll returned
 * Pending, and it has not finished) the future names it in its {@link standaloneSlot}; a
 * standalone await of the same future joins it instead of polling, and when the future
 * completes (or its poll throws) the driver settles every awaiter with that outcome, in the
 * order the awaits were made, after clearing the slot. So an await made once the driver has
 * finished — including from one of the awaiters' callbacks — polls the completed future anew,
 * as it always has (most futures then throw "polled after it completed"), and a future that is
 * ready at its first poll is never registered at all.
 *
 * Awaits of one future inside a task and outside it are not shared: the task polls its await
 * itself (see `AsyncFuture` in adapters.ts), and whichever of the two pollers polled last holds
 * the future's waker; the other is not woken by the future again. The Future docs say so.
 *
 * Cost: one promise per await. A future that is ready at the first poll settles through
 * `Promise.resolve(value).then(…)` (the callbacks must not run inside `then`, Promises/A+
 * 2.2.4); otherwise one promise whose executor hands its resolvers to a {@link Settle}. The
 * sharing adds one field read per standalone await, two field writes per pending one, and an
 * array only once a second awaiter joins.
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
 * Where a future keeps its active standalone driver: `Future.prototype` holds it as undefined,
 * so reading it on any future is a plain lookup, and a driver writes it on the future itself
 * (once per future, the first time a standalone await finds it pending). Not a constructor
 * field: every future — every task, timer, channel wait — would then carry it. It is not part
 * of the public surface.
 *
 * A future that is not one of ours (`toPromise` accepts anything that has `poll` and `cancel`,
 * such as a future of another copy of this package) has no such property; its driver goes in
 * {@link foreign} instead. A WeakMap would have done for every future, but on Node 20 setting
 * and deleting a fresh key costs ~80 ns, two thirds of a whole pending await.
 */
export const standaloneSlot: unique symbol = Symbol("tokio-ts.standaloneDriver");

type Slotted = { [standaloneSlot]?: StandaloneDriver<any> | undefined };

/**
 * The active drivers of futures without the slot, and how many there are, so that an await
 * skips the lookup while there are none. A foreign future dropped while pending and never woken
 * leaves its entry to the garbage collector and its count behind: later awaits then pay the
 * lookup (~5 ns), nothing else.
 */
const foreign = new WeakMap<object, StandaloneDriver<any>>();
let foreignPending = 0;

/** The active standalone driver of `future`, if one is polling it. */
function activeDriver<T>(future: Future<T>): StandaloneDriver<T> | undefined {
  const driver = (future as Slotted)[standaloneSlot];
  if (driver !== undefined || foreignPending === 0) return driver;
  return foreign.get(future);
}

/** `future.then(onfulfilled, onrejected)`. */
export function awaitFuture<T, R1, R2>(future: Future<T>, onfulfilled: OnFulfilled<T, R1>, onrejected: OnRejected<R2>): Promise<R1 | R2> {
  const host = currentFrame()?.host;
  if (host !== undefined) {
    if (host.pollAwait !== undefined) {
      let out: T | Pending;
      try {
        out = host.pollAwait(future);
      } catch (error) {
        return Promise.reject(error).then(undefined, onrejected) as Promise<R1 | R2>;
      }
      if (out !== Pending) return Promise.resolve(out).then(onfulfilled, onrejected);
    }
    return new Promise<R1 | R2>((resolve, reject) => host.awaitFuture(future, new Settle(resolve, reject, onfulfilled, onrejected)));
  }
  const shared = activeDriver(future);
  if (shared !== undefined) {
    return new Promise<R1 | R2>((resolve, reject) => shared.join(new Settle(resolve, reject, onfulfilled, onrejected)));
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
 * result. For an await that an async body's future was polling: if a standalone driver is
 * active on the same future, the await joins it, and the driver polls once more, because the
 * body's polls since then have left the future holding the body's waker, not the driver's.
 */
export function driveStandalone<T>(future: Future<T>, outcome: Outcome<T>): void {
  const shared = activeDriver(future);
  if (shared !== undefined) {
    shared.join(outcome);
    shared.wake();
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
 * (registered in its future's {@link standaloneSlot}; `outcome` set, later awaiters in `#more`)
 * → done (`#done`, unregistered, every outcome settled once). A first poll that is ready or
 * throws goes straight to done without registering; `then` settles its one awaiter itself. So
 * `run`, which only a registered driver reaches (a wake, or `driveStandalone`), always
 * unregisters, and does so before any outcome runs user code.
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

  /** Make this the driver that later standalone awaits join: after a Pending first poll, before `run`. */
  register(): void {
    const future = this.#future;
    if (standaloneSlot in future) {
      (future as Slotted)[standaloneSlot] = this;
    } else {
      foreign.set(future, this);
      foreignPending++;
    }
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

  /** Done and unregistered: from now on an await of the future polls it anew rather than join. */
  #finish(): void {
    this.#done = true;
    const future = this.#future;
    if (standaloneSlot in future) {
      (future as Slotted)[standaloneSlot] = undefined;
    } else {
      foreign.delete(future);
      foreignPending--;
    }
  }
}
