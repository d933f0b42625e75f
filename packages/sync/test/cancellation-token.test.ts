import { test } from "uvu";
import * as assert from "uvu/assert";
import { addAbortListener, getEventListeners, once } from "node:events";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Context, Future, noopWaker, Pending, pending, pollFn, ready, type Poll, type Waker } from "@tokio-ts/core";
import { Builder, spawn, yieldNow } from "@tokio-ts/runtime";
import { assertPending, assertReady, assertReadyErr, forEachSeed, mockTask } from "@tokio-ts/test-util";
import { CancellationToken, CancellationTokenDropGuard, childCount, signalTokenCount } from "../src/cancellation-token.js";
import * as mpsc from "../src/mpsc/index.js";
import * as oneshot from "../src/oneshot.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Collect garbage, letting finalization callbacks run in between. */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    gc();
  }
  await new Promise<void>((resolve) => setImmediate(resolve));
}

const abortListeners = (signal: AbortSignal): number => getEventListeners(signal, "abort").length;

/** A leaf that stays pending until `resolve(v)`, and records whether it was dropped. */
class Gate<T> extends Future<T> {
  #waker: Waker | undefined;
  #value: { v: T } | undefined;
  dropped = false;
  override poll(cx: Context): Poll<T> {
    if (this.#value !== undefined) return this.#value.v;
    this.#waker = cx.waker;
    return Pending;
  }
  override cancel(): void {
    this.dropped = true;
  }
  resolve(v: T): void {
    this.#value = { v };
    this.#waker?.wake();
  }
}

// ---------------------------------------------------------------------------------------------
// cancel, cancelled()

test("cancel() marks the token cancelled, once", () => {
  const token = new CancellationToken();
  assert.not.ok(token.isCancelled());
  token.cancel();
  assert.ok(token.isCancelled());
  token.cancel();
  assert.ok(token.isCancelled());
});

test("cancelled() is pending until cancel() wakes every waiter once", () => {
  const token = new CancellationToken();
  const a = mockTask(token.cancelled());
  const b = mockTask(token.cancelled());
  assertPending(a.poll());
  assertPending(a.poll());
  assertPending(b.poll());
  assert.not.ok(a.isWoken());
  token.cancel();
  assert.is(a.wakeCount, 1);
  assert.is(b.wakeCount, 1);
  assertReady(a.poll());
  assertReady(b.poll());
  token.cancel();
  assert.is(a.wakeCount, 1, "a second cancel wakes nobody");
});

test("cancelled() of a cancelled token is ready at once and spends budget", () => {
  const token = new CancellationToken();
  token.cancel();
  const t = mockTask(token.cancelled());
  assertReady(t.poll());
  assert.is(t.budgetRemaining, 127);
  const spent = mockTask(token.cancelled(), { budget: 0 });
  assertPending(spent.poll());
  assert.ok(spent.isWoken());
  assert.is(spent.forcedYields, 1);
});

test("a dropped cancelled() is not woken; 1,000,000 dropped waits leave nothing behind", () => {
  const token = new CancellationToken();
  const dropped = mockTask(token.cancelled());
  const kept = mockTask(token.cancelled());
  assertPending(dropped.poll());
  assertPending(kept.poll());
  dropped.drop();
  const cx = new Context(noopWaker);
  for (let i = 0; i < 1_000_000; i++) {
    const w = token.cancelled();
    cx.budget = Infinity;
    if (w.poll(cx) !== Pending) throw new Error(`wait ${i} should be pending`);
    w.cancel();
  }
  token.cancel();
  assert.is(dropped.wakeCount, 0);
  assert.is(kept.wakeCount, 1);
  assertReady(kept.poll());
});

// ---------------------------------------------------------------------------------------------
// Children

test("cancelling a parent cancels its children and grandchildren, not the other way round", () => {
  const root = new CancellationToken();
  const child = root.childToken();
  const sibling = root.childToken();
  const grandchild = child.childToken();
  const w = mockTask(grandchild.cancelled());
  assertPending(w.poll());

  sibling.cancel();
  assert.not.ok(root.isCancelled(), "a child's cancel does not reach the parent");
  assert.not.ok(child.isCancelled(), "nor a sibling");

  root.cancel();
  assert.ok(child.isCancelled());
  assert.ok(grandchild.isCancelled());
  assert.ok(w.isWoken(), "a grandchild's waiter is woken");
});

test("a child of a cancelled token is born cancelled", () => {
  const root = new CancellationToken();
  root.cancel();
  const child = root.childToken();
  assert.ok(child.isCancelled());
  assertReady(mockTask(child.cancelled()).poll());
});

test("a cancelled child leaves its parent's set at once", () => {
  const root = new CancellationToken();
  const children = Array.from({ length: 10 }, () => root.childToken());
  assert.is(childCount(root), 10);
  for (const c of children.slice(0, 7)) c.cancel();
  assert.is(childCount(root), 3);
  children[8]![Symbol.dispose]();
  assert.is(childCount(root), 2, "a disposed child leaves too");
  root.cancel();
  assert.is(childCount(root), 0);
  assert.not.ok(children[8]!.isCancelled(), "a disposed child no longer hears its parent");
  assert.ok(children[9]!.isCancelled());
});

test("disposing a token moves its children up to its parent: they still hear the parent", () => {
  // tokio-util's cancel_grandchild_token_through_parent_if_child_was_dropped.
  const root = new CancellationToken();
  const middle = root.childToken();
  const grandchild = middle.childToken();
  const w = mockTask(grandchild.cancelled());
  assertPending(w.poll());
  middle[Symbol.dispose]();
  assert.is(childCount(root), 1, "the grandchild took the middle token's place");
  assert.is(childCount(middle), 0);
  assert.not.ok(grandchild.isCancelled());
  root.cancel();
  assert.ok(grandchild.isCancelled());
  assert.ok(w.isWoken());
  assertReady(w.poll());
  assert.not.ok(middle.isCancelled(), "the disposed token itself no longer hears the parent");
});

test("a child moved up by dispose still leaves its new parent when it is cancelled or disposed", () => {
  const root = new CancellationToken();
  const middle = root.childToken();
  const a = middle.childToken();
  const b = middle.childToken();
  middle[Symbol.dispose]();
  assert.is(childCount(root), 2);
  a.cancel();
  assert.is(childCount(root), 1);
  b[Symbol.dispose]();
  assert.is(childCount(root), 0);
  assert.not.ok(root.isCancelled(), "a child's cancellation does not reach the parent");
});

test("disposing a fromSignal token moves its children to the signal", () => {
  const controller = new AbortController();
  const token = CancellationToken.fromSignal(controller.signal);
  const child = token.childToken();
  token[Symbol.dispose]();
  assert.is(signalTokenCount(controller.signal), 1, "the child is attached to the signal now");
  assert.is(abortListeners(controller.signal), 1);
  controller.abort("why");
  assert.ok(child.isCancelled());
  assert.is(child.signal.reason, "why");
  assert.not.ok(token.isCancelled());
  assert.is(abortListeners(controller.signal), 0);
});

test("cancelling a deep chain of 100,000 tokens does not overflow the stack", () => {
  const root = new CancellationToken();
  let leaf = root;
  for (let i = 0; i < 100_000; i++) leaf = leaf.childToken();
  const w = mockTask(leaf.cancelled());
  assertPending(w.poll());
  root.cancel();
  assert.ok(leaf.isCancelled());
  assert.ok(w.isWoken());
});

test("a child that is no longer referenced is collected and leaves its parent's set", async () => {
  const root = new CancellationToken();
  let refs: WeakRef<CancellationToken>[] = [];
  (() => {
    for (let i = 0; i < 1000; i++) refs.push(new WeakRef(root.childToken()));
  })();
  const kept = root.childToken();
  assert.is(childCount(root), 1001);
  await collect();
  assert.is(refs.filter((r) => r.deref() !== undefined).length, 0, "the parent does not keep its children alive");
  assert.is(childCount(root), 1, "the finalizer removed their links");
  refs = [];
  root.cancel();
  assert.ok(kept.isCancelled());
});

test("a child held only through its waiter, its grandchild or its signal still hears the parent", async () => {
  const root = new CancellationToken();
  const waiter = mockTask(root.childToken().cancelled());
  assertPending(waiter.poll());
  const grandchild = root.childToken().childToken();
  const signal = root.childToken().toSignal();
  await collect();
  root.cancel();
  assert.ok(waiter.isWoken(), "through a pending cancelled()");
  assert.ok(grandchild.isCancelled(), "through a grandchild");
  assert.ok(signal.aborted, "through a toSignal() signal");
});

test("plain async code awaiting a child's cancelled() (or a fromSignal token's) is resumed by the cancel even after a GC", async () => {
  const root = new CancellationToken();
  const controller = new AbortController();
  let resumed = 0;
  for (let i = 0; i < 10; i++) {
    void (async () => {
      await root.childToken().cancelled(); // only the pending await refers to the child
      resumed++;
    })();
    void (async () => {
      await root.childToken().childToken().cancelled(); // and here to its parent too
      resumed++;
    })();
    void (async () => {
      await CancellationToken.fromSignal(controller.signal).cancelled();
      resumed++;
    })();
  }
  await collect();
  assert.is(childCount(root), 20, "the awaited children are kept");
  root.cancel();
  controller.abort();
  await collect();
  assert.is(resumed, 30);
});

test("an abort listener on a child's toSignal() keeps the child: it fires on the parent's cancel after a GC, however it was added", async () => {
  const root = new CancellationToken();
  const fired = { addEventListener: 0, onabort: 0, addAbortListener: 0, once: 0 };
  for (let i = 0; i < 5; i++) {
    root.childToken().toSignal().addEventListener("abort", () => fired.addEventListener++);
    root.childToken().toSignal().onabort = () => fired.onabort++;
    addAbortListener(root.childToken().toSignal(), () => fired.addAbortListener++);
    void once(root.childToken().toSignal(), "abort").then(() => fired.once++);
  }
  await collect();
  root.cancel();
  await collect();
  assert.equal(fired, { addEventListener: 5, onabort: 5, addAbortListener: 5, once: 5 });
});

test("a child that stops being observed (wait dropped, listener removed, cancelled on its own) can be collected again", async () => {
  const root = new CancellationToken();
  const refs: WeakRef<CancellationToken>[] = [];
  (() => {
    for (let i = 0; i < 10; i++) {
      const waited = root.childToken();
      const wait = mockTask(waited.cancelled());
      assertPending(wait.poll());
      wait.drop();
      const listened = root.childToken();
      const listener = (): void => {};
      listened.toSignal().addEventListener("abort", listener);
      listened.toSignal().removeEventListener("abort", listener);
      const middle = root.childToken();
      const deep = middle.childToken();
      const deepWait = mockTask(deep.cancelled());
      assertPending(deepWait.poll());
      deepWait.drop();
      const alone = root.childToken();
      const aloneWait = mockTask(alone.childToken().cancelled());
      assertPending(aloneWait.poll());
      alone.cancel(); // leaves the root at once, pin and all
      refs.push(new WeakRef(waited), new WeakRef(listened), new WeakRef(middle), new WeakRef(deep));
    }
  })();
  await collect();
  assert.is(refs.filter((r) => r.deref() !== undefined).length, 0, "none is held any longer");
  assert.is(childCount(root), 0);
});

test("children held for a listener Node drops by itself (the { signal } option of a collected target) are let go as new tokens are made", async () => {
  const root = new CancellationToken();
  const burst = (): void => {
    for (let i = 0; i < 200; i++) {
      const child = root.childToken();
      new EventTarget().addEventListener("message", () => {}, { signal: child.toSignal() });
    }
  };
  burst();
  await collect();
  burst(); // each new child recounts two held ones: the first burst's are let go
  await collect();
  assert.ok(childCount(root) <= 201, `${childCount(root)} children held after two bursts of 200`);
});

test("a held token is held by its source only: when the source is gone, a waited-on child and a listened root are collected", async () => {
  const children: WeakRef<CancellationToken>[] = [];
  const roots: WeakRef<CancellationToken>[] = [];
  const fromSignals: WeakRef<CancellationToken>[] = [];
  (() => {
    for (let i = 0; i < 50; i++) {
      const parent = new CancellationToken(); // a request's token, dropped with the request
      const child = parent.childToken();
      void Promise.race([child.cancelled(), Promise.resolve()]); // the losing wait stays queued: pinned
      children.push(new WeakRef(child));
      const root = new CancellationToken();
      root.toSignal().addEventListener("abort", () => {}); // a root's listener pins nothing
      roots.push(new WeakRef(root));
      const controller = new AbortController();
      const attached = CancellationToken.fromSignal(controller.signal);
      void Promise.race([attached.cancelled(), Promise.resolve()]);
      fromSignals.push(new WeakRef(attached));
    }
  })();
  await collect();
  const alive = (refs: WeakRef<CancellationToken>[]): number => refs.filter((r) => r.deref() !== undefined).length;
  assert.ok(alive(children) <= 1, `${alive(children)} of 50 children alive`);
  assert.ok(alive(roots) <= 1, `${alive(roots)} of 50 roots alive`);
  assert.ok(alive(fromSignals) <= 1, `${alive(fromSignals)} of 50 fromSignal tokens alive`);
});

test("disposing a token passes its observed children to its parent, still held", async () => {
  const root = new CancellationToken();
  let resumed = false;
  let scoped: CancellationToken | undefined = root.childToken();
  void (async (child: CancellationToken) => {
    await child.cancelled(); // only this await refers to the child
    resumed = true;
  })(scoped.childToken());
  scoped[Symbol.dispose]();
  scoped = undefined;
  await collect();
  assert.is(childCount(root), 1, "the child moved up to the root");
  root.cancel();
  await collect();
  assert.ok(resumed);
});

// ---------------------------------------------------------------------------------------------
// dropGuard

test("dropGuard cancels the token when disposed", () => {
  const token = new CancellationToken();
  {
    using guard = token.dropGuard();
    assert.instance(guard, CancellationTokenDropGuard);
    assert.not.ok(token.isCancelled());
  }
  assert.ok(token.isCancelled());
});

test("dropGuard cancels when the scope throws", () => {
  const token = new CancellationToken();
  try {
    using _guard = token.dropGuard();
    throw new Error("boom");
  } catch {
    // expected
  }
  assert.ok(token.isCancelled());
});

test("a disarmed dropGuard returns the token and does not cancel it", () => {
  const token = new CancellationToken();
  {
    using guard = token.dropGuard();
    assert.is(guard.disarm(), token);
    assert.is(guard.disarm(), undefined);
  }
  assert.not.ok(token.isCancelled());
});

// ---------------------------------------------------------------------------------------------
// runUntilCancelled

test("runUntilCancelled returns the body's output when it finishes first", async () => {
  const token = new CancellationToken();
  assert.is(await token.runUntilCancelled(ready(1)), 1);
  assert.is(await token.runUntilCancelled(async () => 2), 2);
  assert.is(
    await token.runUntilCancelled(function* () {
      return (yield* ready(3)) + 1;
    }),
    4,
  );
  function* work(n: number): Generator<never, number> {
    return n * 10;
  }
  assert.is(await token.runUntilCancelled(work(5)), 50, "a generator object");
});

test("runUntilCancelled of a generator object runs its finally when cancelled", () => {
  const token = new CancellationToken();
  const gate = new Gate<number>();
  const steps: string[] = [];
  function* work(): Generator<unknown, number> {
    try {
      return yield* gate;
    } finally {
      steps.push("finally");
    }
  }
  const t = mockTask(token.runUntilCancelled(work()));
  assertPending(t.poll());
  token.cancel();
  assertReady(t.poll(), undefined);
  assert.equal(steps, ["finally"]);
});

test("runUntilCancelled resolves undefined on cancel and drops the body", () => {
  const token = new CancellationToken();
  const gate = new Gate<number>();
  const t = mockTask(token.runUntilCancelled(gate));
  assertPending(t.poll());
  token.cancel();
  assert.ok(t.isWoken());
  assertReady(t.poll(), undefined);
  assert.ok(gate.dropped);
});

test("a recv() given up through runUntilCancelled on a signal's token (no runtime) leaves the next message in the channel", async () => {
  const [tx, rx] = mpsc.unboundedChannel<string>();
  const controller = new AbortController();
  const token = CancellationToken.fromSignal(controller.signal);
  const waiting = token.runUntilCancelled(rx.recv());
  await Promise.resolve();
  controller.abort();
  assert.is(await waiting, undefined);
  tx.send("next");
  assert.equal(rx.tryRecv(), { ok: true, value: "next" });
});

test("runUntilCancelled on a cancelled token never starts the body", async () => {
  const token = new CancellationToken();
  token.cancel();
  let started = false;
  const out = await token.runUntilCancelled(async () => {
    started = true;
    return 1;
  });
  assert.is(out, undefined);
  assert.not.ok(started);
  const spent = mockTask(token.runUntilCancelled(ready(1)), { budget: 0 });
  // Even with no budget left, the body does not run after cancel.
  assertReady(spent.poll(), undefined);
});

test("runUntilCancelled runs a generator body's finally on cancel", () => {
  const token = new CancellationToken();
  let cleaned = false;
  const t = mockTask(
    token.runUntilCancelled(function* () {
      try {
        yield* pending();
      } finally {
        cleaned = true;
      }
    }),
  );
  assertPending(t.poll());
  token.cancel();
  assertReady(t.poll(), undefined);
  assert.ok(cleaned);
});

test("runUntilCancelled: a finished or failed body leaves no waiter on the token; dropping it drops both", () => {
  const token = new CancellationToken();
  const gate = new Gate<number>();
  const t = mockTask(token.runUntilCancelled(gate));
  assertPending(t.poll());
  gate.resolve(5);
  assertReady(t.poll(), 5);
  const failing = mockTask(
    token.runUntilCancelled(function* () {
      yield* ready(0);
      throw new Error("body failed");
    }),
  );
  assertReadyErr(() => failing.poll(), /body failed/);
  const g2 = new Gate<number>();
  const dropped = mockTask(token.runUntilCancelled(g2));
  assertPending(dropped.poll());
  dropped.drop();
  assert.ok(g2.dropped);
  const cx = new Context(noopWaker);
  for (let i = 0; i < 100_000; i++) {
    const f = token.runUntilCancelled(new Gate<number>());
    cx.budget = Infinity;
    f.poll(cx);
    f.cancel();
  }
  token.cancel(); // nothing left to wake: would throw if a dropped future were polled
  assert.is(t.wakeCount, 1, "the finished one was not woken by the cancel");
});

// ---------------------------------------------------------------------------------------------
// AbortSignal

test("toSignal() aborts when the token (or an ancestor) is cancelled, and is the same signal each time", () => {
  const root = new CancellationToken();
  const child = root.childToken();
  const signal = child.toSignal();
  assert.is(child.signal, signal);
  assert.not.ok(signal.aborted);
  let fired = 0;
  signal.addEventListener("abort", () => fired++);
  root.cancel();
  assert.ok(signal.aborted);
  assert.is(fired, 1);
  assert.is((signal.reason as Error).name, "AbortError");
});

test("toSignal() of a cancelled token is already aborted", () => {
  const token = new CancellationToken();
  token.cancel();
  assert.ok(token.toSignal().aborted);
});

test("an abort listener sees every token of the subtree already cancelled", () => {
  const root = new CancellationToken();
  const child = root.childToken();
  const grandchild = child.childToken();
  let seen: boolean[] = [];
  root.toSignal().addEventListener("abort", () => {
    seen = [root.isCancelled(), child.isCancelled(), grandchild.isCancelled()];
  });
  root.cancel();
  assert.equal(seen, [true, true, true]);
});

test("fromSignal: the token is cancelled when the signal aborts, with its reason", () => {
  const controller = new AbortController();
  const token = CancellationToken.fromSignal(controller.signal);
  const child = token.childToken();
  const w = mockTask(child.cancelled());
  assertPending(w.poll());
  assert.is(abortListeners(controller.signal), 1);
  const reason = new Error("shutting down");
  controller.abort(reason);
  assert.ok(token.isCancelled());
  assert.ok(child.isCancelled());
  assert.ok(w.isWoken());
  assert.is(token.toSignal().reason, reason, "the reason travels to toSignal()");
  assert.is(child.toSignal().reason, reason, "and to the children's signals");
  assert.is(abortListeners(controller.signal), 0);
});

test("fromSignal of an aborted signal is cancelled at once and adds no listener", () => {
  const signal = AbortSignal.abort("why");
  const token = CancellationToken.fromSignal(signal);
  assert.ok(token.isCancelled());
  assert.is(token.signal.reason, "why");
  assert.is(abortListeners(signal), 0);
});

test("fromSignal detaches the token when it is cancelled otherwise, or disposed", () => {
  const controller = new AbortController();
  const signal = controller.signal;
  const tokens = Array.from({ length: 100 }, () => CancellationToken.fromSignal(signal));
  assert.is(signalTokenCount(signal), 100);
  for (const t of tokens.slice(0, 50)) t.cancel();
  assert.is(signalTokenCount(signal), 50);
  for (const t of tokens.slice(50, 90)) t[Symbol.dispose]();
  assert.is(signalTokenCount(signal), 10);
  {
    using _scoped = CancellationToken.fromSignal(signal);
    assert.is(signalTokenCount(signal), 11);
  }
  assert.is(signalTokenCount(signal), 10);
  assert.is(abortListeners(signal), 1);
  controller.abort();
  assert.ok(tokens[95]!.isCancelled());
  assert.not.ok(tokens[60]!.isCancelled(), "a disposed token no longer hears the signal");
  assert.is(signalTokenCount(signal), 0);
  assert.is(abortListeners(signal), 0);
});

test("fromSignal: one signal gets a single abort listener however many tokens it has, and none once they leave", () => {
  const controller = new AbortController();
  const signal = controller.signal;
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on("warning", onWarning);
  try {
    // A server's shutdown signal, a token per request in flight: well past Node's 10-listener warning.
    const tokens = Array.from({ length: 1000 }, () => CancellationToken.fromSignal(signal));
    assert.is(abortListeners(signal), 1);
    assert.is(signalTokenCount(signal), 1000);
    for (const t of tokens) t[Symbol.dispose]();
    assert.is(abortListeners(signal), 0, "the last token to leave removes the listener");
    const again = CancellationToken.fromSignal(signal);
    assert.is(abortListeners(signal), 1);
    controller.abort("bye");
    assert.ok(again.isCancelled());
    assert.is(again.signal.reason, "bye");
    assert.not.ok(tokens[0]!.isCancelled());
  } finally {
    process.off("warning", onWarning);
  }
  assert.not.ok(warnings.includes("MaxListenersExceededWarning"), "no MaxListenersExceededWarning");
});

test("fromSignal: a token whose cancellation throws does not keep the other tokens of the signal from theirs", async () => {
  const controller = new AbortController();
  const first = CancellationToken.fromSignal(controller.signal);
  const second = CancellationToken.fromSignal(controller.signal);
  const throwing: Waker = {
    wake() {
      throw new Error("a waker that throws");
    },
  };
  const cx = new Context(throwing);
  assert.is(first.cancelled().poll(cx), Pending);
  const w = mockTask(second.cancelled());
  assertPending(w.poll());
  // EventTarget reports a listener's error as an uncaught exception, on the next tick.
  const errors: unknown[] = [];
  const onError = (e: unknown): void => void errors.push(e);
  process.on("uncaughtException", onError);
  try {
    controller.abort();
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    process.off("uncaughtException", onError);
  }
  assert.ok(first.isCancelled());
  assert.ok(second.isCancelled());
  assert.ok(w.isWoken(), "the other token's waiter was woken");
  assert.is(errors.length, 1);
  assert.is((errors[0] as Error).message, "a waker that throws");
});

test("fromSignal: a long-lived signal does not keep unreferenced tokens (or their listeners) alive", async () => {
  const controller = new AbortController();
  const signal = controller.signal;
  const refs: WeakRef<CancellationToken>[] = [];
  (() => {
    for (let i = 0; i < 1000; i++) refs.push(new WeakRef(CancellationToken.fromSignal(signal)));
  })();
  assert.is(signalTokenCount(signal), 1000);
  assert.is(abortListeners(signal), 1);
  await collect();
  assert.is(refs.filter((r) => r.deref() !== undefined).length, 0);
  assert.is(signalTokenCount(signal), 0, "the finalizer detached them");
  assert.is(abortListeners(signal), 0, "and removed the listener");
});

test("fromSignal(non-signal) throws TypeError", () => {
  assert.throws(() => CancellationToken.fromSignal({} as AbortSignal), TypeError);
});

test("a token round-trips through AbortSignal", () => {
  const token = new CancellationToken();
  const back = CancellationToken.fromSignal(token.signal);
  assert.not.ok(back.isCancelled());
  token.cancel();
  assert.ok(back.isCancelled());
});

// ---------------------------------------------------------------------------------------------
// With and without a runtime

test("plain async function with no runtime: await cancelled()", async () => {
  const token = new CancellationToken();
  const log: string[] = [];
  const waiting = (async () => {
    await token.cancelled();
    log.push("cancelled");
  })();
  await Promise.resolve();
  log.push("cancelling");
  token.cancel();
  await waiting;
  assert.equal(log, ["cancelling", "cancelled"]);
});

test("seeded schedules: cancelling a parent stops every worker exactly once", async () => {
  await forEachSeed(40, (rt) =>
    rt.blockOn(function* () {
      const root = new CancellationToken();
      let stopped = 0;
      let finished = 0;
      const workers = Array.from({ length: 8 }, (_, i) => {
        const token = i % 2 === 0 ? root.childToken() : root.childToken().childToken();
        return spawn(function* () {
          const out = yield* token.runUntilCancelled(function* () {
            for (;;) yield* yieldNow();
          });
          if (out === undefined) stopped++;
          else finished++;
        });
      });
      const waiters = Array.from({ length: 4 }, () =>
        spawn(function* () {
          yield* root.cancelled();
        }),
      );
      yield* yieldNow();
      yield* yieldNow();
      root.cancel();
      for (const w of [...workers, ...waiters]) yield* w;
      assert.is(stopped, 8);
      assert.is(finished, 0);
    }),
  );
});

test("an async task can pass toSignal() to foreign APIs and is stopped by cancel()", async () => {
  const rt = Builder.newCurrentThread().build();
  try {
    const out = await rt.blockOn(function* () {
      const token = new CancellationToken();
      const h = spawn(async () => {
        try {
          await new Promise((_, reject) => token.signal.addEventListener("abort", () => reject(token.signal.reason), { once: true }));
          return "not aborted";
        } catch (e) {
          return (e as Error).name;
        }
      });
      yield* yieldNow();
      token.cancel();
      return yield* h;
    });
    assert.is(out, "AbortError");
  } finally {
    await rt.shutdownTimeout(Infinity);
  }
});

test("runUntilCancelled is biased towards the body after its first poll (Tokio's fairness): a value received as the token is cancelled is not dropped", () => {
  const token = new CancellationToken();
  const [tx, rx] = oneshot.channel<string>();
  const run = mockTask(token.runUntilCancelled(rx.recv()));
  assertPending(run.poll());
  assert.ok(tx.send("the reply").ok);
  token.cancel(); // in the same turn as the value
  assert.is(run.poll(), "the reply");
  // but a token cancelled before the first poll gives undefined and the body never runs
  let ran = false;
  const never = mockTask(
    token.runUntilCancelled(
      pollFn(() => {
        ran = true;
        return 1;
      }),
    ),
  );
  assert.is(never.poll(), undefined);
  assert.not.ok(ran);
  // and a pending body is dropped at the cancellation
  const other = new CancellationToken();
  const [, rx2] = oneshot.channel<string>();
  const dropped = mockTask(other.runUntilCancelled(rx2.recv()));
  assertPending(dropped.poll());
  other.cancel();
  assert.ok(dropped.isWoken());
  assert.is(dropped.poll(), undefined);
});

test.run();
