/**
 * Inline polling of `yield*` operands.
 *
 * While `pollGenerator` steps a generator it sets `inline.cx` to the context of that poll. The
 * iterator behind `yield* fut` then polls `fut` at once: a future that is ready completes the
 * `yield*` without suspending the generator (two generator switches saved — most waits on a
 * busy channel, a free lock, a finished task are ready). A future still pending is handed to
 * the stepper as usual, marked in `inline.polled` so that it is not polled twice.
 *
 * Nested `pollGenerator` calls save and restore it; `return()` (a drop) runs with it cleared.
 * The one thing it cannot see: a generator stepped by hand from inside a stepped generator
 * would have its `yield*` polled with the outer task's context — driving tokio-ts futures
 * through a hand-written generator loop inside a task is not supported.
 */
import type { Context } from "../context.js";
import type { Future } from "../future.js";

export const inline: { cx: Context | undefined; polled: Future<unknown> | undefined; resumable: boolean } = {
  cx: undefined,
  polled: undefined,
  // Whether the iterator that suspended with `polled` re-polls its future itself when resumed
  // with `Resume`. `yieldSuspend` always writes both, so it is read only together with `polled`.
  resumable: false,
};
