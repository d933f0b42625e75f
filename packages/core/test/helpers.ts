/** Core test helpers: a hand-made poller whose waker counts wake-ups, a latch leaf, settling. */
import { Context, Future, Pending, type Poll, type Waker } from "../src/index.js";

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

/**
 * A leaf that is pending until `open(value)` or `fail(error)`. Like the tokio-ts leaves it keeps
 * only the waker of its latest poll, and a poll after it completed throws; it counts its polls.
 */
export class Latch<T> extends Future<T> {
  polls = 0;
  #waker: Waker | undefined = undefined;
  #state: "pending" | "open" | "failed" | "done" = "pending";
  #result: unknown = undefined;

  override poll(cx: Context): Poll<T> {
    this.polls++;
    switch (this.#state) {
      case "pending":
        this.#waker = cx.waker;
        return Pending;
      case "open":
        this.#state = "done";
        return this.#result as T;
      case "failed":
        this.#state = "done";
        throw this.#result;
      default:
        throw new Error("a latch was polled after it completed");
    }
  }

  open(value: T): void {
    this.#settle("open", value);
  }

  fail(error: unknown): void {
    this.#settle("failed", error);
  }

  #settle(state: "open" | "failed", result: unknown): void {
    this.#state = state;
    this.#result = result;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }
}

/** How `promise` stands once the microtask queue has drained (one host turn): never hangs. */
export async function outcomeOf<T>(promise: PromiseLike<T>): Promise<{ value: T } | { error: unknown } | "pending"> {
  let out: { value: T } | { error: unknown } | "pending" = "pending";
  promise.then(
    (value) => (out = { value }),
    (error: unknown) => (out = { error }),
  );
  await settle();
  return out;
}
