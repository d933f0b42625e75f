/**
 * `join` and `tryJoin`: run several futures concurrently inside the calling task and wait for
 * all of them (Tokio's `join!` and `try_join!`).
 *
 * HOW: the join future owns its branches and polls them itself — nothing is spawned, so they
 * share the task's budget, its task-locals and its cancellation. A branch is polled with a
 * context of its own whose waker (the context itself) records "this branch was woken" in a
 * queue and wakes the caller. After the first poll, which polls every branch, a poll polls only
 * the branches in that queue — a join of many futures costs per poll what its woken branches
 * cost (as `FuturesUnordered`), not a scan of all of them. The branch contexts share the
 * caller's budget: it is copied in before a branch's poll and back after.
 *
 * Fairness, as Tokio's `join!`: the first branch polled gets the whole budget, so which one goes
 * first rotates. Poll number p (from 0) starts at the woken branch whose index comes first
 * counting round from p mod n, and goes on through the queue from there, wrapping round. A
 * branch that is always ready (and so wakes itself once the budget is spent) therefore cannot
 * starve the others: each pending branch goes first once in n polls.
 *
 * Allocation: a branch keeps a context only if it returned Pending (it stored that waker). The
 * first poll lends one spare context to each branch in turn and allocates a new spare only when
 * a branch keeps it, so a join of futures that are all ready at once allocates one context in
 * all; the woken queues are allocated at the first wake.
 *
 * States: POLLING → DONE (all branches finished, a tryJoin branch failed, or dropped). Per
 * branch: pending (`#futures[i]` set) → finished (`#futures[i]` undefined; its output in
 * `#outputs[i]`, or its error in `#errors`). A branch is in the woken queue at most once
 * (`queued`); it leaves the queue just before it is polled, so a wake during its own poll
 * (a leaf whose budget is spent) queues it for the next poll rather than this one. The queue is
 * swapped with a spare at the start of a poll so that such wakes land in the other array.
 * Wakes through the lent spare after its branch finished may queue another branch (or a
 * finished one): a spurious poll of a pending future is allowed, and finished ones are skipped.
 */
import { Context, Future, noopWaker, Pending, type Poll, type Waker } from "@tokio-ts/core";
import { polledAfterDone } from "./errors.js";
import { branchFuture, dropAll, type Branch, type OutputOf } from "./internal/branch.js";

/**
 * The output tuple of `join(...futures)` and `tryJoin(...futures)`: each branch's output, in
 * argument order (an array of outputs for a spread array).
 *
 * @example
 * ```ts
 * type T = JoinOutputs<[Future<number>, Sleep, () => Promise<string>]>; // [number, void, string]
 * ```
 */
export type JoinOutputs<F extends readonly unknown[]> = { -readonly [K in keyof F]: OutputOf<F[K]> };

const POLLING = 0;
const DONE = 1;

/** A branch's context and waker in one object (see the module header). */
class BranchContext extends Context implements Waker {
  readonly #join: Join<unknown[]>;
  /** The branch polled with this context (changes only while it is the lent spare). */
  index = 0;
  /** In the join's woken queue, not yet polled. */
  queued = false;

  constructor(join: Join<unknown[]>) {
    super(noopWaker);
    this.waker = this;
    this.#join = join;
  }

  wake(): void {
    this.#join.wakeBranch(this);
  }
}

/** The future of {@link join} and {@link tryJoin} (see the module header). */
/** The contexts table of a join whose branches were all ready at the first poll. */
const EMPTY: (BranchContext | undefined)[] = [];

class Join<T extends unknown[]> extends Future<T> {
  readonly #futures: (Future<unknown> | undefined)[];
  readonly #outputs: unknown[];
  /** tryJoin: the first failure fails the join and drops the rest. */
  readonly #failFast: boolean;
  /** The context each pending branch was last polled with; undefined before the first poll. */
  #contexts: (BranchContext | undefined)[] | undefined = undefined;
  #spareContext: BranchContext | undefined = undefined;
  #woken: number[] | undefined = undefined;
  #spareQueue: number[] | undefined = undefined;
  #remaining: number;
  /** The branch index this poll's round starts from (Tokio's `skip_next_time`): +1 per poll. */
  #skip = 0;
  #waker: Waker | undefined = undefined;
  #state = POLLING;
  /** join: the failures so far, by branch index (sparse). */
  #errors: unknown[] | undefined = undefined;
  #failures = 0;

  constructor(futures: Future<unknown>[], failFast: boolean) {
    super();
    this.#futures = futures;
    this.#outputs = new Array(futures.length);
    this.#remaining = futures.length;
    this.#failFast = failFast;
  }

  override poll(cx: Context): Poll<T> {
    if (this.#state !== POLLING) throw polledAfterDone(this.#failFast ? "tryJoin" : "join");
    this.#waker = cx.waker;
    const contexts = this.#contexts;
    if (contexts === undefined) this.#pollAll(cx);
    else {
      const woken = this.#woken;
      if (woken !== undefined && woken.length !== 0) {
        this.#woken = this.#spareQueue;
        this.#spareQueue = woken;
        const k = woken.length;
        const first = k === 1 ? 0 : this.#firstPosition(woken, contexts);
        for (let j = first; j < k; j++) this.#pollQueued(woken[j]!, contexts, cx);
        for (let j = 0; j < first; j++) this.#pollQueued(woken[j]!, contexts, cx);
        woken.length = 0;
      }
    }
    // Rotate which branch goes first, as Tokio's join! does, counting every poll.
    if (++this.#skip >= this.#futures.length) this.#skip = 0;
    if (this.#remaining !== 0) return Pending;
    this.#finish();
    if (this.#failures !== 0) throw this.#failure();
    return this.#outputs as T;
  }

  /**
   * The first poll: every branch, each lent the spare context, which it keeps if Pending. The
   * table of contexts is made only when a branch is pending (a join of ready futures makes one
   * context and no table).
   */
  #pollAll(cx: Context): void {
    const futures = this.#futures;
    const n = futures.length;
    let contexts: (BranchContext | undefined)[] | undefined;
    for (let i = 0; i < n; i++) {
      const branch = (this.#spareContext ??= new BranchContext(this as Join<unknown[]>));
      branch.index = i;
      branch.queued = false;
      this.#pollBranch(i, branch, cx);
      if (futures[i] !== undefined) {
        (contexts ??= this.#contexts = new Array<BranchContext | undefined>(n))[i] = branch;
        this.#spareContext = undefined;
      }
    }
    this.#contexts ??= contexts ?? EMPTY;
  }

  /**
   * Where in the woken queue this poll starts: at the pending branch whose index comes first
   * counting round from `#skip`. The queue is then polled from there, wrapping round, so its
   * cyclic order is kept; a branch that wakes itself (out of budget) is queued again in that
   * order, and so every pending branch is first, with the whole budget, once in n polls.
   */
  #firstPosition(woken: readonly number[], contexts: readonly (BranchContext | undefined)[]): number {
    const n = this.#futures.length;
    const skip = this.#skip;
    let best = 0;
    let bestDistance = n;
    for (let j = 0; j < woken.length; j++) {
      const i = woken[j]!;
      if (contexts[i] === undefined) continue;
      const distance = i >= skip ? i - skip : i + n - skip;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = j;
        if (distance === 0) break;
      }
    }
    return best;
  }

  /** Poll branch `i` of the woken queue, unless it finished since it was queued. */
  #pollQueued(i: number, contexts: readonly (BranchContext | undefined)[], cx: Context): void {
    const branch = contexts[i];
    if (branch === undefined) return;
    branch.queued = false;
    this.#pollBranch(i, branch, cx);
  }

  /** Poll branch `i` with `branch`, its context, sharing the caller's budget. */
  #pollBranch(i: number, branch: BranchContext, cx: Context): void {
    const future = this.#futures[i];
    if (future === undefined) return;
    branch.budget = cx.budget;
    branch.forcedYields = 0;
    let out: unknown;
    try {
      out = future.poll(branch);
    } catch (error) {
      cx.budget = branch.budget;
      cx.forcedYields += branch.forcedYields;
      this.#futures[i] = undefined;
      this.#remaining--;
      if (this.#failFast) {
        // The branch's error wins over one thrown while dropping the others.
        this.#finish();
        throw error;
      }
      (this.#errors ??= [])[i] = error;
      this.#failures++;
      return;
    }
    cx.budget = branch.budget;
    cx.forcedYields += branch.forcedYields;
    if (out === Pending) return;
    this.#outputs[i] = out;
    this.#futures[i] = undefined;
    if (this.#contexts !== undefined) this.#contexts[i] = undefined;
    this.#remaining--;
  }

  /** A branch's waker fired: queue the branch (once) and wake the caller. */
  wakeBranch(branch: BranchContext): void {
    if (this.#state !== POLLING) return;
    if (!branch.queued) {
      branch.queued = true;
      (this.#woken ??= []).push(branch.index);
      this.#spareQueue ??= [];
    }
    this.#waker?.wake();
  }

  override cancel(): void {
    if (this.#state !== POLLING) return;
    const thrown = this.#finish();
    if (thrown !== undefined) throw thrown.error;
  }

  /** Enter DONE: drop the branches still pending, release the wakers. */
  #finish() {
    this.#state = DONE;
    this.#waker = undefined;
    this.#contexts = undefined;
    this.#spareContext = undefined;
    this.#woken = this.#spareQueue = undefined;
    if (this.#remaining === 0) return undefined;
    const thrown = dropAll(this.#futures, -1);
    this.#futures.fill(undefined);
    return thrown;
  }

  /** join's error once every branch has finished: the one failure, or all of them. */
  #failure(): unknown {
    const errors = this.#errors!;
    if (this.#failures === 1) return errors.find((_, i) => i in errors);
    const list = errors.filter((_, i) => i in errors);
    return new AggregateError(list, `join: ${this.#failures} of ${this.#outputs.length} futures failed`);
  }
}

/** The branches' futures, converted in place: `args` is the call's own rest array. */
function branchFutures(fn: "join" | "tryJoin", args: readonly unknown[]): Future<unknown>[] {
  const futures = args as unknown[];
  for (let i = 0; i < futures.length; i++) {
    const value = futures[i];
    // The common case first, without building the error's name.
    if (!(value instanceof Future)) futures[i] = branchFuture(value, `${fn}: argument ${i + 1}`);
  }
  return futures as Future<unknown>[];
}

/**
 * Run several futures concurrently **inside the calling task** and wait for all of them: the
 * outputs as a tuple, in argument order, typed exactly. Tokio's `join!`.
 *
 * Nothing is spawned: the futures share the task's budget, task-locals and cancellation, and a
 * poll of the join polls only the branches that were woken since the last one. Which branch is
 * polled first rotates from poll to poll, as in Tokio, so a branch that is always ready cannot
 * starve the others of the budget. Each argument is a future, or a generator function or async
 * function (run as a future).
 *
 * A branch that throws does not stop the others: join runs every branch to completion, then
 * fails with that error — or, if several failed, an `AggregateError` of them in argument
 * order. To stop at the first failure, use {@link tryJoin}.
 *
 * @example
 * ```ts
 * const rt = Builder.newCurrentThread().enableTime().startPaused(true).build();
 * const [a, b] = await rt.blockOn(function* () {
 *   return yield* join(
 *     function* () { yield* sleep(100); return 1; },
 *     async () => { await sleep(50); return "two"; },
 *   );
 * }); // a: number = 1, b: string = "two", after 100 ms of virtual time
 * await rt.shutdownTimeout(Infinity);
 * ```
 *
 * **Cancel safety**: dropping the join drops every branch still pending; each then behaves as
 * its own cancel safety says. Outputs of branches that had already completed are lost, so join
 * is not cancel safe unless every branch is idempotent to redo.
 *
 * **Throws** (the join future fails): the failing branch's error, or an AggregateError "join: N
 * of M futures failed", once every branch has finished. At the call: TypeError for an argument
 * that is neither a future nor a function.
 *
 * **Runtime compatibility**: works in generator tasks, async functions and with no runtime for
 * futures that need none.
 */
export function join<F extends readonly Branch[]>(...futures: F): Future<JoinOutputs<F>> {
  return new Join<JoinOutputs<F>>(branchFutures("join", futures), false);
}

/**
 * Like {@link join}, but the first branch to fail fails the whole join at once, and every other
 * branch is dropped (waiters deregistered, generators' `finally` blocks run). Tokio's
 * `try_join!`, where a failure is a thrown error.
 *
 * @example
 * ```ts
 * const [user, orders] = yield* tryJoin(fetchUser(id), fetchOrders(id));
 * // if fetchOrders throws, fetchUser is dropped at once and the error propagates
 * ```
 *
 * @example
 * ```ts
 * const [tx, rx] = oneshot.channel<number>();
 * tx.send(1);
 * const out = await tryJoin(rx, ready("x")); // [1, "x"], no runtime needed
 * ```
 *
 * **Cancel safety**: as {@link join}.
 *
 * **Throws** (the future fails): the first error a branch throws, after the other branches
 * were dropped. At the call: TypeError as {@link join}.
 *
 * **Runtime compatibility**: as {@link join}.
 */
export function tryJoin<F extends readonly Branch[]>(...futures: F): Future<JoinOutputs<F>> {
  return new Join<JoinOutputs<F>>(branchFutures("tryJoin", futures), true);
}
