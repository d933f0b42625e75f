import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertPending, assertReady, mockTask } from "@tokio-ts/test-util";
import { lookupHost, SocketAddr } from "../src/index.js";
import { onRuntime, rejection, turnsUntil } from "./udp-helpers.js";

const strings = (addrs: SocketAddr[]): string[] => addrs.map((a) => a.toString());

test("lookupHost resolves localhost through the system resolver, keeping the port", () =>
  onRuntime(async () => {
    const addrs = await lookupHost("localhost:8080");
    assert.ok(addrs.length >= 1);
    assert.ok(addrs.every((a) => a instanceof SocketAddr && a.port === 8080));
    assert.ok(addrs.some((a) => a.ip === "127.0.0.1" || a.ip === "::1"), strings(addrs).join(", "));
    const same = await lookupHost({ host: "localhost", port: 8080 });
    assert.equal(strings(same), strings(addrs));
  }));

test("an IP literal resolves to itself at the first poll, without the resolver", () => {
  assert.equal(strings(assertReady(mockTask(lookupHost("127.0.0.1:53")).poll())), ["127.0.0.1:53"]);
  assert.equal(strings(assertReady(mockTask(lookupHost("[::1]:443")).poll())), ["[::1]:443"]);
  assert.equal(strings(assertReady(mockTask(lookupHost({ ip: "::1", port: 0 })).poll())), ["[::1]:0"]);
  assert.equal(strings(assertReady(mockTask(lookupHost(new SocketAddr("10.0.0.1", 9))).poll())), ["10.0.0.1:9"]);
});

test("lookupHost works without a runtime (it needs no driver)", async () => {
  const addrs = await lookupHost("localhost:1");
  assert.ok(addrs.length >= 1);
});

test("a bad shape or port fails at the call with TypeError/RangeError naming the argument", () => {
  assert.throws(() => lookupHost("localhost"), (e: unknown) => e instanceof TypeError && /host/.test(e.message));
  assert.throws(() => lookupHost("localhost:99999"), RangeError);
  assert.throws(() => lookupHost("localhost:http"), TypeError);
  assert.throws(() => lookupHost("::1:80"), (e: unknown) => e instanceof TypeError && /brackets/.test(e.message));
  assert.throws(() => lookupHost({ host: "", port: 1 }), TypeError);
  assert.throws(() => lookupHost({ host: "localhost", port: -1 }), (e: unknown) => e instanceof RangeError && /host\.port/.test(e.message));
  assert.throws(() => lookupHost(42 as never), TypeError);
});

test("a name the resolver does not know fails with its code (ENOTFOUND) and names the host", async () => {
  const e = await rejection(lookupHost("invalid..host:80"));
  assert.is(e.code, "ENOTFOUND");
  assert.is(e.syscall, "getaddrinfo");
  assert.match(e.message, "invalid..host");
});

test("a lookup is lazy, and one dropped while resolving discards the answer and never wakes", async () => {
  const lazy = lookupHost("localhost:80");
  lazy.cancel(); // never polled: nothing was started
  const task = mockTask(lookupHost("localhost:80"));
  assertPending(task.poll());
  task.drop();
  const other = mockTask(lookupHost("localhost:81"));
  assertPending(other.poll());
  await turnsUntil(() => other.isWoken());
  assert.is(task.wakeCount, 0, "the dropped lookup did not wake its task");
  assert.ok(strings(assertReady(other.poll())).every((s) => s.endsWith(":81")));
});

test.run();
