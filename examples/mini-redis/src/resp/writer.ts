/**
 * The RESP2 encoder: replies are appended to one reusable byte buffer, and the connection writes
 * the whole buffer with one `writeAll` once every request of a read has been answered. So a
 * pipelined batch of a hundred commands costs one socket write, not a hundred, and encoding
 * allocates nothing once the buffer has grown to the largest batch.
 *
 * Simple strings are written as UTF-8 (they are ASCII in practice). Errors are byte strings,
 * one byte per char, as this server holds keys (`bytesToLatin1`): an error that quotes the
 * client's bytes (`ERR unknown command 'héllo'`) sends them back as they came, as Redis does.
 * Bulk payloads are copied as bytes.
 */
import type { Frame } from "./frame.js";

const CRLF_0 = 13;
const CRLF_1 = 10;
const encoder = new TextEncoder();

/**
 * Append RESP2 values to a growable buffer; take them with {@link RespWriter.view}, then
 * {@link RespWriter.clear}.
 *
 * @example
 * ```ts
 * const out = new RespWriter();
 * out.arrayHeader(2);
 * out.bulkString("hello");
 * out.integer(1);
 * yield* writeAll(stream, out.view());
 * out.clear();
 * ```
 */
export class RespWriter {
  #buf = new Uint8Array(16 * 1024);
  #len = 0;

  /** How many bytes are waiting to be written. */
  get length(): number {
    return this.#len;
  }

  /** The encoded bytes; valid until the next call on the writer. */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  /** Forget what was encoded (after it was written). A buffer grown past 1 MiB is released. */
  clear(): void {
    this.#len = 0;
    if (this.#buf.length > 1024 * 1024) this.#buf = new Uint8Array(16 * 1024);
  }

  /** `+value\r\n`. `value` must not contain CR or LF. */
  simple(value: string): void {
    this.#byte(43);
    this.#text(value);
    this.#crlf();
  }

  /**
   * `-message\r\n`: an error reply, e.g. `error("ERR syntax error")`. `message` is a byte string
   * (one byte per char, see the module header); CR and LF become spaces.
   */
  error(message: string): void {
    this.#byte(45);
    this.#latin1(message.replace(/[\r\n]/g, " "));
    this.#crlf();
  }

  /** `:n\r\n`. */
  integer(n: number): void {
    this.#byte(58);
    this.#latin1(String(n));
    this.#crlf();
  }

  /** `$len\r\nbytes\r\n`. */
  bulk(bytes: Uint8Array): void {
    this.#byte(36);
    this.#latin1(String(bytes.length));
    this.#crlf();
    this.#reserve(bytes.length + 2);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    this.#crlf();
  }

  /** A bulk string of the UTF-8 bytes of `value`. */
  bulkString(value: string): void {
    this.bulk(encoder.encode(value));
  }

  /** `$-1\r\n`: the null bulk string (a missing key). */
  nullBulk(): void {
    this.#latin1("$-1\r\n");
  }

  /** `*n\r\n`: the header of an array; the caller appends its `n` elements next. */
  arrayHeader(n: number): void {
    this.#byte(42);
    this.#latin1(String(n));
    this.#crlf();
  }

  /** `*-1\r\n`: the null array. */
  nullArray(): void {
    this.#latin1("*-1\r\n");
  }

  /**
   * Append any {@link Frame}.
   *
   * @example
   * ```ts
   * out.frame({ type: "array", items: [{ type: "bulk", value: bytes }, { type: "integer", value: 1 }] });
   * ```
   */
  frame(frame: Frame): void {
    switch (frame.type) {
      case "simple":
        return this.simple(frame.value);
      case "error":
        return this.error(frame.value);
      case "integer":
        return this.integer(frame.value);
      case "bulk":
        return this.bulk(frame.value);
      case "null":
        return this.nullBulk();
      case "nullArray":
        return this.nullArray();
      case "array":
        this.arrayHeader(frame.items.length);
        for (const item of frame.items) this.frame(item);
    }
  }

  #reserve(n: number): void {
    const need = this.#len + n;
    if (need <= this.#buf.length) return;
    const grown = new Uint8Array(Math.max(need, this.#buf.length * 2));
    grown.set(this.#buf.subarray(0, this.#len));
    this.#buf = grown;
  }

  #byte(b: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = b;
  }

  #crlf(): void {
    this.#reserve(2);
    this.#buf[this.#len++] = CRLF_0;
    this.#buf[this.#len++] = CRLF_1;
  }

  /** Append a byte string, one byte per char: digits, fixed replies, errors. */
  #latin1(s: string): void {
    const n = s.length;
    this.#reserve(n);
    const buf = this.#buf;
    let len = this.#len;
    for (let i = 0; i < n; i++) buf[len++] = s.charCodeAt(i);
    this.#len = len;
  }

  /** Append `s` as UTF-8; ASCII (every fixed reply) is copied without the encoder. */
  #text(s: string): void {
    const n = s.length;
    this.#reserve(n * 3);
    const buf = this.#buf;
    const start = this.#len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.#len = start + encoder.encodeInto(s, buf.subarray(start)).written;
        return;
      }
      buf[start + i] = c;
    }
    this.#len = start + n;
  }
}
