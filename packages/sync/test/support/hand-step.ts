import * as assert from "uvu/assert";
import { Pending, type Future } from "@tokio-ts/core";
import { assertPending, mockTask } from "@tokio-ts/test-util";

/**
 * Run `yield* future` in a generator stepped by hand, the way an executor other than core's
 * `pollGenerator` does: the generator yields the future unpolled, the executor polls it (Pending,
 * then ready after `complete()`), and resumes the generator with the output. Returns what the
 * generator returned, which must be that output.
 */
export function handStep<T>(future: Future<T>, complete: () => void): T {
  const gen = (function* () {
    return yield* future;
  })();
  const first = gen.next();
  assert.is(first.done, false, "suspended at the future");
  assert.is(first.value, future, "yields the future itself");
  const task = mockTask(future);
  assertPending(task.poll());
  complete();
  const out = task.poll();
  assert.is.not(out, Pending, "ready once completed");
  const last = gen.next(out);
  assert.is(last.done, true, "the generator returns after one resume");
  assert.is(last.value, out);
  return last.value as T;
}
