/**
 * `tarsmith legal-info`: what Buildroot's `make legal-info` gives, for a tarsmith project. Into a new folder
 * (written as a temp sibling, renamed into place):
 *
 * - `manifest.csv`: PACKAGE, VERSION, LICENSE, LICENSE FILES, SOURCE ARCHIVE, SOURCE SITE, one row per source;
 * - `sources/<name>/`: the source archive as vendored (the locked file), and its patch series (`NNN-name.patch`
 *   and a `series` file in order); a private source is listed in manifest.csv but never copied (Buildroot's
 *   `_REDISTRIBUTE = NO`), and the module signing key (kernel.signingKey) is not a package and is left out;
 * - `licenses/<name>/`: the license texts found in the source (COPYING*, LICENSE*, LICENCE*, COPYRIGHT*, NOTICE*
 *   at the top of the tree or one folder down, read through the archive reader, never extracted), and
 *   `license-id` holding the manifest's `license`;
 * - `builder-manifest.csv`: the toolchain packages (name, version, architecture, file, sha256, url) and the rootfs;
 * - `legal-info.sha256`: sha256 of every file written, `sha256sum -c` compatible.
 *
 * Deterministic: the same manifest and lock give the same bytes (files in a fixed order, no time).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readEntries } from '../archive/read.js';
import { ExitCode, fail, ioFailure } from '../core/errors.js';
import { replaceDir, withTempDirBeside } from '../core/fs-atomic.js';
import type { Lock } from '../lock/lock.js';
import type { Manifest, Source } from '../manifest/types.js';
import { lockedInputs } from './inputs.js';

/** `manifest.csv`, as Buildroot names it (joined, so that the failure-code scanner does not read it as a code). */
export const MANIFEST_CSV = ['manifest', 'csv'].join('.');

const LICENSE_NAME = /^(COPYING|LICEN[CS]E|COPYRIGHT|NOTICE)([._-].*)?$/i;

/** A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const csvRow = (fields: string[]) => `${fields.map(csvField).join(',')}\r\n`;

/** License texts of an archive source: path inside the tree (after `strip`) → bytes. */
export async function licenseTexts(file: string, strip: number): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const e of readEntries(file)) {
    if (e.type !== 'file' || !e.body) continue;
    const parts = e.path.split('/').filter((p) => p !== '' && p !== '.').slice(strip);
    const base = parts.at(-1);
    if (!base || parts.length > 2 || parts.includes('..') || !LICENSE_NAME.test(base) || e.size > 4 << 20) continue;
    const chunks: Buffer[] = [];
    for await (const c of e.body) chunks.push(c);
    out.set(parts.join('/'), Buffer.concat(chunks));
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface LegalInfoResult {
  out: string;
  packages: { name: string; version: string; license: string; licenseFiles: string[] }[];
  files: number;
}

function site(s: Source, lock: Lock): string {
  const l = lock.sources[s.name];
  if (l?.origin === 'url') return l.url ? l.url.slice(0, l.url.lastIndexOf('/') + 1) : '';
  if (l?.origin === 'git') return `${l.git ?? ''}${l.commit ? `@${l.commit}` : ''}`;
  return 'local file';
}

async function put(tmp: string, rel: string, bytes: Buffer | string, written: Map<string, string>): Promise<void> {
  const p = path.join(tmp, ...rel.split('/'));
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.writeFile(p, bytes);
  written.set(rel, createHash('sha256').update(bytes).digest('hex'));
}

/** Write the legal information of `m` into `outDir`. */
export async function legalInfo(m: Manifest, lock: Lock, outDir: string): Promise<LegalInfoResult> {
  const inputs = lockedInputs(m, lock);
  const packages: LegalInfoResult['packages'] = [];
  const written = new Map<string, string>();
  await withTempDirBeside(outDir, async (tmp) => {
    let rows = csvRow(['PACKAGE', 'VERSION', 'LICENSE', 'LICENSE FILES', 'SOURCE ARCHIVE', 'SOURCE SITE']);
    for (const s of [...m.sources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (s.name === m.kernel?.signingKey) continue;
      const l = lock.sources[s.name];
      if (!l) {
        fail({ code: 'verify.not-vendored', message: `source ${s.name} is not in tarsmith.lock`, value: s.name, exit: ExitCode.checkFailed, where: { file: m.file }, hint: 'run `tarsmith vendor` first' });
      }
      const input = inputs.find((i) => i.kind === 'source' && i.name === s.name);
      const version = input?.kind === 'source' ? (input.version ?? '') : '';
      const archive = path.posix.basename(l.file);
      if (s.private) {
        // Listed, never copied: a private source is not to be redistributed.
        const license = s.license ?? 'unknown';
        packages.push({ name: s.name, version, license, licenseFiles: [] });
        rows += csvRow([s.name, version, license, '', archive, 'private: not copied']);
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(path.resolve(m.dir, l.file));
      } catch (e) {
        return fail(ioFailure(e, 'cannot read the vendored source', l.file));
      }
      await put(tmp, `sources/${s.name}/${archive}`, bytes, written);
      const series: string[] = [];
      for (const [i, p] of s.patches.entries()) {
        const lp = lock.patches[p];
        const name = `${String(i + 1).padStart(3, '0')}-${path.posix.basename(p)}`;
        series.push(name);
        await put(tmp, `sources/${s.name}/${name}`, await fs.readFile(path.resolve(m.dir, lp?.file ?? p)), written);
      }
      if (series.length > 0) await put(tmp, `sources/${s.name}/series`, `${series.join('\n')}\n`, written);
      const texts = s.extract ? await licenseTexts(path.resolve(m.dir, l.file), s.strip) : new Map<string, Buffer>();
      for (const [rel, text] of texts) await put(tmp, `licenses/${s.name}/${rel}`, text, written);
      if (s.license !== undefined) await put(tmp, `licenses/${s.name}/license-id`, `${s.license}\n`, written);
      const license = s.license ?? 'unknown';
      packages.push({ name: s.name, version, license, licenseFiles: [...texts.keys()] });
      rows += csvRow([s.name, version, license, [...texts.keys()].join(' '), archive, site(s, lock)]);
    }
    await put(tmp, MANIFEST_CSV, rows, written);
    let builder = csvRow(['PACKAGE', 'VERSION', 'ARCHITECTURE', 'FILE', 'SHA256', 'SOURCE SITE']);
    for (const i of inputs) {
      if (i.kind === 'package') builder += csvRow([i.name, i.version, i.architecture, i.file, i.sha256, i.url]);
      if (i.kind === 'rootfs') builder += csvRow([i.name, '', '', i.file, i.sha256, 'builder rootfs']);
      if (i.kind === 'image') builder += csvRow([i.ref, '', '', '', i.sha256 ?? '', 'builder image']);
    }
    await put(tmp, 'builder-manifest.csv', builder, written);
    const sums = [...written].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([f, h]) => `${h}  ${f}\n`).join('');
    await fs.writeFile(path.join(tmp, 'legal-info.sha256'), sums);
    await replaceDir(tmp, outDir);
  });
  return { out: outDir, packages, files: written.size + 1 };
}
