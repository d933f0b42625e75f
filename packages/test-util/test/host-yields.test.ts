import { test } from "uvu";
import * as assert from "uvu/assert";
import { Builder, yieldNow } from "@tokio-ts/runtime";
import { countSetImmediate } from "../src/index.js";
import { throwsWith } from "./throws-with.js";

test("countSetImmediate counts a runtime's host yields and none where there are none", async () => {
  const rt = Builder.newCurrentThread().eventInterval(1).build();
  try {
    const [sum, yields] = await countSetImmediate(() =>
      rt.blockOn(function* () {
        for (let i = 0; i < 10; i++) yield* yieldNow();
        return 7;
      }),
    );
    assert.is(sum, 7);
    // eventInterval(1): after each tick, the next drain goes through setImmediate
    assert.ok(yields >= 5 && yields <= 12, `${yields} calls for 10 yields`);
    const [, none] = await countSetImmediate(() => rt.blockOn(function* () {}));
    assert.ok(none <= 1, `${none} calls for a body that does not yield`);
  } finally {
    await rt.shutdownTimeout(1000);
  }
});

test("countSetImmediate counts plain calls and puts setImmediate back, also when the body throws", async () => {
  const real = globalThis.setImmediate;
  const [, calls] = await countSetImmediate(async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
  });
  assert.is(calls, 2);
  assert.is(globalThis.setImmediate, real);
  let caught: unknown;
  try {
    await countSetImmediate(() => {
      throw new Error("boom");
    });
  } catch (error) {
    caught = error;
  }
  assert.is((caught as Error).message, "boom");
  assert.is(globalThis.setImmediate, real);
});

test("countSetImmediate calls that overlap each count every call made while they run, and the real setImmediate is back whatever order they end in", async () => {
  const real = globalThis.setImmediate;
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  let endOuter!: () => void;
  const outerMayEnd = new Promise<void>((resolve) => (endOuter = resolve));
  const outer = countSetImmediate(async () => {
    await turn();
    await outerMayEnd;
  });
  const inner = await countSetImmediate(async () => {
    await turn();
    await turn();
  });
  endOuter();
  const [, outerCalls] = await outer;
  assert.is(inner[1], 2);
  assert.is(outerCalls, 3, "the outer call saw its own and the inner's");
  assert.is(globalThis.setImmediate, real);
  // The other order: the first to start ends first.
  let endSecond!: () => void;
  const secondMayEnd = new Promise<void>((resolve) => (endSecond = resolve));
  const first = countSetImmediate(turn);
  const second = countSetImmediate(async () => {
    await secondMayEnd;
    await turn();
  });
  await first;
  endSecond();
  await second;
  assert.is(globalThis.setImmediate, real);
});

test("countSetImmediate throws a TypeError naming body when it is not a function", () => {
  throwsWith(() => countSetImmediate(42 as never), TypeError, "countSetImmediate: body must be a function, got number");
});

test.run();
