/** Shared by the socket tests: a runtime with io + time, a seeded RNG, a hang guard. */
import { Builder, type Runtime } from "@tokio-ts/runtime";
import { SeededRng } from "@tokio-ts/test-util";

/** A current-thread runtime with io and time (real clock: these tests use real sockets). */
export function runtime(): Runtime {
  return Builder.newCurrentThread().enableAll().build();
}

/** Run `body` on a fresh runtime, fail if it takes longer than `ms` (a hang guard, cleared), shut down. */
export async function run<T>(body: () => Generator<unknown, T, any>, ms = 20_000): Promise<T> {
  const rt = runtime();
  let timer: NodeJS.Timeout | undefined;
  try {
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`test hung for ${ms} ms`)), ms);
    });
    const result = await Promise.race([rt.blockOn(body), guard]);
    await noSocketsLeft();
    return result;
  } finally {
    clearTimeout(timer);
    await rt.shutdownTimeout(1000);
  }
}

/** A seeded PRNG (test-util's SeededRng), so random sizes are reproducible: `rng(seed)(n)` is in [0, n). */
export function rng(seed: number): (below: number) => number {
  const random = new SeededRng(seed);
  return (below: number) => random.below(below);
}

/** Fill `buf` with bytes from a seeded stream (position-dependent, so reordering shows). */
export function pattern(buf: Uint8Array, seed: number): Uint8Array {
  const next = rng(seed);
  for (let i = 0; i < buf.length; i++) buf[i] = next(256);
  return buf;
}

/** Yield to Node's event loop once (lets socket events arrive). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether `e` is an error with `code`. */
export function hasCode(e: unknown, code: string): e is Error & { code: string } {
  return e instanceof Error && (e as { code?: unknown }).code === code;
}

const SOCKET_RESOURCES = new Set(["TCPSocketWrap", "TCPServerWrap", "PipeWrap", "PipeServerWrap"]);

/** Pipes (or sockets) Node holds for stdio: not the tests' sockets. */
void process.stdout; // Node opens the stdio handles on first use: open them before counting
void process.stderr;
const STDIO_SOCKETS = process.getActiveResourcesInfo().filter((r) => SOCKET_RESOURCES.has(r)).length;

/** Sockets and listeners Node still holds open (by resource type). */
export function openSockets(): string[] {
  return process.getActiveResourcesInfo().filter((r) => SOCKET_RESOURCES.has(r));
}

/**
 * The leak check: once a test body is done, every socket and listener it opened must close
 * (closing takes a few turns of the event loop). Fails the test otherwise.
 */
export async function noSocketsLeft(baseline = STDIO_SOCKETS): Promise<void> {
  for (let i = 0; i < 200 && openSockets().length > baseline; i++) await tick();
  const left = openSockets();
  if (left.length > baseline) throw new Error(`the test left ${left.length - baseline} socket(s) open: ${left.join(", ")}`);
}
