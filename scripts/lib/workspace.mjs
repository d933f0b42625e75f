// What the packaging scripts share: the workspace's packages (discovered from
// pnpm-workspace.yaml, never listed by hand), their exports maps and internal dependencies,
// packing with pnpm, running commands, and a small pass/fail tally that ends a script with the
// `N passed, N failed` line .ci/run adds up.
//
// A package is "public" when its package.json has no `"private": true`. New packages are covered
// by every script as soon as they exist in a workspace directory.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');
export const bin = (name) => join(root, 'node_modules', '.bin', name);

/** The workspace globs of pnpm-workspace.yaml (`dir/*` or `dir`; `!dir` excludes). */
function workspaceGlobs() {
  const text = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const globs = [];
  let inPackages = false;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) inPackages = /^packages:\s*$/.test(line);
    else if (inPackages) {
      const m = /^\s+-\s+['"]?([^'"#]+?)['"]?\s*(#.*)?$/.exec(line);
      if (m) globs.push(m[1]);
    }
  }
  return globs;
}

/**
 * Every workspace package: `{ name, dir, rel, manifest }`, sorted by directory. Only the glob
 * forms the workspace uses are understood (`dir/*`, `dir`, and `!…` exclusions).
 */
export function workspacePackages() {
  const dirs = new Set();
  const excluded = new Set();
  for (const glob of workspaceGlobs()) {
    const negated = glob.startsWith('!');
    const pattern = negated ? glob.slice(1) : glob;
    const found = [];
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2));
      if (existsSync(parent)) {
        for (const entry of readdirSync(parent, { withFileTypes: true })) {
          if (entry.isDirectory()) found.push(join(parent, entry.name));
        }
      }
    } else {
      found.push(join(root, pattern));
    }
    for (const dir of found) {
      if (!existsSync(join(dir, 'package.json'))) continue;
      (negated ? excluded : dirs).add(dir);
    }
  }
  return [...dirs].filter((d) => !excluded.has(d)).sort().map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return { name: manifest.name, dir, rel: relative(root, dir), manifest };
  });
}

/** The packages that get published (no `"private": true`). */
export function publicPackages() {
  return workspacePackages().filter((p) => p.manifest.private !== true);
}

/**
 * The workspace packages `pkg` needs at run time: `dependencies` and non-optional
 * `peerDependencies` that name workspace packages (names only).
 */
export function directDeps(pkg, byName) {
  const { dependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = pkg.manifest;
  const names = [...Object.keys(dependencies),
    ...Object.keys(peerDependencies).filter((n) => peerDependenciesMeta[n]?.optional !== true)];
  return [...new Set(names)].filter((n) => byName.has(n));
}

/** `names` and every workspace package they need, transitively (a Set of names). */
export function closure(names, byName) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    const pkg = byName.get(name);
    if (pkg === undefined) throw new Error(`${name} is not a workspace package`);
    seen.add(name);
    for (const dep of directDeps(pkg, byName)) visit(dep);
  };
  for (const name of names) visit(name);
  return seen;
}

/**
 * The entries of an exports map that a user can import: `{ subpath, specifier, types, js }`.
 * Blocked (`null`) and wildcard entries and `./package.json` are left out.
 */
export function exportEntries(manifest) {
  const exports = manifest.exports;
  if (exports === undefined) return [{ subpath: '.', specifier: manifest.name, types: manifest.types, js: manifest.main }];
  if (typeof exports === 'string') return [{ subpath: '.', specifier: manifest.name, types: undefined, js: exports }];
  const entries = [];
  for (const [subpath, target] of Object.entries(exports)) {
    if (target === null || subpath.includes('*') || subpath === './package.json') continue;
    const pick = (t, keys) => {
      if (typeof t === 'string') return t;
      if (t === null || typeof t !== 'object') return undefined;
      for (const key of keys) if (key in t) return pick(t[key], keys);
      return undefined;
    };
    entries.push({
      subpath,
      specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
      types: pick(target, ['types', 'import', 'default']),
      js: pick(target, ['import', 'node', 'default']),
    });
  }
  return entries;
}

/** Runs a command; returns `{ ok, status, stdout, stderr, output }` (never throws). */
export function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? (result.error ? String(result.error) : '');
  return { ok: result.status === 0, status: result.status, stdout, stderr, output: `${stdout}${stderr}`.trim() };
}

let pnpmCommand;
/** pnpm as a command line: the one on PATH if it is there (`pnpm run …` puts it there), else npx. */
export function pnpm() {
  if (pnpmCommand === undefined) {
    pnpmCommand = run('pnpm', ['--version']).ok ? ['pnpm'] : ['npx', '-y', 'pnpm@12.4.2'];
  }
  return pnpmCommand;
}

/**
 * Packs `pkg` with pnpm into `dest` (pnpm rewrites `workspace:*` to the real versions, as a
 * publish does). Returns `{ ok, tarball, output }`.
 */
export function pack(pkg, dest) {
  mkdirSync(dest, { recursive: true });
  const [cmd, ...pre] = pnpm();
  const before = new Set(readdirSync(dest));
  const result = run(cmd, [...pre, 'pack', '--pack-destination', dest], { cwd: pkg.dir });
  const made = readdirSync(dest).filter((f) => f.endsWith('.tgz') && !before.has(f));
  const expected = `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.manifest.version}.tgz`;
  const tarball = made.includes(expected) ? expected : made[0] ?? (existsSync(join(dest, expected)) ? expected : undefined);
  return { ok: result.ok && tarball !== undefined, tarball: tarball && join(dest, tarball), output: result.output };
}

/** Builds the given package directories with the workspace's `tsc -b`. */
export function build(dirs) {
  return run(bin('tsc'), ['-b', ...dirs], { cwd: root });
}

/** A fresh, empty directory. */
export function freshDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The pass/fail tally. `check(name, fn)` runs `fn` (sync or async); a throw is a failure whose
 * message is printed. `finish()` prints the failures again and the `N passed, N failed` line,
 * and sets the exit code.
 */
export function tally() {
  const failures = [];
  let passed = 0;
  return {
    async check(name, fn) {
      const start = performance.now();
      try {
        const note = await fn();
        passed++;
        console.log(`  ok   ${name}${note ? ` — ${note}` : ''} (${Math.round(performance.now() - start)} ms)`);
        return true;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ name, message });
        console.log(`  FAIL ${name}\n${indent(message)}`);
        return false;
      }
    },
    fail(name, message) {
      failures.push({ name, message });
      console.log(`  FAIL ${name}\n${indent(message)}`);
    },
    get failed() {
      return failures.length;
    },
    finish() {
      if (failures.length > 0) {
        console.log(`\nfailed checks:`);
        for (const { name, message } of failures) console.log(`  ${name}: ${message.split('\n')[0]}`);
      }
      console.log(`${passed} passed, ${failures.length} failed`);
      process.exitCode = failures.length > 0 ? 1 : 0;
    },
  };
}

/** Indents every line by four spaces (for failure details). */
export function indent(text, limit = 40) {
  const lines = String(text).split('\n');
  const shown = lines.length > limit ? [...lines.slice(0, limit), `… (${lines.length - limit} more lines)`] : lines;
  return shown.map((l) => `    ${l}`).join('\n');
}
