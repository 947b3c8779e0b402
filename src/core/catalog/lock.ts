/** Codes of reading and writing tarsmith.lock. */
import { defineArea } from './types.js';

export const lock = defineArea('lock', 'reading and writing tarsmith.lock', {
  'lock.bad-json': { exit: 'usage', severity: 'error', hint: 'restore it from version control, or delete it and run `tarsmith vendor` to re-resolve every source' },
  'lock.bad-shape': { exit: 'usage', severity: 'error', hint: 'restore it from version control, or delete it and run `tarsmith vendor`' },
  'lock.frozen-change': { exit: 'checkFailed', severity: 'error', hint: 'run `tarsmith vendor` without --frozen and commit tarsmith.lock' },
});
