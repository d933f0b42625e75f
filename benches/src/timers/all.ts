/** Every timer workload, in the order the report lists them. */
import type { TimerWorkload } from "./case.js";
import { timerCancel } from "./cancel.js";
import { instantNow } from "./instant-now.js";
import { intervalTicks } from "./interval.js";

export const TIMER_WORKLOADS: readonly TimerWorkload[] = [timerCancel, instantNow, intervalTicks];

/**
 * The timer workloads also timed in fresh processes, several rounds with the rows alternating
 * (../timer-process-run.ts, step 3c): those whose target sits near its mark.
 */
export const TIMER_PROCESS_WORKLOADS: readonly string[] = [timerCancel.id];
