/**
 * A RESP connection over any byte stream (Tokio's mini-redis `connection.rs`): requests in,
 * replies out, on a socket or on an in-memory `duplex` alike.
 *
 * HOW. Reading goes straight into the {@link RespParser}'s buffer (`spare()`/`commit()`), so a
 * read copies nothing and allocates nothing; the parser then yields whole requests. Replies go
 * into one {@link RespWriter}, and {@link Connection.writeReplies} sends everything answered so
 * far with a single `writeAll`. The handler answers every request already buffered before it
 * writes, so a pipelined batch is answered with one write — what makes `redis-benchmark -P 16`
 * fast — and a request/response client costs one read and one write per command.
 *
 * All the state lives in the connection (the parser's buffer and the writer's), none in the
 * futures: {@link Connection.readCommand} can be dropped at any await (a `select` loser) and
 * the next call continues where it stopped, with no byte lost.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import { writeAll, type AsyncRead, type AsyncWrite } from "@tokio-ts/io-driver";
import { RespParser, type ParserLimits } from "./resp/parser.js";
import { RespWriter } from "./resp/writer.js";

/**
 * Requests and replies over `stream` (see the module header).
 *
 * @example
 * ```ts
 * const conn = new Connection(socket);
 * for (let args = yield* conn.readCommand(); args !== undefined; args = yield* conn.readCommand()) {
 *   conn.out.simple("OK");
 *   yield* conn.writeReplies();
 * }
 * ```
 */
export class Connection<S extends AsyncRead & AsyncWrite = AsyncRead & AsyncWrite> {
  /** The stream, for the caller to close. */
  readonly stream: S;
  /** Replies not written yet: append to it, then {@link writeReplies}. */
  readonly out = new RespWriter();
  readonly #parser: RespParser;

  /** **Throws**: RangeError for a bad limit (see {@link ParserLimits}). */
  constructor(stream: S, limits?: ParserLimits) {
    this.stream = stream;
    this.#parser = new RespParser(limits);
  }

  /**
   * The next request if it is already buffered, without reading.
   *
   * @example
   * ```ts
   * for (let args = conn.nextBuffered(); args !== undefined; args = conn.nextBuffered()) answer(args);
   * ```
   *
   * **Throws**: ProtocolError for a malformed request.
   */
  nextBuffered(): Uint8Array[] | undefined {
    return this.#parser.nextCommand();
  }

  /**
   * The next request, reading as needed; `undefined` when the peer closed its side (a request
   * cut off by the close is dropped, as Redis drops it).
   *
   * @example
   * ```ts
   * const args = yield* conn.readCommand(); // [bytes "GET", bytes "k"]
   * ```
   *
   * **Cancel safety**: cancel safe: bytes read are kept in the connection's buffer, so a dropped
   * `readCommand()` loses nothing and the next one picks them up.
   *
   * **Throws**: ProtocolError for a malformed request; the stream's read errors.
   */
  readCommand(): Future<Uint8Array[] | undefined> {
    return new ReadCommand(this.stream, this.#parser);
  }

  /**
   * Write every reply appended to {@link out} since the last call, then forget them.
   *
   * @example
   * ```ts
   * conn.out.simple("PONG");
   * yield* conn.writeReplies();
   * ```
   *
   * **Cancel safety**: not cancel safe: a dropped call may have written part of the replies.
   *
   * **Throws**: the stream's write errors.
   */
  *writeReplies(): Generator<unknown, void, any> {
    const out = this.out;
    if (out.length === 0) return;
    yield* writeAll(this.stream, out.view());
    out.clear();
  }
}

/** The future of {@link Connection.readCommand}: parse, else read into the parser, repeat. */
class ReadCommand extends Future<Uint8Array[] | undefined> {
  readonly #stream: AsyncRead;
  readonly #parser: RespParser;

  constructor(stream: AsyncRead, parser: RespParser) {
    super();
    this.#stream = stream;
    this.#parser = parser;
  }

  override poll(cx: Context): Poll<Uint8Array[] | undefined> {
    const parser = this.#parser;
    for (;;) {
      const args = parser.nextCommand();
      if (args !== undefined) return args;
      if (!pollProceed(cx)) return Pending;
      const n = this.#stream.pollRead(cx, parser.spare());
      if (n === Pending) return Pending;
      madeProgress(cx);
      if (n === 0) return undefined;
      parser.commit(n);
    }
  }
}
