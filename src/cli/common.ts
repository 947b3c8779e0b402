/** Shared plumbing for commands: error rendering, exit codes, JSON output. No command logic lives here. */
import type { Command } from 'commander';
import { ExitCode, diagnosticToJson, isTarsmithError, renderDiagnostic, type Failure } from '../core/errors.js';
import { setLogLevel } from '../core/log.js';

/** Exit code a command action wants; set by `action()`. */
let pendingExit: number = ExitCode.ok;
export function takeExitCode(): number {
  const c = pendingExit;
  pendingExit = ExitCode.ok;
  return c;
}

export interface GlobalOptions {
  manifest?: string;
  quiet?: boolean;
  verbose?: boolean;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/** Print one machine-readable result on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printFailures(failures: readonly Failure[], json: boolean): void {
  if (json) {
    printJson({ ok: false, errors: failures.map(diagnosticToJson) });
    return;
  }
  for (const f of failures) process.stderr.write(`${renderDiagnostic(f)}\n`);
}

/**
 * Wrap a command's action: the handler returns its exit code (or nothing for success); a thrown TarsmithError
 * is rendered (as JSON when the command has `--json`) and mapped to its exit code; anything else is a bug.
 */
export function action<A extends unknown[]>(
  handler: (...args: A) => Promise<number | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const cmd = args[args.length - 1] as Command;
    const opts = (typeof cmd?.optsWithGlobals === 'function' ? cmd.optsWithGlobals() : {}) as GlobalOptions & {
      json?: boolean;
    };
    if (opts.quiet) setLogLevel('quiet');
    if (opts.verbose) setLogLevel('verbose');
    try {
      const code = await handler(...args);
      pendingExit = code ?? ExitCode.ok;
    } catch (e) {
      if (isTarsmithError(e)) {
        printFailures(e.failures, Boolean(opts.json));
        pendingExit = e.exit;
        return;
      }
      throw e;
    }
  };
}
