/**
 * The current-thread scheduler (DESIGN.md §3).
 *
 * HOW. Ready tasks wait in a growable ring buffer; a task woken by the running task goes to the
 * LIFO slot instead and runs next, which makes request/response between two tasks cheap. At
 * most MAX_LIFO_POLLS tasks run from the LIFO slot in a row; then the slot's task goes to the
 * back of the queue, so a ping-pong pair cannot starve a third task (Tokio's guard). Wakes that
 * come from outside the scheduler (a host callback, a promise continuation, another runtime)
 * land in the inject queue, which is drained after the local queue and checked first every
 * `globalQueueInterval` ticks so it cannot starve either.
 *
 * Draining happens in a microtask scheduled by the first wake. After `eventInterval` ticks
 * (a tick is a task taken from a queue; the LIFO tasks run within it) without returning to
 * the host's event loop, the next drain is scheduled with `setImmediate`
 * instead, so Node's I/O callbacks and timers run even while tasks keep each other busy. When
 * nothing is ready, nothing is scheduled: an idle runtime holds no host handle, and a finished
 * program exits by itself.
 *
 * Drivers that set `parkOnIdle` (the time driver with a paused clock) get `park()` once the
 * runtime has been idle for two host turns (checked from a `setImmediate`, twice: the host's
 * I/O poll between them is Tokio's zero-timeout poll of its I/O driver before auto-advance).
 *
 * WHY microtasks first: a wake inside a promise continuation should not wait for a whole turn
 * of the event loop; `setImmediate` per batch keeps the host fair without a timer per task.
 *
 * Shutdown drops every alive task (their `cancel()` runs generator `finally` blocks), then
 * shuts the drivers down. If it is requested from inside a poll it happens right after it.
 *
 * Unhandled panics (DESIGN.md §5). A task that completes with a panic goes on `#unreported`
 * unless its failure is spoken for already (JOIN_INTEREST: a blockOn root, a JoinSet member).
 * One host turn later (`#report`; later while tasks are still ready, a joiner may be among
 * them: up to ~REPORT_POLLS polls' worth of turns) each one is reported — to `onUnhandledPanic`, or stderr —
 * unless by then an await has taken its JoinError (JOIN_INTEREST) or an await of the handle is
 * still pending (JOIN_WAITING; see `internal/task.ts`). A JoinSet that lets tasks go without
 * handing their output over gives them back through `reportUnjoined`. Errors that surface only
 * after the task completed — what an async body's `finally` throws after shutdown completed it
 * as cancelled — are queued as bare JoinErrors and always reported: nobody can receive them.
 * Only the panic path does any of this: a task that does not panic costs nothing more.
 */
import {
  beginCancel,
  beginCancelGenerator,
  BUDGET,
  isCancellation,
  Context,
  ContextError,
  currentFrame,
  enterFrame,
  dropGenerator,
  fromAsync,
  intoFuture,
  isGenerator,
  isGeneratorFunction,
  noopWaker,
  Pending,
  pollGenerator,
  restoreFrame,
  type Driver,
  type DriverHost,
  type AsyncBody,
  type DriverKey,
  type DriverOptions,
  type Future,
  type IntoFuture,
  type Waker,
} from "@tokio-ts/core";
import { JoinError } from "../errors.js";
import { RingBuffer } from "@tokio-ts/core/collections";
import { Rng } from "./rng.js";
import {
  ASYNC_BODY,
  bodyFuture,
  CANCEL,
  CANCELLING,
  COMPLETE,
  FAILED,
  FRESH,
  FUTURE_BODY,
  JOIN_INTEREST,
  JOIN_WAITING,
  LINKED,
  NOTIFIED,
  ROOT,
  RUNNING,
  SCHEDULED,
  STARTED,
  Task,
} from "./task.js";

/**
 * Drains are queued with `RESOLVED.then(fn)`: about 25 ns, where Node's `queueMicrotask(fn)` costs
 * about 60 (it wraps each callback in an AsyncResource). A drain never throws (tasks' errors are
 * caught in `#run`).
 */
const RESOLVED = Promise.resolve();

/** Every `async` function's prototype: such a body's future never delegates (see ASYNC_BODY). */
const AsyncFunctionPrototype: unknown = Object.getPrototypeOf(async () => {});

/**
 * ROUND_BREAK. An async body's code does not run in its task's poll: the poll resolves what the
 * body awaits, and the body goes on in a microtask, once the drain's loop has returned. Tasks
 * that stay ready (a generator looping on `yieldNow()`) would then run a whole batch of
 * `eventInterval` ticks per step of the async task. So once a batch has polled an async body,
 * it ends after one round: after the tasks that were ready then have had their tick. The next
 * drain is a microtask (it does not count as a host turn), queued behind the async bodies'
 * continuations, so every ready task, async or not, takes about one step per round, as in Tokio.
 * A long queue (a million tasks just spawned) is unaffected: its round is longer than the batch.
 */

/** At most this many tasks run from the LIFO slot in a row (Tokio: 3). */
const MAX_LIFO_POLLS = 3;

/**
 * What a hook learns about a task.
 *
 * @example
 * ```ts
 * Builder.newCurrentThread().onTaskSpawn((meta: TaskMeta) => console.log("spawned", meta.id));
 * ```
 */
export interface TaskMeta {
  /** The task id. */
  readonly id: number;
}

/**
 * How many ready-task polls an unhandled-panic report waits at most for the ready tasks to run
 * (a joiner among them): it waits a host turn at a time, so `REPORT_POLLS / eventInterval` host
 * turns (at least 16) — about 1,000 tasks whatever `eventInterval` is.
 */
const REPORT_POLLS = 1024;

export interface SchedulerConfig {
  readonly name: string;
  readonly eventInterval: number;
  readonly globalQueueInterval: number;
  readonly rngSeed: number | undefined;
  readonly shuffle: boolean;
  readonly disableLifoSlot: boolean;
  readonly unhandledPanic: "ignore" | "shutdownRuntime";
  readonly onTaskSpawn: ((meta: TaskMeta) => void) | undefined;
  readonly onTaskTerminate: ((meta: TaskMeta) => void) | undefined;
  readonly onUnhandledPanic: ((error: JoinError) => void) | undefined;
  readonly drivers: ReadonlySet<string>;
  readonly driverOptions: DriverOptions;
}

let nextRuntimeId = 1;

export class Scheduler implements DriverHost {
  readonly id = nextRuntimeId++;
  readonly config: SchedulerConfig;
  readonly driverOptions: DriverOptions;
  readonly rng: Rng;

  // Counters (metrics). A blockOn body (ROOT) is left out of the first three, as Tokio leaves
  // out the future given to block_on, which is not a task: `spawnRoot` takes it back out of the
  // counts it was added to, `#complete` and `#run` skip it.
  spawnedCount = 0;
  aliveCount = 0;
  pollCount = 0;
  /**
   * Task polls that spent the whole budget (Tokio's budget_forced_yield_count: once per exhausted
   * budget, when a leaf takes its last unit). Read from the budget left when the poll returns, so
   * it does not depend on how many leaves were then refused (`Context.forcedYields` counts those).
   */
  budgetExhaustedCount = 0;

  readonly #queue = new RingBuffer<Task<any>>();
  readonly #inject = new RingBuffer<Task<any>>();
  #lifo: Task<any> | undefined = undefined;
  #current: Task<any> | undefined = undefined;
  #draining = false;
  /** The last drain ended its round early (see ROUND_BREAK). */
  #roundBroken = false;
  #drainScheduled = false;
  #parkScheduled = false;
  /**
   * Host turns the runtime has been idle for, waiting to park (0 or 1). Parking takes two: Tokio
   * polls its I/O driver once with a zero timeout before it auto-advances a paused clock, and
   * the host's poll phase between the two turns is that poll — bytes already on a socket wake
   * their task before the clock jumps. A drain in between starts the count again.
   */
  #idleTurns = 0;
  #ticksSinceHostYield = 0;
  #tick = 0;
  readonly #cx = new Context(noopWaker, BUDGET);
  readonly #drivers = new Map<string, Driver>();
  #lastKey: DriverKey<Driver> | undefined = undefined;
  #lastDriver: Driver | undefined = undefined;
  /** The parked tasks (state LINKED), each at its `parkedAt`; shutdown drops them from the end. */
  readonly #parked: Task<any>[] = [];
  /** The last parameterless generator function spawned (see spawn); cleared when a drain ends. */
  #lastFactory: unknown = undefined;
  /** The last `async` function spawned (see spawn); cleared when a drain ends. */
  #lastAsync: unknown = undefined;
  #closed = false;
  /** Set by teardown once every task is dropped, as the drivers stop: no driver is made after. */
  #driversStopped = false;
  /** The runtime's owner (`main`, `test`) reports a deadlocked `blockOn` itself (see runtime.ts). */
  ownerReportsDeadlock = false;
  #shutdownRequested = false;
  /** The task whose panic shut the runtime down (`unhandledPanic("shutdownRuntime")`). */
  #panicked: Task<any> | undefined = undefined;
  /** Panicked tasks to report, and late panics (bare JoinErrors) that nobody can receive. */
  #unreported: (Task<any> | JoinError)[] = [];
  readonly #drainFromMicrotask = (): void => this.#onDrain(false);
  readonly #drainFromHost = (): void => this.#onDrain(true);
  /**
   * After a round ended early (see ROUND_BREAK): one more microtask hop, for the `then` call of
   * an async body that went on and awaited one of our futures at once (an await of a thenable
   * calls its `then` a hop later), so that its task is woken before the next round starts.
   * (A `nextTick` queued from a microtask would wait for every chain of microtasks to end, but
   * it cost 50 ns per round against 10 for the hop; the hop covers the common case.)
   */
  readonly #drainAfterRound = (): void => void RESOLVED.then(this.#drainFromMicrotask);
  readonly #parkFromHost = (): void => this.#onPark();
  #reportScheduled = false;
  /** Host turns the scheduled report has waited for the ready tasks to run (see #report). */
  #reportDeferrals = 0;
  /** At most this many (see REPORT_POLLS). */
  readonly #maxReportDeferrals: number;
  readonly #reportFromHost = (): void => this.#report();
  readonly #teardownLater = (): void => this.#teardown();

  constructor(config: SchedulerConfig) {
    this.config = config;
    this.driverOptions = config.driverOptions;
    this.rng = new Rng(config.rngSeed ?? Math.floor(Math.random() * 0x1_0000_0000));
    this.#maxReportDeferrals = Math.max(16, Math.ceil(REPORT_POLLS / config.eventInterval));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Why the runtime shut itself down, if a task panicked under `unhandledPanic("shutdownRuntime")`,
   * for a blockOn caller that rejects with it: that panic has then been handed over and is not
   * reported as unhandled.
   */
  claimPanicShutdown(): JoinError | undefined {
    const task = this.#panicked;
    if (task === undefined) return undefined;
    task.state |= JOIN_INTEREST;
    return task.result as JoinError;
  }

  get budgetForcedYields(): number {
    return this.budgetExhaustedCount;
  }

  get queueDepth(): number {
    return this.#queue.length + this.#inject.length + (this.#lifo === undefined ? 0 : 1);
  }

  // ---- drivers -------------------------------------------------------------------------------

  driver<D extends Driver>(key: DriverKey<D>): D {
    // Every sleep and socket asks; consecutive asks are almost always for the same driver.
    if (key === this.#lastKey) return this.#lastDriver as D;
    let driver = this.#drivers.get(key.name) as D | undefined;
    if (driver !== undefined) {
      this.#lastKey = key;
      this.#lastDriver = driver;
      return driver;
    }
    if (!this.config.drivers.has(key.name)) throw key.disabledError();
    // Made on first use, also while shutdown drops the tasks (a `finally` block that makes a
    // `sleep` the task never made before: its await is dropped unpolled, but the call must not
    // throw). Once the drivers have stopped, only for one of this runtime's async bodies, which
    // go on unwinding after shutdown (their awaits reject with CancelledError): a `sleep()` in
    // a `finally` must not throw there either, or the cleanup would be reported as a panic. It
    // gets the driver already stopped. Anyone else is told the runtime is shut down.
    if (this.#driversStopped && (currentFrame()?.task as { runtime?: unknown } | undefined)?.runtime !== this) {
      throw ContextError.shutdown(`the ${key.name} driver is unavailable`);
    }
    driver = key.create(this);
    this.#drivers.set(key.name, driver);
    if (this.#driversStopped) driver.shutdown();
    return driver;
  }

  /**
   * DriverHost: a driver's callback runs from the host's event loop (a socket read completed, a
   * host timer fired), so the host has had its turn: count ticks towards `eventInterval` from
   * zero again. Never during a drain or a poll (a callback of the loop cannot run there; the
   * check keeps a misplaced call harmless).
   */
  hostTurn(): void {
    if (!this.#draining && this.#current === undefined) this.#ticksSinceHostYield = 0;
  }

  /** DriverHost: `select`'s draw, from the seeded generator (`n` checked by the caller). */
  randomBelow(n: number): number {
    return this.rng.below(n);
  }

  isEnabled(key: DriverKey<Driver>): boolean {
    return this.config.drivers.has(key.name);
  }

  // ---- spawning ------------------------------------------------------------------------------

  /**
   * Spawn `body`. Generator bodies are kept inline in the task (unless they take the
   * `AbortSignal` parameter); a generator function is called at the first poll, so a task that
   * is spawned and not yet run costs one object. Everything else becomes a future.
   */
  spawn<T>(body: IntoFuture<T>, root = false): Task<T> {
    let future: Future<T> | undefined;
    let gen: Generator<unknown, T, unknown> | undefined;
    let factory: (() => Generator<unknown, T, unknown>) | undefined;
    // A loop spawns the same generator function again and again: the last one that passed the
    // check (a prototype lookup and the `length` accessor) is remembered until the drain ends.
    // (Outside a drain the cache is empty: `undefined` must not match it.)
    // The same for an `async` function: the last one is remembered, which saves its four
    // prototype lookups (spawning 1,000,000 async bodies: ~216 → ~186 ns each, fastest runs).
    let kind: number;
    if (body === this.#lastFactory && body !== undefined) {
      factory = body as () => Generator<unknown, T, unknown>;
      kind = FRESH;
    } else if (body === this.#lastAsync && body !== undefined) {
      future = fromAsync(body as AsyncBody<T>);
      kind = FUTURE_BODY | ASYNC_BODY;
    } else if (isGeneratorFunction(body) && body.length === 0) {
      factory = body as () => Generator<unknown, T, unknown>;
      this.#lastFactory = factory;
      kind = FRESH;
    } else if (isGenerator(body)) {
      gen = body as Generator<unknown, T, unknown>;
      kind = 0;
    } else {
      future = intoFuture(body);
      // ASYNC_BODY: one prototype load per spawn of a function body (for shutdown, see #drop).
      if (body !== future && Object.getPrototypeOf(body) === AsyncFunctionPrototype) {
        kind = FUTURE_BODY | ASYNC_BODY;
        this.#lastAsync = body;
      } else kind = FUTURE_BODY;
    }
    const task = new Task(this, future === undefined ? gen : (future as unknown as Generator<unknown, T, unknown>));
    if (factory !== undefined) task.current = factory as unknown as Future<unknown>;
    if (this.#closed) {
      // Tokio: a task spawned on a shut-down runtime is dropped at once; its handle says cancelled.
      this.#lastFactory = undefined; // no drain will clear them
      this.#lastAsync = undefined;
      task.gen = undefined;
      future?.cancel();
      task.state = COMPLETE | FAILED;
      task.current = JoinError.cancelled(task.id) as unknown as Future<unknown>;
      return task;
    }
    // Not in the parked array yet (see LINKED): a task that completes in its first
    // poll never is, and spawn+join of such tasks does ~7 % less work.
    this.spawnedCount++; // not a spawn refused above (Tokio does not count those either)
    this.aliveCount++;
    const onSpawn = this.config.onTaskSpawn;
    if (onSpawn !== undefined && !root) this.#spawnHook(onSpawn, task);
    task.state = SCHEDULED | kind;
    if (this.#current !== undefined || this.#draining) this.#queue.push(task);
    else {
      this.#inject.push(task);
      this.#scheduleDrain();
    }
    return task;
  }

  /**
   * Spawn the task of a `blockOn` body: marked ROOT (its failure is its caller's, never an
   * unhandled panic, see #panic), not counted in the task metrics (see `spawnedCount`), and not
   * shown to the spawn and terminate hooks: Tokio's `block_on` future is not a task.
   * Called on an open runtime only, so the task is queued and counted as alive.
   */
  spawnRoot<T>(body: IntoFuture<T>): Task<T> {
    const task = this.spawn(body, true);
    task.state |= JOIN_INTEREST | ROOT;
    this.spawnedCount--;
    this.aliveCount--;
    return task;
  }

  /**
   * The spawn hook, before the task is queued (as Tokio). If it throws, the error leaves
   * `spawn` and the task is not spawned: it is never queued and never counted.
   */
  #spawnHook(hook: (meta: TaskMeta) => void, task: Task<any>): void {
    try {
      hook({ id: task.id });
    } catch (error) {
      this.aliveCount--;
      this.spawnedCount--;
      throw error;
    }
  }

  /** Called by `Task.wake()` for a task that is idle. */
  schedule(task: Task<any>): void {
    if (this.#current !== undefined && !this.config.disableLifoSlot) {
      const displaced = this.#lifo;
      this.#lifo = task;
      if (displaced !== undefined) this.#queue.push(displaced);
      return;
    }
    if (this.#draining) {
      this.#queue.push(task);
      return;
    }
    this.#inject.push(task);
    this.#scheduleDrain();
  }

  /**
   * An async body's promise settled (`Task.bodySettled`, from a promise reaction): run the
   * task's poll that hands the output over right here, outside the run queue, rather than
   * queueing it for a turn. That poll runs no user code, so nothing waits behind it; it counts
   * as a tick. Anything unusual (the runtime draining or shutting down, the task queued,
   * running, complete or aborted) takes the ordinary path: a wake. Async-body spawn+join of
   * 1,000,000 (gen root, Node 20): ~550 → ~470 ns per task, with a third as many host turns
   * (47,648 → 16,522).
   */
  pollSettled(task: Task<any>): void {
    if (this.#draining || this.#current !== undefined || this.#closed || this.#shutdownRequested || (task.state & (COMPLETE | SCHEDULED | RUNNING | CANCEL)) !== 0) {
      task.wake();
      return;
    }
    this.#draining = true;
    const prevFrame = enterFrame(null);
    try {
      this.#run(task);
      this.#ticksSinceHostYield++;
    } finally {
      restoreFrame(prevFrame);
      this.#draining = false;
    }
    if (this.#shutdownRequested) {
      // A panic under unhandledPanic("shutdownRuntime") asked for the shutdown during the poll.
      // Tear down a microtask later: after the reactions already queued, so that another async
      // body that settled in the same turn is dropped with its own outcome in hand, as it would
      // be waiting in the run queue.
      RESOLVED.then(this.#teardownLater);
      return;
    }
    const lifo = this.#lifo;
    if (lifo !== undefined) {
      this.#lifo = undefined;
      this.#queue.push(lifo);
    }
    this.#reportUnhandled();
    this.#drainOrPark();
  }

  // ---- the drain loop ------------------------------------------------------------------------

  #scheduleDrain(): void {
    if (this.#drainScheduled || this.#draining || this.#closed) return;
    this.#drainScheduled = true;
    if (this.#ticksSinceHostYield >= this.config.eventInterval) setImmediate(this.#drainFromHost);
    else RESOLVED.then(this.#roundBroken ? this.#drainAfterRound : this.#drainFromMicrotask);
  }

  #onDrain(fromHost: boolean): void {
    this.#drainScheduled = false;
    if (fromHost) this.#ticksSinceHostYield = 0;
    if (this.#closed) return;
    this.#drain();
  }

  #drain(): void {
    this.#draining = true;
    this.#idleTurns = 0;
    const prevFrame = enterFrame(null);
    const interval = this.config.eventInterval;
    // The tick at which this batch ends its round early (see ROUND_BREAK): `interval` until an
    // async body is about to be polled with tasks waiting behind it, or a broken round goes on.
    let roundEnd = interval;
    if (this.#roundBroken) {
      // The async bodies that went on after the last round woke their tasks from a microtask,
      // into the inject queue: they take their turn in this round, after the tasks still ready.
      this.#roundBroken = false;
      const inject = this.#inject;
      while (inject.length !== 0) this.#queue.push(inject.shift()!);
      roundEnd = this.#roundEnd(interval, 0);
    }
    try {
      while (this.#ticksSinceHostYield < roundEnd && !this.#shutdownRequested) {
        let task = this.#nextTask();
        if (task === undefined) break;
        // An async body with tasks already waiting behind it: this round ends with them.
        if ((task.state & ASYNC_BODY) !== 0 && roundEnd === interval) roundEnd = this.#roundEnd(interval, 1);
        this.#run(task);
        this.#ticksSinceHostYield++;
        // Tasks from the LIFO slot run within the same tick, as in Tokio: they do not count
        // towards the event interval, and at most MAX_LIFO_POLLS of them run per tick.
        let lifoPolls = 0;
        while ((task = this.#lifo) !== undefined) {
          this.#lifo = undefined;
          if (lifoPolls >= MAX_LIFO_POLLS || this.#shutdownRequested) {
            this.#queue.push(task);
            break;
          }
          if ((task.state & ASYNC_BODY) !== 0 && roundEnd === interval) roundEnd = this.#roundEnd(interval, 0);
          this.#run(task);
          lifoPolls++;
        }
      }
      if (this.#shutdownRequested) this.#teardown();
      else if (this.#ticksSinceHostYield === roundEnd && roundEnd < interval && this.queueDepth !== 0) this.#roundBroken = true;
    } finally {
      restoreFrame(prevFrame);
      this.#draining = false;
      // Keep no user function (and what it captured) alive while idle.
      this.#lastFactory = undefined;
      this.#lastAsync = undefined;
    }
    this.#reportUnhandled();
    if (this.#closed) return;
    this.#drainOrPark();
  }

  /**
   * The tick at which the batch ends its round (ROUND_BREAK), given that an async body is about
   * to be polled and `thisTick` (0 or 1) ticks of the current one are still to be counted: after
   * the tasks ready now have had a tick each; `interval` (no early end) if none is.
   */
  #roundEnd(interval: number, thisTick: number): number {
    const ready = this.#queue.length + this.#inject.length;
    return ready === 0 ? interval : Math.min(interval, this.#ticksSinceHostYield + thisTick + ready);
  }

  /** After tasks ran outside a drain's loop: another drain if any task is ready, else park. */
  #drainOrPark(): void {
    if (this.queueDepth !== 0) this.#scheduleDrain();
    else this.#maybePark();
  }

  #nextTask(): Task<any> | undefined {
    const queue = this.#queue;
    const inject = this.#inject;
    if (++this.#tick % this.config.globalQueueInterval === 0 && inject.length !== 0) return inject.shift();
    if (queue.length === 0) return inject.shift();
    if (this.config.shuffle && queue.length > 1) return queue.takeAt(this.rng.below(queue.length));
    return queue.shift();
  }

  #run(task: Task<any>): void {
    let state = task.state;
    task.state = (state & ~SCHEDULED) | RUNNING | STARTED;
    if ((state & ROOT) === 0) this.pollCount++;
    const cx = this.#cx;
    cx.waker = task;
    cx.budget = BUDGET;
    this.#current = task;
    enterFrame(task);
    let out: unknown = Pending;
    let threw = false;
    let error: unknown;
    try {
      if ((state & FRESH) !== 0) {
        // First poll of a generator-function body: make the generator now (see Task.current).
        task.state &= ~FRESH;
        const factory = task.current as unknown as () => Generator<unknown, unknown, unknown>;
        task.current = undefined;
        task.gen = factory();
      }
      const future = (state & FUTURE_BODY) === 0 ? undefined : bodyFuture(task)!;
      if ((state & (CANCEL | CANCELLING)) === CANCEL) {
        task.state |= CANCELLING;
        if (future === undefined) out = beginCancelGenerator(task) ? undefined : pollGenerator(task, cx);
        else out = beginCancel(future, task.id) ? undefined : future.poll(cx);
      } else {
        out = future === undefined ? pollGenerator(task, cx) : future.poll(cx);
      }
    } catch (e) {
      threw = true;
      error = e;
    }
    enterFrame(null);
    this.#current = undefined;
    if (cx.budget <= 0) this.budgetExhaustedCount++;
    state = task.state;
    if (threw) {
      // An async body that lets the cancellation error of its abort escape (as is, or as the
      // AbortError of an API it gave its signal to) was cancelled, not a panic; anything else
      // thrown, even while cancelling, is a panic.
      const cancelled = (state & CANCELLING) !== 0 && isCancellation(error);
      this.#complete(task, true, cancelled ? JoinError.cancelled(task.id) : JoinError.panic(task.id, error));
    }
    else if (out !== Pending) {
      if ((state & CANCELLING) !== 0) this.#complete(task, true, JoinError.cancelled(task.id));
      else this.#complete(task, false, out);
    } else if ((state & NOTIFIED) !== 0) {
      task.state = (state & ~(RUNNING | NOTIFIED)) | SCHEDULED;
      this.#queue.push(task);
    } else {
      // Parked: from now on only its wakers know it, so shutdown needs it on the list.
      if ((state & LINKED) === 0) this.#link(task);
      task.state = (state & ~RUNNING) | LINKED;
    }
  }

  #link(task: Task<any>): void {
    const parked = this.#parked;
    task.parkedAt = parked.length;
    parked.push(task);
  }

  #complete(task: Task<any>, failed: boolean, result: unknown): void {
    task.state = (task.state & ~(RUNNING | NOTIFIED | SCHEDULED | FRESH)) | COMPLETE | (failed ? FAILED : 0);
    task.gen = undefined;
    task.current = result as Future<unknown>; // the output (see Task.current)
    if ((task.state & LINKED) !== 0) {
      // Swap-remove: the last parked task takes this one's place.
      const parked = this.#parked;
      const last = parked.pop()!;
      if (last !== task) {
        parked[task.parkedAt] = last;
        last.parkedAt = task.parkedAt;
      }
      task.state &= ~LINKED;
    }
    if ((task.state & ROOT) === 0) this.aliveCount--;
    task.wakeJoiners();
    // After the joiners are told, as Tokio. A throwing hook must not leave the drain half done
    // (joiners unwoken, the queue stalled): what it throws is rethrown from a microtask, where
    // Node reports it as an uncaught exception.
    const onTerminate = this.config.onTaskTerminate;
    if (onTerminate !== undefined && (task.state & ROOT) === 0) {
      // In the runtime's context, as Tokio calls it (the hook may spawn): the task's own frame.
      const prev = enterFrame(task);
      try {
        onTerminate({ id: task.id });
      } catch (error) {
        rethrowLater(error);
      } finally {
        restoreFrame(prev);
      }
    }
    if (failed && (result as JoinError).isPanic()) this.#panic(task);
  }

  /**
   * A task completed with a panic. Under "shutdownRuntime" the first one (not a blockOn root's,
   * which is its caller's) shuts the runtime down; blockOn callers reject with it and claim it
   * (`claimPanicShutdown`). Whatever nobody has claimed is reported, the first panic as every
   * later one (another task's, a `finally` block's thrown while the shutdown drops the tasks).
   */
  #panic(task: Task<any>): void {
    const state = task.state;
    if (this.config.unhandledPanic === "shutdownRuntime" && (state & ROOT) === 0 && !this.#closed && this.#panicked === undefined) {
      this.#panicked = task;
      this.shutdown();
    }
    if ((state & JOIN_INTEREST) === 0) this.#unreported.push(task);
  }

  /**
   * A JoinSet lets `task` go without handing its output over (detachAll, dispose, shutdown): its
   * failure is no longer spoken for. If it has panicked already, report it; if it panics later,
   * its completion will.
   */
  reportUnjoined(task: Task<any>): void {
    const state = task.state;
    if ((state & JOIN_INTEREST) === 0) return;
    task.state = state & ~JOIN_INTEREST;
    if ((state & (COMPLETE | FAILED)) !== (COMPLETE | FAILED) || !(task.result as JoinError).isPanic()) return;
    this.#unreported.push(task);
    this.#reportUnhandled();
  }

  /**
   * Report the tasks that threw while nobody had joined them — from a host callback, once every
   * pending microtask has run, because an `await handle` reaches the task only after a
   * microtask hop or two (the same grace Node gives an unhandled rejection).
   */
  #reportUnhandled(): void {
    if (this.#unreported.length === 0 || this.#reportScheduled) return;
    this.#reportScheduled = true;
    setImmediate(this.#reportFromHost);
  }

  /**
   * Each report is on its own: what the hook throws is rethrown from a microtask (as a task
   * hook's), and the other tasks are still reported.
   */
  #report(): void {
    // A task still waiting to run may be the one that joins: a joiner queued behind more than
    // `eventInterval` ready tasks is first polled after this host turn. So wait, a host turn at
    // a time, until no task is ready — at most #maxReportDeferrals turns, so that a runtime
    // that is never idle still reports.
    if (this.queueDepth !== 0 && this.#reportDeferrals < this.#maxReportDeferrals && !this.#closed) {
      this.#reportDeferrals++;
      setImmediate(this.#reportFromHost);
      return;
    }
    this.#reportDeferrals = 0;
    this.#reportScheduled = false;
    const entries = this.#unreported;
    this.#unreported = [];
    for (const entry of entries) {
      let error: JoinError;
      let why: string;
      if (entry instanceof Task) {
        if ((entry.state & (JOIN_INTEREST | JOIN_WAITING)) !== 0) continue;
        error = entry.result as JoinError;
        why = "and nothing was waiting for its handle (a later join still gets the error)";
      } else {
        error = entry;
        why = "where no handle can give it (its task was cancelled or let go)";
      }
      const hook = this.config.onUnhandledPanic;
      if (hook === undefined) {
        console.error(`tokio-ts: ${error.message} ${why}:`, error.cause);
        continue;
      }
      try {
        hook(error);
      } catch (thrown) {
        rethrowLater(thrown);
      }
    }
  }

  // ---- idle: parking drivers -----------------------------------------------------------------

  #maybePark(): void {
    if (this.#parkScheduled) return;
    for (const driver of this.#drivers.values()) {
      if (driver.parkOnIdle === true) {
        this.#parkScheduled = true;
        setImmediate(this.#parkFromHost);
        return;
      }
    }
  }

  #onPark(): void {
    this.#parkScheduled = false;
    if (this.#closed || this.queueDepth !== 0 || this.#drainScheduled) return;
    // Work off the runtime (a blocking job) will wake a task: no auto-advance past it. Its
    // driver calls unpark() once it is done.
    for (const driver of this.#drivers.values()) if (driver.holdsPark === true) return;
    if (this.#idleTurns === 0) {
      this.#idleTurns = 1;
      this.#maybePark(); // the second turn
      return;
    }
    this.#idleTurns = 0;
    const prev = enterFrame(null);
    let progressed = false;
    try {
      for (const driver of this.#drivers.values()) {
        if (driver.parkOnIdle !== true) continue;
        try {
          if (driver.park?.() === true) progressed = true;
        } catch (error) {
          // A waker the driver woke threw (a foreign executor's that polls at once): the driver
          // fired what was due all the same, so idle again means park again. Rethrown from a
          // microtask, as a hook's.
          progressed = true;
          rethrowLater(error);
        }
      }
    } finally {
      restoreFrame(prev);
    }
    if (!progressed) return;
    this.#ticksSinceHostYield = 0;
    this.#drainOrPark();
  }

  /** A driver's `holdsPark` turned false: park the drivers again if the runtime is idle. */
  unpark(): void {
    if (this.#closed || this.#current !== undefined || this.#draining) return;
    if (this.queueDepth === 0 && !this.#drainScheduled) this.#maybePark();
  }

  // ---- shutdown ------------------------------------------------------------------------------

  /** Drop every task and stop the drivers; right after the current poll if called from one. */
  shutdown(): void {
    if (this.#closed) return;
    if (this.#current !== undefined || this.#draining) {
      this.#shutdownRequested = true;
      return;
    }
    this.#teardown();
  }

  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    const prev = enterFrame(null);
    try {
      // Every alive task is parked (on the list) or waiting to run (a queue, the LIFO slot). A
      // dropped task's finally blocks may wake others into the queues: repeat until all empty.
      for (;;) {
        let task = this.#parked.at(-1);
        if (task === undefined) {
          task = this.#lifo;
          this.#lifo = undefined;
        }
        task ??= this.#queue.shift() ?? this.#inject.shift();
        if (task === undefined) break;
        if ((task.state & COMPLETE) === 0) this.#drop(task);
      }
      // A driver's shutdown wakes what still waits on it; a waker that throws (a foreign
      // executor's) must not keep the other drivers open: rethrown from a microtask, as a hook's.
      this.#driversStopped = true;
      for (const driver of this.#drivers.values()) {
        try {
          driver.shutdown();
        } catch (error) {
          rethrowLater(error);
        }
      }
    } finally {
      restoreFrame(prev);
    }
    this.#reportUnhandled();
  }

  /**
   * After `shutdown()`: give each driver that runs work off the runtime (the blocking pool) up
   * to `ms` to finish it (`Driver.shutdownTimeout`). A shutdown requested from inside a poll
   * tears down when that poll returns, so this first waits for the teardown.
   */
  async driversShutdownTimeout(ms: number): Promise<void> {
    while (!this.#closed) await new Promise<void>((resolve) => setImmediate(resolve));
    const waits: Promise<void>[] = [];
    for (const driver of this.#drivers.values()) {
      if (driver.shutdownTimeout !== undefined) waits.push(driver.shutdownTimeout(ms));
    }
    await Promise.all(waits);
  }

  #drop(task: Task<any>): void {
    const state = task.state;
    const future = (state & FUTURE_BODY) === 0 ? undefined : bodyFuture(task);
    let error: unknown;
    let threw = false;
    enterFrame(task);
    try {
      if (future === undefined) dropGenerator(task);
      else if ((state & (ASYNC_BODY | STARTED)) !== (ASYNC_BODY | STARTED)) future.cancel();
      // Still unwinding (watched), or it had failed and the task was woken to see it but not
      // polled yet: the poll throws the error, its panic, as in #run. (Settled with an output:
      // beginCancel says unwound, and the output is dropped: the task is cancelled.)
      else if (!beginCancel(future, task.id) && future.poll(new Context(noopWaker)) === Pending) this.#watchUnwinding(task, future);
    } catch (e) {
      threw = true;
      error = e;
    }
    enterFrame(null);
    const cancelled = !threw || ((state & CANCELLING) !== 0 && isCancellation(error));
    this.#complete(task, true, cancelled ? JoinError.cancelled(task.id) : JoinError.panic(task.id, error));
  }

  /**
   * An async function cannot be stopped where it stands: on shutdown its awaits are rejected (as
   * for an abort) and it unwinds later, through its `catch` and `finally` blocks. The task
   * completes now, as cancelled, so that shutdown ends; `future` is left running, not dropped
   * (a dropped async future forgets how its function ends), watched by an {@link UnwindWatch}
   * that reports what it throws other than its cancellation. Its awaits made from now on are
   * rejected at once, so nothing else of it is polled.
   */
  #watchUnwinding(task: Task<any>, future: Future<unknown>): void {
    const watch = new UnwindWatch(this, task.id, future);
    watch.wake(); // poll once: the future's waker is now the watch, no longer the finished task
  }

  /** A late panic of task `id` (see {@link UnwindWatch}): reported, whoever had its handle. */
  reportLatePanic(id: number, error: unknown): void {
    this.#unreported.push(JoinError.panic(id, error));
    this.#reportUnhandled();
  }
}

/**
 * Polls the future of an async body that shutdown left unwinding, each time it wakes, until it
 * settles: a rejection other than the task's cancellation error is a panic nobody can receive
 * any more (the handle said cancelled), so it is reported. One per such task, at shutdown only.
 */
class UnwindWatch extends Context implements Waker {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly id: number,
    private future: Future<unknown> | undefined,
  ) {
    super(noopWaker);
    this.waker = this;
  }

  wake(): void {
    const future = this.future;
    if (future === undefined) return;
    this.budget = Infinity;
    let out: unknown;
    try {
      out = future.poll(this);
    } catch (error) {
      this.future = undefined;
      if (!isCancellation(error)) this.scheduler.reportLatePanic(this.id, error);
      return;
    }
    if (out !== Pending) this.future = undefined;
  }
}

/** Rethrow `error` from a microtask, where Node reports it as an uncaught exception. */
function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
