/** Every workload, in the order the report lists them. */
import type { ImplName, Workload } from "../impl.js";
import { chainedSpawn } from "./chained-spawn.js";
import { pingPong } from "./ping-pong.js";
import { spawnJoin } from "./spawn-join.js";
import { yieldMany } from "./yield-many.js";

export const WORKLOADS: readonly Workload[] = [spawnJoin, yieldMany, chainedSpawn, pingPong];

/** The workload with this id; throws for an unknown one. */
export function workload(id: string): Workload {
  const found = WORKLOADS.find((w) => w.id === id);
  if (found === undefined) throw new RangeError(`unknown workload ${id}: one of ${WORKLOADS.map((w) => w.id).join(", ")}`);
  return found;
}

/**
 * The task workloads also timed in fresh processes, several rounds with the implementations
 * alternating (../task-process-run.ts, step 3b): those whose targets sit near their marks.
 * Each resolves to its size (every task joined, every output of 1 summed), which is checked.
 */
export const TASK_PROCESS_WORKLOADS: readonly string[] = [spawnJoin.id];

/** The implementations step 3b times: Effection, at ~80 µs per task, has no target there. */
export const TASK_PROCESS_IMPLS: readonly ImplName[] = ["tokio-ts gen", "tokio-ts async", "node", "effect"];
