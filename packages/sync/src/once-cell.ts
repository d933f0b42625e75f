/**
 * OnceCell and SetOnce: values that are set once and then read by everyone (Tokio's
 * `sync::OnceCell` and `sync::SetOnce`).
 *
 * HOW (OnceCell). As in Tokio, the right to initialize is a semaphore of one permit. A caller of
 * `getOrInit` that finds the cell empty acquires the permit and runs its initializer; the
 * others queue on the semaphore (FIFO). When an initializer succeeds, the value is stored and
 * the semaphore is closed: every queued caller wakes with "closed" and reads the value. When it
 * fails or is dropped, the permit is released and the next queued caller runs its own
 * initializer. `set` succeeds only if it can take the permit at once. `take` empties an
 * initialized cell and gives it a fresh semaphore.
 *
 * Cell state: EMPTY (`has` false; the permit is free, or held by exactly one initializer) →
 * FULL (`has` true, the semaphore closed) → EMPTY again only through `take()`. Only the holder
 * of the permit (or `set`, holding it for an instant) moves EMPTY → FULL.
 *
 * Init future states: START → ACQUIRING (queued for the permit) → INITIALIZING (holds the
 * permit, polls the initializer) → DONE; ACQUIRING → START again when the semaphore closes (the
 * value is there, or was taken meanwhile); any → DROPPED on cancel (gives the permit back).
 */
import { Future, Pending, type Context, type Poll } from "@tokio-ts/core";
import { AcquireError, SetError } from "./errors.js";
import { ConditionWait, WaitList } from "./internal/wait-list.js";
import { bodyFuture, type Body } from "./internal/body.js";
import { BatchSemaphore, Waiter } from "./internal/waiter.js";
import { err, ok, type Result } from "./result.js";

/**
 * An initializer for {@link OnceCell.getOrInit}: an async function, a generator function, or a
 * function returning a value, a promise or a future. If it declares a parameter, it receives an
 * `AbortSignal` that is aborted when its initialization is dropped.
 *
 * @example
 * ```ts
 * const init: OnceCellInit<Config> = async (signal) => loadConfig({ signal });
 * const config = await cell.getOrInit(init);
 * ```
 */
export type OnceCellInit<T> = Body<T>;

/** The state a cell shares with its init futures. */
class CellState<T> {
  has = false;
  value: T | undefined = undefined;
  /** The right to initialize; closed once `has` is true. */
  sem = new BatchSemaphore(1);

  /** Store the value and release every queued initializer (they read it). Holds the permit. */
  fill(value: T): void {
    this.value = value;
    this.has = true;
    this.sem.close();
  }
}

/**
 * A cell that is initialized at most once, by whoever gets there first; everyone else waits
 * for that value. Useful for lazy global resources (a connection, a config read once).
 *
 * @example
 * ```ts
 * const config = new OnceCell<Config>();
 * async function getConfig() {
 *   return config.getOrInit(async () => JSON.parse(await readFile("config.json", "utf8")));
 * }
 * const [a, b] = await Promise.all([getConfig(), getConfig()]); // read once; a === b
 * ```
 */
export class OnceCell<T> {
  readonly #s = new CellState<T>();

  /** An empty cell, or — given a value — one initialized with it (Tokio's `new_with(Some(v))`). */
  constructor(...value: [] | [value: T]) {
    if (value.length === 1) this.#s.fill(value[0]);
  }

  /** Whether the cell holds a value. */
  initialized(): boolean {
    return this.#s.has;
  }

  /**
   * The value, or undefined if the cell is empty (or still initializing).
   *
   * @example
   * ```ts
   * const cell = new OnceCell<number>();
   * cell.get(); // undefined
   * cell.set(1);
   * cell.get(); // 1
   * ```
   */
  get(): T | undefined {
    return this.#s.value;
  }

  /**
   * Set the value if the cell is empty and no one is initializing it. On failure the error
   * carries the value back: `kind` is `"alreadyInitialized"` or `"initializing"`.
   *
   * @example
   * ```ts
   * const cell = new OnceCell<string>();
   * cell.set("a"); // { ok: true, value: undefined }
   * const r = cell.set("b"); // { ok: false, error: SetError { kind: "alreadyInitialized", value: "b" } }
   * ```
   */
  set(value: T): Result<void, SetError<T>> {
    const s = this.#s;
    if (s.has) return err(new SetError("alreadyInitialized", value));
    if (!s.sem.tryTake(1)) return err(new SetError("initializing", value));
    s.fill(value);
    return ok(undefined);
  }

  /**
   * The value, initializing it with `init` if the cell is empty. Only one initializer runs at a
   * time; the other callers wait in FIFO order and get its value. If the running initializer
   * throws or is dropped, the next waiting caller runs its own `init`.
   *
   * @example
   * ```ts
   * const cell = new OnceCell<number>();
   * await rt.blockOn(function* () {
   *   const a = yield* cell.getOrInit(function* () { yield* sleep(10); return 1 });
   *   const b = yield* cell.getOrInit(() => 2); // not called: the cell holds 1
   *   return a + b; // 2
   * });
   * ```
   *
   * **Cancel safety**: cancel safe while waiting for another initializer (the wait leaves the
   * queue). Dropped while its own `init` runs, it drops `init`'s future (a generator's `finally`
   * blocks run, an async function's `AbortSignal` fires) and passes the right to initialize to
   * the next waiting caller at once; the cell stays empty. A promise cannot be stopped, so a
   * dropped async `init` is still unwinding when the next one starts: its pending await of a
   * tokio-ts future rejects a microtask later, and a foreign promise it awaits runs on. Unlike
   * `Mutex.runExclusive`, which keeps its lock until such a promise settles, the cell does not
   * wait for it (an `init` that never settles would block the cell for good); make an `init`
   * with side effects that must not overlap a generator function, or pass it the signal.
   *
   * **Throws** (rejects): whatever `init` throws; the cell stays empty.
   */
  getOrInit(init: OnceCellInit<T>): Future<T> {
    return new GetOrInit<T, T>(this.#s, init as Body<T>, false);
  }

  /**
   * Like {@link getOrInit}, with an initializer that may fail: `init` returns (or resolves with)
   * a {@link Result}. An `ok` value initializes the cell; an `err` leaves it empty and goes to
   * this caller only, while the next waiting caller runs its own `init`.
   *
   * @example
   * ```ts
   * const cell = new OnceCell<number>();
   * const r1 = await cell.getOrTryInit(async () => ({ ok: false, error: "offline" }));
   * // r1: { ok: false, error: "offline" }; the cell is still empty
   * const r2 = await cell.getOrTryInit(async () => ({ ok: true, value: 7 })); // { ok: true, value: 7 }
   * ```
   *
   * **Cancel safety**: as {@link getOrInit}.
   *
   * **Throws**: TypeError at the call if `init` is not a function. Rejects with whatever `init`
   * throws, or with a TypeError if what it returns is not a Result (`ok(value)` or
   * `err(error)`); either way the cell stays empty.
   */
  getOrTryInit<E>(init: OnceCellInit<Result<T, E>>): Future<Result<T, E>> {
    return new GetOrInit<T, Result<T, E>>(this.#s, init, true);
  }

  /**
   * Empty the cell and return the value it held (undefined if it was empty). A cell that is
   * being initialized is left alone.
   *
   * @example
   * ```ts
   * const cell = new OnceCell(1);
   * cell.take(); // 1
   * cell.initialized(); // false
   * ```
   */
  take(): T | undefined {
    const s = this.#s;
    if (!s.has) return undefined;
    const value = s.value;
    s.value = undefined;
    s.has = false;
    s.sem = new BatchSemaphore(1);
    return value;
  }
}

/** The wait for the right to initialize. */
class InitPermit extends Waiter<true> {
  protected override output(): true {
    return true;
  }
}

const START = 0;
const ACQUIRING = 1;
const INITIALIZING = 2;
const DONE = 3;
const DROPPED = 4;

class GetOrInit<T, O> extends Future<O> {
  #state = START;
  #init: Body<unknown> | undefined;
  #acquire: InitPermit | undefined = undefined;
  /** The semaphore whose permit this future holds while INITIALIZING. */
  #sem: BatchSemaphore | undefined = undefined;
  #future: Future<unknown> | undefined = undefined;

  constructor(
    private readonly s: CellState<T>,
    init: Body<unknown>,
    private readonly isTry: boolean,
  ) {
    super();
    if (typeof init !== "function") throw new TypeError(`init must be a function, got ${init === null ? "null" : typeof init}`);
    this.#init = init;
  }

  #ready(value: T): O {
    this.#state = DONE;
    this.#init = undefined;
    return (this.isTry ? ok(value) : value) as O;
  }

  override poll(cx: Context): Poll<O> {
    const s = this.s;
    for (;;) {
      const state = this.#state;
      if (state === START) {
        if (s.has) return this.#ready(s.value as T);
        this.#acquire = new InitPermit(s.sem, 1);
        this.#sem = s.sem;
        this.#state = ACQUIRING;
      } else if (state === ACQUIRING) {
        let got: Poll<true>;
        try {
          got = this.#acquire!.poll(cx);
        } catch (error) {
          if (!(error instanceof AcquireError)) throw error;
          // Closed: someone initialized the cell (or it was since taken): start over.
          this.#acquire = undefined;
          this.#state = START;
          continue;
        }
        if (got === Pending) return Pending;
        this.#acquire = undefined;
        this.#state = INITIALIZING;
        try {
          this.#future = bodyFuture(this.#init!);
        } catch (error) {
          this.#fail();
          throw error;
        }
      } else if (state === INITIALIZING) {
        let out: unknown;
        try {
          out = this.#future!.poll(cx);
        } catch (error) {
          this.#fail();
          throw error;
        }
        if (out === Pending) return Pending;
        this.#future = undefined;
        if (this.isTry) {
          if (!isResult(out)) {
            this.#fail();
            throw new TypeError(`init must return a Result (ok(value) or err(error)), got ${describeNonResult(out)}`);
          }
          const result = out as Result<T, unknown>;
          if (!result.ok) {
            this.#fail();
            return result as O;
          }
          out = result.value;
        }
        this.#sem = undefined;
        s.fill(out as T);
        return this.#ready(out as T);
      } else {
        throw new Error("a getOrInit future was polled after it completed or was dropped");
      }
    }
  }

  /** The initializer failed: give the permit to the next waiting caller. */
  #fail(): void {
    this.#state = DONE;
    this.#init = this.#future = undefined;
    const sem = this.#sem;
    this.#sem = undefined;
    sem?.release(1);
  }

  override cancel(): void {
    const state = this.#state;
    this.#state = DROPPED;
    this.#init = undefined;
    if (state === ACQUIRING) {
      const acquire = this.#acquire!;
      this.#acquire = undefined;
      acquire.cancel();
    } else if (state === INITIALIZING) {
      const future = this.#future;
      const sem = this.#sem;
      this.#future = this.#sem = undefined;
      try {
        future?.cancel();
      } finally {
        sem?.release(1);
      }
    }
  }
}

/** Whether `out` has the shape of a {@link Result}: what `ok(value)` or `err(error)` make. */
function isResult(out: unknown): boolean {
  if (typeof out !== "object" || out === null) return false;
  const flag = (out as { ok?: unknown }).ok;
  return flag === true ? "value" in out : flag === false && "error" in out;
}

/** What `getOrTryInit`'s init returned instead of a Result, for the error message. */
function describeNonResult(out: unknown): string {
  if (typeof out !== "object" || out === null) return describeValue(out, true);
  const flag = (out as { ok?: unknown }).ok;
  if (flag === true) return "an object with ok: true but no value";
  if (flag === false) return "an object with ok: false but no error";
  return `an object whose ok is ${describeValue(flag, false)}, not true or false`;
}

/** `5` (`number 5` with its type), `"s"`, `null`; an object or function by its kind only. */
function describeValue(value: unknown, withType: boolean): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") return "an object";
  if (typeof value === "function") return "a function";
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
  return withType ? `${typeof value} ${shown}` : shown;
}

// -------------------------------------------------------------------------------------------
// SetOnce

let waitersOf: (once: SetOnce<unknown>) => number;

/** The state a SetOnce shares with its waits. */
class SetOnceState<T> {
  has = false;
  value: T | undefined = undefined;
  readonly waiters = new WaitList();
}

/**
 * A value set once, which tasks can wait for: `wait()` resolves when `set` is called (at once
 * if it was). Unlike {@link OnceCell}, nobody initializes it on demand.
 *
 * @example
 * ```ts
 * const ready = new SetOnce<string>();
 * const waiter = ready.wait();
 * ready.set("go");
 * await waiter; // "go"
 * ```
 */
export class SetOnce<T> {
  readonly #s = new SetOnceState<T>();

  static {
    waitersOf = (once) => once.#s.waiters.length;
  }

  /** An empty SetOnce, or — given a value — one already set. */
  constructor(...value: [] | [value: T]) {
    if (value.length === 1) {
      this.#s.has = true;
      this.#s.value = value[0];
    }
  }

  /** Whether the value was set. */
  initialized(): boolean {
    return this.#s.has;
  }

  /** The value, or undefined if it was not set. */
  get(): T | undefined {
    return this.#s.value;
  }

  /**
   * Set the value and wake every wait, unless it was set already: then the error carries
   * `value` back (`kind` `"alreadyInitialized"`).
   *
   * @example
   * ```ts
   * const once = new SetOnce<number>();
   * once.set(1).ok; // true
   * once.set(2).ok; // false
   * ```
   */
  set(value: T): Result<void, SetError<T>> {
    const s = this.#s;
    if (s.has) return err(new SetError("alreadyInitialized", value));
    s.has = true;
    s.value = value;
    s.waiters.wakeAll();
    return ok(undefined);
  }

  /**
   * Wait until the value is set, and resolve with it.
   *
   * @example
   * ```ts
   * const once = new SetOnce<number>();
   * await rt.blockOn(function* () {
   *   spawn(function* () { once.set(42) });
   *   return yield* once.wait(); // 42
   * });
   * ```
   *
   * **Cancel safety**: cancel safe: a dropped wait leaves the list of waits in O(1).
   */
  wait(): Future<T> {
    return new SetOnceWait(this.#s);
  }
}

/** `SetOnce.wait()`: ready once the value is set. */
class SetOnceWait<T> extends ConditionWait<T> {
  protected readonly waitList: WaitList;

  constructor(private readonly s: SetOnceState<T>) {
    super();
    this.waitList = s.waiters;
  }

  protected override isReady(): boolean {
    return this.s.has;
  }

  protected override output(): T {
    return this.s.value as T;
  }
}

/** @internal For leak tests: how many waits a SetOnce holds. Not exported from the package. */
export function setOnceWaiters(once: SetOnce<unknown>): number {
  return waitersOf(once);
}
