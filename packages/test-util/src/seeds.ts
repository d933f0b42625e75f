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
  readonly enableTime?: boolean;
  /** Build each runtime with `enableIo()`. */
  readonly enableIo?: boolean;
  /** Build each runtime with `startPaused(true)` (needs `enableTime`). */
  readonly startPaused?: boolean;
  /** Other drivers to enable by name (`enableDriver(name)`). */
  readonly drivers?: readonly string[];
  /** Shuffle the run queue (default true; false keeps the seed but runs FIFO). */
  readonly shuffle?: boolean;
  /**
   * Fail the seed when a task panics and nobody joins it (default true): such a panic is an
   * error the scenario would otherwise never see.
   */
  readonly failOnUnhandledPanic?: boolean;
  /** Any further builder setting, applied last. */
  readonly configure?: (builder: Builder) => Builder;
}

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
  /** The seed whose schedule failed. */
  readonly seed: number;

  constructor(seed: number, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`scenario failed with seed ${seed} (replay it with forEachSeed([${seed}], …)): ${why}`, { cause });
    this.seed = seed;
  }

  override get name(): string {
    return "SeedFailure";
  }
}

/**
 * Run `scenario` once per seed, each time on a fresh runtime whose ready tasks run in the order
 * that seed draws, and shut that runtime down afterwards, whatever happened. Resolves with the
 * scenario's results, in seed order.
 *
 * `seeds` is a count `n` (seeds `0 … n-1`) or an explicit list. Seeds run one after another;
 * the first failure stops the run.
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
 * error (or the first unhandled task panic); RangeError/TypeError for bad seeds.
 */
export async function forEachSeed<R>(
  seeds: number | readonly number[],
  scenario: (rt: Runtime, seed: number) => R | PromiseLike<R>,
  options: ForEachSeedOptions = {},
): Promise<Awaited<R>[]> {
  if (typeof scenario !== "function") throw new TypeError(`scenario must be a function, got ${typeof scenario}`);
  const list = seedList(seeds);
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
    if (options.configure !== undefined) builder = options.configure(builder);
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

function seedList(seeds: number | readonly number[]): readonly number[] {
  if (typeof seeds === "number") {
    if (!Number.isSafeInteger(seeds) || seeds < 0) throw new RangeError(`seeds must be a non-negative integer count, got ${seeds}`);
    return Array.from({ length: seeds }, (_, i) => i);
  }
  if (!Array.isArray(seeds)) throw new TypeError(`seeds must be a count or an array of seeds, got ${typeof seeds}`);
  for (const seed of seeds) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`each seed must be a safe integer, got ${String(seed)}`);
  }
  return seeds;
}
