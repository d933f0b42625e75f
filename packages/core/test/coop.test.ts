import { test } from "uvu";
import * as assert from "uvu/assert";
import { BUDGET, consumeBudget, Context, fromGenerator, madeProgress, Pending, pollFn, pollProceed, unconstrained } from "../src/index.js";
import { CountingWaker, handPoll } from "./helpers.js";

test("BUDGET is 128 as in Tokio", () => {
  assert.is(BUDGET, 128);
});

test("a Context without a budget is unconstrained", () => {
  const cx = new Context(new CountingWaker());
  assert.is(cx.budget, Infinity);
  assert.is(cx.forcedYields, 0);
});

test("pollProceed allows progress while budget is left and does not wake", () => {
  const waker = new CountingWaker();
  const cx = new Context(waker, 1);
  assert.ok(pollProceed(cx));
  assert.is(waker.count, 0);
  assert.is(cx.forcedYields, 0);
});

test("pollProceed with the budget spent wakes the task and counts a forced yield", () => {
  const waker = new CountingWaker();
  const cx = new Context(waker, 0);
  assert.not.ok(pollProceed(cx));
  assert.is(waker.count, 1);
  assert.is(cx.forcedYields, 1);
});

test("madeProgress spends one unit of the budget", () => {
  const cx = new Context(new CountingWaker(), 5);
  madeProgress(cx);
  assert.is(cx.budget, 4);
});

test("consumeBudget is ready and spends one unit while budget is left", () => {
  const { cx, poll } = handPoll(consumeBudget(), 2);
  assert.is(poll(), undefined);
  assert.is(cx.budget, 1);
});

test("consumeBudget returns Pending and wakes the task once the budget is spent", () => {
  const { cx, waker, poll } = handPoll(consumeBudget(), 0);
  assert.is(poll(), Pending);
  assert.is(waker.count, 1);
  assert.is(cx.forcedYields, 1);
  cx.budget = 1;
  assert.is(poll(), undefined, "ready again with a fresh budget");
});

test("a generator looping over consumeBudget completes exactly BUDGET iterations in one poll", () => {
  let iterations = 0;
  const fut = fromGenerator(function* () {
    for (;;) {
      yield* consumeBudget();
      iterations++;
    }
  });
  const { cx, waker, poll } = handPoll(fut, BUDGET);
  assert.is(poll(), Pending);
  assert.is(iterations, BUDGET);
  assert.is(waker.count, 1, "the task was woken to run again");
  cx.budget = BUDGET;
  assert.is(poll(), Pending);
  assert.is(iterations, 2 * BUDGET);
});

test("unconstrained lets its inner future proceed with the budget spent", () => {
  const { cx, waker, poll } = handPoll(unconstrained(consumeBudget()), 0);
  assert.is(poll(), undefined);
  assert.is(waker.count, 0);
  assert.is(cx.forcedYields, 0);
});

test("unconstrained restores the caller's budget after the poll", () => {
  const { cx, poll } = handPoll(
    unconstrained(
      fromGenerator(function* () {
        for (let i = 0; i < 500; i++) yield* consumeBudget();
        return "done";
      }),
    ),
    3,
  );
  assert.is(poll(), "done");
  assert.is(cx.budget, 3);
});

test("unconstrained restores the budget even when the inner poll throws", () => {
  const { cx, poll } = handPoll(
    unconstrained(
      pollFn(() => {
        throw new Error("boom");
      }),
    ),
    3,
  );
  assert.throws(() => poll(), /boom/);
  assert.is(cx.budget, 3);
});

test("unconstrained forwards cancel to its inner future", () => {
  let cancelled = 0;
  const fut = unconstrained(pollFn(() => Pending, () => cancelled++));
  fut.cancel();
  assert.is(cancelled, 1);
});

test.run();
