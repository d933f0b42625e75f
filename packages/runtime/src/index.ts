/**
 * `@tokio-ts/runtime`: the current-thread runtime — tasks, join handles, abort, JoinSet,
 * task-locals, metrics.
 *
 * @packageDocumentation
 */
export { Builder, type UnhandledPanic, type ThreadMeta, type ThreadResourceLimits } from "./builder.js";
export { Runtime } from "./runtime.js";
export { Handle } from "./handle.js";
export { spawn, taskId, tryTaskId, type SpawnBody } from "./spawn.js";
// Tokio has it in `task`; it lives in core so that drivers and executors can use it too.
export { yieldNow } from "@tokio-ts/core";
export type { JoinHandle, AbortHandle } from "./join-handle.js";
export { JoinSet } from "./join-set.js";
export { TaskTracker, TaskTrackerToken } from "./task-tracker.js";
export { JoinError, type JoinErrorKind } from "./errors.js";
export { taskLocal, LocalKey } from "./task-local.js";
export { RuntimeMetrics } from "./metrics.js";
export type { TaskMeta } from "./internal/scheduler.js";
