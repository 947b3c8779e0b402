/**
 * Running the resolver in a container of the builder's base, with the default network (this step, at vendor time,
 * is the only one of the toolchain that talks to the archive). A rootfs base is imported once into the local
 * image store under a tag named by its sha256; an image base is used by its pinned reference.
 */
import * as path from 'node:path';
import { ExitCode, fail } from '../../core/errors.js';
import { exec } from '../../core/exec.js';
import { log } from '../../core/log.js';
import type { BuilderFamily } from '../../manifest/types.js';
import { aptErrors, aptResolveArgv, parseAptResolution } from './apt.js';
import { apkResolveArgv, parseApkResolution } from './apk.js';
import type { Resolution } from './types.js';

export type ResolverBase = { kind: 'rootfs'; file: string; sha256: string } | { kind: 'image'; ref: string };

export interface ResolveRequest {
  docker: string;
  base: ResolverBase;
  family: BuilderFamily;
  /** The names the package manager is asked for (apk: already translated). */
  names: string[];
}

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The tag a rootfs base is imported under: `tarsmith-base/rootfs:<first 16 hex of its sha256>`. */
export function rootfsImageTag(sha256: string): string {
  return `tarsmith-base/rootfs:${sha256.slice(0, 16)}`;
}

async function baseImage(docker: string, base: ResolverBase): Promise<string> {
  if (base.kind === 'image') return base.ref;
  const tag = rootfsImageTag(base.sha256);
  const have = await exec([docker, 'image', 'inspect', '--format', '{{.Id}}', tag]);
  if (have.code === 0) return tag;
  log.info(`importing the builder rootfs ${path.basename(base.file)} as ${tag} (once) to resolve the packages over it`);
  const r = await exec([docker, 'import', base.file, tag]);
  if (r.code !== 0) {
    fail({
      code: 'toolchain.base-import-failed',
      message: `cannot import the builder rootfs into the engine: ${r.stderr.trim().split('\n').at(-1) ?? ''}`,
      exit: ExitCode.engine,
      value: base.file,
      hint: 'check that the Docker engine runs (`docker info`) and that the rootfs is a tar of a root filesystem',
    });
  }
  return tag;
}

/** The `docker run` argv of a resolution (pure; the script takes every value as an argument). */
export function resolveRunArgv(docker: string, image: string, family: BuilderFamily, names: readonly string[]): string[] {
  const inner = family === 'apt' ? aptResolveArgv(names) : apkResolveArgv(names);
  return [docker, 'run', '--rm', '--network', 'default', '-e', PATH_ENV, '--entrypoint', '', image, ...inner];
}

/** docker's own error line ("docker: Error response from daemon: ..."), without its "See 'docker run --help'." */
function dockerMessage(stderr: string): string | undefined {
  return stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^(See|Run) 'docker /.test(l)).at(-1);
}

/** Resolve the closure over the base. The network is used here, by the package manager in the container. */
export async function resolvePackages(req: ResolveRequest): Promise<Resolution> {
  const image = await baseImage(req.docker, req.base);
  log.info(`resolving ${req.names.length} builder package(s) over the builder's base with ${req.family === 'apt' ? 'apt' : 'apk'} (network used here only)`);
  const r = await exec(resolveRunArgv(req.docker, image, req.family, req.names), { onStderrLine: (l) => log.verbose(`  ${l}`) });
  if (r.code === 125) {
    // docker's own failure (the container never ran): its message, not the package manager's.
    fail({
      code: 'toolchain.resolver-not-started',
      message: `the engine could not start the resolver container from ${image}: ${dockerMessage(r.stderr) ?? `exit ${r.code}`}`,
      exit: ExitCode.engine,
      value: image,
      hint: 'check the engine (`docker info`) and that the base image is present (`docker image inspect IMAGE`); then run `tarsmith vendor` again',
    });
  }
  if (r.code !== 0) {
    const why = req.family === 'apt' ? aptErrors(r.stderr) : r.stderr.trim().split('\n').slice(-3);
    const tool = req.family === 'apt' ? 'apt' : 'apk';
    const said = why.join('; ') || `exit ${r.code}`;
    if (/unable to locate|not found|no such package|has no installation candidate|unable to select/i.test(said)) {
      fail({
        code: 'toolchain.unknown-package',
        message: `${tool} in the builder's base does not know a package of builder.packages: ${said}`,
        exit: ExitCode.usage,
        value: req.names.join(' '),
        hint: 'check the names (and :ARCH qualifiers) against the base\'s distribution and release (`apt-cache policy NAME` in the base)',
      });
    }
    fail({
      code: 'toolchain.resolve-failed',
      message: `${tool} cannot resolve builder.packages over the builder's base: ${said}`,
      exit: ExitCode.io,
      value: req.names.join(' '),
      hint: 'the archive must be reachable from a container (`docker run` with the default network); run `tarsmith vendor -v` for apt\'s output',
    });
  }
  const res = req.family === 'apt' ? parseAptResolution(r.stdout, req.names) : parseApkResolution(r.stdout);
  if (!res.native) {
    fail({ code: 'toolchain.resolve-output', message: 'the resolver printed no native architecture line', exit: ExitCode.internal, hint: 'report this as a bug with `tarsmith vendor -v` output' });
  }
  return res;
}
