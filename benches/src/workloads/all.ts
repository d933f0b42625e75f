/** Every workload, in the order the report lists them. */
import type { Workload } from "../impl.js";
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
