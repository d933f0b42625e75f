/**
 * Regression tests for the bugs found by this stress suite (they fail on the code as it is).
 */
import { test as uvu } from "uvu";
import * as assert from "uvu/assert";
import { main, test, type TestRegistrar } from "@tokio-ts/macros";
import { Pending, type Context, type Future } from "@tokio-ts/core";
import { spawn, yieldNow } from "@tokio-ts/runtime";
import { Notify } from "@tokio-ts/sync";
import { sleep } from "@tokio-ts/time";
import { runChild } from "./run-child.js";

uvu("main(): a signal-cancelled body whose finally throws reports that error (abort() makes it a panic), it is not lost", async () => {
  for (const kind of ["gen", "async"]) {
    const r = await runChild("main-cleanup-throws", [kind], [{ on: "ready", signal: "SIGINT" }]);
    assert.not.ok(r.killedBySafetyNet);
    assert.match(r.stderr, "cleanup failed", `${kind}: the cleanup error was not reported; exit ${r.code}, stdout: ${r.stdout}`);
  }
});

uvu("main(): a future given as a plain object with poll and cancel (isFuture, accepted by spawn and blockOn) runs", async () => {
  const plain = (): Future<number> => {
    let n = 0;
    return {
      poll(cx: Context) {
        if (++n < 3) {
          cx.waker.wake();
          return Pending;
        }
        return 7;
      },
      cancel() {},
    } as unknown as Future<number>;
  };
  const { error } = console;
  const exitCode = process.exitCode;
  const printed: unknown[] = [];
  console.error = (...a: unknown[]) => void printed.push(a);
  try {
    const direct = await main(plain(), { handleSignals: false });
    const returned = await main(() => plain(), { handleSignals: false });
    assert.equal([direct, returned, printed.length], [7, 7, 0], String(printed[0]));
  } finally {
    console.error = error;
    process.exitCode = exitCode;
  }
});

uvu("test(): an async task that is finishing as the body returns (aborted, notified, or ready) is not a leak, as for a generator task", async () => {
  const handlers: [string, () => Promise<void>][] = [];
  const suite: TestRegistrar = (n, h) => void handlers.push([n, h]);
  test("async task aborted by the body", function* () {
    const h = spawn(async () => {
      await sleep(3_600_000);
    });
    yield* yieldNow();
    h.abort();
  }, { suite });
  test("async task that finishes right after the body", function* () {
    spawn(async () => 1);
  }, { suite });
  test("async waiter notified as the body returns", function* () {
    const n = new Notify();
    spawn(async () => {
      await n.notified();
    });
    yield* yieldNow();
    n.notifyOne();
  }, { suite });
  const failures: string[] = [];
  for (const [name, h] of handlers) {
    try {
      await h();
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  assert.equal(failures, []);
});

uvu.run();
