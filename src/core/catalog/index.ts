/**
 * The failure catalog: one file per area declares its codes (code → exit code, severity, hint). `FailureCode` is the
 * union of every area's codes, so a code that is in no catalog is a compile error. docs/errors.md is generated
 * from `AREAS` (scripts/docs/errors.ts).
 */
import { ExitCode } from '../exit-code.js';
import { archive } from './archive.js';
import { audit } from './audit.js';
import { build } from './build.js';
import { convert } from './convert.js';
import { dockerfile } from './dockerfile.js';
import { engine } from './engine.js';
import { internal } from './internal.js';
import { io } from './io.js';
import { kconfig } from './kconfig.js';
import { kernel } from './kernel.js';
import { lock } from './lock.js';
import { make } from './make.js';
import { manifest } from './manifest.js';
import { repro } from './repro.js';
import { rootfs } from './rootfs.js';
import { registry } from './registry.js';
import { toolchain } from './toolchain.js';
import { usage } from './usage.js';
import { vendor } from './vendor.js';
import { verify } from './verify.js';
import type { AreaCatalog, CatalogEntry } from './types.js';

export type { AreaCatalog, CatalogEntry, Severity } from './types.js';

/** Every area, in the order docs/errors.md lists them. */
export const AREAS = [usage, manifest, vendor, lock, verify, archive, dockerfile, engine, registry, build, toolchain, rootfs, repro, kconfig, kernel, make, audit, convert, io, internal] as const;

type CodesOf<T> = T extends AreaCatalog<string, infer C> ? C : never;
/** Every code tarsmith reports: `area.name`, stable and grep-able. */
export type FailureCode = CodesOf<(typeof AREAS)[number]>;
/** The area prefixes: `usage`, `manifest`, ... */
export type FailureArea = (typeof AREAS)[number]['area'];
/** The codes of one area: `CodeOf<'kconfig'>` is every `kconfig.*` code. */
export type CodeOf<A extends FailureArea> = Extract<FailureCode, `${A}.${string}`>;

const ENTRIES: ReadonlyMap<string, CatalogEntry> = new Map(
  AREAS.flatMap((a) => Object.entries(a.codes as Record<string, CatalogEntry>)),
);

export function isFailureCode(s: string): s is FailureCode {
  return ENTRIES.has(s);
}

export function catalogEntry(code: FailureCode): CatalogEntry {
  const e = ENTRIES.get(code);
  if (!e) throw new Error(`unreachable: ${code} is a FailureCode but not in the catalog`);
  return e;
}

/** The exit code the catalog gives `code`. */
export function catalogExit(code: FailureCode): ExitCode {
  return ExitCode[catalogEntry(code).exit];
}
