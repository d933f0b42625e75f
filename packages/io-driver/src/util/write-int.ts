/**
 * The typed writes (Tokio's `AsyncWriteExt::write_u8` … `write_f64_le`): encode one number and
 * write all its bytes — big-endian unless the name ends in `Le`, as Tokio; the 64-bit integers
 * from a `bigint`.
 *
 * HOW. The value is checked and encoded at the call, through the kind's codec (its size and
 * its DataView encode, in `internal/int-codec.ts`): a bad value is a TypeError/RangeError
 * there, never a wrong byte on the wire (DataView itself would wrap 256 to 0 and -1 to 255).
 * Every kind is then the one leaf future {@link WriteInt}, which is `writeAll` from the
 * future's own fields instead of a caller's buffer:
 * - `hi`, `lo` (set once, by the constructor): the value's bytes in wire order (bytes 0..3 and
 *   4..7);
 * - `written` (0..size): how many the writer has taken; only `poll` raises it.
 * Each poll asks the coop budget before each call to the writer (`pollProceed`) and spends a
 * unit for each call that took bytes (`madeProgress`), as `writeAll` does. The writer is handed
 * the bytes not yet written, copied into a view of the shared scratch array (the protocol lets
 * it keep nothing after the call). So a call allocates one object, the future.
 *
 * A one-byte write is cancel safe (its byte goes to the writer in the poll that resolves); a
 * wider one may be dropped after a prefix of the value was written, which is why it is not.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncWrite } from "../protocol.js";
import { writeZero } from "./errors.js";
import { checkWriter } from "./internal/check.js";
import {
  borrowScratch,
  byteAt,
  CODEC_VIEW,
  F32,
  F32_LE,
  F64,
  F64_LE,
  I16,
  I16_LE,
  I32,
  I32_LE,
  I64,
  I64_LE,
  I8,
  returnScratch,
  U16,
  U16_LE,
  U32,
  U32_LE,
  U64,
  U64_LE,
  U8,
  type IntCodec,
} from "./internal/int-codec.js";

/**
 * The future of the typed writes ({@link writeU8} … {@link writeF64Le}): resolves once every
 * byte of the number was written. `T` is the type of the value written (`bigint` for the 64-bit
 * integers).
 *
 * @example
 * ```ts
 * const fut: WriteInt<number> = writeU32(stream, body.length);
 * yield* fut;
 * yield* writeAll(stream, body);
 * ```
 */
export class WriteInt<T extends number | bigint> extends Future<void> {
  readonly #writer: AsyncWrite;
  readonly #size: number;
  readonly #hi: number;
  readonly #lo: number;
  #written = 0;

  /** @hidden Use {@link writeU8} … {@link writeF64Le}, which check `n` first. */
  constructor(writer: AsyncWrite, codec: IntCodec<T>, n: T) {
    super();
    this.#writer = writer;
    this.#size = codec.size;
    codec.encode(CODEC_VIEW, n);
    this.#hi = CODEC_VIEW.getInt32(0);
    this.#lo = CODEC_VIEW.getInt32(4);
  }

  override poll(cx: Context): Poll<void> {
    const size = this.#size;
    while (this.#written < size) {
      if (!pollProceed(cx)) return Pending;
      const start = this.#written;
      const data = borrowScratch(size - start);
      for (let i = 0; i < data.length; i++) data[i] = byteAt(this.#hi, this.#lo, start + i);
      let n: Poll<number>;
      try {
        n = this.#writer.pollWrite(cx, data);
      } catch (error) {
        madeProgress(cx);
        throw error;
      } finally {
        returnScratch(data);
      }
      if (n === Pending) return Pending;
      madeProgress(cx);
      if (n === 0) throw writeZero();
      this.#written = Math.min(start + n, size);
    }
    return undefined;
  }
}

/** `n` is an integer in the kind's range (TypeError for a non-number, RangeError otherwise). */
function checkInt(codec: IntCodec<number>, n: unknown): asserts n is number {
  if (typeof n !== "number") {
    throw new TypeError(`n must be a number (${codec.type}: an integer in ${codec.min}..${codec.max}), got ${typeof n}`);
  }
  if (!Number.isInteger(n) || n < codec.min! || n > codec.max!) {
    throw new RangeError(`n must be an integer in ${codec.min}..${codec.max} (${codec.type}), got ${String(n)}`);
  }
}

/**
 * `n` is a bigint in the kind's range. The 64-bit kinds take no numbers: a number past 2^53 has
 * already lost its low bits, and writing it would send a value the caller did not mean.
 */
function checkBigInt(codec: IntCodec<bigint>, n: unknown): asserts n is bigint {
  if (typeof n !== "bigint") {
    throw new TypeError(`n must be a bigint (${codec.type}: 64-bit values are bigints, e.g. 5n or BigInt(x)), got ${typeof n}`);
  }
  if (n < codec.min! || n > codec.max!) {
    throw new RangeError(`n must be in ${codec.min}n..${codec.max}n (${codec.type}), got ${n}n`);
  }
}

/** `n` is a number; every number is a float value (NaN and the infinities included). */
function checkFloat(codec: IntCodec<number>, n: unknown): asserts n is number {
  if (typeof n !== "number") throw new TypeError(`n must be a number (${codec.type}), got ${typeof n}`);
}

/**
 * Write an unsigned 8-bit integer (Tokio's `write_u8`).
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeU8(out, 2);
 * out.bytes(); // Uint8Array [0x02]
 * ```
 *
 * **Cancel safety**: cancel safe. The byte is handed to the writer only by the poll that resolves:
 * a `writeU8` dropped while pending wrote nothing.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; RangeError if `n`
 * is not an integer in 0..255; when polled, {@link IoError} `"WRITE_ZERO"` if the writer takes 0
 * bytes, and the writer's errors.
 */
export function writeU8(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkInt(U8, n);
  return new WriteInt(writer, U8, n);
}

/**
 * Write a signed 8-bit integer (Tokio's `write_i8`).
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeI8(out, -5);
 * out.bytes(); // Uint8Array [0xfb]
 * ```
 *
 * **Cancel safety**: cancel safe. The byte is handed to the writer only by the poll that resolves:
 * a `writeI8` dropped while pending wrote nothing.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; RangeError if `n`
 * is not an integer in -128..127; when polled, {@link IoError} `"WRITE_ZERO"` if the writer takes 0
 * bytes, and the writer's errors.
 */
export function writeI8(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkInt(I8, n);
  return new WriteInt(writer, I8, n);
}

/**
 * Write an unsigned 16-bit integer in big-endian order (Tokio's `write_u16`): all 2 bytes, as
 * {@link writeAll}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeU16(out, 517);
 * out.bytes(); // Uint8Array [0x02, 0x05]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; RangeError if `n`
 * is not an integer in 0..65535; when polled, {@link IoError} `"WRITE_ZERO"` if the writer takes 0
 * bytes, and the writer's errors.
 */
export function writeU16(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkInt(U16, n);
  return new WriteInt(writer, U16, n);
}

/**
 * Write an unsigned 16-bit integer in little-endian order (Tokio's `write_u16_le`): all 2 bytes, as
 * {@link writeAll}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeU16Le(out, 517);
 * out.bytes(); // Uint8Array [0x05, 0x02]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; RangeError if `n`
 * is not an integer in 0..65535; when polled, {@link IoError} `"WRITE_ZERO"` if the writer takes 0
 * bytes, and the writer's errors.
 */
export function writeU16Le(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkInt(U16_LE, n);
  return new WriteInt(writer, U16_LE, n);
}

/**
 * Write a signed 16-bit integer in big-endian order (Tokio's `write_i16`): all 2 bytes, as
 * {@link writeAll}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeI16(out, -132);
 * out.bytes(); // Uint8Array [0xff, 0x7c]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; RangeError if `n`
 * is not an integer in -32768..32767; when polled, {@link IoError} `"WRITE_ZERO"` if the writer
 * takes 0 bytes, and the writer's errors.
 */
export function writeI16(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkInt(I16, n);
  return new WriteInt(writer, I16, n);
}

/**
 * Write a signed 16-bit integer in little-endian order (Tokio's `write_i16_le`): all 2 bytes, as
 * {@link writeAll}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeI16Le(out, -132);
 * out.bytes(); // Uint8Array [0x7c, 0xff]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; RangeError if `n`
 * is not an integer in -32768..32767; when polled, {@link IoError} `"WRITE_ZERO"` if the writer
 * takes 0 bytes, and the writer's errors.
 */
export function writeI16Le(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkInt(I16_LE, n);
  return new WriteInt(writer, I16_LE, n);
}

/**
 * Write an unsigned 32-bit integer in big-endian order (Tokio's `write_u32`): all 4 bytes, as
 * {@link writeAll}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeU32(out, 267);
 * out.bytes(); // Uint8Array [0x00, 0x00, 0x01, 0x0b]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; RangeError if `n`
 * is not an integer in 0..2^32-1; when polled, {@link IoError} `"WRITE_ZERO"` if the writer takes 0
 * bytes, and the writer's errors.
 */
export function writeU32(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkInt(U32, n);
  return new WriteInt(writer, U32, n);
}

/**
 * Write an unsigned 32-bit integer in little-endian order (Tokio's `write_u32_le`): all 4 bytes, as
 * {@link writeAll}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeU32Le(out, 267);
 * out.bytes(); // Uint8Array [0x0b, 0x01, 0x00, 0x00]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; RangeError if `n`
 * is not an integer in 0..2^32-1; when polled, {@link IoError} `"WRITE_ZERO"` if the writer takes 0
 * bytes, and the writer's errors.
 */
export function writeU32Le(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkInt(U32_LE, n);
  return new WriteInt(writer, U32_LE, n);
}

/**
 * Write a signed 32-bit integer in big-endian order (Tokio's `write_i32`): all 4 bytes, as
 * {@link writeAll}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeI32(out, -34253);
 * out.bytes(); // Uint8Array [0xff, 0xff, 0x7a, 0x33]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; RangeError if `n`
 * is not an integer in -2^31..2^31-1; when polled, {@link IoError} `"WRITE_ZERO"` if the writer
 * takes 0 bytes, and the writer's errors.
 */
export function writeI32(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkInt(I32, n);
  return new WriteInt(writer, I32, n);
}

/**
 * Write a signed 32-bit integer in little-endian order (Tokio's `write_i32_le`): all 4 bytes, as
 * {@link writeAll}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeI32Le(out, -34253);
 * out.bytes(); // Uint8Array [0x33, 0x7a, 0xff, 0xff]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; RangeError if `n`
 * is not an integer in -2^31..2^31-1; when polled, {@link IoError} `"WRITE_ZERO"` if the writer
 * takes 0 bytes, and the writer's errors.
 */
export function writeI32Le(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkInt(I32_LE, n);
  return new WriteInt(writer, I32_LE, n);
}

/**
 * Write an unsigned 64-bit integer in big-endian order (Tokio's `write_u64`): all 8 bytes, as
 * {@link writeAll}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeU64(out, 918733457491587n);
 * out.bytes(); // Uint8Array [0x00, 0x03, 0x43, 0x95, 0x4d, 0x60, 0x86, 0x83]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a bigint; RangeError if `n`
 * is outside 0n..2n ** 64n - 1n; when polled, {@link IoError} `"WRITE_ZERO"` if the writer takes 0
 * bytes, and the writer's errors.
 */
export function writeU64(writer: AsyncWrite, n: bigint): WriteInt<bigint> {
  checkWriter("writer", writer);
  checkBigInt(U64, n);
  return new WriteInt(writer, U64, n);
}

/**
 * Write an unsigned 64-bit integer in little-endian order (Tokio's `write_u64_le`): all 8 bytes, as
 * {@link writeAll}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeU64Le(out, 918733457491587n);
 * out.bytes(); // Uint8Array [0x83, 0x86, 0x60, 0x4d, 0x95, 0x43, 0x03, 0x00]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a bigint; RangeError if `n`
 * is outside 0n..2n ** 64n - 1n; when polled, {@link IoError} `"WRITE_ZERO"` if the writer takes 0
 * bytes, and the writer's errors.
 */
export function writeU64Le(writer: AsyncWrite, n: bigint): WriteInt<bigint> {
  checkWriter("writer", writer);
  checkBigInt(U64_LE, n);
  return new WriteInt(writer, U64_LE, n);
}

/**
 * Write a signed 64-bit integer in big-endian order (Tokio's `write_i64`): all 8 bytes, as
 * {@link writeAll}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeI64(out, -(2n ** 63n));
 * out.bytes(); // Uint8Array [0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a bigint; RangeError if `n`
 * is outside -(2n ** 63n)..2n ** 63n - 1n; when polled, {@link IoError} `"WRITE_ZERO"` if the
 * writer takes 0 bytes, and the writer's errors.
 */
export function writeI64(writer: AsyncWrite, n: bigint): WriteInt<bigint> {
  checkWriter("writer", writer);
  checkBigInt(I64, n);
  return new WriteInt(writer, I64, n);
}

/**
 * Write a signed 64-bit integer in little-endian order (Tokio's `write_i64_le`): all 8 bytes, as
 * {@link writeAll}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeI64Le(out, -(2n ** 63n));
 * out.bytes(); // Uint8Array [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a bigint; RangeError if `n`
 * is outside -(2n ** 63n)..2n ** 63n - 1n; when polled, {@link IoError} `"WRITE_ZERO"` if the
 * writer takes 0 bytes, and the writer's errors.
 */
export function writeI64Le(writer: AsyncWrite, n: bigint): WriteInt<bigint> {
  checkWriter("writer", writer);
  checkBigInt(I64_LE, n);
  return new WriteInt(writer, I64_LE, n);
}

/**
 * Write a 32-bit float in big-endian order (Tokio's `write_f32`): all 4 bytes, as {@link writeAll}.
 *
 * `n` is rounded to the nearest 32-bit float (as `Math.fround`): a finite number beyond its range
 * is written as an infinity. NaN and the infinities are written as such.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeF32(out, Math.PI);
 * out.bytes(); // Uint8Array [0x40, 0x49, 0x0f, 0xdb]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; when polled,
 * {@link IoError} `"WRITE_ZERO"` if the writer takes 0 bytes, and the writer's errors.
 */
export function writeF32(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkFloat(F32, n);
  return new WriteInt(writer, F32, n);
}

/**
 * Write a 32-bit float in little-endian order (Tokio's `write_f32_le`): all 4 bytes, as
 * {@link writeAll}.
 *
 * `n` is rounded to the nearest 32-bit float (as `Math.fround`): a finite number beyond its range
 * is written as an infinity. NaN and the infinities are written as such.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeF32Le(out, Math.PI);
 * out.bytes(); // Uint8Array [0xdb, 0x0f, 0x49, 0x40]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; when polled,
 * {@link IoError} `"WRITE_ZERO"` if the writer takes 0 bytes, and the writer's errors.
 */
export function writeF32Le(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkFloat(F32_LE, n);
  return new WriteInt(writer, F32_LE, n);
}

/**
 * Write a 64-bit float in big-endian order (Tokio's `write_f64`): all 8 bytes, as {@link writeAll}.
 *
 * NaN and the infinities are written as such.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeF64(out, Math.PI);
 * out.bytes(); // Uint8Array [0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; when polled,
 * {@link IoError} `"WRITE_ZERO"` if the writer takes 0 bytes, and the writer's errors.
 */
export function writeF64(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkFloat(F64, n);
  return new WriteInt(writer, F64, n);
}

/**
 * Write a 64-bit float in little-endian order (Tokio's `write_f64_le`): all 8 bytes, as
 * {@link writeAll}.
 *
 * NaN and the infinities are written as such.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeF64Le(out, Math.PI);
 * out.bytes(); // Uint8Array [0x18, 0x2d, 0x44, 0x54, 0xfb, 0x21, 0x09, 0x40]
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after the writer took some of its bytes,
 * those bytes are sent and the rest are not: the stream is left in the middle of the value.
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite or `n` is not a number; when polled,
 * {@link IoError} `"WRITE_ZERO"` if the writer takes 0 bytes, and the writer's errors.
 */
export function writeF64Le(writer: AsyncWrite, n: number): WriteInt<number> {
  checkWriter("writer", writer);
  checkFloat(F64_LE, n);
  return new WriteInt(writer, F64_LE, n);
}
