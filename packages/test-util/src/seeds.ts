/**
 * Seeded schedules: run one concurrency scenario under many shuffled run-queue orders — our
 * stand-in for Tokio's loom (STYLE.md, "Tests").
 *
 * Each seed gets a fresh runtime built with `.rngSeed(seed).shuffleSchedule()`, so ready tasks
 * run in an order drawn from that seed instead of FIFO, and the same seed gives the same order
 * again. A failing seed is reported in the error's message and `seed` field, so the run can be
 * replayed alone with `forEachSeed([seed], …)`.
 */
import { Builder, type JoinError, type Runtime } from "@tokio-ts/runtime";
import { badOptions, describe } from "./internal/describe.js";

/**
 * Options of {@link forEachSeed}.
 *
 * @example
 * ```ts
 * await forEachSeed(100, (rt) => rt.blockOn(scenario), { enableTime: true, startPaused: true });
 * ```
 */
export interface ForEachSeedOptions {
  /** Build each runtime with `enableTime()`. */
  readonly enableTime?: boolean | undefined;
  /** Build each runtime with `enableIo()`. */
  readonly enableIo?: boolean | undefined;
  /** Build each runtime with `startPaused(true)` (needs `enableTime`). */
  readonly startPaused?: boolean | undefined;
  /** Other drivers to enable by name (`enableDriver(name)`). */
  readonly drivers?: readonly string[] | undefined;
  /** Shuffle the run queue (default true; false keeps the seed but runs FIFO). */
  readonly shuffle?: boolean | undefined;
  /**
   * Fail the seed when a task panics and nobody joins it (default true): such a panic is an
   * error the scenario would otherwise never see.
   */
  readonly failOnUnhandledPanic?: boolean | undefined;
  /**
   * Any further builder setting, applied last; it must return the builder (`(b) => b.name("x")`).
   * An `onUnhandledPanic` set here replaces the one `failOnUnhandledPanic` installs, which then
   * has no effect: fail from your own hook if you want both.
   */
  readonly configure?: ((builder: Builder) => Builder) | undefined;
}

/** The keys of {@link ForEachSeedOptions} that take a boolean. */
const BOOLEAN_OPTIONS = ["enableTime", "enableIo", "startPaused", "shuffle", "failOnUnhandledPanic"] as const;
/** Every key of {@link ForEachSeedOptions}: a misspelt option is an error, not ignored. */
const KNOWN_OPTIONS: ReadonlySet<string> = new Set([...BOOLEAN_OPTIONS, "drivers", "configure"]);

/**
 * The largest seed count {@link forEachSeed} accepts: far more schedules than a test explores
 * (a few hundred is usual), and a bound that turns a typo (`1e12`) into an error rather than an
 * endless run. An explicit list may be longer.
 */
const MAX_SEED_COUNT = 1_000_000;

/**
 * The error {@link forEachSeed} rejects with: which seed failed, and why (`cause`).
 *
 * @example
 * ```ts
 * try { await forEachSeed(100, scenario) } catch (e) {
 *   if (e instanceof SeedFailure) await forEachSeed([e.seed], scenario); // replay it alone
 * }
 * ```
 */
export class SeedFailure extends Error {
  /** `"SeedFailure"`, whatever a minifier renames the class to; assignable (see `TokioError.name`). */
  override get name(): string {
    return "SeedFailure";
  }

  override set name(value: string) {
    super.name = value;
  }

  /** The seed whose schedule failed. */
  readonly seed: number;

  constructor(seed: number, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`scenario failed with seed ${seed} (replay it with forEachSeed([${seed}], …)): ${why}`, { cause });
    this.seed = seed;
  }
}

/**
 * Run `scenario` once per seed, each time on a fresh runtime whose ready tasks run in the order
 * that seed draws, and shut that runtime down afterwards, whatever happened. Resolves with the
 * scenario's results, in seed order.
 *
 * `seeds` is a count `n` (seeds `0 … n-1`, at most 1,000,000) or an explicit list. Seeds run
 * one after another; the first failure stops the run. Every argument is checked before the
 * first runtime is built.
 *
 * @example
 * ```ts
 * await forEachSeed(50, async (rt) => {
 *   const order = await rt.blockOn(function* () {
 *     const log: string[] = [];
 *     const a = spawn(function* () { log.push("a") });
 *     const b = spawn(function* () { log.push("b") });
 *     yield* a; yield* b;
 *     return log;
 *   });
 *   assert.equal(order.length, 2); // holds in every interleaving
 * });
 * ```
 *
 * **Throws** (rejects): {@link SeedFailure} with the failing seed, its `cause` the scenario's
 * error (or the first unhandled task panic). Before any seed runs: TypeError for a `scenario`
 * that is not a function, `seeds` that is neither a number nor an array, `options` that is not
 * an object, an unknown option, a boolean option that is not a boolean, `drivers` that is not an array of strings
 * or a `configure` that is not a function; RangeError for a count that is not an integer from
 * 0 to 1,000,000 or a listed seed that is not a safe integer. TypeError when `configure`
 * returns something other than a Builder.
 */
export async function forEachSeed<R>(
  seeds: number | readonly number[],
  scenario: (rt: Runtime, seed: number) => R | PromiseLike<R>,
  options: ForEachSeedOptions = {},
): Promise<Awaited<R>[]> {
  if (typeof scenario !== "function") throw new TypeError(`scenario must be a function, got ${typeof scenario}`);
  const list = seedList(seeds);
  checkOptions(options);
  const results: Awaited<R>[] = [];
  for (const seed of list) {
    const panics: JoinError[] = [];
    let builder = Builder.newCurrentThread()
      .name(`forEachSeed-${seed}`)
      .rngSeed(seed)
      .shuffleSchedule(options.shuffle ?? true);
    if (options.failOnUnhandledPanic ?? true) builder = builder.onUnhandledPanic((error) => panics.push(error));
    if (options.enableTime === true) builder = builder.enableTime();
    if (options.enableIo === true) builder = builder.enableIo();
    if (options.startPaused === true) builder = builder.startPaused(true);
    for (const name of options.drivers ?? []) builder = builder.enableDriver(name);
    if (options.configure !== undefined) {
      const configured: unknown = options.configure(builder);
      if (!(configured instanceof Builder)) {
        throw new TypeError(
          `forEachSeed: options.configure must return the Builder it was given (as in (b) => b.enableTime()), got ${describe(configured)}`,
        );
      }
      builder = configured;
    }
    const rt = builder.build();
    let result: Awaited<R>;
    try {
      result = await scenario(rt, seed);
    } catch (error) {
      await shutdown(rt);
      throw new SeedFailure(seed, error);
    }
    await shutdown(rt);
    if (panics.length !== 0) throw new SeedFailure(seed, panics[0]);
    results.push(result);
  }
  return results;
}

/**
 * Shut `rt` down, then let one host turn pass: the runtime reports unjoined panics from a host
 * callback queued before ours, so they have all reached the hook when this resolves.
 */
async function shutdown(rt: Runtime): Promise<void> {
  if (!rt.isShutdown()) await rt.shutdownTimeout(Infinity);
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Check every option up front, so that a bad one fails before the first seed runs. */
function checkOptions(options: unknown): asserts options is ForEachSeedOptions {
  const bad = badOptions(options);
  if (bad !== undefined) throw new TypeError(`forEachSeed: options must be an object, got ${bad}`);
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new TypeError(`forEachSeed: unknown option ${JSON.stringify(key)} (known: ${[...KNOWN_OPTIONS].join(", ")})`);
    }
  }
  for (const key of BOOLEAN_OPTIONS) {
    const value = given[key];
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(`forEachSeed: options.${key} must be a boolean, got ${describe(value)}`);
    }
  }
  const drivers = given["drivers"];
  if (drivers !== undefined) {
    if (!Array.isArray(drivers)) throw new TypeError(`forEachSeed: options.drivers must be an array of driver names, got ${describe(drivers)}`);
    for (let i = 0; i < drivers.length; i++) {
      const name: unknown = drivers[i];
      if (typeof name !== "string") throw new TypeError(`forEachSeed: options.drivers[${i}] must be a string, got ${describe(name)}`);
    }
  }
  const configure = given["configure"];
  if (configure !== undefined && typeof configure !== "function") {
    throw new TypeError(`forEachSeed: options.configure must be a function, got ${describe(configure)}`);
  }
}

function seedList(seeds: number | readonly number[]): readonly number[] {
  if (typeof seeds === "number") {
    if (!Number.isSafeInteger(seeds) || seeds < 0 || seeds > MAX_SEED_COUNT) {
      throw new RangeError(`seeds must be a non-negative integer count of at most ${MAX_SEED_COUNT}, got ${seeds}`);
    }
    return Array.from({ length: seeds }, (_, i) => i);
  }
  if (!Array.isArray(seeds)) throw new TypeError(`seeds must be a count or an array of seeds, got ${typeof seeds}`);
  for (const seed of seeds) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`each seed must be a safe integer, got ${String(seed)}`);
  }
  return seeds;
}
