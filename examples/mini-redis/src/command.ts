/**
 * The commands mini-redis understands, parsed from a request's arguments (Tokio's mini-redis
 * `cmd/`), and how the ones that only touch the {@link Db} are answered.
 *
 * Parsing checks the arity and the options and turns a bad request into an `invalid` command
 * carrying Redis's own error text (`ERR wrong number of arguments for 'get' command`, `ERR
 * syntax error`, …), so a client cannot tell mini-redis's errors from redis-server's. Names are
 * case-insensitive; keys, values and channel names are bytes (keys and names are held as
 * latin1 strings, see `bytesToLatin1`).
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
 * A parsed request, discriminated on `kind`.
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
  | { readonly kind: "select"; readonly index: string }
  | { readonly kind: "quit" }
  | { readonly kind: "invalid"; readonly name: string; readonly error: string };

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
      return n === 2 ? { kind: "select", index: bytesToLatin1(args[1]!) } : arity(name);
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
      if (cmd.index === "0") out.simple("OK");
      else out.error("ERR DB index is out of range");
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

/** `SET key value [NX | XX] [EX seconds | PX milliseconds]`. */
function parseSet(args: readonly Uint8Array[]): Command {
  let expireMs: number | undefined;
  let condition: "nx" | "xx" | undefined;
  for (let i = 3; i < args.length; i++) {
    const option = bytesToLatin1(args[i]!).toLowerCase();
    if ((option === "nx" || option === "xx") && condition === undefined) {
      condition = option;
    } else if ((option === "ex" || option === "px") && expireMs === undefined && i + 1 < args.length) {
      const text = bytesToLatin1(args[++i]!);
      // Redis reads a 64-bit integer, then checks it is a usable deadline.
      const amount = /^-?\d{1,19}$/.test(text) ? Number(text) : NaN;
      if (Number.isNaN(amount) || Math.abs(amount) > 2 ** 63) {
        return invalid("set", "ERR value is not an integer or out of range");
      }
      const ms = option === "ex" ? amount * 1000 : amount;
      // Redis refuses a deadline that is not in the future or would overflow its clock.
      if (amount <= 0 || !Number.isSafeInteger(ms) || ms > 2 ** 53 / 4) {
        return invalid("set", "ERR invalid expire time in 'set' command");
      }
      expireMs = ms;
    } else {
      return invalid("set", "ERR syntax error");
    }
  }
  const options = expireMs === undefined && condition === undefined ? undefined : { expireMs, condition };
  return { kind: "set", key: bytesToLatin1(args[1]!), value: args[2]!, options };
}

/** `CONFIG GET parameter [parameter …]`. */
function parseConfig(args: readonly Uint8Array[]): Command {
  if (args.length < 2) return arity("config");
  const sub = bytesToLatin1(args[1]!);
  if (sub.toLowerCase() !== "get") {
    return invalid("config", `ERR unknown subcommand '${sub.slice(0, 128)}'. Try CONFIG HELP.`);
  }
  if (args.length < 3) return invalid("config", "ERR wrong number of arguments for 'config|get' command");
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

function invalid(name: string, error: string): Command {
  return { kind: "invalid", name, error };
}

function arity(name: string): Command {
  return invalid(name, `ERR wrong number of arguments for '${name}' command`);
}

/** Redis's reply to an unknown command quotes its name and first arguments. */
function unknown(name: string, rest: readonly Uint8Array[]): Command {
  let error = `ERR unknown command '${name.slice(0, 128)}', with args beginning with: `;
  for (const arg of rest) {
    if (error.length >= 128 + 64) break;
    error += `'${bytesToLatin1(arg).slice(0, 128)}' `;
  }
  return invalid(name, error);
}
