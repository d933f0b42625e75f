import { test } from "uvu";
import * as assert from "uvu/assert";
import { Wheel, type WheelEntry } from "../src/internal/wheel.js";
import { Rng, thrown } from "./helpers.js";

/** 64^6 ms: the span of the wheel's six levels. */
const SPAN = 64 ** 6;

let ids = 0;

/** A wheel entry with a name, as the driver's Sleep is one. */
class Entry implements WheelEntry {
  wheelPrev: WheelEntry | undefined = undefined;
  wheelNext: WheelEntry | undefined = undefined;
  position = -1;
  readonly id = ids++;
  constructor(
    public when: number,
    readonly name = "",
  ) {}
}

/** Advance `wheel` to `now` and return the names of what fired, in order. */
function advance(wheel: Wheel, now: number): string[] {
  const fired: string[] = [];
  wheel.advance(now, (e) => fired.push((e as Entry).name));
  return fired;
}

test("an empty wheel has no next expiration and advancing it fires nothing", () => {
  const wheel = new Wheel();
  assert.is(wheel.nextExpiration(), undefined);
  assert.equal(advance(wheel, 1_000_000), []);
  assert.is(wheel.elapsed, 1_000_000);
  assert.is(wheel.size, 0);
});

test("an entry fires when the wheel reaches its deadline, once, and leaves the wheel empty", () => {
  const wheel = new Wheel();
  const e = new Entry(100, "a");
  wheel.insert(e);
  assert.is(wheel.size, 1);
  assert.equal(advance(wheel, 100), ["a"]);
  assert.is(wheel.size, 0);
  assert.is(e.position, -1);
  assert.is(wheel.nextExpiration(), undefined);
  assert.equal(advance(wheel, 10_000), []);
});

test("advancing to one tick before the deadline fires nothing and moves elapsed to now", () => {
  const wheel = new Wheel();
  wheel.insert(new Entry(100, "a"));
  assert.equal(advance(wheel, 99), []);
  assert.is(wheel.elapsed, 99);
  assert.is(wheel.size, 1);
  assert.equal(advance(wheel, 100), ["a"]);
});

test("an entry fires when the wheel jumps far past its deadline", () => {
  const wheel = new Wheel();
  wheel.insert(new Entry(5, "a"));
  wheel.insert(new Entry(70_000, "b"));
  assert.equal(advance(wheel, 10 * SPAN), ["a", "b"]);
  assert.is(wheel.size, 0);
});

test("a removed entry never fires, and the wheel is empty again", () => {
  const wheel = new Wheel();
  const a = new Entry(100, "a");
  const b = new Entry(200, "b");
  wheel.insert(a);
  wheel.insert(b);
  wheel.remove(a);
  assert.is(wheel.size, 1);
  assert.is(a.position, -1);
  wheel.remove(b);
  assert.is(wheel.size, 0);
  assert.is(wheel.nextExpiration(), undefined);
  assert.equal(advance(wheel, 1000), []);
});

test("removing an entry twice, or one never inserted, is a no-op", () => {
  const wheel = new Wheel();
  const a = new Entry(100, "a");
  const b = new Entry(100, "b");
  wheel.insert(a);
  wheel.remove(a);
  wheel.remove(a);
  wheel.remove(new Entry(50));
  assert.is(wheel.size, 0);
  wheel.insert(b);
  wheel.remove(a);
  assert.is(wheel.size, 1);
  assert.equal(advance(wheel, 100), ["b"]);
});

test("removing the middle entry of a slot keeps the others and their order", () => {
  const wheel = new Wheel();
  const [a, b, c] = [new Entry(10, "a"), new Entry(10, "b"), new Entry(10, "c")];
  wheel.insert(a);
  wheel.insert(b);
  wheel.insert(c);
  wheel.remove(b);
  assert.equal(advance(wheel, 10), ["a", "c"]);
});

test("insert rejects an entry that is not due after elapsed with a RangeError", () => {
  const wheel = new Wheel();
  advance(wheel, 50);
  assert.instance(thrown(() => wheel.insert(new Entry(50))), RangeError);
  assert.instance(thrown(() => wheel.insert(new Entry(10))), RangeError);
  assert.instance(thrown(() => wheel.insert(new Entry(NaN))), RangeError);
  assert.is(wheel.size, 0);
  wheel.insert(new Entry(51, "ok"));
  assert.equal(advance(wheel, 51), ["ok"]);
});

test("entries fire in deadline order across every level, ties in insertion order", () => {
  const wheel = new Wheel();
  const deadlines = [SPAN * 3 + 7, 1, 64 ** 5 + 1, 63, 64, 4096, 10, 262_144 * 3, 10, SPAN - 1, 64, SPAN, 1];
  deadlines.forEach((when, i) => wheel.insert(new Entry(when, `${when}#${i}`)));
  const expected = deadlines
    .map((when, i) => ({ when, i }))
    .sort((x, y) => x.when - y.when || x.i - y.i)
    .map(({ when, i }) => `${when}#${i}`);
  assert.equal(advance(wheel, SPAN * 4), expected);
});

test("two entries with one deadline, inserted from different elapsed ticks, fire in insertion order", () => {
  const wheel = new Wheel();
  wheel.insert(new Entry(5000, "first")); // level 2 when inserted
  advance(wheel, 4000);
  wheel.insert(new Entry(5000, "second")); // level 1 when inserted
  advance(wheel, 4999);
  wheel.insert(new Entry(5000, "third")); // level 0 when inserted
  assert.equal(advance(wheel, 5000), ["first", "second", "third"]);
});

test("nextExpiration is never later than the earliest deadline, and equals a level-0 deadline", () => {
  const wheel = new Wheel();
  wheel.insert(new Entry(40));
  assert.is(wheel.nextExpiration(), 40);
  const far = new Wheel();
  far.insert(new Entry(1_000_000));
  const next = far.nextExpiration()!;
  assert.ok(next > 0 && next <= 1_000_000, `next ${next}`);
});

test("stepping through nextExpiration reaches a deadline beyond the wheel's span exactly", () => {
  const wheel = new Wheel();
  const when = 5 * SPAN + 123_456_789;
  wheel.insert(new Entry(when, "far"));
  let fired: string[] = [];
  let steps = 0;
  while (wheel.size > 0) {
    const next = wheel.nextExpiration()!;
    assert.ok(next > wheel.elapsed, "the next expiration is in the future");
    assert.ok(next <= when, `next expiration ${next} is after the deadline ${when}`);
    fired = advance(wheel, next);
    if (fired.length === 0) assert.ok(next < when);
    steps++;
  }
  assert.equal(fired, ["far"]);
  assert.is(wheel.elapsed, when);
  assert.ok(steps < 100, `${steps} steps`);
});

test("a deadline beyond the wheel's span does not fire one tick early", () => {
  const wheel = new Wheel();
  const when = 3 * SPAN + 17;
  wheel.insert(new Entry(when, "far"));
  assert.equal(advance(wheel, when - 1), []);
  assert.is(wheel.size, 1);
  assert.equal(advance(wheel, when), ["far"]);
});

test("a deadline 30 days out fires on time while another waits 800 days (beyond the span, in the top level's current slot)", () => {
  const wheel = new Wheel();
  const day = 86_400_000;
  wheel.insert(new Entry(800 * day, "800 days"));
  wheel.insert(new Entry(30 * day, "30 days"));
  assert.ok(wheel.nextExpiration()! <= 30 * day, `next expiration ${wheel.nextExpiration()} is after the 30-day deadline`);
  assert.equal(advance(wheel, 30 * day), ["30 days"]);
  assert.equal(advance(wheel, 800 * day), ["800 days"]);
});

test("an entry inserted from inside fire and due by now fires in the same advance", () => {
  const wheel = new Wheel();
  const fired: string[] = [];
  wheel.insert(new Entry(10, "a"));
  wheel.insert(new Entry(30, "c"));
  wheel.advance(100, (e) => {
    const name = (e as Entry).name;
    fired.push(name);
    if (name === "a") {
      wheel.insert(new Entry(wheel.elapsed + 10, "b")); // due at 20, before c
      wheel.insert(new Entry(500, "later"));
    }
  });
  assert.equal(fired, ["a", "b", "c"]);
  assert.is(wheel.size, 1);
  assert.equal(advance(wheel, 500), ["later"]);
});

test("an entry removed from inside fire before its slot comes due never fires", () => {
  const wheel = new Wheel();
  const victim = new Entry(20, "victim");
  const fired: string[] = [];
  wheel.insert(new Entry(10, "a"));
  wheel.insert(victim);
  wheel.insert(new Entry(30, "c"));
  wheel.advance(100, (e) => {
    fired.push((e as Entry).name);
    if ((e as Entry).name === "a") wheel.remove(victim);
  });
  assert.equal(fired, ["a", "c"]);
  assert.is(wheel.size, 0);
});

test("an entry of the same batch removed inside fire before its turn does not fire", () => {
  // A waker that drops a neighbour due in the same millisecond (Tokio takes it off the pending list).
  const wheel = new Wheel();
  const a = new Entry(10, "a");
  const b = new Entry(10, "b");
  const c = new Entry(10, "c");
  wheel.insert(a);
  wheel.insert(b);
  wheel.insert(c);
  const fired: string[] = [];
  wheel.advance(10, (e) => {
    fired.push((e as Entry).name);
    if (e === a) wheel.remove(b);
  });
  assert.equal(fired, ["a", "c"]);
  assert.is(b.position, -1);
  assert.is(wheel.size, 0);
  wheel.remove(b); // still a no-op
  assert.is(wheel.size, 0);
});

test("an entry of the same batch moved later inside fire (remove + insert) fires at its new deadline, not in this batch", () => {
  const wheel = new Wheel();
  const a = new Entry(10, "a");
  const b = new Entry(10, "b");
  wheel.insert(a);
  wheel.insert(b);
  const fired: string[] = [];
  wheel.advance(10, (e) => {
    fired.push((e as Entry).name);
    if (e === a) {
      wheel.remove(b);
      b.when = 50;
      wheel.insert(b);
    }
  });
  assert.equal(fired, ["a"]);
  assert.is(wheel.size, 1);
  assert.equal(advance(wheel, 49), []);
  assert.equal(advance(wheel, 50), ["b"]);
});

test("a fire that advances the wheel again fires the rest of its batch first, each entry once, then the later ones", () => {
  const wheel = new Wheel();
  const a = new Entry(10, "a");
  for (const e of [a, new Entry(10, "b"), new Entry(10, "c"), new Entry(15, "d"), new Entry(40, "e")]) wheel.insert(e);
  const fired: string[] = [];
  wheel.advance(10, (e) => {
    fired.push((e as Entry).name);
    if (e === a) {
      a.when = 100; // re-inserted: a reset of the entry being fired
      wheel.insert(a);
      wheel.advance(20, (inner) => fired.push(`${(inner as Entry).name} (nested)`));
    }
  });
  assert.equal(fired, ["a", "b (nested)", "c (nested)", "d (nested)"]);
  assert.is(wheel.elapsed, 20);
  assert.is(wheel.size, 2);
  assert.equal(advance(wheel, 100), ["e", "a"]);
});

test("a fire that throws does not stop the rest: every due entry fires, then advance rethrows the first error", () => {
  const wheel = new Wheel();
  for (const [when, name] of [[10, "a"], [10, "b"], [20, "c"], [30, "d"]] as const) wheel.insert(new Entry(when, name));
  const fired: string[] = [];
  const error = thrown(() =>
    wheel.advance(25, (e) => {
      const name = (e as Entry).name;
      fired.push(name);
      if (name === "a" || name === "c") throw new Error(`fire ${name}`);
    }),
  );
  assert.is((error as Error).message, "fire a");
  assert.equal(fired, ["a", "b", "c"]);
  assert.is(wheel.elapsed, 25);
  assert.is(wheel.size, 1);
  assert.equal(advance(wheel, 30), ["d"]);
});

test("drain fires every entry once, skips one an earlier fire removed, and rethrows the first error after the rest", () => {
  const wheel = new Wheel();
  const entries = [new Entry(10, "a"), new Entry(500, "b"), new Entry(70_000, "c")];
  for (const e of entries) wheel.insert(e);
  const fired: string[] = [];
  let removed: string | undefined;
  const error = thrown(() =>
    wheel.drain((e) => {
      fired.push((e as Entry).name);
      if (removed === undefined) {
        // The first to fire throws and drops one that has not fired yet.
        const victim = entries.find((x) => !fired.includes(x.name))!;
        removed = victim.name;
        wheel.remove(victim);
        throw new Error("fire");
      }
    }),
  );
  assert.is((error as Error).message, "fire");
  assert.is(fired.length, 2);
  assert.ok(!fired.includes(removed!));
  assert.is(wheel.size, 0);
  assert.ok(entries.every((e) => e.position === -1));
});

test("an entry re-inserted after it fired (a reset) fires again at its new deadline", () => {
  const wheel = new Wheel();
  const e = new Entry(10, "e");
  wheel.insert(e);
  assert.equal(advance(wheel, 10), ["e"]);
  e.when = 75;
  wheel.insert(e);
  assert.equal(advance(wheel, 74), []);
  assert.equal(advance(wheel, 75), ["e"]);
});

test("an entry moved to an earlier deadline by remove + insert fires at the earlier one", () => {
  const wheel = new Wheel();
  const e = new Entry(1_000_000, "e");
  wheel.insert(e);
  wheel.remove(e);
  e.when = 3;
  wheel.insert(e);
  assert.equal(advance(wheel, 3), ["e"]);
  assert.is(wheel.size, 0);
});

// ---- property test ---------------------------------------------------------------------------

interface Model extends Entry {
  state: "live" | "removed" | "fired";
  index: number;
}

/** A random distance to a deadline, covering every level and well beyond the span. */
function randomOffset(rng: Rng): number {
  const r = rng.next();
  if (r < 0.2) return rng.between(1, 64);
  if (r < 0.4) return rng.between(1, 8192);
  if (r < 0.55) return rng.between(1, 20_000_000);
  if (r < 0.7) return rng.between(1, SPAN);
  if (r < 0.85) return rng.between(SPAN, 8 * SPAN);
  return rng.between(1, 3) * 64; // collide on slot boundaries
}

function fuzz(seed: number, total: number): void {
  const rng = new Rng(seed);
  const wheel = new Wheel();
  const live: Model[] = [];
  let inserted = 0;
  let removed = 0;
  let firedCount = 0;
  let lastFired: Model | undefined;
  let prevNow = 0;
  let target = 0;

  const add = (when: number): void => {
    const e = new Entry(when) as Model;
    e.state = "live";
    e.index = live.length;
    live.push(e);
    wheel.insert(e);
    inserted++;
  };
  const drop = (e: Model): void => {
    const last = live.pop()!;
    if (last !== e) {
      live[e.index] = last;
      last.index = e.index;
    }
  };
  const fire = (entry: WheelEntry): void => {
    const e = entry as Model;
    assert.is(e.state, "live", `seed ${seed}: entry ${e.id} fired while ${e.state}`);
    assert.ok(e.when <= target, `seed ${seed}: entry ${e.id} due at ${e.when} fired early (advancing to ${target})`);
    assert.ok(e.when > prevNow, `seed ${seed}: entry ${e.id} due at ${e.when} fired late (due by ${prevNow})`);
    if (lastFired !== undefined) {
      const inOrder = lastFired.when < e.when || (lastFired.when === e.when && lastFired.id < e.id);
      assert.ok(inOrder, `seed ${seed}: ${e.id}@${e.when} fired after ${lastFired.id}@${lastFired.when}`);
    }
    lastFired = e;
    e.state = "fired";
    drop(e);
    firedCount++;
    // Now and then, change the wheel from inside fire.
    const r = rng.next();
    if (r < 0.05 && inserted < total) add(wheel.elapsed + randomOffset(rng));
    else if (r < 0.08 && live.length > 0) {
      const victim = live[rng.below(live.length)]!;
      if (victim.position >= 0) {
        wheel.remove(victim);
        victim.state = "removed";
        drop(victim);
        removed++;
      }
    }
  };
  const advanceTo = (now: number): void => {
    target = now;
    wheel.advance(now, fire);
    prevNow = now;
    assert.is(wheel.elapsed, now);
    for (const e of live) assert.ok(e.when > now, `seed ${seed}: entry ${e.id} due at ${e.when} still live at ${now}`);
  };

  while (inserted < total) {
    const r = rng.next();
    if (r < 0.45) {
      const k = rng.between(1, 20);
      for (let i = 0; i < k && inserted < total; i++) add(wheel.elapsed + randomOffset(rng));
    } else if (r < 0.6 && live.length > 0) {
      const e = live[rng.below(live.length)]!;
      wheel.remove(e);
      e.state = "removed";
      drop(e);
      removed++;
    } else {
      const s = rng.next();
      const next = wheel.nextExpiration();
      let now = wheel.elapsed;
      if (s < 0.3) now += rng.between(0, 100);
      else if (s < 0.5 && next !== undefined) now = next;
      else if (s < 0.6 && next !== undefined) now = Math.max(now, next - 1);
      else if (s < 0.8) now += rng.between(1, 1_000_000);
      else now += rng.between(1, 2 * SPAN);
      advanceTo(now);
    }
    assert.is(wheel.size, live.length, `seed ${seed}: size`);
    const next = wheel.nextExpiration();
    if (live.length === 0) assert.is(next, undefined);
    else {
      let min = Infinity;
      for (const e of live) if (e.when < min) min = e.when;
      assert.ok(next !== undefined && next > wheel.elapsed && next <= min, `seed ${seed}: next ${next}, earliest ${min}`);
    }
  }
  // Drain: jump from expiration to expiration until everything has fired.
  let guard = 0;
  while (wheel.size > 0) {
    advanceTo(wheel.nextExpiration()!);
    assert.ok(++guard < 1_000_000, "the wheel drains");
  }
  assert.is(live.length, 0);
  assert.is(wheel.nextExpiration(), undefined);
  assert.is(firedCount + removed, inserted);
  assert.is(inserted, total);
}

test("property: 10,000 random deadlines (beyond the span too), random removals and steps: each fires once, on time, in order, and the wheel ends empty", () => {
  for (const seed of [1, 2, 3, 42, 2024]) fuzz(seed, 10_000);
});

test.run();
