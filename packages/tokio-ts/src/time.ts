/**
 * `tokio-ts/time`: timers — the same items as `@tokio-ts/time`, re-exported.
 *
 * @example
 * ```ts
 * import { Builder } from "tokio-ts";
 * import { sleep, timeout } from "tokio-ts/time";
 * const rt = Builder.newCurrentThread().enableTime().build();
 * await rt.blockOn(function* () { yield* sleep(10) });
 * ```
 *
 * @packageDocumentation
 */
export {
  Instant,
  Sleep,
  sleep,
  sleepUntil,
  Interval,
  interval,
  intervalAt,
  MissedTickBehavior,
  Timeout,
  timeout,
  timeoutAt,
  pause,
  resume,
  advance,
  Elapsed,
  TimeError,
} from "@tokio-ts/time";
