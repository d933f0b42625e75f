// Shared helpers for the lock/signal stress tests (not a test file: uvu runs *.test.js only).
import { Context, Future, Pending, type Poll, type Waker } from "@tokio-ts/core";
import { spawn, type JoinHandle } from "@tokio-ts/runtime";
import type { SeededRng } from "@tokio-ts/test-util";
import { Elapsed, sleep, timeout } from "@tokio-ts/time";

/** Virtual ms after which a scenario counts as hung: far beyond any hold time of a scenario. */
export const HANG = 1_000_000;

/**
 * A task that aborts up to `most` of `handles`, picked at random, 0–6 ms of virtual time
 * apart; the indexes it aborted go into `aborted`.
 */
export function spawnKiller(rng: SeededRng, handles: readonly JoinHandle<unknown>[], aborted: Set<number>, most: number): JoinHandle<void> {
  return spawn(function* () {
    const n = rng.between(0, most);
    for (let i = 0; i < n; i++) {
      yield* sleep(rng.between(0, 6));
      const v = rng.below(handles.length);
      aborted.add(v);
      handles[v]!.abort();
    }
  });
}

/**
 * Join every handle in order (one that was aborted may fail), then `last`, within HANG of
 * virtual time; a hang throws what `hung()` makes of it.
 */
export function* joinAllOrHang(handles: readonly JoinHandle<unknown>[], aborted: ReadonlySet<number>, last: JoinHandle<unknown>, hung: () => never): Generator<unknown, void, unknown> {
  try {
    yield* timeout(HANG, function* () {
      for (let i = 0; i < handles.length; i++) {
        try {
          yield* handles[i]!;
        } catch (e) {
          if (!aborted.has(i)) throw e;
        }
      }
      yield* last;
    });
  } catch (e) {
    if (e instanceof Elapsed) hung();
    throw e;
  }
}

/** One event of an instrumented wait. */
export type Ev =
  | { kind: "enq"; id: number; seq: number }
  | { kind: "ready"; id: number; seq: number; first: boolean }
  | { kind: "wake"; id: number; seq: number }
  | { kind: "cancel"; id: number; seq: number; state: "idle" | "queued" | "done" }
  | { kind: "error"; id: number; seq: number; error: unknown };

/** A global event log with a sequence counter. */
export class Log {
  seq = 0;
  readonly events: Ev[] = [];
  push(e: Omit<Ev, "seq"> & { kind: Ev["kind"] }): void {
    (e as Ev).seq = this.seq++;
    this.events.push(e as Ev);
  }
}

/**
 * Wraps a leaf future and records: its first poll returning Pending ("enq", i.e. queued), a
 * wake from outside its own poll ("wake": the primitive granted/notified it), its completion
 * ("ready"), a throw ("error") and a drop ("cancel"). Budget is shared with the caller's cx.
 */
export class Track<T> extends Future<T> {
  #cx: Context | undefined;
  #outer: Waker | undefined;
  #inPoll = false;
  #polled = false;
  #done = false;
  #queued = false;
  readonly #waker: Waker;

  constructor(
    readonly inner: Future<T>,
    readonly id: number,
    readonly log: Log,
  ) {
    super();
    this.#waker = {
      wake: () => {
        if (!this.#inPoll && !this.#done) this.log.push({ kind: "wake", id: this.id } as Ev);
        this.#outer?.wake();
      },
    };
  }

  override poll(cx: Context): Poll<T> {
    this.#outer = cx.waker;
    const mine = (this.#cx ??= new Context(this.#waker, cx.budget));
    mine.budget = cx.budget;
    const fy = mine.forcedYields;
    this.#inPoll = true;
    let out: Poll<T>;
    try {
      out = this.inner.poll(mine);
    } catch (error) {
      this.#done = true;
      this.log.push({ kind: "error", id: this.id, error } as Ev);
      throw error;
    } finally {
      this.#inPoll = false;
      cx.budget = mine.budget;
      cx.forcedYields += mine.forcedYields - fy;
    }
    const first = !this.#polled;
    this.#polled = true;
    if (out === Pending) {
      // A Pending caused by a spent budget is not a queueing; we cannot tell exactly, so only
      // the first Pending with budget left counts as "enq".
      if (!this.#queued && mine.forcedYields === fy) {
        this.#queued = true;
        this.log.push({ kind: "enq", id: this.id } as Ev);
      }
      return Pending;
    }
    this.#done = true;
    this.log.push({ kind: "ready", id: this.id, first: first || !this.#queued } as Ev);
    return out;
  }

  override cancel(): void {
    if (!this.#done) this.log.push({ kind: "cancel", id: this.id, state: this.#queued ? "queued" : "idle" } as Ev);
    this.#done = true;
    this.inner.cancel();
  }
}

/** Raise an error with a message that lists the tail of the log. */
export function fail(msg: string, log?: Log): never {
  const tail = log ? "\n" + log.events.slice(-40).map((e) => JSON.stringify(e, (_k, v) => (v instanceof Error ? v.name : v))).join("\n") : "";
  throw new Error(msg + tail);
}

/**
 * FIFO check over a log of waits on one queue. `wake` means granted (or closed, for waits that
 * later report "error"). For A queued before B: if B is granted at time t, then A was granted
 * before t or dropped before t. Ids listed in `exempt` (e.g. closed waits) are ignored.
 */
export function checkFifo(log: Log, exempt: Set<number> = new Set()): void {
  const enq = new Map<number, number>();
  const granted = new Map<number, number>();
  const dropped = new Map<number, number>();
  for (const e of log.events) {
    if (e.kind === "enq") enq.set(e.id, e.seq);
    else if (e.kind === "wake" && !granted.has(e.id)) granted.set(e.id, e.seq);
    else if (e.kind === "cancel" && e.state === "queued") dropped.set(e.id, e.seq);
  }
  const order = [...enq.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
  for (let j = 0; j < order.length; j++) {
    const b = order[j]!;
    if (exempt.has(b)) continue;
    const tb = granted.get(b);
    if (tb === undefined) continue;
    for (let i = 0; i < j; i++) {
      const a = order[i]!;
      if (exempt.has(a)) continue;
      const ta = granted.get(a) ?? Infinity;
      const da = dropped.get(a) ?? Infinity;
      if (!(ta < tb || da < tb)) fail(`FIFO violated: wait ${a} queued before ${b} but ${b} was granted first (a granted ${ta}, dropped ${da}, b granted ${tb})`, log);
    }
  }
}

/** Ids queued (enq'd, not yet woken, dropped or completed) at the end of the log so far. */
export function queuedNow(log: Log): Set<number> {
  const q = new Set<number>();
  for (const e of log.events) {
    if (e.kind === "enq") q.add(e.id);
    else q.delete(e.id);
  }
  return q;
}

/**
 * No barging: a wait that completed at once (without queueing) did so while no other wait was
 * queued. Ids in `exempt` (e.g. acquireMany(0)) may complete at once regardless.
 */
export function checkNoBarging(log: Log, exempt: Set<number> = new Set()): void {
  const q = new Set<number>();
  for (const e of log.events) {
    if (e.kind === "enq") q.add(e.id);
    else if (e.kind === "ready" && e.first && !exempt.has(e.id) && q.size > 0) fail(`barging: wait ${e.id} completed at once while ${[...q].join(",")} were queued`, log);
    else q.delete(e.id);
  }
}
