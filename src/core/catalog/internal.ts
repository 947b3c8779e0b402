/** Codes of failed invariants: bugs in tarsmith, to be reported. */
import { defineArea } from './types.js';

export const internal = defineArea('internal', 'bugs in tarsmith: please report them with the input that caused them', {
  'internal.no-kernel-plan': { exit: 'internal', severity: 'error', hint: 'please report this build; the kernel phase ran without a kernel plan' },
  'internal.no-source-tree': { exit: 'internal', severity: 'error', hint: 'this is a bug in tarsmith; please report it' },
  'internal.convert-output-unparseable': { exit: 'internal', severity: 'error', hint: 'please report this input; the conversion produced invalid shell' },
});
