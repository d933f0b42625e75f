/**
 * `Mutex.runExclusive` and `Semaphore.runWithPermit`: wait for something held (a lock guard, a
 * permit), run a user function with it, and release it however the function ends.
 *
 * How the function runs:
 * - a generator function runs as a generator future (dropping the call runs its `finally`);
 * - inside a task, anything else runs in an async future: it is the frame that the awaits of an
 *   async function (and of async work a plain one starts) find after they resume, so those
 *   awaits belong to the task, and dropping the call rejects them;
 * - outside any task (plain async code) the function is called here: an async future would
 *   switch AsyncLocalStorage on, which on Node 20 slows every await in the process (see
 *   body.ts, whose `bodyFuture` applies the same rule; it is not used here because its extra
 *   future and closure cost ~60 ns per call on this path). Either way a value, future,
 *   generator or promise it returns is the output.
 *
 * Release: at once when the function ends, or when the call is dropped — except while a promise
 * or a task's JoinHandle the function returned is pending (dropping a handle detaches its task,
 * which may hold the guard). A promise cannot be stopped: dropped then (the generator is
 * returned from the `yield*` on it), the function goes on running, so it keeps what it holds
 * until the promise settles (as async-mutex's runExclusive does), and nobody else gets it
 * meanwhile.
 */
import { CancelledError, Context, currentFrame, fromAsync, fromGenerator, fromPromise, isFuture, isGenerator, isGeneratorFunction, Pending, type Future, type NotAsyncGenerator } from "@tokio-ts/core";
import { isThenable } from "./body.js";

/**
 * Whether `out` is a task's JoinHandle (by shape: sync does not depend on the runtime). Dropping
 * a handle detaches its task, which goes on — with the guard, if `fn` gave it one — so it counts
 * as running work, as a promise does.
 */
function isTaskHandle(out: unknown): boolean {
  const handle = out as { abort?: unknown; isFinished?: unknown };
  return typeof handle.abort === "function" && typeof handle.isFinished === "function";
}

/** What the function may be: its result is awaited, whatever its style. */
export type HoldingFn<H, R> = (held: H) => R | PromiseLike<R> | Future<R> | Generator<unknown, R, unknown>;

/** A function that declares a second parameter, for an AbortSignal (see {@link withSignal}). */
type SignalledFn<H, R> = (held: H, signal: AbortSignal) => ReturnType<HoldingFn<H, R>>;

/** The generator behind `runExclusive`/`runWithPermit` (see the module header). */
export function* runHolding<H extends { release(): void }, R>(acquire: Future<H>, given: HoldingFn<H, R> | SignalledFn<H, R>): Generator<unknown, R, unknown> {
  if (given.length >= 2) return yield* withSignal(acquire, given as SignalledFn<H, R>);
  const fn = given as HoldingFn<H, R>;
  const held = yield* acquire;
  let running: PromiseLike<unknown> | undefined;
  try {
    if (isGeneratorFunction(fn)) return yield* fromGenerator((fn as (held: H) => Generator<unknown, R, unknown>)(held));
    let future: Future<R>;
    if (currentFrame() !== undefined) {
      future = fromAsync(() => {
        const out = fn(held);
        // A future is awaited in this frame, so dropping the call drops it; a promise, or a
        // task's handle (dropping it detaches the task), goes on running.
        if (isThenable(out) && (!isFuture(out) || isTaskHandle(out))) running = out;
        return out as PromiseLike<R> | NotAsyncGenerator<R>;
      });
    } else {
      const out = fn(held);
      if (isFuture(out) && !isTaskHandle(out)) return (yield* out) as R;
      if (isGenerator(out)) return (yield* fromGenerator(out)) as R;
      if (!isThenable(out)) return out as R;
      running = out;
      future = isFuture(out) ? (out as Future<R>) : fromPromise(out as PromiseLike<R>);
    }
    // Completed or failed, the promise is no longer running; dropped here (neither line after
    // the `yield*` runs), it still is.
    let output: R;
    try {
      output = yield* future;
    } catch (error) {
      running = undefined;
      throw error;
    }
    running = undefined;
    return output;
  } finally {
    if (running === undefined) held.release();
    else if (isTaskHandle(running)) whenTaskEnds(running as TaskHandle, () => held.release());
    else {
      const release = (): void => held.release();
      Promise.resolve(running).then(release, release);
    }
  }
}

/**
 * `runHolding` for an `fn` that declares a second parameter: it gets an AbortSignal that aborts
 * (with a CancelledError) when the call is dropped before `fn` is done, so that work it handed to
 * a host API (`fetch(url, { signal })`) stops and what it holds comes back at once. Apart, so
 * that the common call makes no AbortController (a few hundred bytes) and pays for no bookkeeping.
 */
function* withSignal<H extends { release(): void }, R>(acquire: Future<H>, fn: SignalledFn<H, R>): Generator<unknown, R, unknown> {
  const controller = new AbortController();
  const signal = controller.signal;
  // A generator function's call gives a generator object, which runHolding runs as it runs any
  // function's returned generator: one arrow serves every kind of `fn`.
  const run: HoldingFn<H, R> = (held) => fn(held, signal);
  let done = false;
  try {
    const output = yield* runHolding(acquire, run);
    done = true;
    return output;
  } catch (error) {
    done = true; // failed, not dropped
    throw error;
  } finally {
    if (!done) controller.abort(new CancelledError());
  }
}

/** What {@link whenTaskEnds} uses of a JoinHandle. */
type TaskHandle = Future<unknown> & { isFinished(): boolean };

/**
 * Call `then` once the task of `handle` has ended, without taking its outcome: awaiting the
 * handle would claim a panic (it would no longer be reported as unhandled, nor reach a later
 * join). The handle is polled only while its task runs (to leave a waker), and the wait is
 * dropped as soon as it has ended, as an await that gives up would be.
 */
function whenTaskEnds(handle: TaskHandle, then: () => void): void {
  const cx = new Context({ wake: check });
  function check(): void {
    if (handle.isFinished()) {
      handle.cancel(); // this wait is over: it counts for nothing in the panic report
      then();
      return;
    }
    if (handle.poll(cx) !== Pending) check(); // not finished, so Pending; in any case look again
  }
  check();
}
