/** Schema validation (Ajv) of the parsed YAML, with each error mapped to file:line:col, the value and a fix. */
import AjvImport, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ExitCode, type Failure, type FailureCode } from '../core/errors.js';
import { nearest } from '../core/suggest.js';
import { allowedKeysAt, manifestJsonSchema } from './schema.js';
import { pointerOf, positionFor, type PositionIndex } from './positions.js';

type AjvCtor = new (opts: Record<string, unknown>) => { compile(schema: unknown): ValidateFunction };
const Ajv = ((AjvImport as unknown as { default?: AjvCtor }).default ?? AjvImport) as unknown as AjvCtor;

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(manifestJsonSchema);
  return compiled;
}

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
      const expected =
        err.keyword === 'enum'
          ? `one of ${(err.params as { allowedValues: unknown[] }).allowedValues.map(show).join(', ')}`
          : err.keyword === 'const'
            ? show((err.params as { allowedValue: unknown }).allowedValue)
            : err.keyword === 'pattern'
              ? `a value matching ${(err.params as { pattern: string }).pattern}`
              : (err.message ?? 'a valid value');
      return {
        ...base,
        code: INVALID_CODE[err.keyword],
        message: `${describe(segs)} ${err.message ?? 'is invalid'}`,
        where: where(segs),
        value: show(value),
        hint: `use ${expected}`,
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
  const validate = validator();
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
