/**
 * `tokio-ts/sync`: channels and locks — the same items as `@tokio-ts/sync`, re-exported.
 *
 * @example
 * ```ts
 * import { mpsc, Mutex } from "tokio-ts/sync";
 * const [tx, rx] = mpsc.channel<number>(8);
 * await tx.send(1);
 * await rx.recv(); // 1
 * ```
 *
 * @packageDocumentation
 */
export {
  mpsc,
  oneshot,
  broadcast,
  watch,
  Notify,
  Notified,
  Semaphore,
  SemaphorePermit,
  Mutex,
  MutexGuard,
  RwLock,
  RwLockReadGuard,
  RwLockWriteGuard,
  Barrier,
  type BarrierWaitResult,
  OnceCell,
  SetOnce,
  type OnceCellInit,
  CancellationToken,
  CancellationTokenDropGuard,
  SendError,
  TrySendError,
  SendTimeoutError,
  RecvError,
  TryRecvError,
  AcquireError,
  TryAcquireError,
  TryLockError,
  SetError,
  ok,
  err,
  type Result,
} from "@tokio-ts/sync";
