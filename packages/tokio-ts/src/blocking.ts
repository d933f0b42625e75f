/**
 * `tokio-ts/blocking`: `spawnBlocking` on a pool of worker threads — the same items as
 * `@tokio-ts/blocking`.
 *
 * @example
 * ```ts
 * import { spawnBlocking } from "tokio-ts/blocking";
 * const n = await rt.blockOn(function* () {
 *   return yield* spawnBlocking((x: number) => x * 2, 21);
 * });
 * ```
 *
 * @packageDocumentation
 */
export {
  spawnBlocking,
  type SpawnBlocking,
  type JobOptions,
  type ModuleJob,
  type Cloned,
  transfer,
  blockingMetrics,
  BlockingMetrics,
  WorkerExitError,
} from "@tokio-ts/blocking";
