// Interval against Tokio's algorithm, on the paused clock: random tick() (awaited, or raced
// by a select against a sleep and dropped), advance() of random size so ticks are missed,
// each MissedTickBehavior (switched mid-way too), reset / resetAfter / resetAt /
// resetImmediately, intervalAt with a start in the past or the future. Every tick returns
// the instant Tokio's poll_tick would, at the time it would (deadlines rounded up to the
// 1 ms tick for a fractional period).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { Handle } from "@tokio-ts/runtime";
import { sleep, advance, interval, intervalAt, Instant, MissedTickBehavior } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { seeds, n, opts } from "./util.js";

type B = "burst" | "delay" | "skip";
const BS: B[] = [MissedTickBehavior.Burst, MissedTickBehavior.Delay, MissedTickBehavior.Skip];

// Tokio's Interval::poll_tick, after its delay fired: the next deadline.
function nextDeadline(b: B, timeout: number, now: number, period: number): number {
  if (now > timeout + 5) {
    if (b === "burst") return timeout + period;
    if (b === "delay") return now + period;
    return now + period - ((now - timeout) % period);
  }
  return timeout + period;
}

for (const frac of [false, true]) test(`Interval: ticks, missed ticks, resets and dropped ticks follow Tokio's poll_tick (${frac ? "fractional" : "whole"} periods)`, async () => {
  await seeds(
    process.env["SEED"] ? [Number(process.env["SEED"])] : n(800),
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 17 + 3);
        const now = (): number => Instant.now().asMillis();
        const period = frac ? rng.between(1, 4000) / 4 : rng.next() < 0.2 ? rng.between(1, 10) : rng.between(1, 5000);
        let b: B = BS[rng.below(3)]!;
        let next: number; // the model's deadline of the next tick
        const log: string[] = [`period ${period} ${b}`];
        const iv = (() => {
          const r = rng.below(3);
          if (r === 0) {
            next = now();
            return interval(period);
          }
          const off = rng.between(0, Math.floor(3 * period));
          if (r === 1) {
            next = now() + off;
            log.push(`intervalAt +${off}`);
            return intervalAt(Instant.now().add(off), period);
          }
          next = now() - off;
          log.push(`intervalAt -${off}`);
          return intervalAt(Instant.now().sub(off), period);
        })();
        iv.missedTickBehavior = b;
        assert.is(iv.period, period);
        assert.is(iv.missedTickBehavior, b);
        const ops = rng.between(5, 40);
        for (let k = 0; k < ops; k++) {
          const op = rng.below(100);
          const ctx = (): string => `seed ${seed} op ${k}: ${log.join("; ")}`;
          if (op < 40) {
            // tick: completes at max(now, next) (the paused clock auto-advances to it)
            const expectAt = Math.max(now(), next);
            const got = (yield* iv.tick()).asMillis();
            log.push(`tick -> ${got} at ${now()}`);
            assert.is(got, next, `tick returned the wrong instant: ${ctx()}`);
            assert.is(now(), Math.ceil(expectAt - 1e-9), `tick completed at the wrong time: ${ctx()}`);
            next = nextDeadline(b, next, now(), period);
          } else if (op < 50) {
            // a tick raced by a sleep; the select polls the tick first
            const d = rng.between(0, Math.floor(2 * period));
            const start = now();
            const r = yield* select({ t: iv.tick(), s: sleep(d) }, { biased: true });
            log.push(`select(tick, sleep ${d}) -> ${r.key} at ${now()}`);
            if (next <= start + d) {
              assert.is(r.key, "t", `the tick was due first: ${ctx()}`);
              if (r.key === "t") assert.is(r.value.asMillis(), next, ctx());
              assert.is(now(), Math.ceil(Math.max(start, next) - 1e-9), ctx());
              next = nextDeadline(b, next, now(), period);
            } else {
              assert.is(r.key, "s", `the sleep was due first: ${ctx()}`);
              assert.is(now(), start + d, ctx());
            }
          } else if (op < 65) {
            const a = rng.next() < 0.5 ? rng.between(0, Math.floor(period + 10)) : rng.between(0, Math.floor(6 * period + 20));
            yield* advance(a);
            log.push(`advance ${a} -> ${now()}`);
          } else if (op < 72) {
            b = BS[rng.below(3)]!;
            iv.missedTickBehavior = b;
            log.push(`behavior ${b}`);
          } else if (op < 76) {
            iv.reset();
            next = now() + period;
            log.push(`reset at ${now()}`);
          } else if (op < 80) {
            iv.resetImmediately();
            next = now();
            log.push(`resetImmediately at ${now()}`);
          } else if (op < 85) {
            const ms = rng.between(0, Math.floor(3 * period));
            iv.resetAfter(ms);
            next = now() + ms;
            log.push(`resetAfter ${ms} at ${now()}`);
          } else if (op < 90) {
            const off = rng.between(-Math.floor(2 * period), Math.floor(3 * period));
            const at = off >= 0 ? Instant.now().add(off) : Instant.now().sub(-off);
            iv.resetAt(at);
            next = at.asMillis();
            log.push(`resetAt ${off} at ${now()}`);
          } else {
            yield* sleep(rng.between(0, Math.floor(2 * period)));
            log.push(`sleep -> ${now()}`);
          }
        }
        assert.is(Handle.current().metrics().numAliveTasks(), 0);
      }),
    opts(),
  );
});

test.run();
