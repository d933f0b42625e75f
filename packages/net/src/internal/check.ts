/**
 * Argument checks shared by the socket types. The rule: a wrong type is a TypeError, a value of
 * the right type out of range a RangeError; each names the argument and shows what it got as it
 * is (`"10"` is a string, not 10).
 */
import { describe } from "../addr.js";

/** @internal `buf`/`data` must be a Uint8Array (a Buffer is one). */
export function checkBytes(value: unknown, name: string): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array, got ${describe(value)}`);
}

/** @internal An inclusive range of integers, and how messages write it. */
export interface IntRange {
  readonly min: number;
  readonly max: number;
  readonly text: string;
}

/**
 * @internal The buffer sizes Node accepts: libuv takes an `int`, so 2^31 fails at the bind
 * (ERR_SOCKET_BUFFER_SIZE), and a read buffer past 2^30 cannot be allocated.
 */
export const BUFFER_SIZE: IntRange = { min: 1, max: 2 ** 30, text: "1..2^30" };

/** @internal A listen backlog (libuv's `int`). */
export const BACKLOG: IntRange = { min: 0, max: 2 ** 31 - 1, text: "0..2^31-1" };

/** @internal TypeError naming `name` and what it got, unless `value` is a number. */
export function checkNumber(value: unknown, name: string): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${describe(value)}`);
}

/** @internal A number that is an integer in `range`: TypeError for a non-number, else RangeError. */
export function checkInteger(value: unknown, name: string, range: IntRange): number {
  checkNumber(value, name);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new RangeError(`${name} must be an integer in ${range.text}, got ${value}`);
  }
  return value;
}

/** @internal SO_LINGER: `null`, `0`, or a time in milliseconds (see `TcpStream.setLinger`). */
export function checkLinger(linger: unknown): number | null {
  if (linger === null) return null;
  if (typeof linger !== "number") throw new TypeError(`linger must be null or a number of milliseconds, got ${describe(linger)}`);
  if (!(linger >= 0 && linger <= MAX_LINGER_MS)) {
    throw new RangeError(`linger must be null or a number of milliseconds in 0..${MAX_LINGER_MS}, got ${linger}`);
  }
  return linger;
}

/** The longest linger: what a host timer can wait (about 24.8 days). */
const MAX_LINGER_MS = 2 ** 31 - 1;
