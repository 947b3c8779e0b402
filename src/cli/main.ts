/**
 * The CLI entry. Each command lives in its own file and registers itself; heavy modules are imported lazily
 * inside the actions so that `tarsmith --version` stays fast.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../core/errors.js';
import { version } from '../core/version.js';
import { takeExitCode } from './common.js';
import { register as registerSchema } from './schema.js';
import { register as registerVendor } from './vendor.js';
import { register as registerVerify } from './verify.js';
import { register as registerNormalize } from './normalize.js';
import { register as registerGenerate } from './generate.js';
import { register as registerToolchain } from './toolchain.js';
import { register as registerRootfs } from './rootfs.js';
import { register as registerBuild } from './build.js';
import { register as registerImage } from './image.js';
import { register as registerRepro } from './repro.js';
import { register as registerLegalInfo } from './legal-info.js';
import { register as registerKconfig } from './kconfig.js';
import { register as registerAudit } from './audit.js';
import { register as registerConvert } from './convert.js';

export function makeProgram(): Command {
  const program = new Command('tarsmith')
    .description('Offline, reproducible container builds of tarball-supplied upstream projects.')
    .version(version(), '-V, --version')
    .option('-m, --manifest <path>', 'manifest file (default: ./tarsmith.yaml)')
    .option('-q, --quiet', 'only print errors')
    .option('-v, --verbose', 'print more detail')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of [
    registerSchema,
    registerVendor,
    registerVerify,
    registerNormalize,
    registerGenerate,
    registerRootfs,
    registerToolchain,
    registerBuild,
    registerImage,
    registerRepro,
    registerLegalInfo,
    registerKconfig,
    registerAudit,
    registerConvert,
  ]) {
    register(program);
  }
  program.commands.forEach(function exitOverrideAll(c: Command) {
    c.exitOverride();
    c.commands.forEach(exitOverrideAll);
  });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = makeProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        return ExitCode.ok;
      }
      return ExitCode.usage;
    }
    throw e;
  }
  return takeExitCode();
}
