/**
 * `select`: wait on several futures, take the first that completes, drop the rest (Tokio's
 * `select!`).
 *
 * HOW: the select future owns one future per enabled branch. Each poll polls them in turn with
 * the caller's own Context — any branch that wakes must re-poll the select, and the caller's
 * waker does exactly that, so polling allocates nothing — starting at a random branch (one draw
 * from the runtime's seeded RNG, as Tokio's `thread_rng_n`) or at the first in declaration order
 * when biased. The first branch that returns a value or throws settles the select, and every
 * other branch is dropped at once with `cancel()`: waiters leave their queues, timers leave the
 * wheel, generators run their `finally` blocks.
 *
 * WHY: `Promise.race([rx.recv(), sleep(1000)])` leaves the losing receive registered, and it
 * steals the next message; here nothing outlives the select (DESIGN.md §2).
 *
 * States: POLLING (branches owned) → DONE (a branch won or threw, every branch disabled, or
 * dropped). Only POLLING may be polled; entering DONE drops every loser and releases the
 * branches. The random source (the `randomBelow` of the current task's host — a runtime or a
 * custom executor — or `Math.random`) is looked up at the first poll and kept: a future is polled by one task. A branch's poll may wake a foreign executor
 * that drops the select right there: the poll then stops, polling no branch after its drop.
 */
import { currentFrame, Future, isFuture, isGenerator, Pending, type Context, type DriverHost, type Poll } from "@tokio-ts/core";
import { allBranchesDisabled, polledAfterDone } from "./errors.js";
import { branchFuture, dropAll, type Branch, type OutputOf } from "./internal/branch.js";
import { badOptions } from "./internal/options.js";

/** A branch turned off: Tokio's `, if condition` precondition (`cond && rx.recv()`). */
type Disabled = false | null | undefined;

/**
 * The branches of a {@link select}: each key names a future (or a generator function or async
 * function, run as one), or `false`/`null`/`undefined` for a disabled branch. `else` is not a
 * valid key: it names the `else` option's result. Keys are taken in `Object.keys` order (which
 * is declaration order, except that integer-like keys come first), the order `biased` polls in.
 *
 * @example
 * ```ts
 * const branches = {
 *   msg: rx.recv(),                  // a future
 *   job: haveWorkers && jobs.recv(), // disabled while there is no worker
 *   tick: () => sleep(100),          // a function, run as a future
 * } satisfies SelectBranches;
 * ```
 *
 * **Cancel safety**: the branches belong to the select that receives them; see {@link select}.
 */
export type SelectBranches = { readonly [key: string]: Branch | Disabled; readonly else?: never };

/**
 * Options of {@link select}.
 *
 * - `biased`: poll the branches in declaration order instead of a random order (Tokio's
 *   `biased;`). Cheaper, and lets you give priority (a shutdown signal first) — but a branch
 *   that is always ready starves those after it.
 * - `else`: what to return when every branch is disabled — a function, called then (not
 *   before), like Tokio's `else =>` arm; its return value, as is (not awaited), is the result's
 *   `value` under the key `"else"`. A function rather than a value so that it costs nothing
 *   when a branch is enabled. Without it, `select` fails in that case.
 *
 * @example
 * ```ts
 * const r = yield* select({ shutdown: token.cancelled(), msg: open && rx.recv() }, { biased: true, else: () => "closed" });
 * // r: { key: "shutdown"; value: void } | { key: "msg"; value: T | undefined } | { key: "else"; value: string }
 * ```
 *
 * **Cancel safety**: options change nothing about it; see {@link select}.
 */
export interface SelectOptions<E = never> {
  readonly biased?: boolean | undefined;
  readonly else?: (() => E) | undefined;
}

/** The result key of branch key `K`: `Object.keys` gives numeric keys as strings. */
type KeyName<K> = K extends string ? K : K extends number ? `${K}` : never;

/**
 * The output of `select(branches, { else })`: one `{ key, value }` per branch that can be
 * enabled, `value` that branch's output — a discriminated union on `key` — plus
 * `{ key: "else", value: E }` when there is an `else` option. A branch typed only as disabled
 * (`false`, `null`, `undefined`) can never win and is left out.
 *
 * @example
 * ```ts
 * type R = SelectResult<{ msg: Future<string | undefined>; tick: Sleep; off: false }, "idle">;
 * // { key: "msg"; value: string | undefined } | { key: "tick"; value: void } | { key: "else"; value: "idle" }
 * ```
 *
 * **Cancel safety**: a type; see {@link select}.
 */
export type SelectResult<B extends SelectBranches, E = never> =
  | {
      [K in keyof B]-?: [Exclude<B[K], Disabled>] extends [never]
        ? never
        : { key: KeyName<K>; value: OutputOf<Exclude<B[K], Disabled>> };
    }[keyof B]
  | ([E] extends [never] ? never : { key: "else"; value: E });

const POLLING = 0;
const DONE = 1;
const NO_FUTURES: readonly Future<unknown>[] = Object.freeze([]);
const NO_KEYS: readonly string[] = Object.freeze([]);
/** `#host` before the first poll. */
const UNRESOLVED = 0;

/** The future of {@link select} (see the module header). */
class Select<R> extends Future<R> {
  #keys: readonly string[];
  #futures: readonly Future<unknown>[];
  readonly #biased: boolean;
  readonly #else: (() => unknown) | undefined;
  #host: DriverHost | undefined | typeof UNRESOLVED = UNRESOLVED;
  #state = POLLING;

  /** `options` has been checked by {@link select}. */
  constructor(keys: string[], futures: Future<unknown>[], options: SelectOptions<unknown> | undefined) {
    super();
    this.#keys = keys;
    this.#futures = futures;
    this.#biased = options?.biased === true;
    this.#else = options?.else;
  }

  override poll(cx: Context): Poll<R> {
    if (this.#state !== POLLING) throw polledAfterDone("select");
    const futures = this.#futures;
    const n = futures.length;
    if (n === 0) return this.#allDisabled();
    const keys = this.#keys;
    let i = this.#biased || n === 1 ? 0 : this.#randomBelow(n);
    for (let left = n; left > 0; left--) {
      let out: unknown;
      try {
        out = futures[i]!.poll(cx);
      } catch (error) {
        this.#finish(i);
        throw error;
      }
      if (out !== Pending) {
        const thrown = this.#finish(i);
        if (thrown !== undefined) throw thrown.error;
        return { key: keys[i]!, value: out } as R;
      }
      // Dropped from inside that poll (a foreign executor's waker can): the branches are dropped
      // too, and a dropped future is never polled again.
      if (this.#state !== POLLING) return Pending;
      if (++i === n) i = 0;
    }
    return Pending;
  }

  override cancel(): void {
    if (this.#state !== POLLING) return;
    const thrown = this.#finish(-1);
    if (thrown !== undefined) throw thrown.error;
  }

  /** Enter DONE: drop every branch but `winner` and release them all. */
  #finish(winner: number) {
    this.#state = DONE;
    const futures = this.#futures;
    this.#futures = NO_FUTURES;
    this.#keys = NO_KEYS;
    return dropAll(futures, winner);
  }

  #allDisabled(): R {
    this.#state = DONE;
    const otherwise = this.#else;
    if (otherwise === undefined) throw allBranchesDisabled();
    return { key: "else", value: otherwise() } as R;
  }

  #randomBelow(n: number): number {
    let host = this.#host;
    if (host === UNRESOLVED) host = this.#host = currentFrame()?.task?.runtime;
    return host?.randomBelow !== undefined ? host.randomBelow(n) : Math.floor(Math.random() * n);
  }
}

/**
 * Wait on several futures at once: the first branch to complete wins, and **every other branch
 * is dropped at once** — its waiter deregistered, its timer removed, its generator's `finally`
 * blocks run. Tokio's `select!`, with the result as a discriminated union on `key`, inferred
 * from the branches.
 *
 * `branches` maps a name to a future (or a generator function or async function, run as a
 * future), or to `false`/`null`/`undefined` for a disabled branch — Tokio's `if` precondition,
 * written `cond && fut`. A disabled branch is never polled. Each poll polls the enabled
 * branches in a random order, drawn from the current runtime's seeded RNG
 * (`Builder.rngSeed`), so no branch is favoured and a seeded run replays exactly; a custom
 * executor takes part through `DriverHost.randomBelow`; otherwise the order comes from
 * `Math.random`. `{ biased: true }` polls in declaration order.
 * If every branch is disabled, the result is `{ key: "else", value: options.else() }`.
 *
 * The branches are polled with the caller's context: select adds no allocation per poll and
 * spends no budget itself; its branches' leaf futures spend the task's budget, and once it is
 * spent they yield, and the select with them.
 *
 * @example
 * ```ts
 * const rt = Builder.newCurrentThread().enableTime().startPaused(true).build();
 * const [tx, rx] = mpsc.channel<string>(8);
 * const token = new CancellationToken();
 * const seen = await rt.blockOn(function* () {
 *   const seen: string[] = [];
 *   yield* tx.send("hello");
 *   for (;;) {
 *     const r = yield* select({ msg: rx.recv(), tick: sleep(100), quit: token.cancelled() });
 *     if (r.key === "msg") seen.push(r.value!); // r.value: string | undefined
 *     else if (r.key === "tick") token.cancel(); // r.value: void
 *     else return seen; // "quit"
 *   }
 * });
 * // seen: ["hello"]; the receive that lost to the tick took no message
 * await rt.shutdownTimeout(Infinity);
 * ```
 *
 * @example
 * ```ts
 * // Disabled branches and else:
 * const r = await select({ job: hasJobs && rx.recv(), done: shuttingDown && doneFuture }, { else: () => "idle" });
 * if (r.key === "else") console.log(r.value); // "idle": no jobs, and not shutting down
 * ```
 *
 * **Cancel safety**: select is cancel safe when every branch is: a branch that loses, or that is
 * still pending when the select itself is dropped, is dropped, and what happens to its work is
 * that branch's cancel safety (`rx.recv()`, `sleep`, `token.cancelled()` lose nothing; a
 * dropped `tx.send(v)` did not send `v`). A future passed to select is owned by it: a loser
 * cannot be raced again in the next loop iteration — make a new one.
 * A generator-function branch completes in the poll where its last `yield*` does, as a Tokio
 * `async` block would. An async-function branch does not: its result reaches select a few
 * microtasks after its last await completed, so if another branch completes in that same poll,
 * the async branch loses, and what its last await took (a message, a line) is lost with it.
 * And an async branch starts running when select first polls it: one poll starts every async
 * branch, so a loser has run up to its first pending await (Tokio polls only until a winner).
 * Give select the consuming future itself (`rx.recv()`, not `async () => rx.recv()` or an
 * iterator's `next()`), or a generator function.
 *
 * **Throws** (the select future fails): whatever the winning branch throws — the other branches
 * are dropped first; Error "all branches are disabled and there is no else branch" when every
 * branch is disabled and there is no `else`. At the call: TypeError if `branches` is not an
 * object, a branch is neither a future, a function nor disabled, a branch is named `else`, or
 * an option has the wrong type.
 *
 * **Runtime compatibility**: works in generator tasks (`yield* select(…)`), async functions
 * (`await select(…)`) and with no runtime at all for futures that need none (the sync
 * primitives, `ready`, `fromPromise`).
 */
export function select<B extends SelectBranches, E = never>(branches: B, options?: SelectOptions<E>): Future<SelectResult<B, E>> {
  if (typeof branches !== "object" || branches === null) {
    throw new TypeError(`select: branches must be an object of futures, got ${branches === null ? "null" : typeof branches}`);
  }
  if (isFuture(branches) || isGenerator(branches)) {
    // `select(a, b)`, as with Promise.race: the branches are named, in one object.
    throw new TypeError("select: branches must be an object of named futures, as in select({ a: futA, b: futB }), got a future");
  }
  if (options !== undefined) checkOptions(options);
  // Sized once (a select in a loop makes these every round; grown by push they cost ~370 B):
  // the own keys, compacted in place past disabled branches, and the futures beside them.
  const keys = Object.keys(branches);
  const futures: Future<unknown>[] = new Array(keys.length);
  let n = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === "else") {
      throw new TypeError("select: a branch cannot be named `else`: that key is the result of the `else` option");
    }
    const branch = branches[key];
    if (branch === false || branch === null || branch === undefined) continue;
    futures[n] = branchFuture(branch, `select: branch \`${key}\``);
    keys[n++] = key;
  }
  if (n !== keys.length) keys.length = futures.length = n;
  return new Select<SelectResult<B, E>>(keys, futures, options);
}

function checkOptions(options: SelectOptions<unknown>): void {
  const bad = badOptions(options);
  if (bad !== undefined) throw new TypeError(`select: options must be an object, got ${bad}`);
  if (options.biased !== undefined && typeof options.biased !== "boolean") {
    throw new TypeError(`select: options.biased must be a boolean, got ${typeof options.biased}`);
  }
  if (options.else !== undefined && typeof options.else !== "function") {
    throw new TypeError(`select: options.else must be a function returning the else value, got ${typeof options.else}`);
  }
}
