// `pnpm check:packages`: every public package installs and works on its own, as a user gets it.
//
// 1. Build the public packages (`tsc -b`) and pack each with pnpm (which rewrites
//    `workspace:*` as a publish does) into .tmp/check-packages/tarballs.
// 2. publint --strict and attw on each tarball. attw runs with the `esm-only` profile: every
//    package is `"type": "module"` with only `types` + `default` conditions, so `require()` from
//    CommonJS (node16-cjs) and the pre-exports resolution (node10) are out of scope by design;
//    that profile still checks node16 from ESM and bundler resolution, which is what users get.
// 3. Each public package alone: a scratch project gets its tarball and those of the workspace
//    packages it declares (dependencies and non-optional peers), installed with npm --offline
//    (so nothing can come from a registry or a cache: an undeclared dependency fails the
//    install or the import). Every exports entry is imported with node and type-checked with
//    tsc (skipLibCheck off, so the .d.ts files must resolve too) under node16 and bundler.
// 4. The scenarios of ./check-packages/programs.mjs: small programs a user writes (sync alone,
//    runtime + time, the umbrella) and the feature opt-in matrix (runtime with no driver, time,
//    io, both; the package installed or not). The matrix is printed and written to
//    .tmp/check-packages/feature-matrix.md with the exact messages a user sees.
//
// The scratch projects live in the OS temp dir, not under the repo: Node and tsc look for
// packages in every parent's node_modules, and the workspace root's (uvu, typescript, …) would
// hide a missing dependency. TypeScript and @types/node come from the workspace (the tsc binary,
// and typeRoots pointing at the root's @types), so the installs need nothing but the tarballs.
//
// Flags: `--no-build` skips step 1's tsc -b; `--keep` keeps the scratch projects;
// `--write-matrix` also writes the matrix to docs/feature-matrix.md (when every check passed);
// `--only=<name>,…` checks only those packages in steps 2–3 (the scenarios still run).
// Ends with `N passed, N failed` (one entry per check); exit status 1 if any failed.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { scenarios } from './check-packages/programs.mjs';
import {
  bin, build, closure, exportEntries, freshDir, indent, pack, publicPackages, root, run, tally,
} from './lib/workspace.mjs';

const args = new Set(process.argv.slice(2));
const only = [...args].find((a) => a.startsWith('--only='))?.slice(7).split(',');
const work = join(root, '.tmp', 'check-packages');
const tarballDir = freshDir(join(work, 'tarballs'));
const scratch = mkdtempSync(join(tmpdir(), 'tokio-ts-check-'));
const t = tally();

const packages = publicPackages();
const byName = new Map(packages.map((p) => [p.name, p]));
const selected = only ? packages.filter((p) => only.includes(p.name)) : packages;

console.log(`public packages: ${packages.map((p) => p.name).join(', ')}`);
console.log(`scratch projects: ${scratch}`);

// 1. build and pack
if (!args.has('--no-build')) {
  console.log('\n==> build (tsc -b)');
  await t.check('build: tsc -b of the public packages', () => {
    const r = build(packages.map((p) => p.rel));
    if (!r.ok) throw new Error(r.output);
  });
}

console.log('\n==> pack');
const tarballs = new Map();
for (const pkg of packages) {
  await t.check(`pack: ${pkg.name}`, () => {
    const r = pack(pkg, tarballDir);
    if (!r.ok) throw new Error(r.output || 'no tarball');
    tarballs.set(pkg.name, r.tarball);
    const listing = run('tar', ['tzf', r.tarball]).stdout.split('\n');
    for (const entry of exportEntries(pkg.manifest)) {
      for (const file of [entry.js, entry.types]) {
        if (file && !listing.includes(`package/${file.replace(/^\.\//, '')}`)) {
          throw new Error(`${entry.specifier}: ${file} is not in the tarball (not built?)`);
        }
      }
    }
    return `${r.tarball.split('/').at(-1)}, ${listing.filter(Boolean).length} files`;
  });
}

// 2. publint and attw
console.log('\n==> publint --strict, attw --profile esm-only');
for (const pkg of selected) {
  const tarball = tarballs.get(pkg.name);
  if (!tarball) continue;
  await t.check(`publint: ${pkg.name}`, () => {
    const r = run(bin('publint'), ['run', tarball, '--strict'], { cwd: work });
    if (!r.ok || !/All good!/.test(r.output)) throw new Error(r.output);
  });
  await t.check(`attw: ${pkg.name}`, () => {
    const r = run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'], { cwd: work });
    if (!r.ok) throw new Error(r.output);
  });
}

/** A scratch project with the tarballs of `names` and their workspace dependencies, installed by npm. */
function project(id, names) {
  const dir = freshDir(join(scratch, id));
  const needed = [...closure(names, byName)];
  const missing = needed.filter((n) => !tarballs.has(n));
  if (missing.length > 0) throw new Error(`no tarball for ${missing.join(', ')}`);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `check-${id}`, private: true, type: 'module' }, null, 2));
  const r = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error',
    ...needed.map((n) => tarballs.get(n))], { cwd: dir });
  if (!r.ok) throw new Error(`npm install ${needed.join(' ')} failed:\n${r.output}`);
  // Exactly the tarballs: npm fetched nothing else.
  const installed = [];
  for (const entry of readdirSync(join(dir, 'node_modules'), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    if (entry.name.startsWith('@')) {
      for (const sub of readdirSync(join(dir, 'node_modules', entry.name))) installed.push(`${entry.name}/${sub}`);
    } else installed.push(entry.name);
  }
  assert.deepEqual(installed.sort(), [...needed].sort(), 'node_modules holds exactly the needed tarballs');
  return { dir, needed };
}

const RESOLUTIONS = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
};

/** Type-checks `files` of `dir` with the workspace's tsc under one resolution mode. */
function typecheck(dir, files, resolution, { skipLibCheck = false } = {}) {
  const config = {
    compilerOptions: {
      ...RESOLUTIONS[resolution],
      target: 'ES2022',
      lib: ['ES2022', 'ESNext.Disposable'],
      strict: true,
      noEmit: true,
      skipLibCheck,
      typeRoots: [join(root, 'node_modules', '@types')],
      types: ['node'],
    },
    files,
  };
  const configFile = join(dir, `tsconfig.${resolution}.json`);
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return run(bin('tsc'), ['-p', configFile, '--pretty', 'false'], { cwd: dir });
}

/** Runs a program with node in `dir`; returns the parsed JSON of its last stdout line. */
function runProgram(dir, file) {
  const r = run(process.execPath, [file], { cwd: dir, timeout: 60_000 });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  let parsed;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new Error(`node ${file} exited with ${r.status} and printed no JSON:\n${r.output}`);
  }
  if (!r.ok) throw new Error(`node ${file} exited with ${r.status}:\n${r.output}`);
  return parsed;
}

// The install must be able to fail: a package without the tarball of a dependency it declares
// cannot be installed offline (so an install that passes had everything it needs, and npm
// fetched nothing from a registry or a cache).
const probe = packages.find((p) => p.manifest.dependencies && Object.keys(p.manifest.dependencies).some((d) => byName.has(d)));
if (probe && tarballs.has(probe.name)) {
  await t.check(`self-test: ${probe.name} without its dependencies' tarballs does not install`, () => {
    const dir = freshDir(join(scratch, 'self-test'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'check-self-test', private: true, type: 'module' }));
    const r = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', tarballs.get(probe.name)], { cwd: dir });
    if (r.ok) throw new Error('npm installed it anyway: the per-package installs prove nothing');
    return (r.output.split('\n').find((l) => /ENOTCACHED|ETARGET|E404|offline/i.test(l)) ?? r.output.split('\n')[0]).trim();
  });
}

// 3. each package alone
console.log('\n==> each public package alone (npm install --offline of its tarball and its declared dependencies)');
for (const pkg of selected) {
  if (!tarballs.has(pkg.name)) continue;
  const id = `alone-${pkg.name.replace(/^@/, '').replace('/', '-')}`;
  let proj;
  const installed = await t.check(`alone: ${pkg.name} installs with only its declared dependencies`, () => {
    proj = project(id, [pkg.name]);
    return proj.needed.join(' + ');
  });
  if (!installed) continue;
  const entries = exportEntries(pkg.manifest);
  await t.check(`alone: ${pkg.name} imports with node (${entries.map((e) => e.subpath).join(' ')})`, () => {
    const lines = entries.map((e, i) => `import * as m${i} from ${JSON.stringify(e.specifier)};`);
    lines.push(`console.log(JSON.stringify([${entries.map((_, i) => `Object.keys(m${i}).length`).join(', ')}]));`);
    writeFileSync(join(proj.dir, 'imports.mjs'), lines.join('\n'));
    const counts = runProgram(proj.dir, 'imports.mjs');
    const empty = entries.filter((_, i) => counts[i] === 0).map((e) => e.specifier);
    if (empty.length > 0) throw new Error(`exports nothing at run time: ${empty.join(', ')}`);
    return `${counts.reduce((a, b) => a + b, 0)} exports`;
  });
  writeFileSync(join(proj.dir, 'imports.ts'),
    `${entries.map((e, i) => `import * as m${i} from ${JSON.stringify(e.specifier)};`).join('\n')}\nexport const all = [${entries.map((_, i) => `m${i}`).join(', ')}];\n`);
  for (const resolution of Object.keys(RESOLUTIONS)) {
    await t.check(`alone: ${pkg.name} type-checks (${resolution}, skipLibCheck off)`, () => {
      const r = typecheck(proj.dir, ['imports.ts'], resolution);
      if (!r.ok) throw new Error(r.output);
    });
  }
}

// 4. scenarios and the feature matrix
console.log('\n==> programs and the feature opt-in matrix');
const matrix = [];
for (const scenario of scenarios) {
  let proj;
  const installed = await t.check(`${scenario.id}: npm install ${scenario.install.join(' ')}`, () => {
    proj = project(scenario.id, scenario.install);
    return proj.needed.join(' + ');
  });
  for (const program of scenario.programs) {
    const name = `${scenario.id}: ${program.file}`;
    if (!installed) {
      t.fail(name, 'not run: the install failed');
      if (program.matrix) matrix.push({ ...program.matrix, result: 'not run (install failed)' });
      continue;
    }
    writeFileSync(join(proj.dir, program.file), program.source);
    if (program.file.endsWith('.ts')) {
      for (const resolution of Object.keys(RESOLUTIONS)) {
        await t.check(`${name} type-checks (${resolution})`, () => {
          const r = typecheck(proj.dir, [program.file], resolution, { skipLibCheck: true });
          if (!r.ok) throw new Error(r.output);
        });
      }
      const js = program.file.replace(/\.ts$/, '.mjs');
      await t.check(`${name} runs with node`, () => {
        writeFileSync(join(proj.dir, js), transformSync(program.source, { loader: 'ts', format: 'esm', target: 'es2022' }).code);
        const out = runProgram(proj.dir, js);
        program.expect(out);
        return JSON.stringify(out);
      });
    } else {
      let seen;
      await t.check(`${name} (matrix: ${program.matrix.enabled}; installed ${program.matrix.installed})`, () => {
        seen = runProgram(proj.dir, program.file);
        program.expect(seen);
        return seen.ok ? `ok: ${JSON.stringify(seen.value)}` : `${seen.name}${seen.code ? ` ${seen.code}` : ''}: ${seen.message}`;
      });
      matrix.push({
        ...program.matrix,
        result: seen === undefined ? 'did not run' : seen.ok ? `works (${JSON.stringify(seen.value)})` : `${seen.name ?? 'Error'}${seen.code ? ` [${seen.code}]` : ''}: ${seen.message.replace(scratch, '<project>')}`,
      });
    }
  }
  for (const typeError of scenario.typeErrors ?? []) {
    if (!installed) continue;
    await t.check(`${scenario.id}: tsc on ${typeError.file} reports the missing package`, () => {
      writeFileSync(join(proj.dir, typeError.file), typeError.source);
      const r = typecheck(proj.dir, [typeError.file], 'node16', { skipLibCheck: true });
      assert.equal(r.ok, false, 'tsc passed although the package is not installed');
      assert.match(r.output, typeError.expect);
      const line = r.output.split('\n').find((l) => typeError.expect.test(l)) ?? r.output;
      matrix.push({ drivers: '-', enabled: '-', installed: scenario.install.map((n) => n.replace('@tokio-ts/', '')).join(' + '), what: `tsc on \`${typeError.source.split('\n')[0]}\``, result: line.replace(/^.*?error /, 'error ') });
    });
  }
}

const table = [
  '| installed | runtime built with | the program | what the user gets |',
  '|---|---|---|---|',
  ...matrix.map((r) => `| ${r.installed} | ${r.enabled === '-' ? '—' : `\`${r.enabled}\``} | ${r.what.replace(/\|/g, '\\|')} | ${r.result.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`),
].join('\n');
const matrixDoc = `# Feature opt-in: what a user sees

<!-- Generated by \`pnpm check:packages --write-matrix\` (scripts/check-packages.mjs); do not edit. -->

Each row is a program run with node in a scratch project where npm installed only the packages
in the "installed" column (and what they declare). Drivers are opt-in twice: a driver package
is loaded only if the program imports it, and its resources work only in a runtime built with
its \`enable…()\` call (\`main()\` from \`@tokio-ts/macros\` enables every driver). \`IO\` is the
\`DriverKey\` exported by \`@tokio-ts/io-driver/driver\`.

${table}
`;
writeFileSync(join(work, 'feature-matrix.md'), matrixDoc);
if (args.has('--write-matrix') && matrix.length > 0 && t.failed === 0) {
  writeFileSync(join(root, 'docs', 'feature-matrix.md'), matrixDoc);
  console.log('wrote docs/feature-matrix.md');
}
console.log(`\nfeature matrix (also in .tmp/check-packages/feature-matrix.md):\n${indent(table, 100)}`);

if (!args.has('--keep')) rmSync(scratch, { recursive: true, force: true });
else console.log(`kept the scratch projects in ${scratch}`);
t.finish();
