import type { Command } from 'commander';
import { renderDiagnostic } from '../core/errors.js';
import { action, printJson } from './common.js';

interface ApkOptions {
  json?: boolean;
  write?: boolean;
  kind?: string;
  scan?: string;
  alpine?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `tarsmith convert`: rewrite build recipes for another builder family. */
export function register(program: Command): void {
  const convert = program.command('convert').description('convert build recipes between builder families');
  convert
    .command('apk')
    .description(
      'convert a Debian Dockerfile, shell script or package list to Alpine (apt-get install → apk add, ' +
        'FROM debian → alpine, Debian names → Alpine names, BusyBox caveats); prints a unified diff',
    )
    .argument('<file>', 'a Dockerfile, a shell script, a package list, or - for stdin')
    .option('--kind <kind>', 'dockerfile | shell | list (default: detected from the name and content)')
    .option('--write', 'rewrite FILE in place (atomically) instead of printing a diff')
    .option('--scan <dir>', "also audit the shell scripts and Makefiles under DIR for GNU-only tool use")
    .option('--alpine <version>', 'Alpine release for FROM lines (default 3.21)')
    .option('--json', 'print one JSON document: output, diff, packages, every decision and finding')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  tarsmith convert apk Dockerfile                 # show the diff\n' +
        '  tarsmith convert apk --write --scan . Dockerfile # rewrite in place, audit scripts under .\n' +
        '  echo "build-essential libssl-dev" | tarsmith convert apk --kind list -\n' +
        '\nExit codes: 0 converted; 1 converted but something needs a hand (no Alpine equivalent, multiarch, ' +
        'Debian-only command); 2 bad input or options; 3 cannot read/write.',
    )
    .action(
      action(async (file: string, opts: ApkOptions) => {
        const { runConvertApk, toJson } = await import('../convert/apk/run.js');
        const r = await runConvertApk({
          file,
          write: Boolean(opts.write),
          stdin: readStdin,
          ...(opts.kind !== undefined ? { kind: opts.kind } : {}),
          ...(opts.scan !== undefined ? { scan: opts.scan } : {}),
          ...(opts.alpine !== undefined ? { alpineVersion: opts.alpine } : {}),
        });
        if (opts.json) {
          printJson(toJson(r));
          return r.exit;
        }
        for (const f of r.result.findings) process.stderr.write(`${renderDiagnostic(f)}\n`);
        if (opts.write) process.stderr.write(r.wrote ? `wrote ${file}\n` : `${file}: nothing to change\n`);
        else process.stdout.write(r.diff);
        return r.exit;
      }),
    );
}
