/** Small tools shared by the runtime tests (test-util depends on runtime, so it cannot be used here). */
import * as assert from "uvu/assert";
import { Future, Pending, type Context, type Poll, type Waker } from "@tokio-ts/core";
import { Builder, type JoinError, type Runtime } from "../src/index.js";

/**
 * A one-bit notification between tasks: `notify()` sets it and wakes the waiter; `wait()` is
 * ready once it is set, and clears it.
 */
export class Flag {
  #set = false;
  #waker: Waker | undefined = undefined;

  notify(): void {
    this.#set = true;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }

  wait(): Future<void> {
    return new FlagWait(this);
  }

  /** @internal */
  pollWait(cx: Context): Poll<void> {
    if (this.#set) {
      this.#set = false;
      return undefined;
    }
    this.#waker = cx.waker;
    return Pending;
  }

  /** @internal */
  clearWaker(): void {
    this.#waker = undefined;
  }
}

class FlagWait extends Future<void> {
  constructor(private readonly flag: Flag) {
    super();
  }
  override poll(cx: Context): Poll<void> {
    return this.flag.pollWait(cx);
  }
  override cancel(): void {
    this.flag.clearWaker();
  }
}

/** Build a runtime, run `body` with it, and always shut it down. */
export async function withRuntime<R>(body: (rt: Runtime) => Promise<R> | R, builder = Builder.newCurrentThread()): Promise<R> {
  const rt = builder.build();
  try {
    return await body(rt);
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
}

/** A runtime builder whose unhandled-panic reports are pushed to `reported`. */
export function reportingTo(reported: JoinError[], builder = Builder.newCurrentThread()): Builder {
  return builder.onUnhandledPanic((error) => void reported.push(error));
}

/**
 * Let a pending unhandled-panic report run: it waits one host turn after the drain that saw the
 * panic; three give it room (and room for a wrong one).
 */
export async function reportTurns(): Promise<void> {
  for (let i = 0; i < 3; i++) await hostTurn();
}

/**
 * `select` in miniature (the macros package depends on this one): the first of two futures to
 * complete wins, and the other is dropped at once with `cancel()`.
 */
export function race<A, B>(a: Future<A>, b: Future<B>): Future<{ winner: "a"; value: A } | { winner: "b"; value: B }> {
  return new Race(a, b);
}

class Race<A, B> extends Future<{ winner: "a"; value: A } | { winner: "b"; value: B }> {
  constructor(
    private readonly a: Future<A>,
    private readonly b: Future<B>,
  ) {
    super();
  }

  override poll(cx: Context): Poll<{ winner: "a"; value: A } | { winner: "b"; value: B }> {
    let a: Poll<A>;
    try {
      a = this.a.poll(cx);
    } catch (error) {
      this.b.cancel();
      throw error;
    }
    if (a !== Pending) {
      this.b.cancel();
      return { winner: "a", value: a };
    }
    let b: Poll<B>;
    try {
      b = this.b.poll(cx);
    } catch (error) {
      this.a.cancel();
      throw error;
    }
    if (b !== Pending) {
      this.a.cancel();
      return { winner: "b", value: b };
    }
    return Pending;
  }

  override cancel(): void {
    this.a.cancel();
    this.b.cancel();
  }
}

/** One turn of the host event loop (microtasks drain, setImmediate callbacks queued before run). */
export function hostTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Run `body` with every uncaught exception and unhandled rejection of the process collected in
 * the array it is given (instead of crashing the test run); one host turn after it, to let errors
 * rethrown from microtasks arrive.
 */
export async function collectingUncaught<R>(body: (uncaught: unknown[]) => Promise<R>): Promise<R> {
  const uncaught: unknown[] = [];
  const collect = (error: unknown): void => void uncaught.push(error);
  process.on("uncaughtException", collect);
  process.on("unhandledRejection", collect);
  try {
    const result = await body(uncaught);
    await hostTurn();
    return result;
  } finally {
    process.off("uncaughtException", collect);
    process.off("unhandledRejection", collect);
  }
}

/** Resolves with "stalled" after ten host turns: race it against work that must not stall. */
export async function stalled(): Promise<"stalled"> {
  for (let i = 0; i < 10; i++) await hostTurn();
  return "stalled";
}

/** Await `promise` and return what it rejected with; fail if it resolves. */
export async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, but the promise resolved");
}

/**
 * Assert that `fn` throws an instance of `kind` whose message starts with `message` (a string)
 * or matches it (a RegExp).
 */
export function throwsWith(fn: () => unknown, kind: typeof RangeError | typeof TypeError, message: string | RegExp): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, kind);
    if (typeof message === "string") assert.ok((error as Error).message.startsWith(message), (error as Error).message);
    else assert.match((error as Error).message, message);
    return;
  }
  assert.unreachable("expected a throw");
}
