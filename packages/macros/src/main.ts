/**
 * `main`: Tokio's `#[tokio::main]` — a program's entry point on a fresh runtime.
 *
 * HOW. The body runs as a spawned task (so that a signal can abort it, exactly as
 * `JoinHandle.abort` does: generator `finally` blocks run, and may still await their cleanup),
 * wrapped so that its own error is its output rather than a panic (a body error must not trip
 * `unhandledPanic: "shutdownRuntime"`, which is for the tasks it spawns). A root task blocks on
 * that handle, so `blockOn` still reports a panic shutdown with the panicking task's error.
 *
 * Signal states: RUNNING → (first SIGINT/SIGTERM) ABORTING: the body's task is aborted and its
 * cleanup runs → (second signal) FORCED: the runtime shuts down at once, dropping the cleanup's
 * pending awaits. A signal while the runtime shuts down after the body ended (waiting for
 * blocking jobs) also forces it (`shutdownBackground`). The listeners are removed once that
 * shutdown is over, so a later signal gets Node's default behaviour and an idle process exits
 * by itself.
 */
import { Future, intoFuture, isCancellation, isFuture, isGenerator, isGeneratorFunction, pollFn, type AsyncBody, type NotAsyncGenerator } from "@tokio-ts/core";
import { JoinError, type UnhandledPanic } from "@tokio-ts/runtime";
import type { SpawnBody } from "@tokio-ts/runtime";
import { buildRuntime, checkFlavor, checkOptions, deadlockMessage, signalWaitHint, waitedForByProgram } from "./internal/build.js";

/**
 * Options of {@link main}.
 *
 * @example
 * ```ts
 * await main(function* () { … }, { rngSeed: 7, unhandledPanic: "shutdownRuntime" });
 * ```
 */
export interface MainOptions {
  /**
   * The scheduler. Only `"currentThread"` exists (the default); `"multiThread"` is planned and
   * is rejected with an error until then.
   */
  readonly flavor?: "currentThread" | "multiThread" | undefined;
  /**
   * Start with the clock paused (time moves by `advance()` and by auto-advance when every task
   * is idle). Needs `@tokio-ts/time` installed. Default false.
   */
  readonly startPaused?: boolean | undefined;
  /** Seed of the runtime's random generator (`select`'s branch order), for reproducible runs. */
  readonly rngSeed?: number | undefined;
  /** What a throwing spawned task does: `"ignore"` (default) or `"shutdownRuntime"`. */
  readonly unhandledPanic?: UnhandledPanic | undefined;
  /**
   * Handle SIGINT and SIGTERM by cancelling the body and shutting down gracefully (default
   * true). Pass false to leave the signals to the host (or to your own handlers).
   */
  readonly handleSignals?: boolean | undefined;
  /** The runtime's name (default `"main"`). */
  readonly name?: string | undefined;
}

/** The keys of {@link MainOptions}. */
const MAIN_OPTIONS = ["flavor", "startPaused", "rngSeed", "unhandledPanic", "handleSignals", "name"] as const;

/** Exit codes for a body cancelled by a signal: 128 + the signal's number, as shells report. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;

/** The body's outcome as a value, so that its error is not a panic of its task. */
type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Run a program: build a runtime, run `body` on it, shut the runtime down (Tokio's
 * `#[tokio::main]`).
 *
 * Every driver that is installed is enabled (time, io); the runtime is current-thread. The body
 * is a generator function (exactly cancellable), an async function or a future; it receives
 * its task's `AbortSignal` if it declares a parameter.
 *
 * A body that returns a future rather than awaiting it (`return sleep(10)`) has that future
 * run before the runtime shuts down, as `return yield* fut` would.
 *
 * When the body ends, the runtime shuts down without a time limit (`shutdownTimeout(Infinity)`):
 * tasks still running are aborted and their `finally` blocks run, and a `spawnBlocking` job
 * still running is waited for, as Tokio's runtime does when it is dropped — a job whose handle a
 * `timeout` dropped too (give the job a deadline of its own: see `spawnBlocking.with`).
 *
 * - **Success**: resolves with the body's result; the exit code is left alone (0).
 * - **Failure**: the body's error (or the panic that shut the runtime down, under
 *   `unhandledPanic: "shutdownRuntime"`) is printed with `console.error`, `process.exitCode`
 *   becomes 1, and `main` resolves with `undefined`. It never rejects, so a top-level
 *   `main(…)` needs no `catch` and the error is printed once.
 * - **Deadlock**: if the process is about to exit (Node's `beforeExit`: nothing left that could
 *   wake anything) while the body still waits, `main` prints why to stderr and sets
 *   `process.exitCode` to 1, rather than letting the program end as if it had finished.
 * - **SIGINT / SIGTERM**: the body is cancelled as `JoinHandle.abort()` does — a generator's
 *   `finally` blocks run and may still `yield*` their cleanup; an async body's signal aborts, and
 *   its pending await of a tokio-ts future rejects with `CancelledError`. A promise of the host
 *   that the body awaits cannot be cancelled from outside: give it the signal (`fetch(url, {
 *   signal })`, `setTimeout` of `node:timers/promises` with `{ signal }`), or the body runs on
 *   until it settles and only then sees the cancellation (a second signal then ends `main`, but
 *   cannot stop that promise's work, which may keep the process alive). Then the runtime shuts down,
 *   `process.exitCode` becomes 128 + the signal number (130 for SIGINT, 143 for SIGTERM, what
 *   a shell reports for a process killed by it), and `main` resolves with `undefined`. A signal
 *   while the runtime shuts down (after the body ended, waiting for blocking jobs) stops that
 *   wait (`shutdownBackground`) rather than killing the process half-way; `main` still resolves
 *   with the body's result, and the exit code is the signal's (the jobs were cut short). If the
 *   cleanup itself throws (an error other than the cancellation), that error is printed and
 *   the exit code is 1. A second
 *   signal during the cleanup shuts the runtime down at once. The listeners are removed when
 *   `main` ends, so the process exits by itself once nothing else holds it. To drain work on
 *   a signal (finish the requests in flight), write the body as a generator, whose `finally`
 *   can still `yield*`; an async body's later awaits of tokio-ts futures reject at once.
 * - **A signal the program waits for** is left to it: if, when it arrives, a `ctrlC()` wait is
 *   pending or a `signal("SIGINT")` (of `tokio-ts/signal`) is open, `main` does nothing. So
 *   Tokio's `ctrl_c().await` idiom works in a body: `yield* ctrlC()` returns on Ctrl-C and the
 *   body goes on with its shutdown. A signal that arrives while no such wait is pending is
 *   handled as above (a second Ctrl-C during a slow shutdown, once the `ctrlC()` wait is over,
 *   still cancels). A plain `process.on("SIGINT", …)` does not count (libraries install such
 *   cleanup hooks); with one of your own, pass `handleSignals: false`, which leaves every
 *   signal to the program.
 *
 * @example
 * ```ts
 * import { main } from "@tokio-ts/macros";
 * import { spawn } from "@tokio-ts/runtime";
 * import { sleep } from "@tokio-ts/time";
 *
 * const answer = await main(function* () {
 *   const worker = spawn(function* () {
 *     yield* sleep(10);
 *     return 21;
 *   });
 *   return (yield* worker) * 2;
 * });
 * console.log(answer); // 42
 * ```
 *
 * **Throws** (synchronously, before anything runs): Error for `flavor: "multiThread"` (not
 * implemented yet) or `startPaused` without `@tokio-ts/time` installed ("… install it …");
 * TypeError for `options` that is not an object, an unknown option (`main(): unknown option
 * "bogus"`), a `startPaused` or `handleSignals` that is not a boolean, another flavor, a
 * non-string `name` or a bad `unhandledPanic`; TypeError/RangeError for a bad `rngSeed`.
 *
 * **Runtime compatibility**: makes its own runtime; call it once, at the top of the program,
 * not from inside a runtime.
 */
export function main<T>(body: (signal: AbortSignal) => Generator<unknown, T, unknown>, options?: MainOptions): Promise<T | undefined>;
export function main<R>(body: (signal: AbortSignal) => NotAsyncGenerator<R>, options?: MainOptions): Promise<Awaited<R> | undefined>;
export function main<T>(body: Future<T>, options?: MainOptions): Promise<T | undefined>;
export function main<T>(body: Generator<unknown, T, unknown>, options?: MainOptions): Promise<T | undefined>;
export function main<T>(body: SpawnBody<T>, options?: MainOptions): Promise<T | undefined>;
export function main<T>(body: SpawnBody<T>, options: MainOptions = {}): Promise<T | undefined> {
  checkOptions("main()", options, MAIN_OPTIONS, ["startPaused", "handleSignals"]);
  checkFlavor("main()", options.flavor);
  const rt = buildRuntime("main()", {
    name: options.name ?? "main",
    startPaused: options.startPaused ?? false,
    rngSeed: options.rngSeed,
    unhandledPanic: options.unhandledPanic,
  });
  // What the body threw, also while a signal was cancelling it (a `finally` that fails): the
  // task then ends as cancelled and its outcome is dropped, but the error must not be.
  const thrown: Thrown = { failed: false, error: undefined };
  const task = rt.spawn(settle(body, thrown));
  let received: HandledSignal | undefined;
  const onSignal = (signal: HandledSignal): void => {
    // The program waits for this signal itself (a `ctrlC()` or `signal()` of tokio-ts/signal):
    // it is the program's to handle. Prepended, this listener runs before that one, which may
    // remove itself as it fires. Other listeners (a library's cleanup hook, such as
    // signal-exit's, which re-raises only when it is alone) do not count.
    if (waitedForByProgram(signal)) return;
    if (received === undefined && !shuttingDown) {
      received = signal;
      task.abort();
    } else {
      // The body had ended: its result stands, but the program was interrupted (a blocking job
      // stopped half-way), which the exit code says.
      if (received === undefined) interrupted ??= signal;
      // A second signal, or one while the runtime shuts down (waiting for blocking jobs): stop
      // waiting. The listeners stay until the shutdown is over, so it never kills the process
      // half-way through.
      rt.shutdownBackground();
    }
  };
  let shuttingDown = false;
  /** A signal that stopped the shutdown's wait after the body had ended. */
  let interrupted: HandledSignal | undefined;
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) listen(signalListeners, onSignal);
  // Node exits when nothing can wake the program any more; a body still waiting then is stuck
  // for good (Tokio would hang): say so, and fail, instead of ending as if it had finished.
  let exitCodeBefore: typeof process.exitCode | null = null;
  const onBeforeExit = (): void => {
    unlisten(beforeExitListeners, onBeforeExit);
    console.error(DEADLOCK_MESSAGE + signalWaitHint());
    exitCodeBefore = process.exitCode;
    process.exitCode = 1;
  };
  listen(beforeExitListeners, onBeforeExit);
  const finish = async (outcome: Outcome<T>): Promise<T | undefined> => {
    unlisten(beforeExitListeners, onBeforeExit);
    // Woken after all (another beforeExit listener started work): it was no deadlock.
    if (exitCodeBefore !== null) process.exitCode = exitCodeBefore;
    shuttingDown = true;
    try {
      await rt.shutdownTimeout(Infinity);
    } finally {
      if (handleSignals) unlisten(signalListeners, onSignal);
    }
    if (outcome.ok) {
      if (interrupted !== undefined) process.exitCode = SIGNAL_EXIT_CODES[interrupted];
      return outcome.value;
    }
    const error = outcome.error;
    if (received !== undefined && error instanceof JoinError && error.isCancelled()) {
      if (thrown.failed) {
        // The body's cleanup failed while the signal was cancelling it: that is the outcome.
        console.error(thrown.error);
        process.exitCode = 1;
        return undefined;
      }
      process.exitCode = SIGNAL_EXIT_CODES[received];
      return undefined;
    }
    console.error(error);
    process.exitCode = 1;
    return undefined;
  };
  return rt.blockOn(task).then(
    (outcome) => finish(outcome),
    (error: unknown) => finish({ ok: false, error }),
  );
}

/**
 * The process listeners of the `main` calls running at once (a program may call a `main`-made
 * function concurrently, as Tokio allows): one listener per event for all of them, there while
 * any is, so that eleven calls do not trip Node's MaxListenersExceededWarning.
 */
interface Listeners<A extends unknown[]> {
  readonly events: readonly string[];
  /** Signal handling runs before the program's own `ctrlC()` listener (see `main`). */
  readonly prepend: boolean;
  readonly each: Set<(...args: A) => void>;
  readonly dispatch: (...args: A) => void;
}

function listeners<A extends unknown[]>(events: readonly string[], prepend: boolean): Listeners<A> {
  const each = new Set<(...args: A) => void>();
  // Over a copy: a listener removes itself as it runs; one added meanwhile waits for the next event.
  const dispatch = (...args: A): void => {
    for (const listener of [...each]) if (each.has(listener)) listener(...args);
  };
  return { events, prepend, each, dispatch };
}

const signalListeners = listeners<[HandledSignal]>(["SIGINT", "SIGTERM"], true);
const beforeExitListeners = listeners<[]>(["beforeExit"], false);

function listen<A extends unknown[]>(group: Listeners<A>, listener: (...args: A) => void): void {
  if (group.each.size === 0) {
    const host = process as NodeJS.EventEmitter;
    for (const event of group.events) {
      if (group.prepend) host.prependListener(event, group.dispatch as (...args: unknown[]) => void);
      else host.on(event, group.dispatch as (...args: unknown[]) => void);
    }
  }
  group.each.add(listener);
}

function unlisten<A extends unknown[]>(group: Listeners<A>, listener: (...args: A) => void): void {
  if (!group.each.delete(listener) || group.each.size !== 0) return;
  for (const event of group.events) (process as NodeJS.EventEmitter).off(event, group.dispatch as (...args: unknown[]) => void);
}

/** What `main` prints when the process is about to exit while the body still waits. */
export const DEADLOCK_MESSAGE = deadlockMessage("main()");

/**
 * The body as a future whose output is its outcome, run as `spawn` runs it. A generator stays a
 * generator (delegating with `yield*`, so abort's `return()` reaches the body's `finally` blocks,
 * which may still await); an async body stays an async function (its awaits see the task's
 * cancellation); a future is delegated to. A plain function is called at the first poll, and what
 * it returns is run in its place: a generator object or a future (`() => worker(id)`,
 * `() => sleep(10)`) is delegated to as above, a promise or value is awaited.
 */
function settle<T>(body: SpawnBody<T>, thrown: Thrown): Future<Outcome<T>> {
  if (isGeneratorFunction(body)) {
    const generator = body as (signal: AbortSignal) => Generator<unknown, T, unknown>;
    return intoFuture(function* (signal: AbortSignal): Generator<unknown, Outcome<T>, unknown> {
      return yield* settled(generator(signal), thrown);
    });
  }
  if (typeof body === "function") {
    const fn = body as (signal: AbortSignal) => unknown;
    // Its result is an outcome, a promise of one, or a generator making one, which the future
    // intoFuture makes runs in its place (typed as the async body it also is).
    const run = (signal: AbortSignal): Generator<unknown, Outcome<T>, unknown> | PromiseLike<Outcome<T>> | Outcome<T> => {
      let out: unknown;
      try {
        out = fn(signal);
      } catch (error) {
        return { ok: false, error };
      }
      if (isGenerator(out) || isFuture(out)) return settled(out as Generator<unknown, T, unknown> | Future<T>, thrown);
      return Promise.resolve(out as T | PromiseLike<T>).then(
        (value): Outcome<T> => ({ ok: true, value }),
        (error: unknown): Outcome<T> => {
          // An async body cancelled by a signal rejects with its cancellation: that is no failure.
          if (!isCancellation(error)) {
            thrown.failed = true;
            thrown.error = error;
          }
          return { ok: false, error };
        },
      );
    };
    return intoFuture(run as AsyncBody<Outcome<T>>);
  }
  return intoFuture(settled(isGenerator(body) ? (body as Generator<unknown, T, unknown>) : intoFuture(body), thrown));
}

/** What the body threw, kept beside its outcome (see `main`). */
interface Thrown {
  failed: boolean;
  error: unknown;
}

/**
 * A future `yield*` can delegate to: a `Future` as is, a future written as a plain object with
 * `poll` and `cancel` (which `isFuture` accepts, and `spawn` runs) wrapped.
 */
function delegable<T>(future: Future<T>): Future<T> {
  if (future instanceof Future) return future;
  const plain = future as { poll: Future<T>["poll"]; cancel(): void };
  return pollFn((cx) => plain.poll(cx), () => plain.cancel());
}

/** Run a generator (by delegation) or a future, and catch its error into the outcome. */
function* settled<T>(body: Generator<unknown, T, unknown> | Future<T>, thrown: Thrown): Generator<unknown, Outcome<T>, unknown> {
  try {
    let value: unknown = yield* isGenerator(body) ? body : delegable(body as Future<T>);
    // A body that returns a future (`return sleep(10)`): the promise `main` returns would adopt
    // it as a thenable after the runtime is gone. Await it here, as `return yield* fut` would.
    while (isFuture(value)) value = yield* delegable(value as Future<unknown>);
    return { ok: true, value: value as T };
  } catch (error) {
    thrown.failed = true;
    thrown.error = error;
    return { ok: false, error };
  }
}
