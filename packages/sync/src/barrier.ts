/**
 * Barrier: `n` tasks wait for each other, then all go on together (Tokio's `sync::Barrier`).
 *
 * HOW. The waiters of the current generation are an intrusive list of the waiting futures
 * themselves; the number arrived is the list's length. The `n`-th arrival is the leader: it
 * takes the list, puts a fresh empty one in its place — the next generation starts there —
 * then unlinks every waiter of its own generation, marks it released and wakes it, and returns.
 * Swapping the list first matters when a waker re-enters synchronously: a `wait()` polled from
 * inside a wake-up arrives in the next generation, not in the one being released. A waiter
 * that is dropped before its generation is complete unlinks itself (from the list it is in)
 * in O(1), so it no longer counts.
 *
 * That last rule differs from Tokio on purpose: in Tokio an arrival is counted when `wait()` is
 * first polled and a dropped `wait()` still counts (the barrier can then release with fewer
 * tasks really waiting). Here a dropped wait is withdrawn: a barrier of `n` releases only when
 * `n` waits are pending at once, and a `wait()` that loses a `select` or times out does not
 * use up a place.
 *
 * Wait states: IDLE (not polled) → WAITING (linked in the barrier's list) → RELEASED (unlinked
 * and woken by the leader) → DONE. IDLE → DONE for the leader. IDLE | WAITING | RELEASED →
 * DROPPED on cancel. Only the barrier moves a wait from WAITING to RELEASED; only the wait's
 * own poll and cancel move it otherwise.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll, type Waker } from "@tokio-ts/core";
import { LinkedList, type ListNode } from "@tokio-ts/core/collections";
import { NO_ERROR } from "./internal/wait-list.js";

/**
 * What {@link Barrier.wait} resolves with: whether this wait was the leader of its generation.
 *
 * @example
 * ```ts
 * const { isLeader } = await barrier.wait();
 * if (isLeader) console.log("the last to arrive"); // true for one wait per generation
 * ```
 */
export interface BarrierWaitResult {
  /** True for exactly one wait per generation: the one that arrived last. */
  readonly isLeader: boolean;
}

const LEADER: BarrierWaitResult = Object.freeze({ isLeader: true });
const FOLLOWER: BarrierWaitResult = Object.freeze({ isLeader: false });

/**
 * A barrier for `n` tasks: each calls `wait()`, and once `n` waits are pending they all
 * complete. Exactly one of them — the last to arrive — is told it is the leader. The barrier
 * is reusable: the next `n` waits form the next generation. Works with or without a runtime.
 *
 * @example
 * ```ts
 * const barrier = new Barrier(3);
 * const results = await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]);
 * results.filter((r) => r.isLeader).length; // 1
 * ```
 */
export class Barrier {
  readonly #state: BarrierState;

  /**
   * A barrier that releases every `n` waits.
   *
   * **Throws**: TypeError if `n` is not a number; RangeError unless it is an integer from 1 to
   * `Number.MAX_SAFE_INTEGER` (Tokio treats 0 as 1; here 0 is a mistake caught at the call).
   */
  constructor(n: number) {
    if (typeof n !== "number") throw new TypeError(`n must be a number, got ${typeof n}`);
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`n must be an integer of at least 1, got ${n}`);
    this.#state = new BarrierState(n);
  }

  /** How many waits a generation needs. */
  get n(): number {
    return this.#state.n;
  }

  /** How many waits of the current generation are pending. */
  waiting(): number {
    return this.#state.waiters.length;
  }

  /**
   * Wait until `n` waits are pending, the one here included. Resolves with
   * `{ isLeader: true }` for the last to arrive and `{ isLeader: false }` for the others.
   *
   * @example
   * ```ts
   * const barrier = new Barrier(2);
   * await rt.blockOn(function* () {
   *   const other = spawn(function* () { return yield* barrier.wait() });
   *   const mine = yield* barrier.wait();
   *   const theirs = yield* other;
   *   return mine.isLeader !== theirs.isLeader; // true: one leader
   * });
   * ```
   *
   * **Cancel safety**: cancel safe. A wait dropped before its generation is complete leaves
   * the barrier (O(1)) and no longer counts toward `n` (unlike Tokio, where it still counts). A
   * wait dropped after the leader released it changes nothing: its generation is complete.
   */
  wait(): Future<BarrierWaitResult> {
    return new BarrierWait(this.#state);
  }
}

/** What a barrier shares with its waits: `n`, and the waits of the current generation in arrival order. */
class BarrierState {
  waiters = new LinkedList<BarrierWait>();

  constructor(readonly n: number) {}
}

const IDLE = 0;
const WAITING = 1;
const RELEASED = 2;
const DONE = 3;
const DROPPED = 4;

class BarrierWait extends Future<BarrierWaitResult> implements ListNode {
  listPrev: ListNode | undefined = undefined;
  listNext: ListNode | undefined = undefined;
  list: LinkedList<ListNode> | undefined = undefined;
  #state = IDLE;
  #waker: Waker | undefined = undefined;

  constructor(private readonly barrier: BarrierState) {
    super();
  }

  override poll(cx: Context): Poll<BarrierWaitResult> {
    switch (this.#state) {
      case IDLE: {
        // Spend the budget before arriving: a wait that arrives must stay (or lead).
        if (!pollProceed(cx)) return Pending;
        const barrier = this.barrier;
        const waiters = barrier.waiters;
        if (waiters.length + 1 >= barrier.n) {
          // The next generation starts now, before any waker runs.
          barrier.waiters = new LinkedList<BarrierWait>();
          let error: unknown = NO_ERROR; // a throwing waker keeps no other wait from its release
          for (let w = waiters.popFront(); w !== undefined; w = waiters.popFront()) {
            try {
              w.release();
            } catch (thrown) {
              if (error === NO_ERROR) error = thrown;
            }
          }
          if (error !== NO_ERROR) throw error;
          this.#state = DONE;
          madeProgress(cx);
          return LEADER;
        }
        this.#state = WAITING;
        this.#waker = cx.waker;
        waiters.pushBack(this);
        return Pending;
      }
      case WAITING:
        this.#waker = cx.waker;
        return Pending;
      case RELEASED:
        if (!pollProceed(cx)) return Pending;
        this.#state = DONE;
        madeProgress(cx);
        return FOLLOWER;
      default:
        throw new Error("a barrier wait was polled after it completed or was dropped");
    }
  }

  /** @internal The leader completed this wait's generation. */
  release(): void {
    this.#state = RELEASED;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }

  override cancel(): void {
    if (this.#state === WAITING) (this.list as LinkedList<BarrierWait> | undefined)?.remove(this);
    this.#state = DROPPED;
    this.#waker = undefined;
  }
}
