/**
 * The errors of the `try*` methods are values in a Result, made without a stack trace (see the
 * header of src/errors.ts); the errors that are thrown keep theirs.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { broadcast, mpsc, Mutex, oneshot, RwLock, Semaphore, SendError, TryAcquireError, TryLockError, TryRecvError, TrySendError } from "../src/index.js";

const hasFrames = (error: Error) => /\n\s+at /.test(error.stack ?? "");

test("a failed try* gives an error without stack frames, with its name, code, kind and message, and leaves Error.stackTraceLimit as it was", () => {
  const limit = Error.stackTraceLimit;
  const [tx, rx] = mpsc.channel<number>(1);
  tx.trySend(1);
  const full = tx.trySend(2);
  const [, orx] = oneshot.channel<number>();
  const [btx, brx] = broadcast.channel<number>(1);
  const mutex = new Mutex(0);
  const held = mutex.tryLock();
  const rw = new RwLock(0);
  const reading = rw.tryRead();
  const errors: [Error | undefined, Function, string, string][] = [
    [full.ok ? undefined : full.error, TrySendError, "TrySendError", "ERR_CHANNEL_FULL"],
    [(() => { const r = mpsc.channel<number>(1)[1].tryRecv(); return r.ok ? undefined : r.error; })(), TryRecvError, "TryRecvError", "ERR_CHANNEL_EMPTY"],
    [(() => { const r = orx.tryRecv(); return r.ok ? undefined : r.error; })(), TryRecvError, "TryRecvError", "ERR_CHANNEL_EMPTY"],
    [(() => { const r = brx.tryRecv(); return r.ok ? undefined : r.error; })(), TryRecvError, "TryRecvError", "ERR_CHANNEL_EMPTY"],
    [(() => { const r = mutex.tryLock(); return r.ok ? undefined : r.error; })(), TryLockError, "TryLockError", "ERR_WOULD_BLOCK"],
    [(() => { const r = rw.tryWrite(); return r.ok ? undefined : r.error; })(), TryLockError, "TryLockError", "ERR_WOULD_BLOCK"],
    [(() => { const r = new Semaphore(0).tryAcquire(); return r.ok ? undefined : r.error; })(), TryAcquireError, "TryAcquireError", "ERR_NO_PERMITS"],
  ];
  for (const [error, type, name, code] of errors) {
    assert.instance(error, type);
    assert.is(error!.name, name);
    assert.is((error as Error & { code: string }).code, code);
    assert.ok(error!.message.length > 0);
    assert.not.ok(hasFrames(error!), `${name} has no stack frames: ${error!.stack}`);
  }
  assert.is(Error.stackTraceLimit, limit);
  assert.ok(hasFrames(new Error("an ordinary error")), "other errors keep their frames");
  void [rx, btx, held, reading];
});

test("an error a waiting call throws keeps its stack frames", async () => {
  const [tx, rx] = mpsc.channel<number>(1);
  rx.close();
  const error = await tx.send(1).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, SendError);
  assert.ok(hasFrames(error as Error));
});

test.run();
