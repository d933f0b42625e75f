/**
 * The future behind a user function that `OnceCell.getOrInit` (and friends) run: whatever
 * style the function is written in, the cell gets one future it can poll and drop.
 *
 * - a generator function runs as a generator future (dropping it runs its `finally` blocks);
 * - any other function (an `async function`, or a plain one) inside a task runs as an async
 *   future, so that the async work it does belongs to that task: its awaits of tokio-ts futures
 *   are polled by the task and see its task-locals, and dropping the future rejects them;
 * - outside any task (plain async code, no runtime) it is called directly at the first poll
 *   instead, and a promise it returns is awaited: an async future would switch
 *   AsyncLocalStorage on, which on Node 20 makes every await in the process about 2.5× slower
 *   (37 → 91 ns here), and without a task there is nothing for it to attach the awaits to.
 *   A promise can only be ignored once dropped.
 *
 * Either way, what the function returns — a future, a generator object, a promise or a plain
 * value — becomes the output; a future or generator it returns is polled (and dropped) directly.
 *
 * A function that declares a parameter receives an `AbortSignal`, aborted with
 * `CancelledError` when the future is dropped.
 */
import { CancelledError, currentFrame, Future, fromAsync, fromGenerator, fromPromise, isFuture, isGenerator, isGeneratorFunction, Pending, type Context, type Poll } from "@tokio-ts/core";

/** A function whose result (sync, promise, future or generator) is awaited. */
export type Body<T> = (signal: AbortSignal) => T | PromiseLike<T> | Future<T> | Generator<unknown, T, unknown>;

/**
 * The future that runs `fn` at its first poll. Called from inside a poll: `currentFrame()` then
 * says whether a task is polling.
 */
export function bodyFuture<T>(fn: Body<T>): Future<T> {
  if (typeof fn !== "function") throw new TypeError(`expected a function, got ${fn === null ? "null" : typeof fn}`);
  if (isGeneratorFunction(fn)) return fromGenerator(fn as unknown as (signal: AbortSignal) => Generator<unknown, T, unknown>);
  if (currentFrame() !== undefined) return fromAsync(fn as (signal: AbortSignal) => PromiseLike<T>);
  return new CallFuture(fn);
}

/** States: NEW (`#fn` set) → RUNNING (`#inner` set, when the result was not a plain value) → done. */
class CallFuture<T> extends Future<T> {
  #fn: Body<T> | undefined;
  #inner: Future<T> | undefined = undefined;
  #controller: AbortController | undefined = undefined;

  constructor(fn: Body<T>) {
    super();
    this.#fn = fn;
  }

  override poll(cx: Context): Poll<T> {
    const fn = this.#fn;
    if (fn !== undefined) {
      this.#fn = undefined;
      let signal: AbortSignal | undefined;
      if (fn.length > 0) signal = (this.#controller = new AbortController()).signal;
      const out = fn(signal!);
      if (isFuture(out)) this.#inner = out as Future<T>;
      else if (isGenerator(out)) this.#inner = fromGenerator(out as Generator<unknown, T, unknown>);
      else if (isThenable(out)) {
        this.#inner = fromPromise(out as PromiseLike<T>);
      } else {
        this.#controller = undefined;
        return out as T;
      }
    }
    const inner = this.#inner;
    if (inner === undefined) throw new Error("a body future was polled after it completed or was dropped");
    let out: Poll<T>;
    try {
      out = inner.poll(cx);
    } catch (error) {
      this.#inner = this.#controller = undefined;
      throw error;
    }
    if (out === Pending) return Pending;
    this.#inner = this.#controller = undefined;
    return out;
  }

  override cancel(): void {
    this.#fn = undefined;
    const inner = this.#inner;
    const controller = this.#controller;
    this.#inner = this.#controller = undefined;
    inner?.cancel();
    controller?.abort(new CancelledError());
  }
}

/** Whether `value` is a promise or another thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as PromiseLike<unknown>).then === "function";
}
