import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

// dist/test/demo.test.js → dist/main.js
const MAIN = join(import.meta.dirname, "..", "main.js");

function runDemo(): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(process.execPath, [MAIN], { encoding: "utf8", timeout: 30_000 });
  return { status, stdout, stderr };
}

const first = runDemo();
const lines = first.stdout.split("\n");

/** Assert that `expected` occur in `lines` in this order (other lines may come between). */
function assertInOrder(expected: string[]): void {
  let at = 0;
  for (const line of expected) {
    const found = lines.indexOf(line, at);
    assert.ok(found >= 0, `missing (in order) line ${JSON.stringify(line)} in:\n${first.stdout}`);
    at = found + 1;
  }
}

test("the demo exits with code 0, prints nothing on stderr, and exits on its own", () => {
  assert.is(first.stderr, "");
  assert.is(first.status, 0);
});

test("the demo's output is the same on every run", () => {
  assert.fixture(runDemo().stdout, first.stdout);
});

test("spawned generator and async tasks run and their handles give their outputs", () => {
  assertInOrder([
    "  generator task: step 1, sum of squares so far 1",
    "  async task:     step 1, fib(10) = 55",
    "  joined: sum of squares = 14, fibs = [55, 89, 144]",
  ]);
  assert.ok(lines.includes("  generator task: step 3, sum of squares so far 14"));
  assert.ok(lines.includes("  async task:     step 3, fib(12) = 144"));
});

test("a JoinSet yields outputs in completion order", () => {
  assertInOrder([
    "  spawned 4 workers: alpha, bravo, charlie, delta",
    "  finished: bravo (1 turn)",
    "  finished: delta (2 turns)",
    "  finished: alpha (3 turns)",
    "  finished: charlie (4 turns)",
  ]);
});

test("an aborted generator task runs its finally block and joins as cancelled", () => {
  assertInOrder([
    "  ticker: tick 1",
    "  main: ticker.abort()",
    "  ticker: finally block ran (resources released)",
    "  main: cleanup observed = true",
  ]);
  assert.match(first.stdout, /main: joining it gives a JoinError, cancelled = true \("task \d+ was cancelled"\)/);
});

test("an aborted async task sees its signal and CancelledError, runs finally and joins as cancelled", () => {
  assertInOrder([
    "  poller: AbortSignal fired",
    "  poller: its await threw CancelledError",
    "  poller: finally block ran",
    "  main: poller joined as cancelled = true",
  ]);
});

test("a task that throws reports the error as a panic with its cause", () => {
  assertInOrder(['  main: panicked = true, cause = "disk full"']);
});

test("task-locals are per task, across yields and awaits", () => {
  assertInOrder([
    "  generator task sees REQUEST_ID = req-1",
    "  generator task sees REQUEST_ID = req-2",
    "  async task sees REQUEST_ID = req-3",
    "  joined: req-1, req-2, req-3",
    "  outside any scope, REQUEST_ID.tryGet() = undefined",
  ]);
});

test("the runtime shuts down at the end", () => {
  assert.is(lines.at(-2), "  runtime shut down: true");
});

test.run();
