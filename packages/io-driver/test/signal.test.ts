/**
 * ctrlC() and signal(kind), with real signals sent to this process (`process.kill(process.pid,
 * …)`). A signal that arrives while nothing listens to it ends the test run, so each test sends
 * one only while it holds a listener: a SIGINT test installs a guard listener of its own first,
 * and the SIGUSR2/SIGHUP tests count deliveries with a listener of their own. Signals arrive
 * asynchronously, so the tests wait for a wake-up across `setImmediate` turns, with a safety
 * timeout that fails the test (no duration is asserted). Each test checks that the process
 * listeners are back to where they were.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Builder } from "@tokio-ts/runtime";
import { Elapsed, timeout } from "@tokio-ts/time";
import { Context, noopWaker, type Future, type Output } from "@tokio-ts/core";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import { spawnSync } from "node:child_process";
import { ctrlC, CtrlC, signal, Signal, type SignalKind } from "../src/index.js";

const KINDS = ["SIGINT", "SIGUSR2", "SIGHUP"] as const;
type Kind = (typeof KINDS)[number];
const SAFETY_MS = 10_000;

/** The process's listener counts of the signals these tests use. */
function listenerCounts(): Record<Kind, number> {
  return Object.fromEntries(KINDS.map((k) => [k, process.listenerCount(k)])) as Record<Kind, number>;
}

/** Wait, one `setImmediate` turn at a time, until `cond()` holds; fail after a safety timeout. */
async function waitUntil(cond: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > SAFETY_MS) assert.unreachable(`timed out waiting until ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** `p`, or a failure after a safety timeout (the timer is cleared either way). */
async function withSafety<T>(p: PromiseLike<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), SAFETY_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Let a few host turns pass (to show that nothing happened in them). */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Run `body` with a listener of the test's own on `kind` that counts deliveries (for SIGINT, the
 * guard that keeps a mistake from killing the run), and check afterwards that the process's
 * listeners are back to where they were.
 */
async function withCounter(kind: Kind, body: (delivered: () => number) => Promise<void> | void): Promise<void> {
  const before = listenerCounts();
  let count = 0;
  const counter = (): void => {
    count++;
  };
  process.on(kind, counter);
  try {
    await body(() => count);
  } finally {
    process.off(kind, counter);
  }
  assert.equal(listenerCounts(), before, "no listener is left behind");
}

/** Send `kind` to this process and wait until the test's counter has seen it. */
async function send(kind: Kind, delivered: () => number): Promise<void> {
  const target = delivered() + 1;
  process.kill(process.pid, kind);
  await waitUntil(() => delivered() >= target, `${kind} was delivered`);
}

// ─── ctrlC ───────────────────────────────────────────────────────────────────────────────────

test("ctrlC() is lazy: created, it listens to nothing and a SIGINT before its first poll is not its", async () => {
  await withCounter("SIGINT", async (delivered) => {
    const base = process.listenerCount("SIGINT");
    const fut = ctrlC();
    assert.instance(fut, CtrlC);
    assert.is(process.listenerCount("SIGINT"), base, "creating it adds no listener");
    await send("SIGINT", delivered); // caught by the guard only
    const task = mockTask(fut);
    assertPending(task.poll());
    assert.is(process.listenerCount("SIGINT"), base + 1, "the first poll adds one listener");
    await turns();
    assert.not.ok(task.isWoken(), "the SIGINT before the first poll did not resolve it");
    assertPending(task.poll());
    assert.is(process.listenerCount("SIGINT"), base + 1, "a second poll adds no other listener");
    task.drop();
  });
});

test("ctrlC() resolves at a SIGINT after its first poll, and its listener goes as it fires", async () => {
  await withCounter("SIGINT", async (delivered) => {
    const base = process.listenerCount("SIGINT");
    const fut = ctrlC();
    const task = mockTask(fut);
    assertPending(task.poll());
    await send("SIGINT", delivered);
    await waitUntil(() => task.isWoken(), "the SIGINT woke the ctrlC wait");
    assert.is(task.wakeCount, 1);
    assert.is(process.listenerCount("SIGINT"), base, "the fired wait holds no listener");
    assertReady(task.poll(), undefined);
    assert.is(task.budgetRemaining, 127, "resolving spent one unit of budget");
    assert.throws(() => fut.poll(new Context(noopWaker)), /polled after it completed/);
  });
});

test("dropping a pending ctrlC() removes its listener, idempotently, and a later SIGINT does not wake it", async () => {
  await withCounter("SIGINT", async (delivered) => {
    const base = process.listenerCount("SIGINT");
    const fut = ctrlC();
    const task = mockTask(fut);
    assertPending(task.poll());
    assert.is(process.listenerCount("SIGINT"), base + 1);
    task.drop();
    assert.is(process.listenerCount("SIGINT"), base, "the dropped wait's listener is gone");
    fut.cancel();
    assert.is(process.listenerCount("SIGINT"), base, "a second cancel removes nothing else");
    await send("SIGINT", delivered);
    await turns();
    assert.is(task.wakeCount, 0);
    // A ctrlC dropped before its first poll never listened at all.
    const never = ctrlC();
    never.cancel();
    assert.is(process.listenerCount("SIGINT"), base);
  });
});

test("many ctrlC() waits share one listener, one SIGINT resolves them all, and a dropped one is left out", async () => {
  await withCounter("SIGINT", async (delivered) => {
    const base = process.listenerCount("SIGINT");
    const tasks = Array.from({ length: 20 }, () => mockTask(ctrlC()));
    for (const t of tasks) assertPending(t.poll());
    assert.is(process.listenerCount("SIGINT"), base + 1, "one listener for 20 waits");
    const dropped = tasks.splice(7, 1)[0]!;
    dropped.drop();
    assert.is(process.listenerCount("SIGINT"), base + 1, "still one for the other 19");
    await send("SIGINT", delivered);
    await waitUntil(() => tasks.every((t) => t.isWoken()), "every wait was woken");
    assert.is(process.listenerCount("SIGINT"), base);
    for (const t of tasks) assertReady(t.poll(), undefined);
    assert.is(dropped.wakeCount, 0);
    // A wait polled after that SIGINT waits for the next one.
    const late = mockTask(ctrlC());
    assertPending(late.poll());
    await turns();
    assert.not.ok(late.isWoken());
    late.drop();
  });
});

test("ctrlC() takes part in the coop budget: with the budget spent, a fired wait yields (and still listens from its first poll)", async () => {
  await withCounter("SIGINT", async (delivered) => {
    const base = process.listenerCount("SIGINT");
    const starved = mockTask(ctrlC(), { budget: 0 });
    assertPending(starved.poll());
    assert.is(process.listenerCount("SIGINT"), base + 1, "listening even with no budget");
    await send("SIGINT", delivered);
    await waitUntil(() => starved.isWoken(), "the SIGINT woke the starved wait");
    assertPending(starved.poll(), "no budget: it yields instead of resolving");
    assert.ok(starved.isWoken(), "and wakes its task to be polled again");
    assert.is(starved.forcedYields, 1);
    starved.drop();
    assert.is(process.listenerCount("SIGINT"), base);
  });
});

test("ctrlC() awaited without a runtime resolves at a SIGINT", async () => {
  await withCounter("SIGINT", async (delivered) => {
    const base = process.listenerCount("SIGINT");
    let resolved = false;
    const waiting = ctrlC().then(() => {
      resolved = true;
    });
    await waitUntil(() => process.listenerCount("SIGINT") === base + 1, "the await polled the wait");
    await turns();
    assert.not.ok(resolved);
    await send("SIGINT", delivered);
    await withSafety(waiting, "await ctrlC()");
    assert.ok(resolved);
    assert.is(process.listenerCount("SIGINT"), base);
  });
});

// ─── signal(kind) ────────────────────────────────────────────────────────────────────────────

test("signal() listens from its creation: a delivery before the first recv() is kept for it", async () => {
  await withCounter("SIGUSR2", async (delivered) => {
    const base = process.listenerCount("SIGUSR2");
    const usr2 = signal("SIGUSR2");
    try {
      assert.instance(usr2, Signal);
      assert.is(usr2.kind, "SIGUSR2");
      assert.is(process.listenerCount("SIGUSR2"), base + 1, "listening at creation");
      await send("SIGUSR2", delivered);
      assertReady(mockTask(usr2.recv()).poll(), true);
      assertPending(mockTask(usr2.recv()).poll(), "taken: the next recv() waits");
    } finally {
      usr2.close();
    }
    assert.is(process.listenerCount("SIGUSR2"), base, "close() removed the listener");
  });
});

test("deliveries between two recv() calls are coalesced into one true, then recv() waits for the next", async () => {
  await withCounter("SIGUSR2", async (delivered) => {
    using usr2 = signal("SIGUSR2");
    await send("SIGUSR2", delivered);
    await send("SIGUSR2", delivered);
    await send("SIGUSR2", delivered);
    assertReady(mockTask(usr2.recv()).poll(), true);
    const next = mockTask(usr2.recv());
    assertPending(next.poll(), "three deliveries, one recv()");
    await turns();
    assert.not.ok(next.isWoken());
    await send("SIGUSR2", delivered);
    await waitUntil(() => next.isWoken(), "the next delivery woke the recv()");
    assertReady(next.poll(), true);
    assert.is(next.budgetRemaining, 127, "resolving spent one unit of budget");
  });
});

test("a recv() dropped while pending takes no delivery, even one that already woke it", async () => {
  await withCounter("SIGHUP", async (delivered) => {
    using hup = signal("SIGHUP");
    // Dropped before the delivery.
    const early = mockTask(hup.recv());
    assertPending(early.poll());
    early.drop();
    await send("SIGHUP", delivered);
    await turns();
    assert.is(early.wakeCount, 0, "a dropped recv() is not woken");
    assertReady(mockTask(hup.recv()).poll(), true); // the next recv() gets the delivery
    // Woken by the delivery, then dropped before its poll.
    const woken = mockTask(hup.recv());
    assertPending(woken.poll());
    await send("SIGHUP", delivered);
    await waitUntil(() => woken.isWoken(), "the delivery woke the recv()");
    woken.drop();
    assertReady(mockTask(hup.recv()).poll(), true); // the delivery is still there for the next recv()
  });
});

test("two pending recv() on one Signal: a delivery goes to the first polled, the other waits on", async () => {
  await withCounter("SIGHUP", async (delivered) => {
    using hup = signal("SIGHUP");
    const a = mockTask(hup.recv());
    const b = mockTask(hup.recv());
    assertPending(a.poll());
    assertPending(b.poll());
    await send("SIGHUP", delivered);
    await waitUntil(() => a.isWoken() && b.isWoken(), "both were woken");
    assertReady(b.poll(), true);
    assertPending(a.poll(), "taken by the other");
    await send("SIGHUP", delivered);
    await waitUntil(() => a.isWoken(), "the second delivery woke the one still waiting");
    assertReady(a.poll(), true);
  });
});

test("close() resolves pending and later recv() with undefined, discards an untaken delivery and removes the listener", async () => {
  await withCounter("SIGUSR2", async (delivered) => {
    const base = process.listenerCount("SIGUSR2");
    const usr2 = signal("SIGUSR2");
    const pending = mockTask(usr2.recv());
    assertPending(pending.poll());
    await send("SIGUSR2", delivered); // wakes `pending`, which is not polled before close()
    await waitUntil(() => pending.isWoken(), "the delivery woke the recv()");
    assert.not.ok(usr2.isClosed());
    usr2.close();
    assert.ok(usr2.isClosed());
    assert.is(process.listenerCount("SIGUSR2"), base, "close() removed the listener");
    assertReady(pending.poll(), undefined); // closed wins over the untaken delivery
    assertReady(mockTask(usr2.recv()).poll(), undefined);
    usr2.close();
    usr2[Symbol.dispose]();
    assert.is(process.listenerCount("SIGUSR2"), base, "close() is idempotent");
    // A recv() waiting when close() is called is woken by it.
    const other = signal("SIGUSR2");
    const waiting = mockTask(other.recv());
    assertPending(waiting.poll());
    other.close();
    assert.ok(waiting.isWoken(), "close() woke the pending recv()");
    assertReady(waiting.poll(), undefined);
  });
});

test("Signals and ctrlC() waits on one signal share one process listener, which goes with the last of them", async () => {
  await withCounter("SIGINT", async (delivered) => {
    const base = process.listenerCount("SIGINT");
    const a = signal("SIGINT");
    const b = signal("SIGINT");
    const wait = mockTask(ctrlC());
    assertPending(wait.poll());
    assert.is(process.listenerCount("SIGINT"), base + 1);
    await send("SIGINT", delivered);
    await waitUntil(() => wait.isWoken(), "the SIGINT woke the ctrlC wait");
    assertReady(wait.poll(), undefined);
    assertReady(mockTask(a.recv()).poll(), true);
    assertReady(mockTask(b.recv()).poll(), true);
    a.close();
    assert.is(process.listenerCount("SIGINT"), base + 1, "b still listens");
    b.close();
    assert.is(process.listenerCount("SIGINT"), base);
  });
});

test("for await over a Signal: one step per delivery; breaking out leaves it open; close() ends a loop", async () => {
  await withCounter("SIGUSR2", async (delivered) => {
    const base = process.listenerCount("SIGUSR2");
    const usr2 = signal("SIGUSR2");
    try {
      const steps: unknown[] = [];
      const first = (async () => {
        for await (const step of usr2) {
          steps.push(step);
          if (steps.length === 2) break;
        }
      })();
      await send("SIGUSR2", delivered);
      await waitUntil(() => steps.length === 1, "the loop took the first delivery");
      await send("SIGUSR2", delivered);
      await withSafety(first, "the loop to break");
      assert.equal(steps, [true, true]);
      assert.not.ok(usr2.isClosed(), "breaking out does not close the Signal");
      assert.is(process.listenerCount("SIGUSR2"), base + 1);
      // A delivery after the break is kept for the next loop.
      await send("SIGUSR2", delivered);
      let after = 0;
      const second = (async () => {
        for await (const _ of usr2) after++;
      })();
      await waitUntil(() => after === 1, "the next loop got the kept delivery");
      await turns();
      usr2.close();
      await withSafety(second, "the loop to end at close()");
      assert.is(after, 1);
    } finally {
      usr2.close();
    }
    assert.is(process.listenerCount("SIGUSR2"), base);
  });
});

test("signal() checks kind at the call: TypeError for a non-string, RangeError naming an unknown or forbidden one", () => {
  const before = listenerCounts();
  for (const bad of [undefined, null, 1, 15n, {}, Symbol("SIGINT")]) {
    assert.throws(() => signal(bad as never), (e: unknown) => e instanceof TypeError && /^kind\b/.test((e as Error).message), `kind ${String(bad)}`);
  }
  for (const bad of ["SIGFOO", "sighup", "HUP", "", "toString", "__proto__"]) {
    assert.throws(
      () => signal(bad),
      (e: unknown) => e instanceof RangeError && /^kind\b/.test((e as Error).message) && (e as Error).message.includes(JSON.stringify(bad)),
      `kind ${JSON.stringify(bad)}`,
    );
  }
  for (const forbidden of ["SIGKILL", "SIGSTOP", "SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL"]) {
    assert.throws(
      () => signal(forbidden),
      (e: unknown) => e instanceof RangeError && /^kind\b/.test((e as Error).message) && (e as Error).message.includes(forbidden),
      forbidden,
    );
    assert.is(process.listenerCount(forbidden), 0, `no ${forbidden} listener`);
  }
  assert.throws(() => new Signal("SIGFOO"), RangeError, "the constructor checks too");
  assert.equal(listenerCounts(), before);
});

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

test("types: ctrlC() is a Future<void>, recv() a Future<true | undefined>, kind a string (checked at run time)", () => {
  expectType<Equals<Output<CtrlC>, void>>();
  expectType<Equals<ReturnType<Signal["recv"]>, Future<true | undefined>>>();
  expectType<Equals<Signal["kind"], SignalKind>>();
  function* body(sig: Signal): Generator<unknown, true | undefined, unknown> {
    const stopped = yield* ctrlC();
    expectType<Equals<typeof stopped, void>>();
    return yield* sig.recv();
  }
  void body;
  const custom: SignalKind = "SIGPROF"; // any name: the list is for completion
  void custom;
  // @ts-expect-error a signal number is not a SignalKind
  assert.throws(() => signal(1), TypeError);
});

test("signal().recv() awaited without a runtime resolves at the next delivery", async () => {
  await withCounter("SIGHUP", async (delivered) => {
    using hup = signal("SIGHUP");
    const got = hup.recv().then((v) => v);
    await turns();
    await send("SIGHUP", delivered);
    assert.is(await withSafety(got, "await recv()"), true);
  });
});

// ─── inside a runtime ────────────────────────────────────────────────────────────────────────

test("in a runtime: a generator body's yield* ctrlC() resolves at SIGINT, and an async body's await recv() at SIGUSR2", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    await withCounter("SIGINT", async (delivered) => {
      const base = process.listenerCount("SIGINT");
      const done = rt.blockOn(function* () {
        yield* ctrlC();
        return "interrupted";
      });
      done.then(undefined, () => {}); // if a check below fails, shutdown rejects it: no unhandled rejection
      await waitUntil(() => process.listenerCount("SIGINT") === base + 1, "the body waits in ctrlC()");
      await send("SIGINT", delivered);
      assert.is(await withSafety(done, "the generator body"), "interrupted");
    });
    await withCounter("SIGUSR2", async (delivered) => {
      const base = process.listenerCount("SIGUSR2");
      const done = rt.blockOn(async () => {
        using usr2 = signal("SIGUSR2");
        const first = await usr2.recv();
        return [first, usr2.isClosed()] as const;
      });
      done.then(undefined, () => {});
      await waitUntil(() => process.listenerCount("SIGUSR2") === base + 1, "the body listens");
      await send("SIGUSR2", delivered);
      assert.equal(await withSafety(done, "the async body"), [true, false]);
    });
  } finally {
    await rt.shutdownTimeout(1000);
  }
});

test("in a runtime: a ctrlC() and a recv() dropped by timeout remove their waits (paused clock)", async () => {
  const rt = Builder.newCurrentThread().enableTime().startPaused(true).build();
  const before = listenerCounts();
  try {
    const out = await withSafety(
      rt.blockOn(function* () {
        const results: unknown[] = [];
        try {
          yield* timeout(1000, ctrlC());
        } catch (e) {
          results.push(e instanceof Elapsed);
        }
        results.push(process.listenerCount("SIGINT") === before.SIGINT);
        using hup = signal("SIGHUP");
        try {
          yield* timeout(1000, hup.recv());
        } catch (e) {
          results.push(e instanceof Elapsed);
        }
        results.push(process.listenerCount("SIGHUP") === before.SIGHUP + 1);
        return results;
      }),
      "the timeouts",
    );
    assert.equal(out, [true, true, true, true]);
  } finally {
    await rt.shutdownTimeout(1000);
  }
  assert.equal(listenerCounts(), before);
});

test("a closed Signal of SIGPIPE, SIGXFSZ or SIGUSR1 leaves a later one harmless (libuv would restore SIG_DFL, which kills; Node ignores them)", () => {
  const index = new URL("../src/index.js", import.meta.url).href;
  for (const kind of ["SIGPIPE", "SIGXFSZ", "SIGUSR1"]) {
    const script = `import { signal } from ${JSON.stringify(index)};
signal(${JSON.stringify(kind)}).close();
process.kill(process.pid, ${JSON.stringify(kind)});
setTimeout(() => console.log("alive"), 50);`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: SAFETY_MS });
    assert.is(child.signal, null, `${kind}: the process was killed by ${String(child.signal)}`);
    assert.is(child.status, 0, `${kind}: ${child.stderr}`);
    assert.is(child.stdout.trim(), "alive", kind);
  }
});

test.run();
