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

/** How many host timers (`setTimeout` handles) are alive in this process. */
export function activeHostTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
}

/**
 * Run `body` on a fresh current-thread runtime (time enabled; paused clock unless told
 * otherwise; io when asked) and always shut it down; then check no host timer outlives it.
 */
export async function run<T>(body: () => Generator<unknown, T, any>, options: { paused?: boolean; io?: boolean } = {}): Promise<T> {
  const timersBefore = activeHostTimers();
  let builder = Builder.newCurrentThread().enableTime();
  if (options.io === true) builder = builder.enableIo();
  if (options.paused ?? true) builder = builder.startPaused(true);
  const rt = builder.build();
  try {
    return await rt.blockOn(body);
  } finally {
    await rt.shutdownTimeout(1000);
    const left = activeHostTimers() - timersBefore;
    if (left > 0) throw new Error(`the test left ${left} host timer(s) alive`);
  }
}
