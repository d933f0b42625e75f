/**
 * Workload: a chain of tasks, each spawning the next; the last one signals completion.
 *
 * Source: Tokio's `chained_spawn` (benches/rt_multi_threaded.rs), ITER = 1,000: no task is
 * joined, the 1,000th sends on a completion channel that the root waits on.
 *
 * "Spawn" is a task that starts later and outlives its spawner, in each implementation:
 * - tokio-ts gen: `spawn(link(done, n - 1))`, a generator object of one shared generator
 *   function (see tokioGenLink); async: `spawn(async () => …)`; completion through a
 *   hand-written oneshot future.
 * - node: an async function that first does `await null` (so it starts on a later microtask,
 *   as a spawned task does), called without awaiting; completion through a promise.
 * - effect: `Effect.forkDetach` (a `forkChild` would be interrupted when its parent ends);
 *   completion through a `Deferred`.
 * - effection: `scope.run` on the root's scope (a plain `spawn` would be halted when its parent
 *   returns, by structured concurrency); completion through `withResolvers`.
 */
import { spawn } from "@tokio-ts/runtime";
import { Deferred, Effect } from "effect";
import * as effection from "effection";
import { tokioRuntime, type Workload } from "../impl.js";
import { deferred, Oneshot, type Deferred as NodeDeferred } from "../oneshot.js";

// One shared generator function, spawned as a generator object (`spawn(link(…))`): a fresh
// `function* () {…}` per spawn would measure V8's first call of a generator closure (a new
// prototype and hidden class per closure, ~0.7 µs), not the scheduler (see the runtime README,
// "Spawning many tasks").
function* tokioGenLink(done: Oneshot<void>, n: number): Generator<never, void> {
  if (n === 0) done.send();
  else spawn(tokioGenLink(done, n - 1));
}

function tokioAsyncLink(done: Oneshot<void>, n: number): void {
  if (n === 0) done.send();
  else
    spawn(async () => {
      tokioAsyncLink(done, n - 1);
    });
}

async function nodeLink(done: NodeDeferred<void>, n: number): Promise<void> {
  await null;
  if (n === 0) done.resolve();
  else void nodeLink(done, n - 1);
}

function effectLink(done: Deferred.Deferred<void>, n: number): Effect.Effect<void> {
  return n === 0
    ? Effect.asVoid(Deferred.succeed(done, undefined))
    : Effect.asVoid(Effect.forkDetach(Effect.suspend(() => effectLink(done, n - 1))));
}

function* effectionLink(
  scope: effection.Scope,
  done: effection.WithResolvers<void>,
  n: number,
): effection.Operation<void> {
  if (n === 0) done.resolve();
  else scope.run(() => effectionLink(scope, done, n - 1));
}

export const chainedSpawn: Workload = {
  id: "chained-spawn",
  title: "chained spawn, 1,000 deep",
  source: "Tokio benches/rt_multi_threaded.rs `chained_spawn`",
  n: 1_000,
  unit: "task",
  runners: {
    "tokio-ts gen": (n) =>
      tokioRuntime().blockOn(function* () {
        const done = new Oneshot<void>();
        spawn(tokioGenLink(done, n));
        yield* done.recv();
      }),

    "tokio-ts async": (n) =>
      tokioRuntime().blockOn(async () => {
        const done = new Oneshot<void>();
        spawn(async () => {
          tokioAsyncLink(done, n);
        });
        await done.recv();
      }),

    node: async (n) => {
      const done = deferred<void>();
      void nodeLink(done, n);
      await done.promise;
    },

    effect: (n) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const done = yield* Deferred.make<void>();
          yield* Effect.forkDetach(effectLink(done, n));
          yield* Deferred.await(done);
        }),
      ),

    effection: (n) =>
      effection.run(function* () {
        const scope = yield* effection.useScope();
        const done = effection.withResolvers<void>();
        scope.run(() => effectionLink(scope, done, n));
        yield* done.operation;
      }),
  },
};
