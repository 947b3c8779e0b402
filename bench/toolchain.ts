/**
 * The toolchain stage from vendored packages against the same install from the live archive, in the same run:
 *  A. `tarsmith toolchain --no-cache`: the locked .deb files from packages/debs/, network off;
 *  B. what `tarsmith toolchain` did before (and what a hand-written Dockerfile does): the same rootfs, then
 *     `dpkg --add-architecture` + `apt-get update` + `apt-get install` of the same packages from the archive,
 *     `DOCKER_BUILDKIT=1 docker build --no-cache` with the default network.
 * Goal: A no slower than B, and no network wait in A at all. The one-off resolution and download at vendor time
 * is reported on its own (it is paid once per lock change, and the cache makes later vendors local).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exec } from '../src/core/exec.js';
import { probeEngine } from '../src/engine/probe.js';
import { BIN, exampleRootfs } from '../test/e2e/build-rig.js';
import { median, seconds as s, timed } from './lib.js';

const RUNS = 2;
const PACKAGES = ['pkg-config', 'libxml2-dev:arm64', 'crossbuild-essential-arm64'];


async function project(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-bench-toolchain-'));
  await fs.mkdir(path.join(dir, 'packages'));
  await fs.link(await exampleRootfs(), path.join(dir, 'packages', 'rootfs.tar'));
  await fs.writeFile(path.join(dir, 'empty'), '');
  await timed(['tar', '-czf', path.join(dir, 'packages', 'app.tar.gz'), '-C', dir, 'empty']);
  const yaml = `version: 1\nname: bench\nsourceDateEpoch: 1700000000\nsources:\n  - name: app\n    file: packages/app.tar.gz\n` +
    `builder:\n  rootfs: packages/rootfs.tar\n  family: apt\n  packages: [${PACKAGES.map((p) => JSON.stringify(p)).join(', ')}]\n` +
    `build:\n  targets:\n    t:\n      steps: ['true']\n      artifacts: [empty]\n`;
  await fs.writeFile(path.join(dir, 'tarsmith.yaml'), yaml);
  return dir;
}

/** The live-archive Dockerfile (B), on the same rootfs. */
async function liveContext(dir: string): Promise<string> {
  const ctx = path.join(dir, 'live');
  await fs.mkdir(ctx);
  await fs.link(path.join(dir, 'packages', 'rootfs.tar'), path.join(ctx, 'rootfs.tar'));
  const pk = PACKAGES.map((p) => JSON.stringify(p)).join(', ');
  await fs.writeFile(path.join(ctx, 'Dockerfile'), [
    'FROM scratch',
    'ADD ["rootfs.tar", "/"]',
    'ENV PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" DEBIAN_FRONTEND=noninteractive',
    'RUN ["dpkg", "--add-architecture", "arm64"]',
    'RUN ["apt-get", "update"]',
    `RUN ["apt-get", "install", "-y", "--no-install-recommends", ${pk}]`,
    '',
  ].join('\n'));
  return ctx;
}

async function main(): Promise<void> {
  const caps = await probeEngine();
  const dir = await project();
  try {
    const vendorMs = await timed([BIN, 'vendor'], { cwd: dir });
    const lock = JSON.parse(await fs.readFile(path.join(dir, 'tarsmith.lock'), 'utf8')) as { builderPackages: { packages: Record<string, { size: number }> } };
    const pk = Object.values(lock.builderPackages.packages);
    const mib = pk.reduce((n, p) => n + p.size, 0) / 1048576;
    console.log(`vendor (resolution over the rootfs + ${pk.length} .deb files, ${mib.toFixed(1)} MiB, from the cache when warm): ${s(vendorMs)}`);
    const ctx = await liveContext(dir);
    const env = { ...process.env, DOCKER_BUILDKIT: '1' };
    const live = [caps.docker, 'build', '--no-cache', '--progress', 'plain', '-t', 'tarsmith-bench/toolchain-live:latest', ctx];
    const vendored: number[] = [];
    const archive: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      vendored.push(await timed([BIN, 'toolchain', '--no-cache', '--progress', 'plain'], { cwd: dir }));
      archive.push(await timed(live, { env }));
    }
    const ratio = median(vendored) / median(archive);
    console.log(`toolchain --no-cache from packages/debs/ (network off) ${s(median(vendored))} vs live archive (apt-get update + install) ${s(median(archive))}: ${ratio.toFixed(2)}x the time (goal ≤ 1.00x)`);
  } finally {
    await exec([caps.docker, 'image', 'rm', 'tarsmith-bench/toolchain-live:latest']);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
