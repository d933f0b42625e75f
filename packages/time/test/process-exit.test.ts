import { test } from "uvu";
import * as assert from "uvu/assert";
import { runFixture } from "./helpers.js";

test("a process whose only timer was cancelled exits by itself, with code 0, and no host timer left", async () => {
  const out = await runFixture("cancelled-timer");
  assert.is(out.signal, null, `the process had to be killed (a cancelled timer kept it alive); stderr: ${out.stderr}`);
  assert.is(out.code, 0, out.stderr);
  assert.is(out.stdout, "armed 1, after cancel 0\n");
});

test("a process with a pending 50 ms sleep stays alive until it fires, then exits by itself with code 0", async () => {
  const out = await runFixture("pending-sleep");
  assert.is(out.signal, null, `the process had to be killed; stderr: ${out.stderr}`);
  assert.is(out.code, 0, `exit code ${out.code} (13 means the sleep did not keep the process alive); ${out.stderr}`);
  assert.is(out.stdout, "slept true\nfired\n");
});

test.run();
