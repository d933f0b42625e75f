/**
 * An incremental RESP2 parser over one growable byte buffer.
 *
 * HOW. Bytes arrive in pieces of any size: the caller reads straight into {@link RespParser.spare}
 * (no copy, no allocation per read) and reports how many with `commit(n)`, then asks for the next
 * complete value. The parser never waits and never looks at a byte twice for long: it keeps
 *
 * - the window `[#start, #end)` of bytes received and not yet consumed (consumed bytes are
 *   reclaimed by moving the window to the front when more room is needed);
 * - `#scan`, how far the search for the current line's `\n` got, so a header that arrives one
 *   byte at a time is scanned once, not once per byte;
 * - the state of the value being assembled: for requests, the arguments left (`#argsLeft`) and
 *   those read (`#args`); for replies, a stack of unfinished arrays; for both, the length of the
 *   bulk string whose header was read and whose payload has not fully arrived (`#bulkLen`).
 *
 * So a value split at any byte is parsed when its last byte arrives, and a pipelined read of a
 * hundred commands yields them one `nextCommand()` at a time.
 *
 * Two entry points, one per side of the connection (use one per parser):
 * - {@link RespParser.nextCommand} — the server side, as Redis reads requests: `*N` followed by N
 *   bulk strings, or an *inline* command (a line of space-separated words, with Redis's quoting),
 *   which is what `telnet` or a hand-typed `redis-cli` fallback sends. Empty commands (`*0`,
 *   `*-1`, blank lines) are skipped, as Redis does.
 * - {@link RespParser.nextFrame} — the client side: any RESP2 value.
 *
 * Limits (Redis's `proto-max-bulk-len` and friends) make hostile input cheap: a header line, an
 * inline command, a bulk length and an array length each have a maximum, checked as soon as the
 * header is read — before any memory is reserved for the payload — and exceeding one throws a
 * {@link ProtocolError}. The buffer never holds more than the largest allowed value plus one read.
 * Arrays are built by pushing what arrived, never preallocated to a length the peer claimed.
 */
import { ProtocolError } from "./errors.js";
import type { Frame } from "./frame.js";

/**
 * The limits of a {@link RespParser}. Every field is optional.
 *
 * @example
 * ```ts
 * const parser = new RespParser({ maxBulkLength: 1024 * 1024 });
 * ```
 */
export interface ParserLimits {
  /** Largest bulk string, in bytes. Default 64 MiB (Redis allows 512 MiB). */
  readonly maxBulkLength?: number;
  /** Most elements in one array. Default 1,048,576. */
  readonly maxArrayLength?: number;
  /** Longest inline command or header line, in bytes. Default 64 KiB (Redis's `PROTO_INLINE_MAX_SIZE`). */
  readonly maxLineLength?: number;
  /** Deepest nesting of arrays in a reply (`nextFrame`). Default 32. */
  readonly maxDepth?: number;
}

const CR = 13;
const LF = 10;
const STAR = 42; // *
const DOLLAR = 36; // $
const PLUS = 43; // +
const MINUS = 45; // -
const COLON = 58; // :
const INITIAL_SIZE = 16 * 1024;
const decoder = new TextDecoder();

/** An array of a reply being assembled: what arrived so far and how many elements are missing. */
interface OpenArray {
  readonly items: Frame[];
  left: number;
}

/**
 * Parse RESP2 from bytes that arrive in pieces (see the module header).
 *
 * @example
 * ```ts
 * const parser = new RespParser();
 * parser.push(new TextEncoder().encode("*2\r\n$3\r\nGET\r\n$1\r\nk"));
 * parser.nextCommand(); // undefined: the last argument is incomplete
 * parser.push(new TextEncoder().encode("\r\n"));
 * parser.nextCommand(); // [bytes "GET", bytes "k"]
 * ```
 */
export class RespParser {
  readonly #maxBulk: number;
  readonly #maxArray: number;
  readonly #maxLine: number;
  readonly #maxDepth: number;
  #buf = new Uint8Array(INITIAL_SIZE);
  #start = 0;
  #end = 0;
  #scan = 0;
  /** Payload length of the bulk string being read, or -1 when the next byte starts a header. */
  #bulkLen = -1;
  /** Arguments still missing from the request being read, or -1 between requests. */
  #argsLeft = -1;
  #args: Uint8Array[] = [];
  readonly #stack: OpenArray[] = [];

  /**
   * **Throws**: RangeError if a limit is not a positive integer.
   */
  constructor(limits: ParserLimits = {}) {
    this.#maxBulk = limit(limits.maxBulkLength, 64 * 1024 * 1024, "maxBulkLength");
    this.#maxArray = limit(limits.maxArrayLength, 1024 * 1024, "maxArrayLength");
    this.#maxLine = limit(limits.maxLineLength, 64 * 1024, "maxLineLength");
    this.#maxDepth = limit(limits.maxDepth, 32, "maxDepth");
  }

  /** Bytes received and not yet consumed by a parsed value. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** The size of the internal buffer (for tests of the memory bound). */
  get capacity(): number {
    return this.#buf.length;
  }

  /**
   * Free space at the end of the buffer to read into, at least `min` bytes (more when a bulk
   * string's payload is awaited: room for all of it). Valid until the next call on the parser;
   * report what was written with {@link commit}.
   *
   * @example
   * ```ts
   * const n = yield* read(stream, parser.spare());
   * parser.commit(n);
   * ```
   */
  spare(min = 4096): Uint8Array {
    let start = this.#start;
    let end = this.#end;
    let buf = this.#buf;
    if (start === end) {
      // Nothing pending: start over at the front, and give back a buffer a huge value grew.
      this.#scan -= start;
      start = end = this.#start = this.#end = 0;
      if (buf.length > 4 * INITIAL_SIZE && this.#bulkLen < 0) buf = this.#buf = new Uint8Array(INITIAL_SIZE);
    }
    const pending = end - start;
    const want = Math.max(min, this.#bulkLen >= 0 ? this.#bulkLen + 2 - pending : 0);
    if (buf.length - end < want) {
      if (start > 0 && buf.length - pending >= want) {
        buf.copyWithin(0, start, end);
      } else {
        const grown = new Uint8Array(Math.max(buf.length * 2, pending + want));
        grown.set(buf.subarray(start, end));
        buf = this.#buf = grown;
      }
      this.#scan -= start;
      this.#start = 0;
      this.#end = end = pending;
    }
    return buf.subarray(end);
  }

  /**
   * Record that `n` bytes were written at the start of the last {@link spare}.
   *
   * **Throws**: RangeError if `n` is negative or larger than the spare space.
   */
  commit(n: number): void {
    if (!Number.isInteger(n) || n < 0 || this.#end + n > this.#buf.length) {
      throw new RangeError(`n must be an integer from 0 to the spare length ${this.#buf.length - this.#end}, got ${n}`);
    }
    this.#end += n;
  }

  /**
   * Copy `bytes` into the buffer (for callers that do not read into {@link spare}).
   *
   * @example
   * ```ts
   * parser.push(new TextEncoder().encode("PING\r\n"));
   * ```
   */
  push(bytes: Uint8Array): void {
    this.spare(bytes.length).set(bytes);
    this.#end += bytes.length;
  }

  /**
   * The next complete request — its arguments as bytes — or `undefined` until more bytes
   * arrive. A request is a RESP array of bulk strings or an inline command line.
   *
   * @example
   * ```ts
   * for (let args = parser.nextCommand(); args !== undefined; args = parser.nextCommand()) run(args);
   * ```
   *
   * **Throws**: {@link ProtocolError} with Redis's wording when the input is not a request or
   * exceeds a limit. The parser is then unusable: close the connection.
   */
  nextCommand(): Uint8Array[] | undefined {
    const buf = this.#buf;
    for (;;) {
      if (this.#argsLeft < 0) {
        if (this.#start === this.#end) return undefined;
        if (buf[this.#start] !== STAR) {
          const args = this.#inline();
          if (args === undefined) return undefined;
          if (args.length > 0) return args;
          continue;
        }
        const n = this.#header("too big mbulk count string");
        if (n === undefined) return undefined;
        if (Number.isNaN(n) || n > this.#maxArray) throw new ProtocolError("invalid multibulk length");
        if (n <= 0) continue;
        this.#argsLeft = n;
      }
      while (this.#argsLeft > 0) {
        if (this.#bulkLen < 0) {
          if (this.#start === this.#end) return undefined;
          const c = buf[this.#start]!;
          if (c !== DOLLAR) throw new ProtocolError(`expected '$', got '${String.fromCharCode(c)}'`);
          const len = this.#header("too big bulk count string");
          if (len === undefined) return undefined;
          if (Number.isNaN(len) || len < 0 || len > this.#maxBulk) throw new ProtocolError("invalid bulk length");
          this.#bulkLen = len;
        }
        const arg = this.#bulkPayload();
        if (arg === undefined) return undefined;
        this.#args.push(arg);
        this.#argsLeft--;
      }
      this.#argsLeft = -1;
      const args = this.#args;
      this.#args = [];
      return args;
    }
  }

  /**
   * The next complete RESP2 value, or `undefined` until more bytes arrive.
   *
   * @example
   * ```ts
   * parser.push(new TextEncoder().encode(":3\r\n"));
   * parser.nextFrame(); // { type: "integer", value: 3 }
   * ```
   *
   * **Throws**: {@link ProtocolError} when the input is not RESP2 or exceeds a limit; the parser
   * is then unusable.
   */
  nextFrame(): Frame | undefined {
    const buf = this.#buf;
    for (;;) {
      let frame: Frame;
      if (this.#bulkLen >= 0) {
        const value = this.#bulkPayload();
        if (value === undefined) return undefined;
        frame = { type: "bulk", value };
      } else {
        if (this.#start === this.#end) return undefined;
        const lineStart = this.#start;
        const type = buf[lineStart]!;
        const lf = this.#findLine("too big reply line");
        if (lf < 0) return undefined;
        const contentEnd = lf > lineStart && buf[lf - 1] === CR ? lf - 1 : lf;
        this.#consumeTo(lf + 1);
        if (type === PLUS || type === MINUS) {
          const value = decoder.decode(buf.subarray(lineStart + 1, contentEnd));
          frame = type === PLUS ? { type: "simple", value } : { type: "error", value };
        } else if (type === COLON) {
          const value = parseInteger(buf, lineStart + 1, contentEnd);
          if (Number.isNaN(value)) throw new ProtocolError("invalid integer");
          frame = { type: "integer", value };
        } else if (type === DOLLAR) {
          const len = parseInteger(buf, lineStart + 1, contentEnd);
          if (len === -1) {
            frame = { type: "null" };
          } else {
            if (Number.isNaN(len) || len < 0 || len > this.#maxBulk) throw new ProtocolError("invalid bulk length");
            this.#bulkLen = len;
            continue;
          }
        } else if (type === STAR) {
          const n = parseInteger(buf, lineStart + 1, contentEnd);
          if (n === -1) {
            frame = { type: "nullArray" };
          } else if (n === 0) {
            frame = { type: "array", items: [] };
          } else {
            if (Number.isNaN(n) || n < 0 || n > this.#maxArray) throw new ProtocolError("invalid multibulk length");
            if (this.#stack.length >= this.#maxDepth) throw new ProtocolError("arrays nested too deeply");
            this.#stack.push({ items: [], left: n });
            continue;
          }
        } else {
          throw new ProtocolError(`expected a type byte, got '${String.fromCharCode(type)}'`);
        }
      }
      // Hand the value to the innermost open array; a completed array is itself a value.
      for (;;) {
        const top = this.#stack[this.#stack.length - 1];
        if (top === undefined) return frame;
        top.items.push(frame);
        if (--top.left > 0) break;
        this.#stack.pop();
        frame = { type: "array", items: top.items };
      }
    }
  }

  /** The payload of the bulk string whose header was read (a copy), or undefined if incomplete. */
  #bulkPayload(): Uint8Array | undefined {
    const len = this.#bulkLen;
    const start = this.#start;
    if (this.#end - start < len + 2) return undefined;
    const buf = this.#buf;
    if (buf[start + len] !== CR || buf[start + len + 1] !== LF) throw new ProtocolError("expected CRLF after a bulk string");
    this.#bulkLen = -1;
    this.#consumeTo(start + len + 2);
    return buf.slice(start, start + len);
  }

  /** Read a `*N` or `$N` header line: N (NaN if not a number), or undefined if incomplete. */
  #header(tooBig: string): number | undefined {
    const lineStart = this.#start;
    const lf = this.#findLine(tooBig);
    if (lf < 0) return undefined;
    const buf = this.#buf;
    const contentEnd = buf[lf - 1] === CR ? lf - 1 : lf;
    this.#consumeTo(lf + 1);
    return parseInteger(buf, lineStart + 1, contentEnd);
  }

  /** An inline command's words (possibly none), or undefined if its line is incomplete. */
  #inline(): Uint8Array[] | undefined {
    const lineStart = this.#start;
    const lf = this.#findLine("too big inline request");
    if (lf < 0) return undefined;
    const buf = this.#buf;
    const contentEnd = lf > lineStart && buf[lf - 1] === CR ? lf - 1 : lf;
    this.#consumeTo(lf + 1);
    return splitArgs(buf, lineStart, contentEnd);
  }

  /**
   * The index of the `\n` ending the line at `#start`, or -1 if it has not arrived; throws
   * ProtocolError(`tooBig`) once more than the line limit is buffered without one.
   */
  #findLine(tooBig: string): number {
    const buf = this.#buf;
    const end = this.#end;
    for (let i = this.#scan > this.#start ? this.#scan : this.#start; i < end; i++) {
      if (buf[i] === LF) {
        if (i - this.#start > this.#maxLine) throw new ProtocolError(tooBig);
        return i;
      }
    }
    this.#scan = end;
    if (end - this.#start > this.#maxLine) throw new ProtocolError(tooBig);
    return -1;
  }

  #consumeTo(index: number): void {
    this.#start = index;
    this.#scan = index;
  }
}

function limit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** The decimal integer in `buf[from, to)` (an optional `-`, then 1 to 18 digits), else NaN. */
function parseInteger(buf: Uint8Array, from: number, to: number): number {
  let i = from;
  let negative = false;
  if (i < to && buf[i] === MINUS) {
    negative = true;
    i++;
  }
  if (i === to || to - i > 18) return NaN;
  let n = 0;
  for (; i < to; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

const BACKSLASH = 92;
const DQUOTE = 34;
const SQUOTE = 39;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Split an inline command into words as Redis's `sdssplitargs` does: words are separated by
 * whitespace; `"…"` allows the escapes `\n \r \t \b \a \\ \"` and `\xHH`; `'…'` allows `\'`; a
 * closing quote must be followed by whitespace or the end of the line.
 */
function splitArgs(buf: Uint8Array, from: number, to: number): Uint8Array[] {
  const words: Uint8Array[] = [];
  let i = from;
  const word: number[] = [];
  for (;;) {
    while (i < to && isSpace(buf[i]!)) i++;
    if (i === to) return words;
    word.length = 0;
    const quote = buf[i] === DQUOTE || buf[i] === SQUOTE ? buf[i++]! : 0;
    for (;;) {
      if (i === to) {
        if (quote !== 0) throw new ProtocolError("unbalanced quotes in request");
        break;
      }
      const c = buf[i]!;
      if (quote === 0) {
        if (isSpace(c)) break;
        word.push(c);
        i++;
      } else if (c === quote) {
        i++;
        if (i < to && !isSpace(buf[i]!)) throw new ProtocolError("unbalanced quotes in request");
        break;
      } else if (c === BACKSLASH && i + 1 < to) {
        const e = buf[i + 1]!;
        if (quote === SQUOTE) {
          word.push(e === SQUOTE ? SQUOTE : BACKSLASH);
          i += e === SQUOTE ? 2 : 1;
        } else if (e === 120 /* x */ && i + 3 < to && hexValue(buf[i + 2]!) >= 0 && hexValue(buf[i + 3]!) >= 0) {
          word.push(hexValue(buf[i + 2]!) * 16 + hexValue(buf[i + 3]!));
          i += 4;
        } else {
          word.push(ESCAPES[e] ?? e);
          i += 2;
        }
      } else {
        word.push(c);
        i++;
      }
    }
    words.push(Uint8Array.from(word));
  }
}

/** `\n`, `\r`, `\t`, `\b`, `\a` inside double quotes. */
const ESCAPES: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 97: 7 };
