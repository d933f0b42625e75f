/** Argument checks shared by the socket types. */
import { describe } from "../addr.js";

/** @internal `buf`/`data` must be a Uint8Array (a Buffer is one). */
export function checkBytes(value: unknown, name: string): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array, got ${describe(value)}`);
}
