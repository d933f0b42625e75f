/**
 * Socket addresses (Tokio's `std::net::SocketAddr` and the `ToSocketAddrs` argument forms).
 *
 * HOW. A {@link SocketAddr} is an IP literal, a port and the family, immutable and checked at
 * construction. Every method of `@tokio-ts/net` that takes an address accepts any
 * {@link ToSocketAddrs} form — `"127.0.0.1:8080"`, `"[::1]:8080"`, `"localhost:8080"`,
 * `{ host, port }`, `{ ip, port }`, Node's `{ address, port }` or a `SocketAddr` — and turns it, synchronously at the call,
 * into a `{ host, port }` pair with {@link toHostPort}: a bad shape (a host with a NUL byte
 * included, which the system resolver would cut short) is a `TypeError` and a bad port a
 * `RangeError` naming the argument, before any future exists. A host that is a name
 * (not an IP literal) is resolved by Node when the socket binds or connects, as Tokio resolves
 * `ToSocketAddrs` inside `bind`/`connect`; `lookupHost` resolves names explicitly.
 */
import { isIP, SocketAddress as NodeSocketAddress } from "node:net";

/**
 * The address family of a {@link SocketAddr}, with Node's spelling.
 *
 * @example
 * ```ts
 * const family: IpFamily = SocketAddr.parse("[::1]:80").family; // "IPv6"
 * ```
 */
export type IpFamily = "IPv4" | "IPv6";

/**
 * An IP address and a port: what `localAddr()`, `peerAddr()`, `accept()` and `recvFrom()`
 * return, and one of the forms every address argument accepts.
 *
 * Rust's `SocketAddr` is a value (`Eq`, `Hash`); this is an object, so two of them for the same
 * address are not `===` and are two keys of a `Map`. Compare with {@link SocketAddr.equals},
 * and key a map by `addr.toString()` (Tokio's chat example's `HashMap<SocketAddr, Tx>` is a
 * `Map<string, …>`). A stream's `peerAddr()` and `localAddr()` return one object each for the
 * connection's life, and `accept()`'s address is its `peerAddr()`.
 *
 * @example
 * ```ts
 * const addr = new SocketAddr("127.0.0.1", 8080);
 * addr.toString(); // "127.0.0.1:8080"
 * SocketAddr.parse("[::1]:443").family; // "IPv6"
 * ```
 */
export class SocketAddr {
  /**
   * The IP address as a string literal ("127.0.0.1", "::1"). An IPv6 address is kept in the
   * canonical form Node (libuv) reports addresses in — lower case, the longest run of zero
   * groups as `::`, an IPv4-mapped address as `::ffff:127.0.0.1` — so `[0:0:0:0:0:0:0:1]:80`
   * and `[::1]:80` are the same address, print the same and are `equals` (as Rust's by value).
   */
  readonly ip: string;
  /** The port, 0–65535 (0 in a bind address means "any free port"). */
  readonly port: number;
  /** `"IPv4"` or `"IPv6"`. */
  readonly family: IpFamily;

  /**
   * An address from an IP literal and a port.
   *
   * @example
   * ```ts
   * new SocketAddr("::1", 80).toString(); // "[::1]:80"
   * ```
   *
   * **Throws**: TypeError if `ip` is not an IPv4 or IPv6 literal; RangeError if `port` is not an
   * integer in 0–65535.
   */
  constructor(ip: string, port: number) {
    if (typeof ip !== "string") throw new TypeError(`ip must be an IP address string, got ${describe(ip)}`);
    const version = isIP(ip);
    if (version === 0) throw new TypeError(`ip must be an IPv4 or IPv6 address, got ${JSON.stringify(ip)}`);
    this.ip = version === 6 ? canonicalIpv6(ip) : ip;
    this.port = checkPort(port, "port");
    this.family = version === 4 ? "IPv4" : "IPv6";
  }

  /**
   * Parse `"1.2.3.4:80"` or `"[::1]:80"` (IP literals only; names need `lookupHost`).
   *
   * @example
   * ```ts
   * SocketAddr.parse("127.0.0.1:6379").port; // 6379
   * ```
   *
   * **Throws**: TypeError for a malformed address or a name; RangeError for a bad port.
   */
  static parse(text: string, name = "addr"): SocketAddr {
    const { host, port } = parseHostPort(text, name);
    if (isIP(host) === 0) throw new TypeError(`${name} must be an IP address and a port, got ${JSON.stringify(text)}`);
    return new SocketAddr(host, port);
  }

  /**
   * The address of a Node socket (`socket.address()` / `remoteAddress`), or undefined when the
   * socket has none (closed, not connected).
   *
   * @example
   * ```ts
   * const addr = SocketAddr.fromNode(server.address()); // AddressInfo → SocketAddr
   * ```
   */
  static fromNode(info: { address?: string | undefined; port?: number | undefined } | string | null | undefined): SocketAddr | undefined {
    if (info === null || info === undefined || typeof info === "string") return undefined;
    if (typeof info.address !== "string" || typeof info.port !== "number" || isIP(info.address) === 0) return undefined;
    return new SocketAddr(info.address, info.port);
  }

  /** Whether this is an IPv4 address. */
  isIpv4(): boolean {
    return this.family === "IPv4";
  }

  /** Whether this is an IPv6 address. */
  isIpv6(): boolean {
    return this.family === "IPv6";
  }

  /**
   * Whether `other` is the same IP and port.
   *
   * @example
   * ```ts
   * SocketAddr.parse("127.0.0.1:1").equals(new SocketAddr("127.0.0.1", 1)); // true
   * ```
   */
  equals(other: SocketAddr): boolean {
    return other instanceof SocketAddr && other.ip === this.ip && other.port === this.port;
  }

  /** `"1.2.3.4:80"` or `"[::1]:80"`. */
  toString(): string {
    return this.family === "IPv6" ? `[${this.ip}]:${this.port}` : `${this.ip}:${this.port}`;
  }

  /** The same as {@link SocketAddr.toString}, so `JSON.stringify` gives the readable form. */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * Every form an address argument may take (Tokio's `ToSocketAddrs`): `"host:port"`,
 * `"[v6]:port"`, `{ host, port }`, `{ ip, port }`, Node's `{ address, port }` (what
 * `server.address()` returns) or a {@link SocketAddr}. `host` may be a name; it is resolved when
 * the socket binds or connects.
 *
 * @example
 * ```ts
 * const listener = yield* TcpListener.bind({ host: "127.0.0.1", port: 0 });
 * const stream = yield* TcpStream.connect(nodeServer.address() as AddressInfo);
 * ```
 */
export type ToSocketAddrs =
  | string
  | SocketAddr
  | { readonly host: string; readonly port: number }
  | { readonly ip: string; readonly port: number }
  | { readonly address: string; readonly port: number };

/**
 * A checked address argument: a host (IP literal or name) and a port — the form every address
 * argument is turned into at the call.
 *
 * @example
 * ```ts
 * const target: HostPort = { host: "localhost", port: 6379 }; // also a ToSocketAddrs
 * const stream = yield* TcpStream.connect(target);
 * ```
 */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Check an address argument at the call and turn it into a host and a port. `name` is the
 * argument's name in the error.
 *
 * @example
 * ```ts
 * toHostPort("[::1]:80", "addr"); // { host: "::1", port: 80 }
 * toHostPort({ ip: "127.0.0.1", port: 99999 }, "addr"); // throws RangeError naming addr.port
 * ```
 *
 * **Throws**: TypeError for a bad shape (naming `name`), an object with both `host` and `ip`, or
 * a host with a NUL byte; RangeError for a port outside 0–65535.
 */
export function toHostPort(addr: ToSocketAddrs, name = "addr"): HostPort {
  if (addr instanceof SocketAddr) return { host: addr.ip, port: addr.port };
  if (typeof addr === "string") return parseHostPort(addr, name);
  if (Array.isArray(addr)) {
    // Tokio's ToSocketAddrs takes a slice of addresses; here one call takes one address.
    throw new TypeError(`${name} must be one address ("host:port", "[ipv6]:port", { host, port }, { ip, port } or a SocketAddr), got an array of ${addr.length}: try each in turn`);
  }
  if (typeof addr === "object" && addr !== null) {
    const record = addr as { host?: unknown; ip?: unknown; address?: unknown; port?: unknown };
    let host: unknown;
    let key: string;
    if (record.host !== undefined && record.ip !== undefined) {
      throw new TypeError(`${name} must have host or ip, not both (got host ${describe(record.host)} and ip ${describe(record.ip)})`);
    }
    if (record.host === undefined && record.ip === undefined && record.address !== undefined) {
      host = record.address; // Node's AddressInfo
      key = "address";
    } else if (record.ip !== undefined) {
      host = record.ip;
      key = "ip";
      if (typeof host !== "string" || isIP(host) === 0) {
        throw new TypeError(`${name}.ip must be an IPv4 or IPv6 address, got ${describe(host)}`);
      }
    } else {
      host = record.host;
      key = "host";
    }
    if (typeof host !== "string" || host.length === 0) {
      throw new TypeError(`${name}.${key} must be a non-empty string, got ${describe(host)}`);
    }
    checkNoNul(host, `${name}.${key}`, host);
    const port = checkPort(record.port, `${name}.port`);
    return { host: stripBrackets(host), port };
  }
  throw new TypeError(`${name} must be "host:port", "[ipv6]:port", { host, port }, { ip, port } or a SocketAddr, got ${describe(addr)}`);
}

/**
 * Check a port: an integer in 0–65535.
 *
 * @example
 * ```ts
 * checkPort(8080, "port"); // 8080
 * ```
 *
 * **Throws**: TypeError if it is not a number; RangeError if it is out of range or fractional.
 */
export function checkPort(port: unknown, name: string): number {
  if (typeof port !== "number") throw new TypeError(`${name} must be a number, got ${describe(port)}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${name} must be an integer in 0..65535, got ${String(port)}`);
  }
  return port;
}

function parseHostPort(text: string, name: string): HostPort {
  if (typeof text !== "string") throw new TypeError(`${name} must be a string, got ${describe(text)}`);
  let host: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0 || text[close + 1] !== ":") {
      throw new TypeError(`${name} must be "[ipv6]:port", got ${JSON.stringify(text)}`);
    }
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (isIP(host) !== 6) throw new TypeError(`${name} has no IPv6 address in brackets: ${JSON.stringify(text)}`);
  } else {
    const colon = text.lastIndexOf(":");
    if (colon <= 0 || text.indexOf(":") !== colon) {
      const hint = colon > 0 ? ' (write an IPv6 address in brackets: "[::1]:80")' : "";
      throw new TypeError(`${name} must be "host:port"${hint}, got ${JSON.stringify(text)}`);
    }
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    checkNoNul(host, `${name}'s host`, text);
  }
  // Any number of decimal digits, leading zeros included ("000080" is port 80), as Rust's
  // `SocketAddr` parser reads a port; only the value is limited.
  if (!/^[0-9]+$/.test(portText)) {
    throw new TypeError(`${name} must end with ":port" (a decimal number), got ${JSON.stringify(text)}`);
  }
  const port = Number(portText);
  if (port > 65535) throw new RangeError(`${name} has a port outside 0..65535: ${JSON.stringify(text)}`);
  return { host, port };
}

/**
 * A host name with a NUL is refused: the system resolver reads a C string, so
 * `"localhost\0.evil.example"` would resolve, bind and connect as `"localhost"`. Rust refuses it
 * too (InvalidInput, "nul byte found"); here, as for a Unix socket path, it is a TypeError.
 */
function checkNoNul(host: string, what: string, text: string): void {
  if (host.includes("\0")) throw new TypeError(`${what} must not contain NUL bytes, got ${JSON.stringify(text)}`);
}

function stripBrackets(host: string): string {
  return host.length > 2 && host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** A short description of a bad argument for an error message. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "object") {
    const name = value.constructor?.name;
    return name ? `${/^[AEIO]/.test(name) ? "an" : "a"} ${name}` : "an object";
  }
  return typeof value === "function" ? "a function" : `${typeof value} ${String(value)}`;
}

/**
 * An IPv6 literal (valid: `isIP` said so) in the text Node reports addresses in (libuv's
 * `uv_inet_ntop`, through `net.SocketAddress`): lower case, the longest run of zero groups as
 * `::`, the IPv4-mapped range dotted. A zone (`%eth0`), which `SocketAddress` drops, is kept.
 */
function canonicalIpv6(ip: string): string {
  const percent = ip.indexOf("%");
  if (percent < 0) return new NodeSocketAddress({ address: ip, family: "ipv6" }).address;
  return new NodeSocketAddress({ address: ip.slice(0, percent), family: "ipv6" }).address + ip.slice(percent);
}
