/**
 * The values of RESP2, Redis's wire protocol (https://redis.io/docs/reference/protocol-spec/).
 *
 * A frame starts with a type byte and ends with CRLF:
 * - `+OK\r\n` a simple string, `-ERR message\r\n` an error, `:42\r\n` an integer;
 * - `$3\r\nfoo\r\n` a bulk string (binary safe: its length comes first), `$-1\r\n` the null bulk;
 * - `*2\r\n…\r\n…` an array of two frames, `*-1\r\n` the null array.
 *
 * A client sends each command as an array of bulk strings; the server answers with any frame.
 * Bulk payloads are bytes (`Uint8Array`), not strings: keys and values may be any bytes.
 */

/**
 * One RESP2 value, discriminated on `type`.
 *
 * @example
 * ```ts
 * const reply: Frame = { type: "array", items: [{ type: "bulk", value: bytes("message") }] };
 * ```
 */
export type Frame =
  | { readonly type: "simple"; readonly value: string }
  | { readonly type: "error"; readonly value: string }
  | { readonly type: "integer"; readonly value: number }
  | { readonly type: "bulk"; readonly value: Uint8Array }
  | { readonly type: "null" }
  | { readonly type: "array"; readonly items: readonly Frame[] }
  | { readonly type: "nullArray" };

/**
 * The bytes of a string, one byte per UTF-16 unit (latin1), the way this server keeps keys and
 * channel names as Map keys: a byte string maps to a JavaScript string and back without loss.
 *
 * @example
 * ```ts
 * latin1ToBytes("key:1"); // Uint8Array [107, 101, 121, 58, 49]
 * ```
 */
export function latin1ToBytes(s: string): Uint8Array {
  return Buffer.from(s, "latin1");
}

/**
 * The string of some bytes, one UTF-16 unit per byte (the inverse of {@link latin1ToBytes}).
 *
 * @example
 * ```ts
 * bytesToLatin1(new Uint8Array([104, 105])); // "hi"
 * ```
 */
export function bytesToLatin1(bytes: Uint8Array): string {
  const n = bytes.length;
  // Command names and most keys are short: one fromCharCode over the array is the fastest way
  // to a flat string (a += loop builds a rope that the Map lookup must flatten; a Buffer view
  // costs an object). Past a few KiB, Buffer's native decoder (and apply's argument limit).
  if (n <= 4096) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString("latin1");
}

/**
 * A bulk frame of a UTF-8 string (test and client helper).
 *
 * @example
 * ```ts
 * const cmd: Frame = { type: "array", items: [bulk("GET"), bulk("k")] };
 * ```
 */
export function bulk(s: string): Frame {
  return { type: "bulk", value: new TextEncoder().encode(s) };
}
