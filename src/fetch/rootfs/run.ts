/** Running mmdebstrap: its `I:` stage lines are the progress of the long step, the rest goes to -v. */
import { promises as fs } from 'node:fs';
import { ExitCode, fail } from '../../core/errors.js';
import { exec, which, type ExecResult } from '../../core/exec.js';
import { log } from '../../core/log.js';
import { AUTOMOUNT_HOOKS } from './mmdebstrap.js';

/** mmdebstrap and dpkg-scanpackages are on PATH (and the automount hooks installed), or a coded failure. */
export async function checkTools(needScan: boolean): Promise<void> {
  for (const [tool, pkg] of [['mmdebstrap', 'mmdebstrap'], ...(needScan ? [['dpkg-scanpackages', 'dpkg-dev']] : [])] as const) {
    if ((await which(tool)) === undefined) {
      fail({ code: 'rootfs.tool-missing', message: `${tool} is not installed (builder.bootstrap needs it)`, exit: ExitCode.usage, value: tool, hint: `install it: \`apt-get install ${pkg}\`` });
    }
  }
  if (needScan && !(await fs.stat(AUTOMOUNT_HOOKS).then((s) => s.isDirectory(), () => false))) {
    fail({ code: 'rootfs.tool-missing', message: `mmdebstrap's hook folder ${AUTOMOUNT_HOOKS} is missing (mmdebstrap 1.0 or later has it)`, exit: ExitCode.usage, value: AUTOMOUNT_HOOKS, hint: 'install mmdebstrap 1.0 or later: `apt-get install mmdebstrap`' });
  }
}

/** A path mmdebstrap's special hooks can take (they split their arguments on whitespace). */
export function checkHookPath(p: string): void {
  if (/\s/.test(p)) {
    fail({ code: 'rootfs.tool-missing', message: `the work folder ${JSON.stringify(p)} has whitespace, which mmdebstrap's hooks cannot take`, exit: ExitCode.usage, value: p, hint: 'set TMPDIR to a folder without spaces' });
  }
}

export interface Ran extends ExecResult {
  lines: string[];
}

/** Run mmdebstrap with SOURCE_DATE_EPOCH, stage lines at info level (`what: ...`), everything at -v. */
export async function runMmdebstrap(argv: readonly string[], epoch: number, what: string): Promise<Ran> {
  const lines: string[] = [];
  const started = Date.now();
  const r = await exec(argv, {
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch), LC_ALL: 'C.UTF-8' },
    onStderrLine: (l) => {
      lines.push(l);
      if (lines.length > 400) lines.shift();
      if (l.startsWith('I: ')) log.info(`${what} (${Math.round((Date.now() - started) / 1000)} s): ${l.slice(3)}`);
      else log.verbose(`  ${l}`);
    },
  });
  return { ...r, lines };
}
