/**
 * A minimal one-shot handoff for the tokio-ts side of the benches, standing in for
 * `tokio::sync::oneshot` until `@tokio-ts/sync` exists.
 *
 * It is a hand-written leaf future on the `@tokio-ts/core` protocol: `recv()` returns
 * {@link Pending} after storing the waker, `send()` stores the value and wakes it. One sender,
 * one receiver, one value; no close or error path (the benches never drop a side early).
 *
 * States: empty (no value, maybe a waker) → full (value set, waker taken). `send` moves
 * empty → full once; `recv().poll` only reads, or replaces the stored waker while empty.
 */
import { Future, Pending, type Context, type Poll, type Waker } from "@tokio-ts/core";

/** The shared cell of one oneshot: `send` fills it, `recv()` waits for it. */
export class Oneshot<T> {
  full = false;
  value: T | undefined = undefined;
  waker: Waker | undefined = undefined;

  /** Store the value and wake the receiver, if it is waiting. */
  send(value: T): void {
    this.value = value;
    this.full = true;
    const waker = this.waker;
    this.waker = undefined;
    waker?.wake();
  }

  /** A future of the value. */
  recv(): Future<T> {
    return new Recv(this);
  }
}

class Recv<T> extends Future<T> {
  constructor(private readonly cell: Oneshot<T>) {
    super();
  }

  override poll(cx: Context): Poll<T> {
    const cell = this.cell;
    if (cell.full) return cell.value as T;
    cell.waker = cx.waker;
    return Pending;
  }

  override cancel(): void {
    this.cell.waker = undefined;
  }
}

/** A promise with its resolver: the plain-Node oneshot (`Promise.withResolvers` is Node 22+). */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

/** Make a {@link Deferred}. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
