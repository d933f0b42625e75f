/**
 * The step executor at work: two generator tasks and an async task, stepped by hand, then run
 * to completion. Run with `node dist/src/main.js` after a build.
 */
import { currentFrame, Pending, pollFn, type Waker } from "@tokio-ts/core";
import { StepExecutor } from "./step-executor.js";

const ex = new StepExecutor();
const say = (line: string): void => console.log(line);
const whoAmI = (): string => `task ${currentFrame()?.task?.id ?? "?"}`;

// A one-shot event: a leaf future written with pollFn that stores the waker of whoever waits.
let fired = false;
let waiter: Waker | undefined;
const event = () =>
  pollFn<string>((cx) => {
    if (fired) return "fired";
    waiter = cx.waker;
    return Pending;
  });

const a = ex.spawn(function* () {
  say(`${whoAmI()}: waiting for the event`);
  const what = yield* event();
  say(`${whoAmI()}: the event ${what}`);
  return "a done";
});
const b = ex.spawn(function* () {
  say(`${whoAmI()}: firing the event`);
  fired = true;
  waiter?.wake();
  return "b done";
});
const c = ex.spawn(async () => {
  say(`${whoAmI()}: an async body, before its await`);
  const what = await event();
  say(`${whoAmI()}: after its await the event ${what}`);
  return "c done";
});

say(`step → ${ex.step()} (queue: ${ex.queueLength})`);
say(`step → ${ex.step()} (queue: ${ex.queueLength})`);
const polls = await ex.runUntilIdle();
say(`runUntilIdle made ${polls} more polls`);
say(`outputs: ${[a, b, c].map((t) => `${t.status}:${String(t.output)}`).join(", ")}`);
