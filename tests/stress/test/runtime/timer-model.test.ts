// Timers on the paused clock against a model: random sleep / sleepUntil (1 ms to a year,
// fractional too), resets in place (earlier, later, into the past), drops (abort of the
// waiting task, a select that loses, a sleep never polled), timeouts; the clock moves by
// `advance` of random size. After each advance exactly the timers whose deadline has passed
// have fired (none early, none missed), each once, dropped ones never, and the tasks they woke
// ran in deadline order.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SeededRng } from "@tokio-ts/test-util";
import { spawn, yieldNow, Handle, type JoinHandle } from "@tokio-ts/runtime";
import { sleep, sleepUntil, advance, timeoutAt, Instant, Elapsed, type Sleep } from "@tokio-ts/time";
import { select } from "@tokio-ts/macros";
import { TIME } from "@tokio-ts/time/driver";
import { oneshot } from "@tokio-ts/sync";
import { seeds, n, opts } from "./util.js";

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface Tm {
  i: number;
  deadline: number; // ms on the clock's timeline (Instant.asMillis)
  kind: "sleep" | "timeout";
  inner?: number; // timeout: the inner sleep's deadline
  s?: Sleep;
  h?: JoinHandle<void>;
  dropped: boolean;
  fired: number[]; // clock readings at which its task resumed
  result?: "inner" | "elapsed";
  cancelTx?: oneshot.Sender<void>;
  polled: boolean; // a waiting task has been spawned
  running: boolean; // that task has been polled (it waits on the timer)
  ev: string[];
  pastReset?: boolean;
  maybeFires?: boolean; // dropped by a select after its deadline: the select may still take it
}

// around the wheel's level boundaries: 64^k ms, k = 1..6
const BOUNDS = [64, 4096, 262_144, 16_777_216, 1_073_741_824, 68_719_476_736];

function randDelay(rng: SeededRng): number {
  if (rng.next() < 0.1) return Math.max(0, BOUNDS[rng.below(BOUNDS.length)]! + rng.between(-2, 2));
  const r = rng.below(100);
  if (r < 35) return rng.between(0, 70);
  if (r < 55) return rng.between(60, 5000);
  if (r < 70) return rng.between(4000, 300_000);
  if (r < 80) return rng.between(250_000, 20 * HOUR);
  if (r < 90) return rng.between(16 * HOUR, 40 * DAY);
  if (r < 93) return rng.between(1, 400) * DAY;
  if (r < 95) return rng.between(700, 5000) * DAY + rng.below(1000); // beyond the wheel (64^6 ms ≈ 795 days)
  return rng.between(0, 2000) + rng.below(4) * 0.25; // fractional
}

function randAdvance(rng: SeededRng): number {
  if (rng.next() < 0.1) return Math.max(0, BOUNDS[rng.below(BOUNDS.length)]! + rng.between(-2, 2));
  const r = rng.below(100);
  if (r < 40) return rng.between(0, 70);
  if (r < 60) return rng.between(1, 5000);
  if (r < 75) return rng.between(1, 2 * HOUR);
  if (r < 90) return rng.between(1, 30 * DAY);
  if (r < 97) return rng.between(1, 200) * DAY;
  return rng.between(500, 3000) * DAY;
}

const ceil = Math.ceil;

function scenario(shuffle: boolean) {
  return (rt: import("@tokio-ts/runtime").Runtime, seed: number) =>
    rt.blockOn(function* () {
      const rng = new SeededRng(seed * 977 + (shuffle ? 3 : 4));
      const tms: Tm[] = [];
      const wakeOrder: number[][] = []; // per advance: the timers that resumed, in order
      const parkedSets: Set<number>[] = [];
      let current: number[] = [];
      const now = (): number => Instant.now().asMillis();

      const startWaiter = (t: Tm): void => {
        t.polled = true;
        t.ev.push(`waiter spawned at ${now()}`);
        const [ctx, crx] = oneshot.channel<void>();
        t.cancelTx = ctx;
        t.h = spawn(function* () {
          t.running = true;
          t.ev.push(`waiter runs at ${now()}`);
          if (t.kind === "sleep") {
            const r = yield* select({ s: t.s!, c: crx }, { biased: rng.next() < 0.5 });
            if (r.key === "c") { t.ev.push(`select: cancel won at ${now()}`); return; }
          } else {
            try {
              yield* timeoutAt(instantAt(t.deadline), sleepUntil(instantAt(t.inner!)));
              t.result = "inner";
            } catch (e) {
              assert.instance(e, Elapsed);
              t.result = "elapsed";
            }
          }
          t.fired.push(now());
          current.push(t.i);
        });
      };
      const t0 = Instant.now();
      const instantAt = (ms: number): Instant => (ms >= t0.asMillis() ? t0.add(ms - t0.asMillis()) : t0.sub(t0.asMillis() - ms));

      const newTimer = (): void => {
        const d = randDelay(rng);
        const i = tms.length;
        if (rng.next() < 0.15) {
          const innerD = rng.next() < 0.3 ? d : randDelay(rng);
          const t: Tm = { i, deadline: now() + d, kind: "timeout", inner: now() + innerD, dropped: false, fired: [], polled: false, running: false, ev: [`timeout made at ${now()}`] };
          // timeout(ms) from now: deadline = now + d
          tms.push(t);
          startWaiter(t);
          return;
        }
        const s = rng.next() < 0.5 ? sleep(d) : sleepUntil(Instant.now().add(d));
        const t: Tm = { i, deadline: s.deadline().asMillis(), kind: "sleep", s, dropped: false, fired: [], polled: false, running: false, ev: [`made at ${now()}`] };
        assert.ok(Math.abs(t.deadline - (now() + d)) < 1e-6, "deadline()");
        tms.push(t);
        if (rng.next() < 0.85) startWaiter(t); // else: polled later, or never (a dropped, unpolled sleep)
      };

      const steps = rng.between(5, 40);
      for (let k = 0; k < steps; k++) {
        const op = rng.below(100);
        if (op < 35) newTimer();
        else if (op < 45) {
          // reset a sleep in place (earlier, later, or into the past)
          const live = tms.filter((t) => t.kind === "sleep" && !t.dropped && t.fired.length === 0);
          if (live.length > 0) {
            const t = live[rng.below(live.length)]!;
            const r = rng.below(3);
            const target = r === 0 ? now() - rng.between(0, 50) : now() + randDelay(rng);
            t.s!.reset(instantAt(target));
            t.ev.push(`reset at ${now()} to ${target} (running ${t.running})`);
            // reset into the past: woken at once (documented), not by the next advance
            t.deadline = t.s!.deadline().asMillis();
            // (sticky: a later reset to the future leaves the task woken already, in the queue)
            if (t.deadline <= now()) t.pastReset = true;
          }
        } else if (op < 52) {
          // drop: abort the waiting task, or make its select lose
          const live = tms.filter((t) => t.kind === "sleep" && !t.dropped && t.fired.length === 0 && t.polled);
          if (live.length > 0) {
            const t = live[rng.below(live.length)]!;
            t.dropped = true;
            const byAbort = rng.next() < 0.5;
            t.ev.push(`dropped at ${now()} (running ${t.running}) by ${byAbort ? "abort" : "select"}`);
            if (byAbort) t.h!.abort();
            else {
              // both branches may be ready at its next poll if the deadline has passed
              // (also when its task has not run yet: it may first run after an advance)
              if (t.deadline <= now() || !t.running) t.maybeFires = true;
              t.cancelTx!.send();
              // let its select see the cancel before the clock moves on
              for (let y = 0; y < 500 && !t.h!.isFinished(); y++) yield* yieldNow();
            }
          }
        } else if (op < 56) {
          // start waiting on a sleep made earlier and never polled (maybe past its deadline)
          const idle = tms.filter((t) => t.kind === "sleep" && !t.polled && !t.dropped);
          if (idle.length > 0) startWaiter(idle[rng.below(idle.length)]!);
        } else if (op < 90) {
          current = [];
          wakeOrder.push(current);
          // only tasks already parked on their timer take part in the order check
          const parked = new Set(tms.filter((t) => t.running && !t.pastReset).map((t) => t.i));
          parkedSets.push(parked);
          const adv = randAdvance(rng);
          for (const t of tms) t.ev.push(`advance ${adv} from ${now()}`);
          yield* advance(adv);
          // the tasks the timers woke ran before advance returned (documented): seal the batch
          current = [];
          for (const t of tms) {
            if (!parked.has(t.i) || t.dropped || t.kind !== "sleep" || t.fired.length > 0) continue;
            assert.ok(t.deadline > now(), `seed ${seed}: timer ${t.i} was due (deadline ${t.deadline}, now ${now()}) but its task had not run when advance returned\n${t.ev.join("; ")}`);
          }
          // let tasks not woken by a timer (spawned, not yet polled) run: yield until every task
          // with a due timer has resumed, or 500 times (the clock does not move meanwhile)
          const settled = (): boolean => tms.every((t) => t.dropped || !t.polled || t.fired.length > 0 || (t.kind === "sleep" ? t.deadline : Math.min(t.deadline, t.inner!)) > now());
          for (let y = 0; y < 500 && !settled(); y++) yield* yieldNow();
          const nw = now();
          for (const t of tms) {
            const ctx = `seed ${seed} timer ${t.i} ${JSON.stringify({ ...t, s: undefined, h: undefined, cancelTx: undefined })} now ${nw}`;
            assert.ok(t.fired.length <= 1, `fired twice: ${ctx}`);
            if (t.dropped) {
              if (!t.maybeFires) assert.is(t.fired.length, 0, `a dropped timer fired: ${ctx}`);
              continue;
            }
            if (!t.polled) continue;
            const due = t.kind === "sleep" ? t.deadline : Math.min(t.deadline, t.inner!);
            if (t.fired.length === 1) {
              assert.ok(t.fired[0]! >= ceil(due - 1e-9) - 1e-9 || t.fired[0]! >= due, `fired early: ${ctx}`);
            } else {
              assert.ok(nw < due, `missed: due and not fired: ${ctx}`);
            }
            if (t.kind === "timeout" && t.result !== undefined) {
              // the inner future is polled first: it wins whenever it is due at the poll that ends
              assert.is(t.result, t.inner! <= t.fired[0]! ? "inner" : "elapsed", `timeout result: ${ctx}`);
            }
          }
        } else {
          yield* yieldNow();
        }
      }
      // order: within one advance, tasks woken by timers resumed in deadline order
      if (!shuffle) {
        for (let b = 0; b < wakeOrder.length; b++) {
          const batch = wakeOrder[b]!.filter((i) => parkedSets[b]!.has(i));
          for (let a = 0; a + 1 < batch.length; a++) {
            const x = tms[batch[a]!]!;
            const y = tms[batch[a + 1]!]!;
            if (x.kind !== "sleep" || y.kind !== "sleep") continue;
            assert.ok(ceil(x.deadline) <= ceil(y.deadline), `seed ${seed}: timer ${x.i} (deadline ${x.deadline}) resumed before ${y.i} (deadline ${y.deadline})\n${x.ev.join("; ")}\n${y.ev.join("; ")}`);
          }
        }
      }
      // end: drop the rest
      for (const t of tms) {
        t.h?.abort();
        if (!t.polled) t.s?.cancel();
      }
      for (const t of tms) {
        if (t.h) {
          try {
            yield* t.h;
          } catch {
            // aborted
          }
        }
      }
      assert.is(Handle.current().metrics().numAliveTasks(), 0);
      // every dropped timer left the wheel
      assert.is(Handle.current().driver(TIME).timerCount, 0, `seed ${seed}: timers left registered`);
    });
}

test("timers fire exactly when due on the paused clock (shuffled schedules)", async () => {
  await seeds(process.env["SEED"] ? [Number(process.env["SEED"])] : n(600), scenario(true), opts());
});

test("timers woken by one advance resume in deadline order (FIFO schedule)", async () => {
  await seeds(process.env["SEED"] ? [Number(process.env["SEED"])] : n(600), scenario(false), opts({ shuffle: false }));
});

test("auto-advance: chains of sleeps in many tasks each return at exactly their deadline", async () => {
  await seeds(
    n(800),
    (rt, seed) =>
      rt.blockOn(function* () {
        const rng = new SeededRng(seed + 4242);
        const t0 = Instant.now().asMillis();
        const errors: string[] = [];
        const hs: JoinHandle<void>[] = [];
        const k = rng.between(1, 12);
        for (let i = 0; i < k; i++) {
          const chain = Array.from({ length: rng.between(1, 6) }, () => randDelay(rng));
          hs.push(
            spawn(function* () {
              let at = Instant.now().asMillis();
              for (const d of chain) {
                const s = sleep(d);
                const deadline = s.deadline().asMillis();
                yield* s;
                const now = Instant.now().asMillis();
                // on a paused clock that only moves by auto-advance, a sleep returns at its
                // deadline rounded up to the ms tick, not later
                if (now < deadline || now > Math.ceil(deadline) + 1e-6) errors.push(`task ${i}: sleep(${d}) from ${at - t0} returned at ${now - t0}, deadline ${deadline - t0}`);
                at = now;
              }
            }),
          );
        }
        for (const h of hs) yield* h;
        assert.equal(errors, [], `seed ${seed}`);
      }),
    opts(),
  );
});

test.run();
