/**
 * The commands mini-redis understands, parsed from a request's arguments (Tokio's mini-redis
 * `cmd/`), and how the ones that only touch the {@link Db} are answered.
 *
 * Parsing checks the arity and the options and turns a bad request into an `invalid` command
 * carrying Redis's own error text (`ERR wrong number of arguments for 'get' command`, `ERR
 * syntax error`, …), so a client cannot tell mini-redis's errors from redis-server's. Redis
 * refuses a request at two points, and `invalid.stage` says which: before running it (an
 * unknown command or subcommand, a wrong number of arguments — in any mode) or while running it
 * (bad options or values — after subscriber mode's check, which comes first). Names are
 * case-insensitive; keys, values and channel names are bytes (keys and names are held as
 * latin1 strings, see `bytesToLatin1`), and so are error texts, which quote the client's bytes.
 *
 * Besides GET, SET, DEL, PING, PUBLISH, SUBSCRIBE and UNSUBSCRIBE, it answers what the real
 * clients send on their own: `COMMAND …` (redis-cli asks for command docs at start; an empty
 * array tells it there are none), `CONFIG GET save|appendonly` (redis-benchmark reads them
 * first), `ECHO`, `SELECT 0` and `QUIT`.
 */
import type { Db, SetOptions } from "./db.js";
import { bytesToLatin1 } from "./resp/frame.js";
import type { RespWriter } from "./resp/writer.js";

/**
 * A parsed request, discriminated on `kind`. An `invalid` one carries Redis's error text, and
 * its `stage`: `"lookup"` if Redis refuses it before anything else (unknown command or
 * subcommand, wrong number of arguments), `"run"` if only once it runs (bad options or values).
 *
 * @example
 * ```ts
 * const cmd = parseCommand([bytes("SET"), bytes("k"), bytes("v"), bytes("EX"), bytes("10")]);
 * // { kind: "set", key: "k", value: bytes "v", options: { expireMs: 10000 } }
 * ```
 */
export type Command =
  | { readonly kind: "get"; readonly key: string }
  | { readonly kind: "set"; readonly key: string; readonly value: Uint8Array; readonly options: SetOptions | undefined }
  | { readonly kind: "del"; readonly keys: readonly string[] }
  | { readonly kind: "ping"; readonly message: Uint8Array | undefined }
  | { readonly kind: "echo"; readonly message: Uint8Array }
  | { readonly kind: "publish"; readonly channel: string; readonly message: Uint8Array }
  | { readonly kind: "subscribe"; readonly channels: readonly string[] }
  | { readonly kind: "unsubscribe"; readonly channels: readonly string[] }
  | { readonly kind: "configGet"; readonly parameters: readonly string[] }
  | { readonly kind: "commandDocs" }
  | { readonly kind: "select" }
  | { readonly kind: "quit" }
  | { readonly kind: "invalid"; readonly name: string; readonly error: string; readonly stage: "lookup" | "run" };

/** The commands a connection in subscriber mode may run (Redis's RESP2 rule). */
export const SUBSCRIBER_COMMANDS: ReadonlySet<Command["kind"]> = new Set(["subscribe", "unsubscribe", "ping", "quit"]);

/**
 * Parse a request (its arguments, the first being the name) into a {@link Command}.
 *
 * @example
 * ```ts
 * parseCommand([bytes("GET")]); // { kind: "invalid", error: "ERR wrong number of arguments for 'get' command" }
 * ```
 */
export function parseCommand(args: readonly Uint8Array[]): Command {
  const name = bytesToLatin1(args[0]!).toLowerCase();
  const n = args.length;
  switch (name) {
    case "get":
      return n === 2 ? { kind: "get", key: bytesToLatin1(args[1]!) } : arity(name);
    case "set":
      return n >= 3 ? parseSet(args) : arity(name);
    case "del":
      return n >= 2 ? { kind: "del", keys: args.slice(1).map(bytesToLatin1) } : arity(name);
    case "ping":
      return n <= 2 ? { kind: "ping", message: args[1] } : arity(name);
    case "echo":
      return n === 2 ? { kind: "echo", message: args[1]! } : arity(name);
    case "publish":
      return n === 3 ? { kind: "publish", channel: bytesToLatin1(args[1]!), message: args[2]! } : arity(name);
    case "subscribe":
      return n >= 2 ? { kind: "subscribe", channels: args.slice(1).map(bytesToLatin1) } : arity(name);
    case "unsubscribe":
      return { kind: "unsubscribe", channels: args.slice(1).map(bytesToLatin1) };
    case "config":
      return parseConfig(args);
    case "command":
      return { kind: "commandDocs" };
    case "select":
      return n === 2 ? parseSelect(bytesToLatin1(args[1]!)) : arity(name);
    case "quit":
      return { kind: "quit" };
    default:
      return unknown(bytesToLatin1(args[0]!), args.slice(1));
  }
}

/**
 * Answer a command that only reads or writes the {@link Db} (everything but SUBSCRIBE,
 * UNSUBSCRIBE and QUIT, which the connection handles), appending the reply to `out`.
 *
 * @example
 * ```ts
 * apply(parseCommand([bytes("PING")]), db, out); // out: "+PONG\r\n"
 * ```
 */
export function apply(cmd: Command, db: Db, out: RespWriter): void {
  switch (cmd.kind) {
    case "get": {
      const value = db.get(cmd.key);
      if (value === undefined) out.nullBulk();
      else out.bulk(value);
      return;
    }
    case "set":
      if (db.set(cmd.key, cmd.value, cmd.options)) out.simple("OK");
      else out.nullBulk();
      return;
    case "del":
      out.integer(db.del(cmd.keys));
      return;
    case "ping":
      if (cmd.message === undefined) out.simple("PONG");
      else out.bulk(cmd.message);
      return;
    case "echo":
      out.bulk(cmd.message);
      return;
    case "publish":
      out.integer(db.publish(cmd.channel, cmd.message));
      return;
    case "configGet":
      configGet(cmd.parameters, out);
      return;
    case "commandDocs":
      out.arrayHeader(0);
      return;
    case "select":
      out.simple("OK");
      return;
    case "invalid":
      out.error(cmd.error);
      return;
    case "subscribe":
    case "unsubscribe":
    case "quit":
      throw new Error(`${cmd.kind} is handled by the connection, not by apply()`);
  }
}

/**
 * `SET key value [NX | XX] [EX seconds | PX milliseconds]`, read in Redis's order: every option
 * first (an option may be repeated, its last value wins; a conflicting or unknown one is a syntax
 * error), then the expire time.
 */
function parseSet(args: readonly Uint8Array[]): Command {
  let condition: "nx" | "xx" | undefined;
  let unit: "ex" | "px" | undefined;
  let amount = "";
  for (let i = 3; i < args.length; i++) {
    const option = bytesToLatin1(args[i]!).toLowerCase();
    const hasValue = i + 1 < args.length;
    if ((option === "nx" || option === "xx") && (condition === undefined || condition === option)) {
      condition = option;
    } else if ((option === "ex" || option === "px") && (unit === undefined || unit === option) && hasValue) {
      unit = option;
      amount = bytesToLatin1(args[++i]!);
    } else {
      return invalid("set", "ERR syntax error", "run");
    }
  }
  let expireMs: number | undefined;
  if (unit !== undefined) {
    const ms = expireTime(unit, amount);
    if (typeof ms === "string") return invalid("set", ms, "run");
    // A deadline past the runtime clock's range (over 70,000 years away) is as good as none.
    if (ms <= MAX_EXPIRE_MS) expireMs = Number(ms);
  }
  const options = expireMs === undefined && condition === undefined ? undefined : { expireMs, condition };
  return { kind: "set", key: bytesToLatin1(args[1]!), value: args[2]!, options };
}

const INT64_MAX = 2n ** 63n - 1n;
/** The longest expiry kept as a deadline: the runtime clock's milliseconds stay exact below it. */
const MAX_EXPIRE_MS = 2n ** 51n;
const NOT_AN_INTEGER = "ERR value is not an integer or out of range";

/**
 * The milliseconds of `EX seconds` or `PX ms`, or Redis's error text: the amount must be a 64-bit
 * integer, positive, and not overflow Redis's deadline (Unix time in ms, a 64-bit integer).
 */
function expireTime(unit: "ex" | "px", text: string): bigint | string {
  const amount = parseInt64(text);
  if (amount === undefined) return NOT_AN_INTEGER;
  const invalidTime = "ERR invalid expire time in 'set' command";
  if (amount <= 0n || (unit === "ex" && amount > INT64_MAX / 1000n)) return invalidTime;
  const ms = unit === "ex" ? amount * 1000n : amount;
  if (ms > INT64_MAX - BigInt(Date.now())) return invalidTime;
  return ms;
}

/** `SELECT index`: only database 0 exists; the index is read as Redis reads an `int`. */
function parseSelect(text: string): Command {
  const index = parseInt64(text);
  if (index === undefined) return invalid("select", NOT_AN_INTEGER, "run");
  if (index < -(2n ** 31n) || index >= 2n ** 31n) {
    return invalid("select", "ERR value is out of range, value must between -2147483648 and 2147483647", "run");
  }
  return index === 0n ? { kind: "select" } : invalid("select", "ERR DB index is out of range", "run");
}

/**
 * A 64-bit integer as Redis reads one (`string2ll`): decimal digits after an optional `-`, no
 * `+`, spaces or leading zeros ("0" itself, not "-0" nor "05"); `undefined` otherwise.
 */
function parseInt64(text: string): bigint | undefined {
  if (text.length > 20 || !/^(?:0|-?[1-9][0-9]*)$/.test(text)) return undefined;
  const n = BigInt(text);
  return n >= -INT64_MAX - 1n && n <= INT64_MAX ? n : undefined;
}

/** `CONFIG GET parameter [parameter …]`. */
function parseConfig(args: readonly Uint8Array[]): Command {
  if (args.length < 2) return arity("config");
  const sub = bytesToLatin1(args[1]!);
  if (sub.toLowerCase() !== "get") {
    return invalid("config", `ERR unknown subcommand '${cString(sub).slice(0, 128)}'. Try CONFIG HELP.`, "lookup");
  }
  if (args.length < 3) return invalid("config", "ERR wrong number of arguments for 'config|get' command", "lookup");
  return { kind: "configGet", parameters: args.slice(2).map((a) => bytesToLatin1(a).toLowerCase()) };
}

/** The configuration this server reports: what redis-benchmark asks at start. */
const CONFIG: ReadonlyMap<string, string> = new Map([
  ["save", ""],
  ["appendonly", "no"],
  ["databases", "1"],
]);

function configGet(parameters: readonly string[], out: RespWriter): void {
  const found = parameters.filter((p) => CONFIG.has(p));
  out.arrayHeader(found.length * 2);
  for (const p of found) {
    out.bulkString(p);
    out.bulkString(CONFIG.get(p)!);
  }
}

function invalid(name: string, error: string, stage: "lookup" | "run"): Command {
  return { kind: "invalid", name, error, stage };
}

function arity(name: string): Command {
  return invalid(name, `ERR wrong number of arguments for '${name}' command`, "lookup");
}

/**
 * Redis's reply to an unknown command quotes its name and the start of its arguments: each
 * argument is cut to what is left of 128 characters, and none is added once they are reached.
 */
function unknown(name: string, rest: readonly Uint8Array[]): Command {
  let quoted = "";
  for (let i = 0; i < rest.length && quoted.length < 128; i++) {
    quoted += `'${cString(bytesToLatin1(rest[i]!)).slice(0, 128 - quoted.length)}' `;
  }
  const error = `ERR unknown command '${cString(name).slice(0, 128)}', with args beginning with: ${quoted}`;
  return invalid(name, error, "lookup");
}

/** `s` up to its first NUL: Redis formats these quotes with C's `%s`, which stops there. */
function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}
