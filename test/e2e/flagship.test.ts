/**
 * The flagship's shape, end to end, for arm64, through examples/ask/Makefile (included as is): a kit tarball with a
 * .git/ inside whose Makefile git-clones a dependency at a tag, wgets libnetfilter_conntrack's upstream tarball
 * (Debian's .orig, from the source archive: see debian-source.ts), applies a patch with git apply and stamps a
 * version from git describe; it builds the library for arm64 against the arm64 Debian libnfnetlink and libmnl
 * (builder packages) and links its userspace against all three; its module builds against Debian's
 * linux-source-6.12 (tinyconfig, modules_prepare) with a fragment holding the seed's unknown symbol.
 * `make vendor MIRROR=` vendors the fetched sources from a folder (their URLs do not exist), `make ASK` exports
 * aarch64 ELFs and a .ko with the kernel's vermagic, the same bytes come out of a cold rebuild and of a
 * differently packed kit, and `make ASK_IMAGE` loads the image, labelled linux/arm64 (the same image ID again on a
 * second, cached, build).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, dockerClient, exampleRootfs, run, tarsmith } from './build-rig.js';
import { KERNEL_TARBALL } from './kernel-rig.js';
import { debianOrig } from './debian-source.js';

const FIX = path.join(ROOT, 'test', 'fixtures', 'flagship');
const NFCT_ORIG = 'libnetfilter-conntrack_1.1.0.orig.tar.xz';
const GIT_ENV = {
  ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org',
  GIT_AUTHOR_DATE: '1700000000 +0000', GIT_COMMITTER_DATE: '1700000000 +0000', GIT_CONFIG_NOSYSTEM: '1',
};

async function ok(argv: string[], cwd?: string): Promise<string> {
  const r = await run(argv, { ...(cwd ? { cwd } : {}), env: GIT_ENV });
  assert.equal(r.code, 0, `${argv.join(' ')}:\n${r.stderr}`);
  return r.stdout;
}

/** A git work tree of `src` with one commit, tagged. */
async function repo(src: string, dest: string, tag: string): Promise<void> {
  await fs.cp(src, dest, { recursive: true });
  await ok(['git', 'init', '-q', '-b', 'main'], dest);
  await ok(['git', 'add', '-A'], dest);
  await ok(['git', 'commit', '-q', '-m', tag], dest);
  await ok(['git', 'tag', tag], dest);
}

const sha = async (f: string) => createHash('sha256').update(await fs.readFile(f)).digest('hex');

async function project(root: string): Promise<{ dir: string; mirror: string; kit: string }> {
  const dir = path.join(root, 'proj');
  await fs.cp(path.join(FIX, 'project'), dir, { recursive: true });
  // examples/ask/Makefile itself, with this project's kernel file name.
  await fs.writeFile(path.join(dir, 'Makefile'), `MANIFEST_KERNEL_TAR := packages/linux-source-6.12.tar.xz\ninclude ${path.join(ROOT, 'examples', 'ask', 'Makefile')}\n`);
  const pk = path.join(dir, 'packages');
  await fs.mkdir(pk);
  for (const [src, name] of [[await exampleRootfs(), 'rootfs-bookworm-buildd.tar'], [KERNEL_TARBALL, 'linux-source-6.12.tar.xz']] as const) {
    await fs.link(src, path.join(pk, name)).catch(() => fs.copyFile(src, path.join(pk, name)));
  }
  // The kit: a tarball with its .git/ inside, as vendors ship it.
  const kit = path.join(root, 'kit', 'ask-2.0');
  await repo(path.join(FIX, 'kit'), kit, 'v2.0');
  await ok(['tar', '--sort=name', '--mtime=@1700000000', '--owner=0', '--group=0', '--numeric-owner', '-czf', path.join(pk, 'ASK.tar.gz'), '-C', path.dirname(kit), 'ask-2.0']);
  // The mirror folder: the git dependency as a bare repository (by host/path), the library tarball by file name.
  const mirror = path.join(root, 'mirror');
  await repo(path.join(FIX, 'deps', 'greet'), path.join(root, 'greet'), 'v1.0');
  await fs.mkdir(path.join(mirror, 'git.example.org'), { recursive: true });
  await ok(['git', 'clone', '-q', '--bare', path.join(root, 'greet'), path.join(mirror, 'git.example.org', 'greet.git')]);
  const [nfct] = await debianOrig(['libnetfilter-conntrack/trixie'], [NFCT_ORIG]);
  await fs.link(nfct!, path.join(mirror, NFCT_ORIG)).catch(() => fs.copyFile(nfct!, path.join(mirror, NFCT_ORIG)));
  return { dir, mirror, kit };
}

test('flagship shape for arm64: make vendor MIRROR=, make ASK, the same bytes again, make ASK_IMAGE', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-flagship-'));
  const docker = await dockerClient();
  const tags = ['tarsmith-e2e/flagship:dist', 'tarsmith-e2e/flagship:again'];
  try {
    const { dir, mirror, kit } = await project(root);
    const make = (...args: string[]) => run(['make', '--no-print-directory', `TARSMITH=${BIN}`, 'PROGRESS=plain', ...args], { cwd: dir });

    // Every fetch of the kit's Makefile is covered by the manifest (the audit reads the tarball, .git/ and all).
    const audit = await make('audit');
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
    assert.match(audit.stdout, /url: https:\/\/git\.example\.org\/greet\.git\n\s+ref: v1\.0\n[\s\S]*?status: covered by source greet/);
    assert.match(audit.stdout, /url: https:\/\/downloads\.example\.org\/netfilter\/libnetfilter-conntrack_1\.1\.0\.orig\.tar\.xz\n[\s\S]*?status: covered by source libnetfilter_conntrack/);

    const v = await make('vendor', `MIRROR=${mirror}`);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /source greet: packages\/greet-[0-9a-f]{12}\.tar\.gz [0-9a-f]{16}… via mirror/);
    assert.match(v.stdout, /source libnetfilter_conntrack: packages\/libnetfilter-conntrack_1\.1\.0\.orig\.tar\.xz 67edcb4eb826c2f8… via (?:mirror|cache)/, 'pinned: the download cache (shared with the components test) comes before the mirror');

    const b = await make('ASK');
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, /kernel: 1 module\(s\) match the kernel's vermagic "6\.12\.\d+ [^"]*aarch64"/);
    assert.match(b.stderr, /kernel\/ask\.config:2: warning\[kernel\.line-dropped\]: dropped CONFIG_NETFILTER_XTABLES_LEGACY=y \(.*not defined in this tree.*; allowed by kernel\.allowUnknown\)/);
    const out = path.join(dir, 'out', 'ask-dist');
    // The library as libtool installs it: the real file and its soname link (kept a symlink by the export).
    const real = (await fs.readdir(path.join(out, 'lib'))).filter((f) => /^libnetfilter_conntrack\.so\.3\.\d+\.\d+$/.test(f));
    assert.equal(real.length, 1, `one libnetfilter_conntrack.so.3.X.Y in lib/: ${real.join(', ')}`);
    const nfctLib = `lib/${real[0]}`;
    assert.equal(await fs.readlink(path.join(out, 'lib/libnetfilter_conntrack.so.3')), real[0]);
    for (const f of ['bin/cmm', nfctLib, 'modules/cdx/cdx.ko']) {
      assert.match(await ok(['readelf', '-h', path.join(out, f)]), /Machine:\s+AArch64/, f);
    }
    const vermagic = (await fs.readFile(path.join(out, 'kernel', 'vermagic'), 'utf8')).trim();
    const modinfo = await ok(['readelf', '-p', '.modinfo', path.join(out, 'modules/cdx/cdx.ko')]);
    assert.equal(/vermagic=([^\n]*)/.exec(modinfo)?.[1]?.trim(), vermagic, 'the .ko carries the kernel\'s vermagic');
    assert.match(vermagic, /^6\.12\.\d+.* aarch64$/);
    const cmm = await fs.readFile(path.join(out, 'bin/cmm'));
    assert.ok(cmm.includes('HELLO'), 'the patch applied with git apply is in the binary');
    assert.ok(cmm.includes('2.0-kit'), 'the stamped version, not one from the kit\'s .git');
    // cmm links the library built from Debian's upstream tarball, and the arm64 Debian libraries it is built over.
    const needed = async (f: string) => [...(await ok(['readelf', '-d', path.join(out, f)])).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    // (The cross linker links --as-needed: cmm calls libnetfilter_conntrack only, which needs the other two.)
    const cmmNeeds = await needed('bin/cmm');
    assert.ok(cmmNeeds.includes('libnetfilter_conntrack.so.3'), `cmm needs libnetfilter_conntrack.so.3: ${cmmNeeds.join(', ')}`);
    const libNeeds = await needed(nfctLib);
    for (const l of ['libnfnetlink.so.0', 'libmnl.so.0']) assert.ok(libNeeds.includes(l), `libnetfilter_conntrack needs ${l}: ${libNeeds.join(', ')}`);
    const record = JSON.parse(await fs.readFile(path.join(out, 'tarsmith-build.json'), 'utf8'));
    assert.deepEqual(record.kernel.dropped.map((d: { text: string }) => d.text), ['CONFIG_NETFILTER_XTABLES_LEGACY=y']);

    // The same bytes: the userspace built cold (no BuildKit cache), and from a differently packed kit tarball.
    const cold = await tarsmith(['build', 'userspace', '--no-cache', '--out', path.join(root, 'cold'), '--progress', 'plain'], dir);
    assert.equal(cold.code, 0, cold.stderr);
    for (const f of ['bin/cmm', nfctLib]) assert.equal(await sha(path.join(root, 'cold', 'ask', f)), await sha(path.join(out, f)), f);
    const repacked = path.join(root, 'ASK-2.tar.xz');
    await ok(['tar', '-cJf', repacked, '-C', path.dirname(kit), 'ask-2.0']);
    const again = await make('ASK', 'BUILD_TARGET=userspace', `ASK_TAR=${repacked}`, 'OUT=out-again');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /warning\[verify\.source-overridden\]: source "ask" is built from /);
    assert.equal(await sha(path.join(dir, 'out-again', 'ask', 'bin/cmm')), await sha(path.join(out, 'bin/cmm')));
    const againRecord = JSON.parse(await fs.readFile(path.join(dir, 'out-again', 'ask', 'tarsmith-build.json'), 'utf8'));
    assert.equal(againRecord.inputs.sources.ask.overridden, true);
    assert.equal(againRecord.inputs.sources.ask.sha256, await sha(repacked));

    // The image loads, with the artifacts under /opt/ask/.
    const img = await make('ASK_IMAGE', `IMAGE_TAG=${tags[0]}`);
    assert.equal(img.code, 0, img.stderr);
    const [tag, id] = img.stdout.trim().split('\n').at(-1)!.split(' ');
    assert.equal(tag, tags[0]);
    assert.match(id ?? '', /^sha256:[0-9a-f]{64}$/);
    const cid = (await ok([docker, 'create', tags[0]!, 'x'])).trim();
    try {
      const files = await run(['sh', '-c', `"$0" export "$1" | tar -t`, docker, cid]);
      for (const f of ['opt/ask/bin/cmm', `opt/ask/${nfctLib}`, 'opt/ask/modules/cdx/cdx.ko']) assert.match(files.stdout, new RegExp(`^${f}$`, 'm'));
    } finally {
      await run([docker, 'rm', cid]);
    }
    // The image's config names the platform of the binaries in it (the manifest's), not the amd64 builder's.
    assert.equal((await ok([docker, 'image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', tags[0]!])).trim(), 'linux/arm64');
    // A second image build (from the BuildKit cache) loads the same image ID.
    const img2 = await make('ASK_IMAGE', `IMAGE_TAG=${tags[1]}`);
    assert.equal(img2.code, 0, img2.stderr);
    assert.equal(img2.stdout.trim().split('\n').at(-1)!.split(' ')[1], id, 'the image ID is the same on a second build');
  } finally {
    for (const t of tags) await run([docker, 'rmi', t]);
    await fs.rm(root, { recursive: true, force: true });
  }
});
