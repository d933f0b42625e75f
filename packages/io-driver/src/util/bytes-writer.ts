/**
 * `bytesWriter()` (Tokio's `AsyncWrite` for `Vec<u8>`): a writer that keeps everything written
 * to it in memory — for testing encoders and framing code, or collecting output.
 *
 * HOW. One `Uint8Array` (`buf`) of which the first `len` bytes were written. A write that does
 * not fit grows `buf` to at least twice its size (the old bytes are copied once per growth,
 * not once per write: appending n bytes costs O(n) in total, as `Vec` does), then appends the
 * whole of `data`. `shut` is set once, by `pollShutdown`; after it every write fails with
 * BROKEN_PIPE, as the other writers of this package do. Nothing ever waits: no poll method
 * returns Pending or keeps a waker.
 *
 * The poll methods do not spend the coop budget: the futures that drive them (`write`,
 * `writeAll`, `copy`, …) spend one unit per call that made progress.
 */
import type { Context, Poll } from "@tokio-ts/core";
import type { AsyncWrite } from "../protocol.js";
import { brokenPipe } from "./errors.js";
import { checkBuffer } from "./internal/check.js";

/** The first allocation, in bytes: small writes do not reallocate at 1, 2, 4, … bytes. */
const MIN_CAPACITY = 64;
const NOTHING = new Uint8Array(0);

/**
 * An {@link AsyncWrite} that appends every write, whole, to a growable in-memory buffer. It is
 * always ready; read the result with {@link BytesWriter.bytes}.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* writeAll(out, new TextEncoder().encode("hello"));
 * out.length; // 5
 * ```
 */
export class BytesWriter implements AsyncWrite {
  #buf: Uint8Array = NOTHING;
  #len = 0;
  #shut = false;

  /** @hidden Use {@link bytesWriter}. */
  constructor() {}

  /** How many bytes have been written (since the last {@link clear}). */
  get length(): number {
    return this.#len;
  }

  /**
   * A copy of the bytes written so far. Later writes do not change it, and changing it does
   * not change the writer.
   */
  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  /**
   * Forget the bytes written so far (`length` becomes 0; the buffer is kept for reuse). It does
   * not undo a shutdown: writes still fail after one.
   */
  clear(): void {
    this.#len = 0;
  }

  /**
   * Append all of `data`; returns `data.length`. Never Pending.
   *
   * **Throws**: IoError `"BROKEN_PIPE"` after shutdown; TypeError if `data` is not a Uint8Array.
   */
  pollWrite(_cx: Context, data: Uint8Array): Poll<number> {
    checkBuffer("data", data);
    if (this.#shut) throw brokenPipe("the bytesWriter was shut down");
    const end = this.#len + data.length;
    if (end > this.#buf.length) this.#grow(end);
    this.#buf.set(data, this.#len);
    this.#len = end;
    return data.length;
  }

  /** Always ready: the bytes are in the buffer as soon as they are written. */
  pollFlush(_cx: Context): Poll<void> {
    return undefined;
  }

  /** Always ready; later writes fail with BROKEN_PIPE. The bytes written stay readable. */
  pollShutdown(_cx: Context): Poll<void> {
    this.#shut = true;
    return undefined;
  }

  #grow(needed: number): void {
    const next = new Uint8Array(Math.max(needed, this.#buf.length * 2, MIN_CAPACITY));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
}

/**
 * A writer that collects everything written to it — Tokio's `Vec<u8>` as an `AsyncWrite`. It
 * never waits; `bytes()` gives what was written.
 *
 * @example
 * ```ts
 * const out = bytesWriter();
 * yield* copy(bytesReader(new TextEncoder().encode("ping")), out);
 * new TextDecoder().decode(out.bytes()); // "ping"
 * ```
 */
export function bytesWriter(): BytesWriter {
  return new BytesWriter();
}
