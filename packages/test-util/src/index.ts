/**
 * `@tokio-ts/test-util`: test futures poll by poll with a mock task, and run concurrency
 * scenarios under many seeded schedules.
 *
 * @packageDocumentation
 */
export { MockTask, mockTask, type MockTaskOptions } from "./mock-task.js";
export { assertPending, assertReady, assertReadyErr, type ErrorMatcher } from "./assert.js";
export { forEachSeed, SeedFailure, type ForEachSeedOptions } from "./seeds.js";
export { SeededRng } from "./random.js";
export { countSetImmediate } from "./host-yields.js";
