import { test } from "uvu";
import * as assert from "uvu/assert";
import * as core from "@tokio-ts/core";
import * as runtime from "@tokio-ts/runtime";
import * as umbrella from "tokio-ts";
import * as umbrellaCore from "tokio-ts/core";
import * as collections from "@tokio-ts/core/collections";
import * as umbrellaCollections from "tokio-ts/core/collections";
import * as umbrellaRuntime from "tokio-ts/runtime";
import * as time from "@tokio-ts/time";
import * as timeDriver from "@tokio-ts/time/driver";
import * as umbrellaTime from "tokio-ts/time";
import * as umbrellaTimeDriver from "tokio-ts/time/driver";
import * as sync from "@tokio-ts/sync";
import * as umbrellaSync from "tokio-ts/sync";
import * as macros from "@tokio-ts/macros";
import * as umbrellaMacros from "tokio-ts/macros";
import * as io from "@tokio-ts/io-driver";
import * as ioDriver from "@tokio-ts/io-driver/driver";
import * as umbrellaIo from "tokio-ts/io";
import * as umbrellaIoDriver from "tokio-ts/io/driver";
import * as umbrellaSignal from "tokio-ts/signal";
import * as net from "@tokio-ts/net";
import * as umbrellaNet from "tokio-ts/net";
import * as blocking from "@tokio-ts/blocking";
import * as umbrellaBlocking from "tokio-ts/blocking";
import { Builder, JoinSet, spawn, taskLocal, yieldNow } from "tokio-ts";

/** The exported runtime values of a module namespace, by name. */
function valueNames(ns: object): string[] {
  return Object.keys(ns).sort();
}

test("tokio-ts/core exports exactly the values of @tokio-ts/core, as the same objects", () => {
  assert.equal(valueNames(umbrellaCore), valueNames(core));
  for (const name of valueNames(core)) {
    assert.ok(
      (umbrellaCore as Record<string, unknown>)[name] === (core as Record<string, unknown>)[name],
      `tokio-ts/core.${name} is not @tokio-ts/core.${name}`,
    );
  }
});

test("tokio-ts/runtime exports exactly the values of @tokio-ts/runtime, as the same objects", () => {
  assert.equal(valueNames(umbrellaRuntime), valueNames(runtime));
  for (const name of valueNames(runtime)) {
    assert.ok(
      (umbrellaRuntime as Record<string, unknown>)[name] === (runtime as Record<string, unknown>)[name],
      `tokio-ts/runtime.${name} is not @tokio-ts/runtime.${name}`,
    );
  }
});

test("tokio-ts/core/collections, /time, /time/driver, /sync, /macros, /io, /io/driver, /net and /blocking export exactly the values of their packages, as the same objects", () => {
  for (const [mine, theirs] of [
    [umbrellaCollections, collections],
    [umbrellaTime, time],
    [umbrellaTimeDriver, timeDriver],
    [umbrellaSync, sync],
    [umbrellaMacros, macros],
    [umbrellaIo, io],
    [umbrellaIoDriver, ioDriver],
    [umbrellaNet, net],
    [umbrellaBlocking, blocking],
  ] as const) {
    assert.equal(valueNames(mine), valueNames(theirs));
    for (const name of valueNames(theirs)) {
      assert.ok((mine as Record<string, unknown>)[name] === (theirs as Record<string, unknown>)[name], `${name} differs from its package`);
    }
  }
});

test("tokio-ts/signal exports exactly ctrlC, CtrlC, signal and Signal, as the same objects as @tokio-ts/io-driver", () => {
  assert.equal(valueNames(umbrellaSignal), ["CtrlC", "Signal", "ctrlC", "signal"]);
  for (const name of valueNames(umbrellaSignal)) {
    assert.ok((umbrellaSignal as Record<string, unknown>)[name] === (io as Record<string, unknown>)[name], `tokio-ts/signal.${name} is not @tokio-ts/io-driver.${name}`);
  }
  const kind: umbrellaSignal.SignalKind = "SIGHUP";
  const hup = umbrellaSignal.signal(kind);
  assert.ok(hup instanceof io.Signal);
  hup.close();
  assert.ok(umbrellaSignal.ctrlC() instanceof core.Future);
});

test("every error class of every subpath keeps its name when a minifier renames it, and name stays assignable", () => {
  const classes = new Map<string, abstract new (...args: never[]) => Error>();
  for (const ns of [umbrella, umbrellaTime, umbrellaTimeDriver, umbrellaSync, umbrellaMacros, umbrellaIo, umbrellaIoDriver, umbrellaSignal, umbrellaNet, umbrellaBlocking]) {
    for (const [key, value] of Object.entries(ns)) {
      if (typeof value === "function" && value.prototype instanceof Error) classes.set(key, value);
    }
  }
  assert.equal(
    [...classes.keys()].sort(),
    [
      "AcquireError", "CancelledError", "ContextError", "Elapsed", "IoError", "JoinError", "RecvError", "ReuniteError",
      "SendError", "SendTimeoutError", "SetError", "TimeError", "TokioError", "TryAcquireError", "TryLockError",
      "TryRecvError", "TrySendError", "UnsupportedError", "WorkerExitError", "WouldBlockError",
    ],
  );
  const samples: Record<string, () => Error> = {
    JoinError: () => umbrella.JoinError.cancelled(7),
    Elapsed: () => new umbrellaTime.Elapsed(),
    RecvError: () => new umbrellaSync.RecvError("lagged", 3),
    WouldBlockError: () => new umbrellaNet.WouldBlockError("tryRead"),
  };
  for (const [key, cls] of classes) {
    const original = Object.getOwnPropertyDescriptor(cls, "name")!;
    Object.defineProperty(cls, "name", { value: "e" }); // what a minifier does to the class
    try {
      const error = samples[key]?.() ?? (Object.create(cls.prototype) as Error);
      assert.is(error.name, key, `${key}.prototype.name`);
      if (key in samples) assert.ok(error.stack!.startsWith(`${key}: `), `${key}'s stack starts with its name`);
      error.name = "Renamed"; // as on any Error (a strict-mode assignment must not throw)
      assert.is(error.name, "Renamed");
    } finally {
      Object.defineProperty(cls, "name", original);
    }
  }
});

test("a runtime built through the umbrella runs timers on a paused clock", async () => {
  const rt = Builder.newCurrentThread().enableTime().startPaused(true).build();
  try {
    const waited = await rt.blockOn(function* () {
      const start = umbrellaTime.Instant.now();
      yield* umbrellaTime.sleep(60_000);
      return start.elapsed();
    });
    assert.is(waited, 60_000);
  } finally {
    await rt.shutdownTimeout(1000);
  }
});

test("tokio-ts exports the union of core and runtime, plus main, select, join and tryJoin, as the same objects", () => {
  const union = [...new Set([...valueNames(core), ...valueNames(runtime), "main", "select", "join", "tryJoin"])].sort();
  assert.equal(valueNames(umbrella), union);
  assert.is(umbrella.main, macros.main);
  assert.is(umbrella.select, macros.select);
  assert.is(umbrella.join, macros.join);
  assert.is(umbrella.tryJoin, macros.tryJoin);
  assert.is(umbrella.Builder, runtime.Builder);
  assert.is(umbrella.JoinSet, runtime.JoinSet);
  assert.is(umbrella.spawn, runtime.spawn);
  assert.is(umbrella.Future, core.Future);
  assert.is(umbrella.Pending, core.Pending);
  assert.is(umbrella.intoFuture, core.intoFuture);
});

test("the internals stay closed: tokio-ts/internal/* does not resolve", async () => {
  const specifier = "tokio-ts/internal/anything";
  try {
    await import(specifier);
    assert.unreachable("tokio-ts/internal/* resolved");
  } catch (error) {
    assert.is((error as { code?: string }).code, "ERR_PACKAGE_PATH_NOT_EXPORTED");
  }
});

test("a runtime built through the umbrella runs generator and async tasks", async () => {
  const rt = Builder.newCurrentThread().build();
  const REQUEST = taskLocal<string>("REQUEST");
  try {
    const out = await rt.blockOn(function* () {
      const gen = spawn(function* () {
        yield* yieldNow();
        return 20;
      });
      const set = new JoinSet<number>();
      set.spawn(async () => 1);
      set.spawn(async () => 1);
      const ones = yield* set.joinAll();
      const tagged = yield* REQUEST.scope("req-7", function* () {
        yield* yieldNow();
        return REQUEST.get();
      });
      return { sum: (yield* gen) + ones.length, tagged };
    });
    assert.equal(out, { sum: 22, tagged: "req-7" });
    // A JoinHandle is a future of core's own Future class, whichever path it was imported by.
    const handle = rt.spawn(async () => "hi");
    assert.ok(handle instanceof umbrella.Future);
    assert.ok(handle instanceof core.Future);
    assert.is(await handle, "hi");
  } finally {
    await rt.shutdownTimeout(1000);
  }
});

test("the umbrella's net, io and blocking paths work together: an echo over 127.0.0.1 and a job on a worker", async () => {
  const rt = Builder.newCurrentThread().enableAll().build();
  try {
    const [echoed, doubled] = await rt.blockOn(function* () {
      const listener = yield* umbrellaNet.TcpListener.bind("127.0.0.1:0");
      const server = spawn(function* () {
        const [conn] = yield* listener.accept();
        const buf = new Uint8Array(5);
        yield* umbrellaIo.readExact(conn, buf);
        yield* umbrellaIo.writeAll(conn, buf);
        yield* umbrellaIo.shutdown(conn);
        conn.close();
      });
      const client = yield* umbrellaNet.TcpStream.connect(listener.localAddr());
      yield* umbrellaIo.writeAll(client, new TextEncoder().encode("hello"));
      const text = yield* umbrellaIo.readToString(client);
      yield* server;
      client.close();
      listener.close();
      const job = yield* umbrellaBlocking.spawnBlocking((x: number) => x * 2, 21);
      return [text, job] as const;
    });
    assert.is(echoed, "hello");
    assert.is(doubled, 42);
  } finally {
    await rt.shutdownTimeout(1000);
  }
});

test.run();
