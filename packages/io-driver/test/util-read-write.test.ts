import { test } from "uvu";
import * as assert from "uvu/assert";
import { Builder, spawn } from "@tokio-ts/runtime";
import { Elapsed, timeout } from "@tokio-ts/time";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import {
  BufReader,
  copy,
  fillBuf,
  readLine,
  readU32,
  writeU32,
  duplex,
  empty,
  flush,
  IoError,
  read,
  readExact,
  readToEnd,
  readToString,
  repeat,
  shutdown,
  sink,
  write,
  writeAll,
  type AsyncWrite,
} from "../src/index.js";
import { BUDGET, fromGenerator, Pending, type Context, type Future, type Poll } from "@tokio-ts/core";
import { dec, enc, makeData, rejection } from "./util-helpers.js";

test("read copies into the caller's buffer and returns the count", async () => {
  const [a, b] = duplex(64);
  await writeAll(a, enc.encode("hello world"));
  const buf = new Uint8Array(5);
  assert.is(await read(b, buf), 5);
  assert.is(dec.decode(buf), "hello");
  assert.is(await read(b, buf), 5);
  assert.is(dec.decode(buf), " worl");
  assert.is(await read(b, buf), 1);
  assert.is(buf[0], "d".charCodeAt(0));
});

test("cancel safety of read: a read dropped while pending loses no byte", () => {
  const [a, b] = duplex(64);
  const buf = new Uint8Array(8);
  const dropped = mockTask(read(b, buf));
  assertPending(dropped.poll());
  dropped.drop();
  assertReady(mockTask(write(a, enc.encode("kept"))).poll(), 4);
  assert.is(buf[0], 0, "the dropped read wrote nothing");
  assertReady(mockTask(read(b, buf)).poll(), 4);
  assert.is(dec.decode(buf.subarray(0, 4)), "kept");
});

test("cancel safety of read under timeout on the paused clock: the data sent after the timeout is read next", async () => {
  const rt = Builder.newCurrentThread().enableTime().startPaused(true).build();
  const got = await rt.blockOn(function* () {
    const [a, b] = duplex(64);
    const buf = new Uint8Array(16);
    let elapsed: unknown;
    try {
      yield* timeout(100, read(b, buf));
    } catch (e) {
      elapsed = e;
    }
    assert.instance(elapsed, Elapsed);
    yield* writeAll(a, enc.encode("after"));
    const n = yield* timeout(100, read(b, buf));
    return dec.decode(buf.subarray(0, n));
  });
  await rt.shutdownTimeout(1000);
  assert.is(got, "after");
});

test("readExact fills the whole buffer across many small writes", async () => {
  const [a, b] = duplex(3);
  const writing = writeAll(a, enc.encode("abcdefghij")).then(() => shutdown(a));
  const buf = new Uint8Array(10);
  assert.is(await readExact(b, buf), 10);
  await writing;
  assert.is(dec.decode(buf), "abcdefghij");
});

test("readExact into an empty buffer is ready at once with 0", () => {
  const [, b] = duplex(3);
  assertReady(mockTask(readExact(b, new Uint8Array(0))).poll(), 0);
});

test("readToEnd of 200 KiB (buffer growth) is byte-exact; of empty() is empty", async () => {
  const data = makeData(200 * 1024 + 17, 5);
  const [a, b] = duplex(4096);
  const writing = writeAll(a, data).then(() => shutdown(a));
  const all = await readToEnd(b);
  await writing;
  assert.equal(all, data);
  assert.is((await readToEnd(empty())).length, 0);
});

test("readToString decodes UTF-8 (multi-byte characters split across writes)", async () => {
  const text = "héllo, wörld — ✓ 🦀";
  const bytes = enc.encode(text);
  const [a, b] = duplex(2);
  const writing = writeAll(a, bytes).then(() => shutdown(a));
  assert.is(await readToString(b), text);
  await writing;
});

test("readToString rejects invalid UTF-8 with INVALID_DATA", async () => {
  const [a, b] = duplex(16);
  await writeAll(a, new Uint8Array([0x61, 0xff, 0xfe]));
  await shutdown(a);
  const e = (await rejection(readToString(b))) as IoError;
  assert.instance(e, IoError);
  assert.is(e.code, "INVALID_DATA");
});

test("writeAll fails with WRITE_ZERO when the writer takes nothing", async () => {
  const zero: AsyncWrite = {
    pollWrite: (_cx: Context, _d: Uint8Array): Poll<number> => 0,
    pollFlush: () => undefined,
    pollShutdown: () => undefined,
  };
  const e = (await rejection(writeAll(zero, enc.encode("x")))) as IoError;
  assert.is(e.code, "WRITE_ZERO");
});

test("flush and shutdown on sink and empty are ready; sink takes everything", async () => {
  assert.is(await write(sink(), new Uint8Array(100_000)), 100_000);
  await flush(sink());
  await shutdown(sink());
  assert.is(await write(empty(), new Uint8Array(3)), 3);
  assert.is(await read(empty(), new Uint8Array(3)), 0);
});

test("repeat fills every buffer with its byte, forever", async () => {
  const buf = new Uint8Array(5000);
  await readExact(repeat(0x61), buf);
  assert.ok(buf.every((x) => x === 0x61));
  assert.throws(() => repeat(256), RangeError);
  assert.throws(() => repeat(-1), RangeError);
  assert.throws(() => repeat("a" as never), TypeError);
});

test("coop: a task reading an endless stream yields to the others (budget), in a runtime", async () => {
  const rt = Builder.newCurrentThread().build();
  const log = await rt.blockOn(function* () {
    const order: string[] = [];
    const other = spawn(function* () {
      order.push("other ran");
    });
    const buf = new Uint8Array(1);
    const src = repeat(1);
    for (let i = 0; i < 1000; i++) {
      yield* read(src, buf);
      if (i === 999) order.push("reader done");
    }
    yield* other;
    return order;
  });
  await rt.shutdownTimeout(1000);
  assert.equal(log, ["other ran", "reader done"]);
});

test("coop: a read spends one budget unit, and with no budget left it yields (Pending and a self-wake)", () => {
  const spent = mockTask(read(repeat(0), new Uint8Array(4)), { budget: 10 });
  assertReady(spent.poll(), 4);
  assert.is(spent.budgetRemaining, 9);
  const starved = mockTask(read(repeat(0), new Uint8Array(4)), { budget: 0 });
  assertPending(starved.poll());
  assert.ok(starved.isWoken());
  assert.is(starved.forcedYields, 1);
});

test("bad input: TypeError naming the argument", () => {
  const [a, b] = duplex(4);
  const isTypeError = (name: string) => (e: unknown) => e instanceof TypeError && (e as Error).message.startsWith(name);
  assert.throws(() => read(b, [1, 2] as never), isTypeError("buf"));
  assert.throws(() => read({} as never, new Uint8Array(1)), isTypeError("reader"));
  assert.throws(() => readExact(null as never, new Uint8Array(1)), isTypeError("reader"));
  assert.throws(() => readExact(b, new ArrayBuffer(4) as never), isTypeError("buf"));
  assert.throws(() => readToEnd("x" as never), isTypeError("reader"));
  assert.throws(() => readToString(42 as never), isTypeError("reader"));
  assert.throws(() => write(a, "text" as never), isTypeError("data"));
  assert.throws(() => write({ pollWrite() {} } as never, new Uint8Array(1)), isTypeError("writer"));
  assert.throws(() => writeAll(a, undefined as never), isTypeError("data"));
  assert.throws(() => flush({} as never), isTypeError("writer"));
  assert.throws(() => shutdown(undefined as never), isTypeError("writer"));
});

test("every read and write utility that fails spends budget: a loop that swallows the error yields after 128", () => {
  // Tokio's coop counts a leaf that completes with an error as progress. Before, a loop that
  // logged a reset socket's ECONNRESET and tried again never yielded: no other task, host
  // timer or signal handler ran again.
  const reset = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
  const broken = {
    pollRead: (): Poll<number> => { throw reset(); },
    pollWrite: (): Poll<number> => { throw reset(); },
    pollFlush: (): Poll<void> => { throw reset(); },
    pollShutdown: (): Poll<void> => { throw reset(); },
  };
  const buf = new Uint8Array(8);
  const ops: Record<string, () => Future<unknown>> = {
    read: () => read(broken, buf),
    readExact: () => readExact(broken, buf),
    readToEnd: () => readToEnd(broken),
    readU32: () => readU32(broken),
    write: () => write(broken, buf),
    writeAll: () => writeAll(broken, buf),
    writeU32: () => writeU32(broken, 7),
    flush: () => flush(broken),
    shutdown: () => shutdown(broken),
    fillBuf: () => fillBuf(new BufReader(broken)),
    readLine: () => readLine(new BufReader(broken)),
    "copy (reader fails)": () => copy(broken, sink()),
    "copy (writer fails)": () => copy(repeat(1), broken),
  };
  for (const [name, op] of Object.entries(ops)) {
    let failed = 0;
    const task = mockTask(
      fromGenerator(function* () {
        for (let i = 0; i < 200; i++) {
          try {
            yield* op();
          } catch (e) {
            assert.is((e as { code?: string }).code, "ECONNRESET", name);
            failed++;
          }
        }
      }),
    );
    // (A copy to a failing writer also spends a unit on each read from `repeat`.)
    const perPoll = name === "copy (writer fails)" ? BUDGET / 2 : BUDGET;
    assertPending(task.poll(), name);
    assert.is(failed, perPoll, name);
    assert.ok(task.isWoken(), name);
    while (task.poll() === Pending) assert.is(failed % perPoll, 0, name);
    assert.is(failed, 200, name);
  }
});

test.run();
