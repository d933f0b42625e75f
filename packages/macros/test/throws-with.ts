import * as assert from "uvu/assert";

/** Assert that `fn` throws an instance of `kind` with exactly `message`. */
export function throwsWith(fn: () => unknown, kind: typeof TypeError | typeof RangeError, message: string): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, kind);
    assert.is((error as Error).message, message);
    return;
  }
  assert.unreachable(`expected a ${kind.name}: ${message}`);
}
