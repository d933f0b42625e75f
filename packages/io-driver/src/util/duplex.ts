/**
 * `duplex(maxBufSize)`: an in-memory, bidirectional pipe pair (Tokio's `io::duplex`) — two
 * connected {@link DuplexStream}s, for tests and for connecting two parts of a program with
 * the stream protocol and no socket.
 *
 * HOW. The pair shares two one-way {@link Pipe}s: A writes into `ab` and reads from `ba`; B the
 * other way round. A pipe is a bounded byte ring (`maxBufSize` bytes) plus:
 * - `readWaker`: the reader waiting for bytes (set by pollRead when the ring is empty and the
 *   pipe open; taken and woken by a write or a close);
 * - `writeWaker`: the writer waiting for room (set by pollWrite when the ring is full; taken
 *   and woken by a read that freed room, or a close);
 * - `closed`: set once, by the writer's `shutdown` or close (the reader drains what is left,
 *   then reads EOF) or by the reader's close (the writer's next write fails with BROKEN_PIPE).
 * One reader and one writer per pipe, so one waker slot each; the read and write sides of a
 * stream use different pipes, so a stream split between two tasks never loses a wake-up.
 *
 * The poll methods do not spend the coop budget: the futures that drive them (`read`,
 * `writeAll`, `copy`, …) spend one unit per call that made progress.
 */
import type { Context, Poll, Waker } from "@tokio-ts/core";
import { Pending } from "@tokio-ts/core";
import type { AsyncRead, AsyncWrite } from "../protocol.js";
import { brokenPipe } from "./errors.js";
import { ByteRing } from "./internal/byte-ring.js";
import { checkBuffer, checkSize } from "./internal/check.js";

/** One direction of a duplex pair (see the module header). */
class Pipe {
  readonly ring: ByteRing;
  readWaker: Waker | undefined = undefined;
  writeWaker: Waker | undefined = undefined;
  closed = false;
  /** Closed by its writer (shut down) rather than by its reader: says whom a late write blames. */
  shutDown = false;

  constructor(max: number) {
    this.ring = new ByteRing(max);
  }

  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    if (buf.length === 0) return 0;
    const n = this.ring.read(buf);
    if (n > 0) {
      this.wakeWriter();
      return n;
    }
    if (this.closed) return 0;
    this.readWaker = cx.waker;
    return Pending;
  }

  pollWrite(cx: Context, data: Uint8Array): Poll<number> {
    if (this.closed) {
      throw brokenPipe(this.shutDown ? "this end of the duplex stream was shut down for writing" : "the other end of the duplex stream is closed");
    }
    if (data.length === 0) return 0;
    const n = this.ring.write(data);
    if (n > 0) {
      this.wakeReader();
      return n;
    }
    this.writeWaker = cx.waker;
    return Pending;
  }

  close(byWriter: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.shutDown = byWriter;
    this.wakeReader();
    this.wakeWriter();
  }

  wakeReader(): void {
    const waker = this.readWaker;
    this.readWaker = undefined;
    waker?.wake();
  }

  wakeWriter(): void {
    const waker = this.writeWaker;
    this.writeWaker = undefined;
    waker?.wake();
  }
}

/**
 * Create a connected pair of in-memory streams. What one writes the other reads; each
 * direction buffers at most `maxBufSize` bytes, and a writer waits (Pending) while that many
 * are unread. Closing one end gives the other EOF on read (after the bytes already written)
 * and an {@link IoError} `"BROKEN_PIPE"` on write.
 *
 * @example
 * ```ts
 * const [client, server] = duplex(64);
 * yield* writeAll(client, new TextEncoder().encode("ping"));
 * const buf = new Uint8Array(4);
 * yield* readExact(server, buf); // "ping"
 * ```
 *
 * **Throws**: TypeError/RangeError if `maxBufSize` is not a positive integer.
 */
export function duplex(maxBufSize: number): [DuplexStream, DuplexStream] {
  checkSize("maxBufSize", maxBufSize);
  const ab = new Pipe(maxBufSize);
  const ba = new Pipe(maxBufSize);
  return [new DuplexStream(ba, ab), new DuplexStream(ab, ba)];
}

/**
 * One end of a {@link duplex} pair: an {@link AsyncRead} and {@link AsyncWrite}. `close()` (or
 * `using`) drops it: the peer reads EOF and its writes fail with BROKEN_PIPE.
 *
 * @example
 * ```ts
 * const [a, b] = duplex(1024);
 * {
 *   using end = a;
 *   yield* writeAll(end, bytes);
 * } // a is closed here
 * const all = yield* readToEnd(b); // bytes, then EOF
 * ```
 */
export class DuplexStream implements AsyncRead, AsyncWrite, Disposable {
  readonly #in: Pipe;
  readonly #out: Pipe;

  /** @hidden Use {@link duplex}. */
  constructor(incoming: Pipe, outgoing: Pipe) {
    this.#in = incoming;
    this.#out = outgoing;
  }

  /** Read what the peer wrote into `buf`; 0 at EOF (peer shut down or closed). */
  pollRead(cx: Context, buf: Uint8Array): Poll<number> {
    checkBuffer("buf", buf);
    return this.#in.pollRead(cx, buf);
  }

  /** Buffer a prefix of `data` for the peer; Pending while `maxBufSize` bytes are unread. */
  pollWrite(cx: Context, data: Uint8Array): Poll<number> {
    checkBuffer("data", data);
    return this.#out.pollWrite(cx, data);
  }

  /** Always ready: bytes are visible to the peer as soon as they are written. */
  pollFlush(_cx: Context): Poll<void> {
    return undefined;
  }

  /** Close the write side: the peer reads the remaining bytes, then EOF. Reading stays open. */
  pollShutdown(_cx: Context): Poll<void> {
    this.#out.close(true);
    return undefined;
  }

  /** Drop this end: shut down the write side and close the read side (see the class doc). Idempotent. */
  close(): void {
    this.#out.close(true);
    this.#in.close(false);
  }

  /** `using stream = …`: {@link close} at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}
