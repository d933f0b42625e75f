/**
 * Sync workload: oneshot ping-pong between two tasks, each message carrying the one-shot
 * channel for its reply.
 *
 * Source: the oneshot benchmark (1,000,000 round trips; target ≥ 4× plain promises);
 * the request/reply pattern of Tokio's actors (a request carries a `oneshot::Sender` for its
 * answer). One mitata iteration is n round trips, the 1,000,000 (until 2026-12-07 it was
 * 200,000; see "Memory" below for why the size matters):
 *
 * ```text
 * ping: for i in 0..n: make (tx, rx); send { i, reply: tx } on the channel pong waits on;
 *       m = await rx; check m.i === i; next send goes on m.reply
 * pong: for each message m: make (tx, rx); m.reply.send({ i: m.i, reply: tx }); wait on rx
 * ```
 *
 * So every round trip makes two one-shots and hands each across tasks once, and every row
 * allocates the same two message objects. `probe` (the memory run's) is called every 65,536
 * round trips.
 * - tokio-ts rows: `oneshot.channel()`, `tx.send(m)` (synchronous), `await rx` / `yield* rx`
 *   (the receiver is a future).
 * - plain promises: `new Promise` + its `resolve` per one-shot.
 * - effect: `Deferred.make`, `Deferred.succeed`, `Deferred.await`, pong a forked fiber.
 *
 * Memory: a settled promise (and an Effect `Deferred`) keeps its value, and each message holds
 * the next one-shot, so the plain-promise and Effect rows build a chain through every message of
 * the run. Nothing keeps its head alive (a full GC frees it), but once one link has been
 * promoted to the old generation, each scavenge keeps the next one alive through it and
 * promotes that too, so the chain piles up in the old generation until a mark-compact. In one
 * run of 1,000,000 round trips (sync-memory-run.ts, Node 20) the plain-promise row's heap peaked
 * at 483 MiB and Effect's at 237 MiB; a tokio-ts receiver hands its value over and lets go of
 * it, so both tokio-ts rows peaked at 31–37 MiB. This is how the peers behave, not an artefact
 * of the bench (no variable holds the chain's head), and its cost grows with the run: in fresh
 * processes the plain-promise row took a median ~585 ns per round trip at 200,000 round trips
 * per iteration and ~645 ns at 1,000,000 (5 processes each), the tokio-ts gen row ~137–140 ns
 * at both.
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

async function tokioAsync(n: number, probe?: () => void): Promise<number> {
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
    if ((++trips & 0xffff) === 0) probe?.();
  }
  await pong;
  return trips;
}

function tokioGen(n: number, probe?: () => void): Promise<number> {
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
      if ((++trips & 0xffff) === 0) probe?.();
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

async function promises(n: number, probe?: () => void): Promise<number> {
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
    if ((++trips & 0xffff) === 0) probe?.();
  }
  await pong;
  return trips;
}

interface EffectMsg {
  i: number;
  reply: Deferred.Deferred<EffectMsg>;
}

function effect(n: number, probe?: () => void): Promise<number> {
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
        if ((++trips & 0xffff) === 0) probe?.();
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
  n: 1_000_000,
  memoryNotes: [
    "A settled promise, like an Effect `Deferred`, keeps its value, and every message holds the",
    "next one-shot: the plain-promise and Effect rows make one chain through all the messages of",
    "the run. A full GC frees it, but once a link is in the old generation, each scavenge keeps",
    "the next one alive through it and promotes it too, so the chain piles up until the next",
    "mark-compact. A tokio-ts receiver hands its value over and lets go of it.",
  ],
  unit: "round trip",
  rows: [
    { label: TOKIO_GEN, role: "tokio-ts", runner: tokioGen },
    { label: TOKIO_ASYNC, role: "tokio-ts", runner: tokioAsync },
    { label: "plain promises", role: "peer", runner: promises },
    { label: "effect Deferred", role: "peer", runner: effect },
  ],
  check: expectCount("oneshot ping-pong"),
};
