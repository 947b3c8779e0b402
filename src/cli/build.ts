import type { Command } from 'commander';
import { getLogLevel, log } from '../core/log.js';
import { version } from '../core/version.js';
import { action, globalOptions, printJson } from './common.js';
import { engineArgs, engineOptions, type EngineCliOptions } from './engine-options.js';

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
