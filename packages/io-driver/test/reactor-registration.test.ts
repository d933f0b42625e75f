import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, ContextError, Pending, pollFn } from "@tokio-ts/core";
import { Builder } from "@tokio-ts/runtime";
import { assertPending, mockTask } from "@tokio-ts/test-util";
import { Interest, Ready } from "../src/interest.js";
import { IoDriver } from "../src/reactor/io-driver.js";
import { ioDriver, IO } from "../src/reactor/key.js";
import { readyOf, type ReadyEvent } from "../src/reactor/registration.js";

function counter() {
  const waker = { count: 0, wake() { this.count++; } };
  return { waker, cx: new Context(waker, 128) };
}

test("a read poll waits, and readable readiness wakes the reader once", () => {
  const r = new IoDriver().register();
  const { waker, cx } = counter();
  assert.is(r.pollReadReady(cx), Pending);
  r.setReadiness(Ready.WRITABLE);
  assert.is(waker.count, 0, "write readiness does not wake the reader");
  r.setReadiness(Ready.READABLE);
  assert.is(waker.count, 1);
  const event = r.pollReadReady(cx);
  assert.is.not(event, Pending);
  assert.is(readyOf(event as ReadyEvent), Ready.READABLE);
});

test("clearReadiness with a stale event keeps readiness that arrived after it (tick rule)", () => {
  const r = new IoDriver().register();
  const { cx } = counter();
  r.setReadiness(Ready.READABLE);
  const stale = r.pollReadReady(cx) as ReadyEvent;
  r.setReadiness(Ready.READABLE); // a new event lands before the reader clears
  r.clearReadiness(stale);
  assert.is(r.readiness & Ready.READABLE, Ready.READABLE, "the newer readiness survives");
  const fresh = r.pollReadReady(cx) as ReadyEvent;
  r.clearReadiness(fresh);
  assert.is(r.readiness & Ready.READABLE, 0, "a current event clears");
  assert.is(r.pollReadReady(cx), Pending);
});

test("the closed bits are final: clearReadiness never removes them", () => {
  const r = new IoDriver().register();
  const { cx } = counter();
  r.setReadiness(Ready.READ_CLOSED | Ready.READABLE);
  const event = r.pollReadReady(cx) as ReadyEvent;
  r.clearReadiness(event);
  assert.is(r.readiness, Ready.READ_CLOSED);
  assert.is(readyOf(r.pollReadReady(cx) as ReadyEvent), Ready.READ_CLOSED);
});

test("ready(interest) wakes every waiter whose interest matches, and a dropped waiter is never woken", () => {
  const r = new IoDriver().register();
  const a = mockTask(r.ready(Interest.READABLE));
  const b = mockTask(r.ready(Interest.WRITABLE));
  const c = mockTask(r.ready(Interest.READABLE | Interest.WRITABLE));
  const d = mockTask(r.ready(Interest.READABLE));
  for (const t of [a, b, c, d]) assertPending(t.poll());
  d.drop();
  r.setReadiness(Ready.READABLE);
  assert.is(a.wakeCount, 1);
  assert.is(b.wakeCount, 0);
  assert.is(c.wakeCount, 1);
  assert.is(d.wakeCount, 0);
  const out = a.poll();
  assert.is(readyOf(out as ReadyEvent), Ready.READABLE);
  assertPending(b.poll());
  r.setReadiness(Ready.WRITE_CLOSED);
  assert.is(b.wakeCount, 1);
  assert.is(readyOf(b.poll() as ReadyEvent), Ready.WRITE_CLOSED);
});

test("ready() rejects interests that are empty or unknown", () => {
  const r = new IoDriver().register();
  assert.throws(() => r.ready(0), (e: unknown) => e instanceof RangeError && /interest/.test(e.message));
  assert.throws(() => r.ready(4), RangeError);
  assert.throws(() => r.ready("readable" as never), TypeError);
});

test("ready() checks its interest's type and value: a string is a TypeError, a fraction a RangeError", () => {
  const r = new IoDriver().register();
  const typeError = (value: unknown, got: string) =>
    assert.throws(() => r.ready(value as never), (e: unknown) => e instanceof TypeError && (e as Error).message === `interest must be a number (Interest.READABLE, Interest.WRITABLE or both), got ${got}`);
  typeError("1", 'string "1"');
  typeError(null, "null");
  typeError(undefined, "undefined");
  const rangeError = (value: number) =>
    assert.throws(() => r.ready(value), (e: unknown) => e instanceof RangeError && (e as Error).message === `interest must be Interest.READABLE, Interest.WRITABLE or both, got ${value}`);
  for (const value of [3.5, 1.25, NaN, -Infinity, -2]) rangeError(value);
  // `&` reads the low 32 bits: 2 ** 32 has none of them set, and its future never completed.
  for (const value of [2 ** 32, 2 ** 32 + 1, 2 ** 53, 4]) rangeError(value);
});

test("register() refuses an onShutdown that is not a function, so a shutdown never stops half-way", () => {
  const driver = new IoDriver();
  const ran: string[] = [];
  driver.register(() => ran.push("a"));
  assert.throws(() => driver.register("x" as never), (e: unknown) => e instanceof TypeError && (e as Error).message === "onShutdown must be a function or undefined, got string");
  driver.register(() => ran.push("c"));
  driver.shutdown();
  assert.equal(ran, ["a", "c"]);
});

test("the coop budget is spent by the ready() future, not by the poll methods", () => {
  const r = new IoDriver().register();
  r.setReadiness(Ready.READABLE);
  const { waker } = counter();
  const cx = new Context(waker, 1);
  assert.is.not(r.pollReadReady(cx), Pending);
  assert.is.not(r.pollReadReady(cx), Pending);
  assert.is(cx.budget, 1, "pollReadReady spends nothing: the future around it does");
  const spent = mockTask(r.ready(Interest.READABLE), { budget: 1 });
  assert.is.not(spent.poll(), Pending);
  assert.is(spent.budgetRemaining, 0);
  const starved = mockTask(r.ready(Interest.READABLE), { budget: 0 });
  assertPending(starved.poll());
  assert.is(starved.wakeCount, 1, "a starved waiter yields and wakes its task to run later");
});

test("driver shutdown closes each resource once, wakes its waiters and fails their next poll", () => {
  const driver = new IoDriver();
  let closed = 0;
  const r = driver.register(() => closed++);
  const other = driver.register();
  other.deregister();
  assert.is(driver.registrationCount, 1);
  const { waker, cx } = counter();
  assert.is(r.pollReadReady(cx), Pending);
  const waiting = mockTask(r.ready(Interest.WRITABLE));
  assertPending(waiting.poll());
  driver.shutdown();
  driver.shutdown();
  assert.is(closed, 1);
  assert.is(waker.count, 1);
  assert.is(waiting.wakeCount, 1);
  assert.is(driver.registrationCount, 0);
  assert.throws(() => r.pollReadReady(cx), (e: unknown) => e instanceof ContextError && /shut down/.test(e.message));
  assert.throws(() => waiting.poll(), (e: unknown) => e instanceof ContextError);
  const late = driver.register(() => closed++);
  assert.ok(late.isShutdown, "a registration after shutdown is born closed");
});

test("a runtime without enableIo() names the missing builder call; outside a runtime, the context error", async () => {
  const rt = Builder.newCurrentThread().build();
  const err = await rt
    .blockOn(pollFn(() => ioDriver("TcpStream.connect()")))
    .then(() => undefined, (e: unknown) => e);
  assert.instance(err, ContextError);
  assert.is((err as Error).message, "I/O resources are disabled: build the runtime with enableIo()");
  assert.throws(() => ioDriver("TcpStream.connect()"), (e: unknown) => e instanceof ContextError && /no runtime is running/.test(e.message));
  await rt.shutdownTimeout(0);
});

test("enableIo() gives each runtime its own driver, and runtime shutdown closes what is registered", async () => {
  const rt = Builder.newCurrentThread().enableIo().build();
  let closed = false;
  const driver = await rt.blockOn(
    pollFn(() => {
      const d = ioDriver("test");
      d.register(() => (closed = true));
      return d;
    }),
  );
  assert.instance(driver, IoDriver);
  assert.is(rt.handle().driver(IO), driver);
  assert.is(driver.registrationCount, 1);
  await rt.shutdownTimeout(0);
  assert.ok(closed);
  assert.ok(driver.isShutdown);
});

test.run();
