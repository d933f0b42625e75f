/**
 * `transfer(value, list)`: move ArrayBuffers (and other transferables) to or from a worker
 * instead of copying them.
 */
import type { TransferListItem } from "node:worker_threads";

const BRAND: unique symbol = Symbol.for("tokio-ts.blocking.Transfer") as never;

/** What {@link transfer} makes: a value and the transferables inside it. @internal */
export interface Transfer {
  readonly [BRAND]: true;
  readonly value: unknown;
  readonly list: readonly TransferListItem[];
}

/** @internal */
export function isTransfer(value: unknown): value is Transfer {
  return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/**
 * Mark `value` to be moved, not copied: the objects in `list` (ArrayBuffers, MessagePorts, …;
 * see `worker_threads`' transfer lists) become unusable on this side and the other side gets
 * them without a copy. Use it for an argument of {@link spawnBlocking} (top-level arguments
 * only), or as a job's return value.
 *
 * A job function may return `transfer(result, [result.buffer])` too: on the workers,
 * `transfer` is a global, so the identifier works even though the function cannot close over
 * the import (in module jobs, import it from `@tokio-ts/blocking`).
 *
 * The result is typed as `value` so that the job's parameter types line up; at run time it is
 * a small wrapper that only `spawnBlocking` and the pool understand.
 *
 * @example
 * ```ts
 * const bytes = new Uint8Array(1 << 20);
 * const sum = await spawnBlocking((b: Uint8Array) => b.reduce((a, x) => a + x, 0), transfer(bytes, [bytes.buffer]));
 * bytes.length; // 0: the buffer moved to the worker
 * ```
 *
 * **Throws**: TypeError unless `list` is an array.
 */
export function transfer<T>(value: T, list: readonly TransferListItem[]): T {
  if (!Array.isArray(list)) throw new TypeError(`transfer: list must be an array of transferables, got ${typeof list}`);
  const wrapper: Transfer = { [BRAND]: true, value, list: [...list] };
  return wrapper as unknown as T;
}
