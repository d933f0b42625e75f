/**
 * A deterministic, single-step executor written on `@tokio-ts/core` alone — no runtime.
 *
 * HOW. Each spawned body becomes a future (`intoFuture`) inside a task. The task is its own
 * {@link Waker}: `wake()` appends it to a FIFO run queue unless it is queued already. `step()`
 * takes the head of the queue and polls its future once, with one reused {@link Context}
 * whose budget is reset to {@link BUDGET}, and with the task's frame current (`enterFrame` /
 * `restoreFrame`) so that `currentFrame()`, `currentDriverHost()` and async-function bodies
 * know which task is running. Nothing runs unless you call `step()` or `runUntilIdle()`: a
 * test decides every interleaving.
 *
 * Task states: QUEUED (in the run queue; `queued` set) → RUNNING (inside `step()`; `queued`
 * cleared first, so a wake during the poll queues the task again) → idle (waiting for a wake)
 * → done (`status` is "ready" or "failed"; wakes are ignored). Abort sets `aborting`; the next
 * poll begins a graceful cancellation (`beginCancel`), after which the task is polled until its
 * body has unwound, and then fails with "cancelled".
 *
 * WHY it is allowed: the future protocol, the budget and the current-task frame are public in
 * `@tokio-ts/core` precisely so that executors other than `@tokio-ts/runtime` can host the same
 * futures (and, through {@link DriverHost}, the same drivers).
 */
import {
  beginCancel,
  BUDGET,
  CancelledError,
  Context,
  enterFrame,
  intoFuture,
  noopWaker,
  Pending,
  restoreFrame,
  type AwaitHost,
  type Driver,
  type DriverHost,
  type DriverKey,
  type DriverOptions,
  type Frame,
  type Future,
  type IntoFuture,
  type TaskRef,
  type Waker,
} from "@tokio-ts/core";

/** Where a task stands: still running, finished with a value, or failed (threw / aborted). */
export type TaskStatus = "pending" | "ready" | "failed";

/** A task of the {@link StepExecutor}: its own waker, its own root frame and its own handle. */
export class Task<T = unknown> implements Waker, TaskRef, Frame {
  // Frame: the task is the root frame of everything it runs.
  readonly task: TaskRef = this;
  readonly host: AwaitHost | undefined = undefined;
  readonly key: object | undefined = undefined;
  readonly value: unknown = undefined;
  readonly parent: Frame | undefined = undefined;

  status: TaskStatus = "pending";
  /** The output when "ready". */
  output: T | undefined = undefined;
  /** What the body threw, or a CancelledError, when "failed". */
  error: unknown = undefined;
  /** How many times the task has been polled. */
  polls = 0;
  queued = false;
  aborting = false;
  cancelling = false;

  constructor(
    readonly id: number,
    readonly runtime: StepExecutor,
    readonly future: Future<T>,
  ) {}

  wake(): void {
    if (this.status === "pending" && !this.queued) this.runtime.schedule(this);
  }

  /** Abort the task: at its next poll its body unwinds (generator `finally` blocks run). */
  abort(): void {
    if (this.status !== "pending" || this.aborting) return;
    this.aborting = true;
    this.wake();
  }
}

/**
 * Runs tasks one poll at a time, in FIFO wake order.
 *
 * @example
 * ```ts
 * const ex = new StepExecutor();
 * const t = ex.spawn(function* () { return 1 + (yield* ready(1)) });
 * ex.step();
 * t.output; // 2
 * ```
 */
export class StepExecutor implements DriverHost {
  readonly driverOptions: DriverOptions;
  readonly #queue: Task<any>[] = [];
  readonly #alive = new Set<Task<any>>();
  readonly #cx = new Context(noopWaker, BUDGET);
  readonly #enabled: ReadonlySet<string>;
  readonly #drivers = new Map<string, Driver>();
  #nextId = 1;
  #rng: number;

  constructor(options: { drivers?: Iterable<string>; driverOptions?: DriverOptions; seed?: number } = {}) {
    this.#enabled = new Set(options.drivers ?? []);
    this.driverOptions = options.driverOptions ?? {};
    this.#rng = (options.seed ?? 1) >>> 0 || 1;
  }

  /** DriverHost: `select` draws its first branch here; xorshift32, so a seed replays exactly. */
  randomBelow(n: number): number {
    let x = this.#rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#rng = x >>> 0;
    return this.#rng % n;
  }

  /** How many times a leaf future made a task yield because its budget was spent. */
  get forcedYields(): number {
    return this.#cx.forcedYields;
  }

  /** Tasks waiting in the run queue. */
  get queueLength(): number {
    return this.#queue.length;
  }

  /** Make a task of `body` (a future, a generator function or an async function) and queue it. */
  spawn<T>(body: IntoFuture<T>): Task<T> {
    const task = new Task(this.#nextId++, this, intoFuture(body));
    this.#alive.add(task);
    this.schedule(task);
    return task;
  }

  /** Called by `Task.wake()`. */
  schedule(task: Task<any>): void {
    task.queued = true;
    this.#queue.push(task);
  }

  /** Poll the task at the head of the run queue once; false if the queue was empty. */
  step(): boolean {
    const task = this.#queue.shift();
    if (task === undefined) return false;
    task.queued = false;
    task.polls++;
    const cx = this.#cx;
    cx.waker = task;
    cx.budget = BUDGET;
    const prev = enterFrame(task);
    try {
      let out: unknown;
      if (task.aborting && !task.cancelling) {
        task.cancelling = true;
        out = beginCancel(task.future, task.id) ? undefined : task.future.poll(cx);
      } else {
        out = task.future.poll(cx);
      }
      if (out !== Pending) {
        if (task.cancelling) this.#finish(task, "failed", new CancelledError(task.id));
        else this.#finish(task, "ready", out);
      }
    } catch (error) {
      this.#finish(task, "failed", task.cancelling ? new CancelledError(task.id) : error);
    } finally {
      restoreFrame(prev);
    }
    return true;
  }

  #finish(task: Task<any>, status: "ready" | "failed", result: unknown): void {
    this.#alive.delete(task);
    task.status = status;
    if (status === "ready") task.output = result;
    else task.error = result;
  }

  /**
   * Step until the run queue is empty and stays empty after the host's pending callbacks have
   * run: async-function bodies resume in promise continuations, which wake their task from
   * outside `step()`. Resolves with the number of polls made.
   */
  async runUntilIdle(): Promise<number> {
    let polls = 0;
    for (;;) {
      while (this.step()) polls++;
      // Let promise continuations (and the wakes they make) run, then look again.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#queue.length === 0) return polls;
    }
  }

  // DriverHost: drivers (time, io…) plug in here exactly as into the runtime.

  driver<D extends Driver>(key: DriverKey<D>): D {
    let driver = this.#drivers.get(key.name) as D | undefined;
    if (driver === undefined) {
      if (!this.#enabled.has(key.name)) throw key.disabledError();
      driver = key.create(this);
      this.#drivers.set(key.name, driver);
    }
    return driver;
  }

  isEnabled(key: DriverKey<Driver>): boolean {
    return this.#enabled.has(key.name);
  }

  /** Drop every unfinished task (generator `finally` blocks run), then shut the drivers down. */
  shutdown(): void {
    this.#queue.length = 0;
    for (const task of this.#alive) {
      const prev = enterFrame(task);
      let error: unknown = new CancelledError(task.id);
      try {
        task.future.cancel();
      } catch (thrown) {
        error = thrown; // a finally block threw while unwinding
      } finally {
        restoreFrame(prev);
      }
      this.#finish(task, "failed", error);
    }
    for (const driver of this.#drivers.values()) driver.shutdown();
    this.#drivers.clear();
  }
}
