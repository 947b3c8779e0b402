import type { Command } from 'commander';
import { register as registerSymbols } from './kconfig-symbols.js';
import { register as registerFilter } from './kconfig-filter.js';
import { register as registerCheck } from './kconfig-check.js';
import { register as registerExplain } from './kconfig-explain.js';
import { register as registerResolve } from './kconfig-resolve.js';

/** `tarsmith kconfig`: Kconfig tools working on a real kernel tree (folder or tarball). */
export function register(program: Command): void {
  const kconfig = program
    .command('kconfig')
    .description('read a kernel tree\'s Kconfig: list symbols, filter, check and explain config fragments, resolve a .config');
  registerSymbols(kconfig);
  registerFilter(kconfig);
  registerCheck(kconfig);
  registerExplain(kconfig);
  registerResolve(kconfig);
}
