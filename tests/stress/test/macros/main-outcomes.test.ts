/**
 * main() as a program's entry point, run in child processes: every body kind (generator
 * function, generator object, async function, future, plain function returning a generator or
 * a future) × finishing / throwing / deadlocking / returning a future, in real and paused time,
 * with background tasks. Checks exit code, stdout/stderr, that each finally block ran exactly
 * once, and that the process exits by itself.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { count, exitedByItself, runProg, type ChildResult } from "./run-child.js";
import type { BodyKind, Config } from "./fixtures/main-prog.js";

const KINDS: BodyKind[] = ["gen", "genObj", "async", "future", "fnGen", "fnFuture"];

const run = (cfg: Config): Promise<ChildResult> => runProg(cfg);

test("a body that finishes: exit 0, its result, its finally and every background task's finally ran once", async () => {
  const cases = KINDS.flatMap((body) => [false, true].map((paused) => ({ body, paused, action: "ok", bg: 2 }) as Config));
  const results = await Promise.all(cases.map(run));
  results.forEach((r, i) => {
    const what = JSON.stringify(cases[i]);
    exitedByItself(r, what);
    assert.is(r.code, 0, `${what}: ${r.stderr}`);
    assert.is(r.stderr, "", what);
    assert.equal(
      r.lines.filter((l) => !l.startsWith("bg-finally")),
      ["finally-start", "finally-end", "result 42", "exitcode undefined"],
      what,
    );
    assert.is(count(r.lines, "bg-finally 0"), 1, what);
    assert.is(count(r.lines, "bg-finally 1"), 1, what);
  });
});

test("a body that throws: exit 1, the error printed once on stderr, finally blocks ran once, main resolved undefined", async () => {
  const cases = KINDS.flatMap((body) => [false, true].map((paused) => ({ body, paused, action: "throw", bg: 1 }) as Config));
  cases.push({ body: "fnGen", action: "syncThrow" });
  const results = await Promise.all(cases.map(run));
  results.forEach((r, i) => {
    const what = JSON.stringify(cases[i]);
    exitedByItself(r, what);
    assert.is(r.code, 1, what);
    assert.is(r.stderr.split("boom-from-body").length - 1, 1, `${what}: printed once: ${r.stderr}`);
    assert.ok(r.lines.includes("result undefined"), what);
    assert.ok(r.lines.includes("exitcode 1"), what);
    if (cases[i]!.action === "throw") {
      assert.is(count(r.lines, "finally-start"), 1, what);
      assert.is(count(r.lines, "finally-end"), 1, what);
      assert.is(count(r.lines, "bg-finally 0"), 1, what);
    }
  });
});

test("a body that deadlocks: main reports it on stderr once and the program exits with 1, not 0 or 13", async () => {
  const cases = KINDS.flatMap((body) => [false, true].map((paused) => ({ body, paused, action: "deadlock" }) as Config));
  const results = await Promise.all(cases.map(run));
  results.forEach((r, i) => {
    const what = JSON.stringify(cases[i]);
    exitedByItself(r, what);
    assert.is(r.code, 1, `${what}: ${r.stderr}`);
    assert.is(r.stderr.split("nothing is left that could wake it").length - 1, 1, `${what}: ${r.stderr}`);
    assert.not.ok(r.lines.some((l) => l.startsWith("result")), what);
  });
});

test("a body that returns a future has it run before the runtime shuts down (real and paused time)", async () => {
  const cases = (["gen", "genObj", "fnGen", "async", "future"] as BodyKind[]).flatMap((body) =>
    [false, true].map((paused) => ({ body, paused, action: "returnFuture", bg: 1 }) as Config),
  );
  const results = await Promise.all(cases.map(run));
  results.forEach((r, i) => {
    const what = JSON.stringify(cases[i]);
    exitedByItself(r, what);
    assert.is(r.code, 0, `${what}: ${r.stderr}`);
    assert.ok(r.lines.includes("result 7"), `${what}: ${r.stdout}`);
    assert.is(count(r.lines, "bg-finally 0"), 1, what);
  });
});

test.run();
