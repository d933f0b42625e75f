/**
 * Controlling the clock: pause, resume, advance (Tokio's `time::pause`, `resume`, `advance`).
 */
import { currentFrame, enterFrame, Future, Pending, restoreFrame, type Context, type Frame, type Poll, type Waker } from "@tokio-ts/core";
import { checkDuration } from "./errors.js";
import { currentTimeDriver } from "./internal/current.js";
import type { TimeDriver } from "./internal/driver.js";

/**
 * Freeze the current runtime's clock. Time then moves only by {@link advance} and by
 * auto-advance: when every task is idle, the clock jumps to the next timer's deadline. A test
 * of a 24-hour retry loop runs in milliseconds, deterministically. `Builder.startPaused(true)`
 * starts the runtime this way. While a `spawnBlocking` job is queued or running, auto-advance
 * waits for it (as Tokio), so a `timeout` around the job does not expire in virtual time.
 * Nothing else holds it: a task waiting on real I/O (a socket, a `fetch`, a child process, any
 * plain promise) counts as idle. Before the clock jumps, the runtime gives Node's I/O one poll
 * (Tokio polls its I/O driver once without waiting), so bytes already on a loopback socket wake
 * their task first; but a `timeout` around a wait that takes real time expires at once in
 * virtual time (Tokio's paused clock does the same). Run tests that wait on slow I/O on the
 * running clock.
 *
 * The frozen clock starts on a whole millisecond — `pause()` moves it up to the next one (less
 * than 1 ms that never passed), `startPaused(true)` takes the one below `performance.now()` —
 * so that timers of whole milliseconds fire after `advance` of the same amount exactly. Tokio
 * keeps the reading as it was; an `Instant` taken just before a `startPaused` runtime was built
 * may so read as later than the clock inside it.
 *
 * @example
 * ```ts
 * pause();
 * const start = Instant.now();
 * yield* sleep(24 * 3600 * 1000); // returns at once in real time
 * start.elapsed(); // 86400000
 * ```
 *
 * **Throws**: TimeError "time is already frozen: …"; ContextError outside a runtime with time.
 */
export function pause(): void {
  const driver = currentTimeDriver("pause()");
  driver.clock.pause();
  driver.clockChanged();
}

/**
 * Unfreeze the clock; it continues from where it was (it never goes back).
 *
 * @example
 * ```ts
 * pause(); yield* advance(10); resume();
 * ```
 *
 * **Throws**: TimeError "time is not frozen: …"; ContextError outside a runtime with time.
 */
export function resume(): void {
  const driver = currentTimeDriver("resume()");
  driver.clock.resume();
  driver.clockChanged();
}

/**
 * Move the paused clock forward by `ms`; awaiting the returned future fires the timers now due
 * and lets the tasks they woke run before the caller resumes.
 *
 * The clock moves at the call: `Instant.now()` reads the new time at once. `ms` is counted in
 * whole nanoseconds (rounded, as Tokio's `Duration`), so the paused clock does not drift:
 * ten `advance(0.1)` move it exactly 1 ms and fire a `sleep(1)`, from any starting point. The due timers fire
 * as Tokio's do, on a turn of the driver rather than inside the calling task's poll: the first
 * poll of the returned future parks the caller, the timers then fire (in deadline order, ties in
 * registration order) and the caller is woken after them. So the tasks they woke run first, in
 * deadline order, each reading the new time — one jump, as in Tokio, not a walk through the
 * deadlines in between.
 *
 * @example
 * ```ts
 * pause();
 * const s = sleep(100);
 * yield* advance(100);
 * s.isElapsed(); // true
 * ```
 *
 * **Cancel safety**: the clock has moved when `advance` returns. A future that is dropped or
 * never awaited leaves the due timers to the driver's next turn (at the latest when the runtime
 * is idle).
 *
 * **Throws**: RangeError/TypeError for a bad `ms`, or one that would move the clock past
 * `Number.MAX_SAFE_INTEGER` ms (about 285,000 years); TimeError "time is not frozen: …";
 * ContextError outside a runtime with time. Awaiting it rethrows the first error a waker threw
 * while the due timers fired (after they have all fired).
 */
export function advance(ms: number): Future<void> {
  checkDuration("ms", ms);
  const driver = currentTimeDriver("advance()");
  driver.clock.advance(ms);
  return new Advance(driver, currentFrame());
}

/**
 * The future of {@link advance}. States: NEW (not polled) → TURNING (first poll: a microtask
 * is queued, the caller's waker stored) → DONE (the microtask fired the due timers, then woke
 * the caller; the next poll returns, or rethrows a waker's error) | DROPPED.
 *
 * Why a microtask: a wake that happens inside a task's poll goes to the scheduler's LIFO slot,
 * so timers fired there would run the last one woken first. Fired from a microtask, outside
 * any poll, the wakes queue in firing order, like those of Tokio's driver turn. The caller's
 * frame is entered meanwhile, so a waker that calls a time API at once (a foreign executor's)
 * finds its runtime, as it did when the timers fired inside the caller's poll.
 */
class Advance extends Future<void> {
  readonly #driver: TimeDriver;
  /** The caller's frame, current while the timers fire. */
  readonly #frame: Frame | undefined;
  #state: "new" | "turning" | "done" | "dropped" = "new";
  #waker: Waker | undefined = undefined;
  #error: { readonly thrown: unknown } | undefined = undefined;

  constructor(driver: TimeDriver, frame: Frame | undefined) {
    super();
    this.#driver = driver;
    this.#frame = frame;
  }

  override poll(cx: Context): Poll<void> {
    switch (this.#state) {
      case "done": {
        const error = this.#error;
        this.#error = undefined;
        if (error !== undefined) throw error.thrown;
        return undefined;
      }
      case "new":
        this.#state = "turning";
        RESOLVED.then(() => this.#turn());
        break;
    }
    this.#waker = cx.waker;
    return Pending;
  }

  #turn(): void {
    const driver = this.#driver;
    const previous = enterFrame(this.#frame ?? null);
    try {
      // Until the clock stops moving: a waker may call `advance()` again.
      do driver.clockChanged();
      while (!driver.closed && driver.clock.paused && driver.currentTick() > driver.processedTick);
    } catch (thrown) {
      // Dropped: nobody to hand it to; it escapes as from the host timer's callback.
      if (this.#state === "dropped") throw thrown;
      this.#error ??= { thrown };
    } finally {
      restoreFrame(previous);
    }
    if (this.#state === "dropped") return;
    this.#state = "done";
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }

  override cancel(): void {
    this.#state = "dropped";
    this.#waker = undefined;
  }
}

const RESOLVED = Promise.resolve();
