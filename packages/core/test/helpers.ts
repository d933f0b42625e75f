/** A hand-made poller for core tests: a Context whose waker counts wake-ups. */
import { Context, type Future, type Poll, type Waker } from "../src/index.js";

export class CountingWaker implements Waker {
  count = 0;
  wake(): void {
    this.count++;
  }
}

export function handPoll<T>(future: Future<T>, budget = Infinity): { cx: Context; waker: CountingWaker; poll(): Poll<T> } {
  const waker = new CountingWaker();
  const cx = new Context(waker, budget);
  return { cx, waker, poll: () => future.poll(cx) };
}

/** Let every queued microtask and promise continuation run (one host turn, no timer). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
