/**
 * How values cross between the main thread and a worker inside a slot (see layout.ts).
 *
 * HOW. Arguments are a count (u32) and then one tagged value each; a result is one tagged value
 * (no count). The common small values — undefined, null, booleans, numbers, short strings — are
 * written directly (a tag byte and the bits, strings as UTF-8), which costs a fraction of
 * `v8.serialize`; anything else is structured-cloned with `v8.serialize` and stored as a
 * length-prefixed blob (tag V8). A payload that does not fit in the slot goes on the worker's
 * MessagePort instead (layout's F_PORT).
 *
 * WHY not `v8.serialize` for everything: for a job like `x => x + 1` the serializer's setup
 * (a Serializer object, a fresh Buffer per call) costs more than the job; the direct encoding
 * of primitives allocates nothing.
 *
 * Errors thrown by a job travel as a plain record (name, message, stack, code, own enumerable
 * properties, cause) and are rebuilt on the main thread with the matching built-in constructor,
 * so `instanceof TypeError` and `err.name`, `err.stack` survive the trip.
 */
import v8 from "node:v8";

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_TRUE = 2;
const T_FALSE = 3;
const T_INT = 4;
const T_FLOAT = 5;
const T_STRING = 6;
const T_V8 = 7;

/** What v8's serializer calls for a typed array or DataView (not in Node's type declarations). */
interface HostObjectWriter {
  _writeHostObject(object: object): void;
}

/** The tag of `Uint8Array` in Node's host-object encoding of views (lib/v8.js, `arrayBufferViewTypes`). */
const UINT8ARRAY_HOST_TAG = 1;

/**
 * v8's default serializer, made to clone as `postMessage` does (what the README promises, and
 * what the other path — arguments with transfers or shared memory — uses), in two ways:
 * - it refuses a typed array or DataView over a SharedArrayBuffer: it would write such a view as
 *   a copy of its bytes, where `postMessage` keeps it shared. A caller that catches the refusal
 *   takes the `postMessage` path instead;
 * - it writes a `Buffer` as a `Uint8Array`, as structured clone does. Node's default writes it as
 *   a Buffer, so the type a job saw depended on the path its other arguments took (`toString()`
 *   gave "hi" or "104,105"). Written here in Node's own format (tag, byte length, bytes — what
 *   `DefaultSerializer` writes, with the Uint8Array tag) rather than by handing the default a
 *   Uint8Array view of the Buffer, which cost an object per Buffer (+10–15 % on a small one).
 */
class SharedViewRefusingSerializer extends v8.DefaultSerializer {
  _writeHostObject(object: object): void {
    if (ArrayBuffer.isView(object)) {
      if (object.buffer instanceof SharedArrayBuffer) {
        throw new TypeError("a view over a SharedArrayBuffer is sent with postMessage, to stay shared");
      }
      if (object.constructor === Buffer) {
        this.writeUint32(UINT8ARRAY_HOST_TAG);
        this.writeUint32(object.byteLength);
        this.writeRawBytes(object as Buffer);
        return;
      }
    }
    (v8.DefaultSerializer.prototype as unknown as HostObjectWriter)._writeHostObject.call(this, object);
  }
}

/**
 * `v8.serialize(value)`, refusing (throwing) what only `postMessage` sends as shared memory: a
 * SharedArrayBuffer (v8.serialize refuses it too) or a view over one, anywhere in `value`.
 */
export function serialize(value: unknown): Buffer {
  const serializer = new SharedViewRefusingSerializer();
  serializer.writeHeader();
  serializer.writeValue(value);
  return serializer.releaseBuffer();
}

/** Typed views of one shared buffer, made once per worker. */
export class SharedView {
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  readonly dv: DataView;
  readonly buf: Buffer;

  constructor(sab: SharedArrayBuffer) {
    this.i32 = new Int32Array(sab);
    this.u8 = new Uint8Array(sab);
    this.dv = new DataView(sab);
    this.buf = Buffer.from(sab);
  }
}

/** Whether `value` is written directly (no serializer). */
export function isDirect(value: unknown): boolean {
  const type = typeof value;
  return value === undefined || value === null || type === "boolean" || type === "number" || type === "string";
}

/**
 * Upper bound of the bytes `value` takes in a payload (`blob`: its v8 bytes when not direct).
 */
export function sizeOf(value: unknown, blob: Uint8Array | undefined): number {
  if (blob !== undefined) return 5 + blob.length;
  if (typeof value === "number") return 9;
  if (typeof value === "string") return 5 + value.length * 3;
  return 1;
}

/**
 * Write `values` at `offset` (payload start) without passing `end`; `blobs[i]` holds the v8
 * bytes of a value that is not direct (or is undefined, then it is serialized here). Returns
 * the end offset, or -1 if it does not fit.
 */
export function encodeValues(
  view: SharedView,
  offset: number,
  end: number,
  values: readonly unknown[],
  blobs: readonly (Uint8Array | undefined)[] | undefined,
): number {
  const dv = view.dv;
  if (offset + 4 > end) return -1;
  dv.setUint32(offset, values.length, true);
  let at = offset + 4;
  for (let i = 0; i < values.length; i++) {
    at = writeValue(view, at, end, values[i], blobs?.[i]);
    if (at < 0) return -1;
  }
  return at;
}

function writeValue(view: SharedView, at: number, end: number, value: unknown, blob: Uint8Array | undefined): number {
  const u8 = view.u8;
  if (at + 1 > end) return -1;
  switch (typeof value) {
    case "undefined":
      u8[at] = T_UNDEFINED;
      return at + 1;
    case "boolean":
      u8[at] = value ? T_TRUE : T_FALSE;
      return at + 1;
    case "number":
      if (at + 9 > end) return -1;
      if ((value | 0) === value && !Object.is(value, -0)) {
        u8[at] = T_INT;
        view.dv.setInt32(at + 1, value, true);
        return at + 5;
      }
      u8[at] = T_FLOAT;
      view.dv.setFloat64(at + 1, value, true);
      return at + 9;
    case "string": {
      // A lone surrogate (half an emoji, cut by a slice) has no UTF-8 form: v8's serializer keeps
      // the string as it is, as postMessage does.
      if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) break;
      const room = end - at - 5;
      if (room < 0) return -1;
      if (value.length * 3 > room && Buffer.byteLength(value, "utf8") > room) return -1;
      const written = view.buf.write(value, at + 5, room, "utf8");
      u8[at] = T_STRING;
      view.dv.setUint32(at + 1, written, true);
      return at + 5 + written;
    }
    default:
      if (value === null) {
        u8[at] = T_NULL;
        return at + 1;
      }
  }
  const bytes = blob ?? serialize(value);
  if (at + 5 + bytes.length > end) return -1;
  u8[at] = T_V8;
  view.dv.setUint32(at + 1, bytes.length, true);
  u8.set(bytes, at + 5);
  return at + 5 + bytes.length;
}

/** Read the values written by {@link encodeValues} at `offset`. */
export function decodeValues(view: SharedView, offset: number): unknown[] {
  const count = view.dv.getUint32(offset, true);
  const out = new Array<unknown>(count);
  cursor = offset + 4;
  for (let i = 0; i < count; i++) out[i] = readValue(view, cursor);
  return out;
}

/**
 * Write one value at `at` (a result: no count); returns the end offset, or -1 if it does not
 * fit. Allocates nothing for direct values.
 */
export function encodeValue(view: SharedView, at: number, end: number, value: unknown): number {
  return writeValue(view, at, end, value, undefined);
}

/** Read the value written by {@link encodeValue} at `at`. */
export function decodeValue(view: SharedView, at: number): unknown {
  return readValue(view, at);
}

/** Where the last {@link readValue} ended (a module variable, so reading allocates nothing). */
let cursor = 0;

function readValue(view: SharedView, at: number): unknown {
  const tag = view.u8[at];
  switch (tag) {
    case T_UNDEFINED:
      cursor = at + 1;
      return undefined;
    case T_NULL:
      cursor = at + 1;
      return null;
    case T_TRUE:
      cursor = at + 1;
      return true;
    case T_FALSE:
      cursor = at + 1;
      return false;
    case T_INT:
      cursor = at + 5;
      return view.dv.getInt32(at + 1, true);
    case T_FLOAT:
      cursor = at + 9;
      return view.dv.getFloat64(at + 1, true);
    case T_STRING: {
      const length = view.dv.getUint32(at + 1, true);
      cursor = at + 5 + length;
      return view.buf.toString("utf8", at + 5, at + 5 + length);
    }
    case T_V8: {
      const length = view.dv.getUint32(at + 1, true);
      cursor = at + 5 + length;
      // Copy out of shared memory first: Node's deserializer makes typed arrays that view
      // its input, and the slot is reused once the job is done.
      return v8.deserialize(view.u8.slice(at + 5, at + 5 + length));
    }
    default:
      throw new Error(`tokio-ts blocking: corrupt payload (tag ${String(tag)})`);
  }
}

/** The plain record an error thrown in a job travels as. */
export interface ErrorRecord {
  readonly error: true;
  readonly name: string;
  /** The built-in error class it is an instance of (`RangeError` for `class E extends RangeError`). */
  readonly base?: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly props: Record<string, unknown>;
  readonly cause?: ErrorRecord | { readonly value: unknown };
  /** An AggregateError's `errors` (a non-enumerable own property, so not among `props`). */
  readonly errors?: readonly (ErrorRecord | { readonly value: unknown })[];
}

/** What a job threw, ready for `v8.serialize`: an error as a record, anything else as `{ value }`. */
export function errorRecord(thrown: unknown, depth = 0): ErrorRecord | { readonly value: unknown } {
  if (!safely(() => thrown instanceof Error, false)) {
    return { value: cloneable(thrown) ? thrown : safely(() => String(thrown), "(a value that cannot be shown)") };
  }
  return errorRecordOf(thrown as Error, depth);
}

function errorRecordOf(thrown: Error, depth: number): ErrorRecord {
  const props: Record<string, unknown> = {};
  for (const key of safely(() => Object.keys(thrown), [] as string[])) {
    if (key === "cause") continue;
    const value = safely(() => (thrown as unknown as Record<string, unknown>)[key], undefined);
    if (value !== undefined && cloneable(value)) props[key] = value;
  }
  // Read with care: a getter of the error's own (a `name` that throws) must not take the worker
  // down with it.
  const record: { -readonly [K in keyof ErrorRecord]: ErrorRecord[K] } = {
    error: true,
    name: safely(() => String(thrown.name), "Error"),
    message: safely(() => String(thrown.message), ""),
    stack: safely(() => (typeof thrown.stack === "string" ? thrown.stack : undefined), undefined),
    props,
  };
  const base = safely(() => BASES.find((Ctor) => thrown instanceof Ctor)?.name, undefined);
  if (base !== undefined && base !== record.name) record.base = base;
  if (safely(() => "cause" in thrown, false) && depth < 8) record.cause = errorRecord(safely(() => thrown.cause, undefined), depth + 1);
  if (depth < 8) {
    const errors = safely(() => (thrown instanceof AggregateError && Array.isArray(thrown.errors) ? thrown.errors.map((e: unknown) => errorRecord(e, depth + 1)) : undefined), undefined);
    if (errors !== undefined) record.errors = errors;
  }
  return record;
}

/** `f()`, or `fallback` if it throws. */
function safely<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/** The built-in error classes an error may extend, the most specific first (Error last). */
const BASES: readonly ErrorConstructor[] = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

const CONSTRUCTORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  ReferenceError,
  SyntaxError,
  EvalError,
  URIError,
};

/** Rebuild what {@link errorRecord} made. */
export function fromErrorRecord(record: ErrorRecord | { readonly value: unknown }): unknown {
  if (!("error" in record)) return record.value;
  // Its own class does not cross threads; the built-in one it extends does (instanceof RangeError).
  const Ctor = (record.base === undefined ? undefined : CONSTRUCTORS[record.base]) ?? CONSTRUCTORS[record.name] ?? Error;
  const options = record.cause === undefined ? undefined : { cause: fromErrorRecord(record.cause) };
  const error =
    record.errors === undefined ? new Ctor(record.message, options) : new AggregateError(record.errors.map(fromErrorRecord), record.message, options);
  if (error.name !== record.name) {
    Object.defineProperty(error, "name", { value: record.name, writable: true, configurable: true, enumerable: false });
  }
  if (record.stack !== undefined) {
    Object.defineProperty(error, "stack", { value: record.stack, writable: true, configurable: true, enumerable: false });
  }
  Object.assign(error, record.props);
  return error;
}

function cloneable(value: unknown): boolean {
  if (isDirect(value)) return true;
  try {
    serialize(value);
    return true;
  } catch {
    return false;
  }
}
