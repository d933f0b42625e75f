/**
 * JoinSet: a collection of tasks whose outputs are taken in completion order.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type NotAsyncGenerator, type Poll, type Waker } from "@tokio-ts/core";
import { JoinError } from "./errors.js";
import { currentScheduler } from "./internal/current.js";
import { IN_SET, JOIN_INTEREST, Task, type OwnerWaker } from "./internal/task.js";
import type { AbortHandle } from "./join-handle.js";
import type { SpawnBody } from "./spawn.js";

/**
 * A set of tasks spawned on the current runtime, awaited in the order they complete.
 * Disposing the set (`using set = new JoinSet()`) aborts every task still in it and lets them go.
 *
 * Panics: a task of the set that panics is the set's to hand over, through `joinNext`,
 * `tryJoinNext` or `joinAll`, and is not reported while it is in the set. A panic the set lets
 * go of without handing it over is reported as unhandled (`Builder.onUnhandledPanic`), as a
 * detached task's: tasks removed by `detachAll()` or by disposing the set, whether they had
 * panicked already or panic later (a `finally` block that throws while they are aborted), and
 * the panics that `shutdown()` discards. A set that the program simply stops using, with panicked
 * tasks still unjoined in it, cannot be told from one that will be joined later (that would take
 * the garbage collector): those panics are not reported. Dispose such a set (`using`), or call
 * `detachAll()` or `shutdown()`, when done with it.
 *
 * @example
 * ```ts
 * using set = new JoinSet<number>();
 * for (let i = 0; i < 3; i++) set.spawn(async () => i * 10);
 * const outputs: number[] = [];
 * while (!set.isEmpty()) outputs.push((await set.joinNext())!);
 * ```
 */
export class JoinSet<T> implements Disposable {
  // Invariants: every task in `#tasks` has this set as owner; a completed task moves to `#done`
  // (FIFO) until it is joined; `size` counts both. `#wakers` holds every task waiting in a join
  // (several tasks may share a set): each completion, and `detachAll`, wakes them all, and each
  // polls again — one takes the task, the others wait on.
  readonly #tasks = new Set<Task<T>>();
  /**
   * The completed tasks not yet joined: `#done[#doneHead..#doneTail)`. Emptied by moving both
   * ends back to 0, so the array keeps its room: a set that is joined as fast as its tasks
   * finish makes no array per drain (it made one, and grew it again, every time it emptied).
   */
  #done: Task<T>[] = [];
  #doneHead = 0;
  #doneTail = 0;
  #wakers: Waker | Waker[] | undefined = undefined;

  /** How many tasks are in the set (running, or finished and not yet joined). */
  get size(): number {
    return this.#tasks.size;
  }

  /** Whether the set holds no task. */
  isEmpty(): boolean {
    return this.#tasks.size === 0;
  }

  /**
   * Spawn a task on the current runtime into the set.
   *
   * Typing note: in a set whose `T` is a literal, a tuple or a union of object types
   * (`JoinSet<"a" | "b">`, `JoinSet<[number, number]>`,
   * `JoinSet<{ ok: true; v: number } | { ok: false; e: string }>`),
   * TypeScript widens what an async or plain function body returns (`"a"` to `string`, `[1, 2]`
   * to `number[]`) before it compares it with `T`: give such a body its return type,
   * `async (): Promise<Out> => …`.
   * Generator function bodies are checked against `T` directly.
   *
   * A `JoinHandle` of this runtime given as the body (`set.spawn(spawnBlocking(job))`) is not
   * wrapped in a new task: the set takes that task, so disposing or `abortAll` aborts it —
   * Tokio's `JoinSet::spawn_blocking` (a blocking job not yet started never runs).
   *
   * @example
   * ```ts
   * using set = new JoinSet<number>();
   * for (const n of inputs) set.spawn(spawnBlocking(crunch, n));
   * ```
   *
   * **Throws**: as {@link spawn}; TypeError for a handle whose task is in a set already.
   */
  spawn(body: (signal: AbortSignal) => Generator<unknown, T, unknown>): AbortHandle;
  spawn(body: (signal: AbortSignal) => PromiseLike<T> | NotAsyncGenerator<T>): AbortHandle;
  spawn(body: Future<T>): AbortHandle;
  spawn(body: Generator<unknown, T, unknown>): AbortHandle;
  spawn(body: SpawnBody<T>): AbortHandle;
  spawn(body: SpawnBody<T>): AbortHandle {
    const scheduler = currentScheduler("JoinSet.spawn()");
    let task: Task<T>;
    if (typeof body === "object" && body instanceof Task && body.runtime === scheduler) {
      // A JoinHandle of this runtime (`set.spawn(spawnBlocking(job))`): the set takes that task
      // itself, so disposing the set aborts it — Tokio's `JoinSet::spawn_blocking` — rather
      // than a task that awaits it, whose abort would only detach it.
      if ((body.state & IN_SET) !== 0) throw new TypeError("body: that task is in a JoinSet already: a task belongs to one set");
      task = body as Task<T>;
    } else {
      task = scheduler.spawn(body);
    }
    task.state |= JOIN_INTEREST | IN_SET;
    this.#tasks.add(task);
    if (task.isFinished()) this.taskCompleted(task);
    else task.addJoinWaker(new Member(this, task));
    return task;
  }

  /** @internal Called when a task of the set completes (through its {@link Member} waker). */
  taskCompleted(task: Task<T>): void {
    // A task detached by detachAll() still wakes its member: it is no longer ours.
    if (!this.#tasks.has(task)) return;
    this.#done[this.#doneTail++] = task;
    this.#wakeAll();
  }

  /**
   * Wake every waiting join. A waker that throws (a foreign executor's, polling at once) stops
   * none of the others: the first error is rethrown once all are woken.
   */
  #wakeAll(): void {
    const wakers = this.#wakers;
    this.#wakers = undefined;
    if (wakers === undefined) return;
    if (!Array.isArray(wakers)) return wakers.wake();
    let thrown: { error: unknown } | undefined;
    for (const waker of wakers) {
      try {
        waker.wake();
      } catch (error) {
        thrown ??= { error };
      }
    }
    if (thrown !== undefined) throw thrown.error;
  }

  #take(): Task<T> | undefined {
    if (this.#doneHead === this.#doneTail) return undefined;
    const task = this.#done[this.#doneHead]!;
    this.#done[this.#doneHead++] = undefined as unknown as Task<T>;
    if (this.#doneHead === this.#doneTail) this.#doneHead = this.#doneTail = 0;
    this.#tasks.delete(task);
    task.state &= ~IN_SET;
    return task;
  }

  /** @internal Poll for the next completed task. */
  pollJoinNext(cx: Context): Poll<Task<T> | undefined> {
    if (this.#tasks.size === 0) return undefined;
    if (!pollProceed(cx)) return Pending;
    const task = this.#take();
    if (task !== undefined) {
      madeProgress(cx);
      return task;
    }
    const waker = cx.waker;
    const wakers = this.#wakers;
    if (wakers === undefined || wakers === waker) this.#wakers = waker;
    else if (!Array.isArray(wakers)) this.#wakers = [wakers, waker];
    else if (!wakers.includes(waker)) wakers.push(waker);
    return Pending;
  }

  /**
   * Wait for the next task to complete and take its output; undefined when the set is empty.
   * Rejects with the task's {@link JoinError} if it threw or was aborted (the task is removed
   * all the same).
   *
   * Several tasks may wait on the same set at once: each completed task goes to one of them.
   *
   * When the tasks themselves may return undefined (a `JoinSet<void>`), undefined does not tell
   * an empty set: loop on the size instead, `while (!set.isEmpty()) await set.joinNext()`, or
   * use {@link joinNextWithId}, whose `[id, output]` pair is never undefined.
   *
   * @example
   * ```ts
   * while (!set.isEmpty()) {
   *   try { console.log(yield* set.joinNext()) } catch (e) { console.log((e as JoinError).message) }
   * }
   * ```
   *
   * **Cancel safety**: cancel safe; a task completing while the call is dropped stays in the
   * set for the next call.
   */
  joinNext(): Future<T | undefined> {
    return new JoinNext(this, false) as Future<T | undefined>;
  }

  /**
   * As {@link joinNext}, with the task's id: `[id, output]`.
   *
   * **Cancel safety**: cancel safe, as {@link joinNext}.
   */
  joinNextWithId(): Future<[number, T] | undefined> {
    return new JoinNext(this, true) as Future<[number, T] | undefined>;
  }

  /**
   * Take the output of a task that has already completed, without waiting: undefined if none has.
   *
   * **Throws**: the task's JoinError.
   */
  tryJoinNext(): T | undefined {
    const task = this.#take();
    if (task === undefined) return undefined;
    if (task.failed) throw task.result as JoinError;
    return task.result as T;
  }

  /**
   * As {@link tryJoinNext}, with the task's id: `[id, output]`, or undefined if no task has
   * completed — which tells "none yet" from a task that returned undefined.
   *
   * @example
   * ```ts
   * const done = set.tryJoinNextWithId(); // [id, output] or undefined
   * ```
   *
   * **Throws**: the task's JoinError.
   */
  tryJoinNextWithId(): [number, T] | undefined {
    const task = this.#take();
    if (task === undefined) return undefined;
    if (task.failed) throw task.result as JoinError;
    return [task.id, task.result as T];
  }

  /**
   * Wait for every task and return their outputs in completion order. If one fails, the rest
   * are aborted and the returned future rejects with that error.
   *
   * **Cancel safety**: not cancel safe: outputs collected so far are lost if it is dropped.
   */
  joinAll(): Future<T[]> {
    return new JoinAll(this);
  }

  /**
   * Abort every task in the set; they stay in it until joined (as cancelled, or as panicked if a
   * `finally` block threw while aborted).
   */
  abortAll(): void {
    for (const task of this.#tasks) task.abort();
  }

  /**
   * Remove every task from the set without aborting it: they run on, detached. A pending
   * `joinNext()` is woken, and completes with undefined unless a task joined the set since.
   * Their panics are now reported as unhandled, as any detached task's: one that has panicked
   * already and was waiting in the set to be joined is reported now (after the usual host turn),
   * one that panics later when it does.
   *
   * **Throws**: what the waker of a waiting `joinNext()` threw (a foreign executor's that polls
   * at once), after every waiting one was woken.
   */
  detachAll(): void {
    for (const task of this.#tasks) {
      task.state &= ~IN_SET;
      task.runtime.reportUnjoined(task);
    }
    this.#tasks.clear();
    this.#done = [];
    this.#doneHead = this.#doneTail = 0;
    this.#wakeAll();
  }

  /**
   * Abort every task and wait until all have completed; the set is then empty. Outputs are
   * discarded; a panic among them (a task that had panicked before, or a `finally` block that
   * threw while aborted) is reported as unhandled.
   *
   * **Cancel safety**: cancel safe; the tasks were aborted already.
   */
  shutdown(): Future<void> {
    this.abortAll();
    return new Shutdown(this);
  }

  /**
   * Abort every task and let them go (`using set = new JoinSet()`): the set is empty afterwards,
   * as after {@link detachAll}, and a panic of one of them is reported as unhandled — one that
   * had panicked and was never joined, or one whose `finally` block throws while aborted.
   *
   * **Throws**: as {@link detachAll}.
   */
  [Symbol.dispose](): void {
    this.abortAll();
    this.detachAll();
  }
}

/**
 * The join waker a JoinSet leaves on each of its tasks: the task's completion wakes it, and it
 * hands the task to the set. One small object per task spawned into a set, instead of an owner
 * field on every task.
 */
class Member<T> implements OwnerWaker {
  readonly ownsTask = true;

  constructor(
    private readonly set: JoinSet<T>,
    private readonly task: Task<T>,
  ) {}

  wake(): void {
    this.set.taskCompleted(this.task);
  }
}

class JoinNext<T> extends Future<T | [number, T] | undefined> {
  constructor(
    private readonly set: JoinSet<T>,
    private readonly withId: boolean,
  ) {
    super();
  }

  override poll(cx: Context): Poll<T | [number, T] | undefined> {
    const task = this.set.pollJoinNext(cx);
    if (task === Pending || task === undefined) return task;
    if (task.failed) throw task.result as JoinError;
    return this.withId ? [task.id, task.result as T] : (task.result as T);
  }
}

class JoinAll<T> extends Future<T[]> {
  readonly #outputs: T[] = [];

  constructor(private readonly set: JoinSet<T>) {
    super();
  }

  override poll(cx: Context): Poll<T[]> {
    for (;;) {
      const task = this.set.pollJoinNext(cx);
      if (task === Pending) return Pending;
      if (task === undefined) return this.#outputs;
      if (task.failed) {
        this.set.abortAll();
        throw task.result as JoinError;
      }
      this.#outputs.push(task.result as T);
    }
  }
}

class Shutdown<T> extends Future<void> {
  constructor(private readonly set: JoinSet<T>) {
    super();
  }

  override poll(cx: Context): Poll<void> {
    for (;;) {
      const task = this.set.pollJoinNext(cx);
      if (task === Pending) return Pending;
      if (task === undefined) return undefined;
      // Discarded: a panic among the outputs is nobody's now.
      if (task.failed) task.runtime.reportUnjoined(task);
    }
  }
}
