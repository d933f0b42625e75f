/**
 * The unbounded mpsc channel (Tokio's `mpsc::unbounded_channel`): many senders, one receiver,
 * no limit on queued messages, so `send` is synchronous and never waits. Without backpressure
 * a producer faster than its consumer grows the queue without bound: prefer the bounded
 * channel unless the producer cannot wait (a callback, an event handler).
 *
 * Same core as the bounded channel (`chan.ts`) without the semaphore.
 */
import type { Future } from "@tokio-ts/core";
import { SendError } from "../errors.js";
import { err, ok, type Result } from "../result.js";
import { Chan, ChanReceiver, checkMessage, ClosedWait } from "./chan.js";
import { SenderHandle, WeakSenderHandle } from "./sender-handle.js";

const OK: Result<void, never> = ok(undefined);

/**
 * Create an unbounded channel: `[UnboundedSender, UnboundedReceiver]`.
 *
 * @example
 * ```ts
 * const [tx, rx] = mpsc.unboundedChannel<string>();
 * emitter.on("data", (chunk) => tx.send(chunk)); // synchronous, never waits
 * emitter.on("end", () => tx.close());
 * for await (const chunk of rx) handle(chunk);
 * ```
 *
 * As for {@link channel}, a message is never `undefined` (`send` takes `T & ({} | null)`).
 */
export function unboundedChannel<T>(): [UnboundedSender<T>, UnboundedReceiver<T>] {
  const chan = new Chan<T>(undefined, Infinity);
  return [new UnboundedSender(chan), new UnboundedReceiver(chan)];
}

/**
 * The sending half of an unbounded channel. Clone it for more producers; close each handle
 * when done (`close()`, or `using`) — once the last one is closed the receiver sees the end.
 *
 * @example
 * ```ts
 * const [tx, rx] = mpsc.unboundedChannel<number>();
 * tx.send(1); // { ok: true }
 * rx.close();
 * tx.send(2); // { ok: false, error: SendError { value: 2 } }
 * ```
 */
export class UnboundedSender<T> extends SenderHandle<T> {
  /** @hidden Use {@link unboundedChannel}. */
  constructor(chan: Chan<T>) {
    super(chan);
  }

  protected override make(chan: Chan<T>): this {
    return new UnboundedSender(chan) as this;
  }

  /**
   * Queue `value` now. Fails only when the receiver closed or dropped the channel, or this
   * handle was closed; the {@link SendError} gives the value back.
   *
   * **Throws**: TypeError if `value` is `undefined`.
   */
  send(value: T & ({} | null)): Result<void, SendError<T>> {
    checkMessage(value);
    if (this.isClosed()) return err(new SendError(value));
    this.chan.push(value);
    return OK;
  }

  /**
   * Resolves once {@link isClosed} is true: the receiver closed or dropped the channel (or this
   * handle was closed).
   *
   * **Cancel safety**: cancel safe; it holds nothing.
   */
  closed(): Future<void> {
    return new ClosedWait(this.chan as Chan<unknown>, this);
  }

  /**
   * A {@link WeakUnboundedSender}, which does not keep the channel open. Counted by
   * `weakCount()` until it is disposed.
   *
   * @example
   * ```ts
   * using weak = tx.downgrade();
   * tx.weakCount(); // 1
   * ```
   */
  downgrade(): WeakUnboundedSender<T> {
    return new WeakUnboundedSender(this.chan);
  }
}

/**
 * An unbounded sender that does not keep the channel open; `upgrade()` gives a sender back
 * while at least one sender is open. Tokio's `WeakUnboundedSender`.
 *
 * JavaScript has no destructors: dispose a weak sender (`using weak = …`) so that
 * `weakCount()` stops counting it. One never disposed only keeps that count up; it never keeps
 * the channel open.
 *
 * @example
 * ```ts
 * const [tx, rx] = mpsc.unboundedChannel<number>();
 * using weak = tx.downgrade();
 * const tx2 = weak.upgrade(); // tx is open, so this is a sender
 * tx2?.send(1);
 * tx2?.close();
 * ```
 */
export class WeakUnboundedSender<T> extends WeakSenderHandle<T, UnboundedSender<T>> {
  /** @hidden Use {@link UnboundedSender.downgrade}. */
  constructor(chan: Chan<T>) {
    super(chan);
  }

  protected override strong(chan: Chan<T>): UnboundedSender<T> {
    return new UnboundedSender(chan);
  }

  protected override make(chan: Chan<T>): this {
    return new WeakUnboundedSender(chan) as this;
  }
}

/**
 * The receiving half of an unbounded channel: `recv()`, `recvMany()`, `tryRecv()`, `close()`,
 * `for await`.
 *
 * @example
 * ```ts
 * const [tx, rx] = mpsc.unboundedChannel<number>();
 * tx.send(7);
 * await rx.recv(); // 7
 * ```
 */
export class UnboundedReceiver<T> extends ChanReceiver<T> {}
