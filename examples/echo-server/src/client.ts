/**
 * The other side of the demo: a client that sends lines to the echo server and reads each one
 * back before sending the next.
 */
import { readExact, writeAll } from "@tokio-ts/io-driver";
import { TcpStream, type SocketAddr } from "@tokio-ts/net";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Connect to `addr`, send each of `lines` (with a newline) and read its echo; returns the
 * echoes. The connection is closed at the end.
 *
 * @example
 * ```ts
 * const echoes = yield* talk(listener.localAddr(), ["hello", "world"]); // ["hello", "world"]
 * ```
 *
 * **Cancel safety**: not cancel safe (a dropped call may have sent a line and not read its echo).
 *
 * **Throws**: the connection's errors (ECONNREFUSED if nothing listens at `addr`); IoError
 * UNEXPECTED_EOF if the server closes before echoing everything.
 */
export function* talk(addr: SocketAddr | string, lines: readonly string[]): Generator<unknown, string[], any> {
  const stream = yield* TcpStream.connect(addr);
  try {
    const echoes: string[] = [];
    for (const line of lines) {
      const out = encoder.encode(`${line}\n`);
      yield* writeAll(stream, out);
      const back = new Uint8Array(out.length);
      yield* readExact(stream, back);
      echoes.push(decoder.decode(back).replace(/\n$/, ""));
    }
    return echoes;
  } finally {
    stream.close();
  }
}
