/**
 * Type tests of `main` and `test` (those of `select` and `join` are in ./types/): what `main`
 * resolves with for each kind of body, the option types, and misuse the compiler rejects
 * (`@ts-expect-error` fails the build if the line compiles). The typed `main` calls run in the
 * test below, so their results are checked too.
 */
import { test as uvuTest } from "uvu";
import * as assert from "uvu/assert";
import { ready } from "@tokio-ts/core";
import { spawn, type SpawnBody } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { main, test, type MainOptions, type TestOptions, type TestRegistrar } from "../src/index.js";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

function* worker(n: number) {
  yield* sleep(1);
  return n * 2;
}

const quiet: MainOptions = { startPaused: true, handleSignals: false };

export async function mainResults(): Promise<unknown[]> {
  const gen = await main(function* () {
    const h = spawn(worker(1));
    return yield* h;
  }, quiet);
  expectType<Equals<typeof gen, number | undefined>>();
  const fn = await main(async (signal) => (signal.aborted ? "aborted" : "ran"), quiet);
  expectType<Equals<typeof fn, "aborted" | "ran" | undefined>>();
  const obj = await main(worker(2), quiet);
  expectType<Equals<typeof obj, number | undefined>>();
  const fut = await main(ready(true), quiet);
  expectType<Equals<typeof fut, boolean | undefined>>();
  // A plain function returning a generator object or a future: main runs what it returns.
  const lazyGen = await main(() => worker(3), quiet);
  expectType<Equals<typeof lazyGen, number | undefined>>();
  const lazyFuture = await main(() => sleep(1), quiet);
  expectType<Equals<typeof lazyFuture, void | undefined>>();
  // A helper passes its body on, typed with the exported SpawnBody.
  const program = <T,>(body: SpawnBody<T>): Promise<T | undefined> => main(body, quiet);
  const helped = await program(() => worker(4));
  expectType<Equals<typeof helped, number | undefined>>();
  return [gen, fn, obj, fut, lazyGen, lazyFuture, helped];
}

export function options(): void {
  const registrar: TestRegistrar = (name, handler) => uvuTest(name, handler);
  const all: TestOptions = { suite: registrar, startPaused: true, rngSeed: 1, unhandledPanic: "shutdownRuntime", leakCheck: false };
  test("generator", function* () {
    yield* sleep(1);
  }, all);
  test("async", async (signal) => {
    void signal;
  });
  test("future", sleep(1));
  test("generator object", worker(1));
  const suiteOf = <T,>(name: string, body: SpawnBody<T>): void => test(name, body, all);
  void suiteOf;
  const full: MainOptions = { flavor: "currentThread", startPaused: false, rngSeed: 7, unhandledPanic: "ignore", handleSignals: true, name: "app" };
  void full;
  // @ts-expect-error an unknown option
  void main(async () => 1, { bogus: true });
  // @ts-expect-error unhandledPanic is "ignore" or "shutdownRuntime"
  void main(async () => 1, { unhandledPanic: "crash" });
  // @ts-expect-error startPaused is a boolean
  void main(async () => 1, { startPaused: "yes" });
  // @ts-expect-error a promise is not a lazy future: wrap it with fromPromise()
  void main(Promise.resolve(1));
  // @ts-expect-error the test name is a string
  test(1, async () => {});
  // @ts-expect-error leakCheck is a boolean
  test("x", async () => {}, { leakCheck: 1 });
  // @ts-expect-error options are read only
  quiet.startPaused = false;
  // @ts-expect-error an async generator function is no body (a TypeError at the call)
  void main(async function* () {});
  // @ts-expect-error nor a test body
  test("x", async function* () {});
}

uvuTest("main resolves with the outputs its types say", async () => {
  assert.type(options, "function");
  assert.equal(await mainResults(), [2, "ran", 4, true, 6, undefined, 8]);
});

uvuTest("every MainOptions and TestOptions field may be given as undefined (a wrapper passing its own optional values through): the defaults apply", async () => {
  const given: { paused?: boolean; seed?: number } = {};
  const out = await main(async () => 7, {
    flavor: undefined,
    startPaused: given.paused,
    rngSeed: given.seed,
    unhandledPanic: undefined,
    handleSignals: false,
    name: undefined,
  });
  assert.is(out, 7);
  let ran = false;
  const handlers: (() => Promise<void>)[] = [];
  test("through", function* () { ran = true; }, {
    suite: (_name, handler) => void handlers.push(handler),
    flavor: undefined,
    startPaused: given.paused,
    rngSeed: given.seed,
    unhandledPanic: undefined,
    leakCheck: undefined,
  });
  await handlers[0]!();
  assert.ok(ran);
});

uvuTest.run();
