/**
 * Driving a generator function as a future: the stepping rules, shared by `fromGenerator` and
 * by executors that keep the generator inline in their task object (the runtime does, to
 * allocate one object per task).
 *
 * A slot holds the generator and the future it is suspended on (`current`). States:
 *
 * - running: `gen` set. `current` set = suspended on that future; unset = not started yet.
 * - done: `gen` unset (completed, threw, or dropped). Never polled again.
 *
 * A poll resumes the generator with the output of `current` (or throws its error into it) and
 * keeps stepping — polling each newly yielded future at once — until a future is Pending or
 * the generator returns. Anything yielded that is not a future is thrown back into the
 * generator as a TypeError. Dropping calls `return()` at the suspension point, so `finally`
 * blocks run (Rust's Drop); futures those blocks yield are dropped unpolled. A graceful
 * cancellation (`beginCancelGenerator`) instead keeps polling them, so cleanup may await.
 */
import type { Context } from "./context.js";
import { isFuture, Pending, Resume, type Future, type Poll } from "./future.js";
import { inline } from "./internal/inline.js";

/**
 * The state of a generator being driven (see the module header).
 *
 * @example
 * ```ts
 * const slot: GeneratorSlot<number> = { gen: body(signal), current: undefined };
 * const out = pollGenerator(slot, cx); // the output, or Pending
 * ```
 */
export interface GeneratorSlot<T> {
  gen: Generator<unknown, T, unknown> | undefined;
  current: Future<unknown> | undefined;
}

type Step<T> = IteratorResult<unknown, T>;

/**
 * `slot.current` while the generator is suspended in a resumable `yield*` iterator (see
 * `yieldSuspend`): that iterator polls and drops its future itself, so this is never polled
 * and its `cancel()` does nothing.
 */
const RESUMING = {
  poll(): never {
    throw new Error("tokio-ts internal error: the resume marker was polled");
  },
  cancel(): void {},
} as unknown as Future<unknown>;

// %GeneratorPrototype%'s methods, called with `.call`. Every generator function closure has a
// prototype of its own, so generator objects made by fresh closures (`spawn(function* () …)`
// in a loop) all have different hidden classes; looking `next` up on them would make the call
// site megamorphic. The intrinsic methods are the same for all of them.
const GeneratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf((function* () {})())) as Generator;
const genNext = GeneratorPrototype.next;
const genThrow = GeneratorPrototype.throw;
const genReturn = GeneratorPrototype.return;

/**
 * Whether `value` is a native generator object (what the stepping functions accept).
 *
 * @example
 * ```ts
 * isGenerator((function* () {})()); // true
 * isGenerator({ next() {} }); // false
 * ```
 */
export function isGenerator(value: unknown): value is Generator<unknown, unknown, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto !== null && Object.getPrototypeOf(proto) === GeneratorPrototype;
}

function step<T>(
  slot: GeneratorSlot<T>,
  gen: Generator<unknown, T, unknown>,
  cx: Context | undefined,
  throwing: boolean,
  value: unknown,
): Step<T> {
  const outer = inline.cx;
  inline.cx = cx;
  try {
    return (throwing ? genThrow : genNext).call(gen, value) as Step<T>;
  } catch (error) {
    slot.gen = undefined;
    slot.current = undefined;
    throw error;
  } finally {
    inline.cx = outer;
  }
}

/**
 * Poll the generator in `slot`: its return value, or Pending with `slot.current` set.
 *
 * @example
 * ```ts
 * const slot = { gen: body(), current: undefined };
 * const out = pollGenerator(slot, cx);
 * ```
 *
 * **Throws**: whatever the generator throws; Error if the generator is done.
 */
export function pollGenerator<T>(slot: GeneratorSlot<T>, cx: Context): Poll<T> {
  const gen = slot.gen;
  if (gen === undefined) throw new Error("a generator future was polled after it completed or was dropped (a select or timeout drops its losers): make a new one");
  const current = slot.current;
  let next: Step<T>;
  if (current === undefined) {
    next = step(slot, gen, cx, false, undefined);
  } else if (current === RESUMING) {
    // Suspended in a resumable `yield*` iterator: it polls its own future (see yieldSuspend).
    slot.current = undefined;
    next = step(slot, gen, cx, false, Resume);
  } else {
    let out: unknown;
    try {
      out = current.poll(cx);
    } catch (error) {
      slot.current = undefined;
      return run(slot, gen, cx, step(slot, gen, cx, true, error));
    }
    if (out === Pending) return Pending;
    slot.current = undefined;
    next = step(slot, gen, cx, false, out);
  }
  return run(slot, gen, cx, next);
}

function run<T>(slot: GeneratorSlot<T>, gen: Generator<unknown, T, unknown>, cx: Context, next: Step<T>): Poll<T> {
  for (;;) {
    if (next.done) {
      slot.gen = undefined;
      return next.value;
    }
    const future = next.value;
    if (future === inline.polled) {
      // Polled inline by `yield*` and still pending: its waker is registered. A resumable
      // iterator re-polls it itself on resume and drops it in its `return()`, so the slot holds
      // only a marker (whose `cancel()` does nothing).
      inline.polled = undefined;
      slot.current = inline.resumable ? RESUMING : (future as Future<unknown>);
      return Pending;
    }
    if (!isFuture(future)) {
      next = step(slot, gen, cx, true, yieldedNonFuture(future));
      continue;
    }
    let out: unknown;
    try {
      out = future.poll(cx);
    } catch (error) {
      next = step(slot, gen, cx, true, error);
      continue;
    }
    if (out === Pending) {
      slot.current = future;
      return Pending;
    }
    next = step(slot, gen, cx, false, out);
  }
}

function yieldedNonFuture(value: unknown): TypeError {
  const what =
    value !== null && typeof value === "object" && typeof (value as PromiseLike<unknown>).then === "function"
      ? "a promise: wrap it with fromPromise() and yield* that"
      : value === null
        ? "null"
        : typeof value;
  return new TypeError(`a tokio-ts generator must \`yield*\` futures, but it yielded ${what}`);
}

/**
 * Drop the generator: `return()` at its suspension point, so its `finally` blocks run; futures
 * they yield are dropped unpolled. Idempotent.
 *
 * **Throws**: whatever a `finally` block throws.
 *
 * @example
 * ```ts
 * dropGenerator(task); // runs the generator's finally blocks
 * ```
 */
export function dropGenerator<T>(slot: GeneratorSlot<T>): void {
  const gen = slot.gen;
  if (gen === undefined) return;
  slot.gen = undefined;
  for (;;) {
    const current = slot.current;
    slot.current = undefined;
    current?.cancel();
    const next = returnWithoutInline(gen);
    if (next.done) return;
    if (isFuture(next.value)) slot.current = next.value;
  }
}

/**
 * Begin a graceful cancellation: `return()` at the suspension point. True if the generator has
 * unwound; false if a `finally` block yielded a future, which is now `slot.current`: keep
 * polling until the generator completes (its return value is then meaningless).
 *
 * **Throws**: whatever a `finally` block throws.
 *
 * @example
 * ```ts
 * if (!beginCancelGenerator(task)) pollGenerator(task, cx); // cleanup still awaits
 * ```
 */
export function beginCancelGenerator<T>(slot: GeneratorSlot<T>): boolean {
  const gen = slot.gen;
  if (gen === undefined) return true;
  const current = slot.current;
  slot.current = undefined;
  current?.cancel();
  let next: Step<T>;
  try {
    next = returnWithoutInline(gen);
  } catch (error) {
    slot.gen = undefined;
    throw error;
  }
  if (next.done) {
    slot.gen = undefined;
    return true;
  }
  if (!isFuture(next.value)) {
    dropGenerator(slot);
    return true;
  }
  slot.current = next.value;
  return false;
}

/** `gen.return()`, with inline polling off: `finally` blocks run outside any poll. */
function returnWithoutInline<T>(gen: Generator<unknown, T, unknown>): Step<T> {
  const outer = inline.cx;
  inline.cx = undefined;
  try {
    return genReturn.call(gen, undefined) as Step<T>;
  } finally {
    inline.cx = outer;
  }
}
