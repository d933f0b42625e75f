/**
 * The machinery of the typed reads and writes (`readU32`, `writeF64Le`, … in `read-int.ts` and
 * `write-int.ts`): one codec per number kind, the packing of a value's bytes into the fields of
 * its future, and a shared scratch array to hand to the stream.
 *
 * WHY. A typed read or write must allocate one object per call (its future), as Tokio's
 * `ReadU32` is one struct. A per-future `Uint8Array` (plus its ArrayBuffer, plus a DataView)
 * would be three more. So:
 * - A value's bytes live in its future as two int32 fields, `hi` (bytes 0..3) and `lo` (bytes
 *   4..7), each big-endian within its word ({@link byteAt}, {@link withByte}). Bytes are in wire
 *   order; the codec's DataView call decides what that order means.
 * - Encoding and decoding go through one module-level DataView ({@link CODEC_VIEW}): the
 *   future writes its two words into it and calls the codec's `decode`, or the codec's
 *   `encode` fills it and the future keeps the two words. Both are synchronous and call no user
 *   code, so no other future can touch the view in between.
 * - The stream is handed a view of a module-level 8-byte array ({@link borrowScratch}): a
 *   reader fills it, a writer copies out of it, and the future moves the bytes to or from its
 *   fields before the call returns. The protocol allows this: a writer may not keep `data`
 *   after `pollWrite` returns, and a reader writes into `buf` only during `pollRead`.
 *
 * The scratch array is lent to one call at a time. The stream's poll is user code and may
 * itself poll another typed read or write (a decoding reader over another stream); that nested
 * future finds the scratch lent and gets a fresh array of its own, so it cannot overwrite bytes
 * the outer stream already put in (or has yet to copy out of) the shared one. Rules: borrow
 * right before the stream call, return in a `finally` right after it, move the bytes in
 * between.
 */

/**
 * A number kind of the typed reads and writes (an integer or a float: Tokio's `read_int.rs`
 * covers both): its size in bytes, how to decode it from and encode it into a DataView at
 * offset 0, and for the integer kinds the range `write*` accepts.
 */
export interface IntCodec<T extends number | bigint> {
  /** Tokio's name of the type (`"u16"`, `"f64"`), for messages. */
  readonly type: string;
  readonly size: 1 | 2 | 4 | 8;
  decode(view: DataView): T;
  encode(view: DataView, value: T): void;
  /** The least value an integer kind accepts (undefined for floats). */
  readonly min?: T;
  /** The greatest value an integer kind accepts (undefined for floats). */
  readonly max?: T;
}

/** The DataView every codec decodes from and encodes into (see the header: never lent out). */
export const CODEC_VIEW = new DataView(new ArrayBuffer(8));

const U64_MAX = 2n ** 64n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

export const U8: IntCodec<number> = {
  type: "u8", size: 1, min: 0, max: 0xff,
  decode: (v) => v.getUint8(0),
  encode: (v, n) => v.setUint8(0, n),
};
export const I8: IntCodec<number> = {
  type: "i8", size: 1, min: -0x80, max: 0x7f,
  decode: (v) => v.getInt8(0),
  encode: (v, n) => v.setInt8(0, n),
};
export const U16: IntCodec<number> = {
  type: "u16", size: 2, min: 0, max: 0xffff,
  decode: (v) => v.getUint16(0),
  encode: (v, n) => v.setUint16(0, n),
};
export const U16_LE: IntCodec<number> = {
  type: "u16", size: 2, min: 0, max: 0xffff,
  decode: (v) => v.getUint16(0, true),
  encode: (v, n) => v.setUint16(0, n, true),
};
export const I16: IntCodec<number> = {
  type: "i16", size: 2, min: -0x8000, max: 0x7fff,
  decode: (v) => v.getInt16(0),
  encode: (v, n) => v.setInt16(0, n),
};
export const I16_LE: IntCodec<number> = {
  type: "i16", size: 2, min: -0x8000, max: 0x7fff,
  decode: (v) => v.getInt16(0, true),
  encode: (v, n) => v.setInt16(0, n, true),
};
export const U32: IntCodec<number> = {
  type: "u32", size: 4, min: 0, max: 0xffff_ffff,
  decode: (v) => v.getUint32(0),
  encode: (v, n) => v.setUint32(0, n),
};
export const U32_LE: IntCodec<number> = {
  type: "u32", size: 4, min: 0, max: 0xffff_ffff,
  decode: (v) => v.getUint32(0, true),
  encode: (v, n) => v.setUint32(0, n, true),
};
export const I32: IntCodec<number> = {
  type: "i32", size: 4, min: -0x8000_0000, max: 0x7fff_ffff,
  decode: (v) => v.getInt32(0),
  encode: (v, n) => v.setInt32(0, n),
};
export const I32_LE: IntCodec<number> = {
  type: "i32", size: 4, min: -0x8000_0000, max: 0x7fff_ffff,
  decode: (v) => v.getInt32(0, true),
  encode: (v, n) => v.setInt32(0, n, true),
};
export const U64: IntCodec<bigint> = {
  type: "u64", size: 8, min: 0n, max: U64_MAX,
  decode: (v) => v.getBigUint64(0),
  encode: (v, n) => v.setBigUint64(0, n),
};
export const U64_LE: IntCodec<bigint> = {
  type: "u64", size: 8, min: 0n, max: U64_MAX,
  decode: (v) => v.getBigUint64(0, true),
  encode: (v, n) => v.setBigUint64(0, n, true),
};
export const I64: IntCodec<bigint> = {
  type: "i64", size: 8, min: I64_MIN, max: I64_MAX,
  decode: (v) => v.getBigInt64(0),
  encode: (v, n) => v.setBigInt64(0, n),
};
export const I64_LE: IntCodec<bigint> = {
  type: "i64", size: 8, min: I64_MIN, max: I64_MAX,
  decode: (v) => v.getBigInt64(0, true),
  encode: (v, n) => v.setBigInt64(0, n, true),
};
export const F32: IntCodec<number> = {
  type: "f32", size: 4,
  decode: (v) => v.getFloat32(0),
  encode: (v, n) => v.setFloat32(0, n),
};
export const F32_LE: IntCodec<number> = {
  type: "f32", size: 4,
  decode: (v) => v.getFloat32(0, true),
  encode: (v, n) => v.setFloat32(0, n, true),
};
export const F64: IntCodec<number> = {
  type: "f64", size: 8,
  decode: (v) => v.getFloat64(0),
  encode: (v, n) => v.setFloat64(0, n),
};
export const F64_LE: IntCodec<number> = {
  type: "f64", size: 8,
  decode: (v) => v.getFloat64(0, true),
  encode: (v, n) => v.setFloat64(0, n, true),
};

/** Byte `i` (0..7, wire order) of the value packed as `hi` (bytes 0..3) and `lo` (bytes 4..7). */
export function byteAt(hi: number, lo: number, i: number): number {
  return ((i < 4 ? hi : lo) >>> (24 - 8 * (i & 3))) & 0xff;
}

/** `word` with its byte `i & 3` (big-endian within the word) set to `byte`, which was 0. */
export function withByte(word: number, i: number, byte: number): number {
  return word | (byte << (24 - 8 * (i & 3)));
}

const SCRATCH = new ArrayBuffer(8);
/** `VIEWS[k]` is the first `k` bytes of SCRATCH: borrowing allocates nothing. */
const VIEWS: readonly Uint8Array[] = Array.from({ length: 9 }, (_, k) => new Uint8Array(SCRATCH, 0, k));
let lent = false;

/**
 * An array of `length` bytes (1..8) to hand to one `pollRead`/`pollWrite` call: the shared
 * scratch, or a fresh array when the scratch is already lent (a nested call, see the header).
 * Give it back with {@link returnScratch} in a `finally`.
 */
export function borrowScratch(length: number): Uint8Array {
  if (lent) return new Uint8Array(length);
  lent = true;
  return VIEWS[length]!;
}

/** Give back an array from {@link borrowScratch} (a fresh one is simply dropped). */
export function returnScratch(buf: Uint8Array): void {
  if (buf.buffer === SCRATCH) lent = false;
}
