/**
 * Workload: ping-pong between pairs of tasks through one-shot handoffs.
 *
 * Source: Tokio's `ping_pong` (benches/rt_multi_threaded.rs), NUM_PINGS = 1,000. Its shape:
 *
 * ```text
 * root ── spawn ──▶ outer ── spawn × NUM_PINGS ──▶ ping
 * ping: make oneshots (tx1, rx1), (tx2, rx2); spawn pong; tx1.send(); await rx2;
 *       decrement the shared counter; the ping that takes it to 0 signals `done`
 * pong: await rx1; tx2.send()
 * root: waits for `done`
 * ```
 *
 * So one iteration spawns 2,001 tasks and makes 2,000 cross-task handoffs. The tokio-ts gen
 * tasks are generator objects of shared generator functions (see tokioOuter). tokio-ts has no
 * `sync` package yet, so its oneshot is the hand-written leaf future in `../oneshot.ts`; each
 * peer uses its own native one-shot:
 * - node: a promise and its resolver; "spawn" is calling an async function without awaiting.
 * - effect: `Deferred`; detached tasks through `Effect.forkDetach`, pong through `forkChild`
 *   (ping outlives it).
 * - effection: `withResolvers`; the outer task and the pings run on the root's scope
 *   (`scope.run`, so they are not halted when their spawner returns), pong is a `spawn`ed child.
 */
import { spawn } from "@tokio-ts/runtime";
import { Deferred, Effect } from "effect";
import * as effection from "effection";
import { tokioRuntime, type Workload } from "../impl.js";
import { deferred, Oneshot } from "../oneshot.js";

/** The completion counter of one iteration: Tokio's `rem` + `done_tx`. */
interface Counter {
  rem: number;
}

// The tasks are generator objects of shared generator functions (`spawn(ping(…))`): a fresh
// `function* () {…}` per spawn would measure V8's first call of a generator closure (a new
// prototype and hidden class per closure, ~0.7 µs each), not the scheduler (see the runtime
// README, "Spawning many tasks").
function* tokioOuter(n: number, counter: Counter, done: Oneshot<void>): Generator<never, void> {
  for (let i = 0; i < n; i++) spawn(tokioPing(counter, done));
}

function* tokioPing(counter: Counter, done: Oneshot<void>): Generator<unknown, void, any> {
  const ping = new Oneshot<void>();
  const pong = new Oneshot<void>();
  spawn(tokioPong(ping, pong));
  ping.send();
  yield* pong.recv();
  if (--counter.rem === 0) done.send();
}

function* tokioPong(ping: Oneshot<void>, pong: Oneshot<void>): Generator<unknown, void, any> {
  yield* ping.recv();
  pong.send();
}

function tokioGen(n: number): Promise<void> {
  return tokioRuntime().blockOn(function* () {
    const counter: Counter = { rem: n };
    const done = new Oneshot<void>();
    spawn(tokioOuter(n, counter, done));
    yield* done.recv();
  });
}

function tokioAsync(n: number): Promise<void> {
  return tokioRuntime().blockOn(async () => {
    const counter: Counter = { rem: n };
    const done = new Oneshot<void>();
    spawn(async () => {
      for (let i = 0; i < n; i++) {
        spawn(async () => {
          const ping = new Oneshot<void>();
          const pong = new Oneshot<void>();
          spawn(async () => {
            await ping.recv();
            pong.send();
          });
          ping.send();
          await pong.recv();
          if (--counter.rem === 0) done.send();
        });
      }
    });
    await done.recv();
  });
}

async function node(n: number): Promise<void> {
  const counter: Counter = { rem: n };
  const done = deferred<void>();
  void (async () => {
    for (let i = 0; i < n; i++) {
      void (async () => {
        const ping = deferred<void>();
        const pong = deferred<void>();
        void (async () => {
          await ping.promise;
          pong.resolve();
        })();
        ping.resolve();
        await pong.promise;
        if (--counter.rem === 0) done.resolve();
      })();
    }
  })();
  await done.promise;
}

function effect(n: number): Promise<void> {
  return Effect.runPromise(
    Effect.gen(function* () {
      const counter: Counter = { rem: n };
      const done = yield* Deferred.make<void>();
      const pingTask = Effect.gen(function* () {
        const ping = yield* Deferred.make<void>();
        const pong = yield* Deferred.make<void>();
        yield* Effect.forkChild(
          Effect.gen(function* () {
            yield* Deferred.await(ping);
            yield* Deferred.succeed(pong, undefined);
          }),
        );
        yield* Deferred.succeed(ping, undefined);
        yield* Deferred.await(pong);
        if (--counter.rem === 0) yield* Deferred.succeed(done, undefined);
      });
      yield* Effect.forkDetach(
        Effect.gen(function* () {
          for (let i = 0; i < n; i++) yield* Effect.forkDetach(pingTask);
        }),
      );
      yield* Deferred.await(done);
    }),
  );
}

function effectionImpl(n: number): Promise<void> {
  return effection.run(function* () {
    const counter: Counter = { rem: n };
    const done = effection.withResolvers<void>();
    const scope = yield* effection.useScope();
    scope.run(function* () {
      for (let i = 0; i < n; i++) {
        scope.run(function* () {
          const ping = effection.withResolvers<void>();
          const pong = effection.withResolvers<void>();
          yield* effection.spawn(function* () {
            yield* ping.operation;
            pong.resolve();
          });
          ping.resolve();
          yield* pong.operation;
          if (--counter.rem === 0) done.resolve();
        });
      }
    });
    yield* done.operation;
  });
}

export const pingPong: Workload = {
  id: "ping-pong",
  title: "ping-pong, 1,000 pairs",
  source: "Tokio benches/rt_multi_threaded.rs `ping_pong`",
  n: 1_000,
  unit: "ping-pong",
  runners: {
    "tokio-ts gen": tokioGen,
    "tokio-ts async": tokioAsync,
    node,
    effect,
    effection: effectionImpl,
  },
};
