/**
 * The one error of the RESP layer: the peer broke the protocol. Its message is the text Redis
 * sends in that case (after `ERR `), so a client sees the same reply from mini-redis as from
 * redis-server. Like Redis, the server replies with it and then closes the connection: after a
 * malformed frame there is no telling where the next one starts.
 */

/**
 * The input is not RESP2, or exceeds a limit of the parser.
 *
 * @example
 * ```ts
 * try { parser.nextCommand() } catch (e) { if (e instanceof ProtocolError) reply(`ERR ${e.message}`) }
 * ```
 */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  readonly code = "ERR_RESP_PROTOCOL";

  constructor(detail: string) {
    super(`Protocol error: ${detail}`);
  }
}
