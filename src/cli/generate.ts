import type { Command } from 'commander';
import { log } from '../core/log.js';
import { action, globalOptions, printJson } from './common.js';
import { pinOption, sourceOption } from './engine-options.js';

/** `tarsmith generate`: the Dockerfile and helper files a build would use, written for review. */
export function register(program: Command): void {
  const cmd = program
    .command('generate')
    .argument('[target]', 'target (default: the first in build.targets)')
    .description('write the generated Dockerfile, .dockerignore and helper files for review (builds nothing)')
    .option('--out <dir>', 'folder to write (default: out/generated/ beside the manifest); replaced as a whole')
    .option('--with-inputs', 'also link the locked inputs in (rootfs, package files, sources): the folder is a complete build context')
    .option('--json', 'print one JSON result on stdout');
  sourceOption(pinOption(cmd))
    .addHelpText(
      'after',
      `
Writes Dockerfile, .dockerignore, Dockerfile.toolchain (when a toolchain image is needed), the helper scripts
under tarsmith/ (the toolchain's install script and packages.list among them), and inputs.tsv (which locked files
\`tarsmith build\` stages into the context, and from where). Dockerfile.toolchain lists every package it installs,
with its version. With --with-inputs the folder builds by hand, network off:
  DOCKER_BUILDKIT=1 docker build --network=none -f Dockerfile.toolchain --target toolchain -t TAG .
  DOCKER_BUILDKIT=1 docker build --network=none --target artifacts -o out .
(TAG is the FROM line of Dockerfile.) --source NAME=PATH plans with another file for source NAME, as \`build\` does.

Exit codes: 0 written, 1 not vendored yet, 2 bad manifest or option, or a stale toolchain record (run
\`tarsmith toolchain\` again).

Examples:
  $ tarsmith generate
  $ tarsmith generate hello --out /tmp/review && less /tmp/review/Dockerfile
  $ tarsmith generate --with-inputs --out /tmp/ctx
  $ tarsmith generate --source ask=packages/ASK-2.tar.gz --out /tmp/review`,
    )
    .action(
      action(async (target: string | undefined, o: { out?: string; allowUnpinned?: boolean; withInputs?: boolean; json?: boolean; source: string[]; sourceDateEpoch?: string }, c: Command) => {
        const { generate } = await import('../engine/commands.js');
        const g = globalOptions(c);
        const r = await generate({
          ...(g.manifest !== undefined ? { manifest: g.manifest } : {}),
          ...(target !== undefined ? { target } : {}),
          ...(o.out !== undefined ? { out: o.out } : {}),
          allowUnpinned: Boolean(o.allowUnpinned),
          withInputs: Boolean(o.withInputs),
          ...(o.source.length > 0 ? { sources: o.source } : {}),
          ...(o.sourceDateEpoch !== undefined ? { sourceDateEpoch: o.sourceDateEpoch } : {}),
        });
        if (o.json) printJson({ ok: true, ...r });
        else {
          log.info(`wrote ${r.files.length} files to ${r.out}`);
          process.stdout.write(`${r.out}\n`);
        }
      }),
    );
}
