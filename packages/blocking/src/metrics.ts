/**
 * The blocking pool's numbers (Tokio's `num_blocking_threads`, `num_idle_blocking_threads`,
 * `blocking_queue_depth`, plus job counters).
 */
import { ContextError } from "@tokio-ts/core";
import { Handle } from "@tokio-ts/runtime";
import { BLOCKING, type BlockingPool } from "./driver.js";
import { messages } from "./errors.js";

/**
 * Live counters of a runtime's blocking pool; each method reads the current value.
 *
 * @example
 * ```ts
 * const m = blockingMetrics();
 * console.log(m.numBlockingThreads(), m.numIdleBlockingThreads(), m.blockingQueueDepth());
 * ```
 */
export class BlockingMetrics {
  readonly #pool: BlockingPool;

  /** @hidden Use {@link blockingMetrics}. */
  constructor(pool: BlockingPool) {
    this.#pool = pool;
  }

  /** Worker threads alive now (busy, idle, or exiting). */
  numBlockingThreads(): number {
    return this.#pool.numThreads;
  }

  /** Worker threads with no job, waiting for one until their keep-alive ends. */
  numIdleBlockingThreads(): number {
    return this.#pool.numIdleThreads;
  }

  /** Jobs waiting to start: in the pool's queue and in the workers' rings, not yet running. */
  blockingQueueDepth(): number {
    return this.#pool.queueDepth;
  }

  /** Jobs submitted since the runtime was built. */
  spawnedBlockingJobsCount(): number {
    return this.#pool.spawnedCount;
  }

  /** Jobs that ran to the end on a worker (returned or threw), detached ones included. */
  completedBlockingJobsCount(): number {
    return this.#pool.completedCount;
  }
}

/**
 * The blocking-pool metrics of `handle`'s runtime (default: the current one). Reading them
 * starts no thread.
 *
 * @example
 * ```ts
 * await rt.blockOn(function* () {
 *   yield* spawnBlocking(() => 1);
 *   return blockingMetrics().completedBlockingJobsCount(); // 1
 * });
 * ```
 *
 * **Throws**: TypeError if `handle` is given and is not a runtime Handle; ContextError outside a
 * runtime when no handle is given, or if the runtime was built with the pool disabled.
 */
export function blockingMetrics(handle: Handle = currentHandle()): BlockingMetrics {
  if (!(handle instanceof Handle)) {
    const got = typeof handle === "object" && handle !== null ? `a ${(handle as object).constructor?.name ?? "object"}` : handle === null ? "null" : typeof handle;
    throw new TypeError(messages.badHandle(got));
  }
  return new BlockingMetrics(handle.driver(BLOCKING));
}

/** The current runtime's handle; outside one, the ContextError names `blockingMetrics()`. */
function currentHandle(): Handle {
  const handle = Handle.tryCurrent();
  if (handle === undefined) throw ContextError.noRuntime("blockingMetrics()");
  return handle;
}
