// duplex(maxBuf) against a byte-stream model: random maxBuf, random write and read sizes,
// random schedules (seeded run queue + paused-clock sleeps). Checks: bytes out == bytes in, in
// order, nothing lost or duplicated, EOF exactly after the last byte, backpressure bound.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { yieldNow } from "@tokio-ts/core";
import { duplex, IoError, read, readExact, readToEnd, shutdown, write, writeAll, type DuplexStream } from "@tokio-ts/io-driver";
import { assertStreamAt, CountingReader, CountingWriter, size, stream } from "./helpers.js";

const OPTS = { enableTime: true, startPaused: true } as const;

function pickMaxBuf(rng: SeededRng): number {
  switch (rng.below(4)) {
    case 0:
      return rng.between(1, 8);
    case 1:
      return rng.between(1, 300);
    case 2:
      return rng.between(4000, 9000); // past the ring's first allocation (4 KiB): it grows
    default:
      return rng.between(300, 4096);
  }
}

/** Write `total` bytes of the reference stream `salt` into `w` in random pieces, then shut down. */
function* writer(w: DuplexStream, salt: number, total: number, rng: SeededRng) {
  let pos = 0;
  while (pos < total) {
    const len = Math.min(total - pos, size(rng, 5000));
    const data = stream(salt, pos, len);
    if (rng.below(2) === 0) {
      const n = yield* write(w, data);
      assert.ok(n >= 1 && n <= len, `write took ${n} of ${len}`);
      pos += n;
    } else {
      yield* writeAll(w, data);
      pos += len;
    }
    const r = rng.below(6);
    if (r === 0) yield* yieldNow();
    else if (r === 1) yield* sleep(rng.between(0, 3));
  }
  yield* shutdown(w);
  // Writing after this end's own shutdown is BROKEN_PIPE; reading stays open.
  try {
    yield* write(w, new Uint8Array(1));
    assert.unreachable("write after shutdown succeeded");
  } catch (e) {
    assert.is((e as IoError).code, "BROKEN_PIPE");
  }
  return pos;
}

/** Read the reference stream `salt` from `r` in random pieces, checking each byte, until EOF. */
function* reader(r: DuplexStream, salt: number, total: number, rng: SeededRng) {
  let pos = 0;
  for (;;) {
    const op = rng.below(7);
    if (op === 0 && pos < total) {
      const len = Math.min(total - pos, size(rng, 3000));
      const buf = new Uint8Array(len);
      yield* readExact(r, buf);
      assertStreamAt(salt, pos, buf, "readExact");
      pos += len;
    } else if (op === 1 && rng.below(4) === 0) {
      const all = yield* readToEnd(r);
      assertStreamAt(salt, pos, all, "readToEnd");
      pos += all.length;
      break;
    } else {
      const buf = new Uint8Array(size(rng, 6000));
      const n = yield* read(r, buf);
      if (n === 0) break;
      assertStreamAt(salt, pos, buf.subarray(0, n), "read");
      pos += n;
    }
    if (rng.below(5) === 0) yield* sleep(rng.between(0, 3));
  }
  assert.is(pos, total, "EOF came after exactly every byte written");
  // EOF is sticky.
  assert.is(yield* read(r, new Uint8Array(8)), 0);
  assert.is((yield* readToEnd(r)).length, 0);
  return pos;
}

test("duplex: both directions deliver every byte once, in order, then EOF (random maxBuf, sizes, schedules)", async () => {
  await forEachSeed(
    150,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 7919 + 1);
        const maxBuf = pickMaxBuf(rng);
        const [a, b] = duplex(maxBuf);
        const totalAB = rng.below(5) === 0 ? 0 : rng.between(1, 20000);
        const totalBA = rng.between(0, 8000);
        const tasks = [
          spawn(writer(a, 11, totalAB, new SeededRng(seed + 100))),
          spawn(reader(b, 11, totalAB, new SeededRng(seed + 200))),
          spawn(writer(b, 22, totalBA, new SeededRng(seed + 300))),
          spawn(reader(a, 22, totalBA, new SeededRng(seed + 400))),
        ];
        const out: number[] = [];
        for (const t of tasks) out.push(yield* t);
        assert.equal(out, [totalAB, totalAB, totalBA, totalBA]);
      }),
    OPTS,
  );
});

test("duplex: a writer never has more than maxBuf bytes unread, and a slow reader fills it exactly", async () => {
  await forEachSeed(
    120,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 31 + 5);
        const maxBuf = pickMaxBuf(rng);
        const [a, b] = duplex(maxBuf);
        const total = rng.between(maxBuf + 1, maxBuf * 4 + 2000);
        let maxUnread = 0;
        const r = new CountingReader(b);
        const w = new CountingWriter(a, () => {
          const unread = w.count - r.count;
          assert.ok(unread <= maxBuf, `unread ${unread} > maxBuf ${maxBuf}`);
          maxUnread = Math.max(maxUnread, unread);
        });
        const wt = spawn(function* () {
          let pos = 0;
          while (pos < total) {
            const len = Math.min(total - pos, size(rng, 3 * maxBuf + 10));
            if (rng.below(2) === 0) pos += yield* write(w, stream(5, pos, len));
            else {
              yield* writeAll(w, stream(5, pos, len));
              pos += len;
            }
          }
          yield* shutdown(w);
        });
        const rr = spawn(function* () {
          const rrng = new SeededRng(seed + 9);
          let pos = 0;
          for (;;) {
            // Slow: the writer gets to run (and fill the pipe) between two reads.
            yield* sleep(rrng.between(1, 5));
            const buf = new Uint8Array(size(rrng, maxBuf + 7));
            const n = yield* read(r, buf);
            if (n === 0) break;
            assertStreamAt(5, pos, buf.subarray(0, n), "slow read");
            pos += n;
          }
          return pos;
        });
        yield* wt;
        assert.is(yield* rr, total);
        assert.is(maxUnread, maxBuf, "the pipe filled to maxBuf while the reader slept");
      }),
    OPTS,
  );
});

test("duplex: close() of the reading end fails pending and later writes with BROKEN_PIPE; nothing written before is lost to a reader that stays", async () => {
  await forEachSeed(
    150,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 13 + 3);
        const maxBuf = pickMaxBuf(rng);
        const [a, b] = duplex(maxBuf);
        const readBeforeClose = rng.between(0, 3 * maxBuf);
        const wt = spawn(function* () {
          let pos = 0;
          try {
            for (;;) {
              const len = size(rng, 2 * maxBuf + 3);
              pos += yield* write(a, stream(9, pos, len));
              if (rng.below(3) === 0) yield* yieldNow();
            }
          } catch (e) {
            assert.instance(e, IoError);
            assert.is((e as IoError).code, "BROKEN_PIPE");
          }
          // Later writes fail too, at once.
          try {
            yield* write(a, new Uint8Array(1));
            assert.unreachable("write after the peer closed succeeded");
          } catch (e) {
            assert.is((e as IoError).code, "BROKEN_PIPE");
          }
          return pos;
        });
        let got = 0;
        while (got < readBeforeClose) {
          const buf = new Uint8Array(Math.min(readBeforeClose - got, size(rng, 500)));
          const n = yield* read(b, buf);
          assert.ok(n > 0);
          assertStreamAt(9, got, buf.subarray(0, n), "read before close");
          got += n;
        }
        if (rng.below(2) === 0) yield* sleep(rng.between(0, 2));
        b.close();
        b.close(); // idempotent
        const written = yield* wt;
        assert.ok(written >= got, "the writer was told of at least the bytes that were read");
        assert.ok(written - got <= maxBuf, `accepted ${written - got} unread bytes, more than maxBuf ${maxBuf}`);
        // The closed end still... reads nothing new: it is closed (EOF or error, never bytes of a).
        // The other end reads what b wrote before (nothing) then EOF.
        assert.is(yield* read(a, new Uint8Array(4)), 0);
      }),
    OPTS,
  );
});

test("duplex: close() of the writing end wakes a pending reader; it reads the remaining bytes, then EOF; its own writes then fail", async () => {
  await forEachSeed(
    150,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 17 + 1);
        const maxBuf = pickMaxBuf(rng);
        const [a, b] = duplex(maxBuf);
        const total = rng.between(0, maxBuf); // fits: the writer never blocks
        const rt2 = spawn(function* () {
          let pos = 0;
          for (;;) {
            const buf = new Uint8Array(size(rng, 700));
            const n = yield* read(b, buf);
            if (n === 0) break;
            assertStreamAt(3, pos, buf.subarray(0, n), "read");
            pos += n;
          }
          try {
            yield* write(b, new Uint8Array(3));
            assert.unreachable("write to a closed peer succeeded");
          } catch (e) {
            assert.is((e as IoError).code, "BROKEN_PIPE");
          }
          return pos;
        });
        if (rng.below(2) === 0) yield* sleep(1); // let the reader block first
        if (total > 0) yield* writeAll(a, stream(3, 0, total));
        if (rng.below(2) === 0) yield* yieldNow();
        a.close();
        assert.is(yield* rt2, total);
        // A write on the closed end itself fails.
        try {
          yield* write(a, new Uint8Array(1));
          assert.unreachable("write on a closed end succeeded");
        } catch (e) {
          assert.is((e as IoError).code, "BROKEN_PIPE");
        }
      }),
    OPTS,
  );
});

test.run();
