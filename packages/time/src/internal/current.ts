/** The time driver of the current task's runtime. */
import { currentDriverHost } from "@tokio-ts/core";
import { TIME } from "../driver.js";
import type { TimeDriver } from "./driver.js";

/**
 * **Throws**: ContextError "`what` needs a runtime, but no runtime is running: …" outside a
 * task; ContextError "timers are disabled: build the runtime with enableTime()".
 */
export function currentTimeDriver(what: string): TimeDriver {
  return currentDriverHost(what).driver(TIME);
}
