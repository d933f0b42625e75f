import { ioDriver } from "@tokio-ts/io-driver";
import { Builder, type Runtime } from "@tokio-ts/runtime";

/** A current-thread runtime with I/O (and time) enabled. */
export function ioRuntime(): Runtime {
  return Builder.newCurrentThread().enableTime().enableIo().build();
}

/** How many I/O resources (sockets) the running task's runtime has open. */
export function openResources(): number {
  return ioDriver("openResources()").registrationCount;
}

/**
 * Run `body` on a fresh runtime and shut it down afterwards. Leak check: every socket the body
 * opened must be closed when it returns.
 */
export async function onRuntime<T>(body: () => Promise<T>): Promise<T> {
  const rt = ioRuntime();
  try {
    return await rt.blockOn(async () => {
      const out = await body();
      const open = openResources();
      if (open !== 0) throw new Error(`the test left ${open} socket(s) open`);
      return out;
    });
  } finally {
    await rt.shutdownTimeout(1000);
  }
}

/** One turn of the host event loop (its poll phase delivers the datagrams already sent). */
export const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Let the host loop turn until `cond` holds; fails after `limit` turns instead of hanging. */
export async function turnsUntil(cond: () => boolean, limit = 10_000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (cond()) return;
    await turn();
  }
  throw new Error(`condition not reached after ${limit} event-loop turns`);
}

export const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
export const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** The error a promise rejects with (fails if it resolves). */
export async function rejection(promise: PromiseLike<unknown>): Promise<Error & { code?: string; syscall?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a rejection");
}

/** The error a call throws (fails if it returns). */
export function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a throw");
}
