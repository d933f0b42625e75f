/**
 * Count a runtime's trips through the host's event loop: `setImmediate` is how the runtime
 * hands its next drain to the loop (after `eventInterval` ticks), so counting its calls tells
 * a test whether wakes ran in a microtask or waited for the loop. A spy on the global, put
 * back when the body settles.
 */

/**
 * Run `body` and count every `setImmediate` call made in the process meanwhile (the runtime's
 * host yields, and anyone else's). Returns the body's value and the count. The global is
 * replaced for the duration and always put back; calls that captured `setImmediate` before
 * are not seen.
 *
 * @example
 * ```ts
 * const rt = Builder.newCurrentThread().eventInterval(1).build();
 * const [, yields] = await countSetImmediate(() =>
 *   rt.blockOn(function* () { for (let i = 0; i < 10; i++) yield* yieldNow(); }),
 * );
 * assert.ok(yields >= 5); // with eventInterval(1), most yields go through the event loop
 * ```
 *
 * **Throws**: TypeError (at the call) if `body` is not a function. Rejects with whatever `body`
 * throws or rejects with.
 */
export function countSetImmediate<T>(body: () => T | PromiseLike<T>): Promise<[value: T, calls: number]> {
  if (typeof body !== "function") throw new TypeError(`countSetImmediate: body must be a function, got ${body === null ? "null" : typeof body}`);
  return counting(body);
}

/**
 * The counts of the calls running now. One spy serves all of them, installed by the first and
 * removed by the last to end, so calls that overlap (tests run at once) put the real function
 * back whatever order they end in; each counts every call made while it runs.
 */
const counters = new Set<{ calls: number }>();
let real: typeof setImmediate | undefined;

async function counting<T>(body: () => T | PromiseLike<T>): Promise<[value: T, calls: number]> {
  const counter = { calls: 0 };
  if (counters.size === 0) {
    const original = (real = globalThis.setImmediate);
    globalThis.setImmediate = ((...args: Parameters<typeof setImmediate>) => {
      for (const c of counters) c.calls++;
      return original(...args);
    }) as typeof setImmediate;
  }
  counters.add(counter);
  try {
    const value = await body();
    return [value, counter.calls];
  } finally {
    counters.delete(counter);
    if (counters.size === 0) {
      globalThis.setImmediate = real!;
      real = undefined;
    }
  }
}
