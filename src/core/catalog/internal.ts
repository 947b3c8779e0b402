/** Codes of failed invariants: bugs in tarsmith, to be reported. */
import { defineArea } from './types.js';

export const internal = defineArea('internal', 'bugs in tarsmith: please report them with the input that caused them', {
  'internal.convert-output-unparseable': { exit: 'internal', severity: 'error', hint: 'please report this input; the conversion produced invalid shell' },
});
