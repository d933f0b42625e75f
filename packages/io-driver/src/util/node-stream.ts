/**
 * Bridges between the stream protocol and Node's streams, both ways:
 * - {@link fromNodeReadable}: an {@link AsyncRead} over a `stream.Readable` (a file stream, a
 *   child process's stdout, an HTTP body, `process.stdin`);
 * - {@link toNodeReadable}: a `stream.Readable` that reads an AsyncRead (to `pipe` or
 *   `pipeline` it, or hand it to an API that takes a Node stream);
 * - {@link fromNodeWritable} and {@link toNodeWritable}: the same for writers.
 *
 * HOW, and how backpressure holds:
 * - NodeReader keeps the Readable in paused mode (a `'readable'` listener) and calls `read()`
 *   only when polled: Node buffers up to its highWaterMark and then stops pulling from the
 *   source. One chunk at a time is kept (`chunk`, `pos`) and copied into the caller's buffers.
 *   `'readable'` and `finished()` (end, error, premature close) wake the one waiting reader.
 * - NodeWriter copies each accepted prefix (at most the Writable's highWaterMark in bytes; 16 KiB
 *   for a highWaterMark of 0 or an objectMode stream) into a new
 *   Buffer (the caller may reuse its array at once), counts writes whose callback has not run
 *   (`inFlight`), and returns Pending while the Writable needs a drain: memory stays within
 *   the Writable's own bound. Flush waits until `inFlight` is 0; shutdown calls `end()` and
 *   waits for `finished()`. The writer and the flusher have separate waker slots.
 * - toNodeReadable/toNodeWritable drive the protocol with a {@link Pump}: a waker that re-polls
 *   on the microtask queue, so they work with or without a runtime. The Readable pulls one
 *   chunk per `_read` and stops when `push` returns false; the Writable completes each
 *   `_write` only when all of the chunk was written (Node then holds the rest back).
 * Errors flow both ways: a Node stream's error is thrown from the next poll (as an
 * {@link IoError} of the kind of its OS code, `"OTHER"` without one, with the Node error as
 * `cause`; a stream destroyed before its end
 * is `"UNEXPECTED_EOF"` for a reader, `"BROKEN_PIPE"` for a writer); a protocol error destroys
 * the Node stream with that error.
 */
import { finished, Readable, Writable } from "node:stream";
import { Pending, type Context, type Poll, type Waker } from "@tokio-ts/core";
import type { AsyncRead, AsyncWrite } from "../protocol.js";
import { brokenPipe, hostError, IoError } from "./errors.js";
import { checkBuffer, checkBufferSize, checkOptions, checkReader, checkWriter } from "./internal/check.js";
import { Pump } from "./internal/pump.js";
import { Read } from "./read.js";
import { Flush, WriteAll } from "./write.js";

/**
 * Options of {@link toNodeReadable}.
 *
 * @example
 * ```ts
 * const readable = toNodeReadable(reader, { highWaterMark: 64 * 1024, chunkSize: 16 * 1024 });
 * ```
 */
export interface ToNodeReadableOptions {
  /** The Readable's highWaterMark in bytes (default: Node's, 16 KiB on Node 20). */
  readonly highWaterMark?: number | undefined;
  /** The most bytes read (and pushed) at a time; default 16 KiB. */
  readonly chunkSize?: number | undefined;
}

/**
 * Options of {@link toNodeWritable}.
 *
 * @example
 * ```ts
 * const writable = toNodeWritable(writer, { highWaterMark: 64 * 1024 });
 * ```
 */
export interface ToNodeWritableOptions {
  /** The Writable's highWaterMark in bytes (default: Node's, 16 KiB on Node 20). */
  readonly highWaterMark?: number | undefined;
}

const DEFAULT_CHUNK = 16 * 1024;
/** The smallest cap of one write to a Node Writable (its highWaterMark, when larger, is the cap). */
const MIN_WRITE = 16 * 1024;
const READABLE_OPTIONS = ["highWaterMark", "chunkSize"] as const;
const WRITABLE_OPTIONS = ["highWaterMark"] as const;

function wakeSlot(waker: Waker | undefined): undefined {
  waker?.wake();
  return undefined;
}

function checkNodeReadable(name: string, value: unknown): asserts value is Readable {
  const v = value as Readable | null;
  if (typeof v !== "object" || v === null || typeof v.read !== "function" || typeof v.on !== "function") {
    throw new TypeError(`${name} must be a Node stream.Readable`);
  }
}

function checkNodeWritable(name: string, value: unknown): asserts value is Writable {
  const v = value as Writable | null;
  if (typeof v !== "object" || v === null || typeof v.write !== "function" || typeof v.end !== "function" || typeof v.on !== "function") {
    throw new TypeError(`${name} must be a Node stream.Writable`);
  }
}

function checkHighWaterMark(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "number") throw new TypeError(`${name} must be a number of bytes, got ${value === null ? "null" : typeof value}`);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer number of bytes, got ${value}`);
}

/**
 * An {@link AsyncRead} over a Node `stream.Readable` (see the module header). Get one with
 * {@link fromNodeReadable}; `close()` (or `using`) detaches it from the stream.
 *
 * @example
 * ```ts
 * const file = fromNodeReadable(fs.createReadStream("data.bin"));
 * const bytes = yield* readToEnd(file);
 * ```
 */
export class NodeReader implements AsyncRead, Disposable {
  readonly #stream: Readable;
  #chunk: Uint8Array | undefined = undefined;
  #pos = 0;
  #ended = false;
  #failed = false;
  #closed = false;
  #error: unknown = undefined;
  #waker: Waker | undefined = undefined;
  /** The `'readable'` listener is on: added at the first poll that finds nothing to take. */
  #listening = false;
  readonly #onReadable = (): void => {
    this.#waker = wakeSlot(this.#waker);
  };
  readonly #stopFinished: () => void;

  /** @hidden Use {@link fromNodeReadable}. */
  constructor(stream: Readable) {
    this.#stream = stream;
    // No 'readable' listener yet: adding one makes Node start reading (a pending read of stdin
    // keeps the process alive), and this reader reads only when polled.
    this.#stopFinished = finished(stream, { writable: false }, (error) => {
      if (error) {
        this.#failed = true;
        this.#error = hostError("the Node stream", error, "UNEXPECTED_EOF");
      } else this.#ended = true;
      this.#waker = wakeSlot(this.#waker);
    });
  }

  /** The Node stream read from. */
  get stream(): Readable {
    return this.#stream;
  }

  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    checkBuffer("buf", buf);
    if (this.#closed) throw new IoError("NOT_CONNECTED", "the NodeReader was closed: it no longer reads its stream");
    if (buf.length === 0) return 0;
    for (;;) {
      const chunk = this.#chunk;
      if (chunk !== undefined) {
        const n = Math.min(buf.length, chunk.length - this.#pos);
        buf.set(chunk.subarray(this.#pos, this.#pos + n));
        this.#pos += n;
        if (this.#pos === chunk.length) this.#chunk = undefined;
        return n;
      }
      if (this.#failed) throw this.#error;
      const next: unknown = this.#stream.read();
      if (next !== null) {
        if (typeof next === "string") this.#chunk = Buffer.from(next);
        else if (next instanceof Uint8Array) this.#chunk = next;
        else throw new TypeError("the Node stream gave a chunk that is neither bytes nor a string");
        this.#pos = 0;
        if (this.#chunk.length === 0) this.#chunk = undefined;
        continue;
      }
      if (this.#ended) return 0;
      this.#waker = cx.waker;
      if (!this.#listening) {
        this.#listening = true;
        this.#stream.on("readable", this.#onReadable);
      }
      return Pending;
    }
  }

  /**
   * Detach from the stream (its listeners are removed; the stream itself is left open). A read
   * pending on this reader is woken and, like every later one, fails (`"NOT_CONNECTED"`).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#listening) this.#stream.off("readable", this.#onReadable);
    this.#listening = false;
    this.#stopFinished();
    this.#waker = wakeSlot(this.#waker);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Read a Node `stream.Readable` through the stream protocol: an {@link AsyncRead} whose reads
 * copy into the caller's buffer. Backpressure holds (the stream is only read when polled),
 * the stream's end is EOF, and its error (or a destroy before the end) is thrown by the next
 * read as an {@link IoError} whose `cause` is the Node error.
 *
 * @example
 * ```ts
 * const stdin = new BufReader(fromNodeReadable(process.stdin));
 * for await (const line of lines(stdin)) console.log(line.toUpperCase());
 * ```
 *
 * **Throws**: TypeError if `stream` is not a Node Readable.
 */
export function fromNodeReadable(stream: Readable): NodeReader {
  checkNodeReadable("stream", stream);
  return new NodeReader(stream);
}

/**
 * The Readable of {@link toNodeReadable}. The reader's error while bytes it read are still
 * buffered (`failure`) would discard them if it destroyed the stream at once, so the stream is
 * destroyed once the consumer has taken them: every `read()` — paused and flowing mode, and
 * `for await` — goes through this one.
 */
class BridgeReadable extends Readable {
  failure: { error: Error } | undefined = undefined;

  override read(size?: number): unknown {
    const out: unknown = super.read(size);
    const failure = this.failure;
    if (failure !== undefined && this.readableLength === 0 && !this.destroyed) this.destroy(failure.error);
    return out;
  }
}

/**
 * A Node `stream.Readable` that reads `reader`: each `_read` polls `reader` (with a waker that
 * re-polls it, so no runtime is needed) and pushes one chunk of at most `chunkSize` bytes; the
 * reader's EOF ends the stream, its error destroys the stream with that error once the bytes
 * read before it have been taken. Reading stops
 * while the Readable's buffer is full. Destroying the Readable stops reading but does not close
 * `reader` (the AsyncRead protocol has no close): close a socket behind it yourself.
 *
 * @example
 * ```ts
 * const [a, b] = duplex(1024);
 * await pipeline(toNodeReadable(b), fs.createWriteStream("out.bin"));
 * ```
 *
 * **Throws**: TypeError if `reader` is not an AsyncRead, if `options` is neither undefined nor
 * an object, or has an unknown key; TypeError/RangeError for a bad option value (`chunkSize`
 * must be an integer in 1..2^30).
 */
export function toNodeReadable(reader: AsyncRead, options: ToNodeReadableOptions = {}): Readable {
  checkReader("reader", reader);
  checkOptions("toNodeReadable", options, READABLE_OPTIONS);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  checkBufferSize("options.chunkSize", chunkSize);
  checkHighWaterMark("options.highWaterMark", options.highWaterMark);
  const scratch = new Uint8Array(chunkSize);
  let pump: Pump<number> | undefined;
  let done = false;
  const readable = new BridgeReadable({
    ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
    read() {
      if (pump !== undefined || done) return;
      pump = new Pump(new Read(reader, scratch), (error, n, failed) => {
        pump = undefined;
        if (failed) {
          done = true;
          if (readable.readableLength === 0) readable.destroy(error as Error);
          else readable.failure = { error: error as Error };
        } else if (n === 0) {
          done = true;
          readable.push(null);
        } else {
          // Node calls read() again once its buffer has room (at once if push returned true).
          readable.push(Buffer.from(scratch.subarray(0, n)));
        }
      });
      pump.run();
    },
    destroy(error, callback) {
      done = true;
      pump?.cancel();
      pump = undefined;
      callback(error);
    },
  });
  return readable;
}

/**
 * An {@link AsyncWrite} over a Node `stream.Writable` (see the module header). Get one with
 * {@link fromNodeWritable}; `close()` (or `using`) detaches it from the stream.
 *
 * @example
 * ```ts
 * const out = fromNodeWritable(fs.createWriteStream("copy.bin"));
 * yield* copy(source, out);
 * yield* shutdown(out); // end() and wait for 'finish'
 * ```
 */
export class NodeWriter implements AsyncWrite, Disposable {
  readonly #stream: Writable;
  #inFlight = 0;
  #ending = false;
  #finished = false;
  #failed = false;
  #closed = false;
  #error: unknown = undefined;
  #writeWaker: Waker | undefined = undefined;
  #flushWaker: Waker | undefined = undefined;
  readonly #onDrain = (): void => {
    this.#writeWaker = wakeSlot(this.#writeWaker);
  };
  readonly #onWritten = (error?: Error | null): void => {
    this.#inFlight--;
    if (error) this.#fail(error);
    if (this.#inFlight === 0) this.#flushWaker = wakeSlot(this.#flushWaker);
  };
  readonly #stopFinished: () => void;
  /**
   * The stream emitted 'finish'. Seen here rather than read from `writableFinished` when
   * `finished()` calls back: for stdio streams Node resets that flag as they close, and a
   * `process.stdout` that is a file calls back only then (a shutdown that had succeeded failed).
   */
  #sawFinish = false;
  readonly #onFinish = (): void => {
    this.#sawFinish = true;
  };

  /** @hidden Use {@link fromNodeWritable}. */
  constructor(stream: Writable) {
    this.#stream = stream;
    stream.on("drain", this.#onDrain);
    stream.once("finish", this.#onFinish);
    this.#stopFinished = finished(stream, { readable: false }, (error) => {
      if (error) this.#fail(error);
      // finished() also calls a stream destroyed while its final() ran a success; only 'finish'
      // (everything handed on and the write side closed) is one.
      else if (!this.#sawFinish && !stream.writableFinished) this.#fail(brokenPipe("the Node stream was destroyed before it finished"));
      else this.#finished = true;
      this.#writeWaker = wakeSlot(this.#writeWaker);
      this.#flushWaker = wakeSlot(this.#flushWaker);
    });
  }

  /** The Node stream written to. */
  get stream(): Writable {
    return this.#stream;
  }

  pollWrite(cx: Context, data: Uint8Array): Poll<number> {
    checkBuffer("data", data);
    this.#checkOpen();
    if (this.#failed) throw this.#error;
    const stream = this.#stream;
    if (this.#ending || this.#finished || stream.destroyed || stream.writableEnded) {
      // Destroyed with an error that 'error' has not brought yet (Node emits it a tick later):
      // that error is the one to report, as a read does.
      if (stream.errored) this.#fail(stream.errored);
      if (this.#failed) throw this.#error;
      throw brokenPipe("the Node stream is closed for writing");
    }
    if (data.length === 0) return 0;
    if (stream.writableNeedDrain) {
      this.#writeWaker = cx.waker;
      return Pending;
    }
    // One write of up to the stream's highWaterMark (the memory bound), in bytes. A highWaterMark
    // of 0, or an objectMode stream's (it counts chunks), says nothing about bytes: MIN_WRITE
    // then, not tiny writes that each wait for a drain.
    const hwm = stream.writableHighWaterMark;
    const cap = stream.writableObjectMode || hwm < 1 ? MIN_WRITE : hwm;
    const n = Math.min(data.length, cap);
    this.#inFlight++;
    stream.write(Buffer.from(data.subarray(0, n)), this.#onWritten);
    return n;
  }

  pollFlush(cx: Context): Poll<void> {
    this.#checkOpen();
    if (this.#stream.errored) this.#fail(this.#stream.errored);
    if (this.#failed) throw this.#error;
    if (this.#inFlight === 0) return undefined;
    this.#flushWaker = cx.waker;
    return Pending;
  }

  pollShutdown(cx: Context): Poll<void> {
    this.#checkOpen();
    if (this.#stream.errored) this.#fail(this.#stream.errored);
    if (this.#failed) throw this.#error;
    if (this.#finished) return undefined;
    if (!this.#ending) {
      this.#ending = true;
      this.#stream.end();
    }
    this.#flushWaker = cx.waker;
    return Pending;
  }

  /**
   * Detach from the stream (its listeners are removed; the stream itself is left open). A write,
   * flush or shutdown pending on this writer is woken and, like every later one, fails
   * (`"BROKEN_PIPE"`).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream.off("drain", this.#onDrain);
    this.#stream.off("finish", this.#onFinish);
    this.#stopFinished();
    this.#writeWaker = wakeSlot(this.#writeWaker);
    this.#flushWaker = wakeSlot(this.#flushWaker);
  }

  #checkOpen(): void {
    if (this.#closed) throw brokenPipe("the NodeWriter was closed: it no longer writes its stream");
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#error = hostError("the Node stream", error, "BROKEN_PIPE");
    this.#writeWaker = wakeSlot(this.#writeWaker);
    this.#flushWaker = wakeSlot(this.#flushWaker);
  }
}

/**
 * Write to a Node `stream.Writable` through the stream protocol. A write is Pending while the
 * stream needs a drain (its highWaterMark bounds the memory); `flush` waits until Node has
 * handed every accepted byte on; `shutdown` calls `end()` and waits for `'finish'`. The
 * stream's error is thrown by the next call as an {@link IoError} whose `cause` is the Node
 * error; a write after shutdown is BROKEN_PIPE.
 *
 * @example
 * ```ts
 * const stdout = fromNodeWritable(process.stdout);
 * yield* writeAll(stdout, new TextEncoder().encode("hello\n"));
 * yield* flush(stdout);
 * ```
 *
 * **Throws**: TypeError if `stream` is not a Node Writable.
 */
export function fromNodeWritable(stream: Writable): NodeWriter {
  checkNodeWritable("stream", stream);
  return new NodeWriter(stream);
}

/**
 * A Node `stream.Writable` that writes into `writer`: each chunk is written whole
 * (`writeAll`, driven by a waker that re-polls it, so no runtime is needed) before Node sends
 * the next; `end()` shuts `writer` down (flushing it) before `'finish'`; an error of `writer`
 * destroys the Writable with that error. Destroying the Writable does not close `writer`.
 *
 * @example
 * ```ts
 * const [a, b] = duplex(1024);
 * await pipeline(fs.createReadStream("in.bin"), toNodeWritable(a));
 * ```
 *
 * **Throws**: TypeError if `writer` is not an AsyncWrite, if `options` is neither undefined nor
 * an object, or has an unknown key; TypeError/RangeError for a bad option value.
 */
export function toNodeWritable(writer: AsyncWrite, options: ToNodeWritableOptions = {}): Writable {
  checkWriter("writer", writer);
  checkOptions("toNodeWritable", options, WRITABLE_OPTIONS);
  checkHighWaterMark("options.highWaterMark", options.highWaterMark);
  let pump: Pump<void> | undefined;
  let pending: ((error?: Error | null) => void) | undefined;
  const run = (future: WriteAll | Flush, callback: (error?: Error | null) => void): void => {
    pending = callback;
    pump = new Pump<void>(future, (error, _v, failed) => {
      pump = undefined;
      pending = undefined;
      callback(failed ? (error as Error) : null);
    });
    pump.run();
  };
  return new Writable({
    ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
    write(chunk: Buffer, _encoding, callback) {
      run(new WriteAll(writer, chunk), callback);
    },
    final(callback) {
      run(new Flush(writer, true), callback);
    },
    destroy(error, callback) {
      pump?.cancel();
      pump = undefined;
      // The write (or final) in flight is told, as a Node Writable tells it; Node fails the
      // queued ones with ERR_STREAM_DESTROYED itself.
      const inFlight = pending;
      pending = undefined;
      inFlight?.(error ?? Object.assign(new Error("the stream was destroyed before the write completed"), { code: "ERR_STREAM_DESTROYED" }));
      callback(error);
    },
  });
}
