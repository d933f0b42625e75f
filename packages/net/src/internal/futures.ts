/**
 * The leaf futures behind the stream methods (`read`, `write`, `writeAll`, `peek`, `flush`,
 * `shutdown`, `ready`). Each is a small object holding its arguments; `poll` calls the stream's
 * poll method, which stores the waker in the stream's reader or writer slot. Nothing of theirs
 * is registered anywhere, so dropping one needs no clean-up (except `ReadyMap`, which drops the
 * registration's waiter it wraps).
 */
import { Future, Pending, type Context, type Poll } from "@tokio-ts/core";
import { readyOf, type AsyncRead, type AsyncWrite, type Ready, type ReadyEvent } from "@tokio-ts/io-driver";

/** Something that can peek (a stream or its read half). */
export interface Peekable {
  pollPeek(cx: Context, buf: Uint8Array): Poll<number>;
}

/** `read(buf)`: one pollRead. */
export class ReadFuture extends Future<number> {
  constructor(
    private readonly reader: AsyncRead,
    private readonly buf: Uint8Array,
  ) {
    super();
  }

  poll(cx: Context): Poll<number> {
    return this.reader.pollRead(cx, this.buf);
  }
}

/** `peek(buf)`: one pollPeek. */
export class PeekFuture extends Future<number> {
  constructor(
    private readonly reader: Peekable,
    private readonly buf: Uint8Array,
  ) {
    super();
  }

  poll(cx: Context): Poll<number> {
    return this.reader.pollPeek(cx, this.buf);
  }
}

/** `write(data)`: one pollWrite. */
export class WriteFuture extends Future<number> {
  constructor(
    private readonly writer: AsyncWrite,
    private readonly data: Uint8Array,
  ) {
    super();
  }

  poll(cx: Context): Poll<number> {
    return this.writer.pollWrite(cx, this.data);
  }
}

/** `writeAll(data)`: pollWrite until every byte is accepted. */
export class WriteAllFuture extends Future<void> {
  #offset = 0;

  constructor(
    private readonly writer: AsyncWrite,
    private readonly data: Uint8Array,
  ) {
    super();
  }

  poll(cx: Context): Poll<void> {
    const data = this.data;
    while (this.#offset < data.length) {
      const n = this.writer.pollWrite(cx, this.#offset === 0 ? data : data.subarray(this.#offset));
      if (n === Pending) return Pending;
      if (n === 0) {
        const error = new Error("writeAll: the writer accepted 0 bytes") as Error & { code: string };
        error.code = "WRITE_ZERO";
        throw error;
      }
      this.#offset += n;
    }
    return undefined;
  }
}

/** `flush()`. */
export class FlushFuture extends Future<void> {
  constructor(private readonly writer: AsyncWrite) {
    super();
  }

  poll(cx: Context): Poll<void> {
    return this.writer.pollFlush(cx);
  }
}

/** `shutdown()`. */
export class ShutdownFuture extends Future<void> {
  constructor(private readonly writer: AsyncWrite) {
    super();
  }

  poll(cx: Context): Poll<void> {
    return this.writer.pollShutdown(cx);
  }
}

/**
 * `ready(interest)`, `readable()`, `writable()`: the registration's waiter, its event mapped to
 * the Ready bits (or to nothing). `check` runs before each poll (it throws on a closed socket).
 */
export class ReadyMap<T> extends Future<T> {
  constructor(
    private readonly inner: Future<ReadyEvent>,
    private readonly map: (ready: Ready) => T,
    private readonly check: () => void,
  ) {
    super();
  }

  poll(cx: Context): Poll<T> {
    this.check();
    const event = this.inner.poll(cx);
    if (event === Pending) return Pending;
    this.check();
    return this.map(readyOf(event));
  }

  override cancel(): void {
    this.inner.cancel();
  }
}
