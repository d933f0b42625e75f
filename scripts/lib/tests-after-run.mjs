// Finds uvu tests that a test file registers after its suite's `.run()`: uvu never runs them
// and reports nothing, so a test appended below `test.run()` would be lost without a trace.
//
// The check reads the TypeScript sources (`test/**/*.test.ts`): it finds the names uvu's `test`
// is bound to (`import { test }`, `import { test as x }`, `const s = suite(…)`) and reports a
// line that starts with one of them called (`name(` or `name.only(`) after the last
// `<name>.run()` of that name.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** `path:line` of each test registered after its suite's `run()`, in the package at `dir`. */
export function testsAfterRun(dir) {
  const testDir = join(dir, 'test');
  if (!exists(testDir)) return [];
  return testFiles(testDir).flatMap((file) => lateIn(file).map((line) => `${relative(process.cwd(), file)}:${line}`));
}

function exists(path) {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** 1-based line numbers of late registrations in `file`. */
function lateIn(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const names = suiteNames(lines.join('\n'));
  const late = [];
  for (const name of names) {
    const runAt = lines.findLastIndex((line) => line.startsWith(`${name}.run()`));
    if (runAt < 0) continue;
    const call = new RegExp(`^${name}(\\.only)?\\(`);
    for (let i = runAt + 1; i < lines.length; i++) if (call.test(lines[i])) late.push(i + 1);
  }
  return late;
}

function suiteNames(source) {
  const names = new Set();
  const imports = /import\s*\{([^}]*)\}\s*from\s*["']uvu["']/.exec(source);
  for (const part of imports?.[1].split(',') ?? []) {
    const m = /^\s*test(?:\s+as\s+(\w+))?\s*$/.exec(part);
    if (m) names.add(m[1] ?? 'test');
  }
  for (const m of source.matchAll(/^(?:const|let)\s+(\w+)\s*=\s*suite\(/gm)) names.add(m[1]);
  return names;
}
