/**
 * `spawn` and the task id: the free functions that act on the current runtime.
 */
import { ContextError, currentFrame, type AsyncBody, type Future, type GeneratorBody, type NotAsyncGenerator } from "@tokio-ts/core";
import type { JoinHandle } from "./join-handle.js";
import { currentScheduler } from "./internal/current.js";

/**
 * A body `spawn` accepts: a generator function, a generator object, an async function, or a
 * future. `spawn`, `blockOn`, `JoinSet.spawn` and `main` take it as it is, so a helper can pass
 * its own body argument on.
 *
 * @example
 * ```ts
 * spawn(function* () { yield* sleep(10); return 1 });
 * spawn(worker(id)); // function* worker(id: number) { … }
 * spawn(async (signal) => fetch(url, { signal }));
 * spawn(sleep(10));
 * const traced = <T>(body: SpawnBody<T>): JoinHandle<T> => spawn(body);
 * ```
 */
export type SpawnBody<T> = GeneratorBody<T> | Generator<unknown, T, unknown> | AsyncBody<T> | Future<T>;

/**
 * Spawn a task on the current runtime and return its {@link JoinHandle}. The body runs
 * concurrently with the caller; it does not start before the caller yields.
 *
 * - A **generator function** (`function* () { … yield* fut … }`) is exactly cancellable: abort
 *   resumes it with `return()` at its suspension point, so its `finally` blocks run. If it
 *   declares a parameter it receives an `AbortSignal` too, for foreign APIs.
 * - A **generator object** (`spawn(worker(id))`, from `function* worker(id) { … }`) runs and
 *   aborts the same way; it gets no `AbortSignal`. Spawn a generator object at most once.
 * - An **async function** receives an `AbortSignal` (if it declares a parameter); on abort its
 *   pending await of a tokio-ts future rejects with {@link CancelledError}, and so does every
 *   later one (on runtime shutdown too: see `Runtime.shutdownTimeout`), so its `catch` and
 *   `finally` blocks run and release what they hold. A `finally` block that needs to await
 *   cleanup must use plain promises (or spawn a cleanup task). A function that keeps catching
 *   the error and awaiting again (a loop that logs every error and goes on) is stopped at its
 *   101st such await, which never settles, and the task ends as cancelled: it cannot spin for
 *   ever, but its code after that point (its `finally` blocks too) does not run.
 * - A **future** is polled as is.
 *
 * Performance: in a hot loop, spawn a generator object of a shared generator function,
 * `spawn(worker(id))`, rather than a fresh `function* () { … }` each time. V8 builds a prototype
 * and a hidden class for every generator closure the first time it is called, about 0.7 µs per
 * spawn on this project's bench machine; a shared generator function costs about 25 ns.
 *
 * If a generator's `finally` block yields while the task is being aborted, those futures are
 * still polled (cleanup may await), and the handle reports "cancelled" once the generator has
 * finished. On runtime shutdown they are dropped unpolled instead, so shutdown always ends.
 * This holds for the task's own generator and the generators it delegates to with `yield*`
 * (`yield* worker()`). A generator running as a future inside the task (`fromGenerator`, a
 * `select`/`join` branch, `timeout(ms, function* …)`, `runExclusive(function* …)`) is dropped
 * at once instead: its `finally` runs only up to its first `yield*` (see `fromGenerator`).
 *
 * @example
 * ```ts
 * await rt.blockOn(function* () {
 *   const h = spawn(async () => "done");
 *   return yield* h; // "done"
 * });
 * ```
 *
 * **Throws**: ContextError "spawn() needs a runtime, but no runtime is running: call this
 * inside main() or Runtime.blockOn()"; TypeError for a body of another kind.
 *
 * **Cancel safety**: the returned JoinHandle is cancel safe as a future: dropping it (or a `select` branch awaiting it) detaches the task, which keeps running; only `abort()` stops the task.
 */
export function spawn<T>(body: (signal: AbortSignal) => Generator<unknown, T, unknown>): JoinHandle<T>;
export function spawn<R>(body: (signal: AbortSignal) => NotAsyncGenerator<R>): JoinHandle<Awaited<R>>;
export function spawn<T>(body: Future<T>): JoinHandle<T>;
export function spawn<T>(body: Generator<unknown, T, unknown>): JoinHandle<T>;
export function spawn<T>(body: SpawnBody<T>): JoinHandle<T>;
export function spawn<T>(body: SpawnBody<T>): JoinHandle<T> {
  const scheduler = currentScheduler("spawn()");
  return scheduler.spawn(body);
}

/**
 * The id of the running task (Tokio's `task::id()`).
 *
 * Two differences from Tokio, both because of how JavaScript carries context:
 * - a `blockOn` (or `main`) body runs as a task here, so it has an id, where Tokio's `block_on`
 *   future has none (`task::try_id()` is `None` there);
 * - a host callback that an async-function body set up (a `setTimeout`, an event listener)
 *   runs in the body's async context (Node's `AsyncLocalStorage`): it sees the task's id and
 *   task-locals, and spawns on the task's runtime — even after the task has ended. Pass what it
 *   needs (a `Handle`, a value) explicitly if it may outlive the task.
 *
 * @example
 * ```ts
 * spawn(function* () { console.log(`I am task ${taskId()}`) });
 * ```
 *
 * **Throws**: ContextError outside a task.
 */
export function taskId(): number {
  const task = currentFrame()?.task;
  if (task === undefined) throw ContextError.noRuntime("taskId()");
  return task.id;
}

/**
 * The id of the running task, or undefined outside one. Inside a `blockOn` body and in host
 * callbacks set up by async bodies it differs from Tokio's `task::try_id()`: see {@link taskId}.
 *
 * @example
 * ```ts
 * const id = tryTaskId(); // undefined outside a task
 * ```
 */
export function tryTaskId(): number | undefined {
  return currentFrame()?.task?.id;
}
