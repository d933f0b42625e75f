/**
 * `tokio-ts`: Tokio's model of asynchronous programming for TypeScript, in one package.
 *
 * The root import path offers the future protocol (`@tokio-ts/core`) and the current-thread
 * runtime (`@tokio-ts/runtime`); each feature also has its own path (`tokio-ts/core`,
 * `tokio-ts/runtime`, and `tokio-ts/time`, `tokio-ts/sync`… as those packages land). Every item
 * is the very object its package exports, so mixing import paths is safe.
 *
 * @example
 * ```ts
 * import { Builder, JoinSet, spawn } from "tokio-ts";
 *
 * const rt = Builder.newCurrentThread().build();
 * const total = await rt.blockOn(function* () {
 *   const set = new JoinSet<number>();
 *   for (let i = 1; i <= 3; i++) set.spawn(function* () { return i * 10 });
 *   return (yield* set.joinAll()).reduce((a, b) => a + b, 0);
 * }); // 60
 * ```
 *
 * @packageDocumentation
 */
// Explicit lists, kept equal to the packages' public surfaces (test/umbrella.test.ts checks
// the runtime values): a blanket `export *` would forward whatever a package adds, unreviewed.

// @tokio-ts/core
export {
  // the protocol
  Future,
  Pending,
  isFuture,
  type Poll,
  type Output,
  Context,
  BUDGET,
  noopWaker,
  type Waker,
  // the cooperative budget
  pollProceed,
  madeProgress,
  consumeBudget,
  unconstrained,
  // futures from generators, async functions, promises
  fromGenerator,
  fromAsync,
  fromPromise,
  toPromise,
  ready,
  pending,
  pollFn,
  intoFuture,
  beginCancel,
  isGeneratorFunction,
  type GeneratorBody,
  type AsyncBody,
  type IntoFuture,
  // the current task (for executors)
  childFrame,
  lookupLocal,
  NOT_SET,
  currentFrame,
  enterFrame,
  restoreFrame,
  runWithFrame,
  type Frame,
  type TaskRef,
  type AwaitHost,
  // generator bodies driven in place (for executors)
  pollGenerator,
  dropGenerator,
  beginCancelGenerator,
  type GeneratorSlot,
  // drivers
  DriverKey,
  currentDriverHost,
  type Driver,
  type DriverHost,
  type DriverOptions,
  // errors
  TokioError,
  ContextError,
  CancelledError,
  type ContextErrorCode,
} from "@tokio-ts/core";

// @tokio-ts/runtime
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
  JoinError,
  type JoinErrorKind,
  taskLocal,
  LocalKey,
  RuntimeMetrics,
  type TaskMeta,
} from "@tokio-ts/runtime";
