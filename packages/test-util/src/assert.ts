/**
 * Assertions on poll results, for tests that poll futures by hand (tokio-test's
 * `assert_pending!`, `assert_ready!`, `assert_ready_err!`).
 *
 * They throw Node's `AssertionError` (from `node:assert`), which every test runner reports. Its
 * `actual` and `expected` hold the values, except that a symbol (Pending, a symbol output) is
 * given as its printed form: some runners turn both into strings for their diff, and uvu, on a
 * value it cannot print, stopped the suite without reporting the failure (and exited with 0).
 */
import { AssertionError } from "node:assert";
import { inspect, isDeepStrictEqual } from "node:util";
import { Pending, type Poll } from "@tokio-ts/core";
import { describe } from "./internal/describe.js";

/**
 * Assert that a poll returned {@link Pending}.
 *
 * @example
 * ```ts
 * const task = mockTask(pending());
 * assertPending(task.poll());
 * ```
 *
 * **Throws**: AssertionError naming the value the poll returned instead.
 */
export function assertPending(poll: Poll<unknown>, message?: string): asserts poll is Pending {
  if (poll !== Pending) {
    throw new AssertionError({
      message: message ?? `expected Pending, got Ready(${inspect(poll)})`,
      actual: printable(poll),
      expected: "Pending",
      operator: "assertPending",
      stackStartFn: assertPending,
    });
  }
}

/**
 * Assert that a poll returned an output (not {@link Pending}) and return it; with `expected`,
 * also that the output deep-equals it (`assert.deepStrictEqual`).
 *
 * @example
 * ```ts
 * const task = mockTask(ready({ n: 1 }));
 * const out = assertReady(task.poll(), { n: 1 }); // out: { n: 1 }
 * ```
 *
 * **Throws**: AssertionError if the poll was Pending, or the output differs from `expected`.
 */
export function assertReady<T>(poll: Poll<T>, ...expected: [] | [T]): T {
  if (poll === Pending) {
    throw new AssertionError({
      message: "expected Ready, got Pending",
      actual: "Pending",
      expected: expected.length === 0 ? "a ready output" : printable(expected[0]),
      operator: "assertReady",
      stackStartFn: assertReady,
    });
  }
  if (expected.length !== 0 && !isDeepStrictEqual(poll, expected[0])) {
    throw new AssertionError({
      message: `expected Ready(${inspect(expected[0])}), got Ready(${inspect(poll)})`,
      actual: printable(poll),
      expected: printable(expected[0]),
      operator: "assertReady",
      stackStartFn: assertReady,
    });
  }
  return poll as T;
}

/**
 * What {@link assertReadyErr} checks the thrown value against.
 *
 * @example
 * ```ts
 * assertReadyErr(() => task.poll(), RangeError);      // a class: instanceof
 * assertReadyErr(() => task.poll(), /closed/);        // a RegExp: the message
 * assertReadyErr(() => task.poll(), (e) => e === x);  // a predicate
 * ```
 */
export type ErrorMatcher = (abstract new (...args: any[]) => unknown) | RegExp | ((error: unknown) => boolean);

/**
 * Assert that a poll fails — `poll()` throws — and return what it threw. With `matcher`, also
 * check the error: a class (`instanceof`), a RegExp (tested against the message) or a predicate.
 *
 * @example
 * ```ts
 * const task = mockTask(pollFn(() => { throw new TypeError("bad") }));
 * const err = assertReadyErr(() => task.poll(), TypeError);
 * ```
 *
 * **Throws**: AssertionError if the poll returned (Pending or an output) or the error does not
 * match; TypeError, before polling, unless `poll` is a function or for a `matcher` that is not
 * a class, a RegExp or a predicate function.
 */
export function assertReadyErr(poll: () => Poll<unknown>, matcher?: ErrorMatcher): unknown {
  // Checked before the try: calling a non-function would throw a TypeError that "passes".
  if (typeof poll !== "function") {
    throw new TypeError(`assertReadyErr: poll must be a function that polls, such as () => task.poll(), got ${describe(poll)}`);
  }
  if (matcher !== undefined && typeof matcher !== "function" && !(matcher instanceof RegExp)) {
    throw new TypeError(`assertReadyErr: matcher must be an error class, a RegExp or a predicate function, got ${describe(matcher)}`);
  }
  let out: Poll<unknown>;
  try {
    out = poll();
  } catch (error) {
    if (matcher !== undefined && !matches(error, matcher)) {
      throw new AssertionError({
        message: `the poll threw ${describeThrown(error)}, which does not match ${describeMatcher(matcher)}`,
        actual: printable(error),
        expected: matcher,
        operator: "assertReadyErr",
        stackStartFn: assertReadyErr,
      });
    }
    return error;
  }
  throw new AssertionError({
    message: `expected the poll to throw, got ${out === Pending ? "Pending" : `Ready(${inspect(out)})`}`,
    actual: printable(out),
    expected: matcher ?? "an error",
    operator: "assertReadyErr",
    stackStartFn: assertReadyErr,
  });
}

function matches(error: unknown, matcher: ErrorMatcher): boolean {
  if (matcher instanceof RegExp) {
    const message = error instanceof Error ? error.message : String(error);
    matcher.lastIndex = 0; // a /g or /y RegExp would otherwise go on from its last match
    return matcher.test(message);
  }
  if (isClass(matcher)) return error instanceof matcher;
  return (matcher as (error: unknown) => boolean)(error) === true;
}

/** Error and its subclasses, and anything written with `class`, are matched with instanceof. */
function isClass(fn: Exclude<ErrorMatcher, RegExp>): fn is abstract new (...args: any[]) => unknown {
  return (
    fn === Error ||
    (fn.prototype !== undefined && fn.prototype instanceof Error) ||
    /^class\b/.test(Function.prototype.toString.call(fn))
  );
}

/** A thrown value in one line: `RangeError("r")` for an error (its stack is on `actual`). */
function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}(${JSON.stringify(error.message)})`;
  return inspect(error, { breakLength: Infinity });
}

function describeMatcher(matcher: ErrorMatcher): string {
  if (matcher instanceof RegExp) return String(matcher);
  return matcher.name ? matcher.name : "the predicate";
}

/** `value`, or for a symbol its printed form ("Pending" for {@link Pending}): see the module header. */
function printable(value: unknown): unknown {
  if (typeof value !== "symbol") return value;
  return value === Pending ? "Pending" : value.toString();
}
