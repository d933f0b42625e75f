/**
 * Wait lists for the primitives that wake waiters in bulk: broadcast (every send wakes every
 * waiting receiver), watch (every change wakes every `changed()`), Notify (`notifyWaiters`).
 *
 * A waiter is the waiting future itself (an intrusive {@link ListNode}), so registering
 * allocates nothing and dropping the future unlinks it in O(1). A node is linked while it
 * waits and unlinked by whoever wakes it; `node.list !== undefined` is the "queued" flag (Tokio's
 * `Waiter::queued`). `waker` is only meaningful while the node is linked.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll, type Waker } from "@tokio-ts/core";
import { LinkedList, type ListNode } from "@tokio-ts/core/collections";

/**
 * The key of a test hook: `handle[WAITERS]()` is how many waits are queued on the handle's
 * primitive. Not exported from the package; the leak tests import it from here.
 */
export const WAITERS: unique symbol = Symbol("tokio-ts.sync.waiters");

/**
 * "No error yet" for the loops that wake many waiters. A waker that throws (a custom
 * executor's) must not keep the others from their wake-up, as Tokio's wake lists guard against
 * a panicking waker: such a loop goes on and rethrows the first error at its end.
 */
export const NO_ERROR: unique symbol = Symbol("tokio-ts.sync.noError");

/** A future that waits in a {@link WaitList}. */
export abstract class WaitNode<T> extends Future<T> implements ListNode {
  listPrev: ListNode | undefined = undefined;
  listNext: ListNode | undefined = undefined;
  list: LinkedList<ListNode> | undefined = undefined;
  /** Whom to wake; set by the poll that queued the node, cleared when it is woken. */
  waker: Waker | undefined = undefined;
}

/** The list of waiting futures of one primitive. */
export class WaitList extends LinkedList<WaitNode<unknown>> {
  /** Queue `node` (if it is not queued yet) and remember whom to wake. */
  register(node: WaitNode<unknown>, waker: Waker | undefined): void {
    if (waker !== undefined) node.waker = waker;
    if (node.list === undefined) this.pushBack(node);
  }

  /** Unlink `node` if it is queued here. O(1). */
  unregister(node: WaitNode<unknown>): void {
    node.waker = undefined;
    this.remove(node);
  }

  /**
   * Unlink and wake every node queued now. Nodes queued again while waking (a waker that polls
   * synchronously) stay for the next round: only the `length` nodes present at the call are
   * taken. A waker that throws: the others are woken, then its error is rethrown.
   */
  wakeAll(): void {
    let error: unknown = NO_ERROR;
    for (let n = this.length; n > 0; n--) {
      const node = this.popFront();
      if (node === undefined) break;
      const waker = node.waker;
      node.waker = undefined;
      try {
        waker?.wake();
      } catch (thrown) {
        if (error === NO_ERROR) error = thrown;
      }
    }
    if (error !== NO_ERROR) throw error;
  }
}

/**
 * A wait for a one-way condition (`token.cancelled()`, `SetOnce.wait()`): ready once `isReady()`
 * holds, queued in `waitList` until then. The source wakes the list when the condition turns
 * true. States: idle → queued → done (ready, or dropped); polling a done wait is a bug.
 */
export abstract class ConditionWait<T> extends WaitNode<T> {
  #done = false;

  /** The list the source wakes. */
  protected abstract readonly waitList: WaitList;
  /** Whether the condition holds. */
  protected abstract isReady(): boolean;
  /** The output once it holds. */
  protected abstract output(): T;

  override poll(cx: Context): Poll<T> {
    if (this.#done) throw new Error("a wait was polled after it completed or was dropped");
    if (this.isReady()) {
      if (!pollProceed(cx)) return Pending;
      this.#done = true;
      this.waitList.unregister(this);
      madeProgress(cx);
      return this.output();
    }
    this.waitList.register(this, cx.waker);
    return Pending;
  }

  override cancel(): void {
    this.waitList.unregister(this);
    this.#done = true;
  }
}

/**
 * Unlink and wake each of `nodes` that is still queued in `list` when its turn comes (an earlier
 * waker may have dropped it). For the cold paths that wake a picked subset (a receiver disposed).
 */
export function wakeQueued(list: WaitList, nodes: readonly WaitNode<unknown>[]): void {
  let error: unknown = NO_ERROR;
  for (const node of nodes) {
    if (node.list !== list) continue;
    const waker = node.waker;
    list.unregister(node);
    try {
      waker?.wake();
    } catch (thrown) {
      if (error === NO_ERROR) error = thrown;
    }
  }
  if (error !== NO_ERROR) throw error;
}
