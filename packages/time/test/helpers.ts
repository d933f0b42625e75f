/** Small tools shared by the time tests. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Builder, type Runtime } from "@tokio-ts/runtime";
import { TIME } from "../src/driver.js";

/** How many host timers (`setTimeout` handles) are alive in this process. */
export function activeHostTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
}

/** Options of {@link withRuntime}. */
export interface RuntimeOptions {
  /** Build with `enableTime()` (default true). */
  readonly time?: boolean;
  /** Build with `startPaused(true)` (default true: tests run in virtual time). */
  readonly paused?: boolean;
  /** How many timers the body may leave registered (default 0). */
  readonly timersLeft?: number;
}

/**
 * Build a runtime, run `body` with it and always shut it down. Then check that the body left
 * no timer registered (unless told otherwise) and that no host timer outlives the runtime.
 */
export async function withRuntime<R>(body: (rt: Runtime) => Promise<R> | R, options: RuntimeOptions = {}): Promise<R> {
  const time = options.time ?? true;
  const paused = time && (options.paused ?? true);
  const hostTimersBefore = activeHostTimers();
  let builder = Builder.newCurrentThread();
  if (time) builder = builder.enableTime();
  if (paused) builder = builder.startPaused(true);
  const rt = builder.build();
  let result: R;
  try {
    result = await body(rt);
    if (time && !rt.isShutdown()) {
      const left = rt.handle().driver(TIME).timerCount;
      const expected = options.timersLeft ?? 0;
      if (left !== expected) throw new Error(`the test left ${left} timer(s) registered, expected ${expected}`);
    }
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
  const hostTimersAfter = activeHostTimers();
  if (hostTimersAfter !== hostTimersBefore) {
    throw new Error(`host timers: ${hostTimersBefore} before the runtime, ${hostTimersAfter} after its shutdown`);
  }
  return result;
}

/** Run `body` as the root task of a fresh runtime (paused clock by default); see {@link withRuntime}. */
export function run<T>(body: () => Generator<unknown, T, any>, options?: RuntimeOptions): Promise<T> {
  return withRuntime((rt) => rt.blockOn(body), options);
}

/**
 * Run `body` while `performance.now()` reads `origin` ms. The clock takes its time source when
 * the driver is made (on a runtime's first use of time), so a paused runtime made and used
 * inside starts its clock, and its tick 0, at `origin`: bugs of float arithmetic depend on it.
 */
export async function withTimeOrigin<T>(origin: number, body: () => Promise<T>): Promise<T> {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, "performance")!;
  Object.defineProperty(globalThis, "performance", { value: { now: () => origin }, configurable: true, writable: true });
  try {
    return await body();
  } finally {
    Object.defineProperty(globalThis, "performance", descriptor);
  }
}

/** What a fixture's child process did. */
export interface FixtureOutcome {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run the compiled fixture `test/fixtures/<name>.ts` in a child node with `args`; killed after
 * `killAfterMs` (a safety net against a hang or a spin: the outcome then has a `signal`).
 */
export function runFixture(name: string, args: readonly string[] = [], killAfterMs = 30_000): Promise<FixtureOutcome> {
  const file = fileURLToPath(new URL(`./fixtures/${name}.js`, import.meta.url));
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [file, ...args], { timeout: killAfterMs }, (_error, stdout, stderr) => {
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
    });
  });
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

/** Call `fn` and return what it threw; fail if it returns. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw, but the call returned");
}

export { SeededRng as Rng } from "@tokio-ts/test-util";
