/**
 * The errors of `UdpSocket` and `lookupHost`, in the shape the rest of the package uses: a
 * failure the host reports keeps Node's own error object (a SystemError whose `code` is the OS
 * code — `EADDRINUSE`, `EACCES`, `ENOTFOUND` — with `syscall`, and the address or host in the
 * message: `"bind EADDRINUSE 127.0.0.1:5300"`). Conditions this package detects itself get an
 * Error of the same shape, so a caller matches on `code` whichever side found them.
 */

/** A Node-shaped system error: `code`, `syscall`, and the address when there is one. */
export interface UdpSystemError extends Error {
  code: string;
  syscall: string;
  address?: string;
  port?: number;
}

/** @internal An error of our own with Node's shape: `"<syscall> <code> <address>: <detail>"`. */
export function systemError(code: string, syscall: string, detail: string, address?: string, cause?: unknown): UdpSystemError {
  const where = address === undefined ? "" : ` ${address}`;
  const error = new Error(`${syscall} ${code}${where}: ${detail}`, cause === undefined ? undefined : { cause }) as UdpSystemError;
  error.code = code;
  error.syscall = syscall;
  if (address !== undefined) error.address = address;
  return error;
}

/**
 * @internal A host error of `syscall`. Node's errors for bind, connect and send already carry
 * the code and the address; an error without an address (Node reports an ICMP "port
 * unreachable" on a connected socket as `recvmsg ECONNREFUSED`) gets one that names `address`,
 * with Node's as `cause`.
 */
export function hostError(syscall: string, address: string | undefined, cause: unknown): Error {
  const node = cause as { code?: unknown; address?: unknown; message?: unknown } | null;
  if (cause instanceof Error && typeof node?.code === "string" && (address === undefined || typeof node.address === "string")) return cause;
  const code = typeof node?.code === "string" ? node.code : "EIO";
  const detail = code === "ECONNREFUSED" ? "the peer refused a datagram (ICMP port unreachable)" : cause instanceof Error ? cause.message : String(cause);
  return systemError(code, syscall, detail, address, cause);
}

/** @internal A method was called on a socket that was closed (by `close()` or disposal). */
export function closedError(method: string): UdpSystemError {
  return systemError("ERR_SOCKET_CLOSED", method, "the UdpSocket is closed");
}
