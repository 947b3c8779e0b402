import type { Command } from 'commander';
import { engineArgs, engineOptions, type EngineCliOptions } from './engine-options.js';
import { action, globalOptions, printJson } from './common.js';

/** `tarsmith toolchain`: base + the vendored toolchain packages into an image (network off), recorded in the lock. */
export function register(program: Command): void {
  const cmd = program
    .command('toolchain')
    .description('build the base and the vendored builder packages (packages/debs/, network off) into an image named by the hash of its inputs; record its layers in tarsmith.lock')
    .option('--json', 'print one JSON result on stdout');
  engineOptions(cmd).addHelpText(
    'after',
    `
With builder.rootfs holding the toolchain (no builder.packages) there is nothing to do: \`tarsmith build\` runs
offline as is. Otherwise run \`tarsmith vendor\` (it resolves builder.packages and fetches every package file),
then this, once (and again whenever builder.* changes). It needs no network: the packages come from packages/,
per-run files are removed and mtimes clamped, so a --no-cache rebuild gives the same layers (the lock records
them, not the image ID). \`tarsmith build\` refuses a missing or stale toolchain image and never installs packages.

The image lives in the engine that built it: on another engine run this there too, or build once here with
\`tarsmith build --cache-to type=registry,ref=REF\`, which pushes the image beside the cache image
(REPO:toolchain-<16 hex of the inputs hash>) so that \`build --cache-from REF\` on another engine builds FROM it
by digest. --cache-to type=registry,ref=REF here pushes a cache image of it (REF with the tag TAG-toolchain), and
--cache-from REF on the other engine takes every step from it. The lock also records the packages installed in
the image (the build record's list, read without running it).

Exit codes: 0 done, 1 an input is missing or does not match the lock (or builder.packages are not vendored),
            2 bad manifest or option,
            4 engine missing or the package installation failed.

Examples:
  $ tarsmith toolchain
  $ tarsmith toolchain --progress plain --json
  $ tarsmith toolchain --no-cache     # rebuild from scratch: the same layers
  $ tarsmith toolchain --cache-to type=registry,ref=registry.example.org/team/gw:cache
  $ DOCKER_HOST=tcp://10.0.0.9:2375 tarsmith toolchain --cache-from registry.example.org/team/gw:cache`,
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
