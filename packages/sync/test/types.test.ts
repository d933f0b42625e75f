/**
 * Type tests: what the channels, locks and cells infer (`yield*` and `await` results, `try*`
 * results narrowing on `ok`, guards under `using`), and misuse the compiler rejects
 * (`@ts-expect-error` fails the build if the line compiles). The typed code runs in the tests
 * below (sync primitives need no runtime), so its results are checked too.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fromGenerator, ready, type Future } from "@tokio-ts/core";
import {
  Barrier,
  CancellationToken,
  Mutex,
  Notify,
  OnceCell,
  RwLock,
  Semaphore,
  SetOnce,
  broadcast,
  err,
  mpsc,
  ok,
  oneshot,
  watch,
  type BarrierWaitResult,
  type MutexGuard,
  type Result,
  type RwLockReadGuard,
  type RwLockWriteGuard,
  type SemaphorePermit,
  type SendError,
  type SetError,
  type TryLockError,
  type TryRecvError,
  type TrySendError,
} from "../src/index.js";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

export async function channels(): Promise<unknown[]> {
  const [tx, rx] = mpsc.channel<number>(4);
  const sent = await tx.send(1);
  expectType<Equals<typeof sent, void>>();
  const tried = tx.trySend(2);
  if (tried.ok) expectType<Equals<typeof tried.value, void>>();
  else expectType<Equals<typeof tried.error, TrySendError<number>>>();
  const permit = await tx.reserve();
  expectType<Equals<typeof permit, mpsc.Permit<number>>>();
  permit.send(3);
  const got = await rx.recv();
  expectType<Equals<typeof got, number | undefined>>();
  const next = rx.tryRecv();
  if (next.ok) expectType<Equals<typeof next.value, number>>();
  else expectType<Equals<typeof next.error, TryRecvError>>();
  tx.close();
  const rest: number[] = [];
  for await (const n of rx) {
    expectType<Equals<typeof n, number>>();
    rest.push(n);
  }

  const [utx, urx] = mpsc.unboundedChannel<string>();
  const usent = utx.send("u");
  if (!usent.ok) expectType<Equals<typeof usent.error, SendError<string>>>();
  const ugot = await fromGenerator(function* () {
    return yield* urx.recv();
  });
  expectType<Equals<typeof ugot, string | undefined>>();

  // A signal channel sends null: undefined is how recv() says "closed".
  const [stx, srx] = mpsc.channel<null>(1);
  await stx.send(null);
  const signal = await srx.recv();
  expectType<Equals<typeof signal, null | undefined>>();

  const [otx, orx] = oneshot.channel<string>();
  const osent = otx.send("o");
  if (!osent.ok) expectType<Equals<typeof osent.error.value, string>>();
  const ogot = await orx;
  expectType<Equals<typeof ogot, string>>();

  const [btx, brx] = broadcast.channel<number>(2);
  const receivers = btx.send(7);
  if (receivers.ok) expectType<Equals<typeof receivers.value, number>>();
  const bgot = await brx.recv();
  expectType<Equals<typeof bgot, number>>();

  const [wtx, wrx] = watch.channel({ n: 1 });
  wtx.sendModify((cell: watch.Cell<{ n: number }>) => {
    cell.value.n = 2;
  });
  const seen = await wrx.waitFor((v) => v.n === 2);
  expectType<Equals<typeof seen, { n: number }>>();
  const changed = wrx.hasChanged();
  if (changed.ok) expectType<Equals<typeof changed.value, boolean>>();

  return [sent, got, rest, usent.ok, ugot, signal, ogot, receivers.ok && receivers.value, bgot, seen.n];
}

export async function handles(): Promise<unknown[]> {
  const [tx, rx] = mpsc.channel<number>(2);
  const owned = await tx.reserveOwned();
  expectType<Equals<typeof owned, mpsc.OwnedPermit<number>>>();
  owned.send(1);
  const triedOwned = tx.tryReserveOwned();
  if (triedOwned.ok) expectType<Equals<typeof triedOwned.value, mpsc.OwnedPermit<number>>>();
  else expectType<Equals<typeof triedOwned.error, TrySendError<void>>>();
  if (triedOwned.ok) triedOwned.value.release();
  using weak = tx.downgrade();
  using weakClone = weak.clone();
  expectType<Equals<typeof weakClone, mpsc.WeakSender<number>>>();
  const up = weak.upgrade();
  expectType<Equals<typeof up, mpsc.Sender<number> | undefined>>();
  up?.close();
  const [utx] = mpsc.unboundedChannel<string>();
  using uweak = utx.downgrade();
  const uup = uweak.upgrade();
  expectType<Equals<typeof uup, mpsc.UnboundedSender<string> | undefined>>();
  uup?.close();

  const [btx, brx] = broadcast.channel<number>(2);
  using bweak = btx.downgrade();
  expectType<Equals<typeof bweak, broadcast.WeakSender<number>>>();
  const bup = bweak.upgrade();
  expectType<Equals<typeof bup, broadcast.Sender<number> | undefined>>();
  bup?.[Symbol.dispose]();

  const [, orx] = oneshot.channel<number>();
  return [await rx.recv(), tx.weakCount(), rx.senderWeakCount(), brx.isClosed(), brx.senderWeakCount(), orx.isEmpty(), orx.isTerminated()];
}

export async function locksAndCells(): Promise<unknown[]> {
  const mutex = new Mutex(1);
  {
    using guard = await mutex.lock();
    expectType<Equals<typeof guard, MutexGuard<number>>>();
    guard.value += 1;
  }
  const tried = mutex.tryLock();
  if (tried.ok) {
    using guard = tried.value;
    guard.value *= 10;
  } else expectType<Equals<typeof tried.error, TryLockError>>();
  const exclusive = await mutex.runExclusive(function* (guard) {
    yield* ready(undefined);
    return guard.value > 1;
  });
  expectType<Equals<typeof exclusive, boolean>>();
  const fromAsyncFn = await mutex.runExclusive(async (guard) => String(guard.value));
  expectType<Equals<typeof fromAsyncFn, string>>();

  const lock = new RwLock({ x: 1 });
  {
    using read = await lock.read();
    expectType<Equals<typeof read, RwLockReadGuard<{ x: number }>>>();
  }
  {
    using write = await lock.write();
    expectType<Equals<typeof write, RwLockWriteGuard<{ x: number }>>>();
    write.value = { x: 2 };
  }
  const readNow = lock.tryRead();
  const x = readNow.ok ? readNow.value.value.x : -1;
  if (readNow.ok) readNow.value.release();

  const cell = new OnceCell<number>();
  const init = await cell.getOrInit(async () => 5);
  expectType<Equals<typeof init, number>>();
  const again = await cell.getOrInit(function* () {
    return 6;
  });
  const fallible = await new OnceCell<number>().getOrTryInit(async () => (x > 0 ? ok(1) : err("no")));
  expectType<Equals<typeof fallible, Result<number, string>>>();
  const once = new SetOnce<string>();
  const set = once.set("s");
  if (!set.ok) expectType<Equals<typeof set.error, SetError<string>>>();
  const waited = await once.wait();
  expectType<Equals<typeof waited, string>>();

  const semaphore = new Semaphore(1);
  {
    using permit = await semaphore.acquire();
    expectType<Equals<typeof permit, SemaphorePermit>>();
  }
  const notify = new Notify();
  notify.notifyOne();
  const notified = await notify.notified();
  expectType<Equals<typeof notified, void>>();
  const barrier = await new Barrier(1).wait();
  expectType<Equals<typeof barrier, BarrierWaitResult>>();
  const token = new CancellationToken();
  const ran = await token.runUntilCancelled(async () => 1);
  expectType<Equals<typeof ran, number | undefined>>();
  function* work(n: number): Generator<never, string> {
    return `job ${n}`;
  }
  const worked = await token.runUntilCancelled(work(1)); // a generator object, as spawn takes
  expectType<Equals<typeof worked, string | undefined>>();

  return [mutex.tryLock().ok, exclusive, fromAsyncFn, x, init, again, fallible, waited, ran, worked];
}

export function misuse(): void {
  const [tx] = mpsc.channel<number | undefined>(1);
  // @ts-expect-error undefined is not a message: recv() resolves undefined when closed
  void tx.send(undefined);
  // @ts-expect-error undefined is not a message
  tx.trySend(undefined);
  const [vtx] = mpsc.channel<void>(1);
  // @ts-expect-error a void channel has no message to send: use channel<null> and send(null)
  void vtx.send();
  const [utx] = mpsc.unboundedChannel<unknown>();
  // @ts-expect-error undefined is not a message, whatever T is
  utx.send(undefined);
  utx.send(null);
  // A generic sender takes a T that excludes undefined.
  const forward = <T extends {} | null>(to: mpsc.Sender<T>, value: T): Future<void> => to.send(value);
  void forward;
  const forwardAny = <T,>(to: mpsc.Sender<T>, value: T): void => {
    // @ts-expect-error an unconstrained T may be undefined
    void to.send(value);
  };
  void forwardAny;

  const [btx, brx] = broadcast.channel<number>(1);
  // @ts-expect-error a sender is compared with senders, not with receivers
  btx.sameChannel(brx);
  const [mtx] = mpsc.channel<number>(1);
  // @ts-expect-error an owned permit takes a message like any permit: not undefined
  void mtx.reserveOwned().then((permit) => permit.send(undefined));

  const lock = new RwLock(1);
  const read = lock.tryRead();
  // @ts-expect-error a read guard's value is read only
  if (read.ok) read.value.value = 2;
  const [wtx] = watch.channel(1);
  // @ts-expect-error the watched value is a number
  wtx.send("x");
  // @ts-expect-error the cell holds numbers
  void new OnceCell<number>().getOrInit(async () => "x");
}

test("the typed channel code runs with the values its types say", async () => {
  assert.type(misuse, "function");
  assert.equal(await channels(), [undefined, 1, [3], true, "u", null, "o", 1, 7, 2]);
});

test("the typed handle code (owned permits, weak senders, counts) runs with the values its types say", async () => {
  assert.equal(await handles(), [1, 2, 2, false, 1, true, false]);
});

test("the typed lock and cell code runs with the values its types say", async () => {
  assert.equal(await locksAndCells(), [true, true, "20", 2, 5, 5, { ok: true, value: 1 }, "s", 1, "job 1"]);
});

test.run();
