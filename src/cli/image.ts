import type { Command } from 'commander';
import { engineArgs, engineOptions, sourceOption, type EngineCliOptions } from './engine-options.js';
import { action, globalOptions, printJson } from './common.js';

/** `tarsmith image [TARGET]`: the runtime stage (artifacts under /opt/<name>/) loaded into the local image store. */
export function register(program: Command): void {
  const cmd = program
    .command('image')
    .argument('[target]', 'target to build (default: the first in build.targets)')
    .description('build the target with the network off and load its runtime image (one layer: the artifacts under /opt/<name>/) into the local image store; the same image ID on every run')
    .option('--tag <tag>', 'image tag (default: <name>:<target>)')
    .option('--json', 'print one JSON result on stdout');
  sourceOption(engineOptions(cmd)).addHelpText(
    'after',
    `
The image is written by tarsmith, not by the engine: one layer holding the artifacts under /opt/<name>/
(entries sorted, mtimes SOURCE_DATE_EPOCH, owner root, modes 0755/0644), its config's created time and
history from SOURCE_DATE_EPOCH, loaded with docker load. The same inputs give the same image ID on every run
and machine, --no-cache or not. The platform is the manifest's (or --platform), else the engine's.

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
