/**
 * `tokio-ts/core`: the future protocol — the same items as `@tokio-ts/core`, re-exported.
 *
 * Import from here when you write leaf futures or a custom executor and want one dependency
 * (`tokio-ts`) instead of several. The objects are the very same as `@tokio-ts/core`'s, so
 * `instanceof` and `===` work across the two import paths.
 *
 * @example
 * ```ts
 * import { pollFn, Pending } from "tokio-ts/core";
 * let polls = 0;
 * const third = pollFn((cx) => (++polls < 3 ? (cx.waker.wake(), Pending) : polls));
 * await third; // 3
 * ```
 *
 * @packageDocumentation
 */
export {
  // the protocol
  Future,
  Pending,
  Resume,
  isFuture,
  yieldContext,
  yieldSuspend,
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
  yieldNow,
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
  type NotAsyncGenerator,
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
  type Outcome,
  // generator bodies driven in place (for executors)
  pollGenerator,
  dropGenerator,
  beginCancelGenerator,
  isGenerator,
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
  isCancellation,
  type ContextErrorCode,
} from "@tokio-ts/core";
