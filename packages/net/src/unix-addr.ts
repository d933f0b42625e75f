/**
 * The address of a Unix domain socket (Tokio's `net::unix::SocketAddr`): a filesystem path, or
 * unnamed (a client socket that did not bind a path).
 */

/**
 * A Unix socket address: `path` is the socket file, or `undefined` for an unnamed socket.
 *
 * @example
 * ```ts
 * const [stream, peer] = yield* listener.accept();
 * peer.isUnnamed(); // true: clients rarely bind a path
 * listener.localAddr().asPathname(); // "/tmp/app.sock"
 * ```
 */
export class UnixSocketAddr {
  /** @internal */
  constructor(readonly path: string | undefined) {}

  /** Whether the socket has no path. */
  isUnnamed(): boolean {
    return this.path === undefined;
  }

  /** The path, or `undefined` when unnamed. */
  asPathname(): string | undefined {
    return this.path;
  }

  /** The path, or `"(unnamed)"`. */
  toString(): string {
    return this.path ?? "(unnamed)";
  }

  /** The same as {@link UnixSocketAddr.toString}. */
  toJSON(): string {
    return this.toString();
  }
}

/** @internal The unnamed address (shared: it is immutable). */
export const UNNAMED = new UnixSocketAddr(undefined);

/** @internal A socket path argument: a non-empty string without NUL. */
export function checkPath(path: unknown, name: string): string {
  if (typeof path !== "string") throw new TypeError(`${name} must be a string (a socket file path), got ${typeof path}`);
  if (path.length === 0) throw new TypeError(`${name} must not be empty`);
  if (path.includes("\0")) throw new TypeError(`${name} must not contain NUL bytes`);
  return path;
}
