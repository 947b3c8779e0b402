import { ExitCode, fail } from '../core/errors.js';
import type { DotConfig } from './dotconfig.js';
import type { TreeKnowledge } from './check.js';

export async function loadTreeKnowledge(_k: string, _a: string | undefined, _c: DotConfig): Promise<TreeKnowledge> {
  return fail({ code: 'kconfig.not-implemented', message: '--kernel is not available yet', exit: ExitCode.usage });
}
