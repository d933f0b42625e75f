/**
 * `take(reader, limit)` (Tokio's `AsyncReadExt::take`): a reader that reads at most `limit`
 * bytes of another reader, then reports EOF. It is how a length-prefixed body is read without
 * running into the next message.
 *
 * HOW. `#limit` is how many bytes may still be read (a non-negative safe integer; it only goes
 * down, except through `setLimit`).
 * - `pollRead(buf)`: at 0, EOF at once, without calling the inner reader (it could wait, or
 *   take bytes that belong to whoever reads it next). Otherwise the inner reader gets `buf`
 *   itself when it fits within the limit, else a view of its first `#limit` bytes; the bytes it
 *   returns are subtracted. So a read allocates nothing until the caller's buffer is longer than
 *   what is left, and then one view per new `(buf, limit)` pair: the view is kept, so a read
 *   re-polled after Pending reuses it. A count larger than the buffer it was given is a broken
 *   reader (Tokio panics): it is thrown, not allowed to push the limit below 0.
 * - Over an {@link AsyncBufRead}, `take()` returns a subclass that is one too: `pollFillBuf`
 *   shows at most `#limit` bytes of the inner buffer (and does not call the inner reader at 0),
 *   and `consume(n)` takes `min(n, #limit)` off both, so consuming too much cannot raise the
 *   limit (Tokio's rule). The subclass reaches the private state through the accessors set in
 *   the static block (private fields are not inherited). A Take over a plain reader has no
 *   `pollFillBuf`, so `isAsyncBufRead` and `copy` see it for what it is.
 * No poll method spends the coop budget: the futures that drive a Take (`read`, `copy`, …) do.
 */
import { Pending, type Context, type Poll } from "@tokio-ts/core";
import { isAsyncBufRead, type AsyncBufRead, type AsyncRead } from "../protocol.js";
import { checkBuffer, checkByteCount, checkReader } from "./internal/check.js";

const NOTHING = new Uint8Array(0);

let fillBuf: (take: Take<AsyncBufRead>, cx: Context) => Poll<Uint8Array>;
let consumeBuf: (take: Take<AsyncBufRead>, n: number) => void;

/**
 * A reader that reads at most a limit of bytes from an inner reader, then reports EOF. Made by
 * {@link take}; an {@link AsyncBufRead} when the inner reader is one.
 *
 * Tokio's `get_mut` and `get_pin_mut` have no counterpart: {@link getRef} already gives the
 * reader itself (JavaScript has no shared/exclusive borrows and no pinning). Reading the inner
 * reader directly moves it past bytes this Take does not count.
 *
 * @example
 * ```ts
 * const body = take(stream, 5);
 * const bytes = yield* readToEnd(body); // at most 5 bytes
 * body.limit(); // 5 - bytes.length
 * ```
 */
export class Take<R extends AsyncRead = AsyncRead> implements AsyncRead {
  readonly #inner: R;
  #limit: number;
  /** The caller buffer that `#view` was cut from (a view is reused for the same buffer and limit). */
  #viewOf: Uint8Array | undefined = undefined;
  #view: Uint8Array = NOTHING;

  static {
    fillBuf = (take, cx) => {
      if (take.#limit === 0) return NOTHING;
      const avail = take.#inner.pollFillBuf(cx);
      if (avail === Pending) return Pending;
      return avail.length <= take.#limit ? avail : avail.subarray(0, take.#limit);
    };
    consumeBuf = (take, n) => {
      checkByteCount("n", n);
      const amount = Math.min(n, take.#limit);
      take.#limit -= amount;
      take.#inner.consume(amount);
    };
  }

  /** @hidden Use {@link take}. */
  constructor(inner: R, limit: number) {
    this.#inner = inner;
    this.#limit = limit;
  }

  /**
   * How many more bytes may be read before this reader reports EOF. It may report EOF sooner,
   * when the inner reader ends first.
   *
   * @example
   * ```ts
   * const t = take(repeat(0x61), 10);
   * yield* read(t, new Uint8Array(4)); // 4
   * t.limit(); // 6
   * ```
   */
  limit(): number {
    return this.#limit;
  }

  /**
   * Set how many more bytes may be read, whatever was read before: the same as a new
   * `take(t.getRef(), limit)` (a Take at EOF reads again after a new limit).
   *
   * @example
   * ```ts
   * const t = take(repeat(0x61), 0);
   * t.setLimit(3);
   * yield* readToEnd(t); // "aaa"
   * ```
   *
   * **Throws**: TypeError if `limit` is not a number; RangeError unless it is an integer in
   * 0..Number.MAX_SAFE_INTEGER.
   */
  setLimit(limit: number): void {
    checkByteCount("limit", limit);
    this.#limit = limit;
  }

  /**
   * The inner reader. Reading it directly skips this Take's count.
   *
   * @example
   * ```ts
   * const [a, b] = duplex(64);
   * take(b, 4).getRef() === b; // true
   * ```
   */
  getRef(): R {
    return this.#inner;
  }

  /**
   * Give back the inner reader, to read on past the limit (Tokio's `into_inner`). JavaScript
   * cannot consume `this`: stop using the Take afterwards.
   *
   * @example
   * ```ts
   * const t = take(stream, 4);
   * yield* readExact(t, header);
   * const rest = yield* readToEnd(t.intoInner());
   * ```
   */
  intoInner(): R {
    return this.#inner;
  }

  /**
   * Read up to `min(buf.length, limit())` bytes from the inner reader; 0 once the limit is
   * reached (without calling the inner reader) or at the inner reader's EOF.
   *
   * **Throws**: TypeError if `buf` is not a Uint8Array; RangeError if the inner reader returns
   * more bytes than the buffer it was given holds; the inner reader's errors.
   */
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    checkBuffer("buf", buf);
    const limit = this.#limit;
    if (limit === 0) return 0;
    let target = buf;
    if (buf.length > limit) {
      if (this.#viewOf !== buf || this.#view.length !== limit) {
        this.#viewOf = buf;
        this.#view = buf.subarray(0, limit);
      }
      target = this.#view;
    }
    const n = this.#inner.pollRead(cx, target);
    if (n === Pending) return Pending;
    if (n > target.length) {
      throw new RangeError(`the inner reader of take() returned ${n} bytes from a pollRead into a ${target.length}-byte buffer`);
    }
    this.#limit = limit - n;
    if (this.#limit === 0) {
      this.#viewOf = undefined;
      this.#view = NOTHING;
    }
    return n;
  }
}

/** The {@link Take} of an {@link AsyncBufRead}: also an AsyncBufRead (see the module header). */
class BufTake<R extends AsyncBufRead> extends Take<R> implements AsyncBufRead {
  /** The inner reader's buffered bytes, cut to `limit()`; empty at the limit or at EOF. */
  pollFillBuf(cx: Context): Poll<Uint8Array> {
    return fillBuf(this, cx);
  }

  /**
   * Mark `n` of the bytes from {@link pollFillBuf} as read; at most `limit()` count.
   *
   * **Throws**: TypeError/RangeError unless `n` is a non-negative integer.
   */
  consume(n: number): void {
    consumeBuf(this, n);
  }
}

/**
 * A reader of at most `limit` bytes of `reader`, then EOF (Tokio's `AsyncReadExt::take`). It
 * is an {@link AsyncBufRead} when `reader` is one (so `readLine` and `copy` use its buffer).
 * `limit` may be 0 (EOF at once); {@link Take.setLimit} changes it later.
 *
 * @example
 * ```ts
 * const [a, b] = duplex(64);
 * yield* writeAll(a, new TextEncoder().encode("hellothere"));
 * const hello = yield* readToEnd(take(b, 5)); // "hello"
 * const buf = new Uint8Array(5);
 * yield* readExact(b, buf); // "there": the rest is still in b
 * ```
 *
 * **Cancel safety**: a Take adds no state that a dropped read could lose: `read(take(r, n), buf)`
 * is cancel safe when `read(r, buf)` is, and a read dropped while Pending counts nothing
 * against the limit.
 *
 * **Throws**: TypeError if `reader` is not an AsyncRead or `limit` not a number; RangeError
 * unless `limit` is an integer in 0..Number.MAX_SAFE_INTEGER.
 */
export function take<R extends AsyncBufRead>(reader: R, limit: number): Take<R> & AsyncBufRead;
export function take<R extends AsyncRead>(reader: R, limit: number): Take<R>;
export function take<R extends AsyncRead>(reader: R, limit: number): Take<R> {
  checkReader("reader", reader);
  checkByteCount("limit", limit);
  return isAsyncBufRead(reader) ? (new BufTake(reader, limit) as unknown as Take<R>) : new Take(reader, limit);
}
