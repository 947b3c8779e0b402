/** Codes of `tarsmith repro` (two builds under variation, compared) and `tarsmith legal-info`. */
import { defineArea } from './types.js';

export const repro = defineArea('repro', 'checking that a build is reproducible, and what went into it', {
  'repro.unknown-variation': { exit: 'usage', severity: 'error', hint: 'use all, or some of the variations `tarsmith repro --help` lists (prefix - to leave one out)' },
  'repro.differs': { exit: 'checkFailed', severity: 'error', hint: 'read the cause given for each file; fix the build step that writes it (SOURCE_DATE_EPOCH, sorted archives, -ffile-prefix-map) and run `tarsmith repro` again' },
  'repro.variation-skipped': { exit: 'ok', severity: 'info', hint: 'install what the note names in the builder (builder.packages) to apply the variation' },
  'repro.no-diffoscope': { exit: 'ok', severity: 'info', hint: 'install diffoscope (Debian: apt-get install diffoscope-minimal) for a full report of every difference' },
});
