/**
 * `chain(first, second)` (Tokio's `AsyncReadExt::chain`): one reader that reads `first` to its
 * EOF, then `second` — a header in front of a body, a replayed prefix in front of a socket.
 *
 * HOW. One flag, `#doneFirst`, set once and never cleared: the first time `first` reports EOF
 * for a non-empty buffer. Until then reads go to `first`, and the read that sees its EOF goes on
 * to `second` in the same poll (so the caller sees no EOF in between); afterwards reads go
 * straight to `second`. A read into an empty buffer returns 0 and changes nothing: it is not
 * `first`'s EOF (Tokio would take it for one and skip the rest of `first`).
 * Over two {@link AsyncBufRead}s, `chain()` returns a subclass that is one too: `pollFillBuf`
 * shows `first`'s buffer until it is empty at EOF, then `second`'s; `consume` goes to the reader
 * whose bytes were shown. It reaches the private state through the accessors set in the static
 * block (private fields are not inherited). No poll method spends the coop budget: the futures
 * that drive a Chain do.
 */
import { Pending, type Context, type Poll } from "@tokio-ts/core";
import { isAsyncBufRead, type AsyncBufRead, type AsyncRead } from "../protocol.js";
import { checkBuffer, checkReader } from "./internal/check.js";

let fillBuf: (chain: Chain<AsyncBufRead, AsyncBufRead>, cx: Context) => Poll<Uint8Array>;
let consumeBuf: (chain: Chain<AsyncBufRead, AsyncBufRead>, n: number) => void;

/**
 * A reader that reads one reader to EOF, then another. Made by {@link chain}; an
 * {@link AsyncBufRead} when both readers are.
 *
 * Tokio's `get_mut` and `get_pin_mut` have no counterpart: {@link getRef} already gives the
 * readers themselves (JavaScript has no shared/exclusive borrows and no pinning).
 *
 * @example
 * ```ts
 * const both = chain(header, body);
 * const all = yield* readToEnd(both); // header's bytes, then body's
 * ```
 */
export class Chain<T extends AsyncRead = AsyncRead, U extends AsyncRead = AsyncRead> implements AsyncRead {
  readonly #first: T;
  readonly #second: U;
  #doneFirst = false;

  static {
    fillBuf = (chain, cx) => {
      if (!chain.#doneFirst) {
        const avail = chain.#first.pollFillBuf(cx);
        if (avail === Pending) return Pending;
        if (avail.length > 0) return avail;
        chain.#doneFirst = true;
      }
      return chain.#second.pollFillBuf(cx);
    };
    consumeBuf = (chain, n) => {
      if (chain.#doneFirst) chain.#second.consume(n);
      else chain.#first.consume(n);
    };
  }

  /** @hidden Use {@link chain}. */
  constructor(first: T, second: U) {
    this.#first = first;
    this.#second = second;
  }

  /**
   * The two readers, `[first, second]`. Reading them directly moves them past bytes this Chain
   * has not returned.
   *
   * @example
   * ```ts
   * const [x, y] = chain(empty(), repeat(0)).getRef(); // x: Empty, y: Repeat
   * ```
   */
  getRef(): [T, U] {
    return [this.#first, this.#second];
  }

  /**
   * Give back the two readers, `[first, second]` (Tokio's `into_inner`). JavaScript cannot
   * consume `this`: stop using the Chain afterwards.
   *
   * @example
   * ```ts
   * const [header, body] = chain(a, b).intoInner();
   * ```
   */
  intoInner(): [T, U] {
    return [this.#first, this.#second];
  }

  /**
   * Read from `first` until its EOF, then from `second`; 0 only at `second`'s EOF (or for an
   * empty `buf`).
   *
   * **Throws**: TypeError if `buf` is not a Uint8Array; the readers' errors.
   */
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    checkBuffer("buf", buf);
    if (!this.#doneFirst) {
      if (buf.length === 0) return 0;
      const n = this.#first.pollRead(cx, buf);
      if (n === Pending) return Pending;
      if (n > 0) return n;
      this.#doneFirst = true;
    }
    return this.#second.pollRead(cx, buf);
  }
}

/** The {@link Chain} of two {@link AsyncBufRead}s: also an AsyncBufRead (see the module header). */
class BufChain<T extends AsyncBufRead, U extends AsyncBufRead> extends Chain<T, U> implements AsyncBufRead {
  /** `first`'s buffered bytes until it is at EOF, then `second`'s; empty at `second`'s EOF. */
  pollFillBuf(cx: Context): Poll<Uint8Array> {
    return fillBuf(this, cx);
  }

  /** Mark `n` of the bytes from {@link pollFillBuf} as read, in the reader they came from. */
  consume(n: number): void {
    consumeBuf(this, n);
  }
}

/**
 * A reader that reads `first` until its EOF, then `second` (Tokio's `AsyncReadExt::chain`).
 * It reports EOF only when `second` does. It is an {@link AsyncBufRead} when both readers are.
 *
 * @example
 * ```ts
 * const [a, b] = duplex(64);
 * yield* writeAll(a, new TextEncoder().encode("world"));
 * yield* shutdown(a);
 * const bang = take(repeat(0x21), 1); // one "!"
 * const all = yield* readToString(chain(b, bang)); // "world!"
 * ```
 *
 * **Cancel safety**: a Chain adds no state that a dropped read could lose: `read(chain(x, y),
 * buf)` is cancel safe when reads of `x` and `y` are.
 *
 * **Throws**: TypeError if `first` or `second` is not an AsyncRead.
 */
export function chain<T extends AsyncBufRead, U extends AsyncBufRead>(first: T, second: U): Chain<T, U> & AsyncBufRead;
export function chain<T extends AsyncRead, U extends AsyncRead>(first: T, second: U): Chain<T, U>;
export function chain<T extends AsyncRead, U extends AsyncRead>(first: T, second: U): Chain<T, U> {
  checkReader("first", first);
  checkReader("second", second);
  if (isAsyncBufRead(first) && isAsyncBufRead(second)) return new BufChain(first, second) as unknown as Chain<T, U>;
  return new Chain(first, second);
}
