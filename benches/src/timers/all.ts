/** Every timer workload, in the order the report lists them. */
import type { TimerWorkload } from "./case.js";
import { timerCancel } from "./cancel.js";
import { instantNow } from "./instant-now.js";
import { intervalTicks } from "./interval.js";

export const TIMER_WORKLOADS: readonly TimerWorkload[] = [timerCancel, instantNow, intervalTicks];
