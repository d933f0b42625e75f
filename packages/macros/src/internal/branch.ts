/**
 * What `select` and `join` accept as a branch — anything `intoFuture` accepts: a future, a
 * generator function or generator object, an async (or plain) function — the output type of
 * each, and the conversion with an error that names the offending argument.
 */
import { Future, intoFuture, isFuture, isGenerator, type IntoFuture } from "@tokio-ts/core";

/** Anything a branch may be (what `intoFuture` accepts). */
export type Branch = IntoFuture<unknown>;

/**
 * The output of a branch: `T` for a `Future<T>`, a generator (function) returning `T`, or a
 * function returning `T` or a promise/future of `T`. Distributes over unions.
 */
export type OutputOf<X> =
  X extends Future<infer T>
    ? T
    : X extends Generator<unknown, infer T, unknown>
      ? T
      : X extends (signal: AbortSignal) => Generator<unknown, infer T, unknown>
        ? T
        : X extends (signal: AbortSignal) => infer R
          ? Awaited<R>
          : never;

/**
 * The future of branch `value`; `what` names it in the error ("select: branch `msg`").
 *
 * **Throws**: TypeError for anything `intoFuture` does not accept.
 */
export function branchFuture(value: unknown, what: string): Future<unknown> {
  if (value instanceof Future) return value; // the common case, without the duck-typing checks
  if (isFuture(value) || typeof value === "function" || isGenerator(value)) {
    return intoFuture(value as IntoFuture<unknown>, what);
  }
  throw new TypeError(`${what} must be a future, a generator function or an async function, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object" && typeof (value as PromiseLike<unknown>).then === "function") {
    return "a promise (pass the async function itself, as in () => work(), so it can be cancelled; or wrap the promise with fromPromise(), which cannot cancel it)";
  }
  return typeof value;
}

/** A value that was thrown (boxed, since anything — even `undefined` — can be thrown). */
export interface Thrown {
  readonly error: unknown;
}

/**
 * Drop every future of `futures` except index `keep` (-1: all), each even if an earlier one's
 * `cancel()` throws (a generator's `finally` block can); returns the first thing a `cancel()`
 * threw, boxed, or undefined.
 */
export function dropAll(futures: readonly (Future<unknown> | undefined)[], keep: number): Thrown | undefined {
  let error: unknown = undefined;
  let failed = false;
  for (let i = 0; i < futures.length; i++) {
    if (i === keep) continue;
    const future = futures[i];
    if (future === undefined) continue;
    try {
      future.cancel();
    } catch (e) {
      if (!failed) {
        failed = true;
        error = e;
      }
    }
  }
  return failed ? { error } : undefined;
}
