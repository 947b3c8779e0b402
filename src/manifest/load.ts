/**
 * Loading `tarsmith.yaml`: find it, parse the YAML keeping source positions, validate against the JSON Schema,
 * then check what a schema cannot express. Every problem becomes a Failure with file:line:col; all are reported at once.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isNode, LineCounter, parseDocument, visit } from 'yaml';
import { ExitCode, fail, ioFailure, type Failure, type FailureCode } from '../core/errors.js';
import { indexPositions, pointerOf, positionFor, type PositionIndex } from './positions.js';
import { schemaFailures } from './validate.js';
import { BOOTSTRAP_VARIANTS, kernelOwnsSource, type Artifact, type Bootstrap, type BootstrapVariant, type Build, type Builder, type KernelArtifact, type KernelSpec, type Manifest, type Source, type SourceOrigin, type Target } from './types.js';
import { kernelFailures, type RawKernel } from './kernel-checks.js';
import { componentFailures, componentSources, normaliseComponents, type RawComponent } from './components.js';

export const MANIFEST_FILE = 'tarsmith.yaml';
/** Alias uses allowed while the document is turned into values (the yaml library's own guard, made explicit). */
const MAX_ALIAS_COUNT = 100;
/** The tags of YAML's core schema; any other explicit tag is refused. */
const CORE_TAGS: ReadonlySet<string> = new Set(['tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:null', 'tag:yaml.org,2002:seq', 'tag:yaml.org,2002:map']);

function unknownTags(doc: ReturnType<typeof parseDocument>, lc: LineCounter, file: string, text: string): Failure[] {
  const out: Failure[] = [];
  visit(doc, (_key, node) => {
    if (!isNode(node) || node.tag === undefined || CORE_TAGS.has(node.tag)) return;
    // The node starts at its value; point at the tag written before it on that line.
    const start = node.range?.[0];
    let bang = start === undefined ? -1 : text.lastIndexOf('!', start);
    while (bang > 0 && text[bang - 1] === '!') bang--;
    const lineStart = start === undefined ? 0 : text.lastIndexOf('\n', start - 1) + 1;
    const p = start === undefined ? undefined : lc.linePos(bang >= lineStart ? bang : start);
    out.push({
      code: 'manifest.unknown-tag',
      message: `unknown YAML tag ${node.tag}`,
      exit: ExitCode.usage,
      where: p ? { file, line: p.line, col: p.col } : { file },
      value: node.tag,
      hint: 'remove the tag: tarsmith.yaml uses plain strings, numbers, booleans, lists and mappings',
    });
  });
  return out;
}

export interface LoadOptions {
  /** Explicit manifest path (`--manifest`). */
  path?: string;
  /** Folder to look in when no path is given (default: process.cwd()). */
  cwd?: string;
}

/** Find, read, parse and validate the manifest. Throws a TarsmithError listing every problem. */
export async function loadManifest(opts: LoadOptions = {}): Promise<Manifest> {
  const file = path.resolve(opts.cwd ?? process.cwd(), opts.path ?? MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !opts.path) {
      fail({
        code: 'manifest.not-found',
        message: `no ${MANIFEST_FILE} in ${path.dirname(file)}`,
        exit: ExitCode.usage,
        hint: `run tarsmith in the folder that holds ${MANIFEST_FILE}, or pass --manifest PATH`,
      });
    }
    fail({ ...ioFailure(e, 'cannot read manifest', file), exit: ExitCode.usage, code: 'manifest.unreadable' });
  }
  const { manifest, failures } = parseManifest(text, file);
  if (!manifest) fail(failures);
  await checkPackagesDir(manifest.dir, path.relative(process.cwd(), file) || file);
  return manifest;
}

/** `packages/` holds what the lock vouches for: it may be a symlink only to a folder inside the project. */
async function checkPackagesDir(dir: string, display: string): Promise<void> {
  const pkgs = path.join(dir, 'packages');
  const st = await fs.lstat(pkgs).catch(() => undefined);
  if (!st?.isSymbolicLink()) return;
  const [real, root] = await Promise.all([fs.realpath(pkgs).catch(() => undefined), fs.realpath(dir)]);
  const rel = real === undefined ? '..' : path.relative(root, real);
  if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return;
  fail({
    code: 'manifest.packages-outside',
    message: `packages/ is a symlink leading outside the project (${real ?? 'to nothing'})`,
    exit: ExitCode.usage,
    where: { file: display },
    value: await fs.readlink(pkgs),
    hint: 'make packages/ a real folder inside the project (vendored inputs are part of it), or a symlink to a folder inside it',
  });
}

/** Pure: parse and validate manifest text. Never throws on user input. */
export function parseManifest(text: string, file: string): { manifest?: Manifest; failures: Failure[] } {
  const display = path.relative(process.cwd(), file) || file;
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const yamlErrors: Failure[] = doc.errors.map((e) => {
    const p = e.linePos?.[0] ?? (e.pos?.[0] !== undefined ? lc.linePos(e.pos[0]) : undefined);
    return {
      code: e.code === 'DUPLICATE_KEY' ? 'manifest.duplicate-key' : 'manifest.yaml-syntax',
      message: e.message.split('\n')[0] ?? e.message,
      exit: ExitCode.usage,
      where: p ? { file: display, line: p.line, col: p.col } : { file: display },
      hint: e.code === 'DUPLICATE_KEY' ? 'remove one of the two entries' : 'fix the YAML syntax at this position',
    };
  });
  // Tags tarsmith does not know (`!foo`, `!!binary`, ...) would change what a value means: refuse them.
  const tagErrors: Failure[] = unknownTags(doc, lc, display, text);
  if (yamlErrors.length || tagErrors.length) return { failures: [...yamlErrors, ...tagErrors] };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    return {
      failures: [
        {
          code: 'manifest.alias-bomb',
          message: `the manifest's YAML aliases expand too far (${e instanceof Error ? e.message : String(e)})`,
          exit: ExitCode.usage,
          where: { file: display },
          hint: `a manifest needs few aliases (at most ${MAX_ALIAS_COUNT}); write the repeated values out`,
        },
      ],
    };
  }
  const pos = indexPositions(doc.contents, lc);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      failures: [
        {
          code: 'manifest.not-a-mapping',
          message: 'the manifest must be a YAML mapping (key: value lines)',
          exit: ExitCode.usage,
          where: { file: display, line: 1, col: 1 },
          hint: 'start from the example in the README, or run `tarsmith schema`',
        },
      ],
    };
  }
  const failures = schemaFailures(data, display, pos);
  if (failures.length) return { failures };
  const semantic = semanticFailures(data as RawManifest, display, pos);
  if (semantic.length) return { failures: semantic };
  return { manifest: normalise(data as RawManifest, file, pos), failures: [] };
}

// ---- raw shapes (already schema-valid) ----
interface RawSource {
  name: string;
  file?: string;
  url?: string;
  mirrors?: string[];
  git?: string;
  ref?: string;
  commit?: string;
  sha256?: string;
  strip?: number;
  dropVcs?: boolean;
  patches?: string[];
  license?: string;
  into?: string;
  extract?: boolean;
  private?: boolean;
  provides?: string[];
  allow?: 'absolute-symlinks'[];
}
interface RawTarget {
  steps?: string[];
  artifacts?: (string | { path: string; rename?: string; component?: string })[];
  kernel?: boolean;
  modules?: string[];
  sources?: string[];
  depends?: string[];
}
interface RawBootstrap {
  suite: string;
  variant?: BootstrapVariant;
  architecture?: string;
  packages?: string[];
  mirror?: string;
  components?: string[];
  keyring?: string;
}

/** The rootfs file a bootstrap makes when `builder.rootfs` does not name one. */
export function bootstrapRootfsPath(b: { suite: string; variant?: string }): string {
  return `packages/rootfs-${b.suite}-${b.variant ?? 'essential'}.tar`;
}

interface RawManifest {
  version: 1;
  name: string;
  sourceDateEpoch: number;
  platform?: string;
  sources: RawSource[];
  builder?: { image?: string; rootfs?: string; bootstrap?: RawBootstrap; family?: 'apk' | 'apt'; packages?: string[]; platform?: string };
  build?: {
    workdir?: string;
    env?: Record<string, string>;
    steps?: string[];
    version?: { path: string; content: string }[];
    targets?: Record<string, RawTarget>;
  };
  kernel?: RawKernel;
  components?: Record<string, RawComponent>;
  vendor?: { mirrors?: string[] };
}

function semanticFailures(m: RawManifest, file: string, pos: PositionIndex): Failure[] {
  const out: Failure[] = [];
  const at = (segs: (string | number)[], key = false) => {
    const p = positionFor(pos, pointerOf(segs), key);
    return p ? { file, line: p.line, col: p.col } : { file };
  };
  const bad = (code: FailureCode, segs: (string | number)[], message: string, hint: string, value?: string): void => {
    out.push({ code, message, exit: ExitCode.usage, where: at(segs), hint, ...(value !== undefined ? { value } : {}) });
  };
  const seen = new Map<string, number>();
  m.sources.forEach((s, i) => {
    const origins = (['file', 'url', 'git'] as const).filter((k) => s[k] !== undefined);
    if (origins.length === 0) {
      bad('manifest.missing-origin', ['sources', i], `source "${s.name}" has no origin`, 'give it exactly one of `file:`, `url:` or `git:` (with `ref:`)');
    } else if (origins.length > 1) {
      bad('manifest.several-origins', ['sources', i, origins[1]!], `source "${s.name}" has several origins (${origins.join(', ')})`, 'keep exactly one of `file:`, `url:` or `git:`; mirrors go under `mirrors:`');
    }
    if (s.git !== undefined && s.ref === undefined) bad('manifest.missing-ref', ['sources', i, 'git'], `git source "${s.name}" has no ref`, 'add `ref: TAG` or `ref: BRANCH` (and optionally `commit:` to pin it)');
    if (s.git === undefined) {
      for (const k of ['ref', 'commit'] as const) if (s[k] !== undefined) bad('manifest.stray-key', ['sources', i, k], `"${k}" only applies to git sources`, `remove "${k}" or make the source a \`git:\` source`);
    }
    if (s.url === undefined && s.mirrors !== undefined) bad('manifest.stray-key', ['sources', i, 'mirrors'], '"mirrors" only applies to url sources', 'remove "mirrors" or make the source a `url:` source');
    const prev = seen.get(s.name);
    if (prev !== undefined) bad('manifest.duplicate-name', ['sources', i, 'name'], `source name "${s.name}" is used twice (first at sources[${prev}])`, 'give every source a unique name', s.name);
    else seen.set(s.name, i);
    if (s.file !== undefined) checkRelPath(s.file, ['sources', i, 'file'], bad);
    s.patches?.forEach((p, j) => checkRelPath(p, ['sources', i, 'patches', j], bad));
    if (s.into !== undefined && s.into.split('/').includes('..')) bad('manifest.path-escape', ['sources', i, 'into'], '"into" must not contain ".."', 'use an absolute path such as /src/name', s.into);
    else if (s.into !== undefined && isReservedPath(s.into)) bad('manifest.reserved-path', ['sources', i, 'into'], `"into" would overwrite tarsmith's own files under ${reservedRootOf(s.into)}`, 'extract elsewhere, e.g. /src/NAME', s.into);
    if (s.url !== undefined) checkUrl(s.url, ['sources', i, 'url'], bad);
    s.mirrors?.forEach((u, j) => checkUrl(u, ['sources', i, 'mirrors', j], bad, true));
    if (s.extract === false) plainFileFailures(s, i, bad);
  });
  const names = new Set(m.sources.map((s) => s.name));
  const b = m.builder;
  if (b) {
    if (b.image !== undefined && b.bootstrap !== undefined) bad('manifest.several-bases', ['builder', 'bootstrap'], 'builder has both "image" and "bootstrap"', 'keep one: an image by digest, or a rootfs bootstrapped from locked packages');
    if (b.bootstrap) bootstrapFailures(b.bootstrap, bad);
    if (b.image !== undefined && b.rootfs !== undefined) bad('manifest.several-bases', ['builder', 'rootfs'], 'builder has both "image" and "rootfs"', 'keep one: an image by digest, or a vendored rootfs tarball');
    if (b.image === undefined && b.rootfs === undefined && b.bootstrap === undefined) bad('manifest.missing-base', ['builder'], 'builder has neither "image" nor "rootfs"', 'add `image: name:tag@sha256:...` or `rootfs: packages/rootfs.tar`');
    if (b.rootfs !== undefined) checkRelPath(b.rootfs, ['builder', 'rootfs'], bad);
    if (b.packages?.length && !b.family) bad('manifest.missing-family', ['builder', 'packages'], 'builder packages need a package manager family', 'add `family: apt` or `family: apk`');
    b.packages?.forEach((p, j) => {
      if (!PACKAGE_NAME.test(p)) bad('manifest.bad-package-name', ['builder', 'packages', j], `builder.packages[${j}] is not a package name`, 'write a package name (letters, digits, "+", "-", "." and "_"; optionally :ARCH or =VERSION); options are never passed to the package manager', p);
    });
  }
  const build = m.build;
  if (build?.workdir !== undefined && !names.has(build.workdir)) bad('manifest.unknown-source', ['build', 'workdir'], `build.workdir names no source: "${build.workdir}"`, `use one of: ${[...names].join(', ')}`, build.workdir);
  build?.version?.forEach((v, i) => checkRelPath(v.path, ['build', 'version', i, 'path'], bad));
  for (const [t, spec] of Object.entries(build?.targets ?? {})) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(t)) bad('manifest.invalid-target-name', ['build', 'targets', t], `target name "${t}" is not valid`, 'use letters, digits, ".", "_" and "-"', t);
    spec.artifacts?.forEach((a, i) => {
      const tree = typeof a !== 'string' && a.component !== undefined ? `the install tree of ${a.component}` : 'the build tree';
      checkRelPath(typeof a === 'string' ? a : a.path, ['build', 'targets', t, 'artifacts', i, ...(typeof a === 'string' ? [] : ['path'])], bad, tree);
      if (typeof a !== 'string' && a.rename !== undefined) checkRelPath(a.rename, ['build', 'targets', t, 'artifacts', i, 'rename'], bad, `out/${m.name}/`);
    });
  }
  if (m.kernel) {
    if (!names.has(m.kernel.source)) bad('manifest.unknown-source', ['kernel', 'source'], `kernel.source names no source: "${m.kernel.source}"`, `use one of: ${[...names].join(', ')}`, m.kernel.source);
    else if (m.sources.some((s) => s.name === m.kernel?.source && s.extract === false)) {
      bad('manifest.kernel-source-plain', ['kernel', 'source'], `the kernel source "${m.kernel.source}" is a plain file (extract: false), not a kernel tree`, 'point kernel.source at the kernel tarball, and drop "extract: false" from that source', m.kernel.source);
    }
    const key = m.kernel.signingKey;
    const keySource = key !== undefined ? m.sources.find((s) => s.name === key) : undefined;
    if (key !== undefined && !keySource) bad('manifest.unknown-source', ['kernel', 'signingKey'], `kernel.signingKey names no source: "${key}"`, `add the key as a source (file: ..., private: true, extract: false), or use one of: ${[...names].join(', ')}`, key);
    else if (keySource && (keySource.private !== true || keySource.extract !== false)) {
      bad('manifest.signing-key-not-private', ['kernel', 'signingKey'], `the module signing key "${key}" is not a private plain file: it would enter the build context or a layer`, `set \`private: true\` and \`extract: false\` on the source ${key}`, key);
    }
    if (m.kernel.fragment !== undefined) checkRelPath(m.kernel.fragment, ['kernel', 'fragment'], bad);
    m.kernel.fragments?.forEach((f, i) => checkRelPath(f, ['kernel', 'fragments', i], bad));
    if (m.kernel.config !== undefined) checkRelPath(m.kernel.config, ['kernel', 'config'], bad);
  }
  kernelFailures(m.kernel, Object.entries(build?.targets ?? {}), names, bad);
  if (m.components) {
    componentFailures(m.components, {
      sources: m.sources,
      ...(m.kernel ? { kernelSource: m.kernel.source } : {}),
      ...(m.kernel?.signingKey !== undefined ? { signingKey: m.kernel.signingKey } : {}),
      hasKernel: m.kernel !== undefined,
      targets: Object.entries(build?.targets ?? {}),
    }, bad);
  }
  return out;
}

type Bad = (code: FailureCode, segs: (string | number)[], message: string, hint: string, value?: string) => void;

function checkRelPath(p: string, segs: (string | number)[], bad: Bad, inside?: string): void {
  const where = inside ?? 'the manifest folder';
  const fix = inside === undefined ? 'write it relative to the folder that holds tarsmith.yaml' : `write it relative to ${inside}, without a leading /`;
  if (path.posix.isAbsolute(p)) bad('manifest.absolute-path', segs, `path must be relative to ${where}`, fix, p);
  else if (p.split('/').includes('..')) bad('manifest.path-escape', segs, `path must stay inside ${where}`, inside === undefined ? 'move the file into the project and refer to it without ".."' : `write it without ".." so that it stays in ${inside}`, p);
}

/** A package name as apt and apk take it (never an option: no leading "-"), with an optional :ARCH or =VERSION. */
const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9+._:-]*([=<>~]{1,2}[A-Za-z0-9+.:~_-]+)?$/;

/** Folders of the build container tarsmith writes itself. */
const RESERVED_ROOTS = ['/tarsmith', '/opt/tarsmith', '/run/tarsmith'];

function reservedRootOf(p: string): string {
  const norm = path.posix.normalize(p).replace(/\/+$/, '') || '/';
  return RESERVED_ROOTS.find((r) => norm === r || norm.startsWith(`${r}/`)) ?? '';
}

function isReservedPath(p: string): boolean {
  return reservedRootOf(p) !== '';
}

/** A valid http(s) URL with a host; a mirror may also be a local `file:///folder`. */
const SUITE = /^[a-z][a-z0-9.-]*$/;
const DPKG_ARCH = /^[a-z0-9][a-z0-9-]*$/;

/** builder.bootstrap: names are plain words (never options for mmdebstrap), the mirror a URL. */
function bootstrapFailures(b: RawBootstrap, bad: Bad): void {
  const at = (k: string, ...rest: (string | number)[]) => ['builder', 'bootstrap', k, ...rest];
  if (!SUITE.test(b.suite)) bad('manifest.bad-suite', at('suite'), 'builder.bootstrap.suite is not a suite name', 'write a Debian suite or codename such as bookworm or trixie', b.suite);
  if (b.architecture !== undefined && !DPKG_ARCH.test(b.architecture)) bad('manifest.bad-architecture', at('architecture'), 'builder.bootstrap.architecture is not a dpkg architecture', 'write one such as amd64 or arm64 (`dpkg-architecture -L` lists them)', b.architecture);
  if (b.variant !== undefined && !(BOOTSTRAP_VARIANTS as readonly string[]).includes(b.variant)) bad('manifest.bad-variant', at('variant'), `builder.bootstrap.variant is not one of ${BOOTSTRAP_VARIANTS.join(', ')}`, 'essential (the smallest) or buildd (with build-essential) suit a builder', b.variant);
  b.packages?.forEach((p, j) => {
    if (!PACKAGE_NAME.test(p) || p.includes(':')) bad('manifest.bad-package-name', at('packages', j), `builder.bootstrap.packages[${j}] is not a package name`, 'write a package name of the base\'s own architecture (letters, digits, "+", "-", "." and "_")', p);
  });
  b.components?.forEach((c, j) => {
    if (!SUITE.test(c)) bad('manifest.bad-suite', at('components', j), 'builder.bootstrap.components names no archive component', 'write main, contrib, non-free or non-free-firmware', c);
  });
  if (b.mirror !== undefined) checkUrl(b.mirror, at('mirror'), bad, true);
  if (b.keyring !== undefined && !path.isAbsolute(b.keyring)) bad('manifest.bad-keyring', at('keyring'), 'builder.bootstrap.keyring must be an absolute path on this machine', 'e.g. /usr/share/keyrings/debian-archive-keyring.gpg', b.keyring);
}

function checkUrl(u: string, segs: (string | number)[], bad: Bad, allowFile = false): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(u);
  } catch {
    parsed = undefined;
  }
  const web = parsed !== undefined && (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
  const local = allowFile && parsed?.protocol === 'file:' && parsed.pathname.length > 1;
  if (!web && !local) {
    bad('manifest.bad-url', segs, `not a valid ${allowFile ? 'http(s) or file://' : 'http(s)'} URL`, 'write a full URL such as https://example.org/dist/ (with the scheme and host)', u);
  }
}

/** A plain file (`extract: false`) is placed, not unpacked: the options of unpacking would be ignored, so they are errors. */
function plainFileFailures(
  s: RawSource,
  i: number,
  bad: Bad,
): void {
  for (const k of ['strip', 'dropVcs', 'patches'] as const) {
    if (s[k] !== undefined) bad('manifest.plain-file-option', ['sources', i, k], `"${k}" applies to archives, but source "${s.name}" is a plain file (extract: false)`, `remove "${k}", or drop "extract: false" if the file is an archive`);
  }
  if (s.git !== undefined) bad('manifest.plain-file-git', ['sources', i, 'extract'], `git source "${s.name}" is vendored as a tarball and cannot be a plain file`, 'remove "extract: false", or use `file:`/`url:` for a single file');
  if (s.into !== undefined && s.into.endsWith('/')) bad('manifest.plain-file-into', ['sources', i, 'into'], `"into" of plain file "${s.name}" must name the file, not a folder`, `write the full path, e.g. ${s.into}${path.posix.basename(s.file ?? s.url ?? s.name)}`, s.into);
}


function normaliseSource(s: RawSource): Source {
  const origin: SourceOrigin = s.file !== undefined
    ? { kind: 'file', file: s.file }
    : s.url !== undefined
      ? { kind: 'url', url: s.url, mirrors: s.mirrors ?? [] }
      : { kind: 'git', git: s.git!, ref: s.ref!, ...(s.commit ? { commit: s.commit } : {}) };
  const own = origin.kind === 'url' ? [origin.url] : origin.kind === 'git' ? [origin.git] : [];
  return {
    name: s.name,
    origin,
    ...(s.sha256 ? { sha256: s.sha256 } : {}),
    strip: s.strip ?? 0,
    dropVcs: s.dropVcs ?? true,
    patches: s.patches ?? [],
    ...(s.license ? { license: s.license } : {}),
    ...(s.into ? { into: s.into } : {}),
    extract: s.extract ?? true,
    private: s.private ?? false,
    provides: s.provides ?? own,
    allow: s.allow ?? [],
  };
}

function normaliseBuild(b: NonNullable<RawManifest['build']>, m: RawManifest): Build {
  // Sources a component builds are not extracted into a target's tree unless the target lists them.
  const owned = new Set(Object.entries(m.components ?? {}).flatMap(([n, c]) => componentSources(n, c)));
  const targets: Target[] = Object.entries(b.targets ?? {}).map(([name, t]) => ({
    name,
    steps: t.steps ?? [],
    artifacts: (t.artifacts ?? []).map((a): Artifact => (typeof a === 'string' ? { path: a } : { ...a })),
    kernel: Boolean(t.kernel) || (t.modules ?? []).length > 0,
    modules: (t.modules ?? []).map((p) => ({ path: p.replace(/\/+$/, '') })),
    ...(t.sources ? { sources: [...t.sources] } : owned.size > 0 ? { sources: m.sources.map((s) => s.name).filter((s) => !owned.has(s) && !kernelOwnsSource(m.kernel, s)) } : {}),
    ...(t.depends ? { depends: [...t.depends] } : {}),
  }));
  return {
    ...(b.workdir ? { workdir: b.workdir } : {}),
    env: b.env ?? {},
    steps: b.steps ?? [],
    targets,
    version: b.version ?? [],
  };
}

function normaliseBootstrap(b: RawBootstrap): Bootstrap {
  return {
    suite: b.suite,
    variant: b.variant ?? 'essential',
    architecture: b.architecture ?? 'amd64',
    packages: b.packages ?? [],
    mirror: (b.mirror ?? 'http://deb.debian.org/debian').replace(/\/+$/, ''),
    components: b.components ?? ['main'],
    ...(b.keyring !== undefined ? { keyring: b.keyring } : {}),
  };
}

function normalise(m: RawManifest, file: string, pos: PositionIndex): Manifest {
  const bs = m.builder?.bootstrap;
  const rootfs = m.builder?.rootfs ?? (bs ? bootstrapRootfsPath(bs) : undefined);
  const builder: Builder | undefined = m.builder
    ? {
        ...(m.builder.image ? { image: m.builder.image } : {}),
        ...(rootfs ? { rootfs } : {}),
        ...(bs ? { bootstrap: normaliseBootstrap(bs) } : {}),
        family: m.builder.family ?? 'apt',
        packages: m.builder.packages ?? [],
        ...(m.builder.platform ? { platform: m.builder.platform } : {}),
      }
    : undefined;
  return {
    version: 1,
    name: m.name,
    sourceDateEpoch: m.sourceDateEpoch,
    platform: m.platform ?? 'linux/amd64',
    sources: m.sources.map(normaliseSource),
    ...(builder ? { builder } : {}),
    ...(m.build ? { build: normaliseBuild(m.build, m) } : {}),
    ...(m.kernel ? { kernel: normaliseKernel(m.kernel) } : {}),
    ...(m.components ? { components: normaliseComponents(m.components) } : {}),
    ...(m.vendor ? { vendor: { mirrors: m.vendor.mirrors ?? [] } } : {}),
    file,
    dir: path.dirname(file),
    positions: pos.values,
  };
}

const withoutPrefix = (n: string): string => (n.startsWith('CONFIG_') ? n.slice('CONFIG_'.length) : n);

function normaliseKernel(k: RawKernel): KernelSpec {
  return {
    source: k.source,
    arch: k.arch,
    ...(k.crossCompile ? { crossCompile: k.crossCompile } : {}),
    base: k.config !== undefined ? { kind: 'file', path: k.config } : { kind: 'defconfig', target: k.defconfig ?? 'defconfig' },
    fragments: [...(k.fragment !== undefined ? [k.fragment] : []), ...(k.fragments ?? [])],
    unknownSymbols: k.unknownSymbols ?? 'error',
    allowUnknown: (k.allowUnknown ?? []).map(withoutPrefix),
    allowMismatch: (k.allowMismatch ?? []).map(withoutPrefix),
    build: k.build ?? 'modules_prepare',
    artifacts: [...new Set(k.artifacts ?? [])],
    ...(k.signingKey !== undefined ? { signingKey: k.signingKey } : {}),
  };
}
