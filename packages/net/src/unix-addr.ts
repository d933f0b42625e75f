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

/**
 * The size of `sockaddr_un.sun_path` on `platform`: 104 on macOS and the BSDs, 108 on Linux and
 * elsewhere. A path must leave room for its terminating NUL, so it may have at most size - 1
 * bytes (Rust's "path must be shorter than SUN_LEN"); libuv would otherwise truncate it and bind
 * another name than the one asked for.
 */
function sunPathSize(platform: NodeJS.Platform): number {
  return platform === "darwin" || platform === "freebsd" || platform === "openbsd" || platform === "netbsd" ? 104 : 108;
}

/** A Windows named pipe (`\\.\pipe\…`, `\\?\pipe\…`): what Node binds on Windows; not a sockaddr_un path. */
const WINDOWS_PIPE = /^[\\/]{2}[.?][\\/]pipe[\\/]/i;

/**
 * @internal A socket path argument: a non-empty string without NUL (so no Linux abstract
 * names), shorter than `sun_path` in UTF-8 bytes (a Windows pipe name is not checked for length).
 */
export function checkPath(path: unknown, name: string): string {
  if (typeof path !== "string") throw new TypeError(`${name} must be a string (a socket file path), got ${typeof path}`);
  if (path.length === 0) throw new TypeError(`${name} must not be empty`);
  if (path.includes("\0")) throw new TypeError(`${name} must not contain NUL bytes`);
  const platform = process.platform;
  if (platform === "win32" && WINDOWS_PIPE.test(path)) return path;
  const size = sunPathSize(platform);
  const bytes = Buffer.byteLength(path, "utf8");
  if (bytes >= size) {
    throw new RangeError(
      `${name} must be shorter than ${size} bytes (the size of sun_path on ${platform}), got ${bytes} bytes (UTF-8): ${JSON.stringify(path)}; use a shorter path`,
    );
  }
  return path;
}
