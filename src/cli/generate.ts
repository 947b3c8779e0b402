import type { Command } from 'commander';
import { log } from '../core/log.js';
import { action, globalOptions, printJson } from './common.js';
import { pinOption } from './engine-options.js';

/** `tarsmith generate`: the Dockerfile and helper files a build would use, written for review. */
export function register(program: Command): void {
  const cmd = program
    .command('generate')
    .argument('[target]', 'target (default: the first in build.targets)')
    .description('write the generated Dockerfile, .dockerignore and helper files for review (builds nothing)')
    .option('--out <dir>', 'folder to write (default: out/generated/ beside the manifest); replaced as a whole')
    .option('--json', 'print one JSON result on stdout');
  pinOption(cmd)
    .addHelpText(
      'after',
      `
Writes Dockerfile, .dockerignore, Dockerfile.toolchain (when a toolchain image is needed), the helper scripts
under tarsmith/, and inputs.tsv (which locked files \`tarsmith build\` stages into the context, and from where).

Exit codes: 0 written, 1 not vendored yet, 2 bad manifest or option.

Examples:
  $ tarsmith generate
  $ tarsmith generate hello --out /tmp/review && less /tmp/review/Dockerfile`,
    )
    .action(
      action(async (target: string | undefined, o: { out?: string; allowUnpinned?: boolean; json?: boolean }, c: Command) => {
        const { generate } = await import('../engine/commands.js');
        const g = globalOptions(c);
        const r = await generate({
          ...(g.manifest !== undefined ? { manifest: g.manifest } : {}),
          ...(target !== undefined ? { target } : {}),
          ...(o.out !== undefined ? { out: o.out } : {}),
          allowUnpinned: Boolean(o.allowUnpinned),
        });
        if (o.json) printJson({ ok: true, ...r });
        else {
          log.info(`wrote ${r.files.length} files to ${r.out}`);
          process.stdout.write(`${r.out}\n`);
        }
      }),
    );
}
