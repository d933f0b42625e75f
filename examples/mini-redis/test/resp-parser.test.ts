import { test } from "uvu";
import * as assert from "uvu/assert";
import { ProtocolError } from "../src/resp/errors.js";
import type { Frame } from "../src/resp/frame.js";
import { RespParser } from "../src/resp/parser.js";
import { bytes, text } from "./helpers.js";

function words(args: Uint8Array[] | undefined): string[] | undefined {
  return args?.map((a) => text(a)!);
}

/** Every request in `input`, fed to a fresh parser `chunk` bytes at a time. */
function commands(input: string | Uint8Array, chunk = Infinity): string[][] {
  const all = typeof input === "string" ? bytes(input) : input;
  const parser = new RespParser();
  const out: string[][] = [];
  for (let i = 0; i < all.length; i += chunk) {
    parser.push(all.subarray(i, Math.min(all.length, i + chunk)));
    for (let args = parser.nextCommand(); args !== undefined; args = parser.nextCommand()) out.push(words(args)!);
  }
  assert.is(parser.buffered, 0, "everything was consumed");
  return out;
}

function protocolError(input: string, limits = {}): string {
  const parser = new RespParser(limits);
  parser.push(bytes(input));
  try {
    while (parser.nextCommand() !== undefined);
  } catch (error) {
    assert.instance(error, ProtocolError);
    return (error as ProtocolError).message;
  }
  throw new Error(`no protocol error for ${JSON.stringify(input)}`);
}

const PIPELINE = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\nPING\r\n*1\r\n$4\r\nPING\r\n";
const PIPELINE_WORDS = [["GET", "key"], ["SET", "k", ""], ["PING"], ["PING"]];

test("nextCommand parses pipelined multibulk and inline requests", () => {
  assert.equal(commands(PIPELINE), PIPELINE_WORDS);
});

test("a request split at every byte boundary is parsed when its last byte arrives, and not before", () => {
  for (const chunk of [1, 2, 3, 5, 7, 13]) assert.equal(commands(PIPELINE, chunk), PIPELINE_WORDS, `chunk ${chunk}`);
  const parser = new RespParser();
  const all = bytes("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n");
  for (let i = 0; i < all.length - 1; i++) {
    parser.push(all.subarray(i, i + 1));
    assert.is(parser.nextCommand(), undefined, `after ${i + 1} bytes`);
  }
  parser.push(all.subarray(all.length - 1));
  assert.equal(words(parser.nextCommand()), ["GET", "key"]);
});

test("bulk strings are binary safe: CR, LF and NUL bytes inside a payload are data", () => {
  const payload = new Uint8Array([0, 13, 10, 255, 42, 13]);
  const head = bytes("*2\r\n$3\r\nSET\r\n$6\r\n");
  const input = new Uint8Array([...head, ...payload, 13, 10]);
  const parser = new RespParser();
  parser.push(input);
  const args = parser.nextCommand()!;
  assert.equal([...args[1]!], [...payload]);
});

test("inline commands follow Redis's quoting: double quotes with escapes, single quotes, bare LF", () => {
  assert.equal(commands('SET "a b" \'c d\'\r\n'), [["SET", "a b", "c d"]]);
  assert.equal(commands('ECHO "x\\x41\\n" \'it\\\'s\'\n'), [["ECHO", "xA\n", "it's"]]);
  assert.equal(commands("  PING   hello  \n"), [["PING", "hello"]]);
});

test("empty requests (blank lines, *0, *-1) are skipped as Redis skips them", () => {
  assert.equal(commands("\r\n\n*0\r\n*-1\r\nPING\r\n"), [["PING"]]);
});

test("malformed requests get Redis's protocol error texts", () => {
  assert.is(protocolError("*x\r\n"), "Protocol error: invalid multibulk length");
  assert.is(protocolError("*2\r\n+a\r\n"), "Protocol error: expected '$', got '+'");
  assert.is(protocolError("*1\r\n$abc\r\n"), "Protocol error: invalid bulk length");
  assert.is(protocolError("*1\r\n$-5\r\n"), "Protocol error: invalid bulk length");
  assert.is(protocolError('SET "a b\r\n'), "Protocol error: unbalanced quotes in request");
  assert.is(protocolError('SET "a"b\r\n'), "Protocol error: unbalanced quotes in request");
  assert.is(protocolError("*1\r\n$4\r\nPINGxx\r\n"), "Protocol error: expected CRLF after a bulk string");
});

test("limits are checked at the header, before the payload is buffered", () => {
  assert.is(protocolError("*1\r\n$1025\r\n", { maxBulkLength: 1024 }), "Protocol error: invalid bulk length");
  assert.is(protocolError("*99999999\r\n"), "Protocol error: invalid multibulk length");
  assert.is(protocolError("*1\r\n$999999999999999999999\r\n"), "Protocol error: invalid bulk length");
  // A header or inline line that never ends is refused once it passes the line limit.
  assert.is(protocolError("A".repeat(2000), { maxLineLength: 1024 }), "Protocol error: too big inline request");
  assert.is(protocolError("*" + "1".repeat(2000), { maxLineLength: 1024 }), "Protocol error: too big mbulk count string");
  assert.is(protocolError("*1\r\n$" + "1".repeat(2000), { maxLineLength: 1024 }), "Protocol error: too big bulk count string");
});

test("the buffer grows only with bytes received, and shrinks back once a huge value is consumed", () => {
  const parser = new RespParser();
  const initial = parser.capacity;
  // A peer claims a 60 MiB value and sends 10 bytes of it: nothing is reserved for the rest yet…
  parser.push(bytes("*1\r\n$62914560\r\n0123456789"));
  assert.is(parser.nextCommand(), undefined);
  assert.ok(parser.capacity <= initial, `capacity ${parser.capacity}`);
  // …reading into spare() sizes the buffer for the awaited payload once; once consumed, the
  // buffer goes back to its initial size.
  const head = bytes("*1\r\n$1000000\r\n");
  const input = new Uint8Array(head.length + 1_000_002).fill(120);
  input.set(head);
  input.set([13, 10], input.length - 2);
  const big = new RespParser();
  let at = 0;
  let args: Uint8Array[] | undefined;
  while (at < input.length) {
    const spare = big.spare();
    const n = Math.min(spare.length, input.length - at, 65536);
    spare.set(input.subarray(at, at + n));
    big.commit(n);
    at += n;
    args = big.nextCommand() ?? args;
  }
  assert.is(args?.[0]?.length, 1_000_000);
  assert.ok(big.capacity >= 1_000_002 && big.capacity < 2_100_000, `capacity ${big.capacity}`);
  big.spare();
  assert.is(big.capacity, initial);
});

test("spare/commit: reading straight into the parser's buffer", () => {
  const parser = new RespParser();
  const input = bytes(PIPELINE);
  let at = 0;
  const out: string[][] = [];
  while (at < input.length) {
    const spare = parser.spare(16);
    const n = Math.min(spare.length, input.length - at, 10);
    spare.set(input.subarray(at, at + n));
    parser.commit(n);
    at += n;
    for (let args = parser.nextCommand(); args !== undefined; args = parser.nextCommand()) out.push(words(args)!);
  }
  assert.equal(out, PIPELINE_WORDS);
  assert.throws(() => parser.commit(-1), RangeError);
  assert.throws(() => parser.commit(parser.spare().length + 1), RangeError);
});

test("limits must be positive integers", () => {
  assert.throws(() => new RespParser({ maxBulkLength: 0 }), /maxBulkLength/);
  assert.throws(() => new RespParser({ maxDepth: 1.5 }), /maxDepth/);
});

function frames(input: string, chunk = Infinity): Frame[] {
  const all = bytes(input);
  const parser = new RespParser();
  const out: Frame[] = [];
  for (let i = 0; i < all.length; i += chunk) {
    parser.push(all.subarray(i, Math.min(all.length, i + chunk)));
    for (let f = parser.nextFrame(); f !== undefined; f = parser.nextFrame()) out.push(f);
  }
  return out;
}

test("nextFrame parses every RESP2 type, nested arrays included, at any split", () => {
  const input = "+OK\r\n-ERR bad\r\n:-42\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n*0\r\n*2\r\n*1\r\n:1\r\n$0\r\n\r\n";
  const expected: Frame[] = [
    { type: "simple", value: "OK" },
    { type: "error", value: "ERR bad" },
    { type: "integer", value: -42 },
    { type: "bulk", value: bytes("hello") },
    { type: "null" },
    { type: "nullArray" },
    { type: "array", items: [] },
    { type: "array", items: [{ type: "array", items: [{ type: "integer", value: 1 }] }, { type: "bulk", value: bytes("") }] },
  ];
  for (const chunk of [Infinity, 1, 4]) assert.equal(frames(input, chunk), expected, `chunk ${chunk}`);
});

test("nextFrame refuses unknown type bytes and too deep nesting", () => {
  const parser = new RespParser({ maxDepth: 2 });
  parser.push(bytes("*1\r\n*1\r\n*1\r\n:1\r\n"));
  assert.throws(() => parser.nextFrame(), /nested too deeply/);
  const other = new RespParser();
  other.push(bytes("?\r\n"));
  assert.throws(() => other.nextFrame(), /expected a type byte, got '\?'/);
});

test.run();
