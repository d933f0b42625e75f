/**
 * `oneshot`: a channel for exactly one value (Tokio's `sync::oneshot`) — the reply slot of a
 * request, the result of a background job. Import it as a namespace:
 * `import { oneshot } from "@tokio-ts/sync"`, then `oneshot.channel<T>()`.
 *
 * @example
 * ```ts
 * import { oneshot } from "@tokio-ts/sync";
 * const [tx, rx] = oneshot.channel<number>();
 * tx.send(42);
 * console.log(await rx); // 42
 * ```
 *
 * @module
 */
import { Future, madeProgress, Pending, pollProceed, Resume, yieldContext, yieldSuspend, type Context, type Poll, type Waker } from "@tokio-ts/core";
import { LinkedList, type ListNode } from "@tokio-ts/core/collections";
import { RecvError, SendError, TryRecvError } from "./errors.js";
import { err, ok, type Result } from "./result.js";

const OK: Result<void, never> = ok(undefined);

/** A receiver's own state (see the module header). */
const LIVE = 0;
const TERMINATED = 1;
const DONE = 2;
type ReceiverState = typeof LIVE | typeof TERMINATED | typeof DONE;

/*
 * HOW. The channel's state lives in the receiver (one object fewer per channel than a separate
 * shared cell: a request/reply makes a channel per request). The sender holds the receiver and
 * reaches that state only through the functions of {@link channelState}, which the receiver's
 * class defines. The fields and who changes them:
 * - `#value`/`#hasValue`: set once by `Sender.send`; cleared when the receiver takes the value
 *   (poll or `tryRecv`) or is dropped.
 * - `#txDone`: the sender sent or was dropped (set by the sender, once).
 * - `#rxClosed`: the receiver closed or was dropped (set by the receiver, once); from then on a
 *   send fails and gives the value back.
 * - `#rxWaker`: the waker of the task awaiting the receiver (one slot; an array in the rare case
 *   of waits from several tasks at once); the sender wakes it when it sends or is dropped.
 * - `#closedWaiters`: the sender's `closed()` futures (intrusive list); woken when the receiver
 *   closes, or when the sender itself is done.
 * The receiver completes with the value if `#hasValue`; else with RecvError "channel closed"
 * once `#txDone` or `#rxClosed`; else it waits.
 *
 * The receiver handle has a state of its own, `#state`: LIVE → TERMINATED (`tryRecv` handed out
 * the value or "closed", or the receiver was disposed: it has nothing more to give, but a poll
 * still reports "closed") → DONE (a poll returned or threw, or the pending future was dropped:
 * polling again throws). Only the receiver changes it, and only forward. `isTerminated()` is
 * "not LIVE", as Tokio's is after a ready poll or a `try_recv` that did not say "empty".
 */

/** What the sender side may do to the state kept in the receiver (see the comment above). */
interface ChannelState {
  /** Mark the sender done; store `value` and wake the receiver unless it closed (then false). */
  send<T>(rx: Receiver<T>, value: T): boolean;
  /** Mark the sender done without a value; wake the receiver and the `closed()` waiters. */
  senderDropped(rx: Receiver<unknown>): void;
  rxClosed(rx: Receiver<unknown>): boolean;
  /** The `closed()` waiters, made on first use when `create`. */
  closedWaiters(rx: Receiver<unknown>, create: boolean): LinkedList<ClosedWait> | undefined;
}

/** Set by {@link Receiver}'s static block, which alone can reach its private fields. */
let channelState!: ChannelState;

/**
 * Create a oneshot channel: `[Sender, Receiver]`. The receiver is itself a future: await it
 * (once) for the value.
 *
 * @example
 * ```ts
 * const [tx, rx] = oneshot.channel<number>();
 * setTimeout(() => tx.send(42));
 * await rx; // 42
 * ```
 */
export function channel<T>(): [Sender<T>, Receiver<T>] {
  const rx = new Receiver<T>();
  return [new Sender(rx), rx];
}

/**
 * The sending half: `send(value)` once, synchronously. Dropping it without sending
 * (`close()`, or `using`) makes the receiver fail with RecvError "channel closed".
 *
 * @example
 * ```ts
 * const [tx, rx] = oneshot.channel<string>();
 * const r = tx.send("done");
 * if (!r.ok) console.log("nobody listens; got back", r.error.value);
 * ```
 */
export class Sender<T> implements Disposable {
  readonly #rx: Receiver<T>;
  #used = false;

  /** @hidden Use {@link channel}. */
  constructor(rx: Receiver<T>) {
    this.#rx = rx;
  }

  /**
   * Send the value and wake the receiver. If the receiver is gone (closed or dropped), the
   * result is a {@link SendError} that gives the value back. `undefined` is a valid value
   * (`oneshot.channel<void>()` is a plain completion signal).
   *
   * **Throws**: Error if the sender was already used (sent or closed).
   */
  send(value: T): Result<void, SendError<T>> {
    if (this.#used) throw new Error("the oneshot sender was already used: a oneshot channel carries one value");
    this.#used = true;
    return channelState.send(this.#rx, value) ? OK : err(new SendError(value));
  }

  /**
   * Resolves once {@link isClosed} is true: the receiver closed or was dropped (or this sender
   * was used). Race it against the work that produces the value to stop when nobody waits.
   *
   * @example
   * ```ts
   * const r = await select({ gone: tx.closed(), value: compute() });
   * // r.key === "gone": the receiver left, computing stopped; r.key === "value": r.value is the result
   * ```
   *
   * **Cancel safety**: cancel safe; it holds nothing.
   */
  closed(): Future<void> {
    return new ClosedWait(this.#rx as Receiver<unknown>, this);
  }

  /** Whether a send would fail or is impossible: the receiver is gone, or this sender was used. */
  isClosed(): boolean {
    return this.#used || channelState.rxClosed(this.#rx as Receiver<unknown>);
  }

  /** Drop the sender without sending: the receiver fails with RecvError. Idempotent. */
  close(): void {
    if (this.#used) return;
    this.#used = true;
    channelState.senderDropped(this.#rx as Receiver<unknown>);
  }

  /** `using tx = …`: drop without sending at the end of the scope, unless sent. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * The receiving half, and a future of the value: `await rx` resolves with the value, or
 * rejects with {@link RecvError} "channel closed" if the sender was dropped without sending.
 * Await it once.
 *
 * @example
 * ```ts
 * const [tx, rx] = oneshot.channel<number>();
 * tx.close();
 * try { await rx } catch (e) { e instanceof RecvError; } // true
 * ```
 *
 * **Cancel safety**: dropping the pending future (a `select` loser, a timeout, an aborted task)
 * drops the receiver, as in Tokio: the channel closes, the sender's `closed()` resolves, and a
 * later `send` gives its value back. A value that had already been sent is dropped with it.
 * To race the receiver without giving it up (Tokio's `&mut rx`), race {@link recv}; to look
 * without waiting, use {@link tryRecv}.
 */
export class Receiver<T> extends Future<T> implements Disposable {
  #state: ReceiverState = LIVE;
  // The channel's state (see the comment at the top of the module).
  #value: T | undefined = undefined;
  #hasValue = false;
  #txDone = false;
  #rxClosed = false;
  /**
   * The waker of the wait on this receiver; several when tasks wait on it at once (`rx.recv()`
   * in two tasks, which Tokio's `&mut rx` rules out): each is woken, so the one that does not
   * get the value learns that the receiver is done instead of hanging. One field for both.
   */
  #rxWaker: Waker | Waker[] | undefined = undefined;
  /** Made by the first `closed()` that waits: most channels never have one. */
  #closedWaiters: LinkedList<ClosedWait> | undefined = undefined;

  static {
    channelState = {
      send<T>(rx: Receiver<T>, value: T): boolean {
        rx.#txDone = true;
        rx.#wakeClosed();
        if (rx.#rxClosed) return false;
        rx.#value = value;
        rx.#hasValue = true;
        rx.#wakeRx();
        return true;
      },
      senderDropped(rx: Receiver<unknown>): void {
        rx.#txDone = true;
        rx.#wakeClosed();
        rx.#wakeRx();
      },
      rxClosed(rx: Receiver<unknown>): boolean {
        return rx.#rxClosed;
      },
      closedWaiters(rx: Receiver<unknown>, create: boolean): LinkedList<ClosedWait> | undefined {
        return create ? (rx.#closedWaiters ??= new LinkedList<ClosedWait>()) : rx.#closedWaiters;
      },
    };
  }

  /** @hidden Use {@link channel}. */
  constructor() {
    super();
  }

  // Its own `yield*` iterator: see `Future`'s `[Symbol.iterator]` in @tokio-ts/core.
  #yielded = false;

  /** @internal `yield* rx`: the receiver is its own iterator (see `Future`'s `[Symbol.iterator]`). */
  override [Symbol.iterator](): Iterator<Future<T>, T, unknown> {
    return this;
  }

  /** @internal A step of `yield* rx`; not for direct use. */
  next(value?: unknown): IteratorResult<Future<T>, T> {
    if (this.#yielded) {
      this.#yielded = false;
      if (value !== Resume) return { done: true, value: value as T };
      // Resumed by pollGenerator: poll ourselves, a call V8 can inline (see yieldSuspend).
      const out = this.poll(yieldContext()!);
      if (out !== Pending) return { done: true, value: out };
    } else {
      const cx = yieldContext();
      if (cx !== undefined) {
        const out = this.poll(cx);
        if (out !== Pending) return { done: true, value: out };
      }
    }
    this.#yielded = true;
    return yieldSuspend<T>(this, true);
  }

  /** @internal A step of `yield* rx`; not for direct use. */
  return(value?: unknown): IteratorResult<Future<T>, T> {
    // The task dropped while suspended here: it holds no other reference to this wait.
    if (this.#yielded) this.cancel();
    this.#yielded = false;
    return { done: true, value: value as T };
  }

  /** @internal A step of `yield* rx`; not for direct use. */
  throw(error?: unknown): IteratorResult<Future<T>, T> {
    this.#yielded = false;
    throw error;
  }

  override poll(cx: Context): Poll<T> {
    if (this.#state === DONE) throw new Error(
        "a oneshot receiver was polled after it completed or was dropped (a select or timeout drops its losers, and a dropped receiver is closed): await it once; to wait in a select loop, race rx.recv() instead (dropping it leaves the receiver open)",
      );
    if (!pollProceed(cx)) return Pending;
    if (this.#hasValue) {
      this.#state = DONE;
      madeProgress(cx);
      return this.#take();
    }
    if (this.#txDone || this.#rxClosed) {
      this.#state = DONE;
      if (this.#rxWaker !== undefined) this.#wakeRx(); // another task's wait, if any, learns it is done
      madeProgress(cx);
      throw new RecvError("closed");
    }
    const waker = this.#rxWaker;
    const mine = cx.waker;
    if (waker === undefined || waker === mine) this.#rxWaker = mine;
    else this.#addWaker(waker, mine);
    return Pending;
  }

  /** A wait from another task while one is registered (see `#rxWaker`): keep both. */
  #addWaker(registered: Waker | Waker[], waker: Waker): void {
    if (!Array.isArray(registered)) this.#rxWaker = [registered, waker];
    else if (!registered.includes(waker)) registered.push(waker);
  }

  /**
   * A future of the value that borrows the receiver instead of consuming it: dropping it while it
   * waits (a `select` it lost, a `timeout`) leaves the receiver open, so a loop can race
   * `rx.recv()` on every pass. Tokio's `&mut rx` in `select!`. Once it has completed (with the
   * value, or RecvError "channel closed") the receiver is done, as after `await rx`.
   *
   * @example
   * ```ts
   * const [stopTx, stopRx] = oneshot.channel<void>();
   * for (;;) {
   *   const r = yield* select({ stop: stopRx.recv(), msg: rx.recv() });
   *   if (r.key === "stop" || r.value === undefined) break;
   *   handle(r.value);
   * }
   * ```
   *
   * One receiver, one wait at a time, as Tokio's `&mut rx` enforces: if two tasks wait on the
   * receiver at once, both are woken when the value comes (or the channel closes); one gets it,
   * the other fails with the Error below.
   *
   * **Cancel safety**: cancel safe. A dropped `recv()` takes nothing: a value sent before or
   * after stays for the next `recv()` (or `await rx`, or `tryRecv()`).
   *
   * **Throws** (when polled): RecvError "channel closed" if the sender was dropped without
   * sending; Error if the receiver is already done (awaited, dropped, or a `recv()` completed).
   */
  recv(): Future<T> {
    return new Recv(this);
  }

  /** Drop the receiver: see **Cancel safety** above. */
  override cancel(): void {
    this.#state = DONE;
    this[Symbol.dispose]();
  }

  /**
   * The value if it was sent; otherwise why not: `"empty"` (the sender may still send) or
   * `"closed"` (the sender was dropped, the receiver closed, or the value was already taken).
   *
   * @example
   * ```ts
   * const r = rx.tryRecv();
   * if (r.ok) use(r.value);
   * ```
   */
  tryRecv(): Result<T, TryRecvError> {
    if (this.#hasValue) {
      // Done, as after `await rx`: awaiting it again is a misuse (Tokio panics), not a channel
      // that closed.
      this.#state = DONE;
      return ok(this.#take());
    }
    if (!(this.#txDone || this.#rxClosed)) return err(new TryRecvError("empty"));
    this.#terminate();
    return err(new TryRecvError("closed"));
  }

  /**
   * Whether this receiver has given its outcome: a poll (`await rx`) returned the value or
   * failed with RecvError, or {@link tryRecv} returned the value or `"closed"`, or the receiver
   * was dropped (disposed, or its pending future cancelled). A terminated receiver has nothing
   * more to give; do not await it again. Tokio's `Receiver::is_terminated`.
   *
   * Not terminated: before the send, after the send while the value is unread, after the
   * sender was dropped or {@link close} was called until the receiver reports it.
   *
   * @example
   * ```ts
   * const [tx, rx] = oneshot.channel<number>();
   * rx.isTerminated(); // false
   * tx.send(1);
   * rx.isTerminated(); // false: the value waits to be read
   * await rx; // 1
   * rx.isTerminated(); // true
   * ```
   */
  isTerminated(): boolean {
    return this.#state !== LIVE;
  }

  /**
   * Whether no value waits to be read: true before the send, after the value was read, after
   * the sender was dropped without sending, and after {@link close} unless a value was sent
   * before it; false only while a sent value is unread. An empty receiver is not necessarily
   * safe to await again: ask {@link isTerminated} for that. Tokio's `Receiver::is_empty`.
   *
   * @example
   * ```ts
   * const [tx, rx] = oneshot.channel<string>();
   * rx.isEmpty(); // true
   * tx.send("hi");
   * rx.isEmpty(); // false
   * rx.tryRecv(); // { ok: true, value: "hi" }
   * rx.isEmpty(); // true
   * ```
   */
  isEmpty(): boolean {
    return !this.#hasValue;
  }

  /**
   * Close the receiver without dropping it: a later `send` fails and gives its value back, the
   * sender's `closed()` resolves. A value sent before still arrives (await the receiver or
   * `tryRecv()`); a receive pending on it elsewhere (`rx.recv()` in another task) is woken and
   * fails with RecvError if there is none. Idempotent.
   */
  close(): void {
    if (this.#rxClosed) return;
    this.#rxClosed = true;
    this.#wakeRx(); // a wait pending on this receiver (`rx.recv()` in another task) now fails
    this.#wakeClosed();
  }

  /**
   * Drop the receiver: close it and drop a value already sent. It is then terminated; a receive
   * pending on it elsewhere is woken and fails with RecvError.
   */
  [Symbol.dispose](): void {
    this.#terminate();
    this.close();
    this.#rxWaker = undefined;
    this.#hasValue = false;
    this.#value = undefined;
  }

  #terminate(): void {
    if (this.#state === LIVE) this.#state = TERMINATED;
  }

  #take(): T {
    const value = this.#value as T;
    this.#value = undefined;
    this.#hasValue = false;
    if (this.#rxWaker !== undefined) this.#wakeRx(); // another task's wait, if any, learns it is done
    return value;
  }

  #wakeRx(): void {
    const waker = this.#rxWaker;
    this.#rxWaker = undefined;
    if (waker === undefined) return;
    if (!Array.isArray(waker)) waker.wake();
    else for (const w of waker) w.wake();
  }

  #wakeClosed(): void {
    const waiters = this.#closedWaiters;
    if (waiters === undefined) return;
    for (let w = waiters.popFront(); w !== undefined; w = waiters.popFront()) w.notify();
  }
}

/**
 * {@link Receiver.recv}'s future: the receiver's poll, and a drop that leaves the receiver as it
 * is. The receiver keeps the waker of the last poll, as Tokio's does after a `&mut rx` is
 * dropped: a value sent later wakes that task once for nothing (spurious wakes are allowed).
 * Clearing it on drop would need to know that no other `recv()` of the same task registered the
 * same waker since, or that task would never be woken.
 */
class Recv<T> extends Future<T> {
  readonly #rx: Receiver<T>;
  #done = false;

  constructor(rx: Receiver<T>) {
    super();
    this.#rx = rx;
  }

  override poll(cx: Context): Poll<T> {
    if (this.#done) throw new Error("a oneshot recv() future was polled after it completed: the receiver is done");
    this.#done = true; // stays if the receiver's poll returns the value or throws
    const out = this.#rx.poll(cx);
    if (out === Pending) this.#done = false;
    return out;
  }
}

/** A sender's `closed()` future: an intrusive node in `closedWaiters`; dropping it is O(1). */
class ClosedWait extends Future<void> implements ListNode {
  listPrev: ListNode | undefined = undefined;
  listNext: ListNode | undefined = undefined;
  list: LinkedList<ListNode> | undefined = undefined;
  #waker: Waker | undefined = undefined;

  constructor(
    private readonly rx: Receiver<unknown>,
    private readonly sender: Sender<unknown>,
  ) {
    super();
  }

  override poll(cx: Context): Poll<void> {
    if (!pollProceed(cx)) return Pending;
    if (this.sender.isClosed()) {
      channelState.closedWaiters(this.rx, false)?.remove(this);
      this.#waker = undefined;
      madeProgress(cx);
      return undefined;
    }
    this.#waker = cx.waker;
    if (this.list === undefined) channelState.closedWaiters(this.rx, true)!.pushBack(this);
    return Pending;
  }

  notify(): void {
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }

  override cancel(): void {
    this.#waker = undefined;
    channelState.closedWaiters(this.rx, false)?.remove(this);
  }
}

// The errors of this channel, also here as Tokio has them (`oneshot::error::RecvError`); the same
// classes as the package's top-level exports.
export { SendError, RecvError, TryRecvError } from "./errors.js";
