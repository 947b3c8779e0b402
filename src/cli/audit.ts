import type { Command } from 'commander';
import { register as registerFetch } from './audit-fetch.js';
import { register as registerMusl } from './audit-musl.js';

/** `tarsmith audit`: a group of source-tree audits. */
export function register(program: Command): void {
  const audit = program.command('audit').description('audit an upstream source tree (a folder or a tarball)');
  registerFetch(audit);
  registerMusl(audit);
}
