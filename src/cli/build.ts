import { Option, type Command } from 'commander';
import { getLogLevel, log } from '../core/log.js';
import { action, globalOptions, printJson } from './common.js';
import { version } from './main.js';

function collect(value: string, prev: string[]): string[] {
  return [...prev, value];
}

/** The options every engine command shares (build, image, toolchain). */
export function engineOptions(cmd: Command): Command {
  return cmd
    .option('--platform <platform>', 'target platform (default: the manifest\'s platform)')
    .addOption(new Option('--progress <mode>', 'BuildKit progress output (on stderr)').choices(['auto', 'plain', 'tty']).default('auto'))
    .option('--docker <path>', 'docker client to use (default: $TARSMITH_DOCKER, else docker on PATH)')
    .option('--builder <name>', 'buildx builder instance (passed to docker buildx build)')
    .option('--cache-from <spec>', 'BuildKit cache source, e.g. type=local,src=DIR (repeatable)', collect, [])
    .option('--cache-to <spec>', 'BuildKit cache export, e.g. type=local,dest=DIR (buildx only; repeatable)', collect, [])
    .option('--allow-unpinned', 'accept a builder image without @sha256: digest')
    .option('--no-cache', 'ignore the BuildKit cache (a cold build)');
}

export interface EngineCliOptions {
  platform?: string;
  progress?: 'auto' | 'plain' | 'tty';
  docker?: string;
  builder?: string;
  cacheFrom: string[];
  cacheTo: string[];
  allowUnpinned?: boolean;
  /** commander's negatable option: false with --no-cache. */
  cache?: boolean;
  json?: boolean;
}

/** The options object for src/engine from the parsed command line. */
export function engineArgs(o: EngineCliOptions, manifest: string | undefined, target: string | undefined) {
  return {
    ...(manifest !== undefined ? { manifest } : {}),
    ...(target !== undefined ? { target } : {}),
    ...(o.platform !== undefined ? { platform: o.platform } : {}),
    ...(o.progress !== undefined ? { progress: o.progress } : {}),
    ...(o.docker !== undefined ? { docker: o.docker } : {}),
    ...(o.builder !== undefined ? { builder: o.builder } : {}),
    cacheFrom: o.cacheFrom,
    cacheTo: o.cacheTo,
    allowUnpinned: Boolean(o.allowUnpinned),
    noCache: o.cache === false,
  };
}

/** `tarsmith build [TARGET]`: verify, build offline, export the artifacts into out/<name>/. */
export function register(program: Command): void {
  const cmd = program
    .command('build')
    .argument('[target]', 'target to build (default: the first in build.targets)')
    .description('verify the inputs, build the target with the network off, export its artifacts into out/<name>/')
    .option('--out <dir>', 'folder that receives <name>/ (default: out/ beside the manifest)')
    .option('--json', 'print one JSON result on stdout');
  engineOptions(cmd).addHelpText(
    'after',
    `
Writes out/<name>/ (only on success): the artifacts, SHA256SUMS of them, and tarsmith-build.json (inputs and
their hashes, builder, target, arguments, tarsmith version). The full build log is out/<name>.log.

Exit codes: 0 built, 1 an input is missing or does not match the lock, 2 bad manifest or option,
            4 engine missing or a build step failed.

Examples:
  $ tarsmith build
  $ tarsmith build hello --out /tmp/out --progress plain
  $ tarsmith build --builder mybuilder --cache-to type=local,dest=/tmp/cache`,
  );
  cmd.action(
    action(async (target: string | undefined, o: EngineCliOptions & { out?: string }, c: Command) => {
      const { build } = await import('../engine/build.js');
      const g = globalOptions(c);
      const r = await build({ ...engineArgs(o, g.manifest, target), ...(o.out !== undefined ? { out: o.out } : {}), version: version() });
      if (o.json) printJson({ ok: true, ...r });
      else {
        log.info(`built ${r.name} (target ${r.target}): ${r.artifacts.length} files${r.symlinks.length > 0 ? ` and ${r.symlinks.length} symlinks` : ""} in ${r.out}`);
        if (getLogLevel() !== 'quiet') for (const a of r.artifacts) process.stdout.write(`${a.sha256}  ${a.path}\n`);
      }
    }),
  );
}
