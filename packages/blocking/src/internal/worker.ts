/**
 * The program each blocking-pool worker runs (the other side of pool.ts).
 *
 * HOW. One loop takes records from this worker's slot ring in order (see layout.ts for the
 * ring and its states): read the record's port messages (function definitions and payloads
 * that did not fit, always in record order), claim the slot (QUEUED → RUNNING; a slot the main
 * thread cancelled is marked SKIPPED instead), decode the arguments, run the job, write the
 * result into the same slot, mark it DONE and bump the pool's completion counter. With nothing
 * to take, it `Atomics.wait`s on HEAD — so a stream of jobs costs no message and no event-loop
 * turn per job. After BLOCKING_WAIT_MS of idleness it switches to `Atomics.waitAsync`, so its
 * event loop turns while it is idle: a worker's console output only reaches the parent through
 * that loop (the parent acknowledges each chunk), and timers a job set run there.
 *
 * The loop is synchronous except where it cannot be: a module job whose module is not loaded
 * yet (`import()` is asynchronous) and a job that returns a promise. Then the loop returns to
 * the event loop and starts again once that settles; jobs still run one at a time, in order.
 *
 * Functions are compiled once per worker from their source (indirect `eval`, so they see the
 * worker's globals and nothing else) and kept by id; modules are imported once per worker.
 *
 * A slot marked KILL while its job ran (abort with `terminateOnAbort`) must not be followed by
 * another job: the worker then waits forever, and the main thread terminates it.
 */
import v8 from "node:v8";
import { receiveMessageOnPort, workerData, type MessagePort, type TransferListItem } from "node:worker_threads";
import { decodeValues, encodeValue, errorRecord, serialize, SharedView } from "./codec.js";
import {
  CANCELLED,
  DONE,
  DONE_STATE,
  F_CHANNEL,
  F_DEFINE,
  F_EXIT,
  F_PORT,
  F_THREW,
  HEAD,
  MAIN_WAITING,
  NEVER,
  QUEUED,
  RECORD_HEADER,
  RUNNING,
  SKIPPED,
  SLEEPING,
  SLOT_BYTES,
  SLOTS,
  SLOTS_OFFSET,
  STATES_OFFSET,
  waitAsync,
} from "./layout.js";
import { isTransfer, nestedTransferMessage, transfer, transferPath } from "../transfer.js";
import type { Definition, PortPayload } from "./messages.js";

interface WorkerData {
  readonly buffer: SharedArrayBuffer;
  readonly pool: SharedArrayBuffer;
  readonly port: MessagePort;
}

const data = workerData as WorkerData;
const view = new SharedView(data.buffer);
const control = view.i32;
const states = new Int32Array(data.buffer, STATES_OFFSET, SLOTS);
const poolWords = new Int32Array(data.pool);
const port = data.port;

Object.defineProperty(globalThis, "transfer", { value: transfer, writable: true, configurable: true, enumerable: false });

// esbuild's `keepNames` (on in tsx, and in test runners built on esbuild) rewrites a named inner
// function of a job as `__name(function f() {…}, "f")`, calling a helper defined at the top of
// the caller's module, which the job's source does not bring along. The same helper here lets
// such a job run.
if (!("__name" in globalThis)) {
  const keepName = (target: object, value: string): object => Object.defineProperty(target, "name", { value, configurable: true });
  Object.defineProperty(globalThis, "__name", { value: keepName, writable: true, configurable: true, enumerable: false });
}

type JobFn = (...args: unknown[]) => unknown;
const definitions = new Map<number, Definition>();
const functions = new Map<number, JobFn>();

/** Records taken so far (the ring index of the next one is `next % SLOTS`). */
let next = 0;

/**
 * How long an idle worker blocks in `Atomics.wait` (the fastest wake-up) before it waits with
 * `Atomics.waitAsync` instead and lets its event loop run.
 */
const BLOCKING_WAIT_MS = 2;

/**
 * While the worker waits asynchronously its event loop must not run dry (the thread would
 * exit): this handle keeps it until the EXIT record. Whether the worker keeps the *process*
 * alive is the main thread's `worker.ref()/unref()`, not this.
 */
const alive = setInterval(() => {}, 2 ** 30);

function resume(): void {
  Atomics.store(control, SLEEPING, 0);
  loop();
}

function receive(): unknown {
  const entry = receiveMessageOnPort(port);
  if (entry === undefined) throw new Error("tokio-ts blocking: a record's port message is missing");
  return entry.message;
}

function signalDone(): void {
  Atomics.add(poolWords, DONE, 1);
  if (Atomics.load(poolWords, MAIN_WAITING) !== 0) Atomics.notify(poolWords, DONE);
}

function loop(): void {
  for (;;) {
    const head = Atomics.load(control, HEAD);
    if (head === next) {
      Atomics.store(control, SLEEPING, 1);
      if (Atomics.load(control, HEAD) === next && Atomics.wait(control, HEAD, next, BLOCKING_WAIT_MS) === "timed-out") {
        // Idle for a while: wait with the event loop turning, so what the jobs left for it
        // (console output, which needs the parent's acknowledgements; their timers) happens.
        const wait = waitAsync(control, HEAD, next);
        if (wait.async) {
          void wait.value.then(resume);
          return;
        }
      }
      Atomics.store(control, SLEEPING, 0);
      continue;
    }
    const slot = next & (SLOTS - 1);
    next = (next + 1) | 0;
    const base = SLOTS_OFFSET + slot * SLOT_BYTES;
    const flags = control[base >> 2]!;
    if ((flags & F_EXIT) !== 0) {
      clearInterval(alive);
      port.close();
      // Every job has finished and its output is out; a timer or a port a job left behind must
      // not keep the thread (and so the pool, and a shutdown waiting for it) alive.
      process.exit(0);
    }
    if ((flags & F_DEFINE) !== 0) {
      const definition = receive() as Definition;
      definitions.set(definition.id, definition);
    }
    const payload = (flags & F_PORT) !== 0 ? (receive() as PortPayload) : undefined;
    if (Atomics.compareExchange(states, slot, QUEUED, RUNNING) !== QUEUED) {
      // Cancelled while queued: the main thread frees the slot once it sees SKIPPED.
      if (Atomics.load(states, slot) === CANCELLED) Atomics.store(states, slot, SKIPPED);
      signalDone();
      continue;
    }
    const id = control[(base >> 2) + 1]!;
    const started = performance.now();
    let args: unknown[];
    let fn: JobFn | undefined;
    try {
      args = payload === undefined ? decodeValues(view, base + RECORD_HEADER) : argsFromPort(payload);
      fn = functions.get(id);
      if (fn === undefined) {
        const definition = definitions.get(id);
        if (definition === undefined) throw new Error(`tokio-ts blocking: job function ${id} was never defined`);
        if (definition.kind === "module") {
          loadModule(definition).then(
            (loaded) => {
              functions.set(id, loaded);
              if (runAsync(slot, base, id, loaded, args, started)) loop();
            },
            (error: unknown) => {
              if (finish(slot, base, error, true, started)) loop();
            },
          );
          return;
        }
        fn = compile(definition);
        functions.set(id, fn);
      }
    } catch (error) {
      if (!finish(slot, base, error, true, started)) return;
      continue;
    }
    if (!runAsync(slot, base, id, fn, args, started)) return;
  }
}

/**
 * Run one job. Returns true when it finished synchronously (the caller goes on with the loop);
 * false when it returned a promise or left console output to flush (the loop restarts when
 * that is done).
 */
function runAsync(slot: number, base: number, id: number, fn: JobFn, args: unknown[], started: number): boolean {
  let result: unknown;
  try {
    result = fn(...args);
  } catch (error) {
    return finish(slot, base, explain(error, id), true, started);
  }
  if (typeof result === "object" && result !== null && typeof (result as PromiseLike<unknown>).then === "function") {
    Promise.resolve(result).then(
      (value) => {
        if (finish(slot, base, value, false, started)) loop();
      },
      (error: unknown) => {
        if (finish(slot, base, explain(error, id), true, started)) loop();
      },
    );
    return false;
  }
  return finish(slot, base, result, false, started);
}

function argsFromPort(payload: PortPayload): unknown[] {
  if ("bytes" in payload) return v8.deserialize(payload.bytes) as unknown[];
  if (!("channel" in payload)) throw new Error("tokio-ts blocking: unexpected argument payload");
  const channel = payload.channel;
  const entry = receiveMessageOnPort(channel);
  channel.close();
  if (entry === undefined) throw new Error("tokio-ts blocking: the job's transferred arguments are missing");
  return (entry.message as { args: unknown[] }).args;
}

/**
 * Write the outcome into the slot (or on the port if it does not fit) and mark it DONE. If the
 * job printed something the parent has not acknowledged yet, DONE waits until it has (the
 * event loop must turn for that): a job's output is out before its handle resolves. Returns
 * false in that case, and then restarts the loop itself.
 */
function finish(slot: number, base: number, value: unknown, threw: boolean, started: number): boolean {
  const micros = Math.min(Math.round((performance.now() - started) * 1000), 0x7fffffff);
  let flags = threw ? F_THREW : 0;
  let outcome = threw ? errorRecord(value) : value;
  try {
    flags |= writeOutcome(base, outcome);
  } catch (error) {
    // The result cannot be cloned: the job fails with an error that says so (a transfer()
    // inside it cannot, by design: see transfer.ts).
    flags = F_THREW;
    const path = threw ? undefined : transferPath(value);
    const message =
      path !== undefined
        ? nestedTransferMessage("the job's result", path)
        : `spawnBlocking: the job's result cannot be sent back from the worker: ${(error as Error).message}`;
    outcome = errorRecord(new TypeError(message, { cause: error }));
    flags |= writeOutcome(base, outcome);
  }
  control[base >> 2] = flags;
  control[(base >> 2) + 1] = micros;
  if (process.stdout.writableLength + process.stderr.writableLength === 0) {
    complete(slot);
    return true;
  }
  let streams = 0;
  const flushed = (): void => {
    if (--streams !== 0) return;
    complete(slot);
    loop();
  };
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.writableLength === 0) continue;
    streams++;
    stream.write("", flushed); // called once everything written before it is acknowledged
  }
  return false;
}

function complete(slot: number): void {
  if (Atomics.compareExchange(states, slot, RUNNING, DONE_STATE) !== RUNNING) {
    // KILL: the main thread is terminating this worker; take no other job.
    for (;;) Atomics.wait(control, NEVER, 0);
  }
  signalDone();
}

function writeOutcome(base: number, outcome: unknown): number {
  if (isTransfer(outcome)) {
    port.postMessage({ value: outcome.value }, outcome.list as TransferListItem[]);
    return F_PORT;
  }
  let bytes: Buffer;
  try {
    const end = encodeValue(view, base + RECORD_HEADER, base + SLOT_BYTES, outcome);
    if (end >= 0) return 0;
    bytes = serialize(outcome);
  } catch {
    // Shared memory (a SharedArrayBuffer, a view over one), which postMessage keeps shared; what
    // postMessage cannot clone either throws here, and the job fails saying so.
    port.postMessage({ value: outcome });
    return F_PORT;
  }
  port.postMessage({ bytes }, [bytes.buffer as ArrayBuffer]);
  return F_PORT;
}

/**
 * The job's function from its source. Plain and arrow functions are expressions; a method
 * (`{ f(x) { … } }.f`) is compiled inside an object literal.
 */
function compile(definition: Definition & { kind: "source" }): JobFn {
  const indirectEval = eval;
  let fn: unknown;
  try {
    // Strict, as a module is: an assignment to an outer variable is a ReferenceError (the README's
    // promise), not a global of the worker that later jobs see.
    fn = indirectEval(`"use strict";(${definition.source}\n)`);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const holder = indirectEval(`"use strict";({${definition.source}\n})`) as object;
    const [descriptor] = Object.values(Object.getOwnPropertyDescriptors(holder));
    fn = descriptor?.value;
  }
  if (typeof fn !== "function") throw new TypeError("spawnBlocking: the job's source did not compile to a function");
  return fn as JobFn;
}

async function loadModule(definition: Definition & { kind: "module" }): Promise<JobFn> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(definition.url)) as Record<string, unknown>;
  } catch (error) {
    // V8's SyntaxError for a module that does not parse does not name the module.
    if (!(error instanceof SyntaxError) || error.message.includes(definition.url)) throw error;
    throw new SyntaxError(`spawnBlocking: module ${definition.url} failed to load: ${error.message}`, { cause: error });
  }
  const fn = namespace[definition.exportName];
  if (fn === undefined) {
    throw new TypeError(`spawnBlocking: module ${definition.url} has no export named "${definition.exportName}"`);
  }
  if (typeof fn !== "function") {
    throw new TypeError(
      `spawnBlocking: export "${definition.exportName}" of module ${definition.url} is not a function (it is ${typeof fn})`,
    );
  }
  return fn as JobFn;
}

/**
 * A ReferenceError for a name that is neither a global of the worker nor defined in the job is
 * almost always a closure over an outer variable, which cannot cross threads: say so.
 */
function explain(error: unknown, id: number): unknown {
  if (!(error instanceof ReferenceError)) return error;
  const definition = definitions.get(id);
  if (definition === undefined || definition.kind !== "source") return error;
  const match = /^(\S+) is not defined$/.exec(error.message);
  if (match === null) return error;
  const name = match[1]!;
  if (name in globalThis || !new RegExp(`(^|[^\\w$.])${name.replace(/\$/g, "\\$")}(?![\\w$])`).test(definition.source)) {
    return error;
  }
  const message =
    `spawnBlocking: the job references \`${name}\`, which is not defined on the worker — a job function ` +
    "cannot close over outer variables; pass values as arguments or use the module form";
  const explained = new ReferenceError(message, { cause: error });
  if (typeof error.stack === "string") {
    const lines = error.stack.split("\n");
    lines[0] = `ReferenceError: ${message}`;
    explained.stack = lines.join("\n");
  }
  return explained;
}

loop();
