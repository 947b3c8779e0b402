/** Schema validation (Ajv) of the parsed YAML, with each error mapped to file:line:col, the value and a fix. */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ExitCode, type Failure, type FailureCode } from '../core/errors.js';
import { nearest } from '../core/suggest.js';
import compiledValidator from './manifest-validator.gen.js';
import { allowedKeysAt } from './schema.js';
import { pointerOf, positionFor, type PositionIndex } from './positions.js';

/** The schema's validator, compiled ahead of time (scripts/docs/validator.ts; a test keeps it current). */
const validate = compiledValidator as ValidateFunction;

function segmentsOf(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(data: unknown, segs: readonly string[]): unknown {
  let v = data;
  for (const s of segs) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}

function describe(path: readonly string[]): string {
  return path.length ? path.join('.') : 'the manifest';
}

const TYPE_NOUNS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a text string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value lines)',
};

/** What the value must be, as a phrase, and how to fix it, for the value-shaped Ajv keywords. */
function sentence(err: ErrorObject, value: unknown): { must: string; hint: string } {
  const p = err.params as { type?: string; allowedValues?: unknown[]; allowedValue?: unknown; pattern?: string; limit?: number };
  switch (err.keyword) {
    case 'type': {
      const noun = TYPE_NOUNS[p.type ?? ''] ?? `of type ${p.type ?? '?'}`;
      if (p.type === 'string' && typeof value === 'number') {
        return { must: noun, hint: 'put the value in quotes: YAML reads an unquoted all-digit value as a number (and drops leading zeros)' };
      }
      if (p.type === 'integer' && typeof value === 'number') return { must: noun, hint: 'write it without a fraction or exponent, e.g. 1700000000' };
      return { must: noun, hint: `write ${noun} here` };
    }
    case 'enum':
      return { must: `one of ${(p.allowedValues ?? []).map(show).join(', ')}`, hint: `use one of ${(p.allowedValues ?? []).map(show).join(', ')}` };
    case 'const':
      return { must: show(p.allowedValue), hint: `write ${show(p.allowedValue)}` };
    case 'pattern':
      return { must: `a value matching ${p.pattern ?? '?'}`, hint: patternHint(p.pattern ?? '') };
    case 'minimum':
      return { must: `at least ${p.limit ?? '?'}`, hint: `use a value of ${p.limit ?? '?'} or more` };
    case 'maximum':
      return { must: `at most ${p.limit ?? '?'}`, hint: `use a value of ${p.limit ?? '?'} or less` };
    case 'minLength':
      return { must: 'non-empty', hint: 'give a value, or remove the key' };
    default:
      return { must: 'valid', hint: err.message ?? 'see `tarsmith schema`' };
  }
}

function patternHint(pattern: string): string {
  if (pattern === '^[0-9a-f]{64}$') return 'write the 64 lowercase hex digits of the sha256 (`sha256sum FILE`), in quotes';
  if (pattern.startsWith('^[A-Za-z0-9]')) return 'start with a letter or digit; then letters, digits, ".", "_", "+" or "-"';
  return `write a value matching ${pattern}`;
}

/** The code of each value-check keyword's failure. */
const INVALID_CODE = {
  type: 'manifest.invalid-type',
  const: 'manifest.invalid-const',
  enum: 'manifest.invalid-enum',
  pattern: 'manifest.invalid-pattern',
  minimum: 'manifest.invalid-minimum',
  maximum: 'manifest.invalid-maximum',
  minLength: 'manifest.invalid-empty',
} as const satisfies Record<string, FailureCode>;

function fromAjv(err: ErrorObject, data: unknown, file: string, pos: PositionIndex): Failure | undefined {
  const segs = segmentsOf(err.instancePath);
  const where = (ptrSegs: readonly string[], key = false) => {
    const p = positionFor(pos, pointerOf(ptrSegs), key);
    return p ? { file, line: p.line, col: p.col } : { file };
  };
  const base = { exit: ExitCode.usage } as const;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String((err.params as { additionalProperty: string }).additionalProperty);
      const allowed = allowedKeysAt(segs);
      const near = nearest(key, allowed, 1);
      return {
        ...base,
        code: 'manifest.unknown-key',
        message: `unknown key "${key}" in ${describe(segs)}`,
        where: where([...segs, key], true),
        value: key,
        hint: near.length ? `did you mean "${near[0]}"?` : `allowed keys: ${allowed.join(', ')}`,
      };
    }
    case 'required': {
      const missing = String((err.params as { missingProperty: string }).missingProperty);
      return {
        ...base,
        code: 'manifest.missing-key',
        message: `${describe(segs)} is missing the required key "${missing}"`,
        where: where(segs),
        hint: `add "${missing}:"; run \`tarsmith schema\` for the full reference`,
      };
    }
    case 'type':
    case 'const':
    case 'enum':
    case 'pattern':
    case 'minimum':
    case 'maximum':
    case 'minLength': {
      const value = valueAt(data, segs);
      const { must, hint } = sentence(err, value);
      return {
        ...base,
        code: INVALID_CODE[err.keyword],
        message: `${describe(segs)} must be ${must}`,
        where: where(segs),
        value: show(value),
        hint,
      };
    }
    case 'oneOf':
      return {
        ...base,
        code: 'manifest.invalid-shape',
        message: `${describe(segs)} must be a string or a mapping with "path" (and optional "rename")`,
        where: where(segs),
        value: show(valueAt(data, segs)),
        hint: 'write `- bin/tool` or `- { path: bin/tool, rename: tool }`',
      };
    default:
      return {
        ...base,
        code: 'manifest.invalid',
        message: `${describe(segs)} ${err.message ?? 'is invalid'}`,
        where: where(segs),
      };
  }
}

/** Validate against the JSON Schema. Returns failures, sorted by position, deduplicated. */
export function schemaFailures(data: unknown, file: string, pos: PositionIndex): Failure[] {
  if (validate(data)) return [];
  const errors = (validate.errors ?? []).filter(
    // oneOf branches report their own sub-errors; keep only the oneOf summary for artifacts.
    (e, _i, all) => !all.some((o) => o.keyword === 'oneOf' && e !== o && e.instancePath.startsWith(o.instancePath) && e.schemaPath.includes('/oneOf/')),
  );
  const out: Failure[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const f = fromAjv(e, data, file, pos);
    if (!f) continue;
    const key = `${f.where?.line}:${f.where?.col}:${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
  }
  return out.sort((a, b) => (a.where?.line ?? 0) - (b.where?.line ?? 0) || (a.where?.col ?? 0) - (b.where?.col ?? 0));
}
