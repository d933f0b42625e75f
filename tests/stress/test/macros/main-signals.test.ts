/**
 * main() and SIGINT/SIGTERM, in child processes, with the signal sent at a known moment (a
 * marker on stdout): while the body waits, or before its first wait — every body kind.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { count, exitedByItself, runProg, what, type SignalPlan } from "./run-child.js";
import type { BodyKind, Config } from "./fixtures/main-prog.js";

const KINDS: BodyKind[] = ["gen", "genObj", "async", "future", "fnGen", "fnFuture"];
const CODE = { SIGINT: 130, SIGTERM: 143 } as const;

const run = runProg;

test("a signal while the body waits cancels it: finally runs once (a generator's may still wait), background tasks' finally once, exit 128+n", async () => {
  const cases: [Config, SignalPlan[]][] = [];
  for (const body of KINDS) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const paused = signal === "SIGTERM";
      cases.push([{ body, action: "wait", paused, bg: 2, finallyMs: 20 }, [{ on: "ready", signal }]]);
    }
  }
  const results = await Promise.all(cases.map(([c, p]) => run(c, p)));
  results.forEach((r, i) => {
    const [cfg, plans] = cases[i]!;
    const w = what(cfg, plans);
    exitedByItself(r, w);
    const code = CODE[plans[0]!.signal as keyof typeof CODE];
    assert.is(r.code, code, `${w}: ${r.stdout} ${r.stderr}`);
    assert.is(r.stderr, "", w);
    assert.ok(r.lines.includes("result undefined"), w);
    assert.ok(r.lines.includes(`exitcode ${code}`), w);
    assert.is(count(r.lines, "finally-start"), 1, `${w}: ${r.stdout}`);
    if (cfg.body === "async") {
      // documented: an async body's later awaits of tokio-ts futures reject at once
      assert.is(count(r.lines, "finally-await-rejected CancelledError"), 1, `${w}: ${r.stdout}`);
    } else if (cfg.body === "future" || cfg.body === "fnFuture") {
      // a future is dropped (fromGenerator: return(), finally runs, its awaits are dropped)
      assert.is(count(r.lines, "finally-end"), 0, `${w}: ${r.stdout}`);
    } else {
      assert.is(count(r.lines, "finally-end"), 1, `${w}: the finally block's cleanup wait was cut short: ${r.stdout}`);
    }
    assert.is(count(r.lines, "bg-finally 0"), 1, w);
    assert.is(count(r.lines, "bg-finally 1"), 1, w);
  });
});

test("a signal sent before the body's first wait cancels it at that wait: exit 128+n, finally once", async () => {
  const cases: Config[] = (["gen", "async", "future"] as BodyKind[]).flatMap((body) =>
    (["SIGINT", "SIGTERM"] as const).map((selfSignal) => ({ body, action: "wait", selfSignal, bg: 1, finallyMs: 5 }) as Config),
  );
  const results = await Promise.all(cases.map((c) => run(c, [])));
  results.forEach((r, i) => {
    const cfg = cases[i]!;
    const w = what(cfg, []);
    exitedByItself(r, w);
    assert.is(r.code, CODE[cfg.selfSignal as keyof typeof CODE], `${w}: ${r.stdout}`);
    assert.is(count(r.lines, "finally-start"), 1, w);
    assert.is(count(r.lines, "bg-finally 0"), 1, w);
  });
});

test.run();
