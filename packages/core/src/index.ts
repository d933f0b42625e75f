/**
 * `@tokio-ts/core`: the future protocol every tokio-ts package speaks.
 *
 * @packageDocumentation
 */
export { Future, Pending, Resume, isFuture, yieldContext, yieldSuspend, type Poll, type Output } from "./future.js";
export { Context, BUDGET, noopWaker, type Waker } from "./context.js";
export { pollProceed, madeProgress, consumeBudget, unconstrained, yieldNow } from "./coop.js";
export {
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
} from "./adapters.js";
export {
  childFrame,
  lookupLocal,
  NOT_SET,
  type Frame,
  currentFrame,
  enterFrame,
  restoreFrame,
  runWithFrame,
  type TaskRef,
  type AwaitHost,
  type Outcome,
} from "./current.js";
export { pollGenerator, dropGenerator, beginCancelGenerator, isGenerator, type GeneratorSlot } from "./generator.js";
export { DriverKey, currentDriverHost, type Driver, type DriverHost, type DriverOptions } from "./driver.js";
export { TokioError, ContextError, CancelledError, isCancellation, type ContextErrorCode } from "./errors.js";
