// The programs check-packages.mjs runs against the packed tarballs, as a user would write them.
//
// A scenario names the packages a user installs (the script adds what they depend on, and
// nothing else) and its programs. A typed program (`.ts`) is type-checked with tsc under
// `moduleResolution` node16 and bundler, then its types are stripped (esbuild's transform, no
// bundling) and it runs with node; its last stdout line is JSON that `expect` checks. A matrix
// row (`.mjs`) only runs with node: it is one cell of the feature opt-in matrix, and it either
// succeeds or fails with the error message the user would see, which `expect` checks.

import assert from 'node:assert/strict';

/** The DriverKey of io-driver, looked up in `@tokio-ts/io-driver/driver` (it has no fixed export name). */
const findIoKey = `
import * as ioDriver from "@tokio-ts/io-driver/driver";
import { DriverKey } from "@tokio-ts/core";
const IO = Object.values(ioDriver).find((v) => v instanceof DriverKey && v.name === "io");
if (IO === undefined) {
  throw new Error("@tokio-ts/io-driver/driver exports no DriverKey named \\"io\\" (exports: " + (Object.keys(ioDriver).join(", ") || "none") + ")");
}
`;

/** A matrix row's program prints `{ ok: true, value }` or the message of the error it met. */
const row = (body) => `
${body.imports ?? ''}
try {
  const value = await (async () => { ${body.code} })();
  console.log(JSON.stringify({ ok: true, value }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, name: error?.name, code: error?.code, message: String(error?.message ?? error) }));
}
`;

const ok = (check) => (out) => {
  assert.equal(out.ok, true, `expected success, got ${out.name}: ${out.message}`);
  if (check) check(out.value);
};
const fails = (pattern) => (out) => {
  assert.equal(out.ok, false, `expected an error matching ${pattern}, but it succeeded with ${JSON.stringify(out.value)}`);
  assert.match(out.message, pattern);
};

export const scenarios = [
  {
    id: 'sync-alone',
    install: ['@tokio-ts/sync'],
    programs: [{
      file: 'main.ts',
      source: `
import { Mutex, mpsc } from "@tokio-ts/sync";

// A plain async function: no runtime anywhere.
async function run(): Promise<{ total: number; received: number[] }> {
  const counter = new Mutex(0);
  const [tx, rx] = mpsc.channel<number>(2);
  const producers = [1, 2, 3].map(async (id) => {
    for (let i = 0; i < 3; i++) {
      const guard = await counter.lock();
      guard.value += 1;
      guard.release();
      await tx.send(id * 10 + i);
    }
  });
  const closed = Promise.all(producers).then(() => tx.close());
  const received: number[] = [];
  for await (const n of rx) received.push(n);
  await closed;
  const guard = counter.tryLock();
  const total: number = guard.ok ? guard.value.value : -1;
  return { total, received: received.sort((a, b) => a - b) };
}

console.log(JSON.stringify(await run()));
`,
      expect: (out) => assert.deepEqual(out, { total: 9, received: [10, 11, 12, 20, 21, 22, 30, 31, 32] }),
    }],
  },
  {
    id: 'runtime-time',
    install: ['@tokio-ts/runtime', '@tokio-ts/time'],
    programs: [
      {
        file: 'main.ts',
        source: `
import { Builder, spawn, type JoinHandle } from "@tokio-ts/runtime";
import { Elapsed, Instant, sleep, timeout } from "@tokio-ts/time";

const rt = Builder.newCurrentThread().enableTime().startPaused(true).build();
const wallStart = Date.now();
const result = await rt.blockOn(async () => {
  const start = Instant.now();
  const slow: JoinHandle<string> = spawn(async () => {
    await sleep(60_000);
    return "slow";
  });
  const fast = spawn(function* () {
    yield* sleep(1_000);
    return "fast";
  });
  const order: string[] = [await fast, await slow];
  let timedOut = false;
  try {
    await timeout(5_000, sleep(10_000));
  } catch (error) {
    timedOut = error instanceof Elapsed;
  }
  return { order, virtualMs: start.elapsed(), timedOut };
});
await rt.shutdownTimeout(1_000);
console.log(JSON.stringify({ ...result, fastWall: Date.now() - wallStart < 5_000 }));
`,
        expect: (out) => assert.deepEqual(out, { order: ['fast', 'slow'], virtualMs: 65_000, timedOut: true, fastWall: true }),
      },
      {
        file: 'matrix-time-enabled.mjs',
        matrix: { drivers: 'time', enabled: 'enableTime()', installed: 'runtime + time', what: 'sleep(1000) on a paused clock' },
        source: row({
          imports: 'import { Builder } from "@tokio-ts/runtime";\nimport { sleep, Instant } from "@tokio-ts/time";',
          code: `
            const rt = Builder.newCurrentThread().enableTime().startPaused(true).build();
            const ms = await rt.blockOn(async () => { const t = Instant.now(); await sleep(1000); return t.elapsed(); });
            await rt.shutdownTimeout(1000);
            return ms;`,
        }),
        expect: ok((ms) => assert.equal(ms, 1000)),
      },
      {
        file: 'matrix-time-not-enabled.mjs',
        matrix: { drivers: 'none', enabled: '(none)', installed: 'runtime + time', what: 'sleep(1000)' },
        source: row({
          imports: 'import { Builder } from "@tokio-ts/runtime";\nimport { sleep } from "@tokio-ts/time";',
          code: `
            const rt = Builder.newCurrentThread().build();
            try { return await rt.blockOn(async () => { await sleep(1000); }); }
            finally { await rt.shutdownTimeout(1000); }`,
        }),
        expect: fails(/timers are disabled: build the runtime with enableTime\(\)/),
      },
      {
        file: 'matrix-time-no-runtime.mjs',
        matrix: { drivers: '(no runtime)', enabled: '-', installed: 'runtime + time', what: 'sleep(1000) in a plain async function' },
        source: row({
          imports: 'import { sleep } from "@tokio-ts/time";',
          code: 'await sleep(1000);',
        }),
        expect: fails(/needs a runtime, but no runtime is running/),
      },
      {
        file: 'matrix-io-not-installed.mjs',
        matrix: { drivers: 'time + io', enabled: 'enableTime().enableIo()', installed: 'runtime + time', what: 'import "@tokio-ts/io-driver"' },
        source: row({
          imports: 'import { Builder } from "@tokio-ts/runtime";',
          code: `
            const rt = Builder.newCurrentThread().enableTime().enableIo().build();
            await rt.shutdownTimeout(1000);
            await import("@tokio-ts/io-driver");`,
        }),
        expect: fails(/Cannot find package '@tokio-ts\/io-driver'/),
      },
    ],
  },
  {
    id: 'runtime-alone',
    install: ['@tokio-ts/runtime'],
    programs: [
      {
        file: 'matrix-none.mjs',
        matrix: { drivers: 'none', enabled: '(none)', installed: 'runtime', what: 'spawn + join' },
        source: row({
          imports: 'import { Builder, spawn } from "@tokio-ts/runtime";',
          code: `
            const rt = Builder.newCurrentThread().build();
            const v = await rt.blockOn(async () => (await spawn(async () => 20)) + 1);
            await rt.shutdownTimeout(1000);
            return v;`,
        }),
        expect: ok((v) => assert.equal(v, 21)),
      },
      {
        file: 'matrix-time-not-installed.mjs',
        matrix: { drivers: 'time', enabled: 'enableTime()', installed: 'runtime', what: 'import { sleep } from "@tokio-ts/time"' },
        source: row({
          imports: 'import { Builder } from "@tokio-ts/runtime";',
          code: `
            const rt = Builder.newCurrentThread().enableTime().build(); // builds: the runtime never loads time
            await rt.shutdownTimeout(1000);
            await import("@tokio-ts/time");`,
        }),
        expect: fails(/Cannot find package '@tokio-ts\/time'/),
      },
      {
        file: 'matrix-start-paused-without-time.mjs',
        matrix: { drivers: 'time', enabled: 'startPaused(true) without enableTime()', installed: 'runtime', what: 'build()' },
        source: row({
          imports: 'import { Builder } from "@tokio-ts/runtime";',
          code: 'Builder.newCurrentThread().startPaused(true).build();',
        }),
        expect: fails(/startPaused\(true\) needs timers: call enableTime\(\)/),
      },
    ],
    // What tsc says when a program imports a package that is not installed.
    typeErrors: [{
      file: 'uses-time.ts',
      source: 'import { sleep } from "@tokio-ts/time";\nexport const s: unknown = sleep;\n',
      expect: /TS2307: Cannot find module '@tokio-ts\/time' or its corresponding type declarations/,
    }],
  },
  {
    id: 'macros-without-time',
    install: ['@tokio-ts/macros'],
    programs: [
      {
        file: 'matrix-main-start-paused.mjs',
        matrix: { drivers: 'time', enabled: 'main({ startPaused: true })', installed: 'macros + runtime', what: 'main()' },
        source: row({
          imports: 'import { main } from "@tokio-ts/macros";',
          code: 'return await main(async () => 1, { startPaused: true, handleSignals: false });',
        }),
        expect: fails(/startPaused needs the time driver, but @tokio-ts\/time is not installed: install it/),
      },
      {
        file: 'matrix-main.mjs',
        matrix: { drivers: 'time + io (main enables all)', enabled: 'main()', installed: 'macros + runtime', what: 'main(async () => …)' },
        source: row({
          imports: 'import { main } from "@tokio-ts/macros";\nimport { spawn } from "@tokio-ts/runtime";',
          code: 'return await main(async () => (await spawn(async () => 41)) + 1, { handleSignals: false });',
        }),
        expect: ok((v) => assert.equal(v, 42)),
      },
    ],
  },
  {
    id: 'runtime-io',
    install: ['@tokio-ts/runtime', '@tokio-ts/io-driver'],
    programs: [
      {
        file: 'matrix-io-enabled.mjs',
        matrix: { drivers: 'io', enabled: 'enableIo()', installed: 'runtime + io-driver', what: 'Handle.current().driver(IO)' },
        source: row({
          imports: `import { Builder, Handle } from "@tokio-ts/runtime";\n${findIoKey}`,
          code: `
            const rt = Builder.newCurrentThread().enableIo().build();
            try { return await rt.blockOn(async () => typeof Handle.current().driver(IO)); }
            finally { await rt.shutdownTimeout(1000); }`,
        }),
        expect: ok((v) => assert.equal(v, 'object')),
      },
      {
        file: 'matrix-io-not-enabled.mjs',
        matrix: { drivers: 'none', enabled: '(none)', installed: 'runtime + io-driver', what: 'Handle.current().driver(IO)' },
        source: row({
          imports: `import { Builder, Handle } from "@tokio-ts/runtime";\n${findIoKey}`,
          code: `
            const rt = Builder.newCurrentThread().build();
            try { return await rt.blockOn(async () => typeof Handle.current().driver(IO)); }
            finally { await rt.shutdownTimeout(1000); }`,
        }),
        expect: fails(/are disabled: build the runtime with enableIo\(\)/),
      },
      {
        file: 'matrix-time-not-installed-io.mjs',
        matrix: { drivers: 'io', enabled: 'enableIo()', installed: 'runtime + io-driver', what: 'import "@tokio-ts/time"' },
        source: row({ code: 'await import("@tokio-ts/time");' }),
        expect: fails(/Cannot find package '@tokio-ts\/time'/),
      },
    ],
  },
  {
    id: 'runtime-time-io',
    install: ['@tokio-ts/runtime', '@tokio-ts/time', '@tokio-ts/io-driver'],
    programs: [
      {
        file: 'matrix-both.mjs',
        matrix: { drivers: 'time + io', enabled: 'enableAll()', installed: 'runtime + time + io-driver', what: 'sleep(1000) and driver(IO)' },
        source: row({
          imports: `import { Builder, Handle } from "@tokio-ts/runtime";\nimport { sleep, Instant } from "@tokio-ts/time";\n${findIoKey}`,
          code: `
            const rt = Builder.newCurrentThread().enableAll().startPaused(true).build();
            try {
              return await rt.blockOn(async () => {
                const t = Instant.now();
                await sleep(1000);
                return [t.elapsed(), typeof Handle.current().driver(IO)];
              });
            } finally { await rt.shutdownTimeout(1000); }`,
        }),
        expect: ok((v) => assert.deepEqual(v, [1000, 'object'])),
      },
      {
        file: 'matrix-time-only-io-installed.mjs',
        matrix: { drivers: 'time', enabled: 'enableTime()', installed: 'runtime + time + io-driver', what: 'Handle.current().driver(IO)' },
        source: row({
          imports: `import { Builder, Handle } from "@tokio-ts/runtime";\n${findIoKey}`,
          code: `
            const rt = Builder.newCurrentThread().enableTime().build();
            try { return await rt.blockOn(async () => typeof Handle.current().driver(IO)); }
            finally { await rt.shutdownTimeout(1000); }`,
        }),
        expect: fails(/are disabled: build the runtime with enableIo\(\)/),
      },
    ],
  },
  {
    id: 'runtime-net',
    install: ['@tokio-ts/runtime', '@tokio-ts/net'],
    programs: [
      {
        file: 'matrix-net-enabled.mjs',
        matrix: { drivers: 'io', enabled: 'enableIo()', installed: 'runtime + net', what: 'TcpListener.bind("127.0.0.1:0")' },
        source: row({
          imports: 'import { Builder } from "@tokio-ts/runtime";\nimport { TcpListener } from "@tokio-ts/net";',
          code: `
            const rt = Builder.newCurrentThread().enableIo().build();
            try {
              return await rt.blockOn(async () => {
                const listener = await TcpListener.bind("127.0.0.1:0");
                const port = listener.localAddr().port;
                listener.close();
                return port > 0;
              });
            } finally { await rt.shutdownTimeout(1000); }`,
        }),
        expect: ok((v) => assert.equal(v, true)),
      },
      {
        file: 'matrix-net-not-enabled.mjs',
        matrix: { drivers: 'none', enabled: '(none)', installed: 'runtime + net', what: 'TcpListener.bind("127.0.0.1:0")' },
        source: row({
          imports: 'import { Builder } from "@tokio-ts/runtime";\nimport { TcpListener } from "@tokio-ts/net";',
          code: `
            const rt = Builder.newCurrentThread().build();
            try { return await rt.blockOn(async () => { (await TcpListener.bind("127.0.0.1:0")).close(); }); }
            finally { await rt.shutdownTimeout(1000); }`,
        }),
        expect: fails(/are disabled: build the runtime with enableIo\(\)/),
      },
    ],
  },
  {
    id: 'runtime-blocking',
    install: ['@tokio-ts/runtime', '@tokio-ts/blocking'],
    programs: [
      {
        file: 'matrix-blocking.mjs',
        matrix: { drivers: 'blocking', enabled: '(none: the blocking pool is on by default)', installed: 'runtime + blocking', what: 'spawnBlocking((a, b) => a * b, 6, 7)' },
        source: row({
          imports: 'import { Builder } from "@tokio-ts/runtime";\nimport { spawnBlocking } from "@tokio-ts/blocking";',
          code: `
            const rt = Builder.newCurrentThread().build();
            try { return await rt.blockOn(async () => await spawnBlocking((a, b) => a * b, 6, 7)); }
            finally { await rt.shutdownTimeout(5000); }`,
        }),
        expect: ok((v) => assert.equal(v, 42)),
      },
      {
        file: 'matrix-blocking-no-runtime.mjs',
        matrix: { drivers: '(no runtime)', enabled: '-', installed: 'runtime + blocking', what: 'spawnBlocking(…) in a plain async function' },
        source: row({
          imports: 'import { spawnBlocking } from "@tokio-ts/blocking";',
          code: 'return await spawnBlocking((a, b) => a * b, 6, 7);',
        }),
        expect: fails(/needs a runtime, but no runtime is running/),
      },
    ],
  },
  {
    id: 'umbrella',
    install: ['tokio-ts'],
    programs: [{
      file: 'main.ts',
      source: `
import { join, main, select, spawn } from "tokio-ts";
import { mpsc, Mutex, oneshot } from "tokio-ts/sync";
import { Instant, sleep, timeout, type Timeout } from "tokio-ts/time";

const out = await main(function* () {
  const start = Instant.now();
  const [tx, rx] = mpsc.channel<string>(4);
  const log = new Mutex<string[]>([]);
  const producer = spawn(function* () {
    for (const word of ["a", "b", "c"]) {
      yield* sleep(100);
      yield* tx.send(word);
    }
    tx.close();
  });
  const got: string[] = [];
  for (;;) {
    const r = yield* select({ msg: rx.recv(), idle: sleep(1_000) });
    if (r.key === "idle") break;
    if (r.value === undefined) break;
    got.push(r.value);
    const guard = yield* log.lock();
    guard.value.push(r.value.toUpperCase());
    guard.release();
  }
  yield* producer;
  const [x, y] = yield* join(sleep(50), (function* () { yield* sleep(70); return 7; })());
  const held = log.tryLock();
  const upper: string[] = held.ok ? held.value.value : [];
  // A oneshot receiver is a Future<T> to every API that takes one: its internal iterator steps
  // are not in the declaration files, where they made it half a Generator (Timeout<unknown>).
  const [otx, orx] = oneshot.channel<number>();
  // @ts-expect-error internal members are not part of the published types
  void orx.next;
  otx.send(41);
  const reply: Timeout<number> = timeout(1_000, orx);
  const answer: number = (yield* reply) + 1;
  return { got, x: x ?? null, y, upper, answer, virtualMs: start.elapsed() };
}, { startPaused: true, handleSignals: false });
console.log(JSON.stringify(out));
`,
      expect: (out) => assert.deepEqual(out, { got: ['a', 'b', 'c'], x: null, y: 7, upper: ['A', 'B', 'C'], answer: 42, virtualMs: 370 }),
    }],
  },
];
