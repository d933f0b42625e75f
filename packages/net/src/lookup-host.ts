/**
 * `lookupHost` (Tokio's `net::lookup_host`): resolve a host and a port to socket addresses.
 *
 * HOW. The argument is checked at the call (any {@link ToSocketAddrs} form; a bad shape is a
 * TypeError, a bad port a RangeError). The future is lazy: nothing is resolved until its first
 * poll. An IP literal then resolves at once, without asking the resolver. A name goes to Node's
 * `dns.lookup` with `all: true` — the system resolver (`getaddrinfo`, `/etc/hosts` included) on
 * libuv's thread pool, the same answer Tokio gets through `ToSocketAddrs` — and the future stores
 * its waker until the callback lands. The addresses keep the resolver's order.
 *
 * States: IDLE (not polled) → WAITING (the lookup is running; `#waker` is the last poller's) →
 * DONE (the answer or the error is stored and handed out once) | DROPPED (cancelled: the
 * callback, which cannot be recalled, finds the state changed and throws its answer away).
 */
import { lookup as dnsLookup } from "node:dns";
import { isIP } from "node:net";
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll, type Waker } from "@tokio-ts/core";
import { SocketAddr, toHostPort, type ToSocketAddrs } from "./addr.js";
import { systemError } from "./internal/udp-errors.js";

const IDLE = 0;
const WAITING = 1;
const DONE = 2;
const DROPPED = 3;

/**
 * The future of {@link lookupHost}: resolves with the addresses, at least one.
 *
 * @example
 * ```ts
 * const lookup: LookupHost = lookupHost("localhost:80");
 * const [first] = yield* lookup;
 * ```
 */
export class LookupHost extends Future<SocketAddr[]> {
  readonly #host: string;
  readonly #port: number;
  #state = IDLE;
  #waker: Waker | undefined = undefined;
  #addrs: SocketAddr[] | undefined = undefined;
  #error: unknown = undefined;

  /** @hidden Use {@link lookupHost}. */
  constructor(host: string, port: number) {
    super();
    this.#host = host;
    this.#port = port;
  }

  override poll(cx: Context): Poll<SocketAddr[]> {
    if (this.#state === IDLE) {
      if (isIP(this.#host) !== 0) {
        this.#state = DONE;
        return [new SocketAddr(this.#host, this.#port)];
      }
      this.#state = WAITING;
      dnsLookup(this.#host, { all: true }, (error, found) => this.#settle(error, found));
    }
    if (this.#state === DONE) {
      if (!pollProceed(cx)) return Pending;
      madeProgress(cx);
      const addrs = this.#addrs;
      this.#addrs = undefined;
      if (addrs === undefined) throw this.#error;
      return addrs;
    }
    this.#waker = cx.waker;
    return Pending;
  }

  override cancel(): void {
    this.#state = DROPPED;
    this.#waker = undefined;
    this.#addrs = undefined;
  }

  #settle(error: NodeJS.ErrnoException | null, found: { address: string; family: number }[]): void {
    if (this.#state !== WAITING) return;
    this.#state = DONE;
    if (error !== null) {
      this.#error = error;
    } else if (found.length === 0) {
      this.#error = systemError("ENOTFOUND", "getaddrinfo", "the resolver returned no address", this.#host);
    } else {
      this.#addrs = found.map((a) => new SocketAddr(a.address, this.#port));
    }
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }
}

/**
 * Resolve a host and port to the socket addresses it names (Tokio's `lookup_host`). Accepts every
 * address form the sockets accept: `"localhost:8080"`, `"127.0.0.1:53"`, `"[::1]:443"`,
 * `{ host, port }`, `{ ip, port }`, a `SocketAddr`. An IP literal resolves to itself without a
 * resolver call; a name is resolved by the system resolver (Node's `dns.lookup`, `all: true`),
 * which reads `/etc/hosts` as well. The result is an array in the resolver's order, with at
 * least one address.
 *
 * @example
 * ```ts
 * const addrs = yield* lookupHost("localhost:8080");
 * addrs.some((a) => a.ip === "127.0.0.1" && a.port === 8080); // true
 * ```
 *
 * **Cancel safety**: cancel safe in the sense that nothing is lost that could be kept: a lookup
 * already running cannot be recalled, so dropping the future lets it finish and discards the
 * answer. Dropping it before its first poll starts nothing.
 *
 * **Runtime compatibility**: works inside a runtime and from a plain async function; it needs no
 * driver.
 *
 * **Throws**: TypeError for a bad shape (no port, an empty host, an unbracketed IPv6 address, a
 * NUL byte in the host), RangeError for a port outside 0–65535, both at the call. The future
 * fails with the resolver's own error: `code` `ENOTFOUND`, `EAI_AGAIN`, …, `syscall` `"getaddrinfo"`, and a
 * message that names the host (`"getaddrinfo ENOTFOUND db.internal"`).
 */
export function lookupHost(host: ToSocketAddrs): LookupHost {
  const { host: name, port } = toHostPort(host, "host");
  return new LookupHost(name, port);
}
