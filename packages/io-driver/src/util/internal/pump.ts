/**
 * Drive one future to completion from host callbacks (the stream bridges), with no runtime.
 *
 * HOW. A Pump is its own Context and Waker (unconstrained budget). `start()` polls the future
 * at once; a `wake()` schedules one more poll on the microtask queue (at most one scheduled at
 * a time). When the poll returns a value or throws, `done` is called once and the pump stops.
 * `cancel()` drops a still-pending future (its `cancel()` runs) and the pump never calls
 * `done`. Whatever wakes the future (a duplex peer, the reactor turned by a runtime, a host
 * stream event) re-drives it, so a bridge works inside and outside a runtime alike.
 */
import { Context, Pending, type Future, type Poll } from "@tokio-ts/core";

/** Re-polls are queued with `RESOLVED.then(fn)`, cheaper than Node's `queueMicrotask(fn)` (no AsyncResource). */
const RESOLVED = Promise.resolve();

export type PumpDone<T> = (error: unknown, value: T | undefined, failed: boolean) => void;

export class Pump<T> extends Context {
  #future: Future<T> | undefined;
  readonly #done: PumpDone<T>;
  #scheduled = false;
  readonly #repoll = (): void => {
    this.#scheduled = false;
    this.run();
  };

  constructor(future: Future<T>, done: PumpDone<T>) {
    super(undefined as never);
    this.waker = this;
    this.#future = future;
    this.#done = done;
  }

  wake(): void {
    if (this.#scheduled || this.#future === undefined) return;
    this.#scheduled = true;
    RESOLVED.then(this.#repoll);
  }

  /** Poll now (the first poll, or a re-poll). */
  run(): void {
    const future = this.#future;
    if (future === undefined) return;
    this.budget = Infinity;
    let out: Poll<T>;
    try {
      out = future.poll(this);
    } catch (error) {
      this.#future = undefined;
      this.#done(error, undefined, true);
      return;
    }
    if (out === Pending) return;
    this.#future = undefined;
    this.#done(undefined, out, false);
  }

  /** Drop the future if it is still pending; `done` will not be called. Idempotent. */
  cancel(): void {
    const future = this.#future;
    this.#future = undefined;
    future?.cancel();
  }
}

/**
 * Drive `future` to a promise (for the Web Streams bridges' `pull`/`write`/`close`). When
 * `signal` aborts first, the future is dropped and the promise rejects with the signal's reason.
 */
export function pumpToPromise<T>(future: Future<T>, onPump?: (pump: Pump<T>) => void, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      future.cancel();
      return reject(signal.reason);
    }
    const onAbort = (): void => {
      pump.cancel();
      reject(signal!.reason);
    };
    const pump = new Pump<T>(future, (error, value, failed) => {
      signal?.removeEventListener("abort", onAbort);
      if (failed) reject(error);
      else resolve(value as T);
    });
    signal?.addEventListener("abort", onAbort, { once: true });
    onPump?.(pump);
    pump.run();
  });
}
