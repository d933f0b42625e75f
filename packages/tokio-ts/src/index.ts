/**
 * `tokio-ts`: Tokio's model of asynchronous programming for TypeScript, in one package.
 *
 * The root import path offers the future protocol (`@tokio-ts/core`) and the current-thread
 * runtime (`@tokio-ts/runtime`), with `main`, `select`, `join` and `tryJoin` from the macros;
 * each feature also has its own path (`tokio-ts/core`, `tokio-ts/runtime`, `tokio-ts/time`,
 * `tokio-ts/sync`, `tokio-ts/macros`, `tokio-ts/io`, `tokio-ts/signal`, `tokio-ts/net`,
 * `tokio-ts/blocking`).
 * Every item is the very object its package exports, so mixing import paths is safe.
 *
 * @example
 * ```ts
 * import { Builder, JoinSet, spawn } from "tokio-ts";
 *
 * const rt = Builder.newCurrentThread().build();
 * const total = await rt.blockOn(function* () {
 *   const set = new JoinSet<number>();
 *   for (let i = 1; i <= 3; i++) set.spawn(function* () { return i * 10 });
 *   return (yield* set.joinAll()).reduce((a, b) => a + b, 0);
 * }); // 60
 * ```
 *
 * @packageDocumentation
 */
// The subpath modules hold the explicit, reviewed lists of each package's public items
// (test/umbrella.test.ts checks them against the packages); the root forwards exactly those.
export * from "./core.js";
export * from "./runtime.js";
// From the macros, the ones a program reaches for first (Tokio's `main`, `select!`, `join!`,
// `try_join!`); the rest is at `tokio-ts/macros`.
export { main, select, join, tryJoin } from "./macros.js";
