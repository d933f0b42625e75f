/**
 * Type tests: what the adapters infer for each way of writing async code (`yield*` and `await`
 * results), and misuse the compiler rejects (`@ts-expect-error` fails the build if the line
 * compiles). The typed code runs in the test below, so its results are checked too.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  Future,
  Pending,
  fromAsync,
  fromGenerator,
  fromPromise,
  intoFuture,
  pending,
  pollFn,
  ready,
  toPromise,
  type AsyncBody,
  type Context,
  type GeneratorBody,
  type IntoFuture,
  type Output,
  type Poll,
} from "../src/index.js";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

function* double(n: number) {
  const one = yield* ready(1);
  return n * 2 * one;
}

/** A hand-written leaf future, as a user writes one. */
class Countdown extends Future<string> {
  #left: number;
  constructor(left: number) {
    super();
    this.#left = left;
  }
  override poll(cx: Context): Poll<string> {
    if (this.#left-- > 0) {
      cx.waker.wake();
      return Pending;
    }
    return "liftoff";
  }
}

export async function adapters(): Promise<unknown[]> {
  const gen = fromGenerator(function* () {
    const a = yield* ready(1);
    expectType<Equals<typeof a, number>>();
    const b = yield* fromAsync(async () => "b");
    expectType<Equals<typeof b, string>>();
    // A bare `yield` is not typed by the future it yields: unknown, not any.
    const c = yield ready(true);
    expectType<Equals<typeof c, unknown>>();
    return [a, b, c] as const;
  });
  expectType<Equals<typeof gen, Future<readonly [number, string, unknown]>>>();
  const fromObject = fromGenerator(double(2));
  expectType<Equals<typeof fromObject, Future<number>>>();
  const withSignal = fromAsync(async (signal) => signal.aborted);
  expectType<Equals<typeof withSignal, Future<boolean>>>();
  // A plain function's returned generator object or future runs in its place.
  const returnsGen = fromAsync(() => double(4));
  expectType<Equals<typeof returnsGen, Future<number>>>();
  const returnsFuture = fromAsync(() => ready("f"));
  expectType<Equals<typeof returnsFuture, Future<string>>>();
  const promised = fromPromise(() => Promise.resolve(1n));
  expectType<Equals<typeof promised, Future<bigint>>>();
  const polled = pollFn((): Poll<number> => 3);
  expectType<Equals<typeof polled, Future<number>>>();
  const never = pending<string>();
  expectType<Equals<typeof never, Future<string>>>();

  const i1 = intoFuture(function* () {
    return yield* double(1);
  });
  expectType<Equals<typeof i1, Future<number>>>();
  const i2 = intoFuture(async () => "x");
  expectType<Equals<typeof i2, Future<string>>>();
  const i3 = intoFuture(() => double(3)); // runs the generator object it returns
  expectType<Equals<typeof i3, Future<number>>>();
  const i4 = intoFuture(() => ready(4)); // runs the future it returns
  expectType<Equals<typeof i4, Future<number>>>();
  const i5 = intoFuture(new Countdown(2));
  expectType<Equals<typeof i5, Future<string>>>();

  type Named = [Output<typeof gen>, Output<Countdown>, Output<Future<void>>];
  expectType<Equals<Named, [readonly [number, string, unknown], string, void]>>();
  const gb: GeneratorBody<number> = () => double(5);
  const ab: AsyncBody<number> = async (signal) => (signal.aborted ? 0 : 1);
  const body: IntoFuture<number> = ready(1);

  const out = [await gen, await fromObject, await withSignal, await returnsGen, await returnsFuture, await promised, await polled];
  const more = [await i1, await i2, await i3, await i4, await i5, await toPromise(intoFuture(gb)), await fromAsync(ab), await intoFuture(body)];
  const p = toPromise(ready("p"));
  expectType<Equals<typeof p, Promise<string>>>();
  void never;
  return [...out, ...more, await p];
}

export function misuse(): void {
  // @ts-expect-error a promise is not a lazy future: wrap it with fromPromise()
  intoFuture(Promise.resolve(1));
  // @ts-expect-error a number is not a body
  intoFuture(1);
  // @ts-expect-error fromGenerator takes a generator (function), not an async function's promise
  fromGenerator(Promise.resolve(1));
  // @ts-expect-error the output is a number
  const f: Future<string> = ready(1);
  void f;
  // @ts-expect-error a body of numbers does not return a string
  const gb: GeneratorBody<number> = function* () {
    return "x";
  };
  void gb;
}

test("the typed adapters run with the outputs their types say", async () => {
  assert.type(misuse, "function");
  assert.equal(await adapters(), [[1, "b", true], 4, false, 8, "f", 1n, 3, 2, "x", 6, 4, "liftoff", 10, 1, 1, "p"]);
});

test.run();
