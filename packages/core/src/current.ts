/**
 * The "current task" context: which task (and which runtime) is running, which async body
 * receives `await`s, and the task-local values in scope.
 *
 * HOW: while a runtime polls a task it sets a module slot to the task's {@link Frame} (a plain
 * variable write, no cost). Async-function bodies resume as microtasks, outside any poll; for
 * them the frame travels with `AsyncLocalStorage`, which is switched on the first time an async
 * body starts (`runWithFrame`), so programs that only use generator tasks never pay for it.
 *
 * WHY this split: a module slot is the cheapest context there is and covers generator tasks and
 * hand-written futures entirely; `AsyncLocalStorage` is the one mechanism that survives
 * `await` of foreign promises. On Node 20 it is built on promise hooks (measurable cost on every
 * promise once enabled); on Node 24 it is built on async context frames and nearly free. The
 * numbers are in `benches/RESULTS.md`.
 *
 * The slot has three states: a frame (inside a poll), `null` (inside a runtime's drain but not
 * in a poll: "no task", whatever AsyncLocalStorage says), `undefined` (not ours: ask
 * AsyncLocalStorage).
 */
import type { AsyncLocalStorage } from "node:async_hooks";
import type { DriverHost } from "./driver.js";
import type { Future, Pending, Poll } from "./future.js";

/**
 * A task as the rest of tokio-ts sees it: its id and its runtime (for drivers and spawning).
 *
 * @example
 * ```ts
 * const task = currentFrame()?.task; // undefined outside a task
 * console.log(`running in task ${task?.id}`);
 * ```
 */
export interface TaskRef {
  /**
   * The task id. `@tokio-ts/runtime` numbers its tasks uniquely within the process (across
   * runtimes), each the first time its id is asked for; a custom executor numbers its own,
   * which may coincide with a runtime's.
   */
  readonly id: number;
  /** The runtime (or custom executor) running the task. */
  readonly runtime: DriverHost;
  /**
   * Optional, for executors: the task's body `body` (a future made by `fromAsync` or an async
   * function spawned, polled with this task as its waker) has settled; poll it once more, now
   * or later. A task without it is woken instead. `@tokio-ts/runtime` polls it at once, outside
   * its run queue, so that the task completes without waiting for a turn.
   */
  bodySettled?(body: Future<unknown>): void;
  /**
   * Optional, for executors' metrics: an await in the task's async body found the budget of the
   * task's last poll spent, and sends the task back to its executor (Tokio's "forced yield";
   * see `AwaitHost.pollAwait`).
   */
  budgetSpent?(): void;
}

/**
 * Where an `await` of a future goes: the innermost async-function body being run. It polls
 * the awaited future as part of its own poll.
 *
 * @example
 * ```ts
 * class MyBody implements AwaitHost {
 *   awaited: { future: Future<unknown>; outcome: Outcome<unknown> } | undefined;
 *   awaitFuture<T>(future: Future<T>, outcome: Outcome<T>) {
 *     this.awaited = { future, outcome }; // polled on this body's next poll
 *   }
 * }
 * ```
 */
export interface AwaitHost {
  /** Drive `future` to completion and deliver its outcome (never synchronously). */
  awaitFuture<T>(future: Future<T>, outcome: Outcome<T>): void;
  /**
   * Optional: poll `future` at once, in `then`, if the host may (it is not being cancelled, has
   * budget left, and waits on nothing else). Its output, or {@link Pending} when it did not
   * complete (polled or not); then `awaitFuture` follows with the same future. What the poll
   * throws leaves here. Saves a wake and a poll of the host for every await that is ready.
   */
  pollAwait?<T>(future: Future<T>): Poll<T>;
}

/**
 * Where the outcome of an awaited future goes: `then`'s callbacks.
 *
 * @example
 * ```ts
 * const out = future.poll(cx);
 * if (out !== Pending) outcome.fulfill(out); // or outcome.fail(error) if poll threw
 * ```
 */
export interface Outcome<T> {
  fulfill(value: T): void;
  fail(reason: unknown): void;
}

/**
 * One level of the current context: the task, the await host, and at most one task-local
 * binding (`key` → `value`), linked to the enclosing frame. A runtime's task object is usually
 * its own root frame (`task === itself`, no key, no parent), which saves an allocation per task.
 *
 * @example
 * ```ts
 * class Task implements TaskRef, Frame {
 *   readonly task = this; // the task is its own root frame
 *   readonly host = undefined;
 *   readonly key = undefined;
 *   readonly value = undefined;
 *   readonly parent = undefined;
 *   // … id, runtime
 * }
 * ```
 */
export interface Frame {
  readonly task: TaskRef | undefined;
  readonly host: AwaitHost | undefined;
  readonly key: object | undefined;
  readonly value: unknown;
  readonly parent: Frame | undefined;
}

/**
 * A frame inside `parent` (same task), with a new await host and/or a task-local binding.
 *
 * @example
 * ```ts
 * const frame = childFrame(currentFrame(), undefined, MY_KEY, 42);
 * ```
 */
export function childFrame(parent: Frame | undefined, host: AwaitHost | undefined, key: object | undefined, value: unknown): Frame {
  return { task: parent?.task, host: host ?? parent?.host, key, value, parent };
}

/**
 * The innermost binding of `key` from `frame` outwards, or {@link NOT_SET}.
 *
 * @example
 * ```ts
 * const v = lookupLocal(currentFrame(), KEY);
 * if (v !== NOT_SET) use(v);
 * ```
 */
export function lookupLocal(frame: Frame | undefined, key: object): unknown {
  for (let f = frame; f !== undefined; f = f.parent) {
    if (f.key === key) return f.value;
  }
  return NOT_SET;
}

/**
 * What {@link lookupLocal} returns for a key that is not bound.
 *
 * @example
 * ```ts
 * lookupLocal(currentFrame(), KEY) === NOT_SET; // KEY is not bound here
 * ```
 */
export const NOT_SET: unique symbol = Symbol("tokio-ts.NotSet");

let slot: Frame | null | undefined;
let storage: AsyncLocalStorage<Frame> | undefined;

/**
 * The frame of the running task, or undefined outside any task.
 *
 * @example
 * ```ts
 * const task = currentFrame()?.task; // undefined outside a runtime
 * ```
 */
export function currentFrame(): Frame | undefined {
  if (slot !== undefined) return slot ?? undefined;
  return storage === undefined ? undefined : storage.getStore();
}

/**
 * Make `frame` current for a synchronous section (a poll); returns the previous value, which
 * the caller must give back to {@link restoreFrame}. `null` means "no task here", and hides any
 * async context. For executors.
 *
 * @example
 * ```ts
 * const prev = enterFrame(task.frame);
 * try { out = task.future.poll(cx) } finally { restoreFrame(prev) }
 * ```
 */
export function enterFrame(frame: Frame | null): Frame | null | undefined {
  const prev = slot;
  slot = frame;
  return prev;
}

/**
 * Give back what {@link enterFrame} returned.
 *
 * @example
 * ```ts
 * const prev = enterFrame(task);
 * try { task.poll(cx) } finally { restoreFrame(prev) }
 * ```
 */
export function restoreFrame(prev: Frame | null | undefined): void {
  slot = prev;
}

/**
 * Call `fn(...args)` with `frame` current, and keep it current in every promise continuation
 * that `fn` starts (switches AsyncLocalStorage on, once). For the executors of async-function
 * bodies.
 *
 * @example
 * ```ts
 * const promise = runWithFrame(frame, body, signal); // body's awaits keep `frame` current
 * ```
 */
export function runWithFrame<R, A extends unknown[]>(frame: Frame, fn: (...args: A) => R, ...args: A): R {
  const prev = slot;
  slot = frame;
  try {
    const als = storage ?? enableStorage();
    return als === undefined ? fn(...args) : als.run(frame, fn, ...args);
  } finally {
    slot = prev;
  }
}

function enableStorage(): AsyncLocalStorage<Frame> | undefined {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  const hooks = getBuiltin?.("node:async_hooks") as typeof import("node:async_hooks") | undefined;
  if (hooks === undefined) return undefined;
  storage = new hooks.AsyncLocalStorage<Frame>();
  return storage;
}
