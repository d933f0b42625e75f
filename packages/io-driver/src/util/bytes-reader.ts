/**
 * `bytesReader(data)` (Tokio's `AsyncRead` and `AsyncBufRead` for `&[u8]`): a reader over bytes
 * already in memory — for testing framing code and for parsing data you hold.
 *
 * HOW. The reader keeps the caller's array (no copy) and one cursor, `pos`; `pos..length` is
 * what is left. `pos` only grows, by `pollRead` (the bytes copied out) and `consume(n)` (capped
 * at the end), so every byte is handed out once, in order, and then every read is EOF (0).
 * Nothing ever waits: no poll method returns Pending or keeps a waker.
 *
 * Like {@link Repeat} and {@link Empty}, the poll methods do not spend the coop budget: the
 * futures that drive them (`read`, `readLine`, `copy`, …) spend one unit per call that made
 * progress, so a task reading a large array still yields to the others in a runtime.
 */
import type { Context, Poll } from "@tokio-ts/core";
import type { AsyncBufRead } from "../protocol.js";
import { checkBuffer, checkByteCount } from "./internal/check.js";

/**
 * An {@link AsyncBufRead} over an in-memory array: reads copy out of it, `pollFillBuf` gives a
 * view of what is left, and at the end every read is EOF (0). It is always ready.
 *
 * @example
 * ```ts
 * const reader = bytesReader(new TextEncoder().encode("a\nb\n"));
 * const first = yield* readLine(reader); // "a\n"
 * reader.remaining; // 2
 * ```
 */
export class BytesReader implements AsyncBufRead {
  readonly #data: Uint8Array;
  #pos = 0;

  /** @hidden Use {@link bytesReader}. */
  constructor(data: Uint8Array) {
    this.#data = data;
  }

  /** How many bytes are left to read (0 at EOF). */
  get remaining(): number {
    return this.#data.length - this.#pos;
  }

  /** How many bytes have been read or consumed so far: the offset of the next byte in `data`. */
  get position(): number {
    return this.#pos;
  }

  /** Copy up to `buf.length` of the remaining bytes into `buf`; 0 at EOF. Never Pending. */
  pollRead(_cx: Context, buf: Uint8Array): Poll<number> {
    checkBuffer("buf", buf);
    const n = Math.min(buf.length, this.#data.length - this.#pos);
    buf.set(this.#data.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return n;
  }

  /**
   * The remaining bytes, as a view of the array given to {@link bytesReader} (no copy); empty
   * at EOF. Never Pending.
   */
  pollFillBuf(_cx: Context): Poll<Uint8Array> {
    return this.#data.subarray(this.#pos);
  }

  /**
   * Mark the first `n` bytes returned by {@link pollFillBuf} as read (capped at the end).
   *
   * **Throws**: TypeError/RangeError if `n` is not a non-negative integer.
   */
  consume(n: number): void {
    checkByteCount("n", n);
    this.#pos = Math.min(this.#pos + n, this.#data.length);
  }
}

/**
 * A reader of the bytes in `data`, then EOF — Tokio's `&[u8]` as an `AsyncRead` and
 * `AsyncBufRead`. Reads, `readLine`, `readUntil`, `lines` and `copy` work on it directly,
 * with no Node stream in between, and it never waits.
 *
 * `data` is not copied: the reader reads the caller's array as it is at each read. Do not
 * change it while reading (a change to bytes not yet read shows in what is read next).
 *
 * @example
 * ```ts
 * const reader = bytesReader(new Uint8Array([0, 3, 0x61, 0x62, 0x63]));
 * const header = new Uint8Array(2);
 * yield* readExact(reader, header); // a 2-byte big-endian length: 3
 * const body = yield* readToString(reader); // "abc"
 * ```
 *
 * **Throws**: TypeError if `data` is not a Uint8Array (a Buffer is one).
 */
export function bytesReader(data: Uint8Array): BytesReader {
  checkBuffer("data", data);
  return new BytesReader(data);
}
