/**
 * A bounded FIFO of bytes: a ring over one Uint8Array that grows by doubling up to `max`
 * (so a `duplex(1 << 30)` that only ever holds a few KiB allocates a few KiB).
 *
 * `head` is the index of the oldest byte, `len` how many bytes are held; bytes live at
 * `head, head+1, … (mod capacity)`. `write` copies in at most `max - len` bytes, `read` copies
 * out at most `len`; both copy with at most two `set` calls (the ring may wrap once).
 */
const INITIAL = 4096;

export class ByteRing {
  #buf: Uint8Array;
  #head = 0;
  #len = 0;
  readonly max: number;

  constructor(max: number) {
    this.max = max;
    this.#buf = new Uint8Array(Math.min(max, INITIAL));
  }

  get length(): number {
    return this.#len;
  }

  /** Free room before the ring is full (what a writer may still put in). */
  get room(): number {
    return this.max - this.#len;
  }

  /** Copy as much of `src` as fits; returns how many bytes were taken. */
  write(src: Uint8Array): number {
    const n = Math.min(src.length, this.max - this.#len);
    if (n === 0) return 0;
    if (this.#len + n > this.#buf.length) this.#grow(this.#len + n);
    const buf = this.#buf;
    const cap = buf.length;
    const tail = (this.#head + this.#len) % cap;
    const first = Math.min(n, cap - tail);
    buf.set(first === src.length ? src : src.subarray(0, first), tail);
    if (first < n) buf.set(src.subarray(first, n), 0);
    this.#len += n;
    return n;
  }

  /** Copy up to `dst.length` of the oldest bytes into `dst`; returns how many. */
  read(dst: Uint8Array): number {
    const n = Math.min(dst.length, this.#len);
    if (n === 0) return 0;
    const buf = this.#buf;
    const cap = buf.length;
    const head = this.#head;
    const first = Math.min(n, cap - head);
    dst.set(buf.subarray(head, head + first), 0);
    if (first < n) dst.set(buf.subarray(0, n - first), first);
    this.#head = (head + n) % cap;
    this.#len -= n;
    if (this.#len === 0) this.#head = 0;
    return n;
  }

  #grow(needed: number): void {
    let cap = this.#buf.length;
    while (cap < needed) cap *= 2;
    cap = Math.min(cap, this.max);
    const next = new Uint8Array(cap);
    const old = this.#buf;
    const first = Math.min(this.#len, old.length - this.#head);
    next.set(old.subarray(this.#head, this.#head + first), 0);
    if (first < this.#len) next.set(old.subarray(0, this.#len - first), first);
    this.#buf = next;
    this.#head = 0;
  }
}
