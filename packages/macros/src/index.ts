/**
 * `@tokio-ts/macros`: Tokio's `select!`, `join!`, `try_join!`, `#[tokio::main]` and
 * `#[tokio::test]`, as functions whose types are inferred exactly.
 *
 * @packageDocumentation
 */
export { select, type SelectBranches, type SelectOptions, type SelectResult } from "./select.js";
export { join, tryJoin, type JoinOutputs } from "./join.js";
export { main, type MainOptions } from "./main.js";
export { test, configureTest, type TestOptions, type TestRegistrar } from "./test.js";
