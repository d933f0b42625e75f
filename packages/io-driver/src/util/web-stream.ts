/**
 * Bridges between the stream protocol and Web Streams (`ReadableStream<Uint8Array>` /
 * `WritableStream<Uint8Array>`, as `fetch` bodies, `CompressionStream` and Deno/Bun-style APIs
 * use), both ways: {@link fromReadableStream}, {@link toReadableStream},
 * {@link fromWritableStream}, {@link toWritableStream}.
 *
 * HOW, and how backpressure holds:
 * - WebStreamReader holds the stream's default reader. A poll with no chunk at hand starts one
 *   `reader.read()` (at most one in flight, `inFlight`) and returns Pending; its settlement
 *   stores the chunk, EOF or error and wakes the waiting reader. The stream is only pulled as
 *   fast as the protocol side reads. The chunk is copied into the callers' buffers.
 * - WebStreamWriter holds the stream's writer. While `desiredSize <= 0` a write is Pending until
 *   `writer.ready`; otherwise it copies at most 64 KiB of the data into a new chunk and writes
 *   it (the caller may reuse its array at once). Flush waits until every write promise has
 *   settled (`inFlight === 0`); shutdown calls `close()` and waits for `writer.closed`. Every
 *   promise it creates has a rejection handler: a failed stream never makes an unhandled
 *   rejection, its error is thrown by the next poll.
 * - toReadableStream/toWritableStream answer the stream's `pull`/`write`/`close` with a
 *   promise that a {@link Pump} settles (a waker that re-polls on the microtask queue, so no
 *   runtime is needed). Their queuing strategy counts bytes, so `highWaterMark` is in bytes.
 */
import { Pending, type Context, type Poll, type Waker } from "@tokio-ts/core";
import type { AsyncRead, AsyncWrite } from "../protocol.js";
import { brokenPipe, hostError } from "./errors.js";
import { checkBuffer, checkBufferSize, checkOptions, checkReader, checkWriter } from "./internal/check.js";
import { pumpToPromise, type Pump } from "./internal/pump.js";
import { Read } from "./read.js";
import { Flush, WriteAll } from "./write.js";

/**
 * Options of {@link toReadableStream}.
 *
 * @example
 * ```ts
 * const rs = toReadableStream(reader, { highWaterMark: 64 * 1024, chunkSize: 16 * 1024 });
 * ```
 */
export interface ToReadableStreamOptions {
  /** How many bytes the stream may queue ahead of its reader (default 16 KiB). */
  readonly highWaterMark?: number | undefined;
  /** The most bytes read (and enqueued) at a time; default 16 KiB. */
  readonly chunkSize?: number | undefined;
}

/**
 * Options of {@link toWritableStream}.
 *
 * @example
 * ```ts
 * const ws = toWritableStream(writer, { highWaterMark: 64 * 1024 });
 * ```
 */
export interface ToWritableStreamOptions {
  /** How many bytes the stream may queue before its writer sees backpressure (default 16 KiB). */
  readonly highWaterMark?: number | undefined;
}

const DEFAULT_CHUNK = 16 * 1024;
const READABLE_OPTIONS = ["highWaterMark", "chunkSize"] as const;
const WRITABLE_OPTIONS = ["highWaterMark"] as const;
const MAX_WRITE_CHUNK = 64 * 1024;
// A chunk that is not bytes counts 0 here and is refused with a TypeError by `write`.
const byteLength = (chunk: unknown): number => (chunk instanceof Uint8Array ? chunk.byteLength : 0);
const ignore = (): void => {};

function wakeSlot(waker: Waker | undefined): undefined {
  waker?.wake();
  return undefined;
}

/** A queuing strategy's highWaterMark, as the Streams spec takes it: any number ≥ 0, Infinity too. */
function checkHighWaterMark(name: string, value: unknown): number {
  if (value === undefined) return DEFAULT_CHUNK;
  if (typeof value !== "number") throw new TypeError(`${name} must be a number of bytes, got ${value === null ? "null" : typeof value}`);
  if (Number.isNaN(value) || value < 0) throw new RangeError(`${name} must be a non-negative number of bytes, got ${value}`);
  return value;
}

const utf8 = new TextEncoder();

/**
 * The bytes of a chunk a ReadableStream gave, without a copy where it is bytes already: any
 * `ArrayBufferView` (a Buffer, a typed array, a DataView) or `ArrayBuffer`; a string is encoded
 * as UTF-8, as Node's `Readable.fromWeb` and {@link fromNodeReadable} take one. Undefined for
 * anything else.
 */
function asBytes(chunk: unknown): Uint8Array | undefined {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (typeof chunk === "string") return utf8.encode(chunk);
  return undefined;
}

function describeChunk(chunk: unknown): string {
  if (chunk === null) return "null";
  if (typeof chunk === "object") return chunk.constructor?.name ?? "object";
  return typeof chunk;
}

/**
 * An {@link AsyncRead} over a `ReadableStream<Uint8Array>` (see the module header). Get one
 * with {@link fromReadableStream}.
 *
 * @example
 * ```ts
 * const body = fromReadableStream((await fetch(url)).body!);
 * const text = await readToString(body);
 * ```
 */
export class WebStreamReader implements AsyncRead {
  readonly #reader: ReadableStreamDefaultReader<WebChunk>;
  #chunk: Uint8Array | undefined = undefined;
  #pos = 0;
  #inFlight = false;
  #done = false;
  #failed = false;
  #error: unknown = undefined;
  #waker: Waker | undefined = undefined;
  readonly #onChunk = (result: { done: boolean; value?: unknown }): void => {
    this.#inFlight = false;
    if (result.done) this.#done = true;
    else {
      const chunk = asBytes(result.value);
      if (chunk === undefined) {
        this.#failed = true;
        this.#error = new TypeError(`the ReadableStream gave a chunk that is not bytes or a string: ${describeChunk(result.value)}`);
        this.#reader.cancel(this.#error).catch(ignore);
      } else if (chunk.length > 0) {
        this.#chunk = chunk;
        this.#pos = 0;
      }
    }
    this.#waker = wakeSlot(this.#waker);
  };
  readonly #onError = (error: unknown): void => {
    this.#inFlight = false;
    this.#failed = true;
    this.#error = hostError("the ReadableStream", error);
    this.#waker = wakeSlot(this.#waker);
  };

  /** @hidden Use {@link fromReadableStream}. */
  constructor(stream: ReadableStream<WebChunk>) {
    this.#reader = stream.getReader();
  }

  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    checkBuffer("buf", buf);
    if (buf.length === 0) return 0;
    const chunk = this.#chunk;
    if (chunk !== undefined) {
      const n = Math.min(buf.length, chunk.length - this.#pos);
      buf.set(chunk.subarray(this.#pos, this.#pos + n));
      this.#pos += n;
      if (this.#pos === chunk.length) this.#chunk = undefined;
      return n;
    }
    if (this.#failed) throw this.#error;
    if (this.#done) return 0;
    this.#waker = cx.waker;
    if (!this.#inFlight) {
      this.#inFlight = true;
      this.#reader.read().then(this.#onChunk, this.#onError);
    }
    return Pending;
  }

  /**
   * Cancel the stream (its source is told `reason`) and stop reading: later reads see EOF.
   *
   * @example
   * ```ts
   * await body.cancel("not needed");
   * ```
   */
  cancel(reason?: unknown): Promise<void> {
    this.#done = true;
    this.#chunk = undefined;
    return this.#reader.cancel(reason);
  }
}

/**
 * What {@link fromReadableStream} reads: bytes (a `Uint8Array` — a Buffer is one —, any other
 * typed array or DataView, an `ArrayBuffer`) or text, read as its UTF-8 bytes.
 *
 * @example
 * ```ts
 * const text: ReadableStream<WebChunk> = new Blob(["hello"]).stream().pipeThrough(new TextDecoderStream());
 * ```
 */
export type WebChunk = ArrayBufferView | ArrayBuffer | string;

/**
 * Read a `ReadableStream<Uint8Array>` through the stream protocol. The stream is only pulled
 * when the AsyncRead is polled (backpressure holds); its end is EOF; its error is thrown by the
 * next read as an {@link IoError} whose `cause` is the stream's reason. The stream is locked
 * to this reader. Chunks of other bytes (an `ArrayBuffer`, a typed array, a DataView) are read
 * as they are, and strings as their UTF-8 bytes (as Node's `Readable.fromWeb` takes them); a
 * chunk of any other kind fails the next read with a TypeError and cancels the stream.
 *
 * @example
 * ```ts
 * const src = fromReadableStream(new Blob(["hello"]).stream());
 * const text = yield* readToString(src); // "hello"
 * ```
 *
 * **Throws**: TypeError if `stream` is not a ReadableStream, or is already locked.
 */
export function fromReadableStream(stream: ReadableStream<WebChunk>): WebStreamReader {
  if (typeof (stream as ReadableStream | null)?.getReader !== "function") throw new TypeError("stream must be a ReadableStream<Uint8Array>");
  return new WebStreamReader(stream);
}

/**
 * A `ReadableStream<Uint8Array>` that reads `reader`: each `pull` reads one chunk of at most
 * `chunkSize` bytes (polled with a waker that re-polls it, so no runtime is needed) and
 * enqueues a copy of it; EOF closes the stream, an error errors it once the chunks read before
 * it have been taken. The stream pulls while it
 * holds less than `highWaterMark` bytes, so it queues at most `highWaterMark + chunkSize - 1`
 * bytes ahead of its consumer (reads are whole chunks: a small `highWaterMark` does not shrink
 * them). Cancelling the stream stops reading but does not
 * close `reader` (the AsyncRead protocol has no close): close a socket behind it yourself.
 *
 * @example
 * ```ts
 * const [a, b] = duplex(1024);
 * const response = new Response(toReadableStream(b)); // stream a body from a duplex
 * ```
 *
 * **Throws**: TypeError if `reader` is not an AsyncRead, if `options` is neither undefined nor
 * an object, or has an unknown key; TypeError/RangeError for a bad option value (`chunkSize`
 * must be an integer in 1..2^30).
 */
export function toReadableStream(reader: AsyncRead, options: ToReadableStreamOptions = {}): ReadableStream<Uint8Array> {
  checkReader("reader", reader);
  checkOptions("toReadableStream", options, READABLE_OPTIONS);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  checkBufferSize("options.chunkSize", chunkSize);
  const highWaterMark = checkHighWaterMark("options.highWaterMark", options.highWaterMark);
  const scratch = new Uint8Array(chunkSize);
  let pump: Pump<number> | undefined;
  // The reader's error while chunks are still queued: erroring the stream then would discard
  // them (bytes already read), so it waits until the consumer has taken them (Tokio's
  // ReaderStream yields the bytes, then the error).
  let failure: { error: unknown } | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (failure === undefined) {
          let n: number;
          try {
            n = await pumpToPromise(new Read(reader, scratch), (p) => (pump = p));
          } catch (error) {
            failure = { error };
            n = -1;
          }
          pump = undefined;
          if (n === 0) controller.close();
          else if (n > 0) controller.enqueue(scratch.slice(0, n));
        }
        // Nothing queued any more (the size of the queue is its bytes): the error now.
        if (failure !== undefined && (controller.desiredSize ?? 0) >= highWaterMark) controller.error(failure.error);
      },
      cancel() {
        pump?.cancel();
        pump = undefined;
      },
    },
    { highWaterMark, size: byteLength },
  );
}

/**
 * An {@link AsyncWrite} over a `WritableStream<Uint8Array>` (see the module header). Get one
 * with {@link fromWritableStream}.
 *
 * @example
 * ```ts
 * const out = fromWritableStream(Writable.toWeb(process.stdout));
 * yield* writeAll(out, new TextEncoder().encode("hi\n"));
 * yield* shutdown(out);
 * ```
 */
export class WebStreamWriter implements AsyncWrite {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #inFlight = 0;
  #waitingReady = false;
  #closing = false;
  #closed = false;
  #failed = false;
  #error: unknown = undefined;
  #writeWaker: Waker | undefined = undefined;
  #flushWaker: Waker | undefined = undefined;
  readonly #onWritten = (): void => {
    if (--this.#inFlight === 0) this.#flushWaker = wakeSlot(this.#flushWaker);
  };
  readonly #onFailed = (error: unknown): void => {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    this.#fail(error);
  };
  readonly #onReady = (): void => {
    this.#waitingReady = false;
    this.#writeWaker = wakeSlot(this.#writeWaker);
  };
  readonly #onReadyFailed = (error: unknown): void => {
    this.#waitingReady = false;
    this.#fail(error);
  };

  /** @hidden Use {@link fromWritableStream}. */
  constructor(stream: WritableStream<Uint8Array>) {
    this.#writer = stream.getWriter();
    this.#writer.closed.then(
      () => {
        this.#closed = true;
        this.#flushWaker = wakeSlot(this.#flushWaker);
        this.#writeWaker = wakeSlot(this.#writeWaker);
      },
      (error: unknown) => this.#fail(error),
    );
  }

  pollWrite(cx: Context, data: Uint8Array): Poll<number> {
    checkBuffer("data", data);
    if (this.#failed) throw this.#error;
    if (this.#closing || this.#closed) throw brokenPipe("the WritableStream is closed for writing");
    if (data.length === 0) return 0;
    const writer = this.#writer;
    const desired = writer.desiredSize;
    // Full — unless none of our writes is in flight: a stream with highWaterMark 0 is "full"
    // while idle, and its `ready` never resolves; it takes one chunk at a time.
    if (desired === null || (desired <= 0 && this.#inFlight !== 0)) {
      // Full (or erroring: `closed` rejects soon and wakes us with the error).
      this.#writeWaker = cx.waker;
      if (desired !== null && !this.#waitingReady) {
        this.#waitingReady = true;
        writer.ready.then(this.#onReady, this.#onReadyFailed);
      }
      return Pending;
    }
    const n = Math.min(data.length, MAX_WRITE_CHUNK);
    this.#inFlight++;
    writer.write(data.slice(0, n)).then(this.#onWritten, this.#onFailed);
    return n;
  }

  pollFlush(cx: Context): Poll<void> {
    if (this.#failed) throw this.#error;
    if (this.#inFlight === 0) return undefined;
    this.#flushWaker = cx.waker;
    return Pending;
  }

  pollShutdown(cx: Context): Poll<void> {
    if (this.#failed) throw this.#error;
    if (this.#closed) return undefined;
    if (!this.#closing) {
      this.#closing = true;
      this.#writer.close().catch(ignore); // the outcome arrives through `closed`
    }
    this.#flushWaker = cx.waker;
    return Pending;
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#error = hostError("the WritableStream", error);
    this.#writeWaker = wakeSlot(this.#writeWaker);
    this.#flushWaker = wakeSlot(this.#flushWaker);
  }
}

/**
 * Write to a `WritableStream<Uint8Array>` through the stream protocol. A write is Pending while
 * the stream signals backpressure (`desiredSize <= 0`); `flush` waits until every write has
 * been accepted by the sink; `shutdown` closes the stream and waits until it is closed. The
 * stream's error is thrown by the next call as an {@link IoError} whose `cause` is the reason;
 * a write after shutdown is BROKEN_PIPE. The stream is locked to this writer.
 *
 * @example
 * ```ts
 * const out = fromWritableStream(new WritableStream({ write(c) { chunks.push(c) } }));
 * yield* writeAll(out, bytes);
 * yield* shutdown(out);
 * ```
 *
 * **Throws**: TypeError if `stream` is not a WritableStream, or is already locked.
 */
export function fromWritableStream(stream: WritableStream<Uint8Array>): WebStreamWriter {
  if (typeof (stream as WritableStream | null)?.getWriter !== "function") throw new TypeError("stream must be a WritableStream<Uint8Array>");
  return new WebStreamWriter(stream);
}

/**
 * A `WritableStream<Uint8Array>` that writes into `writer`: each chunk is written whole
 * (polled with a waker that re-polls it, so no runtime is needed) before the stream sends the
 * next; `close()` shuts `writer` down (flushing it); an error of `writer` errors the stream;
 * `abort()` drops the write in progress at once (its bytes are partly written) and does not
 * close `writer`. The stream queues at most `highWaterMark` bytes.
 *
 * @example
 * ```ts
 * const [a, b] = duplex(1024);
 * await someReadableStream.pipeTo(toWritableStream(a));
 * ```
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite, if `options` is neither undefined nor
 * an object, or has an unknown key; TypeError/RangeError for a bad option value.
 */
export function toWritableStream(writer: AsyncWrite, options: ToWritableStreamOptions = {}): WritableStream<Uint8Array> {
  checkWriter("writer", writer);
  checkOptions("toWritableStream", options, WRITABLE_OPTIONS);
  const highWaterMark = checkHighWaterMark("options.highWaterMark", options.highWaterMark);
  // The controller's signal aborts as soon as `abort()` is called: a write stuck on a full
  // writer is dropped then (the stream itself would wait for it before calling `abort`).
  let signal: AbortSignal | undefined;
  return new WritableStream<Uint8Array>(
    {
      start(controller) {
        signal = (controller as { signal?: AbortSignal }).signal; // missing from @types/node 20, present at run time
      },
      async write(chunk) {
        if (!(chunk instanceof Uint8Array)) throw new TypeError("chunk must be a Uint8Array");
        await pumpToPromise(new WriteAll(writer, chunk), undefined, signal);
      },
      async close() {
        await pumpToPromise(new Flush(writer, true), undefined, signal);
      },
    },
    { highWaterMark, size: byteLength },
  );
}
