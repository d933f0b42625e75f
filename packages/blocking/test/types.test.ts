/**
 * Type tests: what spawnBlocking infers, and misuse the compiler rejects (`@ts-expect-error`
 * fails the build if the line compiles). The functions are never called.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import type { JoinHandle } from "@tokio-ts/runtime";
import { spawnBlocking, transfer, type Cloned, type JobOptions, type ModuleJob } from "../src/index.js";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

class Point {
  constructor(readonly x: number) {}
  norm(): number {
    return Math.abs(this.x);
  }
}

/** The function form types the result as what crosses back: a structured clone. */
export function cloned(): void {
  const bytes = spawnBlocking(() => Buffer.from("hi"));
  expectType<Equals<typeof bytes, JoinHandle<Uint8Array>>>();
  const point = spawnBlocking(() => new Point(1));
  expectType<Equals<typeof point, JoinHandle<{ x: number }>>>();
  const data = spawnBlocking((n: number) => ({ n, at: new Date(), seen: new Map([["a", [n]]]), tags: new Set(["t"]) }), 1);
  expectType<Equals<typeof data, JoinHandle<{ n: number; at: Date; seen: Map<string, number[]>; tags: Set<string> }>>>();
  const tuple = spawnBlocking(() => [1, "a"] as const);
  expectType<Equals<typeof tuple, JoinHandle<[1, "a"]>>>();
  const inferred = spawnBlocking((s) => s.length, "four");
  expectType<Equals<typeof inferred, JoinHandle<number>>>();
  const fromBuffer = spawnBlocking((b: Uint8Array) => b.length, Buffer.from("hi"));
  expectType<Equals<typeof fromBuffer, JoinHandle<number>>>();
  const { port2 } = new MessageChannel();
  const port = spawnBlocking((p: MessagePort) => p, transfer(port2, [port2]));
  expectType<Equals<typeof port, JoinHandle<MessagePort>>>();
  const mode = spawnBlocking((m: "fast" | "slow") => m, "fast");
  expectType<Equals<typeof mode, JoinHandle<"fast" | "slow">>>();
  expectType<Equals<Cloned<unknown>, unknown>>();
  expectType<Equals<Cloned<{ f(): void; n: number }>, { n: number }>>();
  void [bytes, point, data, tuple, inferred, fromBuffer, port, mode];
}

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
  // @ts-expect-error more arguments than the job takes
  spawnBlocking((a: number) => a, 1, 2);
}

test("the type tests compile (see the @ts-expect-error lines)", () => {
  assert.type(inference, "function");
  assert.type(misuse, "function");
  assert.type(cloned, "function");
});

test.run();
