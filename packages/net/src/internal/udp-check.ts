/**
 * Argument checks of `UdpSocket` (TypeError for a wrong type, RangeError for a value out of
 * range, each naming the argument).
 */
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { describe } from "../addr.js";
import { BUFFER_SIZE, checkInteger } from "./check.js";
import type { UdpCoreOptions } from "./udp-core.js";
import { systemError } from "./udp-errors.js";
import { DEFAULT_MAX_PENDING_SENDS, DEFAULT_RECV_QUEUE_CAPACITY, type UdpBindOptions } from "../udp-options.js";

export function checkBytes(name: string, value: unknown): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array, got ${describe(value)}`);
}

export function checkBoolean(name: string, value: unknown): void {
  if (typeof value !== "boolean") throw new TypeError(`${name} must be a boolean, got ${describe(value)}`);
}

export function checkByte(name: string, value: unknown, min: number): void {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min || value > 255) throw new RangeError(`${name} must be an integer in ${min}..255, got ${String(value)}`);
}

export function checkIp(name: string, value: unknown, version: 4 | 6): void {
  if (typeof value !== "string" || isIP(value) !== version) {
    throw new TypeError(`${name} must be an IPv${version} address, got ${describe(value)}`);
  }
}

export function checkCount(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") throw new TypeError(`options.${name} must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`options.${name} must be a positive integer, got ${String(value)}`);
  return value;
}

/**
 * A kernel buffer size (SO_RCVBUF/SO_SNDBUF), checked here because Node would fail only later:
 * libuv takes an `int`, so 2^31 fails the bind (ERR_SOCKET_BUFFER_SIZE) and larger values throw
 * when the bind is polled.
 */
function checkBufferSize(name: string, value: unknown): number | undefined {
  return value === undefined ? undefined : checkInteger(value, `options.${name}`, BUFFER_SIZE);
}

export function checkFlag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new TypeError(`options.${name} must be a boolean, got ${describe(value)}`);
  return value;
}

/** The keys of {@link UdpBindOptions}; any other key is refused (a typo must not be ignored). */
const BIND_OPTIONS: ReadonlySet<string> = new Set(["reuseAddr", "ipv6Only", "recvBufferSize", "sendBufferSize", "recvQueueCapacity", "maxPendingSends"]);

export function checkOptions(options: UdpBindOptions): UdpCoreOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw new TypeError(`options must be an object, got ${Array.isArray(options) ? "an array" : describe(options)}`);
  }
  if (typeof (options as { then?: unknown }).then === "function") throw new TypeError("options must be an object, got a promise (await it first)");
  for (const key of Object.keys(options)) {
    if (!BIND_OPTIONS.has(key)) throw new TypeError(`UdpSocket.bind: unknown option ${JSON.stringify(key)} (known: ${[...BIND_OPTIONS].join(", ")})`);
  }
  return {
    reuseAddr: checkFlag("reuseAddr", options.reuseAddr),
    ipv6Only: checkFlag("ipv6Only", options.ipv6Only),
    recvBufferSize: checkBufferSize("recvBufferSize", options.recvBufferSize),
    sendBufferSize: checkBufferSize("sendBufferSize", options.sendBufferSize),
    recvQueueCapacity: checkCount("recvQueueCapacity", options.recvQueueCapacity, DEFAULT_RECV_QUEUE_CAPACITY),
    maxPendingSends: checkCount("maxPendingSends", options.maxPendingSends, DEFAULT_MAX_PENDING_SENDS),
  };
}

export function v6Interface(iface: unknown): string | undefined {
  if (iface === 0) return undefined;
  if (typeof iface === "number") {
    throw new RangeError(`iface must be 0 (any interface) or an interface name such as "lo": Node cannot select an interface by index, got ${iface}`);
  }
  if (typeof iface !== "string" || iface.length === 0 || /[%\s]/.test(iface)) {
    throw new TypeError(`iface must be 0 or an interface name such as "eth0", got ${describe(iface)}`);
  }
  return `::%${iface}`;
}

/**
 * An interface named in a `joinMulticastV6`/`leaveMulticastV6` must exist: libuv turns the
 * `"::%name"` of an unknown name into interface index 0 ("any") without a word, so the socket
 * would join the group on the default interface. Tokio's calls fail with `ENODEV` for an index
 * that names no interface; here an unknown name does, listing the names this host has. Asked at
 * each call: interfaces come and go. (`0`, "any", needs no check.)
 */
export function checkInterfaceExists(method: string, iface: number | string): void {
  if (typeof iface !== "string") return;
  const names = Object.keys(networkInterfaces());
  if (!names.includes(iface)) {
    throw systemError("ENODEV", method, `no network interface is named ${JSON.stringify(iface)} (this host has: ${names.join(", ") || "none"})`);
  }
}
