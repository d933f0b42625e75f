/**
 * What a server does with one client: read requests, answer them, and switch to subscriber mode
 * on SUBSCRIBE (Tokio's mini-redis `server.rs` `Handler` and `cmd/subscribe.rs`).
 *
 * HOW. The handler answers every request already buffered, then writes the replies with one
 * write (sooner once 64 KiB of replies wait, so that memory stays bounded), then waits for
 * more bytes — racing that wait against the shutdown token with
 * `select`, so a server that is shutting down closes idle connections at once while a
 * connection in the middle of a batch finishes answering it first.
 *
 * Subscriber mode (after SUBSCRIBE, until the last UNSUBSCRIBE): the connection holds one
 * broadcast receiver per channel, and each turn `select`s over the shutdown token, the next
 * request, and every receiver's next message — each loser is dropped, which is safe because
 * `readCommand()` and `recv()` are cancel safe. In this mode Redis (RESP2) allows only
 * SUBSCRIBE, UNSUBSCRIBE, PING and QUIT; other commands get its error. A subscriber that falls
 * more than the channel capacity behind skips the messages it missed (as Tokio's mini-redis
 * does) rather than making publishers wait.
 *
 * A malformed request gets Redis's `-ERR Protocol error: …` reply, after the replies to the
 * requests before it, and the connection is closed — there is no telling where the next request
 * would start. The handler leaves the stream open: the caller closes it.
 */
import { Future, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncRead, AsyncWrite } from "@tokio-ts/io-driver";
import { select } from "@tokio-ts/macros";
import { broadcast, RecvError, type CancellationToken } from "@tokio-ts/sync";
import { apply, parseCommand, SUBSCRIBER_COMMANDS } from "./command.js";
import { Connection } from "./connection.js";
import type { Db } from "./db.js";
import { ProtocolError } from "./resp/errors.js";
import { bytesToLatin1, latin1ToBytes } from "./resp/frame.js";
import type { ParserLimits } from "./resp/parser.js";
import type { RespWriter } from "./resp/writer.js";

/**
 * Options of {@link handleConnection}.
 *
 * @example
 * ```ts
 * yield* handleConnection(socket, db, { shutdown: token, limits: { maxBulkLength: 1 << 20 } });
 * ```
 */
export interface HandlerOptions {
  /** When cancelled, the handler finishes the batch it is answering and returns. */
  readonly shutdown?: CancellationToken | undefined;
  /** Limits of the request parser. */
  readonly limits?: ParserLimits | undefined;
}

/**
 * Serve one client on `stream` until it disconnects, sends QUIT or a malformed request, or
 * `shutdown` is cancelled (see the module header). Returns why it stopped.
 *
 * @example
 * ```ts
 * const [client, server] = duplex(64 * 1024);
 * spawn(() => handleConnection(server, db));
 * yield* writeAll(client, bytes("PING\r\n")); // client reads "+PONG\r\n"
 * ```
 *
 * **Cancel safety**: dropping it (aborting its task) drops the connection's subscriptions; a
 * batch being answered may be cut short.
 *
 * **Throws**: the stream's I/O errors (a peer that resets the connection).
 */
export function* handleConnection(
  stream: AsyncRead & AsyncWrite,
  db: Db,
  options: HandlerOptions = {},
): Generator<unknown, "closed" | "quit" | "shutdown" | "protocolError", any> {
  const conn = new Connection(stream, options.limits);
  const shutdown = options.shutdown;
  try {
    for (;;) {
      if (conn.out.length >= FLUSH_BYTES) yield* conn.writeReplies();
      let args = conn.nextBuffered();
      if (args === undefined) {
        yield* conn.writeReplies();
        if (shutdown?.isCancelled()) return "shutdown";
        const next = shutdown === undefined
          ? { key: "request" as const, value: yield* conn.readCommand() }
          : yield* select({ shutdown: shutdown.cancelled(), request: conn.readCommand() }, { biased: true });
        if (next.key === "shutdown") return "shutdown";
        args = next.value;
        if (args === undefined) return "closed";
      }
      const cmd = parseCommand(args);
      switch (cmd.kind) {
        case "subscribe": {
          const end = yield* subscriberMode(conn, db, cmd.channels, shutdown);
          if (end !== "unsubscribed") {
            yield* conn.writeReplies();
            return end;
          }
          break;
        }
        case "unsubscribe":
          // Not subscribed to anything: Redis still answers, once per channel named.
          unsubscribeReplies(conn.out, cmd.channels, 0);
          break;
        case "quit":
          conn.out.simple("OK");
          yield* conn.writeReplies();
          return "quit";
        default:
          apply(cmd, db, conn.out);
      }
    }
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    conn.out.error(`ERR ${error.message}`);
    yield* conn.writeReplies();
    return "protocolError";
  }
}

/**
 * Replies are written once this many bytes are waiting, even in the middle of a batch: a client
 * that pipelines a thousand GETs of a large value and does not read then holds the handler in
 * `writeAll` (TCP backpressure) instead of growing its reply buffer without bound.
 */
const FLUSH_BYTES = 64 * 1024;

/** A message of a channel, or why there is none: the receiver lagged, or the channel closed. */
const LAGGED = Symbol("lagged");
const CLOSED = Symbol("closed");
type Message = Uint8Array | typeof LAGGED | typeof CLOSED;

/**
 * Subscriber mode, entered with the channels of a SUBSCRIBE: returns `"unsubscribed"` when no
 * subscription is left (back to normal mode), or why the connection must end.
 */
function* subscriberMode(
  conn: Connection,
  db: Db,
  first: readonly string[],
  shutdown: CancellationToken | undefined,
): Generator<unknown, "unsubscribed" | "closed" | "quit" | "shutdown", any> {
  const subscriptions = new Map<string, broadcast.Receiver<Uint8Array>>();
  const out = conn.out;
  try {
    subscribe(db, subscriptions, first, out);
    while (subscriptions.size > 0) {
      if (out.length >= FLUSH_BYTES) yield* conn.writeReplies();
      let args = conn.nextBuffered();
      if (args === undefined) {
        yield* conn.writeReplies();
        if (shutdown?.isCancelled()) return "shutdown";
        const branches: Record<string, Future<unknown> | false> = {
          shutdown: shutdown !== undefined && shutdown.cancelled(),
          request: conn.readCommand(),
        };
        for (const [channel, rx] of subscriptions) branches[`#${channel}`] = new NextMessage(rx);
        const next = yield* select(branches);
        if (next.key === "shutdown") return "shutdown";
        if (next.key !== "request") {
          const channel = next.key.slice(1);
          const message = next.value as Message;
          if (message === CLOSED) {
            // The Db was disposed: the channel is gone; release the receiver.
            db.unsubscribe(channel, subscriptions.get(channel)!);
            subscriptions.delete(channel);
          } else if (message !== LAGGED) {
            out.arrayHeader(3);
            out.bulkString("message");
            out.bulk(latin1ToBytes(channel));
            out.bulk(message);
          }
          continue;
        }
        args = next.value as Uint8Array[] | undefined;
        if (args === undefined) return "closed";
      }
      const cmd = parseCommand(args);
      // Redis refuses an unknown command or a wrong arity first; bad options only when the
      // command runs, which a command not allowed here never does.
      if (cmd.kind === "invalid" && cmd.stage === "lookup") {
        out.error(cmd.error);
      } else if (!SUBSCRIBER_COMMANDS.has(cmd.kind)) {
        out.error(notAllowed(args));
      } else if (cmd.kind === "subscribe") {
        subscribe(db, subscriptions, cmd.channels, out);
      } else if (cmd.kind === "unsubscribe") {
        unsubscribe(db, subscriptions, cmd.channels, out);
      } else if (cmd.kind === "ping") {
        // In subscriber mode PING answers as a message would: ["pong", message or ""].
        out.arrayHeader(2);
        out.bulkString("pong");
        out.bulk(cmd.message ?? new Uint8Array(0));
      } else if (cmd.kind === "quit") {
        out.simple("OK");
        return "quit";
      }
    }
    return "unsubscribed";
  } finally {
    for (const [channel, rx] of subscriptions) db.unsubscribe(channel, rx);
  }
}

function subscribe(
  db: Db,
  subscriptions: Map<string, broadcast.Receiver<Uint8Array>>,
  channels: readonly string[],
  out: RespWriter,
): void {
  for (const channel of channels) {
    if (!subscriptions.has(channel)) subscriptions.set(channel, db.subscribe(channel));
    out.arrayHeader(3);
    out.bulkString("subscribe");
    out.bulk(latin1ToBytes(channel));
    out.integer(subscriptions.size);
  }
}

function unsubscribe(
  db: Db,
  subscriptions: Map<string, broadcast.Receiver<Uint8Array>>,
  channels: readonly string[],
  out: RespWriter,
): void {
  const names = channels.length > 0 ? channels : [...subscriptions.keys()];
  if (names.length === 0) unsubscribeReplies(out, [], 0);
  for (const channel of names) {
    const rx = subscriptions.get(channel);
    if (rx !== undefined) {
      subscriptions.delete(channel);
      db.unsubscribe(channel, rx);
    }
    unsubscribeReplies(out, [channel], subscriptions.size);
  }
}

/** `["unsubscribe", channel, count]` per channel; with none, one reply with a null channel. */
function unsubscribeReplies(out: RespWriter, channels: readonly string[], count: number): void {
  if (channels.length === 0) {
    out.arrayHeader(3);
    out.bulkString("unsubscribe");
    out.nullBulk();
    out.integer(count);
    return;
  }
  for (const channel of channels) {
    out.arrayHeader(3);
    out.bulkString("unsubscribe");
    out.bulk(latin1ToBytes(channel));
    out.integer(count);
  }
}

/** Redis's refusal in subscriber mode, naming a subcommand as it does: `config|get`. */
function notAllowed(args: readonly Uint8Array[]): string {
  let name = bytesToLatin1(args[0]!).toLowerCase();
  if ((name === "config" || name === "command") && args.length > 1) name += `|${bytesToLatin1(args[1]!).toLowerCase()}`;
  return `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

/**
 * `rx.recv()` with its two errors turned into values, so that one channel's lag or close is a
 * branch result of the select rather than an error that would hide which channel it was.
 */
class NextMessage extends Future<Message> {
  readonly #recv: Future<Uint8Array>;

  constructor(rx: broadcast.Receiver<Uint8Array>) {
    super();
    this.#recv = rx.recv();
  }

  override poll(cx: Context): Poll<Message> {
    try {
      return this.#recv.poll(cx);
    } catch (error) {
      if (error instanceof RecvError) return error.kind === "lagged" ? LAGGED : CLOSED;
      throw error;
    }
  }

  override cancel(): void {
    this.#recv.cancel();
  }
}

