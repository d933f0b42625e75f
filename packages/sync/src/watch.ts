/**
 * watch: a single-producer, multi-consumer channel that keeps only the latest value (Tokio's
 * `sync::watch`) — configuration, state, "the current leader". Import it as a namespace:
 * `import { watch } from "@tokio-ts/sync"`, then `watch.channel(initial)`.
 *
 * A channel holds one value and a version; each receiver remembers the version it has seen.
 * The versioning rules and the futures are in `internal/watch-state.ts`.
 *
 * @example
 * ```ts
 * import { watch } from "@tokio-ts/sync";
 * const [tx, rx] = watch.channel({ version: 1 });
 * tx.send({ version: 2 });
 * await rx.changed();
 * console.log(rx.borrowAndUpdate().version); // 2
 * ```
 *
 * @module
 */
import type { Future } from "@tokio-ts/core";
import { RecvError, SendError } from "./errors.js";
import { Changed, Closed, Shared, View, WaitFor, type Cell } from "./internal/watch-state.js";
import { WAITERS, wakeQueued, type WaitNode } from "./internal/wait-list.js";
import { err, ok, type Result } from "./result.js";

export type { Cell } from "./internal/watch-state.js";

const OK: Result<void, never> = ok(undefined);

/**
 * Create a watch channel holding `initial`: `[Sender, Receiver]`. The receiver starts with
 * `initial` marked as seen.
 *
 * @example
 * ```ts
 * const [tx, rx] = watch.channel("hello");
 * tx.send("world");
 * await rx.changed();
 * rx.borrowAndUpdate(); // "world"
 * ```
 */
export function channel<T>(initial: T): [Sender<T>, Receiver<T>] {
  const shared = new Shared(initial);
  return [new Sender(shared), new Receiver(new View(shared, shared.version))];
}

/**
 * The sending half of a watch channel; `clone()` it for more senders. Disposing the last one
 * closes the channel: receivers keep the last value, and `changed()` fails once they have seen
 * it.
 *
 * @example
 * ```ts
 * const [tx, rx] = watch.channel({ retries: 3 });
 * tx.sendModify((cell) => { cell.value.retries = 5 });
 * rx.borrow().retries; // 5
 * ```
 */
export class Sender<T> implements Disposable {
  #shared: Shared<T> | undefined;

  /** @hidden Use {@link channel}. */
  constructor(shared: Shared<T>) {
    this.#shared = shared;
  }

  /**
   * Replace the value and notify the receivers — unless there is none: then nothing changes
   * and SendError gives `value` back (use {@link sendReplace} to update regardless).
   *
   * @example
   * ```ts
   * const [tx, rx] = watch.channel(0);
   * tx.send(1); // { ok: true }
   * rx[Symbol.dispose]();
   * tx.send(2); // { ok: false, error: SendError } with error.value === 2; borrow() is still 1
   * ```
   *
   * **Throws**: Error if this sender was disposed.
   */
  send(value: T): Result<void, SendError<T>> {
    const shared = this.#live();
    if (shared.receivers === 0) return err(new SendError(value));
    shared.cell.value = value;
    shared.changed();
    return OK;
  }

  /**
   * Replace the value, notify the receivers (if any) and return the old value. Works with no
   * receivers: a later `subscribe()` sees the new value.
   *
   * @example
   * ```ts
   * const [tx] = watch.channel(1);
   * tx.sendReplace(2); // 1
   * ```
   *
   * **Throws**: Error if this sender was disposed.
   */
  sendReplace(value: T): T {
    const shared = this.#live();
    const old = shared.cell.value;
    shared.cell.value = value;
    shared.changed();
    return old;
  }

  /**
   * Change the value in place with `modify` and notify the receivers (if any), whatever it
   * did. `modify` gets the channel's {@link Cell}: assign `cell.value`, or mutate the object it
   * holds. If `modify` throws, the error propagates and receivers are not notified (any edit it
   * made stays, unannounced, as in Tokio).
   *
   * @example
   * ```ts
   * const [tx, rx] = watch.channel(0);
   * tx.sendModify((cell) => { cell.value += 1 });
   * rx.borrow(); // 1
   * ```
   *
   * **Throws**: what `modify` throws; TypeError unless `modify` is a function; Error if this
   * sender was disposed.
   */
  sendModify(modify: (cell: Cell<T>) => void): void {
    if (typeof modify !== "function") throw new TypeError(`modify must be a function, got ${typeof modify}`);
    this.sendIfModified((cell) => {
      modify(cell);
      return true;
    });
  }

  /**
   * Change the value in place with `modify`, which returns whether it changed it; only then
   * are the receivers notified (and the version bumped). Returns what `modify` returned.
   * Returning false after a change leaves a change nobody is told about.
   *
   * @example
   * ```ts
   * const [tx, rx] = watch.channel(5);
   * tx.sendIfModified((cell) => { if (cell.value === 5) return false; cell.value = 5; return true }); // false
   * rx.hasChanged(); // { ok: true, value: false }
   * ```
   *
   * **Throws**: what `modify` throws (nobody is notified); TypeError unless `modify` is a
   * function; Error if this sender was disposed.
   */
  sendIfModified(modify: (cell: Cell<T>) => boolean): boolean {
    if (typeof modify !== "function") throw new TypeError(`modify must be a function, got ${typeof modify}`);
    const shared = this.#live();
    if (modify(shared.cell) !== true) return false;
    shared.changed();
    return true;
  }

  /**
   * The current value (not a copy: do not mutate it behind the channel's back, use
   * {@link sendModify}).
   *
   * **Throws**: Error if this sender was disposed.
   */
  borrow(): T {
    return this.#live().cell.value;
  }

  /**
   * A new receiver, with the current value marked as seen.
   *
   * @example
   * ```ts
   * const [tx] = watch.channel(1);
   * const rx = tx.subscribe();
   * rx.hasChanged(); // { ok: true, value: false }
   * ```
   *
   * **Throws**: Error if this sender was disposed.
   */
  subscribe(): Receiver<T> {
    const shared = this.#live();
    shared.receivers++;
    return new Receiver(new View(shared, shared.version));
  }

  /** How many receivers there are. **Throws**: Error if disposed. */
  receiverCount(): number {
    return this.#live().receivers;
  }

  /** Whether every receiver is gone (a `send` would fail). **Throws**: Error if disposed. */
  isClosed(): boolean {
    return this.#live().receivers === 0;
  }

  /**
   * Wait until every receiver is gone: a producer's cue to stop.
   *
   * @example
   * ```ts
   * const [tx, rx] = watch.channel(0);
   * setTimeout(() => rx[Symbol.dispose]());
   * await tx.closed(); // resolves once rx is disposed
   * ```
   *
   * **Cancel safety**: cancel safe: it takes nothing; a dropped wait is unlinked in O(1).
   *
   * **Throws** (rejects): Error if every sender is disposed before or while it waits (Error at
   * the call if this one was).
   */
  closed(): Future<void> {
    return new Closed(this.#live());
  }

  /**
   * Another sender on the same channel (Tokio's `Clone for watch::Sender`): the channel stays
   * open until every sender is disposed.
   *
   * @example
   * ```ts
   * const [tx, rx] = watch.channel("idle");
   * const tx2 = tx.clone();
   * tx[Symbol.dispose]();
   * tx2.send("busy"); // still open
   * ```
   *
   * **Throws**: Error if this sender was disposed.
   */
  clone(): Sender<T> {
    const shared = this.#live();
    shared.senders++;
    return new Sender(shared);
  }

  /**
   * How many senders are alive (this one and its clones).
   *
   * **Throws**: Error if this sender was disposed.
   */
  senderCount(): number {
    return this.#live().senders;
  }

  /**
   * Close this sender: the same as disposing it (`[Symbol.dispose]()`, or `using`), named as
   * `mpsc`'s `Sender.close()` for code that closes senders by hand.
   *
   * @example
   * ```ts
   * try { tx.send(update) } finally { tx.close() }
   * ```
   */
  close(): void {
    this[Symbol.dispose]();
  }

  /**
   * Drop the sender (`using tx = …` does it at the end of the scope). When it is the last, the
   * channel closes: receivers keep the last value; `changed()` returns once more for a change
   * they had not seen, then fails with RecvError "channel closed". Idempotent.
   */
  [Symbol.dispose](): void {
    const shared = this.#shared;
    if (shared === undefined) return;
    this.#shared = undefined;
    if (--shared.senders !== 0) return;
    shared.closed = true;
    shared.rxWaiters.wakeAll();
    shared.txWaiters.wakeAll(); // its own closed() futures: they fail at their next poll
  }

  /** @internal Test hook: how many `closed()` futures wait. */
  [WAITERS](): number {
    return this.#live().txWaiters.length;
  }

  #live(): Shared<T> {
    const shared = this.#shared;
    if (shared === undefined) throw new Error("the watch sender was disposed: it cannot be used any more");
    return shared;
  }
}

/**
 * A receiving half of a watch channel: reads the latest value, and waits for changes. Clone it
 * for more receivers.
 *
 * @example
 * ```ts
 * const [tx, rx] = watch.channel("starting");
 * spawn(function* () {
 *   const state = yield* rx.waitFor((s) => s === "ready");
 * });
 * tx.send("ready");
 * ```
 */
export class Receiver<T> implements Disposable, AsyncIterable<T> {
  readonly #view: View<T>;

  /** @hidden Use {@link channel}, {@link Sender.subscribe} or {@link Receiver.clone}. */
  constructor(view: View<T>) {
    this.#view = view;
  }

  /**
   * The current value, without marking it as seen.
   *
   * **Throws**: Error if this receiver was disposed.
   */
  borrow(): T {
    return this.#view.live().cell.value;
  }

  /**
   * The current value, marked as seen: `hasChanged()` is false and `changed()` waits until the
   * next change.
   *
   * @example
   * ```ts
   * tx.send(2);
   * rx.borrowAndUpdate(); // 2
   * rx.hasChanged(); // { ok: true, value: false }
   * ```
   *
   * **Throws**: Error if this receiver was disposed.
   */
  borrowAndUpdate(): T {
    const view = this.#view;
    const shared = view.live();
    view.seen = shared.version;
    return shared.cell.value;
  }

  /**
   * Whether a value newer than the one last seen was sent: ok(true/false), or RecvError
   * "channel closed" once the sender is gone (even if an unseen value is left — `changed()` and
   * `borrow()` still give it).
   *
   * @example
   * ```ts
   * const [tx, rx] = watch.channel("hello");
   * tx.send("goodbye");
   * rx.hasChanged(); // { ok: true, value: true }
   * tx[Symbol.dispose]();
   * rx.hasChanged(); // { ok: false, error: RecvError }
   * ```
   *
   * **Throws**: Error if this receiver was disposed.
   */
  hasChanged(): Result<boolean, RecvError> {
    const view = this.#view;
    const shared = view.live();
    if (shared.closed) return err(new RecvError("closed"));
    return ok(view.seen !== shared.version);
  }

  /**
   * Mark the current value as seen, without reading it.
   *
   * **Throws**: Error if this receiver was disposed.
   */
  markUnchanged(): void {
    const view = this.#view;
    view.seen = view.live().version;
  }

  /**
   * Mark the value as not seen: `hasChanged()` is true and `changed()` returns at once, even
   * though nothing was sent — to make a new receiver process the current value first.
   *
   * @example
   * ```ts
   * const rx2 = tx.subscribe();
   * rx2.markChanged();
   * await rx2.changed(); // at once
   * ```
   *
   * **Throws**: Error if this receiver was disposed.
   */
  markChanged(): void {
    const view = this.#view;
    view.seen = view.live().version - 1;
  }

  /**
   * Wait for a value newer than the one last seen, and mark it as seen (read it with
   * `borrow()`). Returns at once if there is an unseen value already. Rejects with RecvError
   * "channel closed" once the sender is gone and the last value was seen.
   *
   * @example
   * ```ts
   * const [tx, rx] = watch.channel(0);
   * setTimeout(() => tx.send(1));
   * await rx.changed();
   * rx.borrow(); // 1
   * ```
   *
   * **Cancel safety**: cancel safe: only the poll that returns marks the value as seen, so a
   * dropped `changed()` (a `select` loser) leaves the change for the next one; its waiter is
   * unlinked in O(1).
   *
   * **Throws** (rejects): RecvError `"closed"`; Error if the receiver was disposed.
   */
  changed(): Future<void> {
    this.#view.live();
    return new Changed(this.#view);
  }

  /**
   * Wait until `predicate` accepts the value, and return that value. The current value is
   * checked first (seen or not); then each new value, each marked as seen as it is checked.
   * Rejects with RecvError "channel closed" once the sender is gone and no unseen value is
   * left to check.
   *
   * @example
   * ```ts
   * const [tx, rx] = watch.channel(0);
   * setTimeout(() => { tx.send(1); tx.send(7) });
   * await rx.waitFor((n) => n > 5); // 7
   * ```
   *
   * **Cancel safety**: cancel safe in the sense of `changed()`: the values checked so far are
   * marked as seen (as Tokio's), nothing else is lost.
   *
   * **Throws** (rejects): what `predicate` throws (the value it saw stays marked as seen);
   * RecvError `"closed"`; TypeError (at the call) unless `predicate` is a function; Error if
   * the receiver was disposed.
   */
  waitFor(predicate: (value: T) => boolean): Future<T> {
    if (typeof predicate !== "function") throw new TypeError(`predicate must be a function, got ${typeof predicate}`);
    this.#view.live();
    return new WaitFor(this.#view, predicate);
  }

  /**
   * Whether `other` receives from the same channel as this receiver. Tokio's
   * `Receiver::same_channel`.
   *
   * @example
   * ```ts
   * const [tx, rx] = watch.channel(0);
   * rx.sameChannel(tx.subscribe()); // true
   * rx.sameChannel(watch.channel(0)[1]); // false
   * ```
   *
   * **Throws**: Error if this receiver or `other` was disposed.
   */
  sameChannel(other: Receiver<T>): boolean {
    return this.#view.live() === other.#view.live();
  }

  /**
   * Another receiver on the same channel, with the same value marked as seen.
   *
   * **Throws**: Error if this receiver was disposed.
   */
  clone(): Receiver<T> {
    const view = this.#view;
    const shared = view.live();
    shared.receivers++;
    return new Receiver(new View(shared, view.seen));
  }

  /**
   * `for await (const value of rx)`: the current value first (marked as seen), then each new
   * value as it is sent (tokio-stream's `WatchStream`); ends when the sender is gone and the last
   * value was seen. Values sent between two steps are coalesced: a step gives the latest. Leaving
   * the loop early does not dispose the receiver.
   *
   * @example
   * ```ts
   * for await (const config of configRx) apply(config); // now, and after every reload
   * ```
   *
   * **Cancel safety**: a loop whose task is aborted loses no change: each step is one
   * `changed()` awaited by the loop. But a `next()` is a promise, which cannot be dropped: one
   * that loses a `Promise.race` goes on waiting and marks the next value as seen. To race a
   * change against something else, give `rx.changed()` itself to `select` or `timeout`.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const rx = this;
    let first = true;
    return {
      next(): Promise<IteratorResult<T>> {
        if (first) {
          first = false;
          try {
            return Promise.resolve({ done: false, value: rx.borrowAndUpdate() });
          } catch (error) {
            return Promise.reject(error);
          }
        }
        return rx.changed().then(
          (): IteratorResult<T> => ({ done: false, value: rx.borrowAndUpdate() }),
          (error: unknown): IteratorResult<T> => {
            if (error instanceof RecvError && error.kind === "closed") return { done: true, value: undefined };
            throw error;
          },
        );
      },
    };
  }

  /**
   * Drop this receiver (`using rx = …` does it at the end of the scope). When it is the last,
   * the sender's `send` fails and its `closed()` resolves. A `changed()`/`waitFor()` of it
   * still pending is woken and fails with an Error. Idempotent.
   */
  [Symbol.dispose](): void {
    const view = this.#view;
    const shared = view.shared;
    if (shared === undefined) return;
    view.shared = undefined;
    if (--shared.receivers === 0) shared.txWaiters.wakeAll();
    // Picked first and woken after: a waker may drop (unlink) another one meanwhile.
    const waiters = shared.rxWaiters;
    const mine: WaitNode<unknown>[] = [];
    for (let node = waiters.head; node !== undefined; node = node.listNext as WaitNode<unknown> | undefined) {
      if ((node instanceof Changed || node instanceof WaitFor) && node.view === view) mine.push(node);
    }
    wakeQueued(waiters, mine);
  }

  /** @internal Test hook: how many `changed()`/`waitFor()` futures wait on the channel. */
  [WAITERS](): number {
    return this.#view.live().rxWaiters.length;
  }
}

// The errors of this channel, also here as Tokio has them (`watch::error::RecvError`); the same
// classes as the package's top-level exports.
export { SendError, RecvError } from "./errors.js";
