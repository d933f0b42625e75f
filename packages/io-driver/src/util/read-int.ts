/**
 * The typed reads (Tokio's `AsyncReadExt::read_u8` … `read_f64_le`): read exactly the bytes of
 * one number and decode them — big-endian unless the name ends in `Le`, as Tokio; the 64-bit
 * integers as `bigint`.
 *
 * HOW. Every kind is the one leaf future {@link ReadInt}, given the kind's codec (its size and
 * its DataView decode, in `internal/int-codec.ts`). It is `readExact` into the future's own
 * fields instead of a caller's buffer:
 * - `filled` (0..size): how many bytes have arrived; only `poll` raises it.
 * - `hi`, `lo`: the bytes that arrived, in wire order (bytes 0..3 and 4..7 of the value); byte
 *   `i` is written once, by the poll that reads it, and never changed after.
 * Each poll asks the coop budget before each call to the reader (`pollProceed`) and spends a
 * unit for each call that returned bytes or EOF (`madeProgress`), as `readExact` does. The
 * reader is handed a view of the shared scratch array of exactly the missing length, so it
 * cannot read past the value; the bytes go into `hi`/`lo` before the call returns. Once
 * `filled === size` the two words go through the codec's DataView. EOF before that is
 * `readExact`'s unexpected-EOF error. So a call allocates one object, the future.
 *
 * A one-byte read is cancel safe (its byte is taken by the poll that resolves); a wider one
 * keeps the bytes that arrived in the future, which is why dropping it loses them.
 *
 * An `"INTERRUPTED"` error from the reader is retried, as Tokio's typed reads do (its tests
 * `io_read_int.rs`); every other error ends the read. Each try spends budget, so inside a
 * runtime a reader that keeps failing so still lets its task yield; outside one (unbounded
 * budget) such a reader would be retried for ever, as in Tokio.
 */
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncRead } from "../protocol.js";
import { errorKind, unexpectedEof } from "./errors.js";
import { checkReader, checkReadCount } from "./internal/check.js";
import {
  borrowScratch,
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
  withByte,
  type IntCodec,
} from "./internal/int-codec.js";

/**
 * The future of the typed reads ({@link readU8} … {@link readF64Le}): resolves with the
 * decoded number (a `bigint` for the 64-bit integers) once all its bytes have been read.
 *
 * @example
 * ```ts
 * const fut: ReadInt<number> = readU32(stream);
 * const len = yield* fut;
 * const id: bigint = yield* readU64(stream);
 * ```
 */
export class ReadInt<T extends number | bigint> extends Future<T> {
  readonly #reader: AsyncRead;
  readonly #codec: IntCodec<T>;
  #filled = 0;
  #hi = 0;
  #lo = 0;

  /** @hidden Use {@link readU8} … {@link readF64Le}. */
  constructor(reader: AsyncRead, codec: IntCodec<T>) {
    super();
    this.#reader = reader;
    this.#codec = codec;
  }

  override poll(cx: Context): Poll<T> {
    const size = this.#codec.size;
    while (this.#filled < size) {
      if (!pollProceed(cx)) return Pending;
      const buf = borrowScratch(size - this.#filled);
      let n: Poll<number>;
      try {
        n = this.#reader.pollRead(cx, buf);
        if (n !== Pending) this.#keep(buf, checkReadCount(n, buf.length));
      } catch (error) {
        madeProgress(cx);
        // Tokio retries an interrupted read here (`ErrorKind::Interrupted`); each try spends
        // budget, so a reader that keeps failing so still yields.
        if (errorKind(error) === "INTERRUPTED") continue;
        throw error;
      } finally {
        returnScratch(buf);
      }
      if (n === Pending) return Pending;
      madeProgress(cx);
      if (n === 0) throw unexpectedEof();
    }
    CODEC_VIEW.setInt32(0, this.#hi);
    CODEC_VIEW.setInt32(4, this.#lo);
    return this.#codec.decode(CODEC_VIEW);
  }

  /** Move the first `n` bytes of `buf` into `hi`/`lo` (no more than the value still needs). */
  #keep(buf: Uint8Array, n: number): void {
    const start = this.#filled;
    const end = Math.min(start + n, this.#codec.size);
    for (let i = start; i < end; i++) {
      if (i < 4) this.#hi = withByte(this.#hi, i, buf[i - start]!);
      else this.#lo = withByte(this.#lo, i, buf[i - start]!);
    }
    this.#filled = end;
  }
}

/**
 * Read an unsigned 8-bit integer (Tokio's `read_u8`). Reads exactly one byte.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x02]));
 * yield* readU8(reader); // 2
 * ```
 *
 * **Cancel safety**: cancel safe. The byte is taken only by the poll that resolves: a `readU8`
 * dropped while pending (a `select` loser, a timeout) read nothing.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its byte, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readU8(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, U8);
}

/**
 * Read a signed 8-bit integer (Tokio's `read_i8`). Reads exactly one byte.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0xfb]));
 * yield* readI8(reader); // -5
 * ```
 *
 * **Cancel safety**: cancel safe. The byte is taken only by the poll that resolves: a `readI8`
 * dropped while pending (a `select` loser, a timeout) read nothing.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its byte, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readI8(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, I8);
}

/**
 * Read an unsigned 16-bit integer in big-endian order (Tokio's `read_u16`). Reads exactly 2 bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x02, 0x05]));
 * yield* readU16(reader); // 517
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 2 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readU16(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, U16);
}

/**
 * Read an unsigned 16-bit integer in little-endian order (Tokio's `read_u16_le`). Reads exactly 2
 * bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x05, 0x02]));
 * yield* readU16Le(reader); // 517
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 2 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readU16Le(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, U16_LE);
}

/**
 * Read a signed 16-bit integer in big-endian order (Tokio's `read_i16`). Reads exactly 2 bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0xff, 0x7c]));
 * yield* readI16(reader); // -132
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 2 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readI16(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, I16);
}

/**
 * Read a signed 16-bit integer in little-endian order (Tokio's `read_i16_le`). Reads exactly 2
 * bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x7c, 0xff]));
 * yield* readI16Le(reader); // -132
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 2 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readI16Le(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, I16_LE);
}

/**
 * Read an unsigned 32-bit integer in big-endian order (Tokio's `read_u32`). Reads exactly 4 bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x00, 0x00, 0x01, 0x0b]));
 * yield* readU32(reader); // 267
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 4 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readU32(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, U32);
}

/**
 * Read an unsigned 32-bit integer in little-endian order (Tokio's `read_u32_le`). Reads exactly 4
 * bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x0b, 0x01, 0x00, 0x00]));
 * yield* readU32Le(reader); // 267
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 4 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readU32Le(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, U32_LE);
}

/**
 * Read a signed 32-bit integer in big-endian order (Tokio's `read_i32`). Reads exactly 4 bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0xff, 0xff, 0x7a, 0x33]));
 * yield* readI32(reader); // -34253
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 4 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readI32(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, I32);
}

/**
 * Read a signed 32-bit integer in little-endian order (Tokio's `read_i32_le`). Reads exactly 4
 * bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x33, 0x7a, 0xff, 0xff]));
 * yield* readI32Le(reader); // -34253
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 4 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readI32Le(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, I32_LE);
}

/**
 * Read an unsigned 64-bit integer in big-endian order (Tokio's `read_u64`): a `bigint`. Reads
 * exactly 8 bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x00, 0x03, 0x43, 0x95, 0x4d, 0x60, 0x86, 0x83]));
 * yield* readU64(reader); // 918733457491587n
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 8 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readU64(reader: AsyncRead): ReadInt<bigint> {
  checkReader("reader", reader);
  return new ReadInt(reader, U64);
}

/**
 * Read an unsigned 64-bit integer in little-endian order (Tokio's `read_u64_le`): a `bigint`. Reads
 * exactly 8 bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x83, 0x86, 0x60, 0x4d, 0x95, 0x43, 0x03, 0x00]));
 * yield* readU64Le(reader); // 918733457491587n
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 8 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readU64Le(reader: AsyncRead): ReadInt<bigint> {
  checkReader("reader", reader);
  return new ReadInt(reader, U64_LE);
}

/**
 * Read a signed 64-bit integer in big-endian order (Tokio's `read_i64`): a `bigint`. Reads exactly
 * 8 bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]));
 * yield* readI64(reader); // -9223372036854775808n
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 8 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readI64(reader: AsyncRead): ReadInt<bigint> {
  checkReader("reader", reader);
  return new ReadInt(reader, I64);
}

/**
 * Read a signed 64-bit integer in little-endian order (Tokio's `read_i64_le`): a `bigint`. Reads
 * exactly 8 bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80]));
 * yield* readI64Le(reader); // -9223372036854775808n
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 8 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readI64Le(reader: AsyncRead): ReadInt<bigint> {
  checkReader("reader", reader);
  return new ReadInt(reader, I64_LE);
}

/**
 * Read a 32-bit float in big-endian order (Tokio's `read_f32`). Reads exactly 4 bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x40, 0x49, 0x0f, 0xdb]));
 * yield* readF32(reader); // 3.1415927410125732 (Math.fround(Math.PI))
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 4 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readF32(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, F32);
}

/**
 * Read a 32-bit float in little-endian order (Tokio's `read_f32_le`). Reads exactly 4 bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0xdb, 0x0f, 0x49, 0x40]));
 * yield* readF32Le(reader); // 3.1415927410125732 (Math.fround(Math.PI))
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 4 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readF32Le(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, F32_LE);
}

/**
 * Read a 64-bit float in big-endian order (Tokio's `read_f64`). Reads exactly 8 bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18]));
 * yield* readF64(reader); // 3.141592653589793 (Math.PI)
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 8 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readF64(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, F64);
}

/**
 * Read a 64-bit float in little-endian order (Tokio's `read_f64_le`). Reads exactly 8 bytes.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0x18, 0x2d, 0x44, 0x54, 0xfb, 0x21, 0x09, 0x40]));
 * yield* readF64Le(reader); // 3.141592653589793 (Math.PI)
 * ```
 *
 * **Cancel safety**: not cancel safe. If it is dropped after some of its bytes arrived, those bytes
 * are lost: the next read starts after them.
 *
 * **Throws**: {@link IoError} `"UNEXPECTED_EOF"` if the stream ends before its 8 bytes, as
 * {@link readExact}; the reader's errors (`"INTERRUPTED"` is retried); TypeError if `reader` is not an AsyncRead.
 */
export function readF64Le(reader: AsyncRead): ReadInt<number> {
  checkReader("reader", reader);
  return new ReadInt(reader, F64_LE);
}
