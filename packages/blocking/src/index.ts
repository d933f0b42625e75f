/**
 * `@tokio-ts/blocking`: `spawnBlocking` — synchronous work on a pool of worker threads, with
 * the same `JoinHandle` as `spawn`, Tokio's abort rules, and jobs dispatched in batches through
 * shared memory instead of a message per job.
 *
 * @packageDocumentation
 */
export { spawnBlocking, type SpawnBlocking, type JobOptions, type ModuleJob, type Cloned } from "./spawn-blocking.js";
export { transfer } from "./transfer.js";
export { blockingMetrics, BlockingMetrics } from "./metrics.js";
export { WorkerExitError } from "./errors.js";
