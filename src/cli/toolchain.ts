import type { Command } from 'commander';
import { engineArgs, engineOptions, type EngineCliOptions } from './engine-options.js';
import { action, globalOptions, printJson } from './common.js';

/** `tarsmith toolchain`: the one networked step — base + toolchain packages into an image, recorded in the lock. */
export function register(program: Command): void {
  const cmd = program
    .command('toolchain')
    .description('build the base and its toolchain packages (the only step with network) into an image named by the hash of its inputs; record its ID in tarsmith.lock')
    .option('--json', 'print one JSON result on stdout');
  engineOptions(cmd).addHelpText(
    'after',
    `
With builder.rootfs holding the toolchain (no builder.packages) there is nothing to do: \`tarsmith build\` runs
offline as is. Otherwise run this once (and again whenever builder.* changes); \`tarsmith build\` refuses a
missing or stale toolchain image and never installs packages itself.

Exit codes: 0 done, 1 an input is missing or does not match the lock, 2 bad manifest or option,
            4 engine missing or the package installation failed.

Examples:
  $ tarsmith toolchain
  $ tarsmith toolchain --progress plain --json`,
  );
  cmd.action(
    action(async (o: EngineCliOptions, c: Command) => {
      const { toolchain } = await import('../engine/commands.js');
      const r = await toolchain(engineArgs(o, globalOptions(c).manifest, undefined));
      if (o.json) printJson({ ok: true, ...r });
      else if (r.needed) process.stdout.write(`${r.tag} ${r.imageId}\n`);
    }),
  );
}
