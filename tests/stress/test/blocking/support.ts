/** Shared helpers of the blocking stress tests (public API only). */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JoinError, type JoinHandle } from "@tokio-ts/runtime";

/**
 * Shared memory that jobs report through and block on. Word 0 is the gate (jobs that wait on
 * it block until `open()`); words [RUNS, RUNS+n) count runs per job id; word STARTED counts
 * blocker jobs that have started; words [ORDER, …) record the start order; ACTIVE/MAX_ACTIVE
 * track how many counted jobs run at once.
 */
export const GATE = 0;
export const STARTED = 1;
export const ACTIVE = 2;
export const MAX_ACTIVE = 3;
export const ORDER_LEN = 4;
export const RUNS = 8;
export const ORDER = 8 + 256;
export const WORDS = 8 + 256 + 256;

export class Shared {
  readonly buffer = new SharedArrayBuffer(WORDS * 4);
  readonly words = new Int32Array(this.buffer);
  open(): void {
    Atomics.store(this.words, GATE, 1);
    Atomics.notify(this.words, GATE);
  }
  runs(id: number): number {
    return Atomics.load(this.words, RUNS + id);
  }
  started(): number {
    return Atomics.load(this.words, STARTED);
  }
  order(): number[] {
    const n = Atomics.load(this.words, ORDER_LEN);
    return Array.from(this.words.slice(ORDER, ORDER + n));
  }
  maxActive(): number {
    return Atomics.load(this.words, MAX_ACTIVE);
  }
}

/**
 * Job: leave `buffer` on the worker (global `__shared`, read by `work`), count itself as
 * started, block until the gate opens (or `ms` passes), return `value`.
 */
export function blocker(buffer: SharedArrayBuffer, value: number, ms: number): number {
  (globalThis as { __shared?: SharedArrayBuffer }).__shared = buffer;
  const w = new Int32Array(buffer);
  Atomics.add(w, 1, 1);
  Atomics.wait(w, 0, 0, ms);
  return value;
}

/**
 * Job: record a run of `id` (run count, start order, concurrency) in the buffer a `blocker`
 * left on this worker, spin `spinMicros`, then return or throw according to `kind`.
 * Self-contained (it travels as source) and without a SharedArrayBuffer argument, so the pool
 * may queue it in a busy worker's ring (jobs with such arguments only go to idle workers).
 */
export function work(id: number, kind: string, spinMicros: number): unknown {
  const buffer = (globalThis as { __shared?: SharedArrayBuffer }).__shared;
  if (buffer === undefined) throw new Error("no shared buffer on this worker");
  const w = new Int32Array(buffer);
  Atomics.add(w, 8 + id, 1);
  w[8 + 256 + Atomics.add(w, 4, 1)] = id;
  const active = Atomics.add(w, 2, 1) + 1;
  for (;;) {
    const m = Atomics.load(w, 3);
    if (m >= active || Atomics.compareExchange(w, 3, m, active) === m) break;
  }
  const end = performance.now() + spinMicros / 1000;
  while (performance.now() < end);
  Atomics.sub(w, 2, 1);
  switch (kind) {
    case "value":
      return { id, square: id * id };
    case "string":
      return `job-${id}`;
    case "undefined":
      return undefined;
    case "promise":
      return Promise.resolve(id * 3);
    case "rejects":
      return Promise.reject(new RangeError(`rejected ${id}`));
    case "TypeError":
      throw new TypeError(`type ${id}`);
    case "Aggregate":
      throw new AggregateError([new Error(`inner ${id}`), id], `agg ${id}`);
    case "custom": {
      const e = new Error(`custom ${id}`) as Error & { code: string; id: number };
      e.name = "CustomError";
      e.code = "E_CUSTOM";
      e.id = id;
      throw e;
    }
    case "number":
      throw id;
    case "null":
      throw null;
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

export const KINDS = ["value", "string", "undefined", "promise", "rejects", "TypeError", "Aggregate", "custom", "number", "null"] as const;

/** What the handle of a `work(…, id, kind, …)` job must settle with, as `describe` prints it. */
export function expected(id: number, kind: string): string {
  switch (kind) {
    case "value":
      return `ok ${JSON.stringify({ id, square: id * id })}`;
    case "string":
      return `ok "job-${id}"`;
    case "undefined":
      return "ok undefined";
    case "promise":
      return `ok ${id * 3}`;
    case "rejects":
      return `panic RangeError:RangeError:rejected ${id}`;
    case "TypeError":
      return `panic TypeError:TypeError:type ${id}`;
    case "Aggregate":
      return `panic AggregateError:AggregateError:agg ${id}:[Error:inner ${id},${id}]`;
    case "custom":
      return `panic Error:CustomError:custom ${id}:E_CUSTOM:${id}`;
    case "number":
      return `panic value ${id}`;
    case "null":
      return "panic value null";
    default:
      throw new Error(kind);
  }
}

/** A settled handle, as a string: `ok <json>`, `cancelled`, or `panic <cause>`. */
export async function describe(h: PromiseLike<unknown>): Promise<string> {
  try {
    const v = await h;
    return `ok ${v === undefined ? "undefined" : JSON.stringify(v)}`;
  } catch (e) {
    if (!(e instanceof JoinError)) return `not a JoinError: ${String(e)}`;
    if (e.isCancelled()) return "cancelled";
    if (!e.isPanic()) return `neither cancelled nor panic: ${e.message}`;
    return `panic ${describeCause(e.cause)}`;
  }
}

export function describeCause(c: unknown): string {
  if (c instanceof AggregateError) {
    return `${c.constructor.name}:${c.name}:${c.message}:[${c.errors.map((x: unknown) => (x instanceof Error ? `${x.name}:${x.message}` : String(x))).join(",")}]`;
  }
  if (c instanceof Error) {
    const extra = c as Error & { code?: unknown; id?: unknown; exitCode?: unknown };
    let s = `${c.constructor.name}:${c.name}:${c.message}`;
    if (extra.code !== undefined) s += `:${String(extra.code)}`;
    if (extra.id !== undefined) s += `:${String(extra.id)}`;
    if (extra.exitCode !== undefined) s += `:exit ${String(extra.exitCode)}`;
    return s;
  }
  return `value ${c === undefined ? "undefined" : JSON.stringify(c)}`;
}

/** Wait (real time, bounded) until `cond()` holds; throws after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise<void>((r) => setTimeout(r, 1));
  }
}

/** A few host turns. */
export async function hostTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

export type Handle = JoinHandle<unknown>;

/**
 * A run log that any worker can append to, new workers included (a worker started to replace
 * a terminated or crashed one has none of the globals a job left on the old one): one line per
 * event, `S id t` at the start of a run and `E id t` at its end (t: hrtime ns, one clock for every
 * thread of the process). Small appends are atomic.
 */
export class RunLog {
  readonly path: string;
  constructor(name: string) {
    this.path = join(tmpdir(), `tokio-ts-blocking-stress-${process.pid}-${name}.log`);
    writeFileSync(this.path, "");
  }
  events(): { kind: "S" | "E"; id: number; t: bigint }[] {
    return readFileSync(this.path, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => {
        const [kind, id, t] = l.split(" ");
        return { kind: kind as "S" | "E", id: Number(id), t: BigInt(t!) };
      });
  }
  starts(id: number): number {
    return this.events().filter((e) => e.kind === "S" && e.id === id).length;
  }
  ends(id: number): number {
    return this.events().filter((e) => e.kind === "E" && e.id === id).length;
  }
  /** The most runs in progress at once, counting only runs that ended (killed runs never do). */
  maxOverlap(): number {
    const events = this.events();
    const ended = new Set(events.filter((e) => e.kind === "E").map((e) => e.id));
    const points = events.filter((e) => ended.has(e.id)).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.kind === "E" ? -1 : 1));
    let now = 0;
    let most = 0;
    for (const p of points) {
      now += p.kind === "S" ? 1 : -1;
      if (now > most) most = now;
    }
    return most;
  }
  remove(): void {
    rmSync(this.path, { force: true });
  }
}

/** Job: log a run of `id` (start, spin `spinMicros`, end) and return `id * 10`. */
export function logged(path: string, id: number, spinMicros: number): number {
  const fs = (process as unknown as { getBuiltinModule(n: string): typeof import("node:fs") }).getBuiltinModule("node:fs");
  fs.appendFileSync(path, `S ${id} ${process.hrtime.bigint()}\n`);
  const end = performance.now() + spinMicros / 1000;
  while (performance.now() < end);
  fs.appendFileSync(path, `E ${id} ${process.hrtime.bigint()}\n`);
  return id * 10;
}

/**
 * Job: log the start of `id`, count itself in STARTED, block until the gate opens (at most
 * `ms`), log the end, return `id * 10`.
 */
export function loggedBlocker(buffer: SharedArrayBuffer, path: string, id: number, ms: number): number {
  const fs = (process as unknown as { getBuiltinModule(n: string): typeof import("node:fs") }).getBuiltinModule("node:fs");
  fs.appendFileSync(path, `S ${id} ${process.hrtime.bigint()}\n`);
  const w = new Int32Array(buffer);
  Atomics.add(w, 1, 1);
  Atomics.wait(w, 0, 0, ms);
  fs.appendFileSync(path, `E ${id} ${process.hrtime.bigint()}\n`);
  return id * 10;
}
