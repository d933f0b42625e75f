/**
 * `repeat(byte)` (Tokio's `io::repeat`): a reader that never ends, filling every buffer with
 * one byte value.
 */
import type { Context, Poll } from "@tokio-ts/core";
import type { AsyncRead } from "../protocol.js";

/**
 * An endless reader of one byte value. Each read fills the whole buffer.
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(4);
 * yield* read(repeat(0x61), buf); // 4; buf is "aaaa"
 * ```
 */
export class Repeat implements AsyncRead {
  /** @hidden Use {@link repeat}. */
  constructor(readonly byte: number) {}

  pollRead(_cx: Context, buf: Uint8Array): Poll<number> {
    buf.fill(this.byte);
    return buf.length;
  }
}

/**
 * A reader that yields `byte` forever.
 *
 * @example
 * ```ts
 * const zeros = new Uint8Array(1024);
 * yield* readExact(repeat(0), zeros);
 * ```
 *
 * **Throws**: TypeError if `byte` is not a number; RangeError if it is not an integer in 0..255.
 */
export function repeat(byte: number): Repeat {
  if (typeof byte !== "number") throw new TypeError(`byte must be a number, got ${typeof byte}`);
  if (!Number.isInteger(byte) || byte < 0 || byte > 255) throw new RangeError(`byte must be an integer from 0 to 255, got ${byte}`);
  return new Repeat(byte);
}
