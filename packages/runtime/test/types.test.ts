/**
 * Type tests: what `spawn`, `Handle.spawn`, `Runtime.spawn`, `blockOn` and `JoinSet.spawn` infer
 * for each kind of body, and misuse the compiler rejects (`@ts-expect-error` fails the build if
 * the line compiles). The typed functions run in the last test, so their results are checked too.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pending, ready, type Future, type IntoFuture } from "@tokio-ts/core";
import { Handle, JoinSet, spawn, yieldNow, type AbortHandle, type JoinHandle, type Runtime, type SpawnBody } from "../src/index.js";
import { withRuntime } from "./helpers.js";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

function* worker(n: number) {
  yield* yieldNow();
  return n * 2;
}

async function fetchLike(signal: AbortSignal): Promise<boolean> {
  return signal.aborted;
}

/** Every kind of body `spawn` takes, and what its handle carries. */
export function* spawnInference(): Generator<unknown, number, unknown> {
  const gen = spawn(function* () {
    yield* yieldNow();
    return 1;
  });
  expectType<Equals<typeof gen, JoinHandle<number>>>();
  const withSignal = spawn(function* (signal) {
    expectType<Equals<typeof signal, AbortSignal>>();
    return "s" as const;
  });
  expectType<Equals<typeof withSignal, JoinHandle<"s">>>();
  const fn = spawn(async () => "x");
  expectType<Equals<typeof fn, JoinHandle<string>>>();
  const fnSignal = spawn(async (signal) => signal.aborted);
  expectType<Equals<typeof fnSignal, JoinHandle<boolean>>>();
  const named = spawn(fetchLike);
  expectType<Equals<typeof named, JoinHandle<boolean>>>();
  const obj = spawn(worker(1));
  expectType<Equals<typeof obj, JoinHandle<number>>>();
  const fut = spawn(ready(1n));
  expectType<Equals<typeof fut, JoinHandle<bigint>>>();
  const never = spawn(pending<string>());
  expectType<Equals<typeof never, JoinHandle<string>>>();
  // A plain function returning a future or a generator object runs what it returns.
  const lazyFuture = spawn(() => ready("r"));
  expectType<Equals<typeof lazyFuture, JoinHandle<string>>>();
  const lazyGen = spawn(() => worker(2));
  expectType<Equals<typeof lazyGen, JoinHandle<number>>>();
  const plain = spawn(() => 5);
  expectType<Equals<typeof plain, JoinHandle<number>>>();
  const empty = spawn(async () => {});
  expectType<Equals<typeof empty, JoinHandle<void>>>();
  const onHandle = Handle.current().spawn(worker(3));
  expectType<Equals<typeof onHandle, JoinHandle<number>>>();

  // `yield*` of a handle gives the output; the abort handle is named.
  const out = yield* gen;
  expectType<Equals<typeof out, number>>();
  const abortHandle = gen.abortHandle();
  expectType<Equals<typeof abortHandle, AbortHandle>>();
  // A bare `yield` (not `yield*`) is not typed by the future: its result is unknown, not any.
  spawn(function* () {
    const v = yield ready(1);
    expectType<Equals<typeof v, unknown>>();
  });
  for (const h of [withSignal, fn, fnSignal, named, obj, fut, lazyFuture, lazyGen, plain, empty, onHandle]) h.abort();
  never.abort();
  return out;
}

/** `await` of handles and `blockOn` results in async code. */
export async function blockOnInference(rt: Runtime): Promise<[number, string, number, bigint, number, void]> {
  const a = await rt.blockOn(function* () {
    yield* yieldNow();
    return 1;
  });
  expectType<Equals<typeof a, number>>();
  const b = await rt.blockOn(async () => {
    const h = spawn(async () => "x");
    const v = await h;
    expectType<Equals<typeof v, string>>();
    return v;
  });
  expectType<Equals<typeof b, string>>();
  const c = await rt.blockOn(worker(2));
  expectType<Equals<typeof c, number>>();
  const d = await rt.blockOn(ready(1n));
  expectType<Equals<typeof d, bigint>>();
  const e = await rt.handle().blockOn(() => worker(3));
  expectType<Equals<typeof e, number>>();
  const f = await rt.blockOn(async (signal) => {
    void signal;
  });
  expectType<Equals<typeof f, void>>();
  const onRuntime = rt.spawn(async () => 1);
  expectType<Equals<typeof onRuntime, JoinHandle<number>>>();
  onRuntime.abort();
  return [a, b, c, d, e, f];
}

/** A JoinSet's element type checks every kind of body. */
export function* joinSetInference(): Generator<unknown, number[], unknown> {
  const set = new JoinSet<number>();
  const h = set.spawn(async () => 1);
  expectType<Equals<typeof h, AbortHandle>>();
  set.spawn(function* () {
    yield* yieldNow();
    return 2;
  });
  set.spawn(worker(2));
  set.spawn(ready(4));
  set.spawn(() => worker(3));
  set.spawn(() => ready(5));
  const next = yield* set.joinNext();
  expectType<Equals<typeof next, number | undefined>>();
  const withId = yield* set.joinNextWithId();
  expectType<Equals<typeof withId, [number, number] | undefined>>();
  const rest = yield* set.joinAll();
  expectType<Equals<typeof rest, number[]>>();
  return [next!, withId![1], ...rest].sort((x, y) => x - y);
}

/** Helpers that pass their body argument on, typed with the exported body types. */
const traced = <T,>(body: SpawnBody<T>): JoinHandle<T> => spawn(body);
const onHandle = <T,>(body: IntoFuture<T>): JoinHandle<T> => Handle.current().spawn(body);
const intoSet = <T,>(set: JoinSet<T>, body: SpawnBody<T>): AbortHandle => set.spawn(body);
const blocking = <T,>(rt: Runtime, body: SpawnBody<T>): Promise<T> => rt.blockOn(body);

export async function helpers(rt: Runtime): Promise<[number, string, number[]]> {
  const a = await blocking(rt, worker(1));
  expectType<Equals<typeof a, number>>();
  const b = await rt.handle().blockOn(function* () {
    const h = traced(async () => "t");
    expectType<Equals<typeof h, JoinHandle<string>>>();
    const set = new JoinSet<number>();
    intoSet(set, worker(2));
    intoSet(set, () => ready(5));
    const fromHandle = yield* onHandle(ready("-h"));
    const all = yield* set.joinAll();
    return [(yield* h) + fromHandle, all.sort((x, y) => x - y)] as const;
  });
  return [a, b[0], b[1]];
}

export function misuse(): void {
  const set = new JoinSet<number>();
  // @ts-expect-error an async function of the wrong output type
  set.spawn(async () => "x");
  // @ts-expect-error a generator function of the wrong output type
  set.spawn(function* () {
    return "x";
  });
  // @ts-expect-error a future of the wrong output type
  set.spawn(ready("x"));
  // @ts-expect-error a number is not a body
  spawn(1);
  // @ts-expect-error a promise is not a lazy future: wrap it with fromPromise()
  spawn(Promise.resolve(1));
  // @ts-expect-error a promise is not a lazy future
  Handle.current().blockOn(Promise.resolve(1));
  // An async generator function is no body (it would be a TypeError at the call).
  // @ts-expect-error spawn
  spawn(async function* () {
    yield 1;
  });
  // @ts-expect-error Handle.spawn
  Handle.current().spawn(async function* () {});
  // @ts-expect-error Handle.blockOn
  void Handle.current().blockOn(async function* () {});
  // @ts-expect-error JoinSet.spawn
  new JoinSet<number>().spawn(async function* () {});
  const anyBody: SpawnBody<number> = async () => 1;
  // @ts-expect-error nor is it a SpawnBody
  const notBody: SpawnBody<number> = async function* () {};
  void anyBody;
  void notBody;
  const h: JoinHandle<number> = spawn(ready(1));
  // @ts-expect-error the output is a number
  const s: Future<string> = h;
  // @ts-expect-error the id is read only
  h.id = 2;
  void s;
}

test("the typed bodies run with the outputs their types say (and misuse does not compile)", async () => {
  assert.type(misuse, "function");
  const spawned = await withRuntime((rt) => rt.blockOn(spawnInference));
  assert.is(spawned, 1);
  const blocked = await withRuntime((rt) => blockOnInference(rt));
  assert.equal(blocked, [1, "x", 4, 1n, 6, undefined]);
  const joined = await withRuntime((rt) => rt.blockOn(joinSetInference));
  assert.equal(joined, [1, 2, 4, 4, 5, 6]);
  assert.equal(await withRuntime((rt) => helpers(rt)), [2, "t-h", [4, 5]]);
});

test.run();
