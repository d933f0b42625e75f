import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseCommand, type Command } from "../src/command.js";
import { bytes } from "./helpers.js";

function parse(...words: string[]): Command {
  return parseCommand(words.map(bytes));
}

function errorOf(cmd: Command): string | undefined {
  return cmd.kind === "invalid" ? cmd.error : undefined;
}

test("names are case-insensitive; keys and channels are kept as byte strings", () => {
  assert.equal(parse("gEt", "k"), { kind: "get", key: "k" });
  assert.equal(parse("DEL", "a", "b"), { kind: "del", keys: ["a", "b"] });
  assert.equal(parse("SUBSCRIBE", "x", "y"), { kind: "subscribe", channels: ["x", "y"] });
  assert.equal(parse("UNSUBSCRIBE"), { kind: "unsubscribe", channels: [] });
  const cmd = parseCommand([bytes("GET"), new Uint8Array([0xff, 0x00])]);
  assert.equal(cmd, { kind: "get", key: "\u00ff\u0000" });
});

test("SET takes EX seconds, PX milliseconds, NX and XX in any order", () => {
  const set = parse("SET", "k", "v", "ex", "10", "NX");
  assert.equal(set.kind === "set" && set.options, { expireMs: 10_000, condition: "nx" });
  const px = parse("set", "k", "v", "XX", "PX", "1500");
  assert.equal(px.kind === "set" && px.options, { expireMs: 1500, condition: "xx" });
  const plain = parse("SET", "k", "v");
  assert.is(plain.kind === "set" && plain.options, undefined);
});

test("bad requests carry Redis's error texts", () => {
  assert.is(errorOf(parse("GET")), "ERR wrong number of arguments for 'get' command");
  assert.is(errorOf(parse("DEL")), "ERR wrong number of arguments for 'del' command");
  assert.is(errorOf(parse("PING", "a", "b")), "ERR wrong number of arguments for 'ping' command");
  assert.is(errorOf(parse("SET", "k", "v", "EX")), "ERR syntax error");
  assert.is(errorOf(parse("SET", "k", "v", "NX", "XX")), "ERR syntax error");
  assert.is(errorOf(parse("SET", "k", "v", "EX", "1", "PX", "1")), "ERR syntax error");
  assert.is(errorOf(parse("SET", "k", "v", "EX", "0")), "ERR invalid expire time in 'set' command");
  assert.is(errorOf(parse("SET", "k", "v", "PX", "-1")), "ERR invalid expire time in 'set' command");
  assert.is(errorOf(parse("SET", "k", "v", "EX", "9999999999999999")), "ERR invalid expire time in 'set' command");
  assert.is(errorOf(parse("SET", "k", "v", "EX", "x")), "ERR value is not an integer or out of range");
  assert.is(errorOf(parse("FOO")), "ERR unknown command 'FOO', with args beginning with: ");
  assert.is(errorOf(parse("FOO", "a")), "ERR unknown command 'FOO', with args beginning with: 'a' ");
  assert.is(errorOf(parse("CONFIG", "SET", "x")), "ERR unknown subcommand 'SET'. Try CONFIG HELP.");
});

test("SET reads all its options before the expire time, as Redis does; a repeated option counts once, its last value wins", () => {
  const twice = parse("SET", "k", "v", "EX", "10", "EX", "20", "NX", "NX");
  assert.equal(twice.kind === "set" && twice.options, { expireMs: 20_000, condition: "nx" });
  const xx = parse("SET", "k", "v", "XX", "PX", "5", "XX");
  assert.equal(xx.kind === "set" && xx.options, { expireMs: 5, condition: "xx" });
  assert.is(errorOf(parse("SET", "k", "v", "EX", "10", "EX", "abc")), "ERR value is not an integer or out of range");
  assert.is(errorOf(parse("SET", "k", "v", "EX", "abc", "FOO")), "ERR syntax error");
  assert.is(errorOf(parse("SET", "k", "v", "EX", "0", "FOO")), "ERR syntax error");
  assert.is(errorOf(parse("SET", "k", "v", "PX", "10", "EX", "10")), "ERR syntax error");
});

test("expire times and SELECT's index are read as Redis reads a 64-bit integer", () => {
  for (const text of ["05", "-0", "+5", " 5", "5 ", "1.5", "", "9223372036854775808", "-9223372036854775809", "99999999999999999999"]) {
    assert.is(errorOf(parse("SET", "k", "v", "EX", text)), "ERR value is not an integer or out of range", `EX '${text}'`);
    assert.is(errorOf(parse("SELECT", text)), "ERR value is not an integer or out of range", `SELECT '${text}'`);
  }
  // Redis refuses a deadline that overflows its 64-bit Unix-time milliseconds ...
  assert.is(errorOf(parse("SET", "k", "v", "PX", "9223372036854775807")), "ERR invalid expire time in 'set' command");
  assert.is(errorOf(parse("SET", "k", "v", "EX", "9223372036854775")), "ERR invalid expire time in 'set' command");
  assert.is(errorOf(parse("SET", "k", "v", "EX", "-9223372036854775808")), "ERR invalid expire time in 'set' command");
  // ... and takes any other: one past the runtime clock's range never expires in practice.
  const far = parse("SET", "k", "v", "PX", "4611686018427387904", "XX");
  assert.equal(far.kind === "set" && far.options, { expireMs: undefined, condition: "xx" });
  const farEx = parse("SET", "k", "v", "EX", "9007199254740993");
  assert.is(farEx.kind === "set" && farEx.options, undefined);
  const near = parse("SET", "k", "v", "PX", "9007199254740");
  assert.equal(near.kind === "set" && near.options, { expireMs: 9007199254740, condition: undefined });
  assert.equal(parse("SELECT", "0"), { kind: "select" });
  assert.is(errorOf(parse("SELECT", "1")), "ERR DB index is out of range");
  assert.is(errorOf(parse("SELECT", "-2147483648")), "ERR DB index is out of range");
  assert.is(errorOf(parse("SELECT", "2147483648")), "ERR value is out of range, value must between -2147483648 and 2147483647");
});

test("an unknown command's error quotes 128 characters of arguments, each cut at a NUL, as Redis's does", () => {
  const many = parse("foo", ...Array.from({ length: 40 }, (_, i) => `arg${i}`));
  assert.is(
    errorOf(many),
    "ERR unknown command 'foo', with args beginning with: 'arg0' 'arg1' 'arg2' 'arg3' 'arg4' 'arg5' 'arg6' 'arg7' 'arg8' 'arg9' 'arg10' 'arg11' 'arg12' 'arg13' 'arg14' 'arg15' 'arg16' 'ar' ",
  );
  const cut = parse("foo", "y".repeat(120), "abcdefghijkl", "z");
  assert.is(errorOf(cut), `ERR unknown command 'foo', with args beginning with: '${"y".repeat(120)}' 'abcde' `);
  assert.is(errorOf(parse("fo\0o", "a\0b", "c")), "ERR unknown command 'fo', with args beginning with: 'a' 'c' ");
  assert.is(errorOf(parse("x".repeat(200))), `ERR unknown command '${"x".repeat(128)}', with args beginning with: `);
});

test("the commands real clients send at start are understood", () => {
  assert.equal(parse("COMMAND", "DOCS"), { kind: "commandDocs" });
  assert.equal(parse("CONFIG", "GET", "save"), { kind: "configGet", parameters: ["save"] });
  assert.equal(parse("PING"), { kind: "ping", message: undefined });
});

test.run();
