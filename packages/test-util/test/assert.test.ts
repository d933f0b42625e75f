import { test } from "uvu";
import * as assert from "uvu/assert";
import { AssertionError } from "node:assert";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Pending, ready, pending } from "@tokio-ts/core";
import { assertPending, assertReady, assertReadyErr, mockTask } from "../src/index.js";

function failsWith(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, AssertionError);
    assert.match((error as Error).message, message);
    return;
  }
  assert.unreachable("expected an AssertionError");
}

test("assertPending passes on Pending", () => {
  assertPending(mockTask(pending()).poll());
});

test("assertPending fails on an output, naming it", () => {
  failsWith(() => assertPending(mockTask(ready({ n: 1 })).poll()), /expected Pending, got Ready\(\{ n: 1 \}\)/);
});

test("assertPending uses the given message", () => {
  failsWith(() => assertPending(1, "should wait"), /^should wait$/);
});

test("assertReady returns the output", () => {
  assert.is(assertReady(mockTask(ready(5)).poll()), 5);
});

test("assertReady fails on Pending", () => {
  failsWith(() => assertReady(Pending), /expected Ready, got Pending/);
});

test("assertReady with an expected value compares deeply", () => {
  assert.equal(assertReady({ a: [1, 2] }, { a: [1, 2] }), { a: [1, 2] });
  failsWith(() => assertReady({ a: [1, 2] }, { a: [1, 3] }), /expected Ready\(\{ a: \[ 1, 3 \] \}\)/);
});

test("assertReady with expected undefined checks the output is undefined", () => {
  assertReady(undefined, undefined);
  failsWith(() => assertReady<unknown>(0, undefined), /expected Ready\(undefined\)/);
});

test("assertReadyErr returns what the poll threw", () => {
  const boom = new Error("boom");
  const error = assertReadyErr(() => {
    throw boom;
  });
  assert.is(error, boom);
});

test("assertReadyErr checks the error against a class, a RegExp or a predicate", () => {
  const poll = () => {
    throw new TypeError("bad input");
  };
  assertReadyErr(poll, TypeError);
  assertReadyErr(poll, /bad input/);
  assertReadyErr(poll, (e) => e instanceof TypeError);
  failsWith(() => assertReadyErr(poll, RangeError), /^the poll threw TypeError\("bad input"\), which does not match RangeError$/);
  failsWith(() => assertReadyErr(poll, /other/), /does not match \/other\//);
  failsWith(() => assertReadyErr(poll, () => false), /does not match the predicate/);
});

test("assertReadyErr with a /g RegExp matches on every use (its lastIndex does not carry over)", () => {
  const closed = /closed/g;
  for (let i = 0; i < 3; i++) {
    assertReadyErr(() => {
      throw new Error("the channel is closed");
    }, closed);
  }
});

test("assertReadyErr fails when the poll returns Pending or an output", () => {
  failsWith(() => assertReadyErr(() => Pending), /expected the poll to throw, got Pending/);
  failsWith(() => assertReadyErr(() => 7), /expected the poll to throw, got Ready\(7\)/);
});

/** Assert that `fn` throws a TypeError with exactly `message` (a usage error, not an assertion failure). */
function throwsTypeError(fn: () => unknown, message: string): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, TypeError);
    assert.not.instance(error, AssertionError);
    assert.is((error as Error).message, message);
    return;
  }
  assert.unreachable(`expected a TypeError: ${message}`);
}

test("assertReadyErr with a poll that is not a function throws a TypeError naming poll, instead of passing", () => {
  throwsTypeError(() => assertReadyErr(5 as never), "assertReadyErr: poll must be a function that polls, such as () => task.poll(), got number");
  throwsTypeError(
    () => assertReadyErr(mockTask(ready(1)).poll() as never, TypeError),
    "assertReadyErr: poll must be a function that polls, such as () => task.poll(), got number",
  );
});

test("assertReadyErr with a matcher that is not a class, a RegExp or a function throws a TypeError naming matcher, before polling", () => {
  let polls = 0;
  const poll = () => {
    polls++;
    throw new Error("boom");
  };
  throwsTypeError(() => assertReadyErr(poll, "x" as never), "assertReadyErr: matcher must be an error class, a RegExp or a predicate function, got string");
  throwsTypeError(() => assertReadyErr(poll, 5 as never), "assertReadyErr: matcher must be an error class, a RegExp or a predicate function, got number");
  throwsTypeError(() => assertReadyErr(poll, null as never), "assertReadyErr: matcher must be an error class, a RegExp or a predicate function, got null");
  assert.is(polls, 0);
});


test("a test runner reports every failed assertion, also with Pending or a symbol in it (uvu, in a child process)", async () => {
  const fixture = fileURLToPath(new URL("./fixtures/failing-suite.js", import.meta.url));
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    // The timeout is a safety net so a hang fails this test instead of the whole run.
    const child = execFile(process.execPath, [fixture], { timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } }, (_, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
  assert.is(result.code, 1, `uvu must exit with 1; stdout: ${result.stdout} stderr: ${result.stderr}`);
  assert.is(result.stdout.match(/FAIL/g)?.length, 5, result.stdout);
  assert.match(result.stdout, /Total: {5}5/);
  assert.match(result.stdout, /Passed: {4}0/);
  assert.match(result.stdout, /expected Ready, got Pending/);
  assert.match(result.stdout, /expected the poll to throw, got Pending/);
});

test.run();
