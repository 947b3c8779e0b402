/** Where normalize's SOURCE_DATE_EPOCH comes from: the flag, else the manifest, else the environment. */
import { ExitCode, fail } from '../core/errors.js';

export type EpochSource = 'flag' | 'manifest' | 'environment';

export interface EpochInputs {
  /** `--source-date-epoch` as typed. */
  flag?: string;
  /** The manifest's `sourceDateEpoch`, when a manifest was found. */
  manifest?: number;
  /** `SOURCE_DATE_EPOCH` from the environment. */
  env?: string;
}

function parseEpoch(text: string, from: string): number {
  const t = text.trim();
  const n = /^[0-9]+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n)) {
    fail({
      code: 'usage.bad-source-date-epoch',
      message: `${from}: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970`,
      exit: ExitCode.usage,
      value: text,
      hint: 'give e.g. --source-date-epoch 1700000000 (git: git log -1 --format=%ct)',
    });
  }
  return n;
}

/** Pick the epoch: `--source-date-epoch`, else the manifest's `sourceDateEpoch`, else `SOURCE_DATE_EPOCH`. */
export function resolveSourceDateEpoch(inputs: EpochInputs): { epoch: number; from: EpochSource } {
  if (inputs.flag !== undefined) return { epoch: parseEpoch(inputs.flag, '--source-date-epoch'), from: 'flag' };
  if (inputs.manifest !== undefined) return { epoch: inputs.manifest, from: 'manifest' };
  if (inputs.env !== undefined && inputs.env !== '') {
    return { epoch: parseEpoch(inputs.env, 'SOURCE_DATE_EPOCH'), from: 'environment' };
  }
  return fail({
    code: 'usage.missing-source-date-epoch',
    message: 'normalize needs a SOURCE_DATE_EPOCH and none was given',
    exit: ExitCode.usage,
    hint: 'pass --source-date-epoch N, run next to a tarsmith.yaml with sourceDateEpoch, or set SOURCE_DATE_EPOCH',
  });
}

/** Parse `--format`. */
export function parseOutputFormat(text: string): 'tar' | 'tar.gz' | 'tar.xz' | 'tar.zst' {
  switch (text) {
    case 'tar':
    case 'tar.gz':
    case 'tar.xz':
    case 'tar.zst':
      return text;
    default:
      return fail({
        code: 'usage.bad-format',
        message: `unknown output format "${text}"`,
        exit: ExitCode.usage,
        value: text,
        hint: 'use --format tar.gz, tar.xz, tar.zst or tar',
      });
  }
}
