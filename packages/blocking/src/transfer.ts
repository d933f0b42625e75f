/**
 * `transfer(value, list)`: move ArrayBuffers (and other transferables) to or from a worker
 * instead of copying them.
 */
import type { TransferListItem } from "node:worker_threads";

const BRAND: unique symbol = Symbol.for("tokio-ts.blocking.Transfer") as never;

/**
 * The value of every wrapper's first cloned property. A symbol is what no structured clone
 * accepts (v8.serialize and postMessage alike), so a wrapper *inside* an argument or a result
 * makes its cloning fail — at no cost to the values that hold none — rather than cross as a
 * `{ value, list }` record with its buffers copied. Only then is the value walked, to say where
 * the wrapper is ({@link transferPath}). Its description is the fallback explanation, as the
 * clone error quotes it.
 */
const NOT_CLONEABLE = Symbol("transfer() wraps a whole spawnBlocking argument or a job's whole result, not a value inside one");

/** What {@link transfer} makes: a value and the transferables inside it. @internal */
export interface Transfer {
  readonly [BRAND]: true;
  readonly wholeValueOnly: typeof NOT_CLONEABLE;
  readonly value: unknown;
  readonly list: readonly TransferListItem[];
}

/** @internal */
export function isTransfer(value: unknown): value is Transfer {
  return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/**
 * Where a {@link transfer} wrapper sits inside `value` — a path such as `.payload` or
 * `.items[2]` — or undefined if none does. A wrapper at the top (`value` itself) is not
 * nested: the walk starts inside it. Called only once cloning `value` has failed, so it may walk
 * everything: plain objects, arrays, Maps and Sets, once each.
 * @internal
 */
export function transferPath(value: unknown): string | undefined {
  const root = isTransfer(value) ? value.value : value;
  const seen = new Set<object>();
  const stack: [unknown, string][] = [[root, ""]];
  while (stack.length !== 0) {
    const [current, path] = stack.pop()!;
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    if (path !== "" && isTransfer(current)) return path;
    seen.add(current);
    if (ArrayBuffer.isView(current)) continue;
    try {
      if (current instanceof Map) {
        for (const [key, entry] of current) stack.push([key, `${path} (a Map key)`], [entry, `${path}.get(${describeKey(key)})`]);
      } else if (current instanceof Set) {
        for (const entry of current) stack.push([entry, `${path} (in a Set)`]);
      } else {
        const array = Array.isArray(current);
        for (const key of Object.keys(current)) {
          const step = array ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
          stack.push([(current as Record<string, unknown>)[key], path + step]);
        }
      }
    } catch {
      // A getter or an iterator of the user's that throws: this part cannot be looked into.
    }
  }
  return undefined;
}

function describeKey(key: unknown): string {
  return typeof key === "string" ? JSON.stringify(key) : typeof key === "object" && key !== null ? "…" : String(key);
}

/**
 * The error for a transfer() nested in `what` ("argument 0", "the job's result") at `path`.
 * Here rather than in errors.ts because the workers load this file, not that one.
 * @internal
 */
export function nestedTransferMessage(what: string, path: string): string {
  return (
    `spawnBlocking: ${what} holds a transfer() at ${path}: transfer() wraps a whole argument or a job's whole result, ` +
    "not a value inside one; wrap the whole value and list the buffers inside it (transfer({ payload: bytes }, [bytes.buffer]))"
  );
}

/**
 * Mark `value` to be moved, not copied: the objects in `list` (ArrayBuffers, MessagePorts, …;
 * see `worker_threads`' transfer lists) become unusable on this side and the other side gets
 * them without a copy. Use it for a whole argument of {@link spawnBlocking}, or for a job's
 * whole return value; to move buffers that sit inside an object, wrap the object and list them
 * (`transfer({ payload: bytes }, [bytes.buffer])`). A `transfer()` inside an argument is a
 * TypeError at the call, and one inside a job's result fails the job with a TypeError; both say
 * where it is.
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
  // `wholeValueOnly` first: a nested wrapper fails to clone before its value is looked at.
  const wrapper: Transfer = { [BRAND]: true, wholeValueOnly: NOT_CLONEABLE, value, list: [...list] };
  return wrapper as unknown as T;
}
