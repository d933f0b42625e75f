/**
 * The bytes of a line that spans several buffer fills. Grows by doubling and is reused after
 * each line, so reading lines allocates only the strings.
 */
export class LineBuffer {
  #buf = new Uint8Array(0);
  length = 0;

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
  }
}
