// Shared helpers for the net stress tests.
import * as assert from "uvu/assert";
import type { Future } from "@tokio-ts/core";
import { ioDriver } from "@tokio-ts/io-driver";
import { sleep } from "@tokio-ts/time";
import { forEachSeed, type SeededRng } from "@tokio-ts/test-util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guard } from "../guard.js";

export { guard };

const SOCKET_KINDS = new Set(["TCPSocketWrap", "TCPServerWrap", "UDPWrap", "PipeServerWrap"]);
void process.stdout;
void process.stderr;
/** Host socket handles open now (stdout/stderr pipes excluded: they are PipeWrap). */
export function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => SOCKET_KINDS.has(r)).length;
}
export function openOf(kind: string): number {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length;
}
export const tick = (): Promise<void> => new Promise<void>((r) => setImmediate(r));
/** Wait (real event-loop turns, outside any runtime) until the open socket count is `n`. */
export async function settleSockets(n: number, what: string): Promise<void> {
  for (let i = 0; i < 2000 && openSockets() !== n; i++) await (i < 100 ? tick() : new Promise((r) => setTimeout(r, 1)));
  assert.is(openSockets(), n, `${what}: open sockets ${JSON.stringify(process.getActiveResourcesInfo())}`);
}

/** Inside a task: wait (bounded) until `cond()` holds. */
export function* waitUntil(cond: () => boolean, what: string, max = 3000): Generator<unknown, void, unknown> {
  for (let i = 0; i < max && !cond(); i++) yield* sleep(1);
  if (!cond()) assert.unreachable(`waited in vain for: ${what}`);
}

/** Inside a task: wait until this runtime's io driver has no registration left. */
export function* noRegistrations(what: string): Generator<unknown, void, unknown> {
  const driver = ioDriver("test");
  yield* waitUntil(() => driver.registrationCount === 0, `${what}: no registration left (have ${driver.registrationCount})`);
}

export function code(e: unknown): unknown {
  return (e as { code?: unknown } | null)?.code;
}

/** Run `f`, expecting it to throw an instance of `cls` (and a `code` if given). */
export function throwsAt(f: () => unknown, cls: abstract new (...a: never[]) => unknown, what: string, expectCode?: string): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof cls)) assert.unreachable(`${what}: threw ${String(e)} (${(e as Error)?.name}), expected ${cls.name}`);
    if (expectCode !== undefined) assert.is(code(e), expectCode, `${what}: code`);
    return;
  }
  assert.unreachable(`${what}: did not throw`);
}

/** Run the future-producing generator, expecting it to fail with `expectCode`; returns the error. */
export function* failsWith(body: () => Future<unknown>, expectCode: string, what: string): Generator<unknown, unknown, unknown> {
  try {
    const v = yield* body();
    assert.unreachable(`${what}: completed with ${String(v)}, expected ${expectCode}`);
  } catch (e) {
    if (code(e) !== expectCode) assert.unreachable(`${what}: failed with ${String(e)} (code ${String(code(e))}), expected ${expectCode}`);
    return e;
  }
}

export function hash32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}
/** The payload of datagram / message `id`, `len` bytes: a 4-byte id, then a pattern. */
export function payload(id: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = i < 4 ? (id >>> (8 * i)) & 0xff : hash32(id * 7919 + i) & 0xff;
  return out;
}
export function idOf(buf: Uint8Array): number {
  return (buf[0]! | (buf[1]! << 8) | (buf[2]! << 16) | (buf[3]! << 24)) >>> 0;
}
/** Check `got` is a prefix of payload(id, len). */
export function checkPayload(got: Uint8Array, id: number, len: number, what: string): void {
  const want = payload(id, len);
  if (got.length > len) assert.unreachable(`${what}: ${got.length} bytes, payload has ${len}`);
  for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) assert.unreachable(`${what}: byte ${i} of payload ${id} is ${got[i]}, expected ${want[i]}`);
}
export function u32(n: number): Uint8Array {
  return new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]);
}

/** Byte `i` of the reference byte stream of `salt`. */
export function byteAt(salt: number, i: number): number {
  return hash32(i * 2654435761 + salt) & 0xff;
}
export function streamBytes(salt: number, from: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = byteAt(salt, from + i);
  return out;
}
export function checkStreamAt(salt: number, from: number, got: Uint8Array, what: string): void {
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== byteAt(salt, from + i)) assert.unreachable(`${what}: byte ${from + i} is ${got[i]}, expected ${byteAt(salt, from + i)}`);
  }
}

export function pick<T>(rng: SeededRng, items: readonly T[]): T {
  return items[rng.below(items.length)]!;
}

/** A fresh temp dir for Unix socket files; remove it with `rmTemp`. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "tk-net-"));
}
export function rmTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Seed-count multiplier for long runs: NET_STRESS_X=10 runs ten times as many seeds. */
export const X = Math.max(1, Number(process.env.NET_STRESS_X ?? 1) || 1);

/** How {@link socketSeeds} runs a scenario. */
export interface SocketSeedOptions {
  /** How many seeds (each a fresh runtime with io and time on). */
  seeds: number;
  /** Real time one seed may take before it counts as hung. Default 10 s. */
  hangMs?: number;
  /** Start each runtime with the clock paused. */
  startPaused?: boolean;
}

/**
 * The frame of a net scenario: `body(seed, dir)` runs under `forEachSeed` (a fresh seeded
 * runtime with io and time per seed), each seed bounded by `hangMs` of real time; `dir` is a temp
 * dir for Unix socket files, removed after. Then every socket the scenario opened must close.
 */
export async function socketSeeds(
  what: string,
  options: SocketSeedOptions,
  body: (seed: number, dir: string) => Generator<unknown, void, unknown>,
): Promise<void> {
  const base = openSockets();
  const dir = tempDir();
  try {
    await forEachSeed(
      options.seeds,
      (rt, seed) => guard(rt.blockOn(body(seed, dir)), options.hangMs ?? 10_000, `${what}, seed ${seed}`),
      { enableIo: true, enableTime: true, startPaused: options.startPaused === true },
    );
  } finally {
    rmTemp(dir);
  }
  await settleSockets(base, `after ${what}`);
}
