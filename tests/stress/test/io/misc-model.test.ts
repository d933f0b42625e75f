// Typed integer/float reads and writes through a tiny duplex (every value split across
// reads), and the cooperative budget of the io futures (an always-ready stream never starves
// the other tasks; its task can be aborted).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forEachSeed, SeededRng } from "@tokio-ts/test-util";
import { spawn } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
import { yieldNow, type Future } from "@tokio-ts/core";
import * as io from "@tokio-ts/io-driver";
import { BufReader, copy, duplex, fillBuf, IoError, lines, read, readExact, readLine, repeat, shutdown, sink, write, writeAll } from "@tokio-ts/io-driver";

const OPTS = { enableTime: true, startPaused: true } as const;

type Kind = { name: string; bytes: number; gen: (rng: SeededRng) => number | bigint; norm?: (v: number) => number };
const U = (bits: number) => (rng: SeededRng) => rng.between(0, 2 ** bits - 1);
const I = (bits: number) => (rng: SeededRng) => rng.between(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1);
const big = (signed: boolean) => (rng: SeededRng) => {
  const v = (BigInt(rng.between(0, 2 ** 32 - 1)) << 32n) | BigInt(rng.between(0, 2 ** 32 - 1));
  return signed ? BigInt.asIntN(64, v) : v;
};
const float = (rng: SeededRng) => {
  const r = rng.below(6);
  if (r === 0) return [NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE, Number.MAX_VALUE][rng.below(7)]!;
  return (rng.next() - 0.5) * 10 ** rng.between(-40, 40);
};
const KINDS: Kind[] = [
  { name: "U8", bytes: 1, gen: U(8) },
  { name: "I8", bytes: 1, gen: I(8) },
  { name: "U16", bytes: 2, gen: U(16) },
  { name: "U16Le", bytes: 2, gen: U(16) },
  { name: "I16", bytes: 2, gen: I(16) },
  { name: "I16Le", bytes: 2, gen: I(16) },
  { name: "U32", bytes: 4, gen: U(32) },
  { name: "U32Le", bytes: 4, gen: U(32) },
  { name: "I32", bytes: 4, gen: I(32) },
  { name: "I32Le", bytes: 4, gen: I(32) },
  { name: "U64", bytes: 8, gen: big(false) },
  { name: "U64Le", bytes: 8, gen: big(false) },
  { name: "I64", bytes: 8, gen: big(true) },
  { name: "I64Le", bytes: 8, gen: big(true) },
  { name: "F32", bytes: 4, gen: float, norm: Math.fround },
  { name: "F32Le", bytes: 4, gen: float, norm: Math.fround },
  { name: "F64", bytes: 8, gen: float },
  { name: "F64Le", bytes: 8, gen: float },
];
const fns = io as unknown as Record<string, (...args: unknown[]) => Future<unknown>>;

test("typed reads/writes: every kind round-trips through a duplex of 1..3 bytes (values split across reads); a short stream is UNEXPECTED_EOF", async () => {
  await forEachSeed(
    150,
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 223 + 1);
        const [a, b] = duplex(rng.between(1, 3));
        const plan: { k: Kind; v: number | bigint }[] = [];
        for (let i = rng.between(0, 60); i > 0; i--) {
          const k = KINDS[rng.below(KINDS.length)]!;
          plan.push({ k, v: k.gen(rng) });
        }
        const w = spawn(function* () {
          for (const { k, v } of plan) yield* fns[`write${k.name}`]!(a, v);
          // A value cut short: some bytes of one more 8-byte value, then EOF.
          const cut = rng.between(1, 7);
          yield* writeAll(a, new Uint8Array(cut));
          yield* shutdown(a);
          return cut;
        });
        const reader = rng.below(2) === 0 ? b : new BufReader(b, rng.between(1, 5));
        for (const { k, v } of plan) {
          const got = yield* fns[`read${k.name}`]!(reader);
          if (typeof v === "bigint") assert.is(got, v, `${k.name}`);
          else {
            const want = k.norm ? k.norm(v) : v;
            assert.ok(Object.is(got, want), `${k.name}: got ${String(got)}, want ${want}`);
          }
        }
        try {
          yield* fns[rng.below(2) === 0 ? "readU64" : "readF64Le"]!(reader);
          assert.unreachable("read of 8 bytes from a shorter stream");
        } catch (e) {
          assert.instance(e, IoError);
          assert.is((e as IoError).code, "UNEXPECTED_EOF");
        }
        yield* w;
      }),
    OPTS,
  );
});

test("coop budget: a task on an always-ready stream (copy/read/readExact/lines/readLine/fillBuf/write loops) lets the others run and can be aborted", async () => {
  const bodies: (() => Generator<unknown, unknown, unknown> | Future<unknown>)[] = [
    () => copy(repeat(0), sink()),
    () => copy(new BufReader(repeat(0), 16), sink()),
    function* () {
      const buf = new Uint8Array(4);
      for (;;) yield* read(repeat(1), buf);
    },
    function* () {
      const buf = new Uint8Array(4);
      for (;;) yield* readExact(repeat(1), buf);
    },
    function* () {
      const it = lines(new BufReader(repeat(10), 8));
      for (;;) yield* it.nextLine();
    },
    function* () {
      const r = new BufReader(repeat(10), 8);
      for (;;) yield* readLine(r);
    },
    function* () {
      const r = new BufReader(repeat(1), 8);
      for (;;) r.consume((yield* fillBuf(r)).length);
    },
    function* () {
      const d = new Uint8Array(4);
      for (;;) yield* write(sink(), d);
    },
    function* () {
      const [a, b] = duplex(1 << 16);
      const buf = new Uint8Array(8);
      for (;;) {
        yield* writeAll(a, buf);
        yield* readExact(b, buf);
      }
    },
  ];
  await forEachSeed(
    bodies.length * 4,
    (rt, seed) =>
      rt.blockOn(function* () {
        const busy = spawn(bodies[seed % bodies.length]!() as never);
        let ticks = 0;
        const other = spawn(function* () {
          for (let i = 0; i < 20; i++) {
            yield* yieldNow();
            ticks++;
          }
        });
        yield* other;
        assert.is(ticks, 20);
        yield* sleep(5); // the paused clock cannot advance while a task is busy... unless it yields
        busy.abort();
        try {
          yield* busy;
          assert.unreachable("an endless loop finished");
        } catch (e) {
          assert.is((e as Error).name, "JoinError");
        }
      }),
    { enableTime: true },
  );
});

test.run();
