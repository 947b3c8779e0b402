/**
 * With a registry cache, the locked rootfs base travels through the registry instead of in the build context.
 * BuildKit must receive and checksum every file of the context, even when every step is a cache hit, and the
 * rootfs is most of it (450 MB for the example); an image base is only resolved (its manifest and config) until
 * a step really runs on it.
 *
 * The exporting side (`--cache-to type=registry|inline,ref=HOST/REPO:TAG`) makes sure the registry holds the base
 * image (base-image.ts) under `HOST/REPO:base-<16 hex of the rootfs sha256>`: loaded into its engine from the
 * archive when missing, tagged and pushed, unless the registry already has it. The importing side (`--cache-from
 * HOST/REPO:TAG`) reads what the registry holds under that tag before building: the manifest must name the config
 * digest tarsmith computes from the lock (a mismatch is refused); no such tag falls back to the rootfs in the
 * context. Both sides then build `FROM HOST/REPO@sha256:<manifest digest>`: the same Dockerfile, so the same cache
 * keys.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, renderDiagnostic } from '../core/errors.js';
import { log } from '../core/log.js';
import type { Lock } from '../lock/lock.js';
import { buildPlatform, type Manifest } from '../manifest/types.js';
import { baseImageId, baseImageTag, writeBaseImageArchive, type BaseImageInputs } from './base-image.js';
import { parseCacheSpec } from './cache.js';
import { stagingParent } from './context.js';
import { engineImageId, enginePlatform, loadImageArchive, parsePlatform } from './image-archive.js';
import { withRootfsImage, type Plan } from './plan.js';
import { describeEndpoint, type EngineCaps } from './probe.js';
import { parseImageRef, pushImage, type ImageRef } from './push.js';
import { lookupManifest } from './registry-api.js';

/** Where the build's rootfs base came from (in the JSON result and the build record). */
export interface BaseOrigin {
  /** `context`: the tarball in the build context; `registry`: the base image, pulled by digest. */
  from: 'context' | 'registry';
  /** The locked rootfs's sha256. */
  rootfs: string;
  /** The base image's ID, computed from the lock (with a registry cache). */
  imageId?: string;
  /** `HOST/REPO:base-…`, the tag the base image is under. */
  ref?: string;
  /** `HOST/REPO@sha256:…`, what the Dockerfile's base stage names. */
  pinned?: string;
  /** True when this run pushed the base image (false: the registry had it). */
  pushed?: boolean;
  /** Why the rootfs went in the context although a registry cache was given. */
  reason?: string;
}

/** The registry side of the cache specs: the first cache image exported, else the first registry import. */
export function registryCacheRef(cacheFrom: readonly string[], cacheTo: readonly string[]): { ref: ImageRef; side: 'export' | 'import' } | undefined {
  const pick = (texts: readonly string[], types: readonly string[]): ImageRef | undefined => {
    for (const text of texts) {
      let ref: string | undefined;
      try {
        const s = parseCacheSpec(text);
        ref = types.includes(s.type) ? s.attrs.ref : undefined;
      } catch {
        ref = undefined;
      }
      const r = ref === undefined ? undefined : parseImageRef(ref);
      if (r && !('error' in r)) return r;
    }
    return undefined;
  };
  const to = pick(cacheTo, ['registry', 'inline']);
  if (to) return { ref: to, side: 'export' };
  const from = pick(cacheFrom, ['registry']);
  return from ? { ref: from, side: 'import' } : undefined;
}

/** The registry API's host and repository of a reference (Docker Hub's for a reference without a host). */
export function apiName(r: ImageRef): { host: string; repository: string; name: string } {
  if (r.registry !== undefined) return { host: r.registry, repository: r.repository, name: `${r.registry}/${r.repository}` };
  return { host: 'registry-1.docker.io', repository: r.repository.includes('/') ? r.repository : `library/${r.repository}`, name: r.repository };
}

/** Load the base image into the engine from its archive (written beside the project's staging folder, then removed). */
async function loadBase(caps: EngineCaps, m: Manifest, rootfsFile: string, inputs: BaseImageInputs, tag: string): Promise<void> {
  const work = await fs.mkdtemp(path.join(await stagingParent(m.dir), 'tarsmith-base-'));
  try {
    log.info(`loading the base image ${tag} (the locked rootfs as one layer) into the engine at ${describeEndpoint(caps.endpoint)}`);
    const archive = await writeBaseImageArchive(rootfsFile, work, { ...inputs, tag });
    await loadImageArchive(caps.client, archive, tag);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/**
 * The plan and where its base comes from: with a registry cache and a rootfs base, the base image through that
 * registry (pushed on the exporting side when missing, checked on both); otherwise the plan as it is.
 */
export async function registryBase(
  caps: EngineCaps,
  m: Manifest,
  lock: Lock,
  plan: Plan,
  opts: { cacheFrom?: readonly string[]; cacheTo?: readonly string[]; platform?: string },
): Promise<{ plan: Plan; base?: BaseOrigin }> {
  const b = plan.spec.base;
  if (b.kind !== 'rootfs' || !lock.rootfs) return { plan };
  const rootfs = lock.rootfs.sha256;
  const reg = registryCacheRef(opts.cacheFrom ?? [], opts.cacheTo ?? []);
  if (!reg) return { plan, base: { from: 'context', rootfs } };
  const platformText = buildPlatform(m, opts.platform) ?? (await enginePlatform(caps.client));
  const platform = parsePlatform(platformText);
  if (!platform) {
    return fail({ code: 'engine.platform-unknown', message: `the builder platform ${JSON.stringify(platformText)} is not OS/ARCH[/VARIANT]`, value: platformText, exit: ExitCode.engine, hint: 'set builder.platform (or platform:) in tarsmith.yaml, e.g. linux/amd64' });
  }
  const inputs: BaseImageInputs = { rootfsSha256: rootfs, platform };
  const imageId = baseImageId(inputs);
  const api = apiName(reg.ref);
  const tag = baseImageTag(rootfs);
  const ref = `${api.name}:${tag}`;
  const found = await lookupManifest(api.host, api.repository, tag);
  let pinned: string;
  let pushed = false;
  if (found.found) {
    if (found.config !== imageId) {
      return fail({
        code: 'registry.base-mismatch',
        message: `the registry holds another image under ${ref}: its manifest ${found.digest} names ${found.config ? `the config ${found.config}` : `no config (${found.mediaType || 'not an image manifest'})`}, not the base image ${imageId} tarsmith computes from the locked rootfs (sha256 ${rootfs})`,
        value: found.url,
        exit: ExitCode.checkFailed,
        hint: `the tag was overwritten: delete ${ref} from the registry, then build once with --cache-to type=registry,ref=${api.name}:TAG (it pushes the base image the lock names); nothing was built`,
      });
    }
    pinned = `${api.name}@${found.digest}`;
  } else if (reg.side === 'import') {
    const reason = `the registry has no base image ${ref}`;
    log.info(renderDiagnostic({ code: 'registry.base-absent', severity: 'info', message: `${reason}: the rootfs goes to the engine in the build context`, value: found.url, hint: 'a build with --cache-to type=registry,ref=… pushes it beside the cache image' }));
    return { plan, base: { from: 'context', rootfs, imageId, ref, reason } };
  } else {
    const rootfsFile = path.resolve(m.dir, lock.rootfs.file);
    if ((await engineImageId(caps.client, imageId)) !== imageId) await loadBase(caps, m, rootfsFile, inputs, ref);
    const p = await pushImage(caps, imageId, ref);
    pinned = p.pinned;
    pushed = true;
  }
  log.info(`base image ${pinned} (${ref}, image ${imageId}): the rootfs is not in the build context`);
  return { plan: withRootfsImage(plan, pinned), base: { from: 'registry', rootfs, imageId, ref, pinned, pushed } };
}
