import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "@tokio-ts/runtime";
import { forEachSeed } from "@tokio-ts/test-util";
import type { Future } from "@tokio-ts/core";
import { BufReader, BufWriter, chain, copy, copyBidirectional, copyBidirectionalWithSizes, duplex, lines, readToEnd, shutdown, split, take, write, writeAll, type AsyncRead, type DuplexStream } from "../src/index.js";
import { Checksum, enc, makeData, prng, randInt } from "./util-helpers.js";

const data = makeData(64 * 1024, 99);
const expected = Checksum.of(data);

test("an echo through split halves is byte-exact under 40 shuffled schedules", async () => {
  await forEachSeed(40, async (rt, seed) => {
    const back = await rt.blockOn(function* () {
      const [client, server] = duplex(randInt(prng(seed), 1, 512));
      const [srd, swr] = split(server);
      spawn(function* () {
        yield* copy(srd, swr);
        yield* shutdown(swr);
      });
      const [crd, cwr] = split(client);
      spawn(function* () {
        const rand = prng(seed + 1000);
        for (let off = 0; off < data.length; ) off += yield* write(cwr, data.subarray(off, off + randInt(rand, 1, 1500)));
        yield* shutdown(cwr);
      });
      return yield* spawn(readToEnd(crd));
    });
    assert.equal(Checksum.of(back), expected);
  });
});

/**
 * Send `data` from a client through a proxy (`proxyOf(proxyIn, proxyOut, rand)`) to a server that
 * echoes it (through `echoReader(serverReadHalf, rand)`), under `seeds` shuffled schedules: the
 * client gets every byte back, and both directions count every byte.
 */
async function proxiedEcho(
  seeds: number,
  proxyOf: (a: DuplexStream, b: DuplexStream, rand: () => number) => Future<[number, number]>,
  echoReader: (rd: AsyncRead, rand: () => number) => AsyncRead,
): Promise<void> {
  await forEachSeed(seeds, async (rt, seed) => {
    const result = await rt.blockOn(function* () {
      const rand = prng(seed);
      const [client, proxyIn] = duplex(randInt(rand, 1, 256));
      const [proxyOut, server] = duplex(randInt(rand, 1, 256));
      const proxy = spawn(proxyOf(proxyIn, proxyOut, rand));
      const [rd, wr] = split(server);
      const reading = echoReader(rd, rand);
      const echo = spawn(function* () {
        const n = yield* copy(reading, wr);
        yield* shutdown(wr);
        return n;
      });
      const reader = spawn(readToEnd(client));
      yield* writeAll(client, data);
      yield* shutdown(client);
      const back = yield* reader;
      return { back, echoed: yield* echo, totals: yield* proxy };
    });
    assert.equal(Checksum.of(result.back), expected);
    assert.is(result.echoed, data.length);
    assert.equal(result.totals, [data.length, data.length]);
  });
}

test("copyBidirectional through a proxy counts both directions under 30 shuffled schedules", async () => {
  await proxiedEcho(30, (a, b) => copyBidirectional(a, b), (rd) => rd);
});

test("copyBidirectionalWithSizes with random small buffers, and a take/chain reframing, are byte-exact under 20 shuffled schedules", async () => {
  await proxiedEcho(
    20,
    (a, b, rand) => copyBidirectionalWithSizes(a, b, { aToB: randInt(rand, 1, 64), bToA: randInt(rand, 1, 64) }),
    (rd, rand) => {
      // The first `cut` bytes, then the rest, through one reader: take() then chain().
      const head = take(rd, randInt(rand, 0, data.length));
      return chain(head, head.intoInner());
    },
  );
});

test("lines written through a BufWriter arrive whole and in order under 30 shuffled schedules", async () => {
  await forEachSeed(30, async (rt, seed) => {
    const got = await rt.blockOn(function* () {
      const [a, b] = duplex(randInt(prng(seed), 1, 64));
      spawn(function* () {
        const out = new BufWriter(a, 32);
        for (let i = 0; i < 200; i++) yield* writeAll(out, enc.encode(`line ${i}\r\n`));
        yield* shutdown(out);
      });
      const it = lines(new BufReader(b, 16));
      const seen: string[] = [];
      for (let l = yield* it.nextLine(); l !== undefined; l = yield* it.nextLine()) seen.push(l);
      return seen;
    });
    assert.equal(got, Array.from({ length: 200 }, (_, i) => `line ${i}`));
  });
});

test.run();
