/**
 * `@tokio-ts/blocking`'s driver key, for executors other than `@tokio-ts/runtime`: enable the
 * name `"blocking"` (the runtime's builder does by default) and pass the pool settings as
 * driver options (`maxBlockingThreads`, `threadKeepAlive`, `onThreadStart`, `onThreadStop`,
 * `threadResourceLimits`). A host that implements `Driver.shutdownTimeout` calls lets running
 * jobs finish at shutdown.
 */
import { DriverKey } from "@tokio-ts/core";
import { BlockingPool, poolOptions } from "./internal/pool.js";

/**
 * The key of the blocking pool (name `"blocking"`).
 *
 * @example
 * ```ts
 * const pool = Handle.current().driver(BLOCKING); // created on first use, no thread yet
 * ```
 */
export const BLOCKING: DriverKey<BlockingPool> = new DriverKey(
  "blocking",
  "blocking jobs",
  'enableDriver("blocking")',
  (host) => new BlockingPool(poolOptions(host.driverOptions), host),
);

export type { BlockingPool };
