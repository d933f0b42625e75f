// Sleeps polled by hand with wakers that act at once (a custom executor's, allowed by the
// Waker contract: "It may run code at once"): while a batch of due timers fires, a waker
// cancels other sleeps, resets them (into the past, the present, the future) or makes and
// polls new ones. A cancelled sleep never fires; none fires twice; none fires before its
// deadline; after the next advance every sleep due by then has fired.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { Context, Pending, type Waker } from "@tokio-ts/core";
import { Handle } from "@tokio-ts/runtime";
import { sleep, advance, Instant, type Sleep } from "@tokio-ts/time";
import { TIME } from "@tokio-ts/time/driver";
import { seeds, n, opts } from "./util.js";

const stats = { wakes: 0, acts: 0, ready: 0, cancelled: 0 };

interface E {
  i: number;
  s: Sleep;
  cancelled: boolean;
  fired: number; // wakes seen
  ready: number; // polls that returned ready
  registered: boolean; // polled and pending
}

test("wakers that cancel, reset and make sleeps while a batch fires", async () => {
  await seeds(
    process.env["SEED"] ? [Number(process.env["SEED"])] : n(800),
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed * 41 + 9);
        const es: E[] = [];
        const errors: string[] = [];
        const now = (): number => Instant.now().asMillis();
        const at = (ms: number): Instant => (ms >= now() ? Instant.now().add(ms - now()) : Instant.now().sub(now() - ms));
        const poll = (e: E): void => {
          if (e.cancelled || e.ready > 0) return;
          const out = e.s.poll(new Context(wakerOf(e)));
          if (out !== Pending) {
            e.ready++;
            if (now() < e.s.deadline().asMillis()) errors.push(`sleep ${e.i} ready at ${now()} before its deadline ${e.s.deadline().asMillis()}`);
          } else e.registered = true;
        };
        const act = (): void => {
          stats.acts++;
          const r = rng.below(5);
          const live = es.filter((x) => !x.cancelled && x.ready === 0);
          const x = live.length > 0 ? live[rng.below(live.length)]! : undefined;
          if (r === 0 && x) {
            x.cancelled = true;
            x.s.cancel();
          } else if (r === 1 && x) {
            x.s.reset(at(now() - rng.between(0, 5)));
            if (x.registered) poll(x);
          } else if (r === 2 && x) {
            x.s.reset(at(now() + rng.between(0, 30)));
            if (x.registered) poll(x);
          } else if (r === 3) {
            const e = make(rng.between(0, 30));
            poll(e);
          }
        };
        const wakerOf = (e: E): Waker => ({
          wake() {
            e.fired++;
            stats.wakes++;
            if (e.cancelled) errors.push(`cancelled sleep ${e.i} woke`);
            // a woken sleep is polled at once (an executor that polls inside wake)
            poll(e);
            if (rng.next() < 0.6) act();
          },
        });
        const make = (d: number): E => {
          const e: E = { i: es.length, s: sleep(d), cancelled: false, fired: 0, ready: 0, registered: false };
          es.push(e);
          return e;
        };
        const k = rng.between(2, 20);
        for (let i = 0; i < k; i++) make(rng.between(0, 60));
        for (const e of es.slice()) if (rng.next() < 0.9) poll(e);
        for (let step = 0; step < 8; step++) {
          yield* advance(rng.between(0, 25));
          if (rng.next() < 0.3) act();
        }
        // a last advance lets timers made or reset during the final batch fire
        yield* advance(100);
        yield* advance(0);
        for (const e of es) {
          if (e.ready > 1) errors.push(`sleep ${e.i} ready twice`);
          if (e.cancelled) continue;
          if (e.registered && e.ready === 0 && e.s.deadline().asMillis() <= now()) errors.push(`sleep ${e.i} due at ${e.s.deadline().asMillis()} never fired (now ${now()})`);
        }
        for (const e of es) if (e.ready === 0 && !e.cancelled) e.s.cancel();
        for (const e of es) { stats.ready += e.ready; if (e.cancelled) stats.cancelled++; }
        assert.equal(errors, [], `seed ${seed}`);
        assert.is(Handle.current().driver(TIME).timerCount, 0);
      }),
    opts(),
  );
  if (process.env["STATS"]) console.log(stats);
});

test.run();
