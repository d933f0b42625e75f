/**
 * The blocking pool: the driver behind `spawnBlocking` (one per runtime).
 *
 * HOW. Jobs wait in a FIFO queue on this thread. `#dispatch()` (run from a microtask after the
 * first submit, so a burst of submits is dispatched as one batch) moves them, in order, into the
 * slot rings of the workers (layout.ts), preferring the worker with the fewest jobs in its ring,
 * and publishes each ring once per batch. A worker's ring holds at most `#depth()` jobs: enough
 * to keep a worker busy with tiny jobs between two visits of this thread (up to 255), but only
 * 2 for jobs of a few milliseconds, so that a slow job does not hold many others hostage while
 * another worker idles. The depth follows an average of the jobs' run times (the workers report
 * each run time with the result).
 *
 * Completions: while any job is in a ring, the pool waits with `Atomics.waitAsync` on the
 * shared completion counter (see layout.ts for the flag that makes workers notify only then),
 * and on wake reads every finished slot of every worker in one pass (`#reap`), settles the jobs
 * (their tasks are woken), refills the rings and waits again. So a stream of tiny jobs costs a
 * few host wake-ups per batch, not a message per job. A pending `waitAsync` holds no handle.
 *
 * Threads (Tokio's rules, adapted): a job that finds no idle worker starts a new one while
 * there are fewer than `maxBlockingThreads`; an idle worker is unref'd (never keeps the process
 * alive) and exits after `threadKeepAlive` ms without a job (one unref'd host timer for the
 * pool). A worker that dies (process.exit, out of memory, a crash) fails only the job it was
 * running; the jobs queued in its ring go back to the front of the queue, in order, and a new
 * worker is started for them on demand.
 *
 * Start failures. A worker that exits before it ever took a job from its ring (`hasRun()` is
 * false, see worker-handle.ts) *failed to start*: its script could not be loaded (an app
 * bundled without internal/worker.js), it ran out of memory while booting (tiny
 * `threadResourceLimits`), …. Requeuing its jobs, as for a crash, would start the next worker
 * into the same failure, forever, with every job pending (the bug this rule fixes). So:
 * - if another worker that has run jobs is still taking jobs, the failed worker's jobs go back
 *   to the front of the queue for it, as after a crash;
 * - otherwise nothing can run them: its jobs, and every job still queued on this thread, fail
 *   with a WorkerExitError that says the worker could not start (its exit code, its 'error'
 *   event as `cause`);
 * - either way `#startFailed` is set, and while it is, a worker is started only when the pool
 *   has none that takes jobs — one start at a time, never to grow beside a working one. It is
 *   cleared when `#reap` frees the first finished (or skipped) record of a worker not yet known
 *   to have run: a start that worked. (The workers found working at the failure are known.)
 * Why this cannot loop: a worker is started for a job, which goes into its ring at once (and
 * stealing never takes a ring's oldest job), so a failed start with no working worker settles
 * that job; with a working worker, no start follows until some worker's first job shows that
 * starting works again, or no worker is left. Failed starts are thus bounded by the jobs
 * submitted plus the starts that worked — and a later job always gets a fresh attempt when the
 * pool has no worker, so a transient failure does not poison the pool. The cost: after a failed
 * start beside working workers, the pool does not grow until those have all exited (or one
 * it starts alone runs a job), rather than risk restarting a failing worker per batch of jobs.
 *
 * Abort (`cancel`): a job still on this thread is skipped; one queued in a ring is marked
 * CANCELLED there (the worker skips it); a running one is detached (runs to completion, result
 * dropped) — or, with `terminateOnAbort`, marked KILL and its worker terminated.
 *
 * Shutdown: `shutdown()` (from the runtime's teardown, after every task — hence every job — was
 * dropped) writes an EXIT record to every worker, so each leaves after its running job;
 * `shutdownTimeout(ms)` waits for that up to `ms` and then terminates the rest.
 */
import { availableParallelism } from "node:os";
import { receiveMessageOnPort, type ResourceLimits } from "node:worker_threads";
import v8 from "node:v8";
import { ContextError, type Driver, type DriverHost, type DriverOptions } from "@tokio-ts/core";
import { RingBuffer } from "@tokio-ts/core/collections";
import { messages, WorkerExitError } from "../errors.js";
import { decodeValue, fromErrorRecord, type ErrorRecord } from "./codec.js";
import {
  CANCELLED as SLOT_CANCELLED,
  DONE,
  DONE_STATE,
  F_PORT,
  F_THREW,
  KILL,
  MAIN_WAITING,
  POOL_BUFFER_BYTES,
  QUEUED as SLOT_QUEUED,
  RECORD_HEADER,
  RUNNING,
  SKIPPED,
  SLOT_BYTES,
  SLOTS,
  SLOTS_OFFSET,
  waitAsync,
} from "./layout.js";
import { CANCELLED, DETACHED, DISPATCHED, Definitions, Job, makeJob, QUEUED, type JobOwner } from "./job.js";
import type { PortPayload } from "./messages.js";
import { WORKER_URL, WorkerHandle } from "./worker-handle.js";

/** Default keep-alive of an idle worker (Tokio: 10 s). */
const DEFAULT_KEEP_ALIVE = 10_000;
/** How much queued work (µs, by the running average) a ring may hold beyond its running job. */
const DEPTH_BUDGET_MICROS = 2_000;
/** Largest ring depth (one slot stays free for the EXIT record). */
const MAX_DEPTH = SLOTS - 1;
/** The running average of job run times starts here (µs): unknown jobs get a shallow ring. */
const INITIAL_AVERAGE_MICROS = 1_000;
/** A worker is stuck on a long job (see #stuck) past this many average job times… */
const STUCK_FACTOR = 4;
/** …and at least this long (ms): short jobs never make a worker stuck. */
const STUCK_MIN_MS = 1;

/** What a pool hook gets. */
interface ThreadMeta {
  readonly threadId: number;
}

/** The pool's settings, from the runtime builder's driver options. */
export interface PoolOptions {
  readonly maxThreads: number;
  readonly keepAlive: number;
  readonly onThreadStart: ((meta: ThreadMeta) => void) | undefined;
  readonly onThreadStop: ((meta: ThreadMeta) => void) | undefined;
  readonly resourceLimits: ResourceLimits | undefined;
}

/** Read the pool settings that the builder put in the driver options. */
export function poolOptions(options: DriverOptions): PoolOptions {
  const maxThreads = options["maxBlockingThreads"];
  const keepAlive = options["threadKeepAlive"];
  const onThreadStart = options["onThreadStart"];
  const onThreadStop = options["onThreadStop"];
  const resourceLimits = options["threadResourceLimits"];
  return {
    maxThreads: typeof maxThreads === "number" ? maxThreads : Math.max(1, availableParallelism()),
    keepAlive: typeof keepAlive === "number" ? keepAlive : DEFAULT_KEEP_ALIVE,
    onThreadStart: typeof onThreadStart === "function" ? (onThreadStart as PoolOptions["onThreadStart"]) : undefined,
    onThreadStop: typeof onThreadStop === "function" ? (onThreadStop as PoolOptions["onThreadStop"]) : undefined,
    resourceLimits: typeof resourceLimits === "object" && resourceLimits !== null ? (resourceLimits as ResourceLimits) : undefined,
  };
}

/**
 * Take up to `most` of the jobs queued (not started) behind `w`'s oldest, oldest first, and hand
 * each to `take`: by CAS QUEUED → CANCELLED on its slot, so the worker skips it. Jobs whose
 * arguments went on their own channel stay (they cannot be posted twice), and so does the
 * oldest: it is running, or about to, and taking it would only race the worker for it.
 */
function takeQueued(w: WorkerHandle, most: number, take: (job: Job<unknown>) => void): void {
  for (let n = (w.tail + 1) | 0; n !== w.head && most > 0; n = (n + 1) | 0) {
    const slot = n & (SLOTS - 1);
    const job = w.jobs[slot]!;
    if (job.args === undefined && job.bytes === undefined) continue;
    if (Atomics.compareExchange(w.states, slot, SLOT_QUEUED, SLOT_CANCELLED) !== SLOT_QUEUED) continue;
    take(job);
    most--;
  }
}

/**
 * The blocking pool of one runtime (see the module header for how it works). Users reach it
 * through `spawnBlocking` and `blockingMetrics`; executors through the `BLOCKING` driver key.
 *
 * @example
 * ```ts
 * const pool = Handle.current().driver(BLOCKING);
 * pool.numThreads; // worker threads alive
 * ```
 */
export class BlockingPool implements Driver, JobOwner {
  /** The settings from the runtime's builder. */
  readonly options: PoolOptions;
  readonly parkOnIdle = false;
  /** The runtime that owns the pool (told when the last unfinished job ends). */
  readonly #host: DriverHost | undefined;
  /** Job functions by source or module export, each with the id workers know it by. */
  readonly definitions = new Definitions();

  /** Jobs submitted. */
  spawnedCount = 0;
  /** Jobs that ran to the end on a worker (returned or threw). */
  completedCount = 0;

  #queue = new RingBuffer<Job<unknown>>();
  /** The queue's first job, taken out but not placed yet (no ring had room): it goes first. */
  #front: Job<unknown> | undefined = undefined;
  /** Jobs in `#front` and `#queue` that are not cancelled. */
  #queued = 0;
  /** Workers that take jobs (not retiring). */
  readonly #workers: WorkerHandle[] = [];
  /** Every worker whose thread has not exited yet (including retiring ones). */
  readonly #alive = new Set<WorkerHandle>();
  /** Jobs in rings, all workers. */
  #inflight = 0;
  readonly #shared = new SharedArrayBuffer(POOL_BUFFER_BYTES);
  readonly #words = new Int32Array(this.#shared);
  #lastDone = 0;
  #waiting = false;
  #dispatchScheduled = false;
  #averageMicros = INITIAL_AVERAGE_MICROS;
  #keepAliveTimer: NodeJS.Timeout | undefined = undefined;
  #closed = false;
  /**
   * A worker failed to start, and no worker has run its first job since: start a worker only
   * when none takes jobs (see "Start failures" in the module header).
   */
  #startFailed = false;
  /** Why the last `new Worker` threw (see #dispatch), until the jobs it stranded have failed. */
  #startError: unknown = undefined;
  readonly #dispatchTask = (): void => {
    this.#dispatchScheduled = false;
    this.#dispatch();
    this.#markTails(); // so the next completion pass can tell a worker stuck since this one
  };
  readonly #wake = (): void => this.#onWake();

  constructor(options: PoolOptions, host?: DriverHost) {
    this.options = options;
    this.#host = host;
  }

  /**
   * While a job is queued or running, the runtime parks no driver: a paused clock does not
   * auto-advance past it (Tokio inhibits auto-advance while `spawn_blocking` tasks run).
   */
  get holdsPark(): boolean {
    return this.#queued !== 0 || this.#inflight !== 0;
  }

  /** After a change that may have ended the last unfinished job: let the runtime park again. */
  #maybeUnpark(): void {
    if (this.#queued === 0 && this.#inflight === 0) this.#host?.unpark?.();
  }

  // ---- metrics --------------------------------------------------------------------------------

  /** Worker threads alive (busy, idle or exiting). */
  get numThreads(): number {
    return this.#alive.size;
  }

  /** Workers that take jobs and have none. */
  get numIdleThreads(): number {
    let idle = 0;
    for (const w of this.#workers) if (w.inflight === 0) idle++;
    return idle;
  }

  /** Jobs not started: in the queue and in the rings. */
  get queueDepth(): number {
    let depth = this.#queued;
    for (const w of this.#workers) {
      for (let n = w.tail; n !== w.head; n = (n + 1) | 0) {
        if (Atomics.load(w.states, n & (SLOTS - 1)) === SLOT_QUEUED) depth++;
      }
    }
    return depth;
  }

  // ---- submitting -----------------------------------------------------------------------------

  /** Make a job for `spec(...args)` and queue it. **Throws** TypeError for bad input. */
  submit<T>(spec: unknown, args: unknown[], terminateOnAbort: boolean): Job<T> {
    if (this.#closed) throw ContextError.shutdown(messages.shutdown());
    const definition = this.definitions.of(spec);
    const job = makeJob<T>(this, definition, args, terminateOnAbort);
    this.spawnedCount++;
    this.#queue.push(job as Job<unknown>);
    this.#queued++;
    if (!this.#dispatchScheduled) {
      this.#dispatchScheduled = true;
      queueMicrotask(this.#dispatchTask);
    }
    return job;
  }

  cancel(job: Job<unknown>): void {
    if (job.state === QUEUED) {
      job.state = CANCELLED;
      job.channel?.close();
      job.channel = undefined;
      if (--this.#queued === 0) this.#dropCancelled();
      this.#maybeUnpark();
      return;
    }
    if (job.state !== DISPATCHED) return;
    const worker = job.worker!;
    const prior = Atomics.compareExchange(worker.states, job.slot, SLOT_QUEUED, SLOT_CANCELLED);
    if (prior === SLOT_QUEUED) {
      job.state = CANCELLED;
      return;
    }
    if (job.terminateOnAbort && prior === RUNNING && Atomics.compareExchange(worker.states, job.slot, RUNNING, KILL) === RUNNING) {
      job.state = CANCELLED;
      this.#retire(worker);
      worker.terminate();
      return;
    }
    // Running (or just finished): it completes, as in Tokio, but nobody sees the result (the
    // aborted task's handle already failed as cancelled; Tokio's handle would get the result).
    job.state = DETACHED;
  }

  // ---- dispatch -------------------------------------------------------------------------------

  #depth(): number {
    const depth = Math.ceil(DEPTH_BUDGET_MICROS / Math.max(this.#averageMicros, 1)) + 1;
    return depth < 2 ? 2 : depth > MAX_DEPTH ? MAX_DEPTH : depth;
  }

  #dispatch(): void {
    if (this.#closed) return;
    const queue = this.#queue;
    const depth = this.#depth();
    const now = performance.now(); // for #stuck, once per dispatch
    const touched = new Set<WorkerHandle>();
    while (this.#queued > 0) {
      const job = this.#front ?? queue.shift()!;
      this.#front = undefined;
      if (job.state === CANCELLED) continue;
      const worker = this.#pick(job, depth, now);
      if (worker === undefined) {
        this.#front = job; // no room anywhere: it stays first
        const failure = this.#startError;
        if (failure !== undefined && this.#workers.length === 0) {
          // Node could not even create a thread (`new Worker` threw: a thread or memory limit,
          // an impossible resource limit), and no worker is there to run the jobs: they fail,
          // as after a worker that could not start. A later job tries again.
          this.#startError = undefined;
          this.#startFailed = true;
          this.#failQueued(() => new WorkerExitError(-1, failure, { script: WORKER_URL.href }));
        }
        break;
      }
      this.#queued--;
      worker.write(job);
      touched.add(worker);
    }
    if (this.#queued === 0) this.#dropCancelled();
    if (touched.size === 0) return;
    for (const w of touched) w.publish();
    this.#recount();
    this.#disarmKeepAlive();
    this.#awaitCompletions();
  }

  /**
   * The worker for `job`: an idle one if any; else start one if below the limit (after a failed
   * start, only if there is no worker at all); else the least loaded ring with room. Jobs with
   * transfers go only to an idle worker (their payload was moved into a channel that cannot be
   * resent if the worker died before taking it).
   */
  #pick(job: Job<unknown>, depth: number, now: number): WorkerHandle | undefined {
    let best: WorkerHandle | undefined;
    for (const w of this.#workers) {
      if (this.#stuck(w, now)) continue; // on a long job: nothing more for it (see #steal)
      if (best === undefined || w.inflight < best.inflight) best = w;
    }
    if (best !== undefined && best.inflight === 0) return best;
    const workers = this.#workers.length;
    if (workers < this.options.maxThreads && (!this.#startFailed || workers === 0)) return this.#start();
    if (job.channel !== undefined || best === undefined || best.inflight >= depth) return undefined;
    return best;
  }

  /** A new worker, or undefined if Node could not create the thread (`#startError` says why). */
  #start(): WorkerHandle | undefined {
    let worker: WorkerHandle;
    try {
      worker = new WorkerHandle(this.#shared, this.options.resourceLimits);
    } catch (error) {
      this.#startError = error;
      return undefined;
    }
    this.#workers.push(worker);
    this.#alive.add(worker);
    const onStart = this.options.onThreadStart;
    worker.worker.once("online", () => {
      worker.online = true;
      callHook(onStart, worker.threadId);
    });
    worker.worker.once("exit", (code: number) => this.#onExit(worker, code));
    return worker;
  }

  /**
   * No live job is queued: let go of the cancelled ones still in the queue. A cancelled job
   * stays queued (it is skipped when its turn comes), but with no live job behind it no turn
   * comes until the next submit — and an aborted burst of jobs would keep its arguments alive
   * until then. Each entry is shifted out once: O(1) per job.
   */
  #dropCancelled(): void {
    this.#front = undefined;
    const queue = this.#queue;
    while (queue.shift() !== undefined);
  }

  /** Put `jobs` (in order) before every queued job: a dead worker's jobs that had not started. */
  #unshift(jobs: Job<unknown>[]): void {
    const queue = new RingBuffer<Job<unknown>>(Math.max(256, jobs.length + this.#queue.length + 1));
    for (const job of jobs) queue.push(job);
    if (this.#front !== undefined) queue.push(this.#front);
    this.#front = undefined;
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) queue.push(job);
    this.#queue = queue;
  }

  #recount(): void {
    let inflight = 0;
    for (const w of this.#alive) inflight += w.inflight;
    this.#inflight = inflight;
  }

  /**
   * Rebalance, so that a job never waits behind a long one while another thread gets through
   * the jobs queued after it — the case a shared queue would avoid, and our per-worker rings
   * must repair. Two moves, run whenever a completion wakes this thread, before the queue is
   * dispatched (the jobs in the rings are older than those in the queue):
   * - a worker *stuck* on a long job (#stuck) gives the jobs queued behind it back to the front
   *   of the queue, in order; `#pick` gives it no new ones while it is stuck;
   * - an idle worker takes half of the jobs queued in the ring of the worker with the most,
   *   oldest first.
   * Either way through {@link takeQueued}.
   */
  #steal(): void {
    const now = performance.now();
    const back: Job<unknown>[] = [];
    for (const w of this.#workers) {
      if (w.inflight >= 2 && this.#stuck(w, now)) takeQueued(w, SLOTS, (job) => back.push(job));
    }
    this.#requeueFront(back);
    for (const thief of this.#workers) {
      if (thief.inflight !== 0) continue;
      let victim: WorkerHandle | undefined;
      let most = 0;
      for (const w of this.#workers) {
        if (w === thief || w.inflight < 2) continue;
        let queued = 0;
        for (let n = (w.tail + 1) | 0; n !== w.head; n = (n + 1) | 0) {
          if (Atomics.load(w.states, n & (SLOTS - 1)) === SLOT_QUEUED) queued++;
        }
        if (queued > most) {
          most = queued;
          victim = w;
        }
      }
      if (victim === undefined) break;
      takeQueued(victim, Math.ceil(most / 2), (job) => thief.write(job));
      thief.publish();
    }
    this.#recount();
  }

  /** Put jobs taken back from a ring (state QUEUED again) before every queued job, in order. */
  #requeueFront(jobs: Job<unknown>[]): void {
    if (jobs.length === 0) return;
    for (const job of jobs) {
      job.state = QUEUED;
      job.worker = undefined;
    }
    this.#queued += jobs.length;
    this.#unshift(jobs);
  }

  /** After a pass: each worker's oldest job, and since when it is the oldest (see #stuck). */
  #markTails(): void {
    let now = -1;
    for (const w of this.#workers) {
      if (w.inflight === 0) w.seenTail = -1;
      else if (w.tail !== w.seenTail) {
        if (now < 0) now = performance.now();
        w.seenTail = w.tail;
        w.oldestSince = now;
      }
    }
  }

  /**
   * Whether `w` is stuck on a long job: its oldest job has been its oldest since before the last
   * pass, for more than STUCK_FACTOR times the average job's run time (and at least
   * STUCK_MIN_MS). A worker merely in the middle of an ordinary job is not.
   */
  #stuck(w: WorkerHandle, now: number): boolean {
    if (w.inflight === 0 || w.tail !== w.seenTail) return false;
    return now - w.oldestSince > Math.max(STUCK_MIN_MS, (STUCK_FACTOR * this.#averageMicros) / 1000);
  }

  // ---- completions ----------------------------------------------------------------------------

  #awaitCompletions(): void {
    if (this.#waiting || this.#inflight === 0) return;
    const words = this.#words;
    Atomics.store(words, MAIN_WAITING, 1);
    const seen = Atomics.load(words, DONE);
    if (seen !== this.#lastDone) {
      // Something finished since the last pass: look now (from the host, to stay fair to I/O).
      this.#waiting = true;
      setImmediate(this.#wake);
      return;
    }
    const result = waitAsync(words, DONE, seen);
    this.#waiting = true;
    if (result.async) void result.value.then(this.#wake);
    else setImmediate(this.#wake);
  }

  #onWake(): void {
    this.#waiting = false;
    Atomics.store(this.#words, MAIN_WAITING, 0);
    this.#lastDone = Atomics.load(this.#words, DONE);
    for (const w of this.#alive) if (w.inflight !== 0) this.#reap(w);
    this.#recount();
    // Rings first: a job waiting in a busy worker's ring is older than every job in the queue,
    // so an idle worker takes those before the queue feeds it (FIFO; under a steady stream of
    // jobs it would otherwise wait behind a long one for good).
    this.#steal();
    this.#dispatch();
    this.#markTails();
    this.#awaitCompletions();
    this.#armKeepAlive();
    this.#maybeUnpark();
  }

  /** Settle every finished job at the front of `worker`'s ring and free those slots. */
  #reap(worker: WorkerHandle): void {
    const states = worker.states;
    const i32 = worker.view.i32;
    while (worker.inflight !== 0) {
      const slot = worker.tail & (SLOTS - 1);
      const state = Atomics.load(states, slot);
      const job = worker.jobs[slot]!;
      if (state === DONE_STATE) {
        const base = SLOTS_OFFSET + slot * SLOT_BYTES;
        const flags = i32[base >> 2]!;
        const micros = i32[(base >> 2) + 1]!;
        this.#averageMicros += (micros - this.#averageMicros) / 8;
        this.completedCount++;
        this.#deliver(worker, job, flags, base);
      } else if (state !== SKIPPED) break;
      if (!worker.ran) {
        // Its first job: the worker started, so starting workers works (again).
        worker.ran = true;
        this.#startFailed = false;
      }
      worker.free(slot);
      if (worker.inflight === 0) worker.idleSince = performance.now();
    }
  }

  #deliver(worker: WorkerHandle, job: Job<unknown>, flags: number, base: number): void {
    let value: unknown;
    let failed = (flags & F_THREW) !== 0;
    try {
      if ((flags & F_PORT) !== 0) {
        // Read it even for a detached job: the port's messages are in slot order.
        const message = receiveMessageOnPort(worker.port)?.message as PortPayload | undefined;
        if (job.state !== DISPATCHED) return;
        if (message === undefined) throw new Error("tokio-ts blocking: a job's result message is missing");
        value = "bytes" in message ? v8.deserialize(message.bytes) : (message as { value: unknown }).value;
      } else {
        if (job.state !== DISPATCHED) return;
        value = decodeValue(worker.view, base + RECORD_HEADER);
      }
      if (failed) value = fromErrorRecord(value as ErrorRecord);
    } catch (error) {
      failed = true;
      value = error;
    }
    job.settle(failed, value);
  }

  // ---- worker exit ----------------------------------------------------------------------------

  #onExit(worker: WorkerHandle, code: number): void {
    this.#alive.delete(worker);
    this.#remove(worker);
    // Results that made it are good; then the job it was running fails and the jobs queued
    // behind it go back to the front of the queue — unless it failed to start (never took a job;
    // we only terminate workers that did, or at shutdown): then they stay queued only for a
    // worker that works, else fail (see "Start failures" in the module header).
    this.#reap(worker);
    const startFailed = !this.#closed && !worker.terminating && !worker.hasRun();
    const someWorks = startFailed && this.#workers.some((w) => w.hasRun());
    const failWaiting = startFailed && !someWorks;
    let told = false; // a job failed with the worker's error, so it reached someone
    const exitError = (): WorkerExitError => {
      told = true;
      return new WorkerExitError(code, worker.lastError, startFailed ? { script: WORKER_URL.href } : undefined);
    };
    const requeue: Job<unknown>[] = [];
    while (worker.inflight !== 0) {
      const slot = worker.tail & (SLOTS - 1);
      const state = Atomics.load(worker.states, slot);
      const job = worker.jobs[slot]!;
      if (state === SLOT_QUEUED && job.state === DISPATCHED) {
        if (failWaiting) job.settle(true, exitError());
        else if (job.channel === undefined && job.args === undefined && job.bytes === undefined) {
          told = true;
          job.settle(true, new WorkerExitError(code, worker.lastError, "argumentsLost"));
        } else {
          requeue.push(job);
        }
      } else if (state === RUNNING || state === DONE_STATE) {
        if (job.state === DISPATCHED) job.settle(true, exitError());
      }
      worker.free(slot);
    }
    worker.port.close();
    this.#requeueFront(requeue);
    if (startFailed) {
      this.#startFailed = true;
      if (failWaiting) this.#failQueued(exitError);
    }
    // A worker that died of an error while no job waited on it (a timer or a promise a job left
    // behind threw after the job returned): nobody else will hear of it.
    if (!told && !startFailed && worker.lastError !== undefined) {
      console.error(`tokio-ts: blocking worker thread ${worker.threadId} died of an error thrown after its job returned:`, worker.lastError);
    }
    this.#recount();
    // Paired with onThreadStart: a worker that never came online (terminated while it booted, or
    // that could not start) had no start, so it has no stop.
    if (worker.online) callHook(this.options.onThreadStop, worker.threadId);
    if (!this.#closed && this.#queued !== 0) this.#dispatch();
    this.#armKeepAlive();
    this.#maybeUnpark();
  }

  /**
   * Fail every job queued on this thread with `error()`: no worker can run them (one failed to
   * start and none works). The queue is emptied first, so a job submitted while the failed ones
   * wake their tasks is not failed with them.
   */
  #failQueued(error: () => Error): void {
    const jobs: Job<unknown>[] = [];
    if (this.#front !== undefined) jobs.push(this.#front);
    this.#front = undefined;
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) jobs.push(job);
    this.#queued = 0;
    for (const job of jobs) {
      if (job.state !== QUEUED) continue;
      job.channel?.close();
      job.channel = undefined;
      job.settle(true, error());
    }
  }

  #remove(worker: WorkerHandle): void {
    const at = this.#workers.indexOf(worker);
    if (at >= 0) this.#workers.splice(at, 1);
  }

  #retire(worker: WorkerHandle): void {
    this.#remove(worker);
    worker.retiring = true;
  }

  // ---- keep-alive -----------------------------------------------------------------------------

  #armKeepAlive(): void {
    if (this.#keepAliveTimer !== undefined || this.#closed) return;
    const keepAlive = this.options.keepAlive;
    if (keepAlive === Infinity) return;
    let earliest = Infinity;
    for (const w of this.#workers) if (w.inflight === 0 && w.idleSince < earliest) earliest = w.idleSince;
    if (earliest === Infinity) return;
    const delay = Math.min(Math.max(earliest + keepAlive - performance.now(), 0), 0x7fffffff);
    this.#keepAliveTimer = setTimeout(() => {
      this.#keepAliveTimer = undefined;
      this.#expire();
    }, Math.ceil(delay));
    this.#keepAliveTimer.unref();
  }

  #disarmKeepAlive(): void {
    // The timer re-checks idleness when it fires; only cancel it when no worker is idle.
    if (this.#keepAliveTimer === undefined) return;
    for (const w of this.#workers) if (w.inflight === 0) return;
    clearTimeout(this.#keepAliveTimer);
    this.#keepAliveTimer = undefined;
  }

  #expire(): void {
    const now = performance.now();
    for (const w of [...this.#workers]) {
      if (w.inflight === 0 && w.idleSince + this.options.keepAlive <= now) {
        this.#retire(w);
        w.writeExit();
      }
    }
    this.#armKeepAlive();
  }

  // ---- shutdown -------------------------------------------------------------------------------

  shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#keepAliveTimer !== undefined) clearTimeout(this.#keepAliveTimer);
    this.#keepAliveTimer = undefined;
    if (this.#front?.state === QUEUED) this.cancel(this.#front);
    this.#front = undefined;
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
      if (job.state === QUEUED) this.cancel(job);
    }
    this.#queued = 0;
    for (const w of [...this.#workers]) {
      this.#retire(w);
      w.writeExit();
    }
  }

  async shutdownTimeout(ms: number): Promise<void> {
    if (this.#alive.size === 0) return;
    // Someone awaits the exits now: the workers must keep the process alive until then (an
    // idle, retiring worker is unref'd, and the await alone holds nothing).
    for (const w of this.#alive) w.holdUntilExit();
    const exits = Promise.all([...this.#alive].map((w) => w.exited));
    if (ms > 0) {
      let timer: NodeJS.Timeout | undefined;
      const elapsed = ms === Infinity ? new Promise<void>(() => {}) : new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(ms, 0x7fffffff))));
      await Promise.race([exits, elapsed]);
      if (timer !== undefined) clearTimeout(timer);
    }
    for (const w of this.#alive) w.terminate();
    await exits;
  }
}

/**
 * A thread hook, called so that what it throws cannot leave the pool half done (a dead worker's
 * queued jobs never dispatched): the error is rethrown from a microtask, where Node reports it
 * as an uncaught exception, as the runtime's own hooks do.
 */
function callHook(hook: ((meta: ThreadMeta) => void) | undefined, threadId: number): void {
  if (hook === undefined) return;
  try {
    hook({ threadId });
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
