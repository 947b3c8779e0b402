/**
 * `tarsmith toolchain`, `tarsmith image` and `tarsmith generate`: the engine commands besides `build`.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, ioFailure } from '../core/errors.js';
import { replaceDir, withTempDirBeside } from '../core/fs-atomic.js';
import { log } from '../core/log.js';
import { dockerignore } from '../dockerfile/generate.js';
import { writeLock } from '../lock/lock.js';
import { buildPlatform } from '../manifest/types.js';
import { buildArgv, type BuildRequest } from './argv.js';
import { cacheBuilder, stageCache } from './cache.js';
import { pushCacheImages, type CacheExport } from './cache-carrier.js';
import { buildWith, installedPackages, prepareTargetBuild, type BuiltStage, type EngineOptions } from './build.js';
import { checkToolchainRecord, imageLayers, type ToolchainOrigin } from './toolchain-image.js';
import { humanSize, stageContext, stagingParent } from './context.js';
import { toolchainTag } from './plan.js';
import { prepare, probeOptions } from './prepare.js';
import type { BaseOrigin } from './registry-base.js';
import { probeEngine, type EngineCaps } from './probe.js';
import { checkPushRef, pushImage, type PushResult } from './push.js';
import { runBuild, type RunOptions } from './run.js';
import type { StepCounts } from './step-tally.js';
import { kernelConfigPhase } from './kernel-phase.js';
import { scanExport } from './artifacts.js';
import { enginePlatform, loadImageArchive, parsePlatform, writeImageArchive } from './image-archive.js';

async function probe(opts: EngineOptions): Promise<EngineCaps> {
  const caps = await probeEngine(probeOptions(opts));
  for (const n of caps.notes) log.info(`note: ${n}`);
  return caps;
}

async function readIid(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch (e) {
    return fail({ ...ioFailure(e, 'the engine wrote no image ID', file), exit: ExitCode.engine });
  }
}

export interface ToolchainResult {
  needed: boolean;
  tag?: string;
  imageId?: string;
  /** Layer diff IDs: the toolchain's identity (the image ID also holds the build time). */
  layers?: string[];
  inputsHash: string;
  /** With `--cache-to type=registry,ref=REF` on a builder that exports only the inline cache: the cache image pushed. */
  cacheExports?: CacheExport[];
}

/** Build base + toolchain from the locked files (network off) into an image named by its inputs; record its layers. */
export async function toolchain(opts: EngineOptions): Promise<ToolchainResult> {
  const { manifest: m, lock, plan } = await prepare(opts);
  if (!plan.needsToolchainImage) {
    log.info('no toolchain step needed: the builder rootfs holds the toolchain, `tarsmith build` runs offline as is');
    return { needed: false, inputsHash: plan.toolchainInputsHash };
  }
  const caps = await probe(opts);
  const tag = toolchainTag(m, plan.toolchainInputsHash);
  const ctx = await stageContext(plan.toolchainContext, await stagingParent(m.dir));
  let imageId: string;
  let cacheExports: CacheExport[] = [];
  try {
    const dockerfile = path.join(ctx.dir, 'Dockerfile');
    await fs.writeFile(dockerfile, plan.toolchainDockerfile);
    const iid = path.join(ctx.dir, '.iid');
    log.info(`toolchain context: ${ctx.files} files, ${humanSize(ctx.size)}`);
    const progress = opts.progress ?? 'auto';
    const cache = stageCache(cacheBuilder(caps.mode, caps.driver), 'toolchain', opts.cacheFrom ?? [], opts.cacheTo ?? []);
    const req: BuildRequest = {
      contextDir: ctx.dir,
      dockerfile,
      target: 'toolchain',
      platform: buildPlatform(m, opts.platform),
      network: 'none',
      output: { kind: 'image', tag },
      secrets: [],
      progress: progress === 'tty' ? 'tty' : 'plain',
      ...(opts.builder !== undefined ? { builder: opts.builder } : {}),
      ...(caps.driver !== undefined ? { driver: caps.driver } : {}),
      cacheFrom: cache.from,
      cacheTo: cache.to,
      iidfile: iid,
      ...(opts.noCache ? { noCache: true } : {}),
    };
    const inv = buildArgv(caps.client, caps.mode, req);
    const run: RunOptions = { steps: [], what: `toolchain of ${m.name}`, inherit: progress === 'tty', view: progress === 'auto' ? 'compact' : 'raw' };
    await runBuild(inv, run);
    if (inv.carriers.length > 0) cacheExports = await pushCacheImages(caps, req, inv.carriers, run);
    imageId = await readIid(iid);
  } finally {
    await ctx.cleanup();
  }
  const layers = await imageLayers(caps, tag);
  if (!layers) return fail({ code: 'engine.image-missing', message: `the engine built ${tag} but does not show it`, exit: ExitCode.engine, value: tag, hint: 'check `docker image ls`; run again' });
  // The packages installed in it, recorded once here: a build lists them from the lock, without running the image.
  const installed = m.builder ? await installedPackages(caps.client, tag, m.builder.family) : undefined;
  await writeLock(m.dir, { ...lock, toolchain: { inputsHash: plan.toolchainInputsHash, tag, layers, ...(installed ? { installed } : {}) } });
  return { needed: true, tag, imageId, layers, inputsHash: plan.toolchainInputsHash, ...(cacheExports.length > 0 ? { cacheExports } : {}) };
}

export interface ImageResult {
  tag: string;
  imageId: string;
  target: string;
  /** The layer's diff ID (sha256 of the uncompressed layer tar). */
  layer: string;
  platform: string;
  /** With --push: the reference, and the digest the registry stored. */
  pushed?: PushResult;
  /** The artifacts build's steps: how many, how many came from the cache, which ran. */
  steps?: StepCounts;
  /** With `--cache-to type=registry,ref=REF` on a builder that exports only the inline cache: the cache images pushed. */
  cacheExports?: CacheExport[];
  /** Where the rootfs base came from: the build context, or the base image through the registry cache's registry. */
  base?: BaseOrigin;
  /** Where the toolchain image came from: the engine's store, or the registry cache's registry. */
  toolchain?: ToolchainOrigin;
}

/**
 * Build the artifacts (network off), then write the runtime image (one layer: the artifacts under /opt/<name>/)
 * as a Docker image archive with times from SOURCE_DATE_EPOCH and load it: the same image ID on every run
 * (see image-archive.ts). With `push`, the loaded tag is pushed to that reference by the engine.
 */
export async function image(opts: EngineOptions & { tag?: string; push?: string }): Promise<ImageResult> {
  // A bad reference is refused before anything is built.
  if (opts.push !== undefined) checkPushRef(opts.push);
  const { manifest: m, caps, plan, base, toolchain, pre } = await prepareTargetBuild(opts);
  const tag = opts.tag ?? `${m.name.toLowerCase()}:${plan.target.name.toLowerCase()}`;
  // The kernel config is checked before compiling, as for `build`.
  const cacheExports: CacheExport[] = [];
  const stageBuilt = (b: BuiltStage): BuiltStage => {
    cacheExports.push(...b.cacheExports);
    return b;
  };
  if (plan.kernel) await kernelConfigPhase(m, plan, async (stage, dest, { signal, onStarted }) => stageBuilt(await buildWith(caps, m, plan, { ...opts, stage, output: { kind: 'local', dest }, signal, onStarted })), undefined, pre);
  const work = await fs.mkdtemp(path.join(await stagingParent(m.dir), 'tarsmith-image-'));
  try {
    const exported = path.join(work, 'artifacts');
    const built = stageBuilt(await buildWith(caps, m, plan, { ...opts, stage: 'artifacts', output: { kind: 'local', dest: exported } }));
    await scanExport(exported);
    const platform = opts.platform ?? m.platform ?? (await enginePlatform(caps.client));
    const parsed = parsePlatform(platform);
    if (!parsed) {
      return fail({ code: 'engine.platform-unknown', message: `the platform ${JSON.stringify(platform)} is not OS/ARCH[/VARIANT]`, value: platform, exit: ExitCode.engine, hint: 'set platform: in tarsmith.yaml (e.g. linux/amd64), or pass --platform' });
    }
    log.info(`writing the image archive of ${tag} (${platform}, created ${new Date(m.sourceDateEpoch * 1000).toISOString()})`);
    const archive = await writeImageArchive(exported, work, { tag, platform: parsed, sourceDateEpoch: m.sourceDateEpoch, name: m.name, target: plan.target.name });
    await loadImageArchive(caps.client, archive, tag);
    // The push takes the local tag: the engine DOCKER_HOST or --context names sends it to the registry.
    const pushed = opts.push !== undefined ? await pushImage(caps, tag, opts.push) : undefined;
    return { tag, imageId: archive.imageId, target: plan.target.name, layer: archive.diffId, platform, ...(pushed ? { pushed } : {}), ...(built.steps ? { steps: built.steps } : {}), ...(cacheExports.length > 0 ? { cacheExports } : {}), ...(base ? { base } : {}), ...(toolchain ? { toolchain } : {}) };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

async function linkInput(src: string, dest: string): Promise<void> {
  await fs.mkdir(path.dirname(dest), { recursive: true });
  try {
    await fs.link(src, dest);
  } catch {
    try {
      await fs.copyFile(src, dest, fsConstants.COPYFILE_FICLONE);
    } catch (e) {
      fail({ ...ioFailure(e, 'cannot place build input', src), code: 'build.input-missing', exit: ExitCode.checkFailed, hint: 'run `tarsmith vendor` to fetch the inputs again' });
    }
  }
}

export interface GenerateResult {
  out: string;
  files: string[];
  inputs: { contextPath: string; src: string }[];
}

/** Write the Dockerfile, .dockerignore and helper files for review, and list the inputs a build would stage. */
export async function generate(opts: { manifest?: string; cwd?: string; target?: string; out?: string; allowUnpinned?: boolean; withInputs?: boolean; sources?: readonly string[]; sourceDateEpoch?: string }): Promise<GenerateResult> {
  const { manifest: m, lock, plan } = await prepare({ ...opts, skipVerify: true });
  checkToolchainRecord(m, lock, plan, false);
  const out = path.resolve(opts.cwd ?? process.cwd(), opts.out ?? path.join(m.dir, 'out', 'generated'));
  const files: [string, string, number][] = [
    ['Dockerfile', plan.dockerfile, 0o644],
    ['.dockerignore', dockerignore(), 0o644],
  ];
  if (plan.needsToolchainImage) files.push(['Dockerfile.toolchain', plan.toolchainDockerfile, 0o644]);
  const generated = [...plan.context, ...(plan.needsToolchainImage ? plan.toolchainContext : [])];
  for (const c of generated) if (c.content !== undefined) files.push([c.contextPath, c.content, c.mode ?? 0o644]);
  const inputs = [...plan.context, ...(plan.needsToolchainImage ? plan.toolchainContext : [])]
    .filter((c) => c.src !== undefined)
    .map((c) => ({ contextPath: c.contextPath, src: c.src as string }));
  const listing = inputs.map((i) => `${i.contextPath}\t${path.relative(m.dir, i.src)}\n`).join('');
  files.push(['inputs.tsv', `# context path\tfile (relative to the manifest); staged by \`tarsmith build\`\n${listing}`, 0o644]);
  await withTempDirBeside(out, async (tmp) => {
    for (const [rel, content, mode] of files) {
      const p = path.join(tmp, ...rel.split('/'));
      await fs.mkdir(path.dirname(p), { recursive: true });
      await fs.writeFile(p, content, { mode });
      await fs.chmod(p, mode);
    }
    // With --with-inputs the folder is a complete build context: `docker build` works on it by hand.
    if (opts.withInputs) for (const i of inputs) await linkInput(i.src, path.join(tmp, ...i.contextPath.split('/')));
    await replaceDir(tmp, out);
  });
  return { out, files: files.map((f) => f[0]).sort(), inputs };
}
