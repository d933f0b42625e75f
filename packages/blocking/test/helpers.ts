/** Small tools shared by the blocking tests. */
import { Builder, type Runtime } from "@tokio-ts/runtime";

/** A runtime with a small pool (2 threads unless `configure` says otherwise). */
export function runtime(configure: (b: Builder) => Builder = (b) => b): Runtime {
  return configure(Builder.newCurrentThread().maxBlockingThreads(2)).build();
}

/**
 * Run `body` on a fresh runtime and shut it down after (bounded, so a test that failed with a
 * job still blocked cannot hang the run), leaving no worker behind.
 */
export async function withRuntime<T>(body: (rt: Runtime) => Promise<T>, configure?: (b: Builder) => Builder): Promise<T> {
  const rt = runtime(configure);
  try {
    return await body(rt);
  } finally {
    await rt.shutdownTimeout(2_000);
  }
}

/**
 * A latch in shared memory that a job can block on: pass `gate.buffer` to the job, which calls
 * `Atomics.wait(new Int32Array(buffer), 0, 0)`; `open()` releases it. Words 1.. are free for
 * the jobs to report through.
 */
export class Gate {
  readonly buffer = new SharedArrayBuffer(64 * 4);
  readonly words = new Int32Array(this.buffer);

  open(): void {
    Atomics.store(this.words, 0, 1);
    Atomics.notify(this.words, 0);
  }

  word(i: number): number {
    return Atomics.load(this.words, i);
  }

  /** How many `blockThenMark` jobs have started. */
  get started(): number {
    return this.word(6);
  }
}

/**
 * A job that counts itself in word 6 when it starts, blocks until its gate opens, then stores
 * `mark` in word `at` and returns it.
 */
export function blockThenMark(buffer: SharedArrayBuffer, at: number, mark: number): number {
  const words = new Int32Array(buffer);
  Atomics.add(words, 6, 1);
  Atomics.wait(words, 0, 0);
  Atomics.store(words, at, mark);
  return mark;
}

/** A promise and its resolver, for hooks. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Keep the test process alive while awaiting `promise`: an idle pool holds no handle (by
 * design), so waiting for a keep-alive to expire needs something else to hold the event loop.
 */
export async function holding<T>(promise: Promise<T>): Promise<T> {
  const hold = setInterval(() => {}, 1_000);
  try {
    return await promise;
  } finally {
    clearInterval(hold);
  }
}
