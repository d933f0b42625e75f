/**
 * A tour of tokio-ts tasks: spawn, join, abort, JoinSet and task-locals, on one runtime.
 *
 * Run it with `pnpm demo` from the repository root (or `node dist/main.js` here after a build).
 * Nothing in it depends on wall-clock time, so the output is the same on every run: tasks take
 * turns at `yieldNow()`, and the current-thread scheduler runs ready tasks in FIFO order.
 */
import { Builder, CancelledError, JoinError, JoinSet, spawn, taskLocal, yieldNow } from "tokio-ts";

const say = (line: string): void => console.log(line);
const section = (title: string): void => say(`\n== ${title}`);

/** Some CPU work between two turns, so each task does something real. */
function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

const REQUEST_ID = taskLocal<string>("REQUEST_ID");

const rt = Builder.newCurrentThread().name("spawn-join-demo").build();

await rt.blockOn(function* () {
  section("1. spawn and join: a generator task and an async task run concurrently");
  // Spawned tasks start once the spawner yields; at each `yieldNow()` a task goes to the back
  // of the run queue and lets the others run, so the two bodies below interleave.
  const squares = spawn(function* () {
    let sum = 0;
    for (let i = 1; i <= 3; i++) {
      sum += i * i;
      say(`  generator task: step ${i}, sum of squares so far ${sum}`);
      yield* yieldNow();
    }
    return sum;
  });
  const fibs = spawn(async () => {
    const out: number[] = [];
    for (let n = 10; n <= 12; n++) {
      const value = fib(n);
      out.push(value);
      say(`  async task:     step ${n - 9}, fib(${n}) = ${value}`);
      await yieldNow();
    }
    return out;
  });
  // `yield*` a JoinHandle in a generator, `await` it in an async function: same output.
  const sum = yield* squares;
  const fibList = yield* fibs;
  say(`  joined: sum of squares = ${sum}, fibs = [${fibList.join(", ")}]`);

  section("2. JoinSet: outputs arrive in completion order, not spawn order");
  const set = new JoinSet<string>();
  const work: Record<string, number> = { alpha: 3, bravo: 1, charlie: 4, delta: 2 };
  for (const [name, turns] of Object.entries(work)) {
    set.spawn(function* () {
      for (let i = 0; i < turns; i++) yield* yieldNow();
      return `${name} (${turns} turn${turns === 1 ? "" : "s"})`;
    });
  }
  say(`  spawned ${set.size} workers: ${Object.keys(work).join(", ")}`);
  for (let done: string | undefined; (done = yield* set.joinNext()) !== undefined; ) {
    say(`  finished: ${done}`);
  }

  section("3. abort: a generator task is unwound and its finally block runs");
  let cleanedUp = false;
  const ticker = spawn(function* () {
    try {
      for (let tick = 1; ; tick++) {
        say(`  ticker: tick ${tick}`);
        yield* yieldNow();
      }
    } finally {
      cleanedUp = true;
      say("  ticker: finally block ran (resources released)");
    }
  });
  yield* yieldNow();
  yield* yieldNow();
  say("  main: ticker.abort()");
  ticker.abort();
  try {
    yield* ticker;
  } catch (error) {
    if (!(error instanceof JoinError)) throw error;
    say(`  main: joining it gives a JoinError, cancelled = ${error.isCancelled()} ("${error.message}")`);
  }
  say(`  main: cleanup observed = ${cleanedUp}`);

  section("4. abort: an async task sees CancelledError at its await, and its AbortSignal fires");
  const poller = spawn(async (signal: AbortSignal) => {
    signal.addEventListener("abort", () => say("  poller: AbortSignal fired"));
    try {
      for (;;) await yieldNow();
    } catch (error) {
      say(`  poller: its await threw ${error instanceof CancelledError ? "CancelledError" : String(error)}`);
      throw error;
    } finally {
      say("  poller: finally block ran");
    }
  });
  yield* yieldNow();
  poller.abort();
  try {
    yield* poller;
  } catch (error) {
    if (!(error instanceof JoinError)) throw error;
    say(`  main: poller joined as cancelled = ${error.isCancelled()}`);
  }

  section("5. a task that throws: the error comes back through its JoinHandle");
  const failing = spawn(function* (): Generator<unknown, number> {
    yield* yieldNow();
    throw new Error("disk full");
  });
  try {
    yield* failing;
  } catch (error) {
    if (!(error instanceof JoinError)) throw error;
    say(`  main: panicked = ${error.isPanic()}, cause = "${(error.cause as Error).message}"`);
  }

  section("6. task-locals: each task sees its own value, across yields and awaits");
  const requests = new JoinSet<string>();
  for (const id of ["req-1", "req-2"]) {
    requests.spawn(
      REQUEST_ID.scope(id, function* () {
        yield* yieldNow();
        say(`  generator task sees REQUEST_ID = ${REQUEST_ID.get()}`);
        yield* yieldNow();
        return REQUEST_ID.get();
      }),
    );
  }
  requests.spawn(
    REQUEST_ID.scope("req-3", async () => {
      await yieldNow();
      say(`  async task sees REQUEST_ID = ${REQUEST_ID.get()}`);
      return REQUEST_ID.get();
    }),
  );
  const seen = yield* requests.joinAll();
  say(`  joined: ${seen.join(", ")}`);
  say(`  outside any scope, REQUEST_ID.tryGet() = ${String(REQUEST_ID.tryGet())}`);
});

section("done");
await rt.shutdownTimeout(1000);
say(`  runtime shut down: ${rt.isShutdown()}`);
