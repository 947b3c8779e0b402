/**
 * `tarsmith build`: verify → plan → build (network off) → export into a temp folder → SHA256SUMS and the build
 * record → rename into out/<name>/ only on success.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, ioFailure, isTarsmithError } from '../core/errors.js';
import { exec } from '../core/exec.js';
import { clearStaleTemps, replaceDir, withTempDirBeside, writeFileAtomic } from '../core/fs-atomic.js';
import { log } from '../core/log.js';
import { dockerignore } from '../dockerfile/generate.js';
import { escapePointer } from '../manifest/positions.js';
import { buildPlatform, type Component, type Manifest, type Target } from '../manifest/types.js';
import { whereOf } from '../lock/where.js';
import { canonicalJson, type Lock } from '../lock/lock.js';
import { formatSums } from '../lock/sha256sums.js';
import { buildArgv, type BuildOutput, type BuildRequest, type Progress } from './argv.js';
import { cacheArgs, cacheBuilder, stageCache } from './cache.js';
import { pushCacheImages, type CacheExport } from './cache-carrier.js';
import { humanSize, stageContext, stagingParent } from './context.js';
import { outName, type BuildVariant, type Plan } from './plan.js';
import { registryBase, type BaseOrigin } from './registry-base.js';
import { prepareWithEngine } from './prepare.js';
import type { EngineCaps } from './probe.js';
import { registryToolchain, toolchainEntry, type ToolchainOrigin } from './toolchain-image.js';
import { runBuild, type Locate, type RunOptions } from './run.js';
import type { StepCounts } from './step-tally.js';
import { scanExport, type ArtifactHash, type ArtifactLink, type ExportedTree } from './artifacts.js';
import type { SourceTrees } from './trees.js';
import type { SourceOverride } from '../lock/override.js';
import { finishKernel, kernelConfigPhase, preflightRunner, type KernelOutcome, type PreflightRun } from './kernel-phase.js';
import type { PredictionRecord } from '../kernel/preflight.js';
import { PROVENANCE_FILE, provenanceJson, type BuildFacts } from '../attest/provenance.js';
import { SBOM_FILE } from '../attest/files.js';
import type { SbomComponent } from '../attest/sbom.js';

export interface EngineOptions {
  manifest?: string;
  cwd?: string;
  target?: string;
  platform?: string;
  progress?: Progress;
  docker?: string;
  /** A docker context naming the engine (`docker --context NAME`). */
  context?: string;
  builder?: string;
  cacheFrom?: string[];
  cacheTo?: string[];
  allowUnpinned?: boolean;
  noCache?: boolean;
  /** `--source NAME=PATH` overrides for this run (see src/lock/override.ts). */
  sources?: readonly string[];
  /** `--source-date-epoch N`: this run's SOURCE_DATE_EPOCH instead of the manifest's. */
  sourceDateEpoch?: string;
  /** A varied build of `tarsmith repro` (its own cache after the toolchain, a changed step environment). */
  variant?: BuildVariant;
  /** Do not predict the kernel config on the host (the in-build check still runs). */
  noKernelPreflight?: boolean;
}

export interface BuildOptions extends EngineOptions {
  /** Folder holding out/<name>/ (default: <manifest dir>/out). */
  out?: string;
  /** Only resolve and check the kernel config (nothing is compiled); writes out/<name>.kernel-config/. */
  kernelConfigOnly?: boolean;
  /** tarsmith's version, for the build record. */
  version: string;
}

export type { ArtifactHash, ArtifactLink } from './artifacts.js';

export interface BuildResult {
  name: string;
  target: string;
  out: string;
  artifacts: ArtifactHash[];
  /** Symlinks among the artifacts, with their targets (also in the build record). */
  symlinks: ArtifactLink[];
  record: string;
  /** provenance.json and sbom.cdx.json in out/<name>/ (not written by --kernel-config-only). */
  provenance?: string;
  sbom?: string;
  context: { size: number; files: number };
  /** The build's steps: how many, how many came from the cache, which ran (not with tty progress). */
  steps?: StepCounts;
  /** With `--cache-to type=registry,ref=REF` on a builder that exports only the inline cache: the cache images pushed. */
  cacheExports?: CacheExport[];
  /** Where the rootfs base came from: the build context, or the base image through the registry cache's registry. */
  base?: BaseOrigin;
  /** Where the toolchain image came from: the engine's store, or the registry cache's registry. */
  toolchain?: ToolchainOrigin;
  engine: { docker: string; mode: string; server: string; endpoint: string; context: string };
  /** With a kernel: the release, the kernel's vermagic, what the config check dropped (as allowed), the host's prediction against the kernel's .config. */
  kernel?: { release?: string; vermagic?: string; dropped: { fragment: string; line: number; text: string; allowedBy?: string }[]; prediction?: PredictionRecord };
}

/** Where a target's steps (`build.targets.T.steps[i]`, `build.steps[i]`) and artifacts are in the manifest. */
export function locateIn(m: Manifest, t: Target): Locate {
  return {
    target: t.name,
    step: (label) => {
      const own = /^build\.targets\.(.+)\.steps\[(\d+)\]$/.exec(label);
      if (own) return whereOf(m, `/build/targets/${escapePointer(own[1] as string)}/steps/${own[2] as string}`);
      const common = /^build\.steps\[(\d+)\]$/.exec(label);
      return common ? whereOf(m, `/build/steps/${common[1] as string}`) : undefined;
    },
    artifact: (glob) => {
      const i = t.artifacts.findIndex((a) => a.path === glob);
      return i >= 0 ? whereOf(m, `/build/targets/${escapePointer(t.name)}/artifacts/${i}`) : undefined;
    },
    self: () => whereOf(m, `/build/targets/${escapePointer(t.name)}`),
  };
}

/** Free bytes left to an unprivileged writer on the file system holding `dir` (undefined when unknown). */
async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const s = await fs.statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** Below this much free space after a failed export, the export ran out of room. */
const FULL_BELOW = 1024 * 1024;

/**
 * An export into `outRoot` that failed while its file system is (nearly) full: BuildKit's receiver only says
 * "context canceled". Say what happened, where, and how much room is left. Checked before the partial folder
 * is removed (which frees the space again).
 */
export async function failIfOutFull(e: unknown, outRoot: string, partial: string): Promise<void> {
  if (!isTarsmithError(e) || !e.failures.some((f) => f.code === 'engine.build-failed' || f.code === 'io.enospc')) return;
  const free = await freeBytes(outRoot);
  const said = e.failures.some((f) => /no space left on device/i.test([f.message, ...(f.details ?? [])].join('\n')));
  if (!said && (free === undefined || free >= FULL_BELOW)) return;
  fail({
    code: 'io.enospc',
    message: `no space left on the file system of ${outRoot} while the artifacts were exported into it (${free ?? '?'} bytes free)`,
    value: outRoot,
    exit: ExitCode.io,
    details: [`the partial export ${partial} is removed`],
    hint: 'free some space there, or pass --out a folder on a file system with room for the artifacts',
  });
}

/** The cache specs of a files export, checked against the builder before anything is staged or built. */
export function checkCacheSpecs(caps: EngineCaps, opts: EngineOptions): void {
  cacheArgs(cacheBuilder(caps.mode, caps.driver), 'local', opts.cacheFrom ?? [], opts.cacheTo ?? []);
}

/** What one stage's build gives: the staged context's size, the steps, the cache images pushed. */
export interface BuiltStage {
  size: number;
  files: number;
  steps?: StepCounts;
  cacheExports: CacheExport[];
}

/**
 * Stage the context, run one build with the given output; then, with a cache image export (`--cache-to
 * type=registry,ref=REF` on a builder that exports only the inline cache), build and push the cache image.
 */
export async function buildWith(
  caps: EngineCaps,
  m: Manifest,
  plan: Plan,
  opts: EngineOptions & { stage: string; output: BuildOutput; logFile?: string; logShownAs?: string; appendLog?: boolean; iidfile?: string; signal?: AbortSignal; onStarted?: () => void },
): Promise<BuiltStage> {
  const key = createHash('sha256').update(`${m.file}\0${plan.target.name}`).digest('hex').slice(0, 16);
  const ctx = await stageContext(plan.context, await stagingParent(m.dir), key);
  try {
    await fs.writeFile(path.join(ctx.dir, 'Dockerfile'), plan.dockerfile);
    await fs.writeFile(path.join(ctx.dir, '.dockerignore'), dockerignore());
    log.info(`build context: ${ctx.files} files, ${humanSize(ctx.size)} (staged in ${ctx.dir})`);
    const progress = opts.progress ?? 'auto';
    const cache = stageCache(cacheBuilder(caps.mode, caps.driver), opts.stage, opts.cacheFrom ?? [], opts.cacheTo ?? []);
    const req: BuildRequest = {
      contextDir: ctx.dir,
      dockerfile: path.join(ctx.dir, 'Dockerfile'),
      target: opts.stage,
      platform: buildPlatform(m, opts.platform),
      network: 'none',
      output: opts.output,
      secrets: plan.secrets,
      progress: progress === 'tty' ? 'tty' : 'plain',
      ...(opts.builder !== undefined ? { builder: opts.builder } : {}),
      ...(caps.driver !== undefined ? { driver: caps.driver } : {}),
      cacheFrom: cache.from,
      cacheTo: cache.to,
      ...(opts.iidfile !== undefined ? { iidfile: opts.iidfile } : {}),
      ...(opts.noCache ? { noCache: true } : {}),
    };
    const inv = buildArgv(caps.client, caps.mode, req);
    const run: RunOptions = {
      steps: plan.steps,
      what: `build of ${m.name} (target ${plan.target.name})`,
      locate: locateIn(m, plan.target),
      inherit: progress === 'tty',
      view: progress === 'auto' ? 'compact' : 'raw',
      ...(opts.logFile !== undefined ? { logFile: opts.logFile } : {}),
      ...(opts.logShownAs !== undefined ? { logShownAs: opts.logShownAs } : {}),
      ...(opts.appendLog ? { appendLog: true } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onStarted ? { onStarted: opts.onStarted } : {}),
    };
    const steps = await runBuild(inv, run);
    // The cache images are built from the same staged context, before it is removed (no second staging).
    const exported = inv.carriers.length > 0 ? await pushCacheImages(caps, req, inv.carriers, run) : [];
    return { size: ctx.size, files: ctx.files, ...(steps ? { steps } : {}), cacheExports: exported };
  } finally {
    await ctx.cleanup();
  }
}

/** `name:arch version` of every package installed in the toolchain image, as its package manager reports them. */
export async function installedPackages(client: readonly string[], image: string, family: 'apt' | 'apk'): Promise<Record<string, string>> {
  const query = family === 'apt' ? ['dpkg-query', '-W', '-f', '${binary:Package}\t${Version}\t${Architecture}\n'] : ['apk', 'info', '-v'];
  const r = await exec([...client, 'run', '--rm', '--network', 'none', '--entrypoint', '', image, ...query]);
  if (r.code !== 0) {
    return fail({ code: 'build.package-query', message: `cannot list the toolchain's packages: ${r.stderr.trim().split('\n').at(-1) ?? ''}`, exit: ExitCode.engine, value: image, hint: 'check that the toolchain image runs (`docker run --rm IMAGE true`)' });
  }
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    if (family === 'apt') {
      const [pkg, version, arch] = line.split('\t');
      if (pkg && version) out[pkg.includes(':') ? pkg : `${pkg}:${arch ?? ''}`] = version;
    } else {
      const m = /^(.+)-([^-]+-r\d+)$/.exec(line.trim());
      if (m) out[m[1]!] = m[2]!;
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The toolchain's installed packages for the build record: the list `tarsmith toolchain` recorded in the lock when
 * it made the image (a function of the layers both sides check), so no engine runs the image for it (which would
 * pull it onto a fresh engine). A lock written before the list was recorded: the image is asked, as before.
 */
async function toolchainPackages(caps: EngineCaps, lock: Lock, family: 'apt' | 'apk', origin: ToolchainOrigin | undefined): Promise<Record<string, string>> {
  const t = lock.toolchain as NonNullable<Lock['toolchain']>;
  if (t.installed) return t.installed;
  const image = origin?.pinned ?? t.tag;
  log.info(`tarsmith.lock records no package list for the toolchain image: asking ${image} (\`tarsmith toolchain\` records it)`);
  return installedPackages(caps.client, image, family);
}

function kernelRecord(plan: Plan, k: KernelOutcome | undefined) {
  if (!plan.kernel || !k) return {};
  const { spec, inputsHash } = plan.kernel;
  return {
    kernel: {
      source: spec.source, arch: spec.arch, crossCompile: spec.crossCompile ?? '', base: spec.base, fragments: spec.fragments, build: spec.build,
      inputsHash, release: k.release, vermagic: k.vermagic?.expected, modules: k.vermagic?.modules ?? [],
      dropped: k.report.dropped.map((e) => ({ fragment: e.fragment, line: e.line, text: e.expected, reason: e.why?.reason ?? e.reason, allowedBy: e.allowedBy })),
      ...(k.prediction ? { prediction: k.prediction } : {}),
    },
  };
}

interface RecordInputs {
  lock: Lock;
  trees: SourceTrees;
  overrides: readonly SourceOverride[];
}

function recordSources(m: Manifest, { lock, trees, overrides }: RecordInputs): Record<string, unknown> {
  const sources: Record<string, unknown> = {};
  for (const s of m.sources) {
    const l = lock.sources[s.name];
    const o = overrides.find((x) => x.name === s.name);
    // The policy the source was read with: what the build unpacked, and any refused class it was allowed.
    const tree = { sha256: trees[s.name]?.sha256, strip: s.strip, dropVcs: s.dropVcs, allowed: s.allow };
    // An overridden source: the file the build read, its sha256 and canonical tree, and the locked entry it stood in for.
    const override = o ? { overridden: true, locked: o.locked } : { treeHash: l?.treeHash };
    sources[s.name] = { file: o ? o.file : l?.file, sha256: l?.sha256, origin: l?.origin, private: s.private, tree, ...override };
  }
  return sources;
}

function buildRecord(m: Manifest, inputs: RecordInputs, plan: Plan, caps: EngineCaps, opts: BuildOptions, out: ExportedTree, installed?: Record<string, string>, k?: KernelOutcome, base?: BaseOrigin, toolchain?: ToolchainOrigin) {
  const { lock } = inputs;
  const sources = recordSources(m, inputs);
  return {
    tarsmith: opts.version,
    name: m.name,
    target: plan.target.name,
    platform: opts.platform ?? m.platform,
    ...(m.builder?.platform !== undefined ? { builderPlatform: m.builder.platform } : {}),
    sourceDateEpoch: m.sourceDateEpoch,
    inputs: { sources, patches: lock.patches, ...(lock.rootfs ? { rootfs: lock.rootfs } : {}), ...(lock.kernelConfigs ? { kernelConfigs: lock.kernelConfigs } : {}) },
    builder: {
      ...(m.builder?.image ? { image: m.builder.image } : {}),
      ...(m.builder?.rootfs ? { rootfs: m.builder.rootfs } : {}),
      ...(base ? { base } : {}),
      family: m.builder?.family,
      packages: m.builder?.packages ?? [],
      ...(lock.builderPackages ? { vendored: Object.fromEntries(Object.entries(lock.builderPackages.packages).map(([k, p]) => [k, { version: p.version, sha256: p.sha256 }])) } : {}),
      ...(installed ? { installed } : {}),
      ...(plan.needsToolchainImage && lock.toolchain ? { toolchain: toolchainEntry(lock.toolchain) } : {}),
      ...(toolchain ? { toolchainOrigin: toolchain } : {}),
    },
    engine: {
      client: caps.clientVersion, server: caps.serverVersion, mode: caps.mode, ...(caps.buildx ? { buildx: caps.buildx } : {}),
      endpoint: caps.endpoint.host, context: caps.endpoint.context, ...(caps.driver ? { driver: caps.driver } : {}),
    },
    args: {
      target: plan.target.name, ...(opts.platform ? { platform: opts.platform } : {}), ...(opts.builder ? { builder: opts.builder } : {}),
      ...(inputs.overrides.length > 0 ? { sources: inputs.overrides.map((o) => `${o.name}=${o.file}`) } : {}),
      ...(opts.sourceDateEpoch !== undefined ? { sourceDateEpoch: m.sourceDateEpoch } : {}),
    },
    dockerfileSha256: createHash('sha256').update(plan.dockerfile).digest('hex'),
    steps: plan.steps,
    ...kernelRecord(plan, k),
    ...(plan.components ? { components: plan.components.record } : {}),
    artifacts: out.files,
    symlinks: out.symlinks,
  };
}

/** The engine a result was built on, for the JSON result. */
export function engineSummary(caps: EngineCaps): BuildResult['engine'] {
  return { docker: caps.docker, mode: caps.mode, server: caps.serverVersion, endpoint: caps.endpoint.host, context: caps.endpoint.context };
}

export const RECORD_FILE = 'tarsmith-build.json';
export const ARTIFACT_SUMS = 'SHA256SUMS';
/** The files tarsmith writes beside the artifacts in out/<name>/. */
export const RESERVED_NAMES = [ARTIFACT_SUMS, RECORD_FILE, SBOM_FILE, PROVENANCE_FILE] as const;

/** The components a target built, as the SBOM lists them. */
function sbomComponents(cs: readonly Component[]): SbomComponent[] {
  return cs.map((c) => ({ name: c.name, sources: c.sources, depends: c.depends, kernel: c.kernel, build: c.build.kind === 'system' ? c.build.system : 'steps' }));
}

const sha256Of = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/**
 * The SBOM and the provenance of one build, from the manifest, the lock and what was exported (see
 * docs/design/attest.md); the byproducts are the other files written beside the artifacts, with their digests.
 */
async function attestations(m: Manifest, lock: Lock, plan: Plan, caps: EngineCaps, opts: BuildOptions, out: ExportedTree, written: { name: string; text: string | Buffer }[]) {
  // The SBOM's libraries (CycloneDX, package URLs) are loaded only here, at the end of a build.
  const [{ lockedInputs }, { sbomJson }] = await Promise.all([import('../attest/inputs.js'), import('../attest/sbom.js')]);
  const inputs = lockedInputs(m, lock);
  const subjects = out.files.map((f) => ({ name: f.path, sha256: f.sha256 }));
  const version = m.build?.version.find((v) => v.path === 'VERSION')?.content.trim();
  const sbom = sbomJson({ name: m.name, target: plan.target.name, ...(version ? { version } : {}), sourceDateEpoch: m.sourceDateEpoch, tarsmith: opts.version, artifacts: subjects, ...(plan.components ? { components: sbomComponents(plan.components.components) } : {}) }, inputs);
  let manifestText: Buffer;
  try {
    manifestText = await fs.readFile(m.file);
  } catch (e) {
    return fail(ioFailure(e, 'cannot read the manifest', m.file));
  }
  const options: BuildFacts['options'] = {
    ...(opts.builder !== undefined ? { builder: opts.builder } : {}),
    ...(opts.cacheFrom && opts.cacheFrom.length > 0 ? { cacheFrom: opts.cacheFrom } : {}),
    ...(opts.noCache ? { noCache: true } : {}),
    ...(opts.allowUnpinned ? { allowUnpinned: true } : {}),
  };
  const facts: BuildFacts = {
    name: m.name, target: plan.target.name, ...((opts.platform ?? m.platform) !== undefined ? { platform: (opts.platform ?? m.platform) as string } : {}),
    sourceDateEpoch: m.sourceDateEpoch, tarsmith: opts.version,
    engine: { client: caps.clientVersion, server: caps.serverVersion, mode: caps.mode, ...(caps.buildx ? { buildx: caps.buildx } : {}) },
    manifest: { name: path.basename(m.file), sha256: sha256Of(manifestText) },
    options, dockerfileSha256: sha256Of(plan.dockerfile), steps: plan.steps, subjects,
    symlinks: out.symlinks.map((l) => ({ path: l.path, target: l.target })),
    byproducts: [...written, { name: SBOM_FILE, text: sbom }].map((w) => ({ name: w.name, sha256: sha256Of(w.text) })),
    ...(plan.needsToolchainImage && lock.toolchain ? { toolchainImage: { tag: lock.toolchain.tag, layers: lock.toolchain.layers, inputsHash: lock.toolchain.inputsHash } } : {}),
  };
  return { sbom, provenance: provenanceJson(facts, inputs) };
}

/** `build --kernel-config-only`: the config stage, the check, and the resolved config with its report; no compile. */
async function kernelConfigOnly(caps: EngineCaps, m: Manifest, plan: Plan, opts: BuildOptions, final: string, logFile: string, pre: PreflightRun, base?: BaseOrigin, toolchain?: ToolchainOrigin): Promise<BuildResult> {
  if (!plan.kernel) {
    return fail({
      code: 'build.no-kernel', message: `target ${plan.target.name} does not build against the kernel`, value: plan.target.name, exit: ExitCode.usage,
      where: { file: m.file }, hint: 'pick a target with `kernel: true` (or modules), and a kernel: section in the manifest',
    });
  }
  let artifacts: ArtifactHash[] = [];
  const k = await kernelConfigPhase(m, plan, (stage, dest, control) => buildWith(caps, m, plan, { ...opts, stage, output: { kind: 'local', dest }, ...control }), async (dir) => {
    await withTempDirBeside(final, async (tmp) => {
      for (const f of ['config', 'config-check.json']) await fs.copyFile(path.join(dir, f), path.join(tmp, f));
      artifacts = (await scanExport(tmp)).files;
      await replaceDir(tmp, final);
    });
  }, pre, logFile);
  return {
    name: m.name, target: plan.target.name, out: final, artifacts, symlinks: [], record: path.join(final, 'config-check.json'), context: { size: 0, files: 0 },
    engine: engineSummary(caps), kernel: kernelSummary(k), ...(base ? { base } : {}), ...(toolchain ? { toolchain } : {}),
  };
}

/**
 * `prepareWithEngine` for a command that builds a target (build, image): the kernel pre-flight wired in (a refusal
 * of it is reported instead of any failure before the config stage), the cache specs checked, and the toolchain
 * and the rootfs base taken from where they come (the engine's store or the build context; with a registry cache,
 * the registry).
 */
export async function prepareTargetBuild(opts: EngineOptions) {
  const pre = preflightRunner(opts);
  const prepared = await pre.first(() => prepareWithEngine({ ...opts, beforeEngine: pre.hook }));
  const { manifest: m, lock, caps } = prepared;
  const sources = await pre.first(async () => {
    checkCacheSpecs(caps, opts);
    const tc = await registryToolchain(caps, m, lock, prepared.plan, opts);
    return { ...(await registryBase(caps, m, lock, tc.plan, opts)), ...(tc.toolchain ? { toolchain: tc.toolchain } : {}) };
  });
  return { ...prepared, ...sources, pre };
}

export async function build(opts: BuildOptions): Promise<BuildResult> {
  const { manifest: m, lock, trees, overrides, caps, plan, base, toolchain, pre } = await prepareTargetBuild(opts);
  const outRoot = path.resolve(opts.cwd ?? process.cwd(), opts.out ?? path.join(m.dir, 'out'));
  const name = outName(m, plan.target);
  const final = path.join(outRoot, name);
  const logFile = path.join(outRoot, `${name}.log`);
  const stale = await clearStaleTemps(final);
  if (stale > 0) log.info(`removed ${stale} folder(s) an interrupted build left in ${outRoot}`);
  let context: BuiltStage = { size: 0, files: 0, cacheExports: [] };
  const cacheExports: CacheExport[] = [];
  const stageBuilt = (b: BuiltStage): BuiltStage => {
    cacheExports.push(...b.cacheExports);
    return b;
  };
  let kernel: KernelOutcome | undefined;
  if (opts.kernelConfigOnly) return kernelConfigOnly(caps, m, plan, opts, path.join(outRoot, `${name}.kernel-config`), logFile, pre, base, toolchain);
  if (plan.kernel) {
    kernel = await kernelConfigPhase(m, plan, async (stage, dest, control) => stageBuilt(await buildWith(caps, m, plan, { ...opts, stage, output: { kind: 'local', dest }, ...control })), undefined, pre, logFile);
  }
  const exported = await withTempDirBeside(final, async (tmp) => {
    try {
      context = stageBuilt(await buildWith(caps, m, plan, { ...opts, stage: 'artifacts', output: { kind: 'local', dest: tmp }, logFile, appendLog: kernel !== undefined }));
    } catch (e) {
      await failIfOutFull(e, outRoot, tmp);
      throw e;
    }
    if (kernel) kernel = await finishKernel(tmp, kernel, { signed: plan.kernel?.spec.signingKey !== undefined });
    const out = await scanExport(tmp);
    const installed = plan.needsToolchainImage && lock.toolchain && m.builder ? await toolchainPackages(caps, lock, m.builder.family, toolchain) : undefined;
    for (const reserved of RESERVED_NAMES) {
      if ([...out.files, ...out.symlinks].some((h) => h.path === reserved)) {
        fail({ code: 'build.reserved-name', message: `an artifact is named ${reserved}, which tarsmith writes itself`, value: reserved, exit: ExitCode.usage, hint: 'rename the artifact (artifacts[].rename)' });
      }
    }
    // Names are bytes: the sums file is written byte for byte (binary-string names, latin1 out).
    const sums = Buffer.from(formatSums(out.rawFiles.map((h) => ({ file: h.name, sha256: h.sha256 }))), 'latin1');
    const record = canonicalJson(buildRecord(m, { lock, trees, overrides }, plan, caps, opts, out, installed, kernel, base, toolchain));
    const att = await attestations(m, lock, plan, caps, opts, out, [{ name: ARTIFACT_SUMS, text: sums }, { name: RECORD_FILE, text: record }]);
    try {
      await writeFileAtomic(path.join(tmp, ARTIFACT_SUMS), sums);
      await writeFileAtomic(path.join(tmp, RECORD_FILE), record);
      await writeFileAtomic(path.join(tmp, SBOM_FILE), att.sbom);
      await writeFileAtomic(path.join(tmp, PROVENANCE_FILE), att.provenance);
      await replaceDir(tmp, final);
    } catch (e) {
      fail(ioFailure(e, 'cannot write the build output', final));
    }
    return out;
  });
  return {
    name: m.name,
    target: plan.target.name,
    out: final,
    artifacts: exported.files,
    symlinks: exported.symlinks,
    record: path.join(final, RECORD_FILE),
    provenance: path.join(final, PROVENANCE_FILE),
    sbom: path.join(final, SBOM_FILE),
    context: { size: context.size, files: context.files },
    ...(context.steps ? { steps: context.steps } : {}),
    ...(cacheExports.length > 0 ? { cacheExports } : {}),
    ...(base ? { base } : {}),
    ...(toolchain ? { toolchain } : {}),
    engine: engineSummary(caps),
    ...(kernel ? { kernel: kernelSummary(kernel) } : {}),
  };
}

function kernelSummary(k: KernelOutcome): NonNullable<BuildResult['kernel']> {
  return {
    ...(k.release ? { release: k.release } : {}),
    ...(k.vermagic?.expected ? { vermagic: k.vermagic.expected } : {}),
    dropped: k.report.dropped.map((e) => ({ fragment: e.fragment, line: e.line, text: e.expected, ...(e.allowedBy ? { allowedBy: e.allowedBy } : {}) })),
    ...(k.prediction ? { prediction: k.prediction } : {}),
  };
}
