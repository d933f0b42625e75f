/**
 * `tokio-ts/runtime`: the current-thread runtime — the same items as `@tokio-ts/runtime`,
 * re-exported.
 *
 * @example
 * ```ts
 * import { Builder, spawn } from "tokio-ts/runtime";
 * const rt = Builder.newCurrentThread().build();
 * const n = await rt.blockOn(function* () {
 *   return (yield* spawn(function* () { return 20 })) + 22;
 * }); // 42
 * ```
 *
 * @packageDocumentation
 */
export {
  Builder,
  type UnhandledPanic,
  Runtime,
  Handle,
  spawn,
  yieldNow,
  taskId,
  tryTaskId,
  type SpawnBody,
  type JoinHandle,
  type AbortHandle,
  JoinSet,
  TaskTracker,
  TaskTrackerToken,
  JoinError,
  type JoinErrorKind,
  taskLocal,
  LocalKey,
  RuntimeMetrics,
  type TaskMeta,
} from "@tokio-ts/runtime";
