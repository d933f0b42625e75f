/**
 * `test`: Tokio's `#[tokio::test]` — a test body on a fresh runtime, in paused time, with a
 * leak check.
 *
 * WHY an injected registrar. `@tokio-ts/macros` has no dependency outside the workspace, so it
 * cannot import uvu. `test` builds the handler and hands it to a registration function that
 * the test file provides once (`configureTest({ suite: test })` with uvu's `test` or a
 * `suite()`), or per call (`{ suite }`). Anything of the shape `(name, handler) => void` works,
 * so node:test's `test` does too.
 *
 * HOW the leak check works, after the body returns (and the runtime has run the tasks that
 * were ready, in the same drain, before the body's promise settles — but before any host turn,
 * so a paused clock has not auto-advanced):
 * - tasks: `metrics().numAliveTasks()` must be 0 (the body's own task has completed);
 * - timers: the time driver, if the runtime created one, must hold no timer. It is read through
 *   a probe key (see internal/build.ts), so `@tokio-ts/time` is never imported here;
 * - host handles: after shutdown and two host turns (so that closed handles finish closing),
 *   `process.getActiveResourcesInfo()` must not list more of any handle kind than before the
 *   test. Requests (file reads, writes in flight) finish by themselves and are not counted.
 */
import { isFuture, isGenerator, type Future, type NotAsyncGenerator } from "@tokio-ts/core";
import type { Runtime, SpawnBody, UnhandledPanic } from "@tokio-ts/runtime";
import { checkFlavor, checkOptions, checkRuntimeSettings, deadlockMessage, isInstalled, signalWaitHint, registeredTimers, reportsOwnDeadlock, runtimeBuilder, TIME_PACKAGE } from "./internal/build.js";

/**
 * A test framework's registration function: uvu's `test` (or a `suite()`), node:test's `test`,
 * … `test` calls it once per test with the name and an async handler that fails by rejecting.
 *
 * @example
 * ```ts
 * import { test as nodeTest } from "node:test";
 * import { configureTest, type TestRegistrar } from "@tokio-ts/macros";
 * const suite: TestRegistrar = (name, handler) => nodeTest(name, handler);
 * configureTest({ suite });
 * ```
 */
export type TestRegistrar = (name: string, handler: () => Promise<void>) => unknown;

/**
 * Options of {@link test}; the defaults can be set for a whole file with
 * {@link configureTest}.
 *
 * @example
 * ```ts
 * test("retries with a real clock", async () => { … }, { startPaused: false, rngSeed: 3 });
 * ```
 */
export interface TestOptions {
  /** Where to register the test (uvu's `test` or a `suite()`); default: {@link configureTest}'s. */
  readonly suite?: TestRegistrar | undefined;
  /**
   * `"currentThread"`, the only flavor (the default, as for Tokio's `#[tokio::test]`); accepted
   * so that options shared with {@link main} pass. `"multiThread"` is an error.
   */
  readonly flavor?: "currentThread" | "multiThread" | undefined;
  /**
   * Run in paused time (default true when `@tokio-ts/time` is installed, so a 1-hour `sleep`
   * completes at once by auto-advance; false otherwise). `true` without the package is an error.
   * A test that waits on real I/O that takes real time (a child process, `fetch`) under a
   * `timeout` needs `false`: while it waits, every task is idle, so the paused clock jumps to
   * the deadline. (Bytes already sent over loopback win: Node's I/O is polled once first.)
   */
  readonly startPaused?: boolean | undefined;
  /** Seed of the runtime's random generator, for a reproducible `select` order. */
  readonly rngSeed?: number | undefined;
  /** What a throwing spawned task does: `"ignore"` (default, as Tokio) or `"shutdownRuntime"`. */
  readonly unhandledPanic?: UnhandledPanic | undefined;
  /**
   * Fail the test when it leaves a task, a timer or a host handle behind (default true). Turn
   * it off for a test that hands a resource to a later one on purpose. The host handles are
   * counted for the whole process, so tests that run at the same time (node:test's
   * `concurrency`) can blame each other: turn it off for those, or run them one at a time.
   */
  readonly leakCheck?: boolean | undefined;
}

/** The keys of {@link TestOptions}, and those that take a boolean. */
const TEST_OPTIONS = ["suite", "flavor", "startPaused", "rngSeed", "unhandledPanic", "leakCheck"] as const;
const BOOLEAN_OPTIONS = ["startPaused", "leakCheck"] as const;

let defaults: TestOptions = {};

/**
 * Set the default {@link TestOptions} of later {@link test} calls — above all the `suite` to
 * register with. Each call replaces the previous defaults; options given to `test` override
 * them.
 *
 * @example
 * ```ts
 * import { test as uvu } from "uvu";
 * import { configureTest, test } from "@tokio-ts/macros";
 *
 * configureTest({ suite: uvu });
 * test("…", function* () { … });
 * uvu.run();
 * ```
 *
 * **Throws** (and keeps the previous defaults): TypeError for `options` that is not an object,
 * an unknown option, a `suite` that is not a function, a `startPaused` or `leakCheck` that is
 * not a boolean, or a bad `unhandledPanic`; TypeError/RangeError for a bad `rngSeed` (the
 * runtime builder's rules).
 */
export function configureTest(options: TestOptions): void {
  checkTestOptions("configureTest()", options);
  defaults = { ...options };
}

/**
 * Register an async test (Tokio's `#[tokio::test]`): each test runs `body` on a fresh
 * current-thread runtime with every installed driver enabled, in paused time by default, and
 * fails if the body throws or leaves something behind.
 *
 * The body is a generator function, an async function or a future — any body `spawn` takes
 * (with the task's `AbortSignal` if it declares a parameter). After it returns, the test fails
 * — with a message naming what leaked — if a spawned task is still alive, a timer is still
 * registered, or the process holds more host handles (timeouts, sockets, servers…) than before
 * the test (as `process.getActiveResourcesInfo()` lists them: a `worker_threads` Worker left
 * running is not among them, and goes unseen). Then the runtime is shut down (also when the body threw). Under
 * `unhandledPanic: "shutdownRuntime"`, a spawned task's panic fails the test, with the panic's
 * message and stack, also one that happens as the body returns (after it, the runtime is shut
 * down; the leak check is skipped). A body that throws something other than an Error fails with
 * an Error that shows the value (its `cause`), since runners format only Errors.
 * If Node is about to exit while the body still waits (nothing left could wake it: a stream or
 * server never closed, a sender never used), `test` says so on stderr, as {@link main} does, and
 * sets the exit code to 1; the runner alone would only say it stopped early.
 *
 * Registration goes through `options.suite`, or the suite set with {@link configureTest}: this
 * package does not depend on uvu. Run the suite as usual (`uvu.run()`).
 *
 * @example
 * ```ts
 * import { test as uvu } from "uvu";
 * import * as assert from "uvu/assert";
 * import { configureTest, test } from "@tokio-ts/macros";
 * import { spawn } from "@tokio-ts/runtime";
 * import { Instant, sleep } from "@tokio-ts/time";
 *
 * configureTest({ suite: uvu });
 *
 * test("an hour passes at once in paused time", function* () {
 *   const start = Instant.now();
 *   const worker = spawn(function* () { yield* sleep(3_600_000); return "done"; });
 *   assert.is(yield* worker, "done");
 *   assert.ok(Instant.now().durationSince(start) >= 3_600_000);
 * });
 *
 * uvu.run();
 * ```
 *
 * **Throws** (at registration, never when the test runs): TypeError "test() has no suite to
 * register with: …" when no suite was given; TypeError for a name that is not a string, a body
 * of another kind, `options` that is not an object, an unknown option, a `startPaused` or
 * `leakCheck` that is not a boolean, or a bad `unhandledPanic`; TypeError/RangeError for a bad
 * `rngSeed` (the runtime builder's rules); Error for `startPaused: true` without
 * `@tokio-ts/time` installed.
 */
export function test<T>(name: string, body: (signal: AbortSignal) => Generator<unknown, T, unknown>, options?: TestOptions): void;
export function test<R>(name: string, body: (signal: AbortSignal) => NotAsyncGenerator<R>, options?: TestOptions): void;
export function test<T>(name: string, body: Future<T>, options?: TestOptions): void;
export function test<T>(name: string, body: SpawnBody<T>, options?: TestOptions): void;
export function test<T>(name: string, body: SpawnBody<T>, options: TestOptions = {}): void {
  if (typeof name !== "string") throw new TypeError(`test name must be a string, got ${typeof name}`);
  if (typeof body !== "function" && !isFuture(body) && !isGenerator(body)) {
    throw new TypeError(`test body must be a generator function, an async function or a future, got ${describeBody(body)}`);
  }
  checkTestOptions("test()", options);
  // An option given as `undefined` is not given: the default stands (a spread would replace it).
  const settings: TestOptions = { ...defaults };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) (settings as Record<string, unknown>)[key] = value;
  const suite = settings.suite;
  if (suite === undefined) {
    throw new TypeError(
      'test() has no suite to register with: call configureTest({ suite: test }) with uvu\'s test (import { test } from "uvu") once per file, or pass { suite } to test()',
    );
  }
  checkSuite(suite);
  const timeInstalled = isInstalled(TIME_PACKAGE);
  const startPaused = settings.startPaused ?? timeInstalled;
  if (startPaused && !timeInstalled) {
    throw new Error(`test(): startPaused needs the time driver, but ${TIME_PACKAGE} is not installed: install it (npm install --save-dev ${TIME_PACKAGE}) or pass startPaused: false`);
  }
  const leakCheck = settings.leakCheck ?? true;
  // Made now, so that a bad setting fails the registration rather than the test's run.
  const builder = runtimeBuilder("test()", {
    name: `test: ${name}`,
    startPaused,
    rngSeed: settings.rngSeed,
    unhandledPanic: settings.unhandledPanic,
  });
  suite(name, async () => {
    // The runner may call this handler from a host callback of its own (uvu starts its queue
    // from a setTimeout): that handle is still counted while the callback runs, and goes once it
    // returns. Counted in the "before", it would hide one leak of its kind in the first test.
    if (leakCheck) await Promise.resolve();
    const before = leakCheck ? hostHandles() : undefined;
    const rt = reportsOwnDeadlock(builder.build());
    let leaks: string[] = [];
    const waiting = { name };
    watchForDeadlock(waiting);
    try {
      try {
        await rt.blockOn(body as Future<T>);
      } catch (error) {
        throw failureOf(name, error, rt);
      }
      // The tasks that were ready ran in the drain that completed the body; if one of them
      // panicked under unhandledPanic "shutdownRuntime", the runtime is shut down now. Tokio's
      // test fails then (its block_on panics): so does this one, whatever leakCheck says.
      if (rt.isShutdown()) throw panicShutdown(name);
      if (leakCheck) {
        // An async task that the body let finish (or aborted) needs microtask turns to unwind,
        // where a generator task ends within the drain: let them pass. Not host turns: those
        // would let a paused clock auto-advance and wake a task that really was left waiting.
        for (let turn = 0; turn < 32 && rt.metrics().numAliveTasks() !== 0; turn++) await Promise.resolve();
        leaks = runtimeLeaks(rt);
      }
    } finally {
      unwatchForDeadlock(waiting);
      await rt.shutdownTimeout(Infinity);
    }
    if (before !== undefined) {
      await hostTurn();
      await hostTurn();
      leaks.push(...handleLeaks(before, hostHandles()));
    }
    if (leaks.length !== 0) {
      throw new Error(`test "${name}" left ${leaks.join(", ")} behind: abort or join spawned tasks, drop timers and close handles before the test returns`);
    }
  });
}

/**
 * As main(): if Node is about to exit while test bodies wait, nothing can wake them any more.
 * The runner would only say it ended early (uvu) or that a promise is pending (node:test): say
 * why, and fail the process. One `beforeExit` listener for all the tests running at once (a
 * runner may run many concurrently), there while any is.
 */
const waitingTests = new Set<{ readonly name: string }>();
/** The exit code before a deadlock report set it to 1, or null when none was made. */
let exitCodeBeforeReport: typeof process.exitCode | null = null;

function onBeforeExit(): void {
  process.off("beforeExit", onBeforeExit);
  for (const test of waitingTests) console.error(deadlockMessage(`test(${JSON.stringify(test.name)})`) + signalWaitHint());
  exitCodeBeforeReport = process.exitCode;
  process.exitCode = 1;
}

function watchForDeadlock(test: { readonly name: string }): void {
  if (waitingTests.size === 0 && exitCodeBeforeReport === null) process.on("beforeExit", onBeforeExit);
  waitingTests.add(test);
}

function unwatchForDeadlock(test: { readonly name: string }): void {
  if (!waitingTests.delete(test) || waitingTests.size !== 0) return;
  process.off("beforeExit", onBeforeExit);
  // Woken after all (another beforeExit listener started work): it was no deadlock.
  if (exitCodeBeforeReport !== null) {
    process.exitCode = exitCodeBeforeReport;
    exitCodeBeforeReport = null;
  }
}

/**
 * The failure of a test whose runtime a spawned task's panic shut down after the body returned
 * (the body could not hear of it). The runtime reports that panic itself, on stderr or to its
 * hook, since no `blockOn` claimed it.
 */
function panicShutdown(name: string): Error {
  return new Error(
    `test "${name}": a spawned task panicked and the runtime is configured to shut down on unhandled panic (unhandledPanic: "shutdownRuntime"); it shut down as the body returned, and the panic is reported as unhandled`,
  );
}

/**
 * What a test whose `blockOn` rejected with `error` fails with, in a form every runner prints.
 * A runner formats an Error (uvu reads its `name` and `stack`, and crashes on a string or
 * `undefined`, skipping the rest of the file): a thrown non-Error is wrapped. A panic that shut
 * the runtime down is the rejection's `cause`, which runners do not print: its message and stack
 * become the failure's.
 */
function failureOf(name: string, error: unknown, rt: Runtime): unknown {
  if (!(error instanceof Error)) {
    return new Error(`test "${name}" threw ${describeThrown(error)}, which is not an Error`, { cause: error });
  }
  if (!rt.isShutdown() || !("cause" in error)) return error;
  const panic = error.cause;
  const failure = new Error(
    `test "${name}": ${error.message} (unhandledPanic: "shutdownRuntime"), with ${panic instanceof Error ? `${panic.name}: ${panic.message}` : describeThrown(panic)}`,
    { cause: panic },
  );
  // The panic's own frames show where it happened; this function's would not.
  if (panic instanceof Error && typeof panic.stack === "string") {
    const frames = panic.stack.indexOf("\n    at ");
    if (frames !== -1) failure.stack = `Error: ${failure.message}${panic.stack.slice(frames)}`;
  }
  return failure;
}

/** A thrown value that is not an Error, for a message: strings quoted, objects as JSON. */
function describeThrown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value) ?? Object.prototype.toString.call(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

/** Check `options` of `test` or `configureTest` (`what`) as far as it can be without merging. */
function checkTestOptions(what: string, options: TestOptions): void {
  checkOptions(what, options, TEST_OPTIONS, BOOLEAN_OPTIONS);
  checkFlavor(what, options.flavor);
  if (options.suite !== undefined) checkSuite(options.suite);
  checkRuntimeSettings(what, options);
}

function describeBody(body: unknown): string {
  if (body === null) return "null";
  if (typeof body !== "object") return typeof body;
  if (typeof (body as PromiseLike<unknown>).then === "function") return "a promise (wrap it with fromPromise())";
  return "an object that is not a future (no poll and cancel methods)";
}

function checkSuite(suite: unknown): asserts suite is TestRegistrar {
  if (typeof suite !== "function") {
    throw new TypeError(`suite must be a test registration function such as uvu's test, got ${suite === null ? "null" : typeof suite}`);
  }
}

/** Tasks still alive and timers still registered on `rt`, described for the failure message. */
function runtimeLeaks(rt: Runtime): string[] {
  const leaks: string[] = [];
  const tasks = rt.metrics().numAliveTasks();
  if (tasks > 0) leaks.push(`${tasks} task${tasks === 1 ? "" : "s"} still alive`);
  const timers = registeredTimers(rt.handle());
  if (timers > 0) leaks.push(`${timers} timer${timers === 1 ? "" : "s"} still registered`);
  return leaks;
}

/** Kinds of host resource that finish by themselves (requests in flight), not counted as leaks. */
const TRANSIENT = /Req|WriteWrap|ShutdownWrap/;

/**
 * How many of each kind of host handle the process holds (ref'd timers, sockets, …). Node opens
 * the stdio handles (a PipeWrap or TTYWrap each) the first time `process.stdout`/`stderr` is
 * used: they are opened here first, so that a test that writes the process's first line does
 * not seem to leave a handle behind.
 */
function hostHandles(): Map<string, number> {
  void process.stdout;
  void process.stderr;
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (!TRANSIENT.test(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

function handleLeaks(before: Map<string, number>, after: Map<string, number>): string[] {
  const leaks: string[] = [];
  for (const [kind, count] of after) {
    const grown = count - (before.get(kind) ?? 0);
    if (grown > 0) leaks.push(`${grown} host handle${grown === 1 ? "" : "s"} (${kind})`);
  }
  return leaks;
}

/** One turn of the host's event loop (check phase), then its close callbacks can run. */
function hostTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
