/**
 * How `await fut` reaches a poller.
 *
 * Inside an async-function body run by a runtime, the current frame names an await host (the
 * body's future), which polls `fut` as part of the task: the await then takes part in the
 * task's budget, wakes the task, and is rejected when the task is aborted. Anywhere else a
 * standalone driver polls `fut` on the microtask queue until it is ready; that is how the sync
 * primitives work without a runtime.
 */
import { Context, type Waker } from "../context.js";
import { currentFrame } from "../current.js";
import { Pending, type Future } from "../future.js";

export function driveFuture<T>(future: Future<T>, resolve: (value: T) => void, reject: (reason: unknown) => void): void {
  const host = currentFrame()?.host;
  if (host !== undefined) host.awaitFuture(future, resolve, reject);
  else new StandaloneDriver(future, resolve, reject).run();
}

/** Drive `future` on the microtask queue, whatever the current frame says. */
export function driveStandalone<T>(future: Future<T>, resolve: (value: T) => void, reject: (reason: unknown) => void): void {
  new StandaloneDriver(future, resolve, reject).run();
}

/** Polls one future outside any runtime; a wake re-polls it in a microtask. */
class StandaloneDriver<T> implements Waker {
  readonly #future: Future<T>;
  readonly #resolve: (value: T) => void;
  readonly #reject: (reason: unknown) => void;
  readonly #cx: Context;
  #scheduled = false;
  #done = false;

  constructor(future: Future<T>, resolve: (value: T) => void, reject: (reason: unknown) => void) {
    this.#future = future;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#cx = new Context(this);
  }

  wake(): void {
    if (this.#scheduled || this.#done) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.run();
    });
  }

  run(): void {
    if (this.#done) return;
    let out: T | Pending;
    try {
      out = this.#future.poll(this.#cx);
    } catch (error) {
      this.#done = true;
      this.#reject(error);
      return;
    }
    if (out === Pending) return;
    this.#done = true;
    this.#resolve(out);
  }
}
