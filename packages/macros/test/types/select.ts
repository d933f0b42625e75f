/**
 * Type tests of `select`: the result is a discriminated union inferred exactly from the
 * branches — for generator (`yield*`) and async (`await`) use, with disabled branches, `else`,
 * function branches — and misuse does not compile. Checked by `tsc -b`, never run.
 */
import { ready, type Future } from "@tokio-ts/core";
import { CancellationToken, mpsc } from "@tokio-ts/sync";
import { sleep } from "@tokio-ts/time";
import { select, type SelectResult } from "../../src/index.js";
import { expectType, type Equals } from "./equals.js";

declare const cond: boolean;
declare const rx: mpsc.Receiver<number>;
declare const token: CancellationToken;

type Msg = { key: "msg"; value: number | undefined };
type Tick = { key: "tick"; value: void };
type Quit = { key: "quit"; value: void };

export function* inGenerator(): Generator<unknown, void, unknown> {
  const r = yield* select({ msg: rx.recv(), tick: sleep(100), quit: token.cancelled() });
  expectType<Equals<typeof r, Msg | Tick | Quit>>();
  // Narrowing on `key` gives each branch's own output.
  if (r.key === "msg") expectType<Equals<typeof r.value, number | undefined>>();
  else expectType<Equals<typeof r.value, void>>();
  switch (r.key) {
    case "msg":
    case "tick":
    case "quit":
      break;
    default: {
      const exhaustive: never = r;
      void exhaustive;
    }
  }
  // @ts-expect-error -- before narrowing, value is the union of every branch's output
  const n: number = r.value;
  void n;
  // @ts-expect-error -- there is no branch "other"
  if (r.key === "other") return;
}

export async function inAsync(): Promise<void> {
  const r = await select({ msg: rx.recv(), tick: sleep(100), quit: token.cancelled() });
  expectType<Equals<typeof r, Msg | Tick | Quit>>();
  // @ts-expect-error -- the result is not a string
  expectType<Equals<typeof r, string>>();
}

export function* disabledBranches(): Generator<unknown, void, unknown> {
  // `cond && fut` may be disabled: it stays in the union. A branch that is only ever disabled
  // (false, null, undefined) can never win and is left out.
  const r = yield* select({ a: cond && ready(1), b: null, c: undefined, d: false, e: cond ? ready("e") : null });
  expectType<Equals<typeof r, { key: "a"; value: number } | { key: "e"; value: string }>>();
  // @ts-expect-error -- "b" is always disabled, so it is not a possible key
  if (r.key === "b") return;
}

export async function elseOption(): Promise<void> {
  const r = await select({ a: cond && ready(1) }, { else: () => "idle" as const });
  expectType<Equals<typeof r, { key: "a"; value: number } | { key: "else"; value: "idle" }>>();
  if (r.key === "else") expectType<Equals<typeof r.value, "idle">>();

  const widened = await select({ a: cond && ready(1) }, { else: () => 0 });
  expectType<Equals<typeof widened, { key: "a"; value: number } | { key: "else"; value: number }>>();

  // Without else (or with `biased` only) there is no "else" member.
  const biased = await select({ a: ready(1), b: ready(true) }, { biased: true });
  expectType<Equals<typeof biased, { key: "a"; value: number } | { key: "b"; value: boolean }>>();
  // @ts-expect-error -- no else option, so no "else" key
  if (biased.key === "else") return;
}

export function* functionBranches(): Generator<unknown, void, unknown> {
  // Generator functions and async functions are run as futures; their outputs are inferred.
  const r = yield* select({
    gen: function* () {
      yield* sleep(10);
      return 1;
    },
    fn: async () => "x",
    lazy: () => sleep(5),
  });
  expectType<Equals<typeof r, { key: "gen"; value: number } | { key: "fn"; value: string } | { key: "lazy"; value: void }>>();
}

export function namedResultType(): void {
  type R = SelectResult<{ msg: Future<string | undefined>; tick: Future<void>; off: false }, "e">;
  expectType<Equals<R, { key: "msg"; value: string | undefined } | { key: "tick"; value: void } | { key: "else"; value: "e" }>>();
  // Numeric keys come back as strings (what Object.keys gives).
  const r = select({ 0: ready(0), 1: ready("1") });
  expectType<Equals<typeof r, Future<{ key: "0"; value: number } | { key: "1"; value: string }>>>();
}

export function misuse(): void {
  // @ts-expect-error -- a number is not a future
  select({ a: 42 });
  // @ts-expect-error -- a promise is not a lazy future: wrap it with fromPromise()
  select({ a: Promise.resolve(1) });
  // @ts-expect-error -- "else" is the key of the else option's result
  select({ else: ready(1) });
  // @ts-expect-error -- biased is a boolean
  select({ a: ready(1) }, { biased: "yes" });
  // @ts-expect-error -- else is a function that makes the value
  select({ a: ready(1) }, { else: 5 });
  // @ts-expect-error -- branches is an object, not an array of futures
  select(ready(1));
}
