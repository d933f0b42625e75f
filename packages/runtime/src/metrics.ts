/**
 * Runtime metrics (Tokio's `RuntimeMetrics`, the stable subset that makes sense on one thread).
 */
import type { Scheduler } from "./internal/scheduler.js";

/**
 * Live counters of a runtime; each method reads the current value.
 *
 * @example
 * ```ts
 * const m = rt.metrics();
 * console.log(m.numAliveTasks(), m.spawnedTasksCount(), m.budgetForcedYieldCount());
 * ```
 */
export class RuntimeMetrics {
  readonly #scheduler: Scheduler;

  /** @internal */
  constructor(scheduler: Scheduler) {
    this.#scheduler = scheduler;
  }

  /** Tasks spawned and not yet completed. */
  numAliveTasks(): number {
    return this.#scheduler.aliveCount;
  }

  /** Tasks spawned since the runtime was built. */
  spawnedTasksCount(): number {
    return this.#scheduler.spawnedCount;
  }

  /** Task polls since the runtime was built. */
  pollCount(): number {
    return this.#scheduler.pollCount;
  }

  /** How many times a leaf future made its task yield because the budget was spent. */
  budgetForcedYieldCount(): number {
    return this.#scheduler.budgetForcedYields;
  }

  /** Tasks ready to run right now (run queue, inject queue and LIFO slot). */
  runQueueDepth(): number {
    return this.#scheduler.queueDepth;
  }
}
