import { test } from "uvu";
import * as assert from "uvu/assert";
import { RespParser } from "../src/resp/parser.js";
import { RespWriter } from "../src/resp/writer.js";
import { bytesToLatin1, latin1ToBytes, type Frame } from "../src/resp/frame.js";
import { bytes } from "./helpers.js";

const decoder = new TextDecoder();

test("each reply is encoded as RESP2", () => {
  const out = new RespWriter();
  out.simple("OK");
  out.error("ERR bad\r\nthing");
  out.integer(-12);
  out.bulkString("héllo");
  out.bulk(new Uint8Array(0));
  out.nullBulk();
  out.arrayHeader(2);
  out.nullArray();
  assert.is(decoder.decode(out.view()), "+OK\r\n-ERR bad  thing\r\n:-12\r\n$6\r\nhéllo\r\n$0\r\n\r\n$-1\r\n*2\r\n*-1\r\n");
  out.clear();
  assert.is(out.length, 0);
});

test("frames round-trip through the writer and the parser", () => {
  const all: Frame[] = [
    { type: "simple", value: "PONG" },
    { type: "error", value: "ERR x" },
    { type: "integer", value: 9007199254740991 },
    { type: "bulk", value: new Uint8Array([0, 13, 10, 200]) },
    { type: "null" },
    { type: "nullArray" },
    { type: "array", items: [{ type: "bulk", value: bytes("message") }, { type: "array", items: [] }] },
  ];
  const out = new RespWriter();
  for (const f of all) out.frame(f);
  const parser = new RespParser();
  parser.push(out.view());
  const back: Frame[] = [];
  for (let f = parser.nextFrame(); f !== undefined; f = parser.nextFrame()) back.push(f);
  assert.equal(back, all);
});

test("the buffer grows for a large value and is released by clear() past 1 MiB", () => {
  const out = new RespWriter();
  const big = new Uint8Array(3 * 1024 * 1024).fill(7);
  out.bulk(big);
  assert.is(out.length, big.length + "$3145728\r\n".length + 2);
  assert.equal(out.view()[20], 7);
  out.clear();
  out.simple("OK");
  assert.is(decoder.decode(out.view()), "+OK\r\n");
});

test("simple strings are written as UTF-8; an error is a byte string, one byte per char", () => {
  const out = new RespWriter();
  out.simple("naïve ✓");
  // An error quotes the client's bytes as this server holds them (latin1 strings): they go back as they came.
  out.error(`ERR unknown command '${bytesToLatin1(new TextEncoder().encode("é"))}\u00ff'`);
  assert.equal([...out.view()], [...new TextEncoder().encode("+naïve ✓\r\n-ERR unknown command 'é"), 0xff, 39, 13, 10]);
});

test("byte strings map to latin1 strings and back without loss, short and long", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (const bytes of [all, new Uint8Array(0), new Uint8Array(10_000).map((_, i) => (i * 7) & 255)]) {
    const s = bytesToLatin1(bytes);
    assert.is(s.length, bytes.length);
    assert.equal([...latin1ToBytes(s)], [...bytes]);
  }
});

test.run();
