/**
 * Runtime metrics (Tokio's `RuntimeMetrics`, the stable subset that makes sense on one thread).
 */
import type { Scheduler } from "./internal/scheduler.js";

/**
 * Live counters of a runtime; each method reads the current value.
 *
 * The body given to `blockOn` (and so `main`'s) runs as a task here, but it is not counted as one
 * in `numAliveTasks`, `spawnedTasksCount` or `pollCount`, as Tokio does not count the future given
 * to `block_on`: a program whose `blockOn` body spawns one task sees 1 alive task, not 2. Its
 * exhausted budgets are counted in `budgetForcedYieldCount`, as Tokio's.
 *
 * @example
 * ```ts
 * const m = rt.metrics();
 * console.log(m.numAliveTasks(), m.spawnedTasksCount(), m.budgetForcedYieldCount());
 * ```
 */
export class RuntimeMetrics {
  readonly #scheduler: Scheduler;

  /** @hidden */
  constructor(scheduler: Scheduler) {
    this.#scheduler = scheduler;
  }

  /** Tasks spawned and not yet completed (not counting `blockOn` bodies). */
  numAliveTasks(): number {
    return this.#scheduler.aliveCount;
  }

  /** Tasks spawned since the runtime was built (not counting `blockOn` bodies). */
  spawnedTasksCount(): number {
    return this.#scheduler.spawnedCount;
  }

  /**
   * Task polls since the runtime was built (not counting polls of `blockOn` bodies). A generator
   * body is polled once per `yield*` that waits; an async body about twice per `await` that
   * waits (once to start the await, once when its result is in), where Tokio counts one.
   */
  pollCount(): number {
    return this.#scheduler.pollCount;
  }

  /**
   * How many task polls spent their whole cooperative budget, so that the task was made to yield
   * (as Tokio's `budget_forced_yield_count`). It counts once per exhausted budget, however many
   * leaves were refused in that poll (a `join` or `select` whose branches all hit the empty
   * budget counts one), when the budget reaches zero as Tokio counts it — so also when the poll
   * (or, in an async body, the await) that spent the last unit completed the task. It
   * is updated when the poll returns. (A `Context`'s own `forcedYields`, which `mockTask` and
   * custom executors read, counts refused leaves instead.)
   *
   * @example
   * ```ts
   * await rt.blockOn(function* () {
   *   for (let i = 0; i < 3 * 128; i++) yield* consumeBudget();
   * });
   * rt.metrics().budgetForcedYieldCount(); // 3: three polls of 128 units
   * ```
   */
  budgetForcedYieldCount(): number {
    return this.#scheduler.budgetForcedYields;
  }

  /** Tasks ready to run right now (run queue, inject queue and LIFO slot). */
  runQueueDepth(): number {
    return this.#scheduler.queueDepth;
  }
}
