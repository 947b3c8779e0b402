/**
 * Upstream tarballs from Debian's source archive, fetched at test time with `apt-get source --download-only`
 * through a private apt configuration (its own deb-src entry, signed by the Debian archive keyring; its own lists
 * and cache), so the machine's apt sources are left alone. The archive here serves the `.orig` tarballs only
 * (not the .dsc or the Debian packaging), so apt-get reports those as failed: what counts is the `.orig` file.
 * Kept under ~/.cache/tarsmith/debian-src/ once fetched.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from './build-rig.js';

const ROOT = path.join(os.homedir(), '.cache', 'tarsmith', 'debian-src');

const SOURCES = `Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

const exists = (p: string) => fs.stat(p).then(() => true, () => false);

/** Download each `package/suite`'s `.orig` tarball; returns their paths, in order. `origs` are the expected file names. */
export async function debianOrig(packages: readonly string[], origs: readonly string[]): Promise<string[]> {
  const dl = path.join(ROOT, 'download');
  const files = origs.map((o) => path.join(dl, o));
  if ((await Promise.all(files.map(exists))).every(Boolean)) return files;
  for (const d of ['sources.list.d', 'lists/partial', 'cache/archives/partial', 'download']) await fs.mkdir(path.join(ROOT, d), { recursive: true });
  await fs.writeFile(path.join(ROOT, 'sources.list.d', 'tarsmith-test-trixie-src.sources'), SOURCES);
  const opts = [
    '-o', `Dir::Etc::SourceParts=${path.join(ROOT, 'sources.list.d')}`,
    '-o', 'Dir::Etc::SourceList=/dev/null',
    '-o', `Dir::State::Lists=${path.join(ROOT, 'lists')}`,
    '-o', `Dir::Cache=${path.join(ROOT, 'cache')}`,
    '-o', 'Debug::NoLocking=1',
  ];
  const up = await run(['apt-get', ...opts, 'update']);
  if (up.code !== 0) throw new Error(`apt-get update (deb-src trixie) failed:\n${up.stderr}`);
  const src = await run(['apt-get', ...opts, 'source', '--download-only', ...packages], { cwd: dl });
  const missing = [];
  for (const f of files) if (!(await exists(f))) missing.push(path.basename(f));
  if (missing.length > 0) throw new Error(`apt-get source did not deliver ${missing.join(', ')}:\n${src.stderr}`);
  return files;
}
