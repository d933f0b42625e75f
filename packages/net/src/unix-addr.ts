/**
 * The address of a Unix domain socket (Tokio's `net::unix::SocketAddr`): a filesystem path, a
 * Linux abstract name, or unnamed (a client socket that did not bind a path).
 */

/**
 * A Unix socket address: `path` is the socket file (or, on Linux, an abstract name: `"\0"`
 * and the name), or `undefined` for an unnamed socket.
 *
 * @example
 * ```ts
 * const [stream, peer] = yield* listener.accept();
 * peer.isUnnamed(); // true: clients rarely bind a path
 * listener.localAddr().asPathname(); // "/tmp/app.sock"
 * ```
 */
export class UnixSocketAddr {
  /** @hidden */
  constructor(readonly path: string | undefined) {}

  /** Whether the socket has no path. */
  isUnnamed(): boolean {
    return this.path === undefined;
  }

  /** The path, or `undefined` when unnamed or abstract. */
  asPathname(): string | undefined {
    return this.path === undefined || this.path.startsWith("\0") ? undefined : this.path;
  }

  /**
   * The name of a Linux abstract socket (without the leading NUL), or `undefined`. Tokio's
   * `as_abstract_name`.
   *
   * @example
   * ```ts
   * const listener = yield* UnixListener.bind("\0my-app");
   * listener.localAddr().asAbstractName(); // "my-app"
   * ```
   */
  asAbstractName(): string | undefined {
    return this.path !== undefined && this.path.startsWith("\0") ? this.path.slice(1) : undefined;
  }

  /** The path, `"@name"` for an abstract name (as `ss` shows it), or `"(unnamed)"`. */
  toString(): string {
    const path = this.path;
    if (path === undefined) return "(unnamed)";
    return path.startsWith("\0") ? `@${path.slice(1)}` : path;
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
 * @internal A socket path argument: a non-empty string without NUL, shorter than `sun_path` in
 * UTF-8 bytes (a Windows pipe name is not checked for length); or, on Linux, an abstract name:
 * a NUL and a name without NUL that fills at most `sun_path` (no terminator needed).
 */
export function checkPath(path: unknown, name: string): string {
  if (typeof path !== "string") throw new TypeError(`${name} must be a string (a socket file path), got ${typeof path}`);
  if (path.length === 0) throw new TypeError(`${name} must not be empty`);
  const platform = process.platform;
  if (path.startsWith("\0")) {
    if (platform !== "linux") throw new TypeError(`${name}: abstract socket names (a leading NUL) exist on Linux only, not on ${platform}`);
    if (path.length === 1 || path.includes("\0", 1)) throw new TypeError(`${name} must be a NUL and a non-empty name without NUL for an abstract socket`);
    const bytes = Buffer.byteLength(path, "utf8");
    if (bytes > 108) throw new RangeError(`${name} must fit sun_path (108 bytes) with its leading NUL, got ${bytes} bytes (UTF-8)`);
    return path;
  }
  if (path.includes("\0")) throw new TypeError(`${name} must not contain NUL bytes`);
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
