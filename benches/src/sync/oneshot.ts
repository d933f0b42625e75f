/**
 * Sync workload: oneshot ping-pong between two tasks, each message carrying the one-shot
 * channel for its reply.
 *
 * Source: the oneshot benchmark (1,000,000 round trips; target ≥ 4× plain promises);
 * the request/reply pattern of Tokio's actors (a request carries a `oneshot::Sender` for its
 * answer). One mitata iteration is n round trips:
 *
 * ```text
 * ping: for i in 0..n: make (tx, rx); send { i, reply: tx } on the channel pong waits on;
 *       m = await rx; check m.i === i; next send goes on m.reply
 * pong: for each message m: make (tx, rx); m.reply.send({ i: m.i, reply: tx }); wait on rx
 * ```
 *
 * So every round trip makes two one-shots and hands each across tasks once, and every row
 * allocates the same two message objects.
 * - tokio-ts rows: `oneshot.channel()`, `tx.send(m)` (synchronous), `await rx` / `yield* rx`
 *   (the receiver is a future).
 * - plain promises: `new Promise` + its `resolve` per one-shot.
 * - effect: `Deferred.make`, `Deferred.succeed`, `Deferred.await`, pong a forked fiber.
 */
import { spawn } from "@tokio-ts/runtime";
import { oneshot } from "@tokio-ts/sync";
import { Deferred, Effect, Fiber } from "effect";
import { tokioRuntime } from "../impl.js";
import { expectCount, expectEqual, TOKIO_ASYNC, TOKIO_GEN, type SyncWorkload } from "./case.js";

interface TokioMsg {
  i: number;
  reply: oneshot.Sender<TokioMsg>;
}

async function tokioAsync(n: number): Promise<number> {
  const [first, firstRx] = oneshot.channel<TokioMsg>();
  const pong = (async () => {
    let rx = firstRx;
    for (let k = 0; k < n; k++) {
      const m = await rx;
      const [tx, next] = oneshot.channel<TokioMsg>();
      m.reply.send({ i: m.i, reply: tx });
      rx = next;
    }
  })();
  let toPong = first;
  let trips = 0;
  for (let i = 0; i < n; i++) {
    const [tx, rx] = oneshot.channel<TokioMsg>();
    toPong.send({ i, reply: tx });
    const m = await rx;
    expectEqual("oneshot ping-pong", m.i, i);
    toPong = m.reply;
    trips++;
  }
  await pong;
  return trips;
}

function tokioGen(n: number): Promise<number> {
  return tokioRuntime().blockOn(function* () {
    const [first, firstRx] = oneshot.channel<TokioMsg>();
    const pong = spawn(function* () {
      let rx = firstRx;
      for (let k = 0; k < n; k++) {
        const m = yield* rx;
        const [tx, next] = oneshot.channel<TokioMsg>();
        m.reply.send({ i: m.i, reply: tx });
        rx = next;
      }
    });
    let toPong = first;
    let trips = 0;
    for (let i = 0; i < n; i++) {
      const [tx, rx] = oneshot.channel<TokioMsg>();
      toPong.send({ i, reply: tx });
      const m = yield* rx;
      expectEqual("oneshot ping-pong", m.i, i);
      toPong = m.reply;
      trips++;
    }
    yield* pong;
    return trips;
  });
}

/** A promise and its resolver: the one-shot plain code uses. */
interface PromiseOneshot<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function promiseOneshot<T>(): PromiseOneshot<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

interface PromiseMsg {
  i: number;
  reply: PromiseOneshot<PromiseMsg>;
}

async function promises(n: number): Promise<number> {
  const first = promiseOneshot<PromiseMsg>();
  const pong = (async () => {
    let rx = first;
    for (let k = 0; k < n; k++) {
      const m = await rx.promise;
      const next = promiseOneshot<PromiseMsg>();
      m.reply.resolve({ i: m.i, reply: next });
      rx = next;
    }
  })();
  let toPong = first;
  let trips = 0;
  for (let i = 0; i < n; i++) {
    const reply = promiseOneshot<PromiseMsg>();
    toPong.resolve({ i, reply });
    const m = await reply.promise;
    expectEqual("oneshot ping-pong", m.i, i);
    toPong = m.reply;
    trips++;
  }
  await pong;
  return trips;
}

interface EffectMsg {
  i: number;
  reply: Deferred.Deferred<EffectMsg>;
}

function effect(n: number): Promise<number> {
  return Effect.runPromise(
    Effect.gen(function* () {
      const first = yield* Deferred.make<EffectMsg>();
      const pong = yield* Effect.forkChild(
        Effect.gen(function* () {
          let rx = first;
          for (let k = 0; k < n; k++) {
            const m = yield* Deferred.await(rx);
            const next = yield* Deferred.make<EffectMsg>();
            yield* Deferred.succeed(m.reply, { i: m.i, reply: next });
            rx = next;
          }
        }),
      );
      let toPong = first;
      let trips = 0;
      for (let i = 0; i < n; i++) {
        const reply = yield* Deferred.make<EffectMsg>();
        yield* Deferred.succeed(toPong, { i, reply });
        const m = yield* Deferred.await(reply);
        expectEqual("oneshot ping-pong", m.i, i);
        toPong = m.reply;
        trips++;
      }
      yield* Fiber.join(pong);
      return trips;
    }),
  );
}

export const oneshotPingPong: SyncWorkload = {
  id: "oneshot-ping-pong",
  title: "oneshot ping-pong",
  source: "issue target (≥ 4× plain promises); request/reply, each message carrying its reply one-shot",
  notes: [
    `**${TOKIO_GEN}**: the \`blockOn\` body and a spawned generator task; \`oneshot.channel()\`, \`tx.send(m)\`, \`yield* rx\``,
    `**${TOKIO_ASYNC}**: the same with two async function calls, \`await rx\`; no runtime`,
    "**plain promises**: `new Promise` and its `resolve` per one-shot, `await promise`",
    "**effect Deferred**: `Deferred.make` / `succeed` / `await`, pong in a forked fiber",
  ],
  n: 200_000,
  unit: "round trip",
  rows: [
    { label: TOKIO_GEN, role: "tokio-ts", runner: tokioGen },
    { label: TOKIO_ASYNC, role: "tokio-ts", runner: tokioAsync },
    { label: "plain promises", role: "peer", runner: promises },
    { label: "effect Deferred", role: "peer", runner: effect },
  ],
  check: expectCount("oneshot ping-pong"),
};
