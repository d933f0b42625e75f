import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, type JoinError, type JoinHandle } from "@tokio-ts/runtime";
import { spawnBlocking, transfer } from "../src/index.js";
import { withRuntime } from "./helpers.js";

test("spawnBlocking returns the job's value through the same JoinHandle as spawn", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(function* () {
      const h: JoinHandle<number> = spawnBlocking((a: number, b: number) => a * b, 6, 7);
      const other: JoinHandle<number> = spawn(function* () {
        return 1;
      });
      assert.is(typeof h.abort, "function");
      assert.is(typeof h.id, "number");
      return [yield* h, yield* other, h.isFinished()] as const;
    });
    assert.equal(out, [42, 1, true]);
  });
});

test("arguments and results of every cloneable kind make the trip", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(async () => {
      const echo = (...xs: unknown[]) => xs;
      const values = [
        undefined, null, true, false, 0, -0, 1.5, -7, 2 ** 40, NaN, "", "héllo ✓", 12n,
        { a: [1, { b: "c" }] }, new Map([[1, "x"]]), new Set([2]), new Date(5), /re/g, new Uint8Array([1, 2, 3]),
      ];
      return spawnBlocking(echo, ...values);
    });
    assert.is(out.length, 19);
    assert.is(out[0], undefined);
    assert.is(out[1], null);
    assert.ok(Object.is(out[5], -0));
    assert.ok(Number.isNaN(out[9]));
    assert.is(out[11], "héllo ✓");
    assert.is(out[12], 12n);
    assert.equal(out[13], { a: [1, { b: "c" }] });
    assert.equal([...(out[14] as Map<number, string>)], [[1, "x"]]);
    assert.equal([...(out[15] as Set<number>)], [2]);
    assert.is((out[16] as Date).getTime(), 5);
    assert.is(String(out[17]), "/re/g");
    assert.equal([...(out[18] as Uint8Array)], [1, 2, 3]);
  });
});

test("large arguments and results (beyond a shared slot) arrive whole", async () => {
  await withRuntime(async (rt) => {
    const big = "x".repeat(100_000);
    const out = await rt.blockOn(async () =>
      spawnBlocking((s: string, n: number) => ({ length: s.length, list: Array.from({ length: n }, (_, i) => i) }), big, 10_000),
    );
    assert.is(out.length, 100_000);
    assert.is(out.list.length, 10_000);
    assert.is(out.list[9_999], 9_999);
  });
});

test("arguments are fixed at the call: a later change is not seen by the job", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(async () => {
      const obj = { n: 1 };
      const h = spawnBlocking((o: { n: number }) => o.n, obj);
      obj.n = 2;
      return h;
    });
    assert.is(out, 1);
  });
});

test("a job that returns a promise resolves with its value", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(async () => spawnBlocking(async (x: number) => (await Promise.resolve(x)) * 2, 21));
    assert.is(out, 42);
  });
});

test("a function is compiled once per worker and reused for many jobs", async () => {
  await withRuntime(
    async (rt) => {
      const out = await rt.blockOn(function* () {
        const count = (x: number) => {
          const g = globalThis as { __calls?: number };
          g.__calls = (g.__calls ?? 0) + 1;
          return x + g.__calls * 0;
        };
        const handles = Array.from({ length: 500 }, (_, i) => spawnBlocking(count, i));
        let sum = 0;
        for (const h of handles) sum += yield* h;
        const calls = yield* spawnBlocking(() => (globalThis as { __calls?: number }).__calls);
        return [sum, calls];
      });
      assert.equal(out, [(499 * 500) / 2, 500]);
    },
    (b) => b.maxBlockingThreads(1),
  );
});

test("method shorthand and arrow functions both work as jobs", async () => {
  await withRuntime(async (rt) => {
    const jobs = {
      twice(x: number) {
        return x * 2;
      },
    };
    const out = await rt.blockOn(async () => [await spawnBlocking(jobs.twice, 4), await spawnBlocking((x: number) => x - 1, 4)]);
    assert.equal(out, [8, 3]);
  });
});

test("transfer moves an argument's buffer at the call, and a job can transfer its result back", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(async () => {
      const bytes = new Uint8Array(1 << 16).fill(3);
      const h = spawnBlocking(
        (b: Uint8Array) => {
          let sum = 0;
          for (const x of b) sum += x;
          const back = new Uint8Array(4).fill(9);
          return transfer({ sum, back }, [back.buffer]);
        },
        transfer(bytes, [bytes.buffer]),
      );
      const detachedAtCall = bytes.byteLength;
      const result = await h;
      return { detachedAtCall, sum: result.sum, back: [...result.back] };
    });
    assert.equal(out, { detachedAtCall: 0, sum: 3 << 16, back: [9, 9, 9, 9] });
  });
});

test("a transfer() inside an argument is a TypeError at the call saying where, and nothing moves; one inside a result fails the job saying where", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(async () => {
      const u = new Uint8Array(4);
      const v = new Uint8Array(4);
      const calls: (() => unknown)[] = [
        () => spawnBlocking((o: unknown) => o, { payload: transfer(u, [u.buffer]) }),
        () => spawnBlocking((_: number, o: unknown) => o, 1, transfer({ items: [0, transfer(v, [v.buffer])] }, [])),
        () => spawnBlocking((m: unknown, _: SharedArrayBuffer) => m, new Map([["k", transfer(u, [u.buffer])]]), new SharedArrayBuffer(4)),
      ];
      const atCall = calls.map((call) => {
        try {
          call();
          return "no error";
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      });
      const results: unknown[] = [];
      const jobs: (() => unknown)[] = [
        () => {
          const b = new Uint8Array(4);
          return { payload: transfer(b, [b.buffer]) };
        },
        () => {
          const b = new Uint8Array(4);
          return transfer({ list: [transfer(b, [b.buffer])] }, []);
        },
      ];
      for (const job of jobs) {
        try {
          results.push(await spawnBlocking(job));
        } catch (e) {
          const cause = (e as JoinError).cause as Error;
          results.push(`${(e as JoinError).isPanic()} ${cause.name}: ${cause.message}`);
        }
      }
      return { atCall, nothingMoved: u.byteLength === 4 && v.byteLength === 4, results };
    });
    const rule = "transfer() wraps a whole argument or a job's whole result, not a value inside one";
    assert.match(out.atCall[0]!, `TypeError: spawnBlocking: argument 0 holds a transfer() at .payload: ${rule}`);
    assert.match(out.atCall[1]!, "TypeError: spawnBlocking: argument 1 holds a transfer() at .items[1]: ");
    assert.match(out.atCall[2]!, 'TypeError: spawnBlocking: argument 0 holds a transfer() at .get("k"): ');
    assert.ok(out.nothingMoved, "a refused call moves no buffer");
    assert.match(String(out.results[0]), `true TypeError: spawnBlocking: the job's result holds a transfer() at .payload: ${rule}`);
    assert.match(String(out.results[1]), "true TypeError: spawnBlocking: the job's result holds a transfer() at .list[0]: ");
  });
});

test("shared memory stays shared both ways: a view over a SharedArrayBuffer as an argument (also nested), and a SharedArrayBuffer or a view over one as the result", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(function* () {
      const sab = new SharedArrayBuffer(16);
      const view = new Int32Array(sab);
      const asView = yield* spawnBlocking((v: Int32Array) => {
        v[1] = 9;
        return v.buffer instanceof SharedArrayBuffer;
      }, view);
      const nested = yield* spawnBlocking((o: { views: Int32Array[] }) => {
        o.views[0]![2] = 11;
        return Atomics.wait(o.views[0]!, 0, 123, 0); // "not-equal": a shared view, Atomics works
      }, { views: [view] });
      const returned = yield* spawnBlocking((v: Int32Array) => v.buffer, view);
      const returnedView = yield* spawnBlocking((v: Int32Array) => new Int32Array(v.buffer, 4, 1), view);
      const fresh = yield* spawnBlocking(() => {
        const mine = new SharedArrayBuffer(4);
        new Int32Array(mine)[0] = 5;
        return { mine };
      });
      return { asView, nested, returned, returnedView, fresh, seen: Array.from(view) };
    });
    assert.ok(out.asView, "the worker got a view over the shared buffer");
    assert.is(out.nested, "not-equal");
    assert.equal(out.seen.slice(0, 3), [0, 9, 11], "the worker's writes are seen by the main thread");
    assert.instance(out.returned, SharedArrayBuffer);
    new Int32Array(out.returned)[3] = 4;
    assert.instance(out.returnedView.buffer, SharedArrayBuffer);
    assert.is(out.returnedView[0], 9, "the returned view looks at the same memory");
    assert.instance(out.fresh.mine, SharedArrayBuffer);
    assert.is(new Int32Array(out.fresh.mine)[0], 5);
  });
});

test("a Buffer crosses as a Uint8Array, as with postMessage, whichever way the other arguments or the result travel", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(async () => {
      // What the job sees: the argument's class and its toString() ("hi" for a Buffer).
      const job = (b: Uint8Array, other?: unknown) => [Object.getPrototypeOf(b).constructor.name, b.toString()];
      const ab = new ArrayBuffer(8);
      const kind = (v: unknown) => (Buffer.isBuffer(v) ? "Buffer" : (v as object).constructor.name);
      return {
        alone: await spawnBlocking(job, Buffer.from("hi")),
        nested: await spawnBlocking((o: { b: Uint8Array }) => [Object.getPrototypeOf(o.b).constructor.name, o.b.toString()], { b: Buffer.from("hi") }),
        large: await spawnBlocking((b: Uint8Array, _: unknown) => Object.getPrototypeOf(b).constructor.name, Buffer.alloc(4096), 1),
        withTransfer: await spawnBlocking(job, Buffer.from("hi"), transfer(ab, [ab])),
        withShared: await spawnBlocking(job, Buffer.from("hi"), new SharedArrayBuffer(8)),
        resultInSlot: kind(await spawnBlocking(() => Buffer.from("hi"))),
        resultLarge: kind(await spawnBlocking(() => Buffer.alloc(4096))),
        resultMoved: kind(await spawnBlocking(() => {
          const b = Buffer.alloc(2);
          return transfer(b, [b.buffer]);
        })),
      };
    });
    assert.equal(out, {
      alone: ["Uint8Array", "104,105"],
      nested: ["Uint8Array", "104,105"],
      large: "Uint8Array",
      withTransfer: ["Uint8Array", "104,105"],
      withShared: ["Uint8Array", "104,105"],
      resultInSlot: "Uint8Array",
      resultLarge: "Uint8Array",
      resultMoved: "Uint8Array",
    });
  });
});

test("a result that nothing can clone still fails the job with an error that says so", async () => {
  await withRuntime(async (rt) => {
    const error = await rt
      .blockOn(function* () {
        return yield* spawnBlocking(() => ({ f: () => 1 }));
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.match(String((error as { cause?: unknown }).cause ?? error), /cannot be sent back from the worker/);
  });
});

test.run();
