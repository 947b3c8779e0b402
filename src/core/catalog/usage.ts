/** Codes of bad command lines: an option's value, a missing option, two options that exclude each other. */
import { defineArea } from './types.js';

export const usage = defineArea('usage', 'the command line (options and arguments); `--help` shows each command\'s options', {
  'usage.bad-alpine-version': { exit: 'usage', severity: 'error', hint: 'give a stable release like 3.21; edge is never used for stable builds' },
  'usage.bad-format': { exit: 'usage', severity: 'error', hint: 'use --format tar.gz, tar.xz, tar.zst or tar' },
  'usage.bad-source-override': { exit: 'usage', severity: 'error', hint: 'give NAME=PATH, e.g. --source ask=packages/ASK-2.tar.gz (NAME is a source of the manifest), once per source' },
  'usage.bad-mirror': { exit: 'usage', severity: 'error', hint: 'name a folder holding the tarballs (by file name, or as sha256/HASH) and bare git repositories (NAME.git or HOST/PATH.git)' },
  'usage.bad-kind': { exit: 'usage', severity: 'error', hint: 'use --kind dockerfile, shell or list' },
  'usage.bad-source-date-epoch': { exit: 'usage', severity: 'error', hint: 'give e.g. --source-date-epoch 1700000000 (git: git log -1 --format=%ct)' },
  'usage.bad-value': { exit: 'usage', severity: 'error', hint: 'give a value the symbol\'s type accepts (y/m/n, a number, a string)' },
  'usage.frozen-update': { exit: 'usage', severity: 'error', hint: '--update re-resolves a source (a lock change), --frozen forbids lock changes: drop one of them' },
  'usage.missing-arch': { exit: 'usage', severity: 'error', hint: 'pass --arch (e.g. --arch arm64), or a .config whose header names it' },
  'usage.missing-source-date-epoch': { exit: 'usage', severity: 'error', hint: 'pass --source-date-epoch N, run next to a tarsmith.yaml with sourceDateEpoch, or set SOURCE_DATE_EPOCH' },
  'usage.needs-buildx': { exit: 'usage', severity: 'error', hint: 'install the buildx plugin (Debian: apt-get install docker-buildx), or drop the option' },
  'usage.unknown-source': { exit: 'usage', severity: 'error', hint: 'name a source of the manifest' },
  'usage.unsafe-path': { exit: 'usage', severity: 'error', hint: 'use a path without commas or quotes' },
  'usage.want-without-config': { exit: 'usage', severity: 'error', hint: 'pass the resolved .config with --config' },
  'usage.write-stdin': { exit: 'usage', severity: 'error', hint: 'give the file path, or drop --write' },
  'usage.bad-make-var': { exit: 'usage', severity: 'error', hint: 'give NAME=VALUE, e.g. --make-var USERCFLAGS=-O2' },
  'usage.conflicting-options': { exit: 'usage', severity: 'error', hint: 'drop one of the two options (see --help)' },
});
