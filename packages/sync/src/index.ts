/**
 * `@tokio-ts/sync`: channels and locks that are cancel-safe, fair and fast. Works in any async
 * function, with or without a tokio-ts runtime.
 *
 * @packageDocumentation
 */
export * as mpsc from "./mpsc/index.js";
export * as oneshot from "./oneshot.js";
export * as broadcast from "./broadcast.js";
export * as watch from "./watch.js";
export { Notify, Notified } from "./notify.js";
export { Semaphore, SemaphorePermit } from "./semaphore.js";
export { Mutex, MutexGuard } from "./mutex.js";
export { RwLock, RwLockReadGuard, RwLockWriteGuard } from "./rwlock.js";
export { Barrier, type BarrierWaitResult } from "./barrier.js";
export { OnceCell, SetOnce, type OnceCellInit } from "./once-cell.js";
export { CancellationToken, CancellationTokenDropGuard } from "./cancellation-token.js";
export {
  SendError,
  TrySendError,
  SendTimeoutError,
  RecvError,
  TryRecvError,
  AcquireError,
  TryAcquireError,
  TryLockError,
  SetError,
} from "./errors.js";
export { ok, err, type Result } from "./result.js";
