import type { Command } from 'commander';
import { engineArgs, engineOptions, sourceOption, type EngineCliOptions } from './engine-options.js';
import { action, globalOptions, printJson } from './common.js';

/** `tarsmith image [TARGET]`: the runtime stage (artifacts under /opt/<name>/) loaded into the local image store. */
export function register(program: Command): void {
  const cmd = program
    .command('image')
    .argument('[target]', 'target to build (default: the first in build.targets)')
    .description('build the target with the network off and load its runtime image (FROM scratch, artifacts under /opt/<name>/) into the local image store')
    .option('--tag <tag>', 'image tag (default: <name>:<target>)')
    .option('--json', 'print one JSON result on stdout');
  sourceOption(engineOptions(cmd)).addHelpText(
    'after',
    `
--source NAME=PATH builds source NAME from another file for this run, as for \`tarsmith build\` (hashed, checked,
announced; tarsmith.lock is not changed).

Exit codes: 0 loaded, 1 an input is missing or does not match the lock, 2 bad manifest or option,
            4 engine missing or a build step failed.

Examples:
  $ tarsmith image
  $ tarsmith image hello --tag registry.example.org/hello:1.0
  $ tarsmith image dist --tag ask:2 --source ask=packages/ASK-2.tar.gz`,
  );
  cmd.action(
    action(async (target: string | undefined, o: EngineCliOptions & { tag?: string }, c: Command) => {
      const { image } = await import('../engine/commands.js');
      const r = await image({ ...engineArgs(o, globalOptions(c).manifest, target), ...(o.tag !== undefined ? { tag: o.tag } : {}) });
      if (o.json) printJson({ ok: true, ...r });
      else process.stdout.write(`${r.tag} ${r.imageId}\n`);
    }),
  );
}
