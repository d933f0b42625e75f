/**
 * Type tests of `join` and `tryJoin`: the output is the tuple of the branches' outputs, in
 * argument order, for generator (`yield*`) and async (`await`) use. Checked by `tsc -b`, never
 * run.
 */
import { ready, type Future } from "@tokio-ts/core";
import { mpsc } from "@tokio-ts/sync";
import { sleep } from "@tokio-ts/time";
import { join, tryJoin } from "../../src/index.js";
import { expectType, type Equals } from "./equals.js";

declare const rx: mpsc.Receiver<string>;
declare const list: Future<number>[];

export function* inGenerator(): Generator<unknown, void, unknown> {
  const out = yield* join(ready(1), sleep(10), rx.recv());
  expectType<Equals<typeof out, [number, void, string | undefined]>>();
  const [a, , c] = out;
  expectType<Equals<typeof a, number>>();
  expectType<Equals<typeof c, string | undefined>>();

  const tried = yield* tryJoin(ready(1), ready("x"));
  expectType<Equals<typeof tried, [number, string]>>();

  // @ts-expect-error -- the first output is a number
  const [s]: [string, string] = yield* tryJoin(ready(1), ready("x"));
  void s;
}

export async function inAsync(): Promise<void> {
  const out = await join(ready(true), rx.recv());
  expectType<Equals<typeof out, [boolean, string | undefined]>>();
  const tried = await tryJoin(ready(1n), sleep(1));
  expectType<Equals<typeof tried, [bigint, void]>>();
  // @ts-expect-error -- a tuple of two, not an array of numbers
  expectType<Equals<typeof tried, number[]>>();
}

export function* functionBranches(): Generator<unknown, void, unknown> {
  const out = yield* join(
    function* () {
      yield* sleep(1);
      return 1;
    },
    async () => "two",
    () => ready(3n),
  );
  expectType<Equals<typeof out, [number, string, bigint]>>();
}

export function shapes(): void {
  expectType<Equals<typeof empty, Future<[]>>>();
  const one = join(ready("a"));
  expectType<Equals<typeof one, Future<[string]>>>();
  // A spread array gives an array of outputs.
  const many = join(...list);
  expectType<Equals<typeof many, Future<number[]>>>();
}
const empty = join();

export function misuse(): void {
  // @ts-expect-error -- a number is not a future
  join(1);
  // @ts-expect-error -- a promise is not a lazy future: wrap it with fromPromise()
  tryJoin(ready(1), Promise.resolve(2));
}
