/**
 * End to end: an upstream project whose Makefile (including a sources.mk) git-clones two repositories at tags from
 * a git server on loopback, wgets a tarball from an HTTP server on loopback, git-applies a patch, and compiles it
 * all. audit fetch finds the three fetches; vendor fills packages/ while the servers are up; the servers stop; the
 * unmodified Makefile builds offline with its fetches answered by the stand-ins; a fourth fetch fails clearly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { exec } from '../../src/core/exec.js';
import { dockerClient, exampleRootfs, run, tarsmith } from './build-rig.js';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Upstream',
  GIT_AUTHOR_EMAIL: 'up@example.org',
  GIT_COMMITTER_NAME: 'Upstream',
  GIT_COMMITTER_EMAIL: 'up@example.org',
  GIT_CONFIG_NOSYSTEM: '1',
};

let dir: string;
let gitPort: number;
let httpPort: number;
let daemon: ChildProcess | undefined;
let server: http.Server | undefined;
const env: NodeJS.ProcessEnv = { ...process.env };

async function sh(argv: string[], cwd: string): Promise<void> {
  const r = await exec(argv, { cwd, env: GIT_ENV });
  assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
}

async function write(base: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(base, rel)), { recursive: true });
    await fs.writeFile(path.join(base, rel), content);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A bare repository `<name>.git` under repos/, one commit tagged `tag`. */
async function repo(name: string, tag: string, files: Record<string, string>): Promise<void> {
  const work = path.join(dir, 'work', name);
  await write(work, files);
  await sh(['git', 'init', '-q', work], dir);
  await sh(['git', 'add', '.'], work);
  await sh(['git', 'commit', '-q', '-m', `${name} ${tag}`], work);
  await sh(['git', 'tag', tag], work);
  await sh(['git', 'clone', '-q', '--bare', work, path.join(dir, 'repos', `${name}.git`)], dir);
}

async function startServers(): Promise<void> {
  gitPort = await freePort();
  daemon = spawn('git', ['daemon', '--reuseaddr', '--export-all', `--base-path=${path.join(dir, 'repos')}`, '--listen=127.0.0.1', `--port=${gitPort}`], {
    stdio: 'ignore',
  });
  server = http.createServer((req, res) => {
    const name = path.basename(req.url ?? '');
    fs.readFile(path.join(dir, 'www', name)).then(
      (data) => res.end(data),
      () => {
        res.statusCode = 404;
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  httpPort = (server.address() as net.AddressInfo).port;
  for (let i = 0; i < 100; i++) {
    const r = await exec(['git', 'ls-remote', `git://127.0.0.1:${gitPort}/fmlib.git`], { env: GIT_ENV });
    if (r.code === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('git daemon did not start');
}

async function stopServers(): Promise<void> {
  daemon?.kill('SIGTERM');
  daemon = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
}

const MAKEFILE = [
  'include build/sources.mk',
  '',
  'CFLAGS ?= -O2',
  'all: app',
  '',
  'fmlib/.git:',
  '\tgit clone -q -b $(FMLIB_TAG) $(GIT_BASE)/fmlib.git fmlib',
  '\tcd fmlib && git apply ../patches/fmlib-answer.patch',
  '',
  'fmc/.git:',
  '\tgit clone --depth 1 --branch $(FMC_TAG) $(GIT_BASE)/fmc.git fmc',
  '',
  'dl/$(FOO_TARBALL):',
  '\tmkdir -p dl',
  '\twget -q -P dl $(FOO_SITE)/$(FOO_TARBALL)',
  '',
  'libfoo-$(FOO_VERSION)/foo.c: dl/$(FOO_TARBALL)',
  '\ttar -xzf $<',
  '',
  'app: fmlib/.git fmc/.git libfoo-$(FOO_VERSION)/foo.c main.c',
  '\t$(CC) $(CFLAGS) -Ifmlib -Ilibfoo-$(FOO_VERSION) -o $@ main.c fmlib/fmlib.c fmc/fmc.c libfoo-$(FOO_VERSION)/foo.c',
  '\tprintf \'fmlib %s\\nfmc %s\\n\' "$$(git -C fmlib describe --tags)" "$$(git -C fmc describe --tags)" > versions.txt',
  '',
].join('\n');

async function packUpstream(makefile: string): Promise<void> {
  const up = path.join(dir, 'up', 'upstream-1.0');
  await write(up, {
    Makefile: makefile,
    'build/sources.mk': [
      `GIT_BASE = git://127.0.0.1:${gitPort}`,
      'FMLIB_TAG = v1.0',
      'FMC_TAG = v2.0',
      'FOO_VERSION = 1.0',
      'FOO_TARBALL = libfoo-$(FOO_VERSION).tar.gz',
      `FOO_SITE = http://127.0.0.1:${httpPort}/files`,
      '',
    ].join('\n'),
    'patches/fmlib-answer.patch': 'diff --git a/fmlib.c b/fmlib.c\n--- a/fmlib.c\n+++ b/fmlib.c\n@@ -1 +1 @@\n-int fmlib(void) { return 1; }\n+int fmlib(void) { return 30; }\n',
    'main.c': '#include <stdio.h>\n#include "fmlib.h"\n#include "foo.h"\nint fmc(void);\nint main(void) { printf("%d\\n", fmlib() + fmc() + foo()); return 0; }\n',
  });
  await fs.mkdir(path.join(dir, 'project', 'packages'), { recursive: true });
  await sh(['tar', '--sort=name', '--mtime=@1700000000', '--owner=0', '--group=0', '-czf', path.join(dir, 'project', 'packages', 'upstream-1.0.tar.gz'), '-C', path.join(dir, 'up'), 'upstream-1.0'], dir);
}

function manifest(): string {
  return [
    'version: 1',
    'name: offline',
    'sourceDateEpoch: 1700000000',
    'platform: linux/amd64',
    'sources:',
    '  - name: upstream',
    '    file: packages/upstream-1.0.tar.gz',
    '    strip: 1',
    '  - name: fmlib',
    `    git: git://127.0.0.1:${gitPort}/fmlib.git`,
    '    ref: v1.0',
    '  - name: fmc',
    `    git: git://127.0.0.1:${gitPort}/fmc.git`,
    '    ref: v2.0',
    '  - name: libfoo',
    `    url: http://127.0.0.1:${httpPort}/files/libfoo-1.0.tar.gz`,
    'builder:',
    '  rootfs: packages/rootfs-bookworm-buildd.tar',
    '  family: apt',
    '  packages: [git]',
    'build:',
    '  workdir: upstream',
    '  targets:',
    '    app:',
    '      steps:',
    '        - make',
    '      artifacts:',
    '        - app',
    '        - versions.txt',
    '',
  ].join('\n');
}

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-offline-'));
  env.XDG_CACHE_HOME = path.join(dir, 'cache');
  await repo('fmlib', 'v1.0', { 'fmlib.c': 'int fmlib(void) { return 1; }\n', 'fmlib.h': 'int fmlib(void);\n' });
  await repo('fmc', 'v2.0', { 'fmc.c': 'int fmc(void) { return 10; }\n' });
  await write(path.join(dir, 'foo'), { 'libfoo-1.0/foo.c': 'int foo(void) { return 2; }\n', 'libfoo-1.0/foo.h': 'int foo(void);\n' });
  await fs.mkdir(path.join(dir, 'www'));
  await sh(['tar', '-czf', path.join(dir, 'www', 'libfoo-1.0.tar.gz'), '-C', path.join(dir, 'foo'), 'libfoo-1.0'], dir);
  await startServers();
  await packUpstream(MAKEFILE);
  const rootfs = await exampleRootfs();
  const dest = path.join(dir, 'project', 'packages', 'rootfs-bookworm-buildd.tar');
  await fs.link(rootfs, dest).catch(() => fs.copyFile(rootfs, dest));
  await fs.writeFile(path.join(dir, 'project', 'tarsmith.yaml'), manifest());
});

let toolchainTag: string | undefined;
after(async () => {
  await stopServers();
  if (toolchainTag) await run([await dockerClient(), 'image', 'rm', toolchainTag]);
  await fs.rm(dir, { recursive: true, force: true });
});

test('an unmodified upstream Makefile with git clones, a wget and a git apply builds offline from the vendored sources', async () => {
  const project = path.join(dir, 'project');
  const audit = await tarsmith(['audit', 'fetch', 'packages/upstream-1.0.tar.gz', '--json'], project, env);
  assert.equal(audit.code, 0, audit.stderr);
  const found = (JSON.parse(audit.stdout) as { fetches: { file: string; line: number; tool: string; url: { text: string; unresolved: string[] }; ref?: { text: string } }[] }).fetches;
  assert.deepEqual(
    found.map((f) => [`${f.file}:${f.line}`, f.tool, f.url.text, f.ref?.text, f.url.unresolved]),
    [
      ['Makefile:7', 'git clone', `git://127.0.0.1:${gitPort}/fmlib.git`, 'v1.0', []],
      ['Makefile:11', 'git clone', `git://127.0.0.1:${gitPort}/fmc.git`, 'v2.0', []],
      ['Makefile:15', 'wget', `http://127.0.0.1:${httpPort}/files/libfoo-1.0.tar.gz`, undefined, []],
    ],
  );
  const covered = await tarsmith(['--manifest', 'tarsmith.yaml', 'audit', 'fetch', 'packages/upstream-1.0.tar.gz'], project, env);
  assert.equal(covered.code, 0, covered.stderr);

  const vendor = await tarsmith(['vendor'], project, env);
  assert.equal(vendor.code, 0, vendor.stderr);
  const toolchain = await tarsmith(['toolchain', '--json'], project, env);
  assert.equal(toolchain.code, 0, toolchain.stderr);
  toolchainTag = (JSON.parse(toolchain.stdout) as { tag: string }).tag;
  await stopServers();

  const build = await tarsmith(['build', 'app'], project, env);
  assert.equal(build.code, 0, build.stderr);
  const out = path.join(project, 'out', 'offline');
  const answer = await exec([path.join(out, 'app')]);
  assert.equal(answer.stdout, '42\n', 'fmlib patched by git apply (30) + fmc (10) + libfoo (2)');
  assert.equal(await fs.readFile(path.join(out, 'versions.txt'), 'utf8'), 'fmlib v1.0\nfmc v2.0\n');

  // A fourth fetch in the unmodified-upstream spirit: the Makefile now also downloads libbar.
  await packUpstream(MAKEFILE.replace('\tmkdir -p dl\n', `\tmkdir -p dl\n\twget -q -O dl/libbar.tgz $(FOO_SITE)/libbar-2.0.tar.gz\n`));
  const revendor = await tarsmith(['vendor'], project, env);
  assert.equal(revendor.code, 0, revendor.stderr);
  const uncovered = await tarsmith(['--manifest', 'tarsmith.yaml', 'audit', 'fetch', 'packages/upstream-1.0.tar.gz'], project, env);
  assert.equal(uncovered.code, 1, uncovered.stderr);
  const failed = await tarsmith(['build', 'app'], project, env);
  assert.equal(failed.code, 4, failed.stderr);
  const bar = `http://127.0.0.1:${httpPort}/files/libbar-2.0.tar.gz`;
  const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // The build log prefixes each line (`#17 0.46 `): match the stand-in's lines after it.
  assert.match(failed.stderr, new RegExp(`tarsmith: wget -q -O dl/libbar\\.tgz ${re(bar)}: ${re(bar)} is not vendored`));
  assert.match(failed.stderr, new RegExp(` {2}- name: libbar-2\\.0\\n[^\\n]* {4}url: ${re(bar)}\\n`));
});
