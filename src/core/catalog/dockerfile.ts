/** Codes of the Dockerfile emitter. */
import { defineArea } from './types.js';

export const dockerfile = defineArea('dockerfile', 'writing the build\'s Dockerfile', {
  'dockerfile.unrepresentable': { exit: 'usage', severity: 'error', hint: 'remove newlines and control characters from the value in the manifest' },
});
