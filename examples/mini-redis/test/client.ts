/** A minimal RESP client for the tests, on any stream (an in-memory duplex or a TcpStream). */
import { read, writeAll, type AsyncRead, type AsyncWrite } from "@tokio-ts/io-driver";
import type { Frame } from "../src/resp/frame.js";
import { RespParser } from "../src/resp/parser.js";
import { RespWriter } from "../src/resp/writer.js";

const decoder = new TextDecoder();

/** A frame as plain data that `assert.equal` compares readably: bulk strings become text. */
export type Plain = string | number | null | { error: string } | Plain[];

export function plain(frame: Frame): Plain {
  switch (frame.type) {
    case "simple":
      return frame.value;
    case "error":
      return { error: frame.value };
    case "integer":
      return frame.value;
    case "bulk":
      return decoder.decode(frame.value);
    case "null":
    case "nullArray":
      return null;
    case "array":
      return frame.items.map(plain);
  }
}

export class TestClient {
  readonly stream: AsyncRead & AsyncWrite;
  readonly #parser = new RespParser();

  constructor(stream: AsyncRead & AsyncWrite) {
    this.stream = stream;
  }

  /** Send a command as a RESP array of bulk strings. */
  *send(...words: string[]): Generator<unknown, void, any> {
    const out = new RespWriter();
    out.arrayHeader(words.length);
    for (const w of words) out.bulkString(w);
    yield* writeAll(this.stream, out.view());
  }

  /** Send raw bytes. */
  *sendRaw(data: string | Uint8Array): Generator<unknown, void, any> {
    yield* writeAll(this.stream, typeof data === "string" ? new TextEncoder().encode(data) : data);
  }

  /** The next reply, or undefined at end of stream. */
  *reply(): Generator<unknown, Plain | undefined, any> {
    for (;;) {
      const frame = this.#parser.nextFrame();
      if (frame !== undefined) return plain(frame);
      const spare = this.#parser.spare();
      const n = yield* read(this.stream, spare);
      if (n === 0) return undefined;
      this.#parser.commit(n);
    }
  }

  /** Send a command and return its reply. */
  *call(...words: string[]): Generator<unknown, Plain | undefined, any> {
    yield* this.send(...words);
    return yield* this.reply();
  }
}
