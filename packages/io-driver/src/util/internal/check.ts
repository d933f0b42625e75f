/**
 * Argument checks shared by the utilities: each throws a TypeError/RangeError that names the
 * argument and says what was expected, at the call that received it.
 */
import { Interest } from "../../interest.js";
import { isAsyncBufRead, isAsyncRead, isAsyncWrite, type AsyncBufRead, type AsyncRead, type AsyncWrite } from "../../protocol.js";

export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 20 ? value.slice(0, 20) + "…" : value)}`;
  return `${typeof value} ${String(value)}`;
}

export function checkBuffer(name: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${name} must be a Uint8Array (or a Buffer), got ${describe(value)}`);
  }
}

export function checkReader(name: string, value: unknown): asserts value is AsyncRead {
  if (!isAsyncRead(value)) {
    throw new TypeError(`${name} must be an AsyncRead (an object with pollRead(cx, buf)), got ${describe(value)}`);
  }
}

export function checkBufReader(name: string, value: unknown): asserts value is AsyncBufRead {
  if (!isAsyncBufRead(value)) {
    const hint = isAsyncRead(value) ? ": wrap the reader in new BufReader(reader)" : "";
    throw new TypeError(`${name} must be an AsyncBufRead (an object with pollFillBuf and consume), got ${describe(value)}${hint}`);
  }
}

export function checkWriter(name: string, value: unknown): asserts value is AsyncWrite {
  if (!isAsyncWrite(value)) {
    throw new TypeError(`${name} must be an AsyncWrite (an object with pollWrite, pollFlush and pollShutdown), got ${describe(value)}`);
  }
}

/** A count of bytes that may be 0 (a limit, an amount): a non-negative safe integer. */
export function checkByteCount(name: string, value: unknown): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number of bytes, got ${describe(value)}`);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer number of bytes (at most Number.MAX_SAFE_INTEGER), got ${String(value)}`);
  }
}

/** A size in bytes: a positive safe integer (a bound, not an allocation: see {@link checkBufferSize}). */
export function checkSize(name: string, value: unknown): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number of bytes, got ${describe(value)}`);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer number of bytes, got ${String(value)}`);
  }
}

/**
 * The largest buffer allocated at once, 2^30 bytes (1 GiB): the bound of NodeStream's
 * `readBufferSize` too. Past it the engine's own "Invalid typed array length" (or an
 * out-of-memory crash) would come from deep inside the call instead of a RangeError naming the
 * argument.
 */
export const MAX_BUFFER_SIZE = 2 ** 30;

/** The size of a buffer allocated at the call: an integer in 1..2^30. */
export function checkBufferSize(name: string, value: unknown): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number of bytes, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < 1 || value > MAX_BUFFER_SIZE) {
    throw new RangeError(`${name} must be an integer number of bytes in 1..2^30, got ${String(value)}`);
  }
}

/**
 * The options argument of `fn`: `undefined` (all defaults) or an object with no key outside
 * `known` (a misspelt option must fail, not be silently ignored).
 */
export function checkOptions(fn: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options) || typeof (options as { then?: unknown }).then === "function") {
    const got = Array.isArray(options) ? "an array" : typeof options === "object" && options !== null ? "a promise (await it first)" : describe(options);
    throw new TypeError(`options must be an object or undefined, got ${got}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`${fn}: unknown option ${JSON.stringify(key)} (known: ${known.join(", ")})`);
  }
}

/**
 * An {@link Interest} argument (`ready(interest)` of the registration and of every socket):
 * `Interest.READABLE`, `Interest.WRITABLE` or both. TypeError for a non-number (`"1"` is a
 * string, not 1), RangeError for no bits, unknown bits or a fraction (3.5 is not 3).
 */
export function checkInterest(name: string, value: unknown): asserts value is Interest {
  if (typeof value !== "number") {
    throw new TypeError(`${name} must be a number (Interest.READABLE, Interest.WRITABLE or both), got ${describe(value)}`);
  }
  // A range, not a bit test: `&` reads the low 32 bits only, so 2 ** 32 would pass as "no
  // interest". 1, 2 and 3 are exactly the combinations of the two bits.
  if (!Number.isInteger(value) || value < Interest.READABLE || value > (Interest.READABLE | Interest.WRITABLE)) {
    throw new RangeError(`${name} must be Interest.READABLE, Interest.WRITABLE or both, got ${String(value)}`);
  }
}

/**
 * What a reader's `pollRead` returned must fit the buffer it was given: an integer from 0 to
 * `room`. A reader that claims more would make the caller invent bytes (or lose them); Tokio
 * panics there. Returns `n`.
 */
export function checkReadCount(n: number, room: number): number {
  if (n >= 0 && n <= room && Number.isInteger(n)) return n;
  throw new RangeError(`the reader's pollRead returned ${String(n)} for a ${room}-byte buffer (it must return an integer from 0 to the buffer's length)`);
}

/**
 * What a writer's `pollWrite` returned must fit the data it was given: an integer from 0 to
 * `len`. A writer that claims more would make a copy loop run past its buffer for ever (Tokio
 * debug-asserts it). Returns `n`.
 */
export function checkWriteCount(n: number, len: number): number {
  if (n >= 0 && n <= len && Number.isInteger(n)) return n;
  throw new RangeError(`the writer's pollWrite returned ${String(n)} for ${len} bytes (it must return an integer from 0 to the data's length)`);
}
