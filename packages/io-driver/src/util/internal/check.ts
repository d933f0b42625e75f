/**
 * Argument checks shared by the utilities: each throws a TypeError/RangeError that names the
 * argument and says what was expected, at the call that received it.
 */
import { isAsyncBufRead, isAsyncRead, isAsyncWrite, type AsyncBufRead, type AsyncRead, type AsyncWrite } from "../../protocol.js";

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  if (typeof value === "string") return JSON.stringify(value.length > 20 ? value.slice(0, 20) + "…" : value);
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

/** A size in bytes: a positive safe integer. */
export function checkSize(name: string, value: unknown): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number of bytes, got ${describe(value)}`);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer number of bytes, got ${String(value)}`);
  }
}
