/** The time driver of the current task's runtime. */
import { currentDriverHost, type DriverHost } from "@tokio-ts/core";
import { TIME } from "../driver.js";
import type { TimeDriver } from "./driver.js";

/**
 * **Throws**: ContextError "`what` needs a runtime, but no runtime is running: …" outside a
 * task; ContextError "timers are disabled: build the runtime with enableTime()".
 */
export function currentTimeDriver(what: string): TimeDriver {
  const host = currentDriverHost(what);
  if (host === lastHost) return lastDriver!;
  const driver = host.driver(TIME);
  lastHost = host;
  lastDriver = driver;
  return driver;
}

// A one-entry cache: consecutive time calls almost always come from the same runtime. A host
// is cached only once its driver exists, so a disabled runtime still throws every time.
let lastHost: DriverHost | undefined;
let lastDriver: TimeDriver | undefined;
