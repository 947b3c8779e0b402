/** Codes of `tarsmith audit fetch` and `tarsmith audit musl`. */
import { defineArea } from './types.js';

export const audit = defineArea('audit', 'the fetch and musl audits of an upstream tree', {
  'audit.file-too-large': { exit: 'usage', severity: 'error', hint: 'such a file is generated or not C at all: audit the tree without it (remove it from a copy, or audit the folders beside it)' },
  'audit.path-not-found': { exit: 'usage', severity: 'error', hint: 'give a source folder or a tarball (tar, .tar.gz, .tar.bz2, .tar.xz, .tar.zst)' },
  'audit.shell-syntax': { exit: 'ok', severity: 'info', hint: 'the fetches in this shell text were not all read; check it with `bash -n` and look at it by hand' },
  'audit.make-bad-conditional': { exit: 'ok', severity: 'info', hint: 'a Make conditional could not be read; fetches under it may be missed, look at it by hand' },
  'audit.make-eval': { exit: 'ok', severity: 'info', hint: 'the text of this $(eval ...) depends on values only known at build time; look at it by hand' },
  'audit.make-include-loop': { exit: 'ok', severity: 'info', hint: 'a makefile includes itself (directly or not); the repeated include was not read again' },
  'audit.make-include-missing': { exit: 'ok', severity: 'info', hint: 'the included file is generated or lives outside the tree; fetches in it are not seen' },
  'audit.make-include-unresolved': { exit: 'ok', severity: 'info', hint: 'the include names depend on values only known at build time; look at them by hand' },
  'audit.make-missing': { exit: 'ok', severity: 'info', hint: 'the makefile named is not in the audited tree' },
  'audit.make-missing-endef': { exit: 'ok', severity: 'info', hint: 'add the missing `endef`; the lines after `define` were not read, so fetches in them are missed' },
  'audit.make-missing-endif': { exit: 'ok', severity: 'info', hint: 'add the missing `endif`' },
  'audit.make-stray-conditional': { exit: 'ok', severity: 'info', hint: 'remove the `else`/`endif` that has no `if`' },
});
