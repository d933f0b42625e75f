/**
 * main() and a second signal during a long cleanup, handleSignals: false, bodies that wait on
 * ctrlC() or an open signal("SIGINT") — in child processes, signals sent at known markers.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { count, exitedByItself, runProg, what, type SignalPlan } from "./run-child.js";
import type { BodyKind, Config } from "./fixtures/main-prog.js";

const KINDS: BodyKind[] = ["gen", "genObj", "async", "future", "fnGen", "fnFuture"];
const CODE = { SIGINT: 130, SIGTERM: 143 } as const;

const run = runProg;

test("a second signal during a generator body's long cleanup shuts the runtime down at once: the cleanup is cut short, the exit code is the first signal's, the process exits", async () => {
  const cases: [Config, SignalPlan[]][] = [];
  // (only generator bodies can wait in their finally: an async body's awaits reject at once,
  // a future's finally runs as it is dropped)
  for (const body of ["gen", "genObj", "fnGen"] as BodyKind[]) {
    for (const [first, second] of [["SIGINT", "SIGINT"], ["SIGTERM", "SIGINT"]] as const) {
      const paused = first === "SIGTERM";
      cases.push([
        { body, action: "wait", paused, bg: 1, finallyMs: paused ? -1 : 3_600_000 },
        [{ on: "ready", signal: first }, { on: "finally-start", signal: second, delayMs: 10 }],
      ]);
    }
  }
  const results = await Promise.all(cases.map(([c, p]) => run(c, p)));
  results.forEach((r, i) => {
    const [cfg, plans] = cases[i]!;
    const w = what(cfg, plans);
    exitedByItself(r, w);
    const code = CODE[plans[0]!.signal as keyof typeof CODE];
    assert.is(r.code, code, `${w}: ${r.stdout} ${r.stderr}`);
    assert.is(count(r.lines, "finally-start"), 1, w);
    assert.is(count(r.lines, "finally-end"), 0, w);
    assert.is(count(r.lines, "bg-finally 0"), 1, w);
    assert.ok(r.lines.includes("result undefined"), w);
  });
});

test("handleSignals: false leaves SIGINT to Node (the process dies by it) or to the program's own listener", async () => {
  const plans: SignalPlan[] = [{ on: "ready", signal: "SIGINT" }];
  const [dies, own, ownDefault] = await Promise.all([
    run({ body: "gen", action: "wait", handleSignals: false, bg: 1 }, plans),
    run({ body: "gen", action: "wait", handleSignals: false, ownHandler: true, bg: 1 }, plans),
    run({ body: "async", action: "wait", handleSignals: false, ownHandler: true, bg: 1 }, plans),
  ]);
  assert.not.ok(dies.killedBySafetyNet);
  assert.is(dies.signal, "SIGINT", dies.stdout);
  assert.is(count(dies.lines, "finally-start"), 0);
  for (const r of [own, ownDefault]) {
    exitedByItself(r, "own handler");
    assert.is(r.code, 0, r.stderr);
    assert.equal(
      r.lines.filter((l) => !l.startsWith("finally") && !l.startsWith("bg")),
      ["ready", "own-handler", "result by own handler", "exitcode undefined"],
    );
    assert.is(count(r.lines, "bg-finally 0"), 1);
  }
});

test("a body waiting on ctrlC() gets SIGINT and ends by itself (0); SIGTERM still cancels it (143); a second SIGINT during its cleanup cancels it (130)", async () => {
  const cases: [Config, SignalPlan[], number, boolean][] = [
    [{ body: "gen", action: "ctrlc", finallyMs: 20 }, [{ on: "ready", signal: "SIGINT" }], 0, true],
    [{ body: "async", action: "ctrlc", finallyMs: 20 }, [{ on: "ready", signal: "SIGINT" }], 0, true],
    [{ body: "gen", action: "ctrlc", paused: true, finallyMs: 20 }, [{ on: "ready", signal: "SIGINT" }], 0, true],
    [{ body: "gen", action: "ctrlc", finallyMs: 20 }, [{ on: "ready", signal: "SIGTERM" }], 143, false],
    [{ body: "future", action: "ctrlc", paused: true, finallyMs: 20 }, [{ on: "ready", signal: "SIGTERM" }], 143, false],
    [
      { body: "gen", action: "ctrlc", finallyMs: 3_600_000 },
      [{ on: "ready", signal: "SIGINT" }, { on: "finally-start", signal: "SIGINT", delayMs: 10 }],
      130,
      false,
    ],
    [
      { body: "gen", action: "ctrlc", paused: true, finallyMs: -1 },
      [{ on: "ready", signal: "SIGINT" }, { on: "finally-start", signal: "SIGINT", delayMs: 10 }],
      130,
      false,
    ],
  ];
  const results = await Promise.all(cases.map(([c, p]) => run(c, p)));
  results.forEach((r, i) => {
    const [cfg, plans, code, graceful] = cases[i]!;
    const w = what(cfg, plans);
    exitedByItself(r, w);
    assert.is(r.code, code, `${w}: ${r.stdout} ${r.stderr}`);
    assert.is(count(r.lines, "finally-start"), 1, w);
    if (graceful) {
      assert.ok(r.lines.includes("got-ctrlc"), w);
      assert.ok(r.lines.includes("finally-end"), w);
      assert.ok(r.lines.includes("result graceful"), w);
    } else {
      assert.ok(r.lines.includes("result undefined"), w);
    }
  });
});

test("a ctrlC() dropped as a select loser leaves SIGINT to main; an open signal('SIGINT') takes every SIGINT until closed, then main gets the next", async () => {
  const [loser, stream] = await Promise.all([
    run({ body: "gen", action: "ctrlcLoser", finallyMs: 5 }, [{ on: "ready", signal: "SIGINT" }]),
    run({ body: "gen", action: "signalStream", finallyMs: 5 }, [
      { on: "ready", signal: "SIGINT" },
      { on: "stream got 0", signal: "SIGINT" },
      { on: "stream closed", signal: "SIGINT" },
    ]),
  ]);
  exitedByItself(loser, "loser");
  assert.is(loser.code, 130, loser.stdout);
  assert.ok(loser.lines.includes("select t"));
  assert.is(count(loser.lines, "finally-end"), 1);
  exitedByItself(stream, "stream");
  assert.is(stream.code, 130, stream.stdout);
  assert.equal(stream.lines.slice(0, 4), ["ready", "stream got 0", "stream got 1", "stream closed"]);
  assert.is(count(stream.lines, "finally-end"), 1);
});

test.run();
