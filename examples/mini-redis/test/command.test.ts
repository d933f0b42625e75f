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

test("the commands real clients send at start are understood", () => {
  assert.equal(parse("COMMAND", "DOCS"), { kind: "commandDocs" });
  assert.equal(parse("CONFIG", "GET", "save"), { kind: "configGet", parameters: ["save"] });
  assert.equal(parse("PING"), { kind: "ping", message: undefined });
});

test.run();
