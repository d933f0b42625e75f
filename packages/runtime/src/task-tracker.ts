/**
 * TaskTracker: count tasks and futures, and wait until they have all ended (tokio-util's
 * `task::TaskTracker`).
 *
 * HOW. A tracker is a count and a closed flag. A tracked task is spawned as any task, with a
 * waker of the tracker's registered for its whole life (an owner waker, as a JoinSet member's,
 * so dropping an await of its handle does not let it go); the task's completion wakes it, and it
 * takes one off the count. A tracked future and a token count the same way until they complete,
 * are dropped or are released. Unlike a JoinSet, the tracker keeps nothing of a task that ended:
 * no output, no handle, so a server tracking every connection holds nothing per closed one.
 * `wait()` futures wait in an intrusive list; each transition to "closed and empty" wakes them
 * all, and a wait woken so completes even if the tracker is reopened before it is polled. A wait
 * made while the tracker is closed and empty, or before such a transition that happened before
 * its first poll, completes too (it remembers the state and the transition count at its making).
 */
import { beginCancel, Future, intoFuture, madeProgress, Pending, pollProceed, type Context, type NotAsyncGenerator, type Poll, type Waker } from "@tokio-ts/core";
import { LinkedList, type ListNode } from "@tokio-ts/core/collections";
import { currentScheduler } from "./internal/current.js";
import type { OwnerWaker, Task } from "./internal/task.js";
import type { JoinHandle } from "./join-handle.js";
import type { SpawnBody } from "./spawn.js";

/**
 * Counts tasks and futures so that a program can wait for all of them to end — the graceful
 * shutdown of Tokio's guide: spawn each connection's task on the tracker, and on shutdown
 * `close()` it and `yield* tracker.wait()`.
 *
 * `wait()` completes once the tracker is **closed** and **empty**; closing is what says no more
 * tasks will come, so an empty tracker that is still open does not end a wait (a server between
 * two connections is not done). Unlike a {@link JoinSet}, it keeps no output and no handle of a
 * task that ended, so it holds nothing per finished task, and it never aborts anything: pair it
 * with a `CancellationToken` to ask the tasks to stop. A tracked task's panic is reported as a
 * detached task's unless its handle is awaited.
 *
 * @example
 * ```ts
 * const tracker = new TaskTracker();
 * for (let i = 0; i < 10; i++) tracker.spawn(function* () { yield* sleep(10 * i); });
 * tracker.close();
 * yield* tracker.wait(); // all ten have ended
 * ```
 */
export class TaskTracker {
  #count = 0;
  #closed = false;
  #transitions = 0;
  readonly #waits = new LinkedList<WaitNode>();

  /** How many tasks, futures and tokens are tracked now. */
  get size(): number {
    return this.#count;
  }

  /** Whether nothing is tracked now. */
  isEmpty(): boolean {
    return this.#count === 0;
  }

  /** Whether {@link close} was called (and not undone by {@link reopen}). */
  isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Say that no more tasks will be added, so `wait()` completes once the count reaches zero
   * (at once, if it is zero). Tracking still works after it. Returns true if the tracker was
   * open.
   *
   * @example
   * ```ts
   * tracker.close(); // true
   * tracker.close(); // false: it was closed already
   * ```
   */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    if (this.#count === 0) this.#wakeWaits();
    return true;
  }

  /**
   * Open a closed tracker again: `wait()` no longer completes on an empty count. Waits that
   * were already woken complete all the same. Returns true if the tracker was closed.
   *
   * @example
   * ```ts
   * tracker.reopen(); // false on an open tracker
   * ```
   */
  reopen(): boolean {
    if (!this.#closed) return false;
    this.#closed = false;
    return true;
  }

  /**
   * Spawn a task on the current runtime, tracked until it ends (returns, fails, or is aborted).
   * The handle is the task's, as `spawn` gives it.
   *
   * @example
   * ```ts
   * for await (const socket of listener) tracker.spawn(serve(socket));
   * ```
   *
   * **Throws**: as `spawn` (no runtime, a body of another kind); the count is unchanged then.
   */
  spawn<T>(body: (signal: AbortSignal) => Generator<unknown, T, unknown>): JoinHandle<T>;
  spawn<R>(body: (signal: AbortSignal) => NotAsyncGenerator<R>): JoinHandle<Awaited<R>>;
  spawn<T>(body: Future<T>): JoinHandle<T>;
  spawn<T>(body: Generator<unknown, T, unknown>): JoinHandle<T>;
  spawn<T>(body: SpawnBody<T>): JoinHandle<T>;
  spawn<T>(body: SpawnBody<T>): JoinHandle<T> {
    const task: Task<T> = currentScheduler("TaskTracker.spawn()").spawn(body);
    if (!task.isFinished()) {
      this.#count++;
      task.addJoinWaker(new Tracked(this));
    }
    return task;
  }

  /**
   * A future that runs `future` (or any body `spawn` takes, on the task that awaits it) and is
   * tracked from now until it completes or is dropped. Tokio's `track_future`. A tracked future
   * that is never awaited nor dropped stays counted: await it, or drop it with `cancel()`.
   *
   * @example
   * ```ts
   * const job = tracker.trackFuture(spawnBlocking(work, input)); // the job, counted until it ends
   * yield* job;
   * ```
   *
   * **Cancel safety**: as cancel safe as `future`; dropping it drops `future` and ends the
   * tracking.
   */
  trackFuture<T>(future: Future<T>): Future<T>;
  trackFuture<T>(body: (signal: AbortSignal) => Generator<unknown, T, unknown>): Future<T>;
  trackFuture<R>(body: (signal: AbortSignal) => NotAsyncGenerator<R>): Future<Awaited<R>>;
  trackFuture<T>(body: Generator<unknown, T, unknown>): Future<T>;
  trackFuture<T>(body: SpawnBody<T>): Future<T> {
    const inner = intoFuture(body as SpawnBody<T>, "future");
    this.#count++;
    return new TrackedFuture(this, inner);
  }

  /**
   * A token that counts as one tracked task until it is released (`release()`, or `using`):
   * for work the tracker does not run itself (a callback, a worker of your own). Tokio's
   * `TaskTracker::token`.
   *
   * @example
   * ```ts
   * using token = tracker.token(); // released at the end of the block
   * ```
   */
  token(): TaskTrackerToken {
    this.#count++;
    return new TaskTrackerToken(this);
  }

  /**
   * Wait until the tracker is closed and empty. Any number of tasks may wait.
   *
   * @example
   * ```ts
   * token.cancel();      // ask the tasks to stop
   * tracker.close();
   * yield* tracker.wait();
   * ```
   *
   * **Cancel safety**: cancel safe; a dropped wait leaves the list in O(1).
   */
  wait(): Future<void> {
    return new Wait(this);
  }

  /** @internal One tracked task, future or token ended. */
  untrack(): void {
    if (--this.#count === 0 && this.#closed) this.#wakeWaits();
  }

  /** @internal Whether a wait may complete now. */
  isDone(): boolean {
    return this.#closed && this.#count === 0;
  }

  /** @internal */
  waits(): LinkedList<WaitNode> {
    return this.#waits;
  }

  #wakeWaits(): void {
    this.#transitions++;
    const waits = this.#waits;
    let failed = false; // a waker that throws keeps no other wait from its wake-up
    let first: unknown;
    for (let node = waits.head; node !== undefined; node = waits.head) {
      waits.remove(node);
      node.woken = true;
      const waker = node.waker;
      node.waker = undefined;
      try {
        waker?.wake();
      } catch (error) {
        if (!failed) first = error;
        failed = true;
      }
    }
    if (failed) throw first;
  }

  /** @internal How many times the tracker became closed and empty (a wait made before sees it). */
  transitions(): number {
    return this.#transitions;
  }
}

/** The tracker's owner waker on a tracked task: the task's completion wakes it once. */
class Tracked implements OwnerWaker {
  readonly ownsTask = true;

  constructor(private readonly tracker: TaskTracker) {}

  wake(): void {
    this.tracker.untrack();
  }
}

/** A future counted by its tracker until it completes or is dropped. */
class TrackedFuture<T> extends Future<T> {
  #tracker: TaskTracker | undefined;

  constructor(
    tracker: TaskTracker,
    private readonly inner: Future<T>,
  ) {
    super();
    this.#tracker = tracker;
  }

  override poll(cx: Context): Poll<T> {
    let out: Poll<T>;
    try {
      out = this.inner.poll(cx);
    } catch (error) {
      this.#end();
      throw error;
    }
    if (out !== Pending) this.#end();
    return out;
  }

  override cancel(): void {
    if (this.#tracker === undefined) return;
    this.#end();
    this.inner.cancel();
  }

  /**
   * An abort of the task it is the body of (`spawn(tracker.trackFuture(body))`): the body is
   * cancelled as a task's own body is (a generator's `finally` may still wait, an async
   * function unwinds), and the tracking ends once it has.
   */
  beginCancel(taskId?: number): boolean {
    if (this.#tracker === undefined) return true;
    const unwound = beginCancel(this.inner, taskId);
    if (unwound) this.#end();
    return unwound;
  }

  #end(): void {
    const tracker = this.#tracker;
    this.#tracker = undefined;
    tracker?.untrack();
  }
}

/**
 * Counts as one task of its {@link TaskTracker} until released. Release it once (idempotent);
 * `using` does it at the end of the scope.
 *
 * @example
 * ```ts
 * const token = tracker.token();
 * worker.on("exit", () => token.release());
 * ```
 */
export class TaskTrackerToken implements Disposable {
  #tracker: TaskTracker | undefined;

  /** @hidden Use {@link TaskTracker.token}. */
  constructor(tracker: TaskTracker) {
    this.#tracker = tracker;
  }

  /** Stop counting. Idempotent. */
  release(): void {
    const tracker = this.#tracker;
    this.#tracker = undefined;
    tracker?.untrack();
  }

  /** `using token = tracker.token()`: released at the end of the scope. */
  [Symbol.dispose](): void {
    this.release();
  }
}

/** A wait's place in its tracker's list. */
class WaitNode implements ListNode {
  listPrev: ListNode | undefined = undefined;
  listNext: ListNode | undefined = undefined;
  list: LinkedList<ListNode> | undefined = undefined;
  waker: Waker | undefined = undefined;
  /** Taken off the list by a transition to closed-and-empty: complete at the next poll. */
  woken = false;
}

class Wait extends Future<void> {
  #node: WaitNode | undefined = undefined;
  #done = false;
  /**
   * What the wait saw when it was made: ready if the tracker was closed and empty then, or has
   * been at some moment since (as Tokio's wait, which a `reopen()` before its first poll does
   * not undo).
   */
  readonly #readyAtStart: boolean;
  readonly #transitionsAtStart: number;

  constructor(private readonly tracker: TaskTracker) {
    super();
    this.#readyAtStart = tracker.isDone();
    this.#transitionsAtStart = tracker.transitions();
  }

  override poll(cx: Context): Poll<void> {
    if (this.#done) throw new Error("a TaskTracker wait() future was polled after it completed or was dropped");
    if (!pollProceed(cx)) return Pending;
    const node = this.#node;
    const tracker = this.tracker;
    if (
      tracker.isDone() ||
      node?.woken === true ||
      this.#readyAtStart ||
      tracker.transitions() !== this.#transitionsAtStart
    ) {
      this.#done = true;
      if (node !== undefined) {
        node.waker = undefined;
        this.tracker.waits().remove(node);
      }
      madeProgress(cx);
      return undefined;
    }
    if (node === undefined) {
      const fresh = (this.#node = new WaitNode());
      fresh.waker = cx.waker;
      this.tracker.waits().pushBack(fresh);
    } else {
      node.waker = cx.waker;
    }
    return Pending;
  }

  override cancel(): void {
    if (this.#done) return;
    this.#done = true;
    const node = this.#node;
    if (node === undefined) return;
    node.waker = undefined;
    this.tracker.waits().remove(node);
  }
}
