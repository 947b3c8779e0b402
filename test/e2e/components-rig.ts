/**
 * The component chain of the e2e test and the bench: libcli and libnetfilter_conntrack from Debian's source
 * archive (their `.orig` tarballs), and nfcli, a small library of the test's own that links both. The
 * distribution's libmnl-dev and libnfnetlink-dev (libnetfilter_conntrack's dependencies) come from locked
 * builder packages.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exampleRootfs, run, tarsmith } from './build-rig.js';
import { debianOrig } from './debian-source.js';

const MANIFEST = `version: 1
name: chain
sourceDateEpoch: 1700000000
platform: linux/amd64
sources:
  - { name: libcli, file: packages/libcli_1.10.7.orig.tar.gz, strip: 1, license: LGPL-2.1-or-later }
  - { name: nfct, file: packages/libnetfilter-conntrack_1.1.0.orig.tar.xz, strip: 1, license: GPL-2.0-or-later }
  - { name: nfcli, file: packages/nfcli-1.0.tar.gz, strip: 1, license: MIT }
builder:
  rootfs: packages/rootfs-bookworm-buildd.tar
  family: apt
  packages: [pkg-config, libmnl-dev, libnfnetlink-dev]
components:
  libcli:
    build: make
    args: [TESTS=0, STATIC_LIB=0]
    installs: [usr/lib/libcli.so*, usr/include/libcli.h]
  nfct:
    build: autotools
    args: [--disable-static]
    installs: [usr/lib/libnetfilter_conntrack.so*, usr/lib/pkgconfig/libnetfilter_conntrack.pc, usr/include/libnetfilter_conntrack]
  nfcli:
    depends: [libcli, nfct]
    build: make
    installs: [usr/lib/libnfcli.so*, usr/include/nfcli.h]
build:
  targets:
    libs:
      artifacts:
        - { component: nfcli, path: "usr/lib/libnfcli.so*" }
        - { component: libcli, path: "usr/lib/libcli.so*", rename: lib/ }
        - { component: nfct, path: "usr/lib/libnetfilter_conntrack.so*", rename: lib/ }
`;

const MAKEFILE = `PREFIX ?= /usr/local
CFLAGS ?= -O2 -g
all: libnfcli.so.1.0
libnfcli.so.1.0: nfcli.c nfcli.h
\t$(CC) $(CFLAGS) -fPIC -shared -Wl,-soname,libnfcli.so.1 -Wl,--no-undefined -o $@ nfcli.c $$(pkg-config --cflags --libs libnetfilter_conntrack) -lcli
install: all
\tinstall -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
\tinstall -m 0755 libnfcli.so.1.0 $(DESTDIR)$(PREFIX)/lib/
\tln -sf libnfcli.so.1.0 $(DESTDIR)$(PREFIX)/lib/libnfcli.so.1
\tln -sf libnfcli.so.1 $(DESTDIR)$(PREFIX)/lib/libnfcli.so
\tinstall -m 0644 nfcli.h $(DESTDIR)$(PREFIX)/include/
`;

const source = (tag: string) => `#include <stddef.h>
#include <libcli.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include "nfcli.h"

const char *nfcli_version(void) { return "nfcli 1.0 ${tag}"; }

int nfcli_ready(void) {
  struct cli_def *cli = cli_init();
  struct nf_conntrack *ct = nfct_new();
  int ok = cli != NULL && ct != NULL;
  if (ct) nfct_destroy(ct);
  if (cli) cli_done(cli);
  return ok;
}
`;

export interface ChainProject {
  dir: string;
  /** Rewrite the leaf's tarball with a changed source (unique to this call, so no earlier run's cache matches). */
  changeLeaf(): Promise<void>;
  cleanup(): Promise<void>;
}

async function packLeaf(dir: string, tag: string): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-nfcli-'));
  try {
    const top = path.join(work, 'nfcli-1.0');
    await fs.mkdir(top);
    await fs.writeFile(path.join(top, 'Makefile'), MAKEFILE);
    await fs.writeFile(path.join(top, 'nfcli.h'), 'const char *nfcli_version(void);\nint nfcli_ready(void);\n');
    await fs.writeFile(path.join(top, 'nfcli.c'), source(tag));
    const r = await run(['tar', '--sort=name', '--mtime=@1700000000', '--owner=0', '--group=0', '-czf', path.join(dir, 'packages', 'nfcli-1.0.tar.gz'), '-C', work, 'nfcli-1.0']);
    if (r.code !== 0) throw new Error(r.stderr);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** A vendored project holding the chain (the rootfs linked in, the .orig tarballs copied). */
export async function chainProject(): Promise<ChainProject> {
  const [origs, rootfs] = await Promise.all([
    debianOrig(['libcli/trixie', 'libnetfilter-conntrack/trixie'], ['libcli_1.10.7.orig.tar.gz', 'libnetfilter-conntrack_1.1.0.orig.tar.xz']),
    exampleRootfs(),
  ]);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-e2e-chain-'));
  await fs.mkdir(path.join(dir, 'packages'));
  for (const f of origs) await fs.copyFile(f, path.join(dir, 'packages', path.basename(f)));
  const dest = path.join(dir, 'packages', 'rootfs-bookworm-buildd.tar');
  await fs.link(rootfs, dest).catch(() => fs.copyFile(rootfs, dest));
  await packLeaf(dir, 'base');
  await fs.writeFile(path.join(dir, 'tarsmith.yaml'), MANIFEST);
  const v = await tarsmith(['vendor'], dir);
  if (v.code !== 0) throw new Error(`tarsmith vendor failed (${v.code}):\n${v.stderr}`);
  return {
    dir,
    changeLeaf: () => packLeaf(dir, randomBytes(6).toString('hex')),
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

export interface StepVertex {
  label: string;
  /** Index of the vertex's first and last lines in the log. */
  first: number;
  end: number;
  cached: boolean;
}

/**
 * Where a stage's RUN vertices (its sources' extraction and its steps) start and end in a BuildKit plain-progress
 * log, as line numbers: two stages whose spans overlap were built at the same time.
 */
export function stageSpan(log: string, stage: string): { first: number; end: number } | undefined {
  const ids = new Set<string>();
  let first = -1;
  let end = -1;
  log.split('\n').forEach((l, i) => {
    const head = /^#(\d+) \[([^\] ]+) \d+\/\d+\] RUN /.exec(l);
    if (head && head[2] === stage) {
      ids.add(head[1]!);
      if (first < 0) first = i;
    }
    const m = /^#(\d+) /.exec(l);
    if (m && ids.has(m[1]!)) end = i;
  });
  return first < 0 ? undefined : { first, end };
}

/** The component steps of a BuildKit plain-progress log: where each vertex starts and ends, whether it was cached. */
export function stepVertices(log: string): StepVertex[] {
  const lines = log.split('\n');
  const byId = new Map<string, StepVertex>();
  lines.forEach((l, i) => {
    const head = /^#(\d+) \[[^\]]+\] RUN .*?(components\.[A-Za-z0-9._+-]+?\.(?:configure|compile|install|steps)(?:\[\d+\])?)[\s"]/.exec(l);
    if (head && !byId.has(head[1]!)) {
      byId.set(head[1]!, { label: head[2]!, first: i, end: i, cached: false });
      return;
    }
    const m = /^#(\d+) /.exec(l);
    const v = m ? byId.get(m[1]!) : undefined;
    if (!v) return;
    v.end = i;
    if (/^#\d+ CACHED\s*$/.test(l)) v.cached = true;
  });
  return [...byId.values()];
}
