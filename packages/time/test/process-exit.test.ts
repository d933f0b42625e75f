import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

interface Outcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Run a compiled fixture in a child node; the kill timeout is only a safety net against a hang. */
function runFixture(name: string): Promise<Outcome> {
  const file = fileURLToPath(new URL(`./fixtures/${name}.js`, import.meta.url));
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [file], { timeout: 30_000 }, (_error, stdout, stderr) => {
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
    });
  });
}

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
