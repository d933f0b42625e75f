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
  chain,
  copyBidirectional,
  copyBidirectionalWithSizes,
  duplex,
  empty,
  lines,
  read,
  readLine,
  readToEnd,
  repeat,
  sink,
  split,
  take,
  type AsyncBufRead,
  type Chain,
  type DuplexStream,
  type Empty,
  type Take,
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

test("inferred types: take and chain keep their readers' types, and are AsyncBufReads over AsyncBufReads", () => {
  const [a, b] = duplex(8);
  const plain = take(a, 3);
  check<Equals<typeof plain, Take<DuplexStream>>>(true);
  check<Equals<ReturnType<typeof plain.intoInner>, DuplexStream>>(true);
  const buffered: AsyncBufRead = take(new BufReader(a), 3);
  const both = chain(a, empty());
  check<Equals<typeof both, Chain<DuplexStream, Empty>>>(true);
  check<Equals<ReturnType<typeof both.getRef>, [DuplexStream, Empty]>>(true);
  const bufChain: AsyncBufRead = chain(new BufReader(b), empty());
  check<Equals<ReturnType<typeof copyBidirectionalWithSizes> extends Future<infer T> ? T : never, [number, number]>>(true);
  assert.ok(buffered && bufChain);
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
  // @ts-expect-error a Take over an unbuffered reader is not an AsyncBufRead
  assert.throws(() => readLine(take(a, 3)), TypeError);
  // @ts-expect-error a Chain is an AsyncBufRead only when both readers are
  assert.throws(() => readLine(chain(new BufReader(a), a)), TypeError);
  // @ts-expect-error sink is not a reader
  assert.throws(() => chain(a, sink()), TypeError);
  // @ts-expect-error a limit is a number
  assert.throws(() => take(a, 3n), TypeError);
  // @ts-expect-error the sizes are numbers
  assert.throws(() => copyBidirectionalWithSizes(a, a, { aToB: "8", bToA: 8 }), TypeError);
});

test.run();
