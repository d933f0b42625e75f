// The API reference and the doc-coverage check, from the doc comments.
//
// `pnpm run docs` (node tools/api-docs/src/generate.mjs) writes docs/api/<package dir>.md, one page
// per public package, and runs the coverage check. `pnpm check:docs` (`--check-only`) runs only
// the check and says whether the committed pages are stale (a note, not a failure).
//
// HOW. typedoc needs the TypeScript compiler API, which TypeScript 7 (the workspace's compiler)
// does not have, so this private tool has typedoc 0.28 and TypeScript 6 of its own. One typedoc
// run converts every exports entry of every public package (the `types` target of each entry
// in package.json, mapped from `dist/src/x.d.ts` back to `src/x.ts`); typedoc's JSON model is
// then rendered to Markdown here. Converting everything at once lets typedoc see that
// `tokio-ts/sync` re-exports `@tokio-ts/sync`: such items become references, documented once
// on the page of the package that defines them and linked from the others.
//
// The coverage rule, for every entry of every public package:
// - an exported item (class, interface, function, variable, type, enum, and the items of an
//   exported namespace such as `mpsc`) has a summary and an `@example`;
// - a namespace (`export * as mpsc`) has a summary (its module comment);
// - a public member of an exported class or interface (method, property, accessor) without a
//   summary is counted and, with `--members`, listed: a note, not a failure (constructors,
//   inherited, overriding or implementing members and `Symbol.dispose`-style members are not
//   counted);
// - a function or method returning a future without a "Cancel safety" note is counted too, and
//   listed with `--cancel-safety` (also a note).
// Each package's README must link its page (docs/api/<dir>.md).
// Missing items are reported by package, as `file:line  item  what is missing`. Exit status 1
// if any is missing; the last line is `N passed, N failed` with one entry per package.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Application, ReflectionKind } from 'typedoc';
import { exportEntries, publicPackages, root, tally } from '../../../scripts/lib/workspace.mjs';

const checkOnly = process.argv.includes('--check-only');
const K = ReflectionKind;
const here = join(import.meta.dirname, '..');
const outDir = join(root, 'docs', 'api');
const packages = publicPackages();

// every exports entry → its source file
const entries = [];
for (const pkg of packages) {
  for (const entry of exportEntries(pkg.manifest)) {
    const src = entry.types?.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts');
    const file = src && join(pkg.dir, src);
    if (!file || !existsSync(file)) {
      console.error(`${entry.specifier}: no source for ${entry.types}`);
      continue;
    }
    entries.push({ pkg, ...entry, file });
  }
}

// Resolve every package's entries to their sources, not to the built .d.ts files, so that an
// item re-exported by another package (the umbrella) is the same symbol as the original.
const paths = Object.fromEntries(entries.map((e) => [e.specifier, [e.file]]));

const app = await Application.bootstrapWithPlugins({
  entryPoints: entries.map((e) => e.file),
  compilerOptions: { paths },
  entryPointStrategy: 'resolve',
  tsconfig: join(here, 'tsconfig.json'),
  excludePrivate: true,
  excludeProtected: true,
  excludeExternals: true,
  skipErrorChecking: true,
  disableSources: false,
  disableGit: true,
  sourceLinkTemplate: 'https://github.com/tokio-ts/tokio-ts/blob/main/{path}#L{line}',
  logLevel: 'Error',
});
const project = await app.convert();
if (!project) {
  console.error('typedoc could not convert the project');
  process.exit(1);
}
const model = app.serializer.projectToObject(project, root);

// typedoc names each module by its path under the entries' common directory, without `/index`.
const common = entries.map((e) => dirname(e.file)).reduce((a, b) => {
  while (!(b + '/').startsWith(a + '/')) a = dirname(a);
  return a;
});
const moduleName = (file) => relative(common, file).replace(/\.ts$/, '').replace(/\/index$/, '');
const modules = new Map((model.children ?? []).map((m) => [m.name, m]));
if (entries.length === 1) modules.set(moduleName(entries[0].file), model);

// id → { reflection, entry } for links
// id → { reflection, entry, title }: the title is the item's heading on its page
// (`mpsc.Sender`, `Mutex#lock`, `Instant.now`), which is what links point at.
const byId = new Map();
const walk = (reflection, entry, title) => {
  byId.set(reflection.id, { reflection, entry, title });
  const container = [K.Class, K.Interface, K.Enum].includes(reflection.kind);
  for (const child of reflection.children ?? []) {
    const sep = container ? (child.flags?.isStatic ? '.' : '#') : '.';
    walk(child, entry, title === '' ? child.name : `${title}${sep}${child.name}`);
  }
};
for (const entry of entries) {
  entry.module = modules.get(moduleName(entry.file));
  if (entry.module) walk(entry.module, entry, '');
}

// ---------- rendering ----------

const kindName = (kind) => ({
  [K.Class]: 'class', [K.Interface]: 'interface', [K.Function]: 'function', [K.Variable]: 'const',
  [K.TypeAlias]: 'type', [K.Enum]: 'enum', [K.Namespace]: 'namespace', [K.Module]: 'namespace',
  [K.Method]: 'method', [K.Property]: 'property', [K.Accessor]: 'accessor', [K.Constructor]: 'constructor',
  [K.EnumMember]: 'member', [K.Reference]: 're-export',
})[kind] ?? 'item';

/**
 * TypeScript-like text of a typedoc type. `ctx` is where it is printed, for the parentheses
 * TypeScript's grammar needs there: a function or conditional type inside a union (`(() => T) |
 * null`, `A | (B extends C ? D : E)`), a union inside an intersection, and anything looser than
 * a type reference under `[]`, `keyof` or an indexed access. Without them the text means
 * another type.
 */
function typeText(t, depth = 0, ctx = 'top') {
  const text = bareTypeText(t, depth);
  return needsParens(t, ctx) ? `(${text})` : text;
}
const isFunctionType = (t) => t?.type === 'reflection' && Boolean(t.declaration.signatures?.length);
function needsParens(t, ctx) {
  if (!t || ctx === 'top') return false;
  const loose = isFunctionType(t) || t.type === 'conditional';
  if (ctx === 'union' || ctx === 'check') return loose;
  if (ctx === 'intersection') return loose || t.type === 'union';
  // 'postfix': an array's element, `keyof`/`readonly`'s operand, an indexed access's object.
  return loose || t.type === 'union' || t.type === 'intersection' || (t.type === 'typeOperator' && ctx === 'postfix');
}
function bareTypeText(t, depth) {
  if (!t) return 'unknown';
  const args = (list) => (list?.length ? `<${list.map((a) => typeText(a, depth)).join(', ')}>` : '');
  switch (t.type) {
    case 'intrinsic': return t.name;
    case 'reference': return `${t.name}${args(t.typeArguments)}`;
    case 'literal': return t.value === null ? 'null' : typeof t.value === 'object' ? `${t.value.negative ? '-' : ''}${t.value.value}n` : JSON.stringify(t.value);
    case 'union': return t.types.map((x) => typeText(x, depth, 'union')).join(' | ');
    case 'intersection': return t.types.map((x) => typeText(x, depth, 'intersection')).join(' & ');
    case 'array': return `${typeText(t.elementType, depth, 'postfix')}[]`;
    case 'tuple': return `[${(t.elements ?? []).map((x) => typeText(x, depth)).join(', ')}]`;
    case 'namedTupleMember': return `${t.name}${t.isOptional ? '?' : ''}: ${typeText(t.element, depth)}`;
    case 'optional': return `${typeText(t.elementType, depth, 'postfix')}?`;
    case 'rest': return `...${typeText(t.elementType, depth, 'postfix')}`;
    case 'query': return `typeof ${typeText(t.queryType, depth)}`;
    case 'typeOperator': return `${t.operator} ${typeText(t.target, depth, 'operand')}`;
    case 'indexedAccess': return `${typeText(t.objectType, depth, 'postfix')}[${typeText(t.indexType, depth)}]`;
    case 'conditional': return `${typeText(t.checkType, depth, 'check')} extends ${typeText(t.extendsType, depth, 'check')} ? ${typeText(t.trueType, depth)} : ${typeText(t.falseType, depth)}`;
    case 'inferred': return `infer ${t.name}`;
    case 'predicate': return t.asserts ? `asserts ${t.name}${t.targetType ? ` is ${typeText(t.targetType, depth)}` : ''}` : `${t.name} is ${typeText(t.targetType, depth)}`;
    case 'templateLiteral': return `\`${t.head}${t.tail.map(([x, s]) => `\${${typeText(x, depth)}}${s}`).join('')}\``;
    case 'mapped': {
      const readonly = t.readonlyModifier === '-' ? '-readonly ' : t.readonlyModifier === '+' ? 'readonly ' : '';
      const optional = t.optionalModifier === '-' ? '-?' : t.optionalModifier === '+' ? '?' : '';
      const as = t.nameType ? ` as ${typeText(t.nameType, depth)}` : '';
      return `{ ${readonly}[${t.parameter} in ${typeText(t.parameterType, depth)}${as}]${optional}: ${typeText(t.templateType, depth)} }`;
    }
    case 'reflection': {
      const d = t.declaration;
      if (d.signatures?.length) {
        return d.signatures.map((s) => {
          const isNew = s.kind === K.ConstructorSignature;
          const abstract = isNew && (s.flags?.isAbstract || d.flags?.isAbstract) ? 'abstract ' : '';
          return `${abstract}${isNew ? 'new ' : ''}${typeParams(s.typeParameters)}(${params(s)}) => ${typeText(s.type, depth)}`;
        }).join(' & ');
      }
      if (depth > 1) return '{ … }';
      const members = (d.children ?? []).map((c) => `${c.flags?.isReadonly ? 'readonly ' : ''}${c.name}${c.flags?.isOptional ? '?' : ''}: ${typeText(c.type, depth + 1)}`);
      if (d.indexSignatures?.length) for (const s of d.indexSignatures) members.push(`[${params(s)}]: ${typeText(s.type, depth + 1)}`);
      return members.length ? `{ ${members.join('; ')} }` : '{}';
    }
    case 'unknown': return t.name;
    default: return t.name ?? t.type;
  }
}
const typeParams = (tps) => (tps?.length ? `<${tps.map((p) => `${p.name}${p.type ? ` extends ${typeText(p.type)}` : ''}${p.default ? ` = ${typeText(p.default)}` : ''}`).join(', ')}>` : '');
const params = (sig) => (sig.parameters ?? []).map((p) => `${p.flags?.isRest ? '...' : ''}${p.name}${p.flags?.isOptional || p.defaultValue ? '?' : ''}: ${typeText(p.type)}`).join(', ');
const signatureText = (name, sig) => `${name}${typeParams(sig.typeParameters)}(${params(sig)}): ${typeText(sig.type)}`;

/** Markdown of a comment's parts (links resolved to the pages). */
function partsText(parts, page) {
  return (parts ?? []).map((p) => {
    if (p.kind === 'inline-tag' && p.tag.startsWith('@link')) {
      const target = typeof p.target === 'number' ? byId.get(p.target) : undefined;
      const text = p.text || target?.reflection.name || '';
      return target ? `[\`${text}\`](${link(target, page)})` : `\`${text}\``;
    }
    return p.text;
  }).join('');
}
/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading) => heading.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
const pageOf = (pkg) => `${pkg.rel.split('/').at(-1)}.md`;
/**
 * A link to an item's heading. The anchor is left as a placeholder (`#\u0001title\u0001`) and
 * resolved once every page is rendered (see resolveAnchors): GitHub numbers repeated anchors
 * (`Sleep` and `sleep` are `#sleep` and `#sleep-1`), which only the whole page tells.
 */
function link({ entry, title }, page) {
  const file = pageOf(entry.pkg);
  return `${file === page ? '' : `./${file}`}#\u0001${title}\u0001`;
}

/** Heading text → GitHub anchor, for one page, numbering repeats as GitHub does. */
function headingAnchors(text) {
  const seen = new Map();
  const anchors = new Map();
  for (const m of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = anchor(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    if (!anchors.has(m[1])) anchors.set(m[1], n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Replaces the anchor placeholders of every page (a Map of file → text). */
function resolveAnchors(pages) {
  const byPage = new Map([...pages].map(([file, text]) => [file, headingAnchors(text)]));
  return new Map([...pages].map(([file, text]) => [file, text.replace(/\]\((\.\/[^)#]+)?#\u0001([^\u0001]*)\u0001\)/g, (_, target, title) => {
    const anchors = byPage.get(target ? target.slice(2) : file);
    // a member not rendered on its own (inherited) links to its class
    let t = title;
    while (anchors && !anchors.has(t) && /[#.]/.test(t)) t = t.replace(/[#.][^#.]*$/, '');
    return `](${target ?? ''}#${anchors?.get(t) ?? anchor(title)})`;
  })]));
}

/** The comment of an item (functions keep it on their first documented signature). */
function commentOf(r) {
  if (r.comment) return r.comment;
  for (const s of [...(r.signatures ?? []), r.getSignature, r.setSignature]) if (s?.comment) return s.comment;
  return undefined;
}
const hasSummary = (c) => Boolean(c && (c.summary ?? []).some((p) => p.text.trim() !== ''));
const hasExample = (c) => Boolean(c?.blockTags?.some((t) => t.tag === '@example'));

function renderComment(c, page, level) {
  if (!c) return '';
  const out = [];
  if (hasSummary(c)) out.push(partsText(c.summary, page).trim());
  for (const tag of c.blockTags ?? []) {
    const body = partsText(tag.content, page).trim();
    if (tag.tag === '@example') out.push(`${'#'.repeat(level)} Example\n\n${/```/.test(body) ? body : `\`\`\`ts\n${body}\n\`\`\``}`);
    else if (tag.tag === '@deprecated') out.push(`**Deprecated.** ${body}`);
    else if (!['@packageDocumentation', '@module', '@internal'].includes(tag.tag)) out.push(`**${tag.tag.slice(1)}**: ${body}`);
  }
  return out.join('\n\n');
}

function declarationText(r) {
  const name = r.name;
  switch (r.kind) {
    case K.Function: return (r.signatures ?? []).map((s) => `function ${signatureText(name, s)}`).join('\n');
    case K.Variable: return `const ${name}: ${typeText(r.type)}`;
    case K.TypeAlias: return `type ${name}${typeParams(r.typeParameters)} = ${r.type ? typeText(r.type) : typeText({ type: 'reflection', declaration: r })}`;
    case K.Class: return `class ${name}${typeParams(r.typeParameters)}${r.extendedTypes ? ` extends ${r.extendedTypes.map((t) => typeText(t)).join(', ')}` : ''}${r.implementedTypes ? ` implements ${r.implementedTypes.map((t) => typeText(t)).join(', ')}` : ''}`;
    case K.Interface: return `interface ${name}${typeParams(r.typeParameters)}${r.extendedTypes ? ` extends ${r.extendedTypes.map((t) => typeText(t)).join(', ')}` : ''}`;
    case K.Enum: return `enum ${name}`;
    default: return undefined;
  }
}

function memberText(m) {
  const stat = m.flags?.isStatic ? 'static ' : '';
  if (m.kind === K.Method) return (m.signatures ?? []).map((s) => `${stat}${signatureText(`${m.name}${m.flags?.isOptional ? '?' : ''}`, s)}`).join('\n');
  if (m.kind === K.Constructor) return (m.signatures ?? []).map((s) => `new ${signatureText('', s).replace(/^\(/, '(')}`).join('\n');
  if (m.kind === K.Accessor) {
    const lines = [];
    if (m.getSignature) lines.push(`${stat}get ${m.name}(): ${typeText(m.getSignature.type)}`);
    if (m.setSignature) lines.push(`${stat}set ${m.name}(${params(m.setSignature)})`);
    return lines.join('\n');
  }
  if (m.kind === K.Property) return `${stat}${m.flags?.isReadonly ? 'readonly ' : ''}${m.name}${m.flags?.isOptional ? '?' : ''}: ${typeText(m.type)}`;
  if (m.kind === K.EnumMember) return `${m.name} = ${typeText(m.type)}`;
  return m.name;
}

const isExemptMember = (m) => m.kind === K.Constructor || m.inheritedFrom || m.name.startsWith('[') || m.flags?.isPrivate || m.flags?.isProtected;
/** Marked `@internal` (on the member or its first signature): public in JavaScript, not API. */
const isInternal = (m) => [m.comment, m.signatures?.[0]?.comment, m.getSignature?.comment].some((c) => c?.modifierTags?.includes('@internal'));
/**
 * Whether `r`'s base class has a page of its own (it is exported): its members are documented
 * there. A class that extends an unexported base (`mpsc.Receiver` extends the channel's
 * internal receiver) shows the inherited members itself, or its page would have no `recv`.
 */
const baseIsRendered = (r) => (r.extendedTypes ?? []).some((t) => t.type === 'reference' && typeof t.target === 'number' && byId.has(t.target));
const members = (r) => (r.children ?? []).filter((m) =>
  !m.flags?.isPrivate && !m.flags?.isProtected && !isInternal(m) && (!m.inheritedFrom || !baseIsRendered(r)));
/** Two comments with the same content (typedoc gives each overload signature its own copy). */
const sameComment = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function renderItem(r, entry, page, prefix = '') {
  const out = [];
  const title = `${prefix}${r.name}`;
  if (r.kind === K.Reference) {
    const target = byId.get(r.target);
    out.push(`### ${title}\n\nRe-export of ${target ? `[\`${target.entry.specifier}\`'s \`${target.reflection.name}\`](${link(target, page)})` : `\`${r.name}\``}.`);
    return out.join('\n\n');
  }
  if (r.kind === K.Namespace || r.kind === K.Module) {
    out.push(`### ${title}\n\n*namespace* — \`import { ${r.name} } from "${entry.specifier}"\``);
    const text = renderComment(r.comment, page, 4);
    if (text) out.push(text);
    for (const child of r.children ?? []) out.push(renderItem(child, entry, page, `${title}.`));
    return out.join('\n\n');
  }
  out.push(`### ${title}\n\n*${kindName(r.kind)}*`);
  const decl = declarationText(r);
  if (decl) out.push(`\`\`\`ts\n${decl}\n\`\`\``);
  out.push(renderComment(commentOf(r), page, 4));
  if (r.kind === K.Function && (r.signatures?.length ?? 0) > 1) {
    const shown = [commentOf(r)];
    for (const s of r.signatures.slice(1)) {
      if (!s.comment || shown.some((c) => sameComment(c, s.comment))) continue;
      shown.push(s.comment);
      out.push(renderComment(s.comment, page, 4));
    }
  }
  const list = members(r);
  if (list.length > 0 && [K.Class, K.Interface, K.Enum].includes(r.kind)) {
    for (const m of list) {
      out.push(`#### ${title}${m.flags?.isStatic ? '.' : '#'}${m.name}\n\n\`\`\`ts\n${memberText(m)}\n\`\`\``);
      const c = commentOf(m);
      if (c) out.push(renderComment(c, page, 5));
    }
  }
  return out.filter(Boolean).join('\n\n');
}

function renderPage(pkg) {
  const page = pageOf(pkg);
  const mine = entries.filter((e) => e.pkg === pkg);
  const out = [
    `# ${pkg.name} — API reference`,
    `<!-- Generated by \`pnpm run docs\` (tools/api-docs) from the doc comments; do not edit. -->`,
    pkg.manifest.description ?? '',
    `Entries: ${mine.map((e) => `[\`${e.specifier}\`](#\u0001${e.specifier}\u0001)`).join(', ')}. ` +
      `See also the [README](../../${pkg.rel}/README.md).`,
  ];
  for (const entry of mine) {
    out.push(`## ${entry.specifier}`);
    const m = entry.module;
    if (!m) {
      out.push('*(typedoc found no module for this entry)*');
      continue;
    }
    const text = renderComment(m.comment, page, 3);
    if (text) out.push(text);
    const items = m.children ?? [];
    if (items.length === 0) {
      out.push('*(this entry exports nothing yet)*');
      continue;
    }
    out.push(items.map((r) => `- [\`${r.name}\`](#\u0001${r.name}\u0001) — ${kindName(r.kind)}`).join('\n'));
    for (const r of items) out.push(renderItem(r, entry, page));
  }
  return `${out.filter((x) => x !== '').join('\n\n')}\n`;
}

// ---------- coverage ----------

/** What is missing, as `{ file, line, item, missing }`. */
/** Whether a typedoc type is a Future (by name, or a class that extends Future). */
function isFutureType(t) {
  if (t?.type !== 'reference') return false;
  if (t.name === 'Future') return true;
  const target = typeof t.target === 'number' ? byId.get(t.target)?.reflection : undefined;
  return Boolean(target?.extendedTypes?.some((e) => e.type === 'reference' && e.name === 'Future'));
}
const commentText = (c) => [...(c?.summary ?? []), ...(c?.blockTags ?? []).flatMap((t) => t.content)].map((p) => p.text).join('');

function coverage(entry, undocumentedMembers, noCancelSafety = []) {
  const missing = [];
  // A function or method that returns a future should say how it behaves when dropped.
  const cancelNote = (r, name) => {
    const sigs = r.signatures ?? [];
    if (sigs.length === 0 || !sigs.some((sig) => isFutureType(sig.type))) return;
    if (!/cancel safe/i.test(sigs.map((sig) => commentText(sig.comment)).join('') + commentText(r.comment))) {
      const src = sigs[0].sources?.[0] ?? r.sources?.[0];
      noCancelSafety.push({ file: src?.fileName, line: src?.line, item: name });
    }
  };
  const where = (r) => {
    const s = r.sources?.[0] ?? r.signatures?.[0]?.sources?.[0] ?? r.getSignature?.sources?.[0];
    return s ? { file: s.fileName, line: s.line } : { file: relative(root, entry.file), line: 1 };
  };
  const need = (r, name, { example }) => {
    const c = commentOf(r);
    const what = [];
    if (!hasSummary(c)) what.push('summary');
    if (example && !hasExample(c)) what.push('@example');
    if (what.length > 0) missing.push({ ...where(r), item: name, missing: what.join(' and ') });
  };
  const visit = (r, prefix) => {
    const name = `${prefix}${r.name}`;
    if (r.kind === K.Reference) return;
    if (r.kind === K.Namespace || r.kind === K.Module) {
      need(r, name, { example: false });
      for (const child of r.children ?? []) visit(child, `${name}.`);
      return;
    }
    need(r, name, { example: true });
    if (r.kind === K.Function) cancelNote(r, name);
    if ([K.Class, K.Interface].includes(r.kind)) {
      for (const m of r.children ?? []) {
        if (isExemptMember(m) || m.overwrites || m.implementationOf) continue;
        if (m.kind === K.Method) cancelNote(m, `${name}${m.flags?.isStatic ? '.' : '#'}${m.name}`);
        const c = commentOf(m);
        if (!hasSummary(c)) {
          const w = where(m);
          undocumentedMembers.push({ ...w, item: `${name}${m.flags?.isStatic ? '.' : '#'}${m.name}` });
        }
      }
    }
  };
  if (!entry.module) {
    missing.push({ file: relative(root, entry.file), line: 1, item: entry.specifier, missing: 'typedoc found no module' });
    return missing;
  }
  for (const r of entry.module.children ?? []) visit(r, '');
  return missing;
}

const t = tally();
let stale = [];
mkdirSync(outDir, { recursive: true });
const rendered = resolveAnchors(new Map(packages.map((pkg) => [pageOf(pkg), renderPage(pkg)])));
for (const pkg of packages) {
  const page = rendered.get(pageOf(pkg));
  const file = join(outDir, pageOf(pkg));
  const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (before !== page) stale.push(relative(root, file));
  if (!checkOnly) writeFileSync(file, page);
}
if (!checkOnly) {
  const index = [
    '# tokio-ts API reference',
    '<!-- Generated by `pnpm run docs` (tools/api-docs) from the doc comments; do not edit. -->',
    'One page per published package:',
    packages.map((p) => `- [\`${p.name}\`](./${pageOf(p)}) — ${p.manifest.description ?? ''}`).join('\n'),
    'What a program sees when it uses a feature (time, io) that is not installed or not enabled: [feature-matrix.md](../feature-matrix.md).',
  ].join('\n\n');
  writeFileSync(join(outDir, 'README.md'), `${index}\n`);
  console.log(`wrote ${packages.length} pages to ${relative(root, outDir)}/${stale.length ? ` (${stale.length} changed)` : ' (unchanged)'}`);
} else if (stale.length > 0) {
  console.log(`note: docs/api is out of date for ${stale.join(', ')}: run \`pnpm run docs\` and commit the result`);
}

console.log('\ndoc coverage (every exported item: summary + @example; members: summary):');
for (const pkg of packages) {
  const mine = entries.filter((e) => e.pkg === pkg);
  const members = [];
  const noCancelSafety = [];
  const missing = mine.flatMap((e) => coverage(e, members, noCancelSafety));
  const count = mine.reduce((n, e) => n + (e.module?.children?.length ?? 0), 0);
  const readme = join(pkg.dir, 'README.md');
  if (!existsSync(readme)) missing.push({ file: relative(root, readme), line: 1, item: 'README.md', missing: '(no README)' });
  else if (!readFileSync(readme, 'utf8').includes(`docs/api/${pageOf(pkg)}`)) {
    missing.push({ file: relative(root, readme), line: 1, item: 'README.md', missing: `a link to docs/api/${pageOf(pkg)}` });
  }
  await t.check(`docs: ${pkg.name}`, () => {
    if (missing.length > 0) {
      throw new Error(missing.map((m) => `${m.file}:${m.line}  ${m.item}  missing ${m.missing}`).join('\n'));
    }
    const notes = [
      members.length ? `${members.length} public members without a summary` : '',
      noCancelSafety.length ? `${noCancelSafety.length} future-returning functions/methods without a Cancel safety note` : '',
    ].filter(Boolean);
    return `${count} exported items${notes.length ? `; notes (not failures): ${notes.join(', ')}` : ''}`;
  });
  if (noCancelSafety.length > 0 && process.argv.includes('--cancel-safety')) {
    console.log(noCancelSafety.map((m) => `      ${m.file}:${m.line}  ${m.item}  returns a future, no "Cancel safety" note`).join('\n'));
  }
  if (members.length > 0 && process.argv.includes('--members')) {
    console.log(members.map((m) => `      ${m.file}:${m.line}  ${m.item}  (member) missing summary`).join('\n'));
  }
}
t.finish();
