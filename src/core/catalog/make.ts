/** Codes of the Make reader (src/lang/make); `audit fetch` reports them as `audit.make-*`. */
import { defineArea } from './types.js';

export const make = defineArea('make', 'the Make reader; `audit fetch` shows these as audit.make-*', {
  'make.bad-conditional': { exit: 'ok', severity: 'info', hint: 'the conditional is not ifeq/ifneq/ifdef/ifndef with readable arguments; its outcome is taken as unknown' },
  'make.eval': { exit: 'ok', severity: 'info', hint: 'the text of this $(eval ...) depends on values only known at build time' },
  'make.include-loop': { exit: 'ok', severity: 'info', hint: 'a makefile includes itself (directly or not); the repeated include is skipped' },
  'make.include-missing': { exit: 'ok', severity: 'info', hint: 'the included file is generated or lives outside the tree' },
  'make.include-unresolved': { exit: 'ok', severity: 'info', hint: 'the include names depend on values only known at build time' },
  'make.missing': { exit: 'ok', severity: 'info', hint: 'the makefile named is not in the tree' },
  'make.missing-endef': { exit: 'ok', severity: 'info', hint: 'add the missing `endef`; the lines after `define` are not read as statements' },
  'make.missing-endif': { exit: 'ok', severity: 'info', hint: 'add the missing `endif`' },
  'make.stray-conditional': { exit: 'ok', severity: 'info', hint: 'remove the `else`/`endif` that has no `if`' },
});
