/** Every sync workload, in the order the report lists them. */
import { broadcastFanOut } from "./broadcast.js";
import type { SyncWorkload } from "./case.js";
import { mpscBounded1to1, mpscBounded4to1, mpscUnbounded1to1 } from "./mpsc.js";
import { mutexIncrements } from "./mutex.js";
import { oneshotPingPong } from "./oneshot.js";
import { semaphoreAcquires } from "./semaphore.js";

export const SYNC_WORKLOADS: readonly SyncWorkload[] = [
  mpscBounded1to1,
  mpscBounded4to1,
  mpscUnbounded1to1,
  oneshotPingPong,
  mutexIncrements,
  semaphoreAcquires,
  broadcastFanOut,
];

/**
 * The workloads whose every row also runs at the size (`issueN`: 5,000,000 messages,
 * 1,000,000 round trips, increments or acquire/release pairs, 200,000 broadcast values), one
 * process per row, for time and peak memory (../sync-memory-run.ts). mpsc bounded 4→1 is
 * left out: its memory is that of 1→1.
 */
export const SYNC_MEMORY_WORKLOADS: readonly string[] = [
  mpscBounded1to1.id,
  mpscUnbounded1to1.id,
  oneshotPingPong.id,
  mutexIncrements.id,
  semaphoreAcquires.id,
  broadcastFanOut.id,
];

/**
 * The sync workloads also timed in fresh processes at the size (`issueN`), several
 * rounds with the rows alternating (../sync-process-run.ts): those whose target sits near its
 * mark, where the mitata process's swings decide it.
 */
export const SYNC_PROCESS_WORKLOADS: readonly string[] = [oneshotPingPong.id];
