/**
 * Workload: spawn N tasks, then join each of them.
 *
 * Source: the first target (spawn+join of 1,000,000 tasks), shaped like Tokio's
 * `spawn_many` (benches/rt_multi_threaded.rs) with the completion counter replaced by joins,
 * since joining is what the target is about.
 *
 * Size: 1,000,000 tasks per iteration, the count. Until 2026-12-07 one iteration was
 * 100,000 tasks, and the ratio depends on the size: in standalone runs on the bench machine,
 * node took ~135–150 ns per task at 100,000 and ~190–220 ns at 1,000,000, while tokio-ts gen took
 * ~180–185 ns at both. (At 100,000, node allocates ~208 B per task and tokio-ts gen ~335 B, so
 * node's iteration is mostly done between two scavenges; at 1,000,000 every row's live tasks
 * outlive the young generation.)
 *
 * Shape, the same for every implementation: one root task spawns N tasks whose body returns 1
 * (one shared body, no closure per task), keeps the N handles, then joins them in order and
 * sums the outputs.
 *
 * - tokio-ts gen / async: `spawn(body)` → JoinHandle, joined with `yield*` / `await`.
 * - node: an async function call is Node's task; `Promise.all` joins (the peer).
 * - effect: `Effect.forkChild(Effect.sync(() => 1))` → Fiber, joined with `Fiber.join`.
 * - effection: `spawn(body)` → Task, joined with `yield* task`. Sampled at N = 10,000 in the
 *   mitata run (one iteration of 100,000 takes ~8 s); its time per task is a little lower at
 *   the smaller size, so its ratio errs in its favour.
 */
import { spawn } from "@tokio-ts/runtime";
import type { JoinHandle } from "@tokio-ts/runtime";
import { Effect, Fiber } from "effect";
import * as effection from "effection";
import { tokioRuntime, type Workload } from "../impl.js";

function* genBody(): Generator<never, number> {
  return 1;
}

async function asyncBody(): Promise<number> {
  return 1;
}

const effectBody = Effect.sync(() => 1);

export const spawnJoin: Workload = {
  id: "spawn-join",
  title: "spawn + join",
  source: "issue target; Tokio benches/rt_multi_threaded.rs `spawn_many`, joined",
  n: 1_000_000,
  // Effection spends ~80 µs per task here (8 s per 100,000): sampled at 10,000 instead.
  sizes: { effection: 10_000 },
  unit: "task",
  runners: {
    "tokio-ts gen": (n, probe) =>
      tokioRuntime().blockOn(function* () {
        const handles: JoinHandle<number>[] = new Array(n);
        for (let i = 0; i < n; i++) handles[i] = spawn(genBody);
        probe?.();
        let sum = 0;
        for (let i = 0; i < n; i++) sum += yield* handles[i]!;
        return sum;
      }),

    "tokio-ts async": (n, probe) =>
      tokioRuntime().blockOn(async () => {
        const handles: JoinHandle<number>[] = new Array(n);
        for (let i = 0; i < n; i++) handles[i] = spawn(asyncBody);
        probe?.();
        let sum = 0;
        for (let i = 0; i < n; i++) sum += await handles[i]!;
        return sum;
      }),

    node: async (n, probe) => {
      const promises: Promise<number>[] = new Array(n);
      for (let i = 0; i < n; i++) promises[i] = asyncBody();
      probe?.();
      const outputs = await Promise.all(promises);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += outputs[i]!;
      return sum;
    },

    effect: (n, probe) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const fibers: Fiber.Fiber<number>[] = new Array(n);
          for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(effectBody);
          probe?.();
          let sum = 0;
          for (let i = 0; i < n; i++) sum += yield* Fiber.join(fibers[i]!);
          return sum;
        }),
      ),

    effection: (n, probe) =>
      effection.run(function* () {
        const tasks: effection.Task<number>[] = new Array(n);
        for (let i = 0; i < n; i++) tasks[i] = yield* effection.spawn(genBody);
        probe?.();
        let sum = 0;
        for (let i = 0; i < n; i++) sum += yield* tasks[i]!;
        return sum;
      }),
  },
};
