/**
 * Type tests: what the compiler infers and refuses (this file must compile; each
 * `@ts-expect-error` line must be an error). The runtime checks repeat them for plain JS callers.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Future } from "@tokio-ts/core";
import {
  BufReader,
  BufWriter,
  copyBidirectional,
  duplex,
  lines,
  read,
  readLine,
  readToEnd,
  repeat,
  sink,
  split,
  type DuplexStream,
  type ReadHalf,
  type WriteHalf,
} from "../src/index.js";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const check = <T extends true>(_: T): void => {};

test("inferred types: halves keep the stream type, futures their outputs", () => {
  const [a, b] = duplex(8);
  const halves = split(a);
  check<Equals<typeof halves, [ReadHalf<DuplexStream>, WriteHalf<DuplexStream>]>>(true);
  check<Equals<typeof read extends (...args: never[]) => Future<infer T> ? T : never, number>>(true);
  check<Equals<ReturnType<typeof readToEnd> extends Future<infer T> ? T : never, Uint8Array>>(true);
  check<Equals<ReturnType<ReturnType<typeof lines>["nextLine"]> extends Future<infer T> ? T : never, string | undefined>>(true);
  check<Equals<ReturnType<typeof copyBidirectional> extends Future<infer T> ? T : never, [number, number]>>(true);
  check<Equals<ReturnType<BufReader<DuplexStream>["getRef"]>, DuplexStream>>(true);
  assert.ok(b);
});

test("misuse the compiler refuses (and the runtime refuses too)", () => {
  const [a] = duplex(8);
  // @ts-expect-error readLine needs an AsyncBufRead: wrap the stream in a BufReader
  assert.throws(() => readLine(a), TypeError);
  // @ts-expect-error a reader cannot be a writer
  assert.throws(() => new BufWriter(repeat(1)), TypeError);
  // @ts-expect-error sink is not a reader
  assert.throws(() => new BufReader(sink()), TypeError);
  // @ts-expect-error a string is not a buffer
  assert.throws(() => read(a, "abc"), TypeError);
  // @ts-expect-error copyBidirectional needs two read+write streams
  assert.throws(() => copyBidirectional(a, repeat(0)), TypeError);
});

test.run();
