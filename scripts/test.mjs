// Builds the workspace, runs every package's `test` script through turbo and ends with exactly
// one line, `N passed, N failed`, as the last line of stdout. Exits non-zero on any failure.
//
// Why this shape:
// - `tsc -b` at the root is the one build and type-check; turbo then runs only the `test` tasks
//   (`--only`), so nothing is compiled twice and no cached build output is replayed.
// - Counts come from each package's uvu summary (`Total:` / `Passed:` / `Skipped:`); whether a
//   task failed comes from turbo's run summary (`--summarize`), not from scraping its text. A
//   task that exits non-zero counts at least one failure even if it printed no summary (a test
//   file that throws on import, a crash after the summary).
// - turbo runs each task with the package manager, so `pnpm` must be on PATH: run this as
//   `pnpm test`, which puts it there.
//
// Packages without a `test` script or without a compiled `dist/test` are skipped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testsAfterRun } from './lib/tests-after-run.mjs';

const root = join(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: process.env.TURBO_TELEMETRY_DISABLED ?? '1' };

function finish(passed, failed) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

const build = spawnSync(bin('tsc'), ['-b'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('build failed: `tsc -b` exited with', build.status ?? build.signal);
  finish(0, 1);
}

const listing = spawnSync(bin('turbo'), ['ls', '--output=json'], { cwd: root, env, encoding: 'utf8' });
if (listing.status !== 0) {
  process.stderr.write(listing.stderr);
  console.error('`turbo ls` failed');
  finish(0, 1);
}
const packages = JSON.parse(listing.stdout).packages.items.filter(({ path }) => {
  const manifest = JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8'));
  return Boolean(manifest.scripts?.test) && existsSync(join(root, path, 'dist', 'test'));
});
if (packages.length === 0) finish(0, 0);

// A test that a file registers after its suite's `.run()` is never run, and uvu says nothing of
// it: such files count as one failure each, named here, before anything runs.
const lateTests = packages.flatMap(({ path }) => testsAfterRun(join(root, path)));
for (const late of lateTests) console.error(`test registered after run(), so never run: ${late}`);

const args = ['run', 'test', '--only', '--continue', '--summarize', '--concurrency=1',
  '--log-order=grouped', '--output-logs=full', ...packages.map(({ name }) => `--filter=${name}`)];
// A test process that never exits (a leaked handle, a hang) must not stall the run: after
// TEST_TIMEOUT_MS (default 10 minutes; the whole suite takes well under one) turbo and its
// tasks are killed, and every package that did not report counts as failed.
const timeoutMs = Number(process.env.TEST_TIMEOUT_MS ?? 600_000);
const child = spawn(bin('turbo'), args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
let timedOut = false;
const watchdog = setTimeout(() => {
  timedOut = true;
  console.error(`\ntests still running after ${timeoutMs} ms: killing them (a test that hangs or leaves a handle open)`);
  killTree(child.pid);
}, timeoutMs);
watchdog.unref();

/** SIGKILL `pid` and every process below it (turbo starts its tasks in their own groups). */
function killTree(pid) {
  const table = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout ?? '';
  const children = new Map();
  for (const line of table.split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (!children.has(pp)) children.set(pp, []);
    children.get(pp).push(p);
  }
  const all = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop();
    all.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  for (const p of all) {
    try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
  }
}
let output = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  output += chunk;
});
const exitCode = await new Promise((resolve) => child.on('close', resolve));
clearTimeout(watchdog);

// Task exit codes, by package name, from the run summary whose path turbo prints.
const summaryPath = /^\s*Summary:\s+(\S+\.json)\s*$/m.exec(output)?.[1];
if (timedOut) {
  // No run summary: a package passed if it printed a complete uvu summary with no failure.
} else if (!summaryPath || !existsSync(summaryPath)) {
  console.error(`turbo exited with ${exitCode} and wrote no run summary (is pnpm on PATH? run \`pnpm test\`)`);
  finish(0, 1);
}
const exitCodes = new Map();
if (!timedOut) {
  for (const task of JSON.parse(readFileSync(summaryPath, 'utf8')).tasks) {
    exitCodes.set(task.package, task.execution?.exitCode);
  }
}

// uvu's summary is the last `Total:` / `Passed:` / `Skipped:` in the lines prefixed `<pkg>:test: `.
const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
const lastCount = (lines, label) => {
  const matches = [...lines.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)\\s*$`, 'gm'))];
  return matches.length ? Number(matches.at(-1)[1]) : undefined;
};

let passed = 0;
let failed = 0;
console.log('\nper package:');
for (const { name } of packages) {
  const prefix = `${name}:test: `;
  const lines = plain.split('\n').filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length)).join('\n');
  const total = lastCount(lines, 'Total') ?? 0;
  const ok = lastCount(lines, 'Passed') ?? 0;
  const skipped = lastCount(lines, 'Skipped') ?? 0;
  let bad = total - ok;
  const exited = timedOut ? (total > 0 && bad === 0 ? 0 : 1) : exitCodes.get(name);
  if (exited !== 0 && bad === 0) bad = 1;
  passed += ok;
  failed += bad;
  console.log(`  ${name}: passed ${ok}, failed ${bad}, skipped ${skipped}`);
}
if (lateTests.length > 0) {
  console.log(`  tests registered after run(): failed ${lateTests.length}`);
  failed += lateTests.length;
}
if (timedOut && failed === 0) failed = 1;
if (exitCode !== 0 && failed === 0) {
  console.error(`turbo exited with ${exitCode} but no package reported a failure`);
  failed = 1;
}
finish(passed, failed);
