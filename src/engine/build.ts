/**
 * `tarsmith build`: verify → plan → build (network off) → export into a temp folder → SHA256SUMS and the build
 * record → rename into out/<name>/ only on success.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, ioFailure } from '../core/errors.js';
import { exec } from '../core/exec.js';
import { clearStaleTemps, replaceDir, withTempDirBeside, writeFileAtomic } from '../core/fs-atomic.js';
import { log } from '../core/log.js';
import { dockerignore } from '../dockerfile/generate.js';
import type { Manifest } from '../manifest/types.js';
import { canonicalJson, type Lock } from '../lock/lock.js';
import { formatSums } from '../lock/sha256sums.js';
import { buildArgv, type BuildOutput, type Progress } from './argv.js';
import { humanSize, stageContext, stagingParent } from './context.js';
import { outName, type Plan } from './plan.js';
import { prepareWithEngine } from './prepare.js';
import { describeEndpoint, type EngineCaps } from './probe.js';
import { runBuild } from './run.js';
import type { StepCounts } from './step-tally.js';
import { scanExport, type ArtifactHash, type ArtifactLink, type ExportedTree } from './artifacts.js';
import type { SourceTrees } from './trees.js';
import { finishKernel, kernelConfigPhase, type KernelOutcome } from './kernel-phase.js';

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
  context: { size: number; files: number };
  /** The build's steps: how many, how many came from the cache, which ran (not with tty progress). */
  steps?: StepCounts;
  engine: { docker: string; mode: string; server: string; endpoint: string; context: string };
  /** With a kernel: the release, the kernel's vermagic, what the config check dropped (as allowed). */
  kernel?: { release?: string; vermagic?: string; dropped: { fragment: string; line: number; text: string; allowedBy?: string }[] };
}

/** The layer diff IDs of a local image (content identity, unlike the image ID), or undefined when it is absent. */
export async function imageLayers(client: readonly string[], ref: string): Promise<string[] | undefined> {
  const r = await exec([...client, 'image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref]);
  if (r.code !== 0) return undefined;
  try {
    const v: unknown = JSON.parse(r.stdout);
    return Array.isArray(v) ? v.map(String) : undefined;
  } catch {
    return undefined;
  }
}

/** The toolchain image the plan needs must be the one `tarsmith toolchain` recorded, and still be there. */
export async function ensureToolchain(caps: EngineCaps, m: Manifest, lock: Lock, plan: Plan): Promise<void> {
  if (!plan.needsToolchainImage) return;
  const t = lock.toolchain;
  const run = 'run `tarsmith toolchain` (it installs the vendored packages, network off), then build again';
  if (!t || t.inputsHash !== plan.toolchainInputsHash) {
    fail({
      code: 'build.toolchain-stale',
      message: t ? 'the toolchain inputs changed since `tarsmith toolchain` ran' : 'no toolchain image is recorded in tarsmith.lock',
      exit: ExitCode.usage,
      where: { file: m.file },
      hint: run,
    });
  }
  const layers = await imageLayers(caps.client, t.tag);
  if (!layers || layers.join(' ') !== t.layers.join(' ')) {
    fail({
      code: 'build.toolchain-missing',
      message: !layers ? `the toolchain image ${t.tag} is not in the image store of the engine at ${describeEndpoint(caps.endpoint)}` : `the toolchain image ${t.tag} does not hold the layers recorded in tarsmith.lock`,
      value: t.tag,
      exit: ExitCode.engine,
      hint: run,
    });
  }
}

/** Stage the context, run one build with the given output; returns the staged context's size. */
export async function buildWith(
  caps: EngineCaps,
  m: Manifest,
  plan: Plan,
  opts: EngineOptions & { stage: string; output: BuildOutput; logFile?: string; appendLog?: boolean; iidfile?: string },
): Promise<{ size: number; files: number; steps?: StepCounts }> {
  const key = createHash('sha256').update(`${m.file}\0${plan.target.name}`).digest('hex').slice(0, 16);
  const ctx = await stageContext(plan.context, await stagingParent(m.dir), key);
  try {
    await fs.writeFile(path.join(ctx.dir, 'Dockerfile'), plan.dockerfile);
    await fs.writeFile(path.join(ctx.dir, '.dockerignore'), dockerignore());
    log.info(`build context: ${ctx.files} files, ${humanSize(ctx.size)} (staged in ${ctx.dir})`);
    const progress = opts.progress ?? 'auto';
    const inv = buildArgv(caps.client, caps.mode, {
      contextDir: ctx.dir,
      dockerfile: path.join(ctx.dir, 'Dockerfile'),
      target: opts.stage,
      platform: opts.platform ?? m.platform,
      network: 'none',
      output: opts.output,
      secrets: plan.secrets,
      progress: progress === 'tty' ? 'tty' : 'plain',
      ...(opts.builder !== undefined ? { builder: opts.builder } : {}),
      ...(caps.driver !== undefined ? { driver: caps.driver } : {}),
      cacheFrom: opts.cacheFrom ?? [],
      cacheTo: opts.cacheTo ?? [],
      ...(opts.iidfile !== undefined ? { iidfile: opts.iidfile } : {}),
      ...(opts.noCache ? { noCache: true } : {}),
    });
    const steps = await runBuild(inv, {
      steps: plan.steps,
      what: `build of ${m.name} (target ${plan.target.name})`,
      inherit: progress === 'tty',
      view: progress === 'auto' ? 'compact' : 'raw',
      ...(opts.logFile !== undefined ? { logFile: opts.logFile } : {}),
      ...(opts.appendLog ? { appendLog: true } : {}),
    });
    return { size: ctx.size, files: ctx.files, ...(steps ? { steps } : {}) };
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

function kernelRecord(plan: Plan, k: KernelOutcome | undefined) {
  if (!plan.kernel || !k) return {};
  const { spec, inputsHash } = plan.kernel;
  return {
    kernel: {
      source: spec.source, arch: spec.arch, crossCompile: spec.crossCompile ?? '', base: spec.base, fragments: spec.fragments, build: spec.build,
      inputsHash, release: k.release, vermagic: k.vermagic?.expected, modules: k.vermagic?.modules ?? [],
      dropped: k.report.dropped.map((e) => ({ fragment: e.fragment, line: e.line, text: e.expected, reason: e.why?.reason ?? e.reason, allowedBy: e.allowedBy })),
    },
  };
}

function buildRecord(m: Manifest, lock: Lock, trees: SourceTrees, plan: Plan, caps: EngineCaps, opts: BuildOptions, out: ExportedTree, installed?: Record<string, string>, k?: KernelOutcome) {
  const sources: Record<string, unknown> = {};
  for (const s of m.sources) {
    const l = lock.sources[s.name];
    // The policy the source was read with: what the build unpacked, and any refused class it was allowed.
    const tree = { sha256: trees[s.name]?.sha256, strip: s.strip, dropVcs: s.dropVcs, allowed: s.allow };
    sources[s.name] = { file: l?.file, sha256: l?.sha256, treeHash: l?.treeHash, origin: l?.origin, private: s.private, tree };
  }
  return {
    tarsmith: opts.version,
    name: m.name,
    target: plan.target.name,
    platform: opts.platform ?? m.platform,
    sourceDateEpoch: m.sourceDateEpoch,
    inputs: { sources, patches: lock.patches, ...(lock.rootfs ? { rootfs: lock.rootfs } : {}), ...(lock.kernelConfigs ? { kernelConfigs: lock.kernelConfigs } : {}) },
    builder: {
      ...(m.builder?.image ? { image: m.builder.image } : {}),
      ...(m.builder?.rootfs ? { rootfs: m.builder.rootfs } : {}),
      family: m.builder?.family,
      packages: m.builder?.packages ?? [],
      ...(lock.builderPackages ? { vendored: Object.fromEntries(Object.entries(lock.builderPackages.packages).map(([k, p]) => [k, { version: p.version, sha256: p.sha256 }])) } : {}),
      ...(installed ? { installed } : {}),
      ...(plan.needsToolchainImage && lock.toolchain ? { toolchain: lock.toolchain } : {}),
    },
    engine: {
      client: caps.clientVersion, server: caps.serverVersion, mode: caps.mode, ...(caps.buildx ? { buildx: caps.buildx } : {}),
      endpoint: caps.endpoint.host, context: caps.endpoint.context, ...(caps.driver ? { driver: caps.driver } : {}),
    },
    args: { target: plan.target.name, ...(opts.platform ? { platform: opts.platform } : {}), ...(opts.builder ? { builder: opts.builder } : {}) },
    dockerfileSha256: createHash('sha256').update(plan.dockerfile).digest('hex'),
    steps: plan.steps,
    ...kernelRecord(plan, k),
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

/** `build --kernel-config-only`: the config stage, the check, and the resolved config with its report; no compile. */
async function kernelConfigOnly(caps: EngineCaps, m: Manifest, plan: Plan, opts: BuildOptions, final: string, logFile: string): Promise<BuildResult> {
  if (!plan.kernel) {
    return fail({
      code: 'build.no-kernel', message: `target ${plan.target.name} does not build against the kernel`, value: plan.target.name, exit: ExitCode.usage,
      where: { file: m.file }, hint: 'pick a target with `kernel: true` (or modules), and a kernel: section in the manifest',
    });
  }
  let artifacts: ArtifactHash[] = [];
  await kernelConfigPhase(m, plan, (stage, dest) => buildWith(caps, m, plan, { ...opts, stage, output: { kind: 'local', dest }, logFile }), async (dir) => {
    await withTempDirBeside(final, async (tmp) => {
      for (const f of ['config', 'config-check.json']) await fs.copyFile(path.join(dir, f), path.join(tmp, f));
      artifacts = (await scanExport(tmp)).files;
      await replaceDir(tmp, final);
    });
  });
  return {
    name: m.name, target: plan.target.name, out: final, artifacts, symlinks: [], record: path.join(final, 'config-check.json'), context: { size: 0, files: 0 },
    engine: engineSummary(caps),
  };
}

export async function build(opts: BuildOptions): Promise<BuildResult> {
  const { manifest: m, lock, trees, plan, caps } = await prepareWithEngine(opts);
  await ensureToolchain(caps, m, lock, plan);
  const outRoot = path.resolve(opts.cwd ?? process.cwd(), opts.out ?? path.join(m.dir, 'out'));
  const name = outName(m, plan.target);
  const final = path.join(outRoot, name);
  const logFile = path.join(outRoot, `${name}.log`);
  const stale = await clearStaleTemps(final);
  if (stale > 0) log.info(`removed ${stale} folder(s) an interrupted build left in ${outRoot}`);
  let context: { size: number; files: number; steps?: StepCounts } = { size: 0, files: 0 };
  let kernel: KernelOutcome | undefined;
  if (opts.kernelConfigOnly) return kernelConfigOnly(caps, m, plan, opts, path.join(outRoot, `${name}.kernel-config`), logFile);
  if (plan.kernel) {
    kernel = await kernelConfigPhase(m, plan, (stage, dest) => buildWith(caps, m, plan, { ...opts, stage, output: { kind: 'local', dest }, logFile }));
  }
  const exported = await withTempDirBeside(final, async (tmp) => {
    context = await buildWith(caps, m, plan, { ...opts, stage: 'artifacts', output: { kind: 'local', dest: tmp }, logFile, appendLog: kernel !== undefined });
    if (kernel) kernel = await finishKernel(tmp, kernel);
    const out = await scanExport(tmp);
    const installed = plan.needsToolchainImage && lock.toolchain && m.builder ? await installedPackages(caps.client, lock.toolchain.tag, m.builder.family) : undefined;
    for (const reserved of [ARTIFACT_SUMS, RECORD_FILE]) {
      if ([...out.files, ...out.symlinks].some((h) => h.path === reserved)) {
        fail({ code: 'build.reserved-name', message: `an artifact is named ${reserved}, which tarsmith writes itself`, value: reserved, exit: ExitCode.usage, hint: 'rename the artifact (artifacts[].rename)' });
      }
    }
    try {
      // Names are bytes: the sums file is written byte for byte (binary-string names, latin1 out).
      const sums = formatSums(out.rawFiles.map((h) => ({ file: h.name, sha256: h.sha256 })));
      await writeFileAtomic(path.join(tmp, ARTIFACT_SUMS), Buffer.from(sums, 'latin1'));
      await writeFileAtomic(path.join(tmp, RECORD_FILE), canonicalJson(buildRecord(m, lock, trees, plan, caps, opts, out, installed, kernel)));
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
    context: { size: context.size, files: context.files },
    ...(context.steps ? { steps: context.steps } : {}),
    engine: engineSummary(caps),
    ...(kernel ? { kernel: kernelSummary(kernel) } : {}),
  };
}

function kernelSummary(k: KernelOutcome): NonNullable<BuildResult['kernel']> {
  return {
    ...(k.release ? { release: k.release } : {}),
    ...(k.vermagic?.expected ? { vermagic: k.vermagic.expected } : {}),
    dropped: k.report.dropped.map((e) => ({ fragment: e.fragment, line: e.line, text: e.expected, ...(e.allowedBy ? { allowedBy: e.allowedBy } : {}) })),
  };
}
