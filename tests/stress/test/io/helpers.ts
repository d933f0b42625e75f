// Shared helpers for the io stress tests: a deterministic byte source, counting wrappers
// (to observe exactly what crosses the AsyncRead/AsyncWrite boundary) and small utilities.
import * as assert from "uvu/assert";
import { Pending, type Context, type Poll } from "@tokio-ts/core";
import type { AsyncBufRead, AsyncRead, AsyncWrite } from "@tokio-ts/io-driver";
import type { SeededRng } from "@tokio-ts/test-util";
import { guard } from "../guard.js";

export { guard };

/** A 32-bit integer hash (deterministic, good enough to make byte streams look random). */
export function hash32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Byte `i` of the reference stream of `salt`: never 0 (so 0 can mark "not written"). */
export function byteAt(salt: number, i: number): number {
  return 1 + (hash32(i * 2654435761 + salt) % 255);
}

/** The bytes `from..from+len` of the reference stream of `salt`. */
export function stream(salt: number, from: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = byteAt(salt, from + i);
  return out;
}

/** Assert that `got` equals the reference stream of `salt` at `from`; names the first mismatch. */
export function assertStreamAt(salt: number, from: number, got: Uint8Array, what: string): void {
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== byteAt(salt, from + i)) {
      assert.unreachable(`${what}: byte ${from + i} is ${got[i]}, expected ${byteAt(salt, from + i)} (chunk of ${got.length} at ${from})`);
    }
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array, what: string): void {
  if (a.length !== b.length) assert.unreachable(`${what}: length ${a.length}, expected ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) assert.unreachable(`${what}: byte ${i} is ${a[i]}, expected ${b[i]}`);
  }
}

/** A size drawn from a mix of tiny, small and large ranges. */
export function size(rng: SeededRng, max: number): number {
  const r = rng.below(4);
  if (r === 0) return rng.between(1, Math.min(3, max));
  if (r === 1) return rng.between(1, Math.min(64, max));
  return rng.between(1, max);
}

/** An AsyncRead that forwards to `inner` and counts the bytes that crossed. */
export class CountingReader implements AsyncRead {
  count = 0;
  constructor(
    readonly inner: AsyncRead,
    readonly onRead?: (n: number) => void,
  ) {}
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    const n = this.inner.pollRead(cx, buf);
    if (n !== Pending) {
      this.count += n;
      this.onRead?.(n);
    }
    return n;
  }
}

/** An AsyncWrite that forwards to `inner` and counts the bytes that crossed. */
export class CountingWriter implements AsyncWrite {
  count = 0;
  constructor(
    readonly inner: AsyncWrite,
    readonly onWrite?: (n: number) => void,
  ) {}
  pollWrite(cx: Context, data: Uint8Array): Poll<number> {
    const n = this.inner.pollWrite(cx, data);
    if (n !== Pending) {
      this.count += n;
      this.onWrite?.(n);
    }
    return n;
  }
  pollFlush(cx: Context): Poll<void> {
    return this.inner.pollFlush(cx);
  }
  pollShutdown(cx: Context): Poll<void> {
    return this.inner.pollShutdown(cx);
  }
}

/**
 * A reader over a fixed byte array that hands out at most the next planned chunk size per
 * read and returns Pending (waking itself) on a random share of polls: it models a socket
 * whose bytes arrive in arbitrary pieces. Not an AsyncBufRead.
 */
export class ChoppyReader implements AsyncRead {
  pos = 0;
  constructor(
    readonly data: Uint8Array,
    readonly rng: SeededRng,
    readonly maxChunk: number,
  ) {}
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    if (buf.length === 0) return 0;
    if (this.pos < this.data.length && this.rng.below(3) === 0) {
      cx.waker.wake();
      return Pending;
    }
    const n = Math.min(buf.length, this.data.length - this.pos, this.rng.between(1, this.maxChunk));
    buf.set(this.data.subarray(this.pos, this.pos + n));
    this.pos += n;
    return n;
  }
}

/** Whether `r` is an AsyncBufRead (for type narrowing in tests). */
export function asBufRead(r: AsyncBufRead): AsyncBufRead {
  return r;
}

const enc = new TextEncoder();
export function utf8(s: string): Uint8Array {
  return enc.encode(s);
}


/** What Tokio's `Lines::next_line` gives for a raw line: without its "\n" or "\r\n". */
export function stripLine(raw: string): string {
  if (!raw.endsWith("\n")) return raw;
  const s = raw.slice(0, -1);
  return s.endsWith("\r") ? s.slice(0, -1) : s;
}
