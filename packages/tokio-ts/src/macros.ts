/**
 * `tokio-ts/macros`: `select`, `join`, `tryJoin`, `main`, `test` — the same items as
 * `@tokio-ts/macros`, re-exported.
 *
 * @example
 * ```ts
 * import { main, select } from "tokio-ts/macros";
 * import { pending, ready } from "tokio-ts/core";
 * await main(function* () {
 *   const first = yield* select({ a: ready(1), b: pending<string>() });
 *   console.log(first.key); // "a"
 * });
 * ```
 *
 * @packageDocumentation
 */
export {
  select,
  type SelectBranches,
  type SelectOptions,
  type SelectResult,
  join,
  tryJoin,
  type JoinOutputs,
  main,
  type MainOptions,
  test,
  configureTest,
  type TestOptions,
  type TestRegistrar,
} from "@tokio-ts/macros";
