/**
 * One direction of a copy: the state machine behind `copy` and each half of
 * `copyBidirectional` (Tokio's `io::util::copy::CopyBuffer`).
 *
 * States (fields): `buf` holds `size` bytes (8 KiB, or what `copyBidirectionalWithSizes` was
 * given), allocated at the first poll and let go when the copy is done; `buf[pos..cap]` is read
 * and not yet written; `readDone` once the reader returned EOF; `needFlush` once bytes were
 * written since the last flush; `amount` counts bytes written. One poll loops:
 * 1. buffer empty and not at EOF → read into it (Pending: flush first if needed, so a peer
 *    waiting for our bytes is not starved by our waiting; then Pending);
 * 2. write out `pos..cap` (Pending keeps `pos`; 0 bytes taken is WRITE_ZERO);
 * 3. buffer empty and at EOF → flush, done with `amount`.
 * With an {@link AsyncBufRead} source it uses the reader's own buffer instead of `buf`
 * (`pollFillBuf` / `consume`, Tokio's `copy_buf`): no second buffer, no extra copy.
 * Each read or write that made progress spends one unit of the coop budget.
 */
import { madeProgress, Pending, pollProceed, type Context, type Poll } from "@tokio-ts/core";
import { checkReadCount, checkWriteCount } from "./check.js";
import { isAsyncBufRead, type AsyncBufRead, type AsyncRead, type AsyncWrite } from "../../protocol.js";
import { errorKind, writeZero } from "../errors.js";

/** The default copy buffer size: 8 KiB, as Tokio. */
export const COPY_BUF_SIZE = 8192;

export class CopyBuffer {
  readonly #reader: AsyncRead;
  readonly #bufReader: AsyncBufRead | undefined;
  readonly #size: number;
  #buf: Uint8Array | undefined = undefined;
  #pos = 0;
  #cap = 0;
  #readDone = false;
  #needFlush = false;
  amount = 0;

  /** `size`: the buffer's length, an integer in 1..2^30 (checked by the caller); unused for an AsyncBufRead. */
  constructor(reader: AsyncRead, size: number = COPY_BUF_SIZE) {
    this.#reader = reader;
    this.#size = size;
    this.#bufReader = isAsyncBufRead(reader) ? reader : undefined;
  }

  poll(cx: Context, writer: AsyncWrite): Poll<number> {
    return this.#bufReader !== undefined ? this.#pollBuf(cx, this.#bufReader, writer) : this.#pollCopy(cx, writer);
  }

  #pollCopy(cx: Context, writer: AsyncWrite): Poll<number> {
    const buf = (this.#buf ??= new Uint8Array(this.#size));
    for (;;) {
      if (this.#pos === this.#cap && !this.#readDone) {
        if (!pollProceed(cx)) return Pending;
        let n: Poll<number>;
        try {
          n = this.#reader.pollRead(cx, buf);
        } catch (error) {
          madeProgress(cx);
          throw error;
        }
        if (n === Pending) return this.#flushWhileWaiting(cx, writer);
        madeProgress(cx);
        if (n === 0) this.#readDone = true;
        else {
          checkReadCount(n, buf.length);
          this.#pos = 0;
          this.#cap = n;
        }
      }
      while (this.#pos < this.#cap) {
        if (!pollProceed(cx)) return Pending;
        let n: Poll<number>;
        try {
          n = writer.pollWrite(cx, buf.subarray(this.#pos, this.#cap));
        } catch (error) {
          madeProgress(cx);
          throw error;
        }
        if (n === Pending) return Pending;
        madeProgress(cx);
        if (n === 0) throw writeZero();
        this.#pos += checkWriteCount(n, this.#cap - this.#pos);
        this.amount += n;
        this.#needFlush = true;
      }
      if (this.#readDone) return this.#finish(cx, writer);
    }
  }

  #pollBuf(cx: Context, reader: AsyncBufRead, writer: AsyncWrite): Poll<number> {
    for (;;) {
      if (!pollProceed(cx)) return Pending;
      let avail: Poll<Uint8Array>;
      try {
        avail = reader.pollFillBuf(cx);
      } catch (error) {
        madeProgress(cx);
        if (errorKind(error) === "INTERRUPTED") continue; // retried, as Tokio's copy_buf
        throw error;
      }
      if (avail === Pending) return this.#flushWhileWaiting(cx, writer);
      if (avail.length === 0) {
        this.#readDone = true;
        return this.#finish(cx, writer);
      }
      let n: Poll<number>;
      try {
        n = writer.pollWrite(cx, avail);
      } catch (error) {
        madeProgress(cx);
        if (errorKind(error) === "INTERRUPTED") continue; // retried, as Tokio's copy_buf
        throw error;
      }
      if (n === Pending) return Pending;
      madeProgress(cx);
      if (n === 0) throw writeZero();
      reader.consume(checkWriteCount(n, avail.length));
      this.amount += n;
      this.#needFlush = true;
    }
  }

  #flushWhileWaiting(cx: Context, writer: AsyncWrite): Pending {
    if (this.#needFlush && writer.pollFlush(cx) !== Pending) this.#needFlush = false;
    return Pending;
  }

  #finish(cx: Context, writer: AsyncWrite): Poll<number> {
    if (writer.pollFlush(cx) === Pending) return Pending;
    this.#needFlush = false;
    this.#buf = undefined;
    return this.amount;
  }
}
