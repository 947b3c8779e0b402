/**
 * Shared rig for the build end-to-end tests: the example's builder rootfs made once (scripts/setup-engine.sh caches
 * it by its inputs under ~/.cache/tarsmith/rootfs/, under a lock, so parallel test files wait for one build), and
 * a private temp copy of examples/hello per test, vendored with the real CLI.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'tarsmith');
const EXAMPLE = path.join(ROOT, 'examples', 'hello');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd as string, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export function tarsmith(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return run([BIN, ...args], { cwd, env });
}

let rootfs: Promise<string> | undefined;

/** The example's builder rootfs tarball (built once, cached across runs). */
export function exampleRootfs(): Promise<string> {
  rootfs ??= (async () => {
    const cache = path.join(os.homedir(), '.cache', 'tarsmith', 'e2e');
    const r = await run(['bash', path.join(ROOT, 'scripts', 'setup-engine.sh'), '--into', cache]);
    if (r.code !== 0) throw new Error(`setup-engine.sh failed:\n${r.stderr}`);
    return r.stdout.trim().split('\n').pop() as string;
  })();
  return rootfs;
}

export interface Example {
  dir: string;
  cleanup(): Promise<void>;
}

/**
 * A temp copy of examples/hello with the rootfs linked in; `edit` may change the manifest text and add files
 * before `tarsmith vendor` runs.
 */
export async function exampleCopy(edit?: (dir: string, manifest: string) => Promise<string>): Promise<Example> {
  const tar = await exampleRootfs();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-e2e-'));
  await fs.mkdir(path.join(dir, 'packages'));
  await fs.copyFile(path.join(EXAMPLE, 'packages', 'hello-1.0.tar.gz'), path.join(dir, 'packages', 'hello-1.0.tar.gz'));
  const dest = path.join(dir, 'packages', 'rootfs-bookworm-buildd.tar');
  await fs.link(tar, dest).catch(() => fs.copyFile(tar, dest));
  let manifest = await fs.readFile(path.join(EXAMPLE, 'tarsmith.yaml'), 'utf8');
  if (edit) manifest = await edit(dir, manifest);
  await fs.writeFile(path.join(dir, 'tarsmith.yaml'), manifest);
  const v = await tarsmith(['vendor'], dir);
  if (v.code !== 0) throw new Error(`tarsmith vendor failed (${v.code}):\n${v.stderr}`);
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** The docker client tarsmith picks on this machine (for inspecting what it built). */
export async function dockerClient(): Promise<string> {
  const { probeEngine } = await import('../../src/engine/probe.js');
  return (await probeEngine()).docker;
}

let buildx: Promise<string> | undefined;

/** A DOCKER_CONFIG folder holding the buildx plugin (fetched once by setup-engine.sh, cached). */
export function buildxConfig(): Promise<string> {
  buildx ??= (async () => {
    const dir = path.join(os.homedir(), '.cache', 'tarsmith', 'buildx');
    const r = await run(['bash', path.join(ROOT, 'scripts', 'setup-engine.sh'), '--no-engine', '--no-rootfs', '--buildx', dir]);
    if (r.code !== 0) throw new Error(`setup-engine.sh --buildx failed:\n${r.stderr}`);
    return dir;
  })();
  return buildx;
}
