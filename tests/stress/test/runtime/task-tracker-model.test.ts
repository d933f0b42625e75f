// TaskTracker under random operations: tracked spawns (some aborted), tokens, trackFuture
// (awaited, or dropped by a select), close/reopen, many concurrent wait() calls (some dropped).
// size always equals the model's count; a wait completes only once the tracker has been closed
// and empty since the wait began; no wait is left hanging once it is closed and empty.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, TaskTracker, Handle, type JoinHandle, type TaskTrackerToken } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { seeds, n, opts } from "./util.js";

test("TaskTracker: size, close/reopen and wait against a model", async () => {
  await seeds(
    n(800),
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 13 + 7);
        const tracker = new TaskTracker();
        const tasks: JoinHandle<void>[] = [];
        const tokens: TaskTrackerToken[] = [];
        let liveFutures = 0; // trackFuture futures being awaited right now
        let closed = false;
        // epoch: bumped each time the model is closed and empty (a moment a wait may end at)
        let epoch = 0;
        const modelSize = (): number => tasks.filter((h) => !h.isFinished()).length + tokens.length + liveFutures;
        const note = (): void => {
          if (closed && modelSize() === 0) epoch++;
        };
        const waiters: { h: JoinHandle<boolean>; since: number }[] = [];
        const startWaiter = (): void => {
          const since = epoch;
          const droppable = rng.next() < 0.3;
          const ms = rng.between(1, 30);
          const w = {
            since: closed && modelSize() === 0 ? since - 1 : since,
            h: spawn(function* () {
              if (droppable) {
                const r = yield* select({ w: tracker.wait(), t: sleep(ms) }, { biased: true });
                if (r.key === "t") return false;
              } else yield* tracker.wait();
              // it may only end once closed and empty happened since it began
              note();
              assert.ok(epoch > w.since || (closed && modelSize() === 0), `seed ${seed}: a wait ended while the tracker was never closed and empty`);
              return true;
            }),
          };
          waiters.push(w);
        };

        const ops = rng.between(10, 50);
        for (let k = 0; k < ops; k++) {
          const op = rng.below(100);
          if (op < 25) {
            const steps = rng.between(0, 3);
            const ms = rng.between(1, 20);
            tasks.push(
              tracker.spawn(function* () {
                for (let s = 0; s < steps; s++) yield* (s % 2 === 0 ? sleep(ms) : yieldNow());
              }),
            );
          } else if (op < 32 && tasks.length > 0) {
            tasks[rng.below(tasks.length)]!.abort();
          } else if (op < 40) {
            tokens.push(tracker.token());
          } else if (op < 48 && tokens.length > 0) {
            const t = tokens.splice(rng.below(tokens.length), 1)[0]!;
            t.release();
            if (rng.next() < 0.5) t.release(); // idempotent
            note();
          } else if (op < 55) {
            // a tracked future, in this task: awaited to its end, or dropped by a select
            const ms = rng.between(1, 20);
            const fut = tracker.trackFuture(sleep(ms));
            liveFutures++;
            assert.is(tracker.size, modelSize(), "size after trackFuture");
            const r = yield* select({ f: fut, t: sleep(rng.between(1, 20)) }, { biased: true });
            void r;
            liveFutures--;
            note();
          } else if (op < 62) {
            const was = closed;
            assert.is(tracker.close(), !was);
            closed = true;
            note();
          } else if (op < 66) {
            const was = closed;
            assert.is(tracker.reopen(), was);
            closed = false;
          } else if (op < 78) {
            startWaiter();
          } else if (op < 90) {
            yield* sleep(rng.between(1, 25));
          } else {
            yield* yieldNow();
          }
          note();
          assert.is(tracker.size, modelSize(), `seed ${seed} op ${k}: size`);
          assert.is(tracker.isEmpty(), modelSize() === 0);
          assert.is(tracker.isClosed(), closed);
        }
        // end: release everything, close; every wait still pending must end
        for (const t of tokens.splice(0)) t.release();
        tracker.close();
        closed = true;
        for (const h of tasks) {
          try {
            yield* h;
          } catch {
            // aborted
          }
        }
        note();
        assert.is(tracker.size, 0);
        const done = yield* select({ all: function* () { for (const w of waiters) yield* w.h; }, hang: sleep(1_000_000) });
        assert.is(done.key, "all", `seed ${seed}: a wait() hung on a closed and empty tracker`);
        yield* tracker.wait(); // at once
        assert.is(Handle.current().metrics().numAliveTasks(), 0);
      }),
    opts(),
  );
});

test.run();
