/**
 * A hand-written leaf future for the select and join tests, driven by the test: it counts its
 * polls and cancels, stores the waker it is polled with, and completes, fails or wakes only when
 * told to. `log` (shared between probes) records the order in which they are polled.
 */
import { Future, Pending, type Context, type Poll, type Waker } from "@tokio-ts/core";

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export class Probe<T = string> extends Future<T> {
  polls = 0;
  cancels = 0;
  /** The waker stored by the last Pending poll; cleared by a cancel. */
  waker: Waker | undefined = undefined;
  #outcome: Outcome<T> | undefined = undefined;

  constructor(
    readonly name = "probe",
    readonly log?: string[],
  ) {
    super();
  }

  /** A probe that is ready with `value` at its first poll. */
  static ready<T>(value: T, name?: string, log?: string[]): Probe<T> {
    const probe = new Probe<T>(name, log);
    probe.#outcome = { ok: true, value };
    return probe;
  }

  /** Complete with `value` at the next poll, and wake the stored waker. */
  resolve(value: T): void {
    this.#outcome = { ok: true, value };
    this.wake();
  }

  /** Throw `error` at the next poll, and wake the stored waker. */
  fail(error: unknown): void {
    this.#outcome = { ok: false, error };
    this.wake();
  }

  /** Wake the stored waker (a spurious wake if nothing changed). */
  wake(): void {
    this.waker?.wake();
  }

  override poll(cx: Context): Poll<T> {
    if (this.cancels !== 0) throw new Error(`${this.name} was polled after it was dropped`);
    this.polls++;
    this.log?.push(this.name);
    const outcome = this.#outcome;
    if (outcome === undefined) {
      this.waker = cx.waker;
      return Pending;
    }
    this.waker = undefined;
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  }

  override cancel(): void {
    this.cancels++;
    this.waker = undefined;
  }
}

/** A future that wakes its task from inside every poll and stays pending (a leaf out of budget). */
export class SelfWaking extends Future<never> {
  polls = 0;

  override poll(cx: Context): Poll<never> {
    this.polls++;
    cx.waker.wake();
    return Pending;
  }
}
