/**
 * What `main` and `test` share: building a runtime with every installed driver enabled, without
 * depending on the driver packages.
 *
 * WHY by name. `@tokio-ts/macros` depends on core and runtime only (DESIGN.md §1). Enabling a
 * driver on the builder (`enableTime()`, `enableIo()`) is a flag: the runtime creates the driver
 * the first time a resource of it is used, and that resource comes from the driver package the
 * user imported. So enabling every driver costs nothing when its package is absent. The one
 * setting that needs the package to exist is the paused clock, so only `startPaused` asks
 * whether `@tokio-ts/time` is installed (resolution only: nothing is loaded).
 */
import { DriverKey, type Driver } from "@tokio-ts/core";
import { Builder, type Handle, type Runtime, type UnhandledPanic } from "@tokio-ts/runtime";
import { badOptions } from "./options.js";

/** The package that provides the time driver. */
export const TIME_PACKAGE = "@tokio-ts/time";

const installed = new Map<string, boolean>();

/**
 * Whether `specifier` resolves from this package (cached). `import.meta.resolve` finds the
 * package without loading it; it throws when the package is missing.
 */
export function isInstalled(specifier: string): boolean {
  let found = installed.get(specifier);
  if (found === undefined) {
    try {
      import.meta.resolve(specifier);
      found = true;
    } catch {
      found = false;
    }
    installed.set(specifier, found);
  }
  return found;
}

/** The runtime settings `main` and `test` accept. */
export interface RuntimeSettings {
  readonly name: string;
  readonly startPaused: boolean;
  readonly rngSeed: number | undefined;
  readonly unhandledPanic: UnhandledPanic | undefined;
}

/**
 * A builder for a current-thread runtime with time and io enabled, every setting applied — so
 * that a bad setting fails here, when `main` is called or a test is registered, with the
 * builder's own error. `build()` it for each run.
 *
 * **Throws**: Error "… needs @tokio-ts/time …" for `startPaused` without the time package; the
 * builder's TypeError/RangeError for a bad name, seed or panic behaviour.
 */
export function runtimeBuilder(what: string, settings: RuntimeSettings): Builder {
  let builder = Builder.newCurrentThread().enableTime().enableIo();
  builder = asOption(what, "name", "name", () => builder.name(settings.name));
  if (settings.startPaused) {
    if (!isInstalled(TIME_PACKAGE)) {
      throw new Error(`${what}: startPaused needs the time driver, but ${TIME_PACKAGE} is not installed: install it (npm install ${TIME_PACKAGE}) or pass startPaused: false`);
    }
    builder = builder.startPaused(true);
  }
  const { rngSeed, unhandledPanic } = settings;
  if (rngSeed !== undefined) builder = asOption(what, "rngSeed", "seed", () => builder.rngSeed(rngSeed));
  if (unhandledPanic !== undefined) builder = asOption(what, "unhandledPanic", "unhandledPanic", () => builder.unhandledPanic(unhandledPanic));
  return builder;
}

/**
 * Apply one option to the builder; a TypeError/RangeError of the builder, which names its own
 * argument (`seed must be …`), is thrown again naming the option (`main(): options.rngSeed must
 * be …`).
 */
function asOption<R>(what: string, key: string, builderArg: string, apply: () => R): R {
  try {
    return apply();
  } catch (error) {
    if ((error instanceof TypeError || error instanceof RangeError) && error.message.startsWith(`${builderArg} `)) {
      const Named = error instanceof RangeError ? RangeError : TypeError;
      throw new Named(`${what}: options.${key}${error.message.slice(builderArg.length)}`);
    }
    throw error;
  }
}

/**
 * A current-thread runtime with time and io enabled: {@link runtimeBuilder}, built.
 *
 * **Throws**: as {@link runtimeBuilder}.
 */
export function buildRuntime(what: string, settings: RuntimeSettings): Runtime {
  return reportsOwnDeadlock(runtimeBuilder(what, settings).build());
}

/**
 * Tell `rt` that its owner (`main`, `test`) reports a deadlock of its `blockOn` in its own
 * words, so the runtime's generic report is not printed as well (the key is the runtime's
 * `Symbol.for`).
 */
export function reportsOwnDeadlock(rt: Runtime): Runtime {
  (rt as unknown as Record<symbol, boolean>)[Symbol.for("tokio-ts.runtime.owner-reports-deadlock")] = true;
  return rt;
}

/**
 * Check the runtime settings among `options` (`rngSeed`, `unhandledPanic`) with the builder's
 * own rules, on a throwaway builder: for defaults stored now and applied to runtimes later.
 *
 * **Throws**: the builder's TypeError/RangeError, naming the option (`what: options.rngSeed …`).
 */
export function checkRuntimeSettings(what: string, options: { readonly rngSeed?: unknown; readonly unhandledPanic?: unknown }): void {
  const builder = Builder.newCurrentThread();
  if (options.rngSeed !== undefined) asOption(what, "rngSeed", "seed", () => builder.rngSeed(options.rngSeed as number));
  if (options.unhandledPanic !== undefined) {
    asOption(what, "unhandledPanic", "unhandledPanic", () => builder.unhandledPanic(options.unhandledPanic as UnhandledPanic));
  }
}

/**
 * Check an options object of `main`, `test` or `configureTest` (`what` names the call): an
 * object (`undefined` is not checked: the caller defaults it), with no key outside `known` (a
 * misspelt option would be ignored) and a boolean or nothing for each key of `booleans`.
 *
 * **Throws**: TypeError naming `options`, the unknown key or the non-boolean option.
 */
export function checkOptions(what: string, options: unknown, known: readonly string[], booleans: readonly string[]): void {
  const bad = badOptions(options);
  if (bad !== undefined) throw new TypeError(`${what}: options must be an object, got ${bad}`);
  for (const key of Object.keys(options as object)) {
    if (!known.includes(key)) throw new TypeError(`${what}: unknown option ${JSON.stringify(key)} (known: ${known.join(", ")})`);
  }
  for (const key of booleans) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(`${what}: options.${key} must be a boolean, got ${value === null ? "null" : typeof value}`);
    }
  }
}

/** Thrown by {@link PROBE_TIME}'s factory: the driver does not exist yet. */
const NOT_CREATED: unique symbol = Symbol("driver not created");

/**
 * A key named like the time driver whose factory refuses to create it. `Handle.driver` returns
 * the existing driver for a name and calls the factory only when there is none, so asking with
 * this key reads the time driver if (and only if) the runtime created one — without importing
 * `@tokio-ts/time` and without creating a driver nobody used.
 */
const PROBE_TIME = new DriverKey<Driver>("time", "timers", "enableTime()", () => {
  throw NOT_CREATED;
});

/**
 * How many timers the runtime's time driver holds, or 0 when it never created one. Reads the
 * driver's `timerCount` (the time driver's public counter) by duck typing.
 */
export function registeredTimers(handle: Handle): number {
  let driver: Driver;
  try {
    driver = handle.driver(PROBE_TIME);
  } catch (error) {
    if (error === NOT_CREATED) return 0;
    throw error;
  }
  const count = (driver as { readonly timerCount?: unknown }).timerCount;
  return typeof count === "number" ? count : 0;
}

/** `flavor` of `main` or `test` (`what`): only the current-thread runtime exists. */
export function checkFlavor(what: string, flavor: unknown): void {
  if (flavor === undefined || flavor === "currentThread") return;
  if (flavor === "multiThread") {
    throw new Error(`${what}: the "multiThread" flavor is not available: tokio-ts has the current-thread runtime only; use flavor "currentThread" (the default)`);
  }
  throw new TypeError(`${what}: flavor must be "currentThread", got ${String(flavor)}`);
}

/** The flag tokio-ts/signal puts on its process listeners (see `@tokio-ts/io-driver`'s signal.ts). */
const SIGNAL_LISTENER = Symbol.for("tokio-ts.signal-listener");

/** Whether a `ctrlC()` wait or an open `signal()` of tokio-ts/signal listens to `signal` now. */
export function waitedForByProgram(signal: string): boolean {
  return process.listeners(signal as NodeJS.Signals).some((l) => (l as { [SIGNAL_LISTENER]?: unknown })[SIGNAL_LISTENER] === true);
}

/**
 * What to add to a deadlock report when a tokio-ts signal wait (`ctrlC()`, `signal(kind)`)
 * listens now: Node does not keep a process alive for signal listeners, so a body whose only
 * wait is for a signal looks like a deadlock. Empty when none listens.
 */
export function signalWaitHint(): string {
  const kinds = process.eventNames().filter(
    (name): name is string =>
      typeof name === "string" &&
      name.startsWith("SIG") &&
      waitedForByProgram(name),
  );
  if (kinds.length === 0) return "";
  return (
    ` It waits for ${kinds.join(" or ")} (ctrlC() or signal()), but Node does not keep a process alive for signal ` +
    "listeners (unlike Tokio's runtime): keep something running until the signal comes (a server, a timer)."
  );
}

/** What `main` and `test` (`who`) print when Node is about to exit with their body still waiting. */
export function deadlockMessage(who: string): string {
  return (
    `tokio-ts ${who}: the body is still waiting, but nothing is left that could wake it (no timer, socket, worker ` +
    "or other host handle is active), so the process is exiting with code 1. A deadlock? For example a lock guard " +
    "never released, a channel whose senders are never closed, or a oneshot sender never used."
  );
}
