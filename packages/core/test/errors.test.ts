import { test } from "uvu";
import * as assert from "uvu/assert";
import { CancelledError, ContextError, currentDriverHost, DriverKey, isCancellation, TokioError } from "../src/index.js";

test("TokioError keeps its code and message and is an Error", () => {
  const error = new TokioError("ERR_X", "something");
  assert.instance(error, Error);
  assert.is(error.code, "ERR_X");
  assert.is(error.message, "something");
  assert.is(error.name, "TokioError");
});

test("a subclass of TokioError is named after its class", () => {
  class MyError extends TokioError {}
  assert.is(new MyError("ERR_MINE", "m").name, "MyError");
});

test("the name of a tokio-ts error survives a minifier renaming its class, and stays assignable", () => {
  const cases: [Function, string, () => Error][] = [
    [TokioError, "TokioError", () => new TokioError("ERR_X", "x")],
    [ContextError, "ContextError", () => ContextError.noRuntime("f()")],
    [CancelledError, "CancelledError", () => new CancelledError(1)],
  ];
  for (const [cls, name, make] of cases) {
    const original = Object.getOwnPropertyDescriptor(cls, "name")!;
    Object.defineProperty(cls, "name", { value: "e" }); // what a minifier does to the class
    try {
      const error = make();
      assert.is(error.name, name);
      assert.ok(String(error).startsWith(`${name}: `));
      assert.ok(error.stack!.startsWith(`${name}: `));
      error.name = "Renamed"; // as on any Error (a strict-mode assignment must not throw)
      assert.is(error.name, "Renamed");
      assert.ok(String(error).startsWith("Renamed: "));
    } finally {
      Object.defineProperty(cls, "name", original);
    }
  }
});

test("TokioError keeps the cause it was given", () => {
  const cause = new Error("root");
  assert.is(new TokioError("ERR_X", "x", { cause }).cause, cause);
});

test("ContextError.noRuntime names the caller and says how to fix it", () => {
  const error = ContextError.noRuntime("spawn()");
  assert.instance(error, TokioError);
  assert.is(error.name, "ContextError");
  assert.is(error.code, "ERR_NO_RUNTIME");
  assert.is(error.message, "spawn() needs a runtime, but no runtime is running: call this inside main() or Runtime.blockOn()");
});

test("ContextError.disabled names the feature and the builder call", () => {
  const error = ContextError.disabled("timers", "enableTime()");
  assert.is(error.code, "ERR_DRIVER_DISABLED");
  assert.is(error.message, "timers are disabled: build the runtime with enableTime()");
});

test("ContextError.shutdown says the runtime has been shut down", () => {
  const error = ContextError.shutdown("blockOn()");
  assert.is(error.code, "ERR_RUNTIME_SHUTDOWN");
  assert.is(error.message, "blockOn(): the runtime has been shut down");
});

test("CancelledError names the task when its id is known", () => {
  const error = new CancelledError(7);
  assert.is(error.name, "CancelledError");
  assert.is(error.code, "ERR_CANCELLED");
  assert.is(error.taskId, 7);
  assert.is(error.message, "task 7 was cancelled");
});

test("CancelledError without an id says the future was dropped", () => {
  const error = new CancelledError();
  assert.is(error.taskId, undefined);
  assert.is(error.message, "cancelled: the future was dropped before it completed (it lost a select or a timeout, or its task was aborted)");
});

test("DriverKey.disabledError is the ContextError naming its feature and enable call", () => {
  const key = new DriverKey("fake", "fakes", 'enableDriver("fake")', () => ({ shutdown() {} }));
  const error = key.disabledError();
  assert.instance(error, ContextError);
  assert.is(error.code, "ERR_DRIVER_DISABLED");
  assert.is(error.message, 'fakes are disabled: build the runtime with enableDriver("fake")');
});

test("currentDriverHost outside any task throws ERR_NO_RUNTIME naming the caller", () => {
  try {
    currentDriverHost("sleep()");
    assert.unreachable("should throw");
  } catch (error) {
    assert.instance(error, ContextError);
    assert.is((error as ContextError).code, "ERR_NO_RUNTIME");
    assert.match((error as Error).message, /^sleep\(\) needs a runtime, but no runtime is running/);
  }
});

test("isCancellation: a CancelledError, or Node's AbortError carrying one as cause; nothing else", () => {
  const cancelled = new CancelledError(7);
  assert.ok(isCancellation(cancelled));
  const abort = Object.assign(new Error("The operation was aborted"), { name: "AbortError", cause: cancelled });
  assert.ok(isCancellation(abort));
  assert.not.ok(isCancellation(Object.assign(new Error("aborted"), { name: "AbortError" })), "an AbortError of something else");
  assert.not.ok(isCancellation(new Error("wrapped", { cause: cancelled })), "another error that wraps it");
  assert.not.ok(isCancellation(undefined));
  assert.not.ok(isCancellation("cancelled"));
});

test.run();
