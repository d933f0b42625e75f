// The utilities against readers that use all the freedom the AsyncRead / AsyncBufRead protocol
// gives them (a buffer that `consume` moves), and against readers that break it (a count larger
// than the buffer): the first must work, the second must fail loudly (Tokio panics), never
// invent or lose bytes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Context, Poll } from "@tokio-ts/core";
import { assertPending, mockTask } from "@tokio-ts/test-util";
import { BufReader, bytesReader, bytesWriter, copy, IoError, lines, read, readExact, readLine, readToEnd, readU16, readUntil, take, toReadableStream, writeAll, type AsyncBufRead, type AsyncRead, type AsyncWrite } from "../src/index.js";
import { dec, enc } from "./util-helpers.js";

/** A valid AsyncBufRead whose `consume` moves the bytes left to the front of its array. */
class CompactingReader implements AsyncBufRead, AsyncRead {
  readonly #buf: Uint8Array;
  #len: number;
  constructor(text: string | Uint8Array) {
    this.#buf = typeof text === "string" ? enc.encode(text) : text;
    this.#len = this.#buf.length;
  }
  pollRead(_cx: Context, out: Uint8Array): Poll<number> {
    const n = Math.min(out.length, this.#len);
    out.set(this.#buf.subarray(0, n));
    this.consume(n);
    return n;
  }
  pollFillBuf(): Poll<Uint8Array> {
    return this.#buf.subarray(0, this.#len);
  }
  consume(n: number): void {
    this.#buf.copyWithin(0, n, this.#len);
    this.#len -= n;
  }
}

/** A broken reader: claims `claim` bytes whatever the buffer's size, writing none. */
class OverclaimingReader implements AsyncRead {
  constructor(private readonly claim: number) {}
  pollRead(): Poll<number> {
    return this.claim;
  }
}

test("readLine, readUntil and lines read the line before they consume it (a consume may move the reader's bytes)", async () => {
  assert.is(await readLine(new CompactingReader("first\nsecond\n")), "first\n");
  assert.is(dec.decode(await readUntil(new CompactingReader("key\0value"), 0)), "key\0");
  const got: string[] = [];
  for await (const line of lines(new CompactingReader("a\nbb\nccc\n"))) got.push(line);
  assert.equal(got, ["a", "bb", "ccc"]);
  // an invalid line is still consumed (skipped), and the next one is whole
  const it = lines(new CompactingReader(new Uint8Array([0xff, 0x0a, 0x6f, 0x6b, 0x0a])));
  await it.nextLine().then(
    () => assert.unreachable("an invalid line decoded"),
    (e: unknown) => assert.is((e as { kind?: unknown }).kind, "INVALID_DATA"),
  );
  assert.is(await it.nextLine(), "ok");
});

test("BufReader.consume checks n: a negative, fractional or non-number n is a RangeError/TypeError, not invented or repeated bytes", async () => {
  const r = new BufReader(bytesReader(enc.encode("abc")));
  await readUntil(r, 0x62); // fills the buffer
  for (const bad of [-2, 0.5, Number.NaN, Infinity]) assert.throws(() => r.consume(bad), RangeError, String(bad));
  assert.throws(() => r.consume("1" as never), TypeError);
  assert.is(dec.decode(await readToEnd(r)), "c", "nothing was changed by the refused calls");
});

test("a reader that returns more than the buffer holds fails read, readExact, readToEnd and BufReader with a RangeError", async () => {
  const message = /pollRead returned 5 for a 4-byte buffer/;
  await read(new OverclaimingReader(5), new Uint8Array(4)).then(
    () => assert.unreachable("read resolved"),
    (e: unknown) => assert.ok(e instanceof RangeError && message.test(e.message), String(e)),
  );
  await readExact(new OverclaimingReader(5), new Uint8Array(4)).then(
    () => assert.unreachable("readExact resolved"),
    (e: unknown) => assert.ok(e instanceof RangeError && message.test(e.message), String(e)),
  );
  await readToEnd(new OverclaimingReader(1025)).then(
    () => assert.unreachable("readToEnd resolved"),
    (e: unknown) => assert.ok(e instanceof RangeError, String(e)),
  );
  await readLine(new BufReader(new OverclaimingReader(1e6), 16)).then(
    () => assert.unreachable("BufReader resolved"),
    (e: unknown) => assert.ok(e instanceof RangeError, String(e)),
  );
  await read(new OverclaimingReader(1.5), new Uint8Array(4)).then(
    () => assert.unreachable("a fractional count resolved"),
    (e: unknown) => assert.ok(e instanceof RangeError, String(e)),
  );
});

test("lines asks the reader again after an end of stream (Tokio's next_line): a take() given a new limit goes on", async () => {
  const limited = take(new BufReader(bytesReader(enc.encode("a\nb\n"))), 2);
  const it = lines(limited);
  assert.is(await it.nextLine(), "a");
  assert.is(await it.nextLine(), undefined, "the limit is an end of stream");
  limited.setLimit(2);
  assert.is(await it.nextLine(), "b");
  assert.is(await it.nextLine(), undefined);
});

/** A reader that fails with INTERRUPTED `interruptions` times before each byte it gives. */
class InterruptingReader implements AsyncRead {
  #left: number;
  #pos = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly interruptions: number,
  ) {
    this.#left = interruptions;
  }
  pollRead(_cx: Context, buf: Uint8Array): Poll<number> {
    if (this.#left > 0) {
      this.#left--;
      throw new IoError("INTERRUPTED", "interrupted");
    }
    this.#left = this.interruptions;
    if (this.#pos >= this.bytes.length) return 0;
    buf[0] = this.bytes[this.#pos++]!;
    return 1;
  }
}

test("an INTERRUPTED error is retried by the integer reads and by copy through a buffered reader (Tokio's read_int and copy_buf); other reads pass it on", async () => {
  assert.is(await readU16(new InterruptingReader(Uint8Array.of(1, 2), 2)), 0x0102);
  let failures = 1;
  const writer = bytesWriter();
  const flaky: AsyncWrite = {
    pollWrite(cx, data) {
      if (failures-- > 0) throw new IoError("INTERRUPTED", "interrupted");
      failures = 1;
      return writer.pollWrite(cx, data.subarray(0, 1));
    },
    pollFlush: (cx) => writer.pollFlush(cx),
    pollShutdown: (cx) => writer.pollShutdown(cx),
  };
  assert.is(await copy(new BufReader(new InterruptingReader(enc.encode("abcd"), 1), 2), flaky), 4);
  assert.is(dec.decode(writer.bytes()), "abcd");
  await read(new InterruptingReader(Uint8Array.of(1), 1), new Uint8Array(1)).then(
    () => assert.unreachable("read retried"),
    (e: unknown) => assert.is((e as IoError).kind, "INTERRUPTED"),
  );
  // the retries spend the budget: a reader interrupted for ever still lets the task yield
  const spinning = mockTask(readU16(new InterruptingReader(Uint8Array.of(1, 2), 1e9)));
  assertPending(spinning.poll());
  assert.ok(spinning.isWoken(), "the read yields with a self-wake, then goes on");
});

test("a writer that returns more than it was given fails writeAll and copy with a RangeError, instead of spinning for ever", async () => {
  const overclaiming: AsyncWrite = { pollWrite: (_cx, data) => data.length + 1, pollFlush: () => undefined, pollShutdown: () => undefined };
  for (const run of [() => writeAll(overclaiming, enc.encode("abc")), () => copy(bytesReader(enc.encode("abc")), overclaiming), () => copy(new BufReader(bytesReader(enc.encode("abc"))), overclaiming)]) {
    await run().then(
      () => assert.unreachable("resolved"),
      (e: unknown) => assert.ok(e instanceof RangeError && /pollWrite returned 4 for 3 bytes/.test(e.message), String(e)),
    );
  }
});

test("toReadableStream delivers the bytes read before the reader's error, then the error (tokio-util's ReaderStream), even to a late consumer", async () => {
  let remaining = 8000;
  const failing: AsyncRead = {
    pollRead(_cx, buf) {
      if (remaining === 0) throw new IoError("INVALID_INPUT", "bad read");
      const n = Math.min(remaining, buf.length, 31);
      buf.fill(0, 0, n);
      remaining -= n;
      return n;
    },
  };
  const stream = toReadableStream(failing);
  await new Promise((resolve) => setImmediate(resolve)); // the bridge pulls ahead meanwhile
  let bytes = 0;
  let error: unknown;
  try {
    for await (const chunk of stream) bytes += chunk.length;
  } catch (e) {
    error = e;
  }
  assert.is(bytes, 8000, "every byte read before the error");
  assert.is((error as IoError).kind, "INVALID_INPUT");
});

test.run();
