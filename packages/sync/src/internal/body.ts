/**
 * The future behind a user function that `OnceCell.getOrInit` (and friends) run: whatever
 * style the function is written in, the cell gets one future it can poll and drop.
 *
 * - a generator function runs as a generator future (dropping it runs its `finally` blocks);
 * - an `async function` runs as an async future (dropping it rejects its pending await of a
 *   tokio-ts future and aborts its `AbortSignal`);
 * - any other function runs as an async future too: it is called at the first poll, and what
 *   it returns — a future, a generator object, a promise or a plain value — becomes the
 *   output. A future or generator it returns is polled (and dropped) directly; async work it
 *   starts belongs to the polling task (its awaits of tokio-ts futures are polled by that task
 *   and rejected when the future is dropped).
 *
 * A function that declares a parameter receives an `AbortSignal`, aborted with
 * `CancelledError` when the future is dropped.
 */
import { fromAsync, fromGenerator, isGeneratorFunction, type Future } from "@tokio-ts/core";

/** A function whose result (sync, promise, future or generator) is awaited. */
export type Body<T> = (signal: AbortSignal) => T | PromiseLike<T> | Future<T> | Generator<unknown, T, unknown>;

/** The future that runs `fn` at its first poll. */
export function bodyFuture<T>(fn: Body<T>): Future<T> {
  if (typeof fn !== "function") throw new TypeError(`expected a function, got ${fn === null ? "null" : typeof fn}`);
  if (isGeneratorFunction(fn)) return fromGenerator(fn as unknown as (signal: AbortSignal) => Generator<unknown, T, unknown>);
  return fromAsync(fn as (signal: AbortSignal) => PromiseLike<T>);
}
