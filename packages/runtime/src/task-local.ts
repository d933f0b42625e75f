/**
 * Task-local storage (Tokio's `task_local!`): values bound for the extent of a future, visible
 * to everything that future runs — across `yield*` in generators and across `await` in async
 * functions — and invisible to other tasks.
 */
import {
  beginCancel,
  childFrame,
  currentFrame,
  enterFrame,
  Future,
  intoFuture,
  lookupLocal,
  NOT_SET,
  type Frame,
  restoreFrame,
  type Context,
  type IntoFuture,
  type Poll,
} from "@tokio-ts/core";

/**
 * A key for a task-local value. Bind it with `scope(value, body)`; read it with `get()` inside.
 *
 * @example
 * ```ts
 * const REQUEST_ID = taskLocal<string>("REQUEST_ID");
 * yield* REQUEST_ID.scope("req-1", function* () {
 *   yield* sleep(10);
 *   log(REQUEST_ID.get()); // "req-1"
 * });
 * ```
 */
export class LocalKey<T> {
  /** A name for error messages. */
  readonly name: string;

  /**
   * A key named `name` (default `"task-local"`); {@link taskLocal} is the usual way to make one.
   *
   * **Throws**: TypeError unless `name` is a string (or omitted).
   */
  constructor(name = "task-local") {
    if (typeof name !== "string") throw new TypeError(`taskLocal: name must be a string, got ${name === null ? "null" : typeof name}`);
    this.name = name;
  }

  /**
   * A future that runs `body` with this key bound to `value`.
   *
   * **Cancel safety**: as cancel safe as `body`.
   *
   * **Throws**: TypeError unless `body` is a future, a generator (function) or an async function.
   */
  scope<R>(value: T, body: IntoFuture<R>): Future<R> {
    return new ScopeFuture(this, value, intoFuture(body));
  }

  /**
   * Run the synchronous `fn` with this key bound to `value`.
   *
   * @example
   * ```ts
   * const seen = REQUEST_ID.syncScope("req-2", () => REQUEST_ID.get()); // "req-2"
   * ```
   *
   * **Throws**: TypeError unless `fn` is a function; what `fn` throws.
   */
  syncScope<R>(value: T, fn: () => R): R {
    if (typeof fn !== "function") throw new TypeError(`syncScope: fn must be a function, got ${fn === null ? "null" : typeof fn}`);
    const parent = currentFrame();
    const prev = enterFrame(childFrame(parent, undefined, this, value));
    try {
      return fn();
    } finally {
      restoreFrame(prev);
    }
  }

  /**
   * The bound value.
   *
   * **Throws**: Error "cannot access task-local REQUEST_ID: it is not set in this task: …" outside a
   * scope; the message names `scope()`, `syncScope()` and `tryGet()`.
   */
  get(): T {
    const value = lookupLocal(currentFrame(), this);
    if (value === NOT_SET) {
      throw new Error(
        `cannot access task-local ${this.name}: it is not set in this task: run the code inside ` +
          "the key's scope(value, body) or syncScope(value, fn), or use tryGet()",
      );
    }
    return value as T;
  }

  /** The bound value, or undefined outside a scope. */
  tryGet(): T | undefined {
    const value = lookupLocal(currentFrame(), this);
    return value === NOT_SET ? undefined : (value as T);
  }
}

/**
 * Declare a task-local key; `name` appears in its error messages.
 *
 * @example
 * ```ts
 * const USER = taskLocal<string>("USER");
 * ```
 *
 * **Throws**: TypeError unless `name` is a string (or omitted).
 */
export function taskLocal<T>(name?: string): LocalKey<T> {
  return new LocalKey<T>(name);
}

class ScopeFuture<T, R> extends Future<R> {
  #frame: Frame | undefined = undefined;

  constructor(
    private readonly key: LocalKey<T>,
    private readonly value: T,
    private readonly inner: Future<R>,
  ) {
    super();
  }

  override poll(cx: Context): Poll<R> {
    const parent = currentFrame();
    let frame = this.#frame;
    if (frame === undefined || frame.parent !== parent) {
      frame = this.#frame = childFrame(parent, undefined, this.key, this.value);
    }
    const prev = enterFrame(frame);
    try {
      return this.inner.poll(cx);
    } finally {
      restoreFrame(prev);
    }
  }

  /**
   * An abort of the task it is the body of (`spawn(KEY.scope(v, body))`): the body is cancelled
   * as a task's own body is (a generator's `finally` may still `yield*`, an async function
   * unwinds before the handle says cancelled), with the key bound (see core's `beginCancel`).
   */
  beginCancel(taskId?: number): boolean {
    const prev = enterFrame(this.#frame ?? childFrame(currentFrame(), undefined, this.key, this.value));
    try {
      return beginCancel(this.inner, taskId);
    } finally {
      restoreFrame(prev);
    }
  }

  /**
   * Drop `inner` with the key still bound (as Tokio), also when it was never polled: its
   * `cancel()` sees the value, and the task that drops it.
   */
  override cancel(): void {
    const prev = enterFrame(this.#frame ?? childFrame(currentFrame(), undefined, this.key, this.value));
    try {
      this.inner.cancel();
    } finally {
      restoreFrame(prev);
    }
  }
}
