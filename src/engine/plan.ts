/**
 * Planning: manifest + lock → the build specification for one target and the list of files its build context
 * holds (only what that build needs). Pure apart from nothing: it reads no files, so it is unit-tested directly.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { ExitCode, fail, type Failure } from '../core/errors.js';
import { nearest } from '../core/suggest.js';
import { emit } from '../dockerfile/emit.js';
import {
  generateDockerfile,
  generateToolchainDockerfile,
  helperFiles,
  type BuildSpec,
  type SourceSpec,
  type StepSpec,
  type ToolSet,
} from '../dockerfile/generate.js';
import { buildPlatform, kernelOwnsSource, type Manifest, type Source, type Target } from '../manifest/types.js';
import type { Finding } from '../packages/types.js';
import { builderPackages } from '../packages/builder.js';
import type { Lock } from '../lock/lock.js';
import { baseId, lockDrift } from '../lock/builder-packages.js';
import { INSTALL_APK_SH, INSTALL_APT_SH, PACKAGE_LIST } from '../dockerfile/toolchain-helpers.js';
import { MOUNT_POINTS_TAR, installScriptName, type ToolchainInstall } from '../dockerfile/generate.js';
import { mountPointsTar } from '../dockerfile/mount-points.js';
import { planKernel, type KernelPlan } from '../kernel/plan.js';
import { componentsNeedKernel, planComponents, type ComponentsPlan } from './components.js';
import { packageFileOf } from '../shims/index.js';

/** One file of the staged build context: copied/linked from `src`, or written from `content`. */
export interface ContextEntry {
  contextPath: string;
  src?: string;
  content?: string;
  mode?: number;
}

export interface Secret {
  id: string;
  /** Absolute host path of the file. */
  src: string;
}

/** Programs to place in the build stage (e.g. the fetch stand-ins): files with their in-container path. */
export interface BuildTools {
  /** Absolute folder in the build stage the files go under. */
  root: string;
  /** Paths relative to `root`. */
  files: { path: string; content: string; mode: number }[];
  /** Put first on PATH in the build stage (none: the files are only copied). */
  binDir?: string;
}

export interface PlanOptions {
  target?: string;
  allowUnpinned?: boolean;
  /** The toolchain image tag made by `tarsmith toolchain`; required when the plan needs one. */
  toolchainTag?: string;
  tools?: BuildTools[];
  /** Where the tarballs go in the container (default /opt/tarsmith/packages, where the fetch stand-ins look). */
  packagesDir?: string;
  /** Each source's canonical tree (see trees.ts), by source name: what the build unpacks. */
  trees?: Readonly<Record<string, { file: string; sha256: string }>>;
  /** A build of its own with a changed step environment (`tarsmith repro`); see BuildVariant. */
  variant?: Pick<BuildVariant, 'buildId' | 'env' | 'stepWrapper' | 'stepSetup'>;
}

/**
 * One build of `tarsmith repro`: its own cache after the toolchain (`buildId`), and what it changes in the build
 * stage: variables, tools first on PATH, a wrapper before every step, set-up commands before the steps, and the
 * root the sources are placed under (default sources only: an explicit `into` stays where the manifest says).
 */
export interface BuildVariant {
  buildId: string;
  env?: Record<string, string>;
  tools?: BuildTools;
  stepWrapper?: string[];
  stepSetup?: string[][];
  sourceRoot?: string;
}

export interface Plan {
  target: Target;
  spec: BuildSpec;
  dockerfile: string;
  context: ContextEntry[];
  secrets: Secret[];
  steps: StepSpec[];
  /** True when base + toolchain must come from `tarsmith toolchain` (an image base, or packages to install). */
  needsToolchainImage: boolean;
  /** Hash of everything the toolchain image is made from. */
  toolchainInputsHash: string;
  /** The Dockerfile of the toolchain step alone, and its context (the rootfs tarball, if any). */
  toolchainDockerfile: string;
  toolchainContext: ContextEntry[];
  /** Notes on translating builder.packages for the family that do not stop the build (see builder-packages.ts). */
  packageNotes: Finding[];
  /** The kernel stages, when the target (or a component it needs) builds against the kernel. */
  kernel?: KernelPlan;
  /** The component stages the target needs, when it takes anything from components. */
  components?: ComponentsPlan;
}

const usage = (f: Omit<Failure, 'exit'>): never => fail({ ...f, exit: ExitCode.usage });

export function selectTarget(m: Manifest, name?: string): Target {
  const targets = m.build?.targets ?? [];
  if (targets.length === 0) {
    return usage({
      code: 'build.no-targets',
      message: 'the manifest declares no build targets',
      where: { file: m.file },
      hint: 'add build.targets.<name> with steps and artifacts to tarsmith.yaml',
    });
  }
  if (name === undefined) return targets[0] as Target;
  const t = targets.find((x) => x.name === name);
  if (t) return t;
  const near = nearest(name, targets.map((x) => x.name));
  return usage({
    code: 'build.unknown-target',
    message: `no target named ${JSON.stringify(name)}`,
    value: name,
    where: { file: m.file },
    hint: near.length ? `did you mean ${near.join(', ')}?` : `known targets: ${targets.map((x) => x.name).join(', ')}`,
  });
}

/** `out/<name>/` for the default (first) target, `out/<name>-<target>/` for the others. */
export function outName(m: Manifest, target: Target): string {
  const first = m.build?.targets[0];
  return first && first.name === target.name ? m.name : `${m.name}-${target.name}`;
}

/** Where a source lands: the folder it is extracted into, or for a plain file (extract: false) the file's path. */
export function sourceInto(s: Source): string {
  if (s.into !== undefined) return s.into;
  return s.extract ? `/src/${s.name}` : `/src/${s.name}/${plainFileName(s)}`;
}

function plainFileName(s: Source): string {
  const o = s.origin;
  const p = o.kind === 'file' ? o.file : o.kind === 'url' ? new URL(o.url).pathname : s.name;
  return path.posix.basename(p) || s.name;
}

/** The manifest with every default-placed source under `root` (`/src/x` → `<root>/src/x`); explicit `into` kept. */
export function withSourceRoot(m: Manifest, root: string): Manifest {
  return { ...m, sources: m.sources.map((s) => (s.into === undefined ? { ...s, into: path.posix.join(root, sourceInto(s)) } : s)) };
}

/** The folder a source's tree is in (a plain file's folder). */
function sourceDir(s: Source): string {
  return s.extract ? sourceInto(s) : path.posix.dirname(sourceInto(s));
}

function workdirOf(m: Manifest, selected: readonly Source[]): string {
  const wd = m.build?.workdir;
  if (wd !== undefined) {
    const s = m.sources.find((x) => x.name === wd);
    if (!s) {
      return usage({
        code: 'build.unknown-workdir',
        message: `build.workdir names no source: ${JSON.stringify(wd)}`,
        value: wd,
        where: { file: m.file, ...(m.positions['/build/workdir'] ?? {}) },
        hint: `use one of: ${m.sources.map((x) => x.name).join(', ')}`,
      });
    }
    return sourceDir(s);
  }
  return selected.length === 1 ? sourceDir(selected[0] as Source) : '/src';
}

function checkImageRef(m: Manifest, ref: string, allowUnpinned: boolean): void {
  const at = ref.lastIndexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : '';
  const hex = digest.startsWith('sha256:') ? digest.slice(7) : '';
  if (hex.length === 64 && [...hex].every((c) => '0123456789abcdef'.includes(c))) return;
  if (allowUnpinned) return;
  usage({
    code: 'build.unpinned-base',
    message: 'builder.image is not pinned by digest',
    value: ref,
    where: { file: m.file, ...(m.positions['/builder/image'] ?? {}) },
    hint: 'write it as name:tag@sha256:<digest> (`docker buildx imagetools inspect NAME:TAG` shows the digest), or pass --allow-unpinned',
  });
}

function lockedSource(m: Manifest, lock: Lock, s: Source) {
  const l = lock.sources[s.name];
  if (!l) {
    return fail({
      code: 'verify.not-vendored',
      message: `source ${s.name} is not in tarsmith.lock`,
      value: s.name,
      exit: ExitCode.checkFailed,
      where: { file: m.file },
      hint: 'run `tarsmith vendor` first',
    });
  }
  return l;
}

function treeOf(m: Manifest, s: Source, trees: PlanOptions['trees']): { file: string; sha256: string } {
  const t = trees?.[s.name];
  if (t) return t;
  return fail({
    code: 'internal.no-source-tree',
    message: `no canonical tree was made for source ${s.name} before planning`,
    exit: ExitCode.internal,
    where: { file: m.file },
    hint: 'this is a bug in tarsmith; please report it',
  });
}

/**
 * The sources a target extracts: its `sources:` list, else every source but the kernel's (built in its own stage)
 * and the module signing key (mounted only for the steps that sign).
 */
export function targetSources(m: Manifest, t: Target): Source[] {
  if (t.sources) return m.sources.filter((s) => t.sources?.includes(s.name));
  return m.sources.filter((s) => !kernelOwnsSource(m.kernel, s.name));
}

function sourcesOf(m: Manifest, lock: Lock, selected: readonly Source[], trees: PlanOptions['trees']): { specs: SourceSpec[]; context: ContextEntry[]; secrets: Secret[] } {
  const specs: SourceSpec[] = [];
  const context: ContextEntry[] = [];
  const secrets: Secret[] = [];
  for (const s of selected) {
    const l = lockedSource(m, lock, s);
    const packagePath = packageFileOf(s.name, l.file);
    const patches: string[] = [];
    s.patches.forEach((p, i) => {
      const lp = lock.patches[p];
      const cp = `patches/${s.name}/${String(i + 1).padStart(3, '0')}-${path.posix.basename(p)}`;
      patches.push(cp);
      context.push({ contextPath: cp, src: path.resolve(m.dir, lp?.file ?? p) });
    });
    const tree = s.extract ? treeOf(m, s, trees) : { file: path.resolve(m.dir, l.file), sha256: l.sha256 };
    const base = { name: s.name, packagePath, sha256: l.sha256, strip: s.strip, dropVcs: s.dropVcs, into: sourceInto(s), patches, treeSha256: tree.sha256, allow: [...s.allow], ...(s.extract ? {} : { plain: true }) };
    if (s.private) {
      const id = `source-${s.name}`;
      secrets.push({ id, src: tree.file });
      specs.push({ ...base, secretId: id });
    } else {
      // The original stays in packages/ for the fetch stand-ins; the build unpacks the checked tree.
      const cp = `packages/${packagePath}`;
      const treePath = `trees/${s.name}.tar`;
      context.push({ contextPath: cp, src: path.resolve(m.dir, l.file) });
      if (s.extract) context.push({ contextPath: treePath, src: tree.file });
      specs.push({ ...base, contextPath: cp, ...(s.extract ? { treeContextPath: treePath } : {}) });
    }
  }
  return { specs, context, secrets };
}

function toolSets(tools: readonly BuildTools[]): { sets: ToolSet[]; context: ContextEntry[] } {
  const sets: ToolSet[] = [];
  const context: ContextEntry[] = [];
  tools.forEach((t, i) => {
    const files = [...t.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const f of files) {
      const rel = path.posix.normalize(f.path.replace(/^\/+/, ''));
      context.push({ contextPath: `tools/${i}/${rel}`, content: f.content, mode: f.mode });
    }
    sets.push({ contextDir: `tools/${i}`, dest: t.root, ...(t.binDir !== undefined ? { binDir: t.binDir } : {}) });
  });
  return { sets, context };
}

function stepsOf(m: Manifest, t: Target): StepSpec[] {
  const common = (m.build?.steps ?? []).map((command, i) => ({ label: `build.steps[${i}]`, command }));
  const own = t.steps.map((command, i) => ({ label: `build.targets.${t.name}.steps[${i}]`, command }));
  return [...common, ...own];
}

function artifactsOf(m: Manifest, t: Target): { glob: string; rename?: string }[] {
  if (t.artifacts.length === 0 && !t.kernel) {
    usage({
      code: 'build.no-artifacts',
      message: `target ${t.name} declares no artifacts`,
      value: t.name,
      where: { file: m.file },
      hint: `add build.targets.${t.name}.artifacts: the files (globs relative to the build tree) to export`,
    });
  }
  return t.artifacts.filter((a) => a.component === undefined).map((a) => {
    const parts = a.path.split('/');
    if (a.path.startsWith('/') || parts.includes('..')) {
      usage({
        code: 'build.bad-artifact',
        message: 'an artifact glob must be relative to the build tree and stay inside it',
        value: a.path,
        where: { file: m.file },
        hint: 'write it relative to build.workdir, without leading / or ..',
      });
    }
    return a.rename !== undefined ? { glob: a.path, rename: a.rename } : { glob: a.path };
  });
}

/** The base layer: a locked rootfs tarball (in the toolchain step's context), or an image pinned by digest. */
function baseOf(m: Manifest, lock: Lock, allowUnpinned: boolean) {
  const builder = m.builder;
  if (!builder || (!builder.image && !builder.rootfs)) {
    return usage({
      code: 'build.no-builder',
      message: 'the manifest names no builder (builder.image or builder.rootfs)',
      where: { file: m.file },
      hint: 'add builder.image (name:tag@sha256:...) or builder.rootfs (a root filesystem tarball under packages/)',
    });
  }
  if (builder.rootfs) {
    const file = path.resolve(m.dir, lock.rootfs?.file ?? builder.rootfs);
    const cp = `rootfs/${path.basename(file)}`;
    const base: BuildSpec['base'] = { kind: 'rootfs', contextPath: cp };
    return { builder, base, rootfsSha: lock.rootfs?.sha256 ?? '', context: [{ contextPath: cp, src: file }] };
  }
  checkImageRef(m, builder.image as string, allowUnpinned);
  const base: BuildSpec['base'] = { kind: 'image', ref: builder.image as string };
  return { builder, base, rootfsSha: '', context: [] as ContextEntry[] };
}

const TOOLCHAIN_DIR = 'tarsmith/toolchain';

/** The locked closure of builder.packages as the toolchain stage installs it, with its context entries. */
function toolchainOf(m: Manifest, lock: Lock): { install?: ToolchainInstall; context: ContextEntry[] } {
  const b = m.builder;
  if (!b || b.packages.length === 0) return { context: [] };
  const locked = lock.builderPackages;
  const drift = lockDrift(m, locked, baseId(m, lock.rootfs));
  if (drift !== undefined || !locked) {
    return fail({
      code: 'toolchain.not-vendored',
      message: `the toolchain packages are not vendored: ${drift ?? 'not locked'}`,
      exit: ExitCode.checkFailed,
      where: { file: m.file, ...(m.positions['/builder/packages'] ?? {}) },
      hint: 'run `tarsmith vendor`: it resolves builder.packages over the base and puts every package file in packages/',
    });
  }
  const context: ContextEntry[] = [
    { contextPath: MOUNT_POINTS_TAR, content: mountPointsTar(m.sourceDateEpoch), mode: 0o644 },
    { contextPath: `${TOOLCHAIN_DIR}/${installScriptName(b.family)}`, content: b.family === 'apt' ? INSTALL_APT_SH : INSTALL_APK_SH, mode: 0o755 },
  ];
  const packages: ToolchainInstall['packages'] = [];
  for (const k of Object.keys(locked.packages).sort()) {
    const p = locked.packages[k]!;
    const rel = `${b.family === 'apt' ? 'debs' : 'apks'}/${path.posix.basename(p.file)}`;
    packages.push({ key: k, version: p.version, file: rel });
    context.push({ contextPath: `${TOOLCHAIN_DIR}/${rel}`, src: path.resolve(m.dir, p.file) });
  }
  context.push({ contextPath: `${TOOLCHAIN_DIR}/${PACKAGE_LIST}`, content: packages.map((p) => `${p.file}\n`).join(''), mode: 0o644 });
  return { install: { contextDir: TOOLCHAIN_DIR, packages, foreignArchitectures: [...locked.foreignArchitectures].sort() }, context };
}

function stampsOf(m: Manifest, workdir: string): { stamps: BuildSpec['stamps']; context: ContextEntry[] } {
  const version = m.build?.version ?? [];
  return {
    stamps: version.map((v, i) => ({ contextPath: `tarsmith/stamps/${i}`, dest: path.posix.resolve(workdir, v.path) })),
    context: version.map((v, i) => ({ contextPath: `tarsmith/stamps/${i}`, content: v.content, mode: 0o644 })),
  };
}

export function plan(m: Manifest, lock: Lock, opts: PlanOptions = {}): Plan {
  const target = selectTarget(m, opts.target);
  const { builder, base, rootfsSha, context: toolchainContext } = baseOf(m, lock, Boolean(opts.allowUnpinned));
  const toolchainPackages = builderPackages(m, builder);
  const install = toolchainOf(m, lock);
  const needsToolchainImage = base.kind === 'image' || toolchainPackages.packages.length > 0;
  const selected = targetSources(m, target);
  const src = sourcesOf(m, lock, selected, opts.trees);
  const tools = toolSets(opts.tools ?? []);
  const workdir = workdirOf(m, selected);
  const stamps = stampsOf(m, workdir);
  const kp = kernelOf(m, lock, target, workdir, opts.trees);
  // The kernel's side of the build stage (KDIR, the tree mounted, module builds) only for a kernel target.
  const kt = target.kernel ? kp : undefined;
  const cp = componentsOf(m, lock, target, opts.trees, kp);
  const cb = cp?.buildStage;
  const stepMounts = [...(kt?.mounts ?? []), ...(cb?.mounts ?? [])];
  const extraStages = [...(kp?.stages ?? []), ...(cp?.stages ?? []), ...(cb?.stages ?? [])];
  const artifactImports = [...(kp?.artifactImports ?? []), ...(cp?.artifactImports ?? [])];
  const spec: BuildSpec = {
    name: m.name,
    packagesDir: opts.packagesDir ?? '/opt/tarsmith/packages',
    sourceDateEpoch: m.sourceDateEpoch,
    base,
    family: builder.family,
    packages: toolchainPackages.packages,
    ...(install.install ? { toolchain: install.install } : {}),
    sources: src.specs,
    workdir,
    env: { ...(cb?.env ?? {}), ...(m.build?.env ?? {}), ...(kt?.env ?? {}), ...(opts.variant?.env ?? {}) },
    steps: [...stepsOf(m, target), ...(kt?.moduleSteps ?? [])],
    stamps: stamps.stamps,
    tools: tools.sets,
    artifacts: [...artifactsOf(m, target), ...(kt?.moduleArtifacts ?? [])],
    target: target.name,
    ...(extraStages.length > 0 ? { extraStages } : {}),
    ...(stepMounts.length > 0 ? { stepMounts } : {}),
    ...(artifactImports.length > 0 ? { artifactImports } : {}),
    ...(opts.variant ? { buildId: opts.variant.buildId } : {}),
    ...(opts.variant?.stepWrapper ? { stepWrapper: opts.variant.stepWrapper } : {}),
    ...(opts.variant?.stepSetup ? { stepSetup: opts.variant.stepSetup } : {}),
  };
  const toolchainDockerfile = emit(generateToolchainDockerfile(spec));
  const packageShas = Object.values(lock.builderPackages?.packages ?? {}).map((p) => p.sha256).sort();
  const toolchainInputsHash = createHash('sha256')
    .update(JSON.stringify({ dockerfile: toolchainDockerfile, rootfs: rootfsSha, platform: buildPlatform(m), packages: packageShas }))
    .digest('hex');
  const buildSpec: BuildSpec = needsToolchainImage
    ? { ...spec, base: { kind: 'toolchain-image', ref: opts.toolchainTag ?? toolchainTag(m, toolchainInputsHash) } }
    : spec;
  const context = [
    ...(needsToolchainImage ? [] : [...toolchainContext, ...install.context]),
    ...stamps.context,
    ...helperFiles(buildSpec),
    ...src.context,
    ...tools.context,
    ...(kp?.context ?? []),
    ...(cp?.context ?? []),
  ];
  return {
    target,
    spec: buildSpec,
    dockerfile: emit(generateDockerfile(buildSpec)),
    context: dedupe(context),
    secrets: [...src.secrets, ...(kp?.secrets ?? []), ...(cp?.secrets ?? [])],
    steps: [...(kp?.steps ?? []), ...(cp?.steps ?? []), ...buildSpec.steps],
    ...(kp ? { kernel: kp } : {}),
    ...(cp ? { components: cp } : {}),
    needsToolchainImage,
    toolchainInputsHash,
    toolchainDockerfile,
    toolchainContext: [...toolchainContext, ...install.context],
    packageNotes: toolchainPackages.notes,
  };
}

function kernelOf(m: Manifest, lock: Lock, target: Target, workdir: string, trees: PlanOptions['trees']): KernelPlan | undefined {
  const k = m.kernel;
  if (!k || (!target.kernel && !componentsNeedKernel(m, target))) return undefined;
  const source = m.sources.find((s) => s.name === k.source) as Source;
  const keySource = k.signingKey !== undefined ? m.sources.find((s) => s.name === k.signingKey) : undefined;
  const key = keySource ? lockedSource(m, lock, keySource) : undefined;
  return planKernel({
    spec: k,
    source,
    locked: lockedSource(m, lock, source),
    ...(key ? { signingKey: { file: path.resolve(m.dir, key.file), sha256: key.sha256 } } : {}),
    tree: treeOf(m, source, trees),
    lock,
    manifestDir: m.dir,
    sourceDateEpoch: m.sourceDateEpoch,
    kdir: sourceInto(source),
    workdir,
    target,
  });
}

function componentsOf(m: Manifest, lock: Lock, target: Target, trees: PlanOptions['trees'], kp: KernelPlan | undefined): ComponentsPlan | undefined {
  const kernel = kp ? { kdir: kp.kdir, arch: kp.spec.arch, ...(kp.spec.crossCompile ? { crossCompile: kp.spec.crossCompile } : {}), mounts: [{ type: 'bind' as const, from: 'kernel', source: kp.kdir, target: kp.kdir, rw: true }] } : undefined;
  return planComponents(m, lock, target, { locked: (s) => lockedSource(m, lock, s), tree: (s) => treeOf(m, s, trees), into: sourceInto }, kernel);
}

/**
 * The plan with its rootfs base taken from an image pinned by digest (`HOST/REPO@sha256:…`, the locked rootfs as
 * one layer; see base-image.ts) instead of the tarball in the build context: the Dockerfile's base stage is
 * `FROM ref`, and the rootfs is no longer staged. A plan without a rootfs base of its own is returned as it is.
 */
export function withRootfsImage(p: Plan, ref: string): Plan {
  const b = p.spec.base;
  if (b.kind !== 'rootfs') return p;
  const spec: BuildSpec = { ...p.spec, base: { kind: 'rootfs-image', ref } };
  return { ...p, spec, dockerfile: emit(generateDockerfile(spec)), context: p.context.filter((e) => e.contextPath !== b.contextPath) };
}

/**
 * The plan with its toolchain stage `FROM` an image pinned by digest (`HOST/REPO@sha256:…`, the recorded toolchain
 * image through a registry; see toolchain-image.ts) instead of the local tag `tarsmith toolchain` gave it. The
 * context is unchanged (the toolchain's inputs are never in it). A plan without a toolchain image is returned as it is.
 */
export function withToolchainImage(p: Plan, ref: string): Plan {
  if (p.spec.base.kind !== 'toolchain-image') return p;
  const spec: BuildSpec = { ...p.spec, base: { kind: 'toolchain-image', ref } };
  return { ...p, spec, dockerfile: emit(generateDockerfile(spec)) };
}

/** The image tag of a toolchain: named by the hash of its inputs. */
export function toolchainTag(m: Manifest, inputsHash: string): string {
  const repo = m.name.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
  return `tarsmith-toolchain/${repo}:${inputsHash.slice(0, 16)}`;
}

function dedupe(entries: ContextEntry[]): ContextEntry[] {
  const seen = new Map<string, ContextEntry>();
  for (const e of entries) seen.set(e.contextPath, e);
  return [...seen.values()].sort((a, b) => (a.contextPath < b.contextPath ? -1 : a.contextPath > b.contextPath ? 1 : 0));
}
