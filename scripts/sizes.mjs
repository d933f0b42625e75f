// `pnpm sizes`: what each package and a few typical apps cost in a bundle, and a check that no
// bundle pulls in code of a package it does not depend on.
//
// Every bundle is esbuild's (bundle, minify, ESM, platform node; node: built-ins stay external)
// of a small entry module; gzip is zlib's at level 9 of the minified output. The bundles:
// - each exports entry of each public package (`export * from "<entry>"`: the whole entry);
// - typical apps, written as a user would (what they use, not everything): sync-only (a Mutex
//   and an mpsc channel in plain async functions), runtime + time (a runtime with time, spawn,
//   sleep), everything (every exports entry of the umbrella `tokio-ts`). The sync-only app is
//   also checked to hold none of the error classes it cannot reach (tree shaking works).
//
// Resolution goes through .tmp/sizes/node_modules, which links each public package's
// directory, so the compiled `dist/` of the workspace is bundled as it will be published and
// each package's own imports resolve as pnpm links them. The foreign-code check maps every
// input file of esbuild's metafile to its workspace package: a bundle of package P may hold only
// P and the packages P declares (dependencies and non-optional peers, transitively); an app only
// the packages it installs and what they declare; nothing may come from outside the workspace.
// pnpm also links dev dependencies, so an import of an undeclared sibling would resolve here and
// is caught by that check. That check fails the script; a size over its target does not.
//
// Writes benches/results/sizes.md and its section of benches/RESULTS.md. Flags: `--no-build` skips `tsc -b`; `--no-write` only prints.
// Ends with `N passed, N failed`.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import { build, closure, exportEntries, freshDir, publicPackages, root, tally } from './lib/workspace.mjs';

const args = new Set(process.argv.slice(2));
const t = tally();
const packages = publicPackages();
const byName = new Map(packages.map((p) => [p.name, p]));

/** Targets of issue #8, by app id, in gzip bytes. */
const TARGETS = { 'sync-only': 8 * 1024, 'runtime-time': 15 * 1024 };

/** Typical apps: what a user installs and writes. */
const APPS = [
  {
    id: 'sync-only',
    title: 'sync-only app (Mutex + mpsc, no runtime)',
    install: ['@tokio-ts/sync'],
    // Error classes it cannot reach (Semaphore's, OnceCell's, broadcast's), whose names must
    // not be in its bundle: each class writes its name out in a getter, not a static block, so
    // that a bundler can drop it (see TokioError.name). (AcquireError is reachable: the bounded
    // channel waits on the internal semaphore.)
    unreachable: ['TryAcquireError', 'SetError', 'RecvError'],
    source: `
import { Mutex, mpsc } from "@tokio-ts/sync";
const counter = new Mutex(0);
const [tx, rx] = mpsc.channel(16);
export async function produce(n) {
  for (let i = 0; i < n; i++) {
    const guard = await counter.lock();
    guard.value += 1;
    guard.release();
    await tx.send(i);
  }
  tx.close();
}
export async function consume() {
  let sum = 0;
  for await (const v of rx) sum += v;
  return sum;
}
`,
  },
  {
    id: 'runtime-time',
    title: 'core + runtime + time app (spawn + sleep)',
    install: ['@tokio-ts/runtime', '@tokio-ts/time'],
    source: `
import { Builder, spawn } from "@tokio-ts/runtime";
import { sleep } from "@tokio-ts/time";
const rt = Builder.newCurrentThread().enableTime().build();
export const result = await rt.blockOn(async () => {
  const tasks = [1, 2, 3].map((i) => spawn(async () => { await sleep(i * 10); return i; }));
  let sum = 0;
  for (const task of tasks) sum += await task;
  return sum;
});
await rt.shutdownTimeout(1000);
`,
  },
  {
    id: 'everything',
    title: 'everything (every entry of the umbrella tokio-ts)',
    install: ['tokio-ts'],
    source: exportEntries(byName.get('tokio-ts')?.manifest ?? { name: 'tokio-ts' })
      .map((e, i) => `export * as m${i} from ${JSON.stringify(e.specifier)};`).join('\n'),
  },
];

if (!args.has('--no-build')) {
  await t.check('build: tsc -b of the public packages', () => {
    const r = build(packages.map((p) => p.rel));
    if (!r.ok) throw new Error(r.output);
  });
}

// .tmp/sizes/node_modules/<name> → the package's directory
const work = freshDir(join(root, '.tmp', 'sizes'));
for (const pkg of packages) {
  const link = join(work, 'node_modules', ...pkg.name.split('/'));
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(pkg.dir, link, 'dir');
}

/** The workspace package a bundled file belongs to, or undefined if it is outside the workspace's packages. */
function ownerOf(file) {
  const abs = join(root, file);
  let best;
  for (const pkg of packages) {
    if (abs === pkg.dir || abs.startsWith(pkg.dir + sep)) {
      if (best === undefined || pkg.dir.length > best.dir.length) best = pkg;
    }
  }
  return best;
}

/** Bundles `source`; returns sizes and the bytes of the output by package. */
async function measure(id, source) {
  const result = await esbuild({
    stdin: { contents: source, resolveDir: work, sourcefile: `${id}.mjs`, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    metafile: true,
    absWorkingDir: root,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const output = Object.values(result.metafile.outputs)[0];
  const stdinName = relative(root, join(work, `${id}.mjs`));
  const byPackage = new Map();
  const foreign = [];
  for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
    if (file === stdinName || file.startsWith('<stdin>')) continue; // the entry module itself
    const owner = ownerOf(file);
    if (owner === undefined) foreign.push(file);
    const key = owner?.name ?? file;
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, byPackage, foreign, text: new TextDecoder().decode(code) };
}

/** Fails if the bundle holds code of a package outside `allowed`, or from outside the workspace. */
function checkForeign(m, allowed) {
  const extra = [...m.byPackage.keys()].filter((name) => byName.has(name) && !allowed.has(name));
  const problems = [];
  if (extra.length > 0) problems.push(`code of ${extra.join(', ')} (not a declared dependency)`);
  if (m.foreign.length > 0) problems.push(`files from outside the workspace packages: ${m.foreign.join(', ')}`);
  if (problems.length > 0) throw new Error(problems.join('; '));
}

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const composition = (m) => [...m.byPackage].sort((a, b) => b[1] - a[1])
  .map(([name, bytes]) => `${name.replace('@tokio-ts/', '')} ${kb(bytes)}`).join(', ');

const entryRows = [];
console.log('\n==> each exports entry of each public package');
for (const pkg of packages) {
  const allowed = closure([pkg.name], byName);
  for (const entry of exportEntries(pkg.manifest)) {
    await t.check(`bundle: ${entry.specifier} holds only ${[...allowed].join(', ')}`, async () => {
      const m = await measure(entry.specifier.replace(/[@/]/g, '_'), `export * from ${JSON.stringify(entry.specifier)};`);
      entryRows.push({ name: entry.specifier, ...m });
      checkForeign(m, allowed);
      return `${kb(m.min)} min, ${kb(m.gzip)} gzip`;
    });
  }
}

// The foreign-code check must be able to fail: a bundle of sync checked as if sync declared
// nothing has to be flagged for core's code.
if (byName.has('@tokio-ts/sync') && byName.has('@tokio-ts/core')) {
  await t.check('self-test: the check flags code of an undeclared package', async () => {
    const m = await measure('self-test', 'export { Mutex } from "@tokio-ts/sync";');
    let flagged;
    try {
      checkForeign(m, new Set(['@tokio-ts/sync']));
    } catch (error) {
      flagged = error.message;
    }
    if (!flagged?.includes('@tokio-ts/core')) throw new Error(`not flagged: ${flagged ?? 'passed'}`);
    return flagged;
  });
}

const appRows = [];
console.log('\n==> typical apps');
for (const app of APPS) {
  const missing = app.install.filter((n) => !byName.has(n));
  if (missing.length > 0) {
    t.fail(`app: ${app.id}`, `no workspace package ${missing.join(', ')}`);
    continue;
  }
  const allowed = closure(app.install, byName);
  await t.check(`app: ${app.id} holds only ${[...allowed].join(', ')}`, async () => {
    const m = await measure(app.id, app.source);
    appRows.push({ ...app, ...m });
    checkForeign(m, allowed);
    return `${kb(m.min)} min, ${kb(m.gzip)} gzip`;
  });
  const measured = appRows.find((r) => r.id === app.id);
  if (app.unreachable === undefined || measured === undefined) continue;
  await t.check(`app: ${app.id} drops the error classes it cannot reach (${app.unreachable.join(', ')})`, () => {
    const kept = app.unreachable.filter((name) => measured.text.includes(`"${name}"`));
    if (kept.length > 0) throw new Error(`its bundle holds ${kept.join(', ')}`);
  });
}

const verdict = (row) => {
  const target = TARGETS[row.id];
  if (target === undefined) return '—';
  return row.gzip <= target ? `≤ ${kb(target)}: **met**` : `≤ ${kb(target)}: **missed** by ${kb(row.gzip - target)}`;
};
const esbuildVersion = (await import('esbuild')).version;
const markdown = `## Bundle sizes

Measured by \`pnpm sizes\` (scripts/sizes.mjs): esbuild ${esbuildVersion} (bundle, minify, ESM,
platform node, \`node:\` built-ins external) of the compiled packages, gzip level 9; 1 kB = 1,024
bytes. The "contents" column is the minified bytes each package contributes, from esbuild's
metafile. Every bundle is also checked to hold no code of a package it does not depend on.

### Typical apps

| App | Installs | Minified | Gzip | Target | Contents |
|---|---|---:|---:|---|---|
${appRows.map((r) => `| ${r.title} | ${r.install.map((n) => `\`${n}\``).join(', ')} | ${kb(r.min)} | ${kb(r.gzip)} | ${verdict(r)} | ${composition(r)} |`).join('\n')}

### Each package entry (everything it exports)

| Entry | Minified | Gzip | Contents |
|---|---:|---:|---|
${entryRows.map((r) => `| \`${r.name}\` | ${kb(r.min)} | ${kb(r.gzip)} | ${composition(r)} |`).join('\n')}

An app pays only for what it imports: \`sideEffects: false\` and ESM let the bundler drop the
rest, so an app's size is well below the sum of its packages' entries.
`;
console.log(`\n${markdown}`);
if (!args.has('--no-write')) {
  const out = join(root, 'benches', 'results', 'sizes.md');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, markdown);
  // RESULTS.md holds benches/results/*.md between markers (benches/src/main.ts writes them when
  // it renders); replace this section there, or add it.
  const results = join(root, 'benches', 'RESULTS.md');
  const section = `<!-- results/sizes.md -->\n${markdown.trim()}\n<!-- /results/sizes.md -->`;
  if (existsSync(results)) {
    const text = readFileSync(results, 'utf8');
    const at = /<!-- results\/sizes\.md -->[\s\S]*?<!-- \/results\/sizes\.md -->/;
    writeFileSync(results, at.test(text) ? text.replace(at, () => section) : `${text.trimEnd()}\n\n${section}\n`);
  }
  console.log(`wrote ${relative(root, out)} and its section of benches/RESULTS.md`);
}
rmSync(work, { recursive: true, force: true });
t.finish();
