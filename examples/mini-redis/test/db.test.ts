import { test } from "uvu";
import * as assert from "uvu/assert";
import { yieldNow } from "@tokio-ts/runtime";
import { advance, sleep } from "@tokio-ts/time";
import { Db } from "../src/db.js";
import { bytes, run, text } from "./helpers.js";

test("get, set and del", async () => {
  await run(function* () {
    using db = new Db();
    assert.is(db.get("k"), undefined);
    assert.ok(db.set("k", bytes("v")));
    assert.is(text(db.get("k")), "v");
    db.set("k", bytes("w"));
    assert.is(text(db.get("k")), "w");
    db.set("other", bytes("x"));
    assert.is(db.del(["k", "missing", "other"]), 2);
    assert.is(db.size, 0);
    yield* yieldNow();
  });
});

test("a key set with a deadline is there 1 ms before it and gone at it (lazy expiry)", async () => {
  await run(function* () {
    using db = new Db();
    db.set("k", bytes("v"), { expireMs: 1000 });
    yield* advance(999);
    assert.is(text(db.get("k")), "v");
    yield* advance(1);
    assert.is(db.get("k"), undefined);
    assert.is(db.size, 0);
  });
});

test("the purge task deletes expired keys nobody reads (active expiry), earliest deadline first", async () => {
  await run(function* () {
    using db = new Db();
    db.set("late", bytes("1"), { expireMs: 3_600_000 });
    // An earlier deadline set after the purge task went to sleep for the later one wakes it.
    yield* yieldNow();
    db.set("soon", bytes("2"), { expireMs: 10 });
    db.set("forever", bytes("3"));
    yield* sleep(11);
    assert.is(db.size, 2, "soon was purged without a read");
    yield* sleep(3_600_000);
    assert.is(db.size, 1);
    assert.is(text(db.get("forever")), "3");
  });
});

test("overwriting a key replaces its deadline; a SET without EX makes it persistent", async () => {
  await run(function* () {
    using db = new Db();
    db.set("k", bytes("a"), { expireMs: 100 });
    db.set("k", bytes("b"), { expireMs: 500 });
    yield* sleep(200);
    assert.is(text(db.get("k")), "b", "the first deadline no longer applies");
    db.set("k", bytes("c"));
    yield* sleep(1000);
    assert.is(text(db.get("k")), "c");
  });
});

test("NX sets only a missing key, XX only an existing one; an expired key counts as missing", async () => {
  await run(function* () {
    using db = new Db();
    assert.not.ok(db.set("k", bytes("x"), { condition: "xx" }));
    assert.ok(db.set("k", bytes("a"), { condition: "nx", expireMs: 50 }));
    assert.not.ok(db.set("k", bytes("b"), { condition: "nx" }));
    assert.ok(db.set("k", bytes("c"), { condition: "xx" }));
    db.set("t", bytes("t"), { expireMs: 50 });
    yield* advance(50);
    assert.ok(db.set("t", bytes("u"), { condition: "nx" }));
    assert.is(db.del(["t", "k"]), 2);
  });
});

test("many deadlines on one key keep the schedule bounded and the count exact", async () => {
  await run(function* () {
    using db = new Db();
    for (let i = 0; i < 10_000; i++) db.set("k", bytes(String(i)), { expireMs: 1000 + i });
    for (let i = 0; i < 100; i++) db.set(`k${i}`, bytes("v"), { expireMs: 5 });
    yield* sleep(6);
    assert.is(db.size, 1);
    yield* sleep(20_000);
    assert.is(db.size, 0);
  });
});

test("bad expiry values are refused at the call", async () => {
  await run(function* () {
    using db = new Db();
    assert.throws(() => db.set("k", bytes("v"), { expireMs: 0 }), RangeError);
    assert.throws(() => db.set("k", bytes("v"), { expireMs: NaN }), RangeError);
    assert.throws(() => new Db({ channelCapacity: 0 }), RangeError);
    yield* yieldNow();
  });
});

test("pub/sub: a channel exists while it has subscribers; publish counts them", async () => {
  await run(function* () {
    using db = new Db();
    assert.is(db.publish("news", bytes("nobody")), 0);
    assert.is(db.channelCount, 0);
    const a = db.subscribe("news");
    const b = db.subscribe("news");
    assert.is(db.channelCount, 1);
    assert.is(db.publish("news", bytes("hi")), 2);
    assert.is(text(yield* a.recv()), "hi");
    assert.is(text(yield* b.recv()), "hi");
    db.unsubscribe("news", a);
    assert.is(db.publish("news", bytes("again")), 1);
    db.unsubscribe("news", b);
    assert.is(db.channelCount, 0, "the last unsubscribe removes the channel");
    assert.is(db.publish("news", bytes("gone")), 0);
  });
});

test("without time enabled the Db fails at construction, naming the fix", async () => {
  const { Builder } = await import("@tokio-ts/runtime");
  const rt = Builder.newCurrentThread().build();
  try {
    await rt.blockOn(function* () {
      assert.throws(() => new Db(), /enableTime/);
      yield* yieldNow();
    });
  } finally {
    await rt.shutdownTimeout(0);
  }
});

test.run();
