/** The largest buffer kept from one line to the next (64 KiB). */
const KEEP_BYTES = 64 * 1024;
const EMPTY = new Uint8Array(0);

/**
 * The bytes of a line that spans several buffer fills. Grows by doubling and is reused after
 * each line, so reading lines allocates only the strings. A buffer that one long line grew
 * past {@link KEEP_BYTES} is let go when the line is done: a `Lines` lives as long as its
 * connection, and one 50 MB line must not pin 64 MB for the rest of it (Tokio's `Lines` hands
 * its buffer over with each line and keeps nothing).
 */
export class LineBuffer {
  #buf = EMPTY;
  length = 0;
  /**
   * Bytes of the reader's buffer that the returned view still shows and that are not consumed
   * yet: the view is only valid until the next call on the reader (`consume` included), so
   * `pollReadUntil` leaves them to {@link consumeOwed}, which its callers call once they are
   * done with the view.
   */
  owed = 0;

  append(src: Uint8Array): void {
    const need = this.length + src.length;
    if (need > this.#buf.length) {
      const next = new Uint8Array(Math.max(need, this.#buf.length * 2, 256));
      next.set(this.#buf.subarray(0, this.length));
      this.#buf = next;
    }
    this.#buf.set(src, this.length);
    this.length = need;
  }

  view(): Uint8Array {
    return this.#buf.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
    if (this.#buf.length > KEEP_BYTES) this.#buf = EMPTY;
  }
}

/** Consume what a view returned by `pollReadUntil` still owes the reader (see {@link LineBuffer.owed}). */
export function consumeOwed(reader: { consume(n: number): void }, acc: LineBuffer): void {
  const n = acc.owed;
  if (n === 0) return;
  acc.owed = 0;
  reader.consume(n);
}
