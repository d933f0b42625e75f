/** Every macros workload, in the order the report lists them. */
import type { MacroWorkload } from "./case.js";
import { join10Ready } from "./join.js";
import { selectRecvSleep } from "./select.js";

export const MACRO_WORKLOADS: readonly MacroWorkload[] = [selectRecvSleep, join10Ready];

/** The workloads whose rows also run at the full size, one process per row, with heap samples. */
export const MACRO_MEMORY_WORKLOADS: readonly string[] = [selectRecvSleep.id];
