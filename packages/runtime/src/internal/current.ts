/** Finding the scheduler of the running task. */
import { ContextError, currentFrame } from "@tokio-ts/core";
import { Scheduler } from "./scheduler.js";

/** The scheduler running the current task, or undefined. */
export function tryCurrentScheduler(): Scheduler | undefined {
  const runtime = currentFrame()?.task?.runtime;
  return runtime instanceof Scheduler ? runtime : undefined;
}

/** The scheduler running the current task; `what` names the caller in the error. */
export function currentScheduler(what: string): Scheduler {
  const scheduler = tryCurrentScheduler();
  if (scheduler === undefined) throw ContextError.noRuntime(what);
  return scheduler;
}
