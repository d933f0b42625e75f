import { test } from "uvu";
import * as assert from "uvu/assert";
import { Handle } from "@tokio-ts/runtime";
import { mockTask } from "@tokio-ts/test-util";
import { sleep } from "@tokio-ts/time";
import { buildRuntime, isInstalled, registeredTimers } from "../src/internal/build.js";

test("isInstalled finds an installed package without loading it, and says false for a missing one", () => {
  assert.ok(isInstalled("@tokio-ts/time"));
  assert.not.ok(isInstalled("@tokio-ts/no-such-package"));
});

test("registeredTimers reads the time driver only if the runtime created it, and never creates it", async () => {
  const rt = buildRuntime("test", { name: "probe", startPaused: true, rngSeed: undefined, unhandledPanic: undefined });
  try {
    const counts = await rt.blockOn(function* () {
      const handle = Handle.current();
      const before = registeredTimers(handle); // no driver yet: 0, and none is made
      yield* sleep(1_000); // the real time driver is created now, paused as configured
      const task = mockTask(sleep(1_000));
      task.poll();
      const during = registeredTimers(handle);
      task.drop();
      return [before, during, registeredTimers(handle)];
    });
    assert.equal(counts, [0, 1, 0]);
  } finally {
    await rt.shutdownTimeout(0);
  }
});

test.run();
