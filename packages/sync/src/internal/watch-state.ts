/**
 * The state behind `watch` and the futures that wait on it (Tokio's versioning,
 * `tokio/src/sync/watch.rs`).
 *
 * HOW. The channel holds one value and a `version` counter; every change (send, sendReplace,
 * sendModify, a sendIfModified whose function returned true) replaces or edits the value, bumps
 * `version` and wakes every waiting receiver. Each receiver remembers the version it has `seen`: it "has changed" while
 * `seen !== version`. `borrowAndUpdate()`, `changed()`, `waitFor()` and `markUnchanged()` set
 * `seen = version`; `markChanged()` sets `seen = version - 1`, a version that compares unequal
 * forever since versions only grow. A receiver starts having seen the version current when it
 * was created (so the initial value is not a change); a clone copies its `seen`.
 *
 * Fields and who changes them: `cell.value` and `version` — the sender only; `closed` — set
 * once when the sender is disposed (it then wakes `rxWaiters`); `receivers` — handles, and
 * when it reaches 0 the sender's `closed()` waiters (`txWaiters`) are woken. A receiver's
 * `seen` changes only in the receiver's own methods and in the poll that completes one of its
 * futures, so a dropped `changed()` marks nothing.
 */
import { madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import { RecvError } from "../errors.js";
import { WaitList, WaitNode } from "./wait-list.js";

/**
 * The value of a watch channel, as handed to `sendModify` / `sendIfModified`: read and
 * assign `value` (which also works for primitives), or mutate the object it holds. Do not keep
 * it past the call.
 *
 * @example
 * ```ts
 * const [tx] = watch.channel(0);
 * tx.sendModify((cell) => { cell.value += 1 }); // a primitive: assign cell.value
 * ```
 */
export interface Cell<T> {
  /** The channel's value. */
  value: T;
}

/** The state shared by the sender and the receivers (see the module header). */
export class Shared<T> {
  readonly cell: Cell<T>;
  version = 0;
  /** Every sender is gone. Never reset. */
  closed = false;
  senders = 1;
  receivers = 1;
  readonly rxWaiters = new WaitList();
  readonly txWaiters = new WaitList();

  constructor(value: T) {
    this.cell = { value };
  }

  changed(): void {
    this.version++;
    if (this.rxWaiters.head !== undefined) this.rxWaiters.wakeAll();
  }
}

/** A receiver's view: the channel (unset once disposed) and the version it has seen. */
export class View<T> {
  constructor(
    public shared: Shared<T> | undefined,
    public seen: number,
  ) {}

  live(): Shared<T> {
    const shared = this.shared;
    if (shared === undefined) throw new Error("the watch receiver was disposed: clone or subscribe a live one");
    return shared;
  }
}

/**
 * `changed()`: ready when the receiver's `seen` differs from the version (which it then
 * records); fails when the channel is closed and there is nothing unseen; otherwise queued.
 */
export class Changed extends WaitNode<void> {
  readonly view: View<unknown>;
  #done = false;

  constructor(view: View<unknown>) {
    super();
    this.view = view;
  }

  override poll(cx: Context): Poll<void> {
    if (this.#done) throw new Error("a watch changed() future was polled after it completed or was dropped");
    const view = this.view;
    const shared = view.live();
    if (!pollProceed(cx)) return Pending;
    if (view.seen !== shared.version) {
      view.seen = shared.version;
      return this.#finish(shared, cx);
    }
    if (shared.closed) {
      this.#finish(shared, cx);
      throw new RecvError("closed");
    }
    shared.rxWaiters.register(this, cx.waker);
    return Pending;
  }

  override cancel(): void {
    this.#done = true;
    const list = this.list;
    if (list !== undefined) (list as WaitList).unregister(this);
  }

  #finish(shared: Shared<unknown>, cx: Context): void {
    this.#done = true;
    shared.rxWaiters.unregister(this);
    madeProgress(cx);
  }
}

/**
 * `waitFor(predicate)`, Tokio's loop as a state machine: the first poll checks the current
 * value; later polls check each unseen version; the closed channel fails once nothing unseen
 * is left.
 */
export class WaitFor<T> extends WaitNode<T> {
  readonly view: View<T>;
  readonly #predicate: (value: T) => boolean;
  #started = false;
  #done = false;

  constructor(view: View<T>, predicate: (value: T) => boolean) {
    super();
    this.view = view;
    this.#predicate = predicate;
  }

  override poll(cx: Context): Poll<T> {
    if (this.#done) throw new Error("a watch waitFor() future was polled after it completed or was dropped");
    const view = this.view;
    const shared = view.live();
    if (!pollProceed(cx)) return Pending;
    if (!this.#started) {
      this.#started = true;
      view.seen = shared.version;
      if (this.#check(shared, cx)) return shared.cell.value;
    }
    // A predicate may itself send: keep checking while there is something unseen.
    while (view.seen !== shared.version) {
      view.seen = shared.version;
      if (this.#check(shared, cx)) return shared.cell.value;
    }
    if (shared.closed) {
      this.#finish(shared, cx);
      throw new RecvError("closed");
    }
    shared.rxWaiters.register(this, cx.waker);
    return Pending;
  }

  override cancel(): void {
    this.#done = true;
    const list = this.list;
    if (list !== undefined) (list as WaitList).unregister(this);
  }

  /** Run the predicate on the current value; finish when it accepts or throws. */
  #check(shared: Shared<T>, cx: Context): boolean {
    let accepted: boolean;
    try {
      accepted = this.#predicate(shared.cell.value);
    } catch (error) {
      this.#finish(shared, cx);
      throw error;
    }
    if (accepted) this.#finish(shared, cx);
    return accepted;
  }

  #finish(shared: Shared<T>, cx: Context): void {
    this.#done = true;
    shared.rxWaiters.unregister(this);
    madeProgress(cx);
  }
}

/** `Sender.closed()`: ready when no receiver is left; fails if the sender is disposed meanwhile. */
export class Closed extends WaitNode<void> {
  readonly #shared: Shared<unknown>;
  #done = false;

  constructor(shared: Shared<unknown>) {
    super();
    this.#shared = shared;
  }

  override poll(cx: Context): Poll<void> {
    if (this.#done) throw new Error("a watch closed() future was polled after it completed or was dropped");
    const shared = this.#shared;
    if (shared.closed) {
      this.cancel();
      throw new Error("every watch sender was disposed while a closed() was pending");
    }
    if (!pollProceed(cx)) return Pending;
    if (shared.receivers === 0) {
      this.#done = true;
      shared.txWaiters.unregister(this);
      madeProgress(cx);
      return undefined;
    }
    shared.txWaiters.register(this, cx.waker);
    return Pending;
  }

  override cancel(): void {
    this.#done = true;
    const list = this.list;
    if (list !== undefined) (list as WaitList).unregister(this);
  }
}
