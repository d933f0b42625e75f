// `pnpm check:changesets`: the release configuration does what CONTRIBUTING.md says.
//
// In a scratch copy of the workspace's manifests (.tmp/changesets: the root package.json,
// pnpm-workspace.yaml, .changeset/ and every workspace package.json, nothing else), run the
// root's `changeset version` twice:
// 1. with only a sample changeset (a `patch` of one package): every package of the fixed group
//    must move to the same next patch version and get a CHANGELOG.md entry for it; the sample's
//    text must be in the changelog of the package it names;
// 2. with the repo's pending changesets as they are: the fixed group again moves as one.
// In both, private packages (benches, examples, tools) keep their package.json's content (changesets
// re-indents every manifest it writes) and get no changelog, and internal dependency ranges stay as written (`workspace:…`; pnpm rewrites
// them at pack time). It also checks that the fixed group is exactly the set of public packages, so a
// new public package cannot be released out of step.
//
// Ends with `N passed, N failed`.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bin, freshDir, root, run, tally, workspacePackages } from './lib/workspace.mjs';

const t = tally();
const packages = workspacePackages();
const config = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8'));

/** Whether `name` matches a changesets package glob (`*` within a name; a leading `!` is handled by the caller). */
const globMatch = (glob, name) =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(name);

/** The members of fixed group `group` among `packages`. */
function members(group) {
  return packages.filter(({ name }) => {
    let inside = false;
    for (const glob of group) {
      if (glob.startsWith('!')) {
        if (globMatch(glob.slice(1), name)) inside = false;
      } else if (globMatch(glob, name)) inside = true;
    }
    return inside;
  }).map((p) => p.name);
}

const publicNames = packages.filter((p) => p.manifest.private !== true).map((p) => p.name).sort();
const fixed = (config.fixed ?? []).map(members);
const group = new Set(fixed.flat());

await t.check('config: the fixed group is exactly the public packages', () => {
  assert.equal(fixed.length, 1, 'one fixed group');
  assert.deepEqual([...group].sort(), publicNames);
  const versions = new Set(packages.filter((p) => group.has(p.name)).map((p) => p.manifest.version));
  assert.equal(versions.size, 1, `one version across the group, got ${[...versions].join(', ')}`);
  return `${publicNames.length} packages at ${[...versions][0]}`;
});

/** A scratch copy of the manifests; `changesets` are the .md files to keep (all if undefined). */
function scratch(id, keep) {
  const dir = freshDir(join(root, '.tmp', 'changesets', id));
  for (const file of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(root, file), join(dir, file));
  cpSync(join(root, '.changeset'), join(dir, '.changeset'), { recursive: true });
  if (keep !== undefined) {
    for (const file of readdirSync(join(dir, '.changeset'))) {
      if (file.endsWith('.md') && file !== 'README.md' && !keep.includes(file)) rmSync(join(dir, '.changeset', file));
    }
  }
  for (const pkg of packages) {
    mkdirSync(join(dir, pkg.rel), { recursive: true });
    cpSync(join(pkg.dir, 'package.json'), join(dir, pkg.rel, 'package.json'));
    if (existsSync(join(pkg.dir, 'CHANGELOG.md'))) cpSync(join(pkg.dir, 'CHANGELOG.md'), join(dir, pkg.rel, 'CHANGELOG.md'));
  }
  return dir;
}

const bump = (version, kind) => {
  const [major, minor, patch] = version.split('-')[0].split('.').map(Number);
  if (kind === 'major') return `${major + 1}.0.0`;
  if (kind === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
};
const KINDS = ['patch', 'minor', 'major'];

/** The highest bump named in the changesets of `dir`. */
function highestBump(dir) {
  let best = -1;
  for (const file of readdirSync(join(dir, '.changeset'))) {
    if (!file.endsWith('.md') || file === 'README.md') continue;
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(dir, '.changeset', file), 'utf8'))?.[1] ?? '';
    for (const m of front.matchAll(/:\s*(patch|minor|major)\s*$/gm)) best = Math.max(best, KINDS.indexOf(m[1]));
  }
  return KINDS[best];
}

/** Runs `changeset version` in `dir` and checks the result. */
function versionAndCheck(dir, { sample } = {}) {
  const kind = highestBump(dir);
  const r = run(bin('changeset'), ['version'], { cwd: dir, env: { ...process.env, CI: 'true' } });
  if (!r.ok) throw new Error(`changeset version failed:\n${r.output}`);
  const before = new Map(packages.map((p) => [p.name, p.manifest]));
  const current = packages[0] && group.size > 0 ? before.get([...group][0]).version : undefined;
  const expected = kind === undefined ? current : bump(current, kind);
  for (const pkg of packages) {
    const text = readFileSync(join(dir, pkg.rel, 'package.json'), 'utf8');
    const after = JSON.parse(text);
    const changelog = join(dir, pkg.rel, 'CHANGELOG.md');
    if (group.has(pkg.name)) {
      assert.equal(after.version, expected, `${pkg.name}: version ${after.version}, expected ${expected}`);
      assert.ok(existsSync(changelog), `${pkg.name}: no CHANGELOG.md`);
      const log = readFileSync(changelog, 'utf8');
      assert.match(log, new RegExp(`^## ${expected.replace(/\./g, '\\.')}$`, 'm'), `${pkg.name}: CHANGELOG.md has no "## ${expected}" entry`);
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
        for (const [dep, range] of Object.entries(after[field] ?? {})) {
          const was = pkg.manifest[field]?.[dep];
          if (group.has(dep)) assert.equal(range, was, `${pkg.name}: ${field} ${dep} became ${range} (was ${was})`);
        }
      }
      if (sample && sample.package === pkg.name) assert.ok(log.includes(sample.text), `${pkg.name}: the sample's text is not in its changelog`);
    } else {
      // changesets rewrites every manifest's formatting; what matters is that nothing in it changed
      assert.deepEqual(after, pkg.manifest, `${pkg.name} (private) changed`);
      assert.ok(!existsSync(changelog) || existsSync(join(pkg.dir, 'CHANGELOG.md')), `${pkg.name} (private) got a CHANGELOG.md`);
    }
  }
  const left = readdirSync(join(dir, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
  assert.deepEqual(left, [], 'the changesets were consumed');
  return `${group.size} packages ${current} → ${expected}; private untouched`;
}

await t.check('changeset version: a sample patch changeset bumps the whole fixed group', () => {
  const dir = scratch('sample', []);
  const target = [...group].sort()[0];
  const sample = { package: target, text: 'Sample change for the release check.' };
  writeFileSync(join(dir, '.changeset', 'sample-check.md'), `---\n"${target}": patch\n---\n\n${sample.text}\n`);
  return versionAndCheck(dir, { sample });
});

await t.check("changeset version: the repo's pending changesets bump the whole fixed group", () => {
  const dir = scratch('pending');
  const pending = readdirSync(join(dir, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
  if (pending.length === 0) return 'no pending changesets';
  return `${pending.length} changesets: ${versionAndCheck(dir)}`;
});

if (!process.argv.includes('--keep')) rmSync(join(root, '.tmp', 'changesets'), { recursive: true, force: true });
t.finish();
