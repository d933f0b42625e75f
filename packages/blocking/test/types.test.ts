/**
 * Type tests: what spawnBlocking infers, and misuse the compiler rejects (`@ts-expect-error`
 * fails the build if the line compiles). The functions are never called.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { JoinHandle } from "@tokio-ts/runtime";
import { spawnBlocking, transfer, type JobOptions, type ModuleJob } from "../src/index.js";

export function inference(): void {
  const product: JoinHandle<number> = spawnBlocking((a: number, b: number) => a * b, 6, 7);
  const awaited: JoinHandle<string> = spawnBlocking(async (s: string) => s.toUpperCase(), "x");
  const moved: JoinHandle<number> = spawnBlocking((b: Uint8Array) => b.length, transfer(new Uint8Array(4), []));
  const spec: ModuleJob = { module: new URL("file:///jobs.js"), export: "hash" };
  const fromModule: JoinHandle<string> = spawnBlocking<string>(spec, "input");
  const options: JobOptions = { terminateOnAbort: true };
  const withOptions: JoinHandle<number> = spawnBlocking.with(options, (n: number) => n, 1);
  void [product, awaited, moved, fromModule, withOptions];
}

export function misuse(): void {
  // @ts-expect-error an argument of the wrong type for the job's parameter
  spawnBlocking((a: number) => a, "not a number");
  // @ts-expect-error too few arguments for the job
  spawnBlocking((a: number, b: number) => a + b, 1);
  // @ts-expect-error options are not a job: they go through spawnBlocking.with
  spawnBlocking({ terminateOnAbort: true }, () => 1);
  // @ts-expect-error an unknown option
  spawnBlocking.with({ terminate: true }, () => 1);
  // @ts-expect-error a module job needs the export's name
  spawnBlocking({ module: "file:///jobs.js" });
}

test("the type tests compile (see the @ts-expect-error lines)", () => {
  assert.type(inference, "function");
  assert.type(misuse, "function");
});

test.run();
