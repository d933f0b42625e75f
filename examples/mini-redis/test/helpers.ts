/** Small tools shared by the mini-redis tests. */
import { Builder } from "@tokio-ts/runtime";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The UTF-8 bytes of `s`. */
export function bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** The UTF-8 text of `b` (or undefined). */
export function text(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : decoder.decode(b);
}

/** How many host timers, sockets and listeners are alive in this process. */
export function activeHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "Timeout" || kind === "TCPSocketWrap" || kind === "TCPServerWrap").length;
}

/**
 * Run `body` on a fresh current-thread runtime (time enabled; paused clock unless told
 * otherwise; io when asked) and always shut it down; then check that no timer or socket
 * outlives it.
 */
export async function run<T>(body: () => Generator<unknown, T, any>, options: { paused?: boolean; io?: boolean } = {}): Promise<T> {
  const before = activeHandles();
  let builder = Builder.newCurrentThread().enableTime();
  if (options.io === true) builder = builder.enableIo();
  if (options.paused ?? true) builder = builder.startPaused(true);
  const rt = builder.build();
  try {
    return await rt.blockOn(body);
  } finally {
    await rt.shutdownTimeout(1000);
    // Node releases a closed socket's handle on a later turn of its loop.
    for (let i = 0; i < 50 && activeHandles() > before; i++) await new Promise((r) => setImmediate(r));
    const left = activeHandles() - before;
    if (left > 0) throw new Error(`the test left ${left} timer/socket handle(s): ${process.getActiveResourcesInfo().join(", ")}`);
  }
}
