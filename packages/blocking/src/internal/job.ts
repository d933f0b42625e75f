/**
 * A blocking job as the main thread sees it: the future that `spawnBlocking`'s task polls, and
 * the record the pool dispatches.
 *
 * States (`state`), and who changes them:
 * - QUEUED: in the pool's FIFO queue on this thread. → DISPATCHED (pool writes it into a
 *   worker's ring), → CANCELLED (dropped: the pool skips it).
 * - DISPATCHED: in a worker's ring (`worker`, `slot`), queued there or running. → DONE/FAILED
 *   (the pool reads the worker's result, or the worker died under it), → QUEUED (its worker
 *   died before it started: requeued at the front), → CANCELLED (dropped while still queued in
 *   the ring, or while running with `terminateOnAbort`), → DETACHED (dropped while running: it
 *   runs to completion and its result is thrown away; Tokio would still hand the result to
 *   the JoinHandle, but a tokio-ts abort has already ended the task as cancelled).
 * - DONE / FAILED / CANCELLED / DETACHED: final.
 *
 * The payload is fixed at the call, so a later change to an argument object is not seen by the
 * job: direct values are kept as is (they are immutable), other values as their v8 bytes
 * (`blobs`), a payload too big for a slot as one v8 blob (`bytes`), and arguments with
 * transfers — or that only `postMessage` can clone, such as SharedArrayBuffers — were already
 * posted on the job's own channel (`channel`), which moved them.
 */
import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort, type TransferListItem } from "node:worker_threads";
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll, type Waker } from "@tokio-ts/core";
import { messages } from "../errors.js";
import { isTransfer, transferPath } from "../transfer.js";
import { isDirect, serialize, sizeOf } from "./codec.js";
import { PAYLOAD_BYTES } from "./layout.js";
import type { Definition } from "./messages.js";
import type { ModuleJob } from "../spawn-blocking.js";
import type { WorkerHandle } from "./worker-handle.js";

export const QUEUED = 0;
export const DISPATCHED = 1;
export const DONE = 2;
export const FAILED = 3;
export const CANCELLED = 4;
export const DETACHED = 5;

/** What the job's abort needs from the pool. */
export interface JobOwner {
  cancel(job: Job<unknown>): void;
}

export class Job<T> extends Future<T> {
  state = QUEUED;
  result: unknown = undefined;
  waker: Waker | undefined = undefined;
  worker: WorkerHandle | undefined = undefined;
  slot = 0;
  channel: MessagePort | undefined;

  constructor(
    readonly owner: JobOwner,
    readonly definition: Definition,
    readonly args: unknown[] | undefined,
    readonly blobs: (Uint8Array | undefined)[] | undefined,
    readonly bytes: Uint8Array | undefined,
    channel: MessagePort | undefined,
    readonly terminateOnAbort: boolean,
  ) {
    super();
    this.channel = channel;
  }

  override poll(cx: Context): Poll<T> {
    if (!pollProceed(cx)) return Pending;
    const state = this.state;
    if (state === DONE) {
      madeProgress(cx);
      return this.result as T;
    }
    if (state === FAILED) {
      madeProgress(cx);
      throw this.result;
    }
    this.waker = cx.waker;
    return Pending;
  }

  override cancel(): void {
    this.waker = undefined;
    if (this.state === QUEUED || this.state === DISPATCHED) this.owner.cancel(this as Job<unknown>);
  }

  /**
   * The task was aborted (the runtime says so at once, `Symbol.for("tokio-ts.task.abort-requested")`):
   * leave the queue now rather than at the task's next poll, by which time a worker could have
   * started the job. A running job is left to finish (or its worker terminated) as on drop.
   */
  [Symbol.for("tokio-ts.task.abort-requested")](): void {
    this.cancel();
  }

  /** The job finished: give its task the outcome. */
  settle(failed: boolean, value: unknown): void {
    if (this.state !== QUEUED && this.state !== DISPATCHED) return;
    this.state = failed ? FAILED : DONE;
    this.result = value;
    this.worker = undefined;
    const waker = this.waker;
    this.waker = undefined;
    waker?.wake();
  }
}

/** The pool's table of job functions: one definition (and id) per distinct source or export. */
export class Definitions {
  readonly #byKey = new Map<string, Definition>();
  #nextId = 1;

  /** The definition of a job spec. **Throws** TypeError for a spec that is not one. */
  of(spec: unknown): Definition {
    if (typeof spec === "function") return this.#ofFunction(spec);
    if (typeof spec === "object" && spec !== null && "module" in spec) return this.#ofModule(spec as ModuleJob);
    throw new TypeError(messages.badSpec(spec === null ? "null" : typeof spec));
  }

  #ofFunction(fn: Function): Definition {
    const source = Function.prototype.toString.call(fn);
    const key = `f${source}`;
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) throw new TypeError(messages.noSource());
    // A class's source starts with `class` (ES2019 Function.prototype.toString): checked here, on
    // the source already made for the worker, and only until the function is known.
    if (/^class[\s{]/.test(source)) throw new TypeError(messages.classConstructor(fn.name));
    const kind = Object.getPrototypeOf(fn)?.constructor?.name;
    if (kind === "GeneratorFunction" || kind === "AsyncGeneratorFunction") throw new TypeError(messages.generator());
    const definition: Definition = { id: this.#nextId++, kind: "source", source };
    this.#byKey.set(key, definition);
    return definition;
  }

  #ofModule(spec: ModuleJob): Definition {
    const exportName = spec.export;
    if (typeof exportName !== "string" || exportName === "") {
      throw new TypeError(messages.badExport(exportName === "" ? '""' : typeof exportName));
    }
    const url = moduleUrl(spec.module);
    const key = `m${url}\0${exportName}`;
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    if (url.startsWith("file:") && !existsSync(fileURLToPath(url))) throw new TypeError(messages.missingModule(url));
    const definition: Definition = { id: this.#nextId++, kind: "module", url, exportName };
    this.#byKey.set(key, definition);
    return definition;
  }
}

function moduleUrl(module: unknown): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== "string") throw new TypeError(messages.badSpec(`{ module: ${typeof module} }`));
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (/^(file|data|node):/.test(module)) return module;
  throw new TypeError(messages.badModule(module));
}

/**
 * Make the job for `definition` and `args`: the payload is fixed now (see the module header).
 *
 * **Throws**: TypeError naming the argument that cannot be structured-cloned.
 */
export function makeJob<T>(owner: JobOwner, definition: Definition, args: unknown[], terminateOnAbort: boolean): Job<T> {
  let transfers = false;
  let posted: number | undefined;
  let blobs: (Uint8Array | undefined)[] | undefined;
  let size = 4;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (isDirect(arg)) {
      size += sizeOf(arg, undefined);
      continue;
    }
    if (isTransfer(arg)) {
      transfers = true;
      continue;
    }
    let blob: Uint8Array;
    try {
      blob = serialize(arg);
    } catch {
      // v8.serialize has no host for SharedArrayBuffers (nor views over them: it would copy
      // those) and MessagePorts; postMessage does.
      posted ??= i;
      continue;
    }
    (blobs ??= [])[i] = blob;
    size += sizeOf(arg, blob);
  }
  if (transfers || posted !== undefined) {
    return new Job(owner, definition, undefined, undefined, undefined, postArgs(args, posted), terminateOnAbort);
  }
  if (size <= PAYLOAD_BYTES) return new Job(owner, definition, args, blobs, undefined, undefined, terminateOnAbort);
  let bytes: Uint8Array;
  try {
    bytes = serialize(args);
  } catch (error) {
    throw new TypeError(messages.notSendable("the arguments", error), { cause: error });
  }
  return new Job(owner, definition, undefined, undefined, bytes, undefined, terminateOnAbort);
}

/**
 * Post the arguments on a channel of the job's own now, so transferables move at the call and
 * SharedArrayBuffers are shared (`suspect`: the first argument v8.serialize refused).
 */
function postArgs(args: unknown[], suspect: number | undefined): MessagePort {
  const values: unknown[] = [];
  const list: TransferListItem[] = [];
  for (const arg of args) {
    if (isTransfer(arg)) {
      values.push(arg.value);
      list.push(...(arg.list as TransferListItem[]));
    } else values.push(arg);
  }
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage({ args: values }, list);
  } catch (error) {
    port2.close();
    // A transfer() inside an argument cannot be cloned (see transfer.ts): say where it is.
    for (let i = 0; i < args.length; i++) {
      const path = transferPath(args[i]);
      if (path !== undefined) throw new TypeError(messages.nestedTransfer(`argument ${i}`, path), { cause: error });
    }
    const what = suspect === undefined ? "the arguments" : `argument ${suspect}`;
    throw new TypeError(messages.notSendable(what, error), { cause: error });
  } finally {
    port1.close();
  }
  return port2;
}
