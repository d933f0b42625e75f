/**
 * One worker thread as the pool sees it: the `Worker`, its slot ring (see layout.ts) and the
 * jobs in it.
 *
 * Fields only the main thread touches:
 * - `head`: records written (published to the worker with one store per batch, `publish()`);
 * - `tail`: records freed — every slot in [tail, head) holds `jobs[slot]`, in FIFO order;
 * - `inflight = head - tail`; the worker is *idle* when it is 0. An idle worker is unref'd
 *   (it never keeps the process alive) and `idleSince` starts its keep-alive;
 * - `known`: the function ids this worker has been sent, so a definition crosses once;
 * - `retiring`: the EXIT record was written (keep-alive expired, or shutdown); it takes no job;
 * - `ran`: the worker was seen to take a record from its ring (it ran a job, or skipped an
 *   aborted one), so its thread started. Set by the pool when it frees such a slot, or by
 *   `hasRun()`, which also looks at the oldest slot still in the ring. A worker that exits while `hasRun()` is
 *   false never ran anything: it failed to start (see the pool's header).
 */
import { MessageChannel, Worker, type MessagePort, type ResourceLimits } from "node:worker_threads";
import { SharedView } from "./codec.js";
import { encodeValues, serialize } from "./codec.js";
import { CANCELLED, F_DEFINE, F_EXIT, F_PORT, FREE, HEAD, QUEUED, RECORD_HEADER, SLEEPING, SLOT_BYTES, SLOTS, SLOTS_OFFSET, STATES_OFFSET, WORKER_BUFFER_BYTES } from "./layout.js";
import type { Job } from "./job.js";
import { DISPATCHED } from "./job.js";

/** The worker's program. A bundled app must ship it at this URL (see the README, Errors). */
export const WORKER_URL = new URL("./worker.js", import.meta.url);

export class WorkerHandle {
  readonly worker: Worker;
  readonly view: SharedView;
  readonly states: Int32Array;
  /** The main thread's end of the worker's port (results that did not fit in a slot). */
  readonly port: MessagePort;
  readonly jobs: (Job<unknown> | undefined)[] = new Array<Job<unknown> | undefined>(SLOTS).fill(undefined);
  readonly known = new Set<number>();
  readonly threadId: number;
  readonly exited: Promise<number>;
  head = 0;
  tail = 0;
  inflight = 0;
  /** The ring's oldest slot (`tail`) as the pool last saw it, and since when it has been the oldest (ms). */
  seenTail = -1;
  oldestSince = 0;
  /** The thread came online (its `onThreadStart` ran): only then does its exit call `onThreadStop`. */
  online = false;
  idleSince = 0;
  retiring = false;
  terminating = false;
  isRefed = true;
  /** Set by {@link holdUntilExit}: stay ref'd until the thread exits. */
  held = false;
  /** The worker's last 'error' event (an uncaught error, out of memory): the cause of a crash. */
  lastError: unknown = undefined;
  /** The worker took a record from its ring: its thread started (see {@link hasRun}). */
  ran = false;

  constructor(pool: SharedArrayBuffer, resourceLimits: ResourceLimits | undefined) {
    const buffer = new SharedArrayBuffer(WORKER_BUFFER_BYTES);
    this.view = new SharedView(buffer);
    this.states = new Int32Array(buffer, STATES_OFFSET, SLOTS);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_URL, {
      workerData: { buffer, pool, port: port2 },
      transferList: [port2],
      name: "tokio-ts blocking",
      ...(resourceLimits === undefined ? {} : { resourceLimits }),
    });
    this.threadId = this.worker.threadId;
    this.worker.on("error", (error) => {
      this.lastError = error;
    });
    this.exited = new Promise((resolve) => this.worker.once("exit", resolve));
  }

  /** Write `job` into the next slot (the caller checked there is room); not yet visible to the worker. */
  write(job: Job<unknown>): void {
    const slot = this.head & (SLOTS - 1);
    const base = SLOTS_OFFSET + slot * SLOT_BYTES;
    const i32 = this.view.i32;
    const definition = job.definition;
    let flags = 0;
    if (!this.known.has(definition.id)) {
      this.known.add(definition.id);
      this.port.postMessage(definition);
      flags |= F_DEFINE;
    }
    if (job.args !== undefined) {
      if (encodeValues(this.view, base + RECORD_HEADER, base + SLOT_BYTES, job.args, job.blobs) < 0) {
        // Cannot happen (the size was bounded at the call), but never lose a job over it.
        this.port.postMessage({ bytes: serialize(job.args) });
        flags |= F_PORT;
      }
    } else if (job.bytes !== undefined) {
      this.port.postMessage({ bytes: job.bytes });
      flags |= F_PORT;
    } else {
      const channel = job.channel!;
      job.channel = undefined;
      this.port.postMessage({ channel }, [channel]);
      flags |= F_PORT;
    }
    i32[base >> 2] = flags;
    i32[(base >> 2) + 1] = definition.id;
    Atomics.store(this.states, slot, QUEUED);
    this.jobs[slot] = job;
    job.state = DISPATCHED;
    job.worker = this;
    job.slot = slot;
    this.head = (this.head + 1) | 0;
    if (this.inflight++ === 0) this.ref();
  }

  /**
   * Whether the worker has taken a record from its ring. The worker takes records in order, so
   * it has unless every record still in the ring is untouched — which the oldest one tells:
   * QUEUED, or CANCELLED by the main thread and not yet skipped.
   */
  hasRun(): boolean {
    if (this.ran || this.inflight === 0) return this.ran;
    const oldest = Atomics.load(this.states, this.tail & (SLOTS - 1));
    if (oldest !== QUEUED && oldest !== CANCELLED) this.ran = true;
    return this.ran;
  }

  /** Ask the worker to leave its loop after the records already written. */
  writeExit(): void {
    this.retiring = true;
    const slot = this.head & (SLOTS - 1);
    const base = SLOTS_OFFSET + slot * SLOT_BYTES;
    this.view.i32[base >> 2] = F_EXIT;
    Atomics.store(this.states, slot, FREE);
    this.head = (this.head + 1) | 0;
    this.publish();
  }

  /** Make the records written so far visible, and wake the worker if it sleeps. */
  publish(): void {
    const control = this.view.i32;
    Atomics.store(control, HEAD, this.head);
    if (Atomics.load(control, SLEEPING) !== 0) Atomics.notify(control, HEAD);
  }

  /** Free the oldest slot (its job is finished or was skipped). */
  free(slot: number): void {
    this.jobs[slot] = undefined;
    Atomics.store(this.states, slot, FREE);
    this.tail = (this.tail + 1) | 0;
    if (--this.inflight === 0) this.unref();
  }

  ref(): void {
    if (!this.isRefed) {
      this.isRefed = true;
      this.worker.ref();
    }
  }

  /**
   * Keep the process alive until this thread exits, whatever its jobs do from now on (someone
   * awaits the exit: `shutdownTimeout`). Without it, freeing the last slot would unref the
   * worker again and the process could end while the exit is still awaited.
   */
  holdUntilExit(): void {
    this.held = true;
    this.ref();
  }

  unref(): void {
    if (this.held) return;
    if (this.isRefed) {
      this.isRefed = false;
      this.worker.unref();
    }
  }

  /** Terminate the thread now (abort with terminateOnAbort, shutdown); `exited` resolves after. */
  terminate(): void {
    if (this.terminating) return;
    this.terminating = true;
    this.retiring = true;
    void this.worker.terminate();
  }
}
